"""What a `FROM <image>` gives a RUN step: config Env and User, /etc/passwd, pip config, a shell.

Why this exists: the pip cache a RUN uses depends on facts that are not in the
Dockerfile. HOME comes from the image config Env or else from the image's /etc/passwd
(runc looks the uid up there, `/` when it is missing); `USER` in the image config is
applied before the first instruction; PIP_* and XDG_* in the config Env and pip config
files baked into the image (NVIDIA's NGC images, pypa/pip#12278) can switch the cache
off; and an image without /bin/sh cannot run a shell-form RUN at all.

Every fact here carries the source it was read from: a repository and path (commit
where it matters), an issue URL as the search tool returned it, or "observed:" for what
was looked at on this machine (a debootstrap'ed Debian rootfs, the Alpine minirootfs
tarballs committed to alpinelinux/docker-alpine). A fact that could not be sourced is
left out, never guessed: `ImageFacts.unknown` names the facts that are only partly
known, `lookup` returns None for an image that is not in the table, and the tag decides
which entry applies (`ubuntu:24.04` has a uid 1000 `ubuntu` user, `ubuntu:22.04` has not,
`ubuntu:latest` is not pinned and so leaves the question open). A FROM whose tag a build
argument without a value decides (`python:${PYTHON_VERSION}-slim`) gets what every tag it
may name shares, for the repositories whose builders read such a tag pattern soundly
(`_every_tag`): the same facts as an unpinned tag, an origin that says "every tag of".

The table is data: base layers (Debian, Ubuntu, Alpine, distroless, ...) and per-image
builders that parse the tag and derive their facts from a base. `lookup` is cached and
dispatches through a dict keyed by (registry, repository), then a few family patterns
(jupyter/*, distroless, UBI, NGC), so a FROM costs one parse and one dict probe.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from types import MappingProxyType

from .patterns import compile_lazily
from .records import NamedTuple

__all__ = [
    "ImageFacts",
    "ImageRef",
    "PasswdEntry",
    "PipConfigFile",
    "RELEVANT_ENV",
    "is_relevant_env",
    "lookup",
    "parse_image_reference",
]

# Environment keys that decide where pip/uv/poetry/pipenv/pdm/conda cache, or which user
# a RUN is. PATH is deliberately absent: it never changes a cache location.
RELEVANT_ENV = compile_lazily(
    r"(?:HOME|USER|PYTHONUSERBASE|VIRTUAL_ENV|ENV_NAME"
    r"|(?:PIP|PIPX|XDG|UV|POETRY|PIPENV|PDM|CONDA|MAMBA|NB)_[A-Z0-9_]*)\Z"
)


def is_relevant_env(key: str) -> bool:
    """Whether an image config Env key can change a cache location or the RUN user."""
    return RELEVANT_ENV.match(key) is not None


_EMPTY: Mapping[str, str] = MappingProxyType({})


# --------------------------------------------------------------------------------------
# Image references


class ImageRef(NamedTuple):
    """A parsed `FROM` reference, normalised the way docker/distribution `reference` does.

    `python`, `library/python`, `docker.io/library/python` and
    `index.docker.io/library/python` all give registry `docker.io` and repository
    `library/python`, so one table entry serves every spelling.
    """

    registry: str
    repository: str
    tag: str | None = None
    digest: str | None = None

    @property
    def name(self) -> str:
        """The familiar name (`python`, `jupyter/base-notebook`, `ghcr.io/astral-sh/uv`)."""
        if self.registry == "docker.io":
            return self.repository.removeprefix("library/")
        return f"{self.registry}/{self.repository}"

    @property
    def effective_tag(self) -> str | None:
        """The tag a pull uses: `latest` when neither tag nor digest is written.

        None for a digest-only reference: the digest says nothing about which tag it was.
        """
        if self.tag is not None:
            return self.tag
        return None if self.digest else "latest"

    def __str__(self) -> str:
        text = f"{self.registry}/{self.repository}"
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


_PATH_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*\Z")
_TAG = re.compile(r"[\w][\w.-]{0,127}\Z")
_DIGEST = compile_lazily(r"[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}\Z")
_DOMAIN = compile_lazily(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]+)?\Z|\[[0-9A-Fa-f:.]+\](?::[0-9]+)?\Z")


def _split_reference(ref: str) -> tuple[str, str | None, str | None]:
    """(name, tag, digest) of a reference, unchecked: the tag follows the last `:` after the last `/`."""
    text, at, digest = ref.strip().partition("@")
    colon = text.rfind(":")
    if colon != -1 and "/" not in text[colon + 1 :]:
        return text[:colon], text[colon + 1 :], digest if at else None
    return text, None, digest if at else None


def parse_image_reference(ref: str) -> ImageRef | None:
    """Parse an image reference as BuildKit resolves a FROM, or None if it cannot be known.

    None when the text still holds an unexpanded `$` (a build argument decides the
    image), or is not a valid reference. The first path component is a registry host
    only if it contains `.` or `:`, is `localhost`, or has an upper-case letter (the rule
    in docker/distribution `reference/normalize.go`), so `localhost:5000/x` keeps its
    port and `myorg/app` stays on Docker Hub.
    """
    if "$" in ref:
        return None
    text, tag, digest = _split_reference(ref)
    if not text or (digest is not None and not _DIGEST.match(digest)) or (tag is not None and not _TAG.match(tag)):
        return None
    first, slash, rest = text.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost" or first != first.lower()):
        if not _DOMAIN.match(first):
            return None
        registry = first.lower()
        path = rest
    else:
        registry, path = "docker.io", text
    if registry == "index.docker.io":
        registry = "docker.io"
    if registry == "docker.io" and "/" not in path:
        path = f"library/{path}"
    if not path or not all(_PATH_COMPONENT.match(part) for part in path.split("/")):
        return None
    return ImageRef(registry, path, tag, digest)


# --------------------------------------------------------------------------------------
# Facts


class PasswdEntry(NamedTuple):
    """One /etc/passwd line of the image, and what is known about its home directory.

    `home_exists`/`home_owner_uid` are None when not known. They matter because pip
    disables its cache when the cache directory's first existing ancestor is not owned
    by (root) or writable by (others) the running user.
    """

    name: str
    uid: int
    gid: int
    home: str
    home_exists: bool | None = None
    home_owner_uid: int | None = None
    source: str = ""


class PipConfigFile(NamedTuple):
    """One setting in a pip configuration file the image ships (e.g. NGC's no-cache-dir)."""

    path: str
    section: str
    key: str
    value: str
    source: str = ""


FACT_NAMES = frozenset({"env", "user", "passwd", "pip_config", "has_shell", "shell"})


class ImageFacts(NamedTuple):
    """What an image config and filesystem give a RUN step, each fact with its source.

    A named tuple (immutable: assigning raises AttributeError) that hashes without its
    read-only mappings (`env`, `sources`), which are not hashable.

    - `env`: the config Env entries that matter for caches and users (`is_relevant_env`);
      complete unless "env" is in `unknown`.
    - `user`: the config User (None: not set, so root).
    - `passwd`: the entries known to be in /etc/passwd; complete unless "passwd" is in
      `unknown`. `absent_uids` lists uids known not to be there even when it is partial
      (e.g. `ubuntu:22.04` has no uid 1000, per the sources).
    - `pip_config`: settings in pip config files shipped by the image.
    - `has_shell`: whether a shell-form RUN can run with the SHELL it inherits: the config
      Shell when `shell` is set (FROM inherits it), else /bin/sh. Distroless and scratch
      have none (distroless debug has busybox at /busybox/sh, not /bin/sh).
    - `source` is the entry's main source; `sources` overrides it per fact, and passwd
      entries and pip settings carry their own.
    - `apt_clean_hook`: whether /etc/apt/apt.conf.d/docker-clean deletes downloaded
      packages after every apt run (SRC_DOCKER_CLEAN); None when not known.
    """

    name: str
    ref: ImageRef
    source: str
    env: Mapping[str, str] = _EMPTY
    user: str | None = None
    passwd: tuple[PasswdEntry, ...] = ()
    pip_config: tuple[PipConfigFile, ...] = ()
    has_shell: bool = True
    shell: tuple[str, ...] | None = None
    unknown: frozenset[str] = frozenset()
    absent_uids: frozenset[int] = frozenset()
    sources: Mapping[str, str] = _EMPTY
    notes: tuple[str, ...] = ()
    apt_clean_hook: bool | None = None

    def __hash__(self) -> int:
        return hash((self.name, self.ref, self.source, self.user, self.passwd, self.pip_config, self.unknown))

    def knows(self, fact: str) -> bool:
        """Whether `fact` ("env", "user", "passwd", "pip_config", "has_shell", "shell") is fully known."""
        return fact not in self.unknown

    def source_of(self, fact: str) -> str:
        """Where `fact` was read."""
        return self.sources.get(fact, self.source)

    def passwd_entry(self, user: str) -> PasswdEntry | None:
        """The passwd entry a `USER` value resolves to (name or uid, `:group` ignored)."""
        name = user.split(":", 1)[0]
        if name.isdigit():
            uid = int(name)
            return next((e for e in self.passwd if e.uid == uid), None)
        return next((e for e in self.passwd if e.name == name), None)

    def runtime_home(self, user: str | None = None) -> str | None:
        """HOME as runc sets it for a RUN as `user` (default: the config User), or None if unknown.

        A non-empty HOME in the config Env wins; else the passwd home of the uid; else `/`
        for a numeric uid known not to be in passwd (semantics.md §1.1, §1.2). A name that
        is not in a complete passwd is a build error, so None.
        """
        home = self.env.get("HOME")
        if home:
            return home
        if "env" in self.unknown:
            return None
        if user is None:
            if "user" in self.unknown:
                return None
            user = self.user or "0"
        entry = self.passwd_entry(user)
        if entry is not None:
            return entry.home
        name = user.split(":", 1)[0]
        if name.isdigit() and ("passwd" not in self.unknown or int(name) in self.absent_uids):
            return "/"
        return None


# --------------------------------------------------------------------------------------
# Sources (short strings; repositories at the commit read, URLs as the search tool gave them)

SRC_PYTHON = (
    "docker-library/python@4f070595 Dockerfile-linux.template: ENV PATH, LANG (<3.13), GPG_KEY, "
    "PYTHON_VERSION, PYTHON_SHA256; no USER; `git log -G` finds no ENV PIP_*/HOME/XDG_* and no pip.conf ever"
)
SRC_DEBIAN_CONFIG = (
    "debuerreotype/docker-debian-artifacts bookworm/oci/blobs/image-config.json "
    "(config Env: PATH only, no User; library/debian is built from these artifacts)"
)
SRC_DEBIAN_OBSERVED = (
    "observed: `debootstrap --variant=minbase {suite}` from deb.debian.org on this machine "
    "(/etc/passwd, stat of every home, no /etc/pip.conf or /etc/xdg)"
)
SRC_BASE_PASSWD = (
    "base-passwd passwd.master: these lines are identical in 3.5.33 (xaiki/base-passwd tag Version_3.5.33) "
    "and 3.6.1 (Debian bookworm, /usr/share/base-passwd/passwd.master)"
)
SRC_BUILDPACK_DEPS = (
    "docker-library/buildpack-deps@8330ca1d {debian,ubuntu}/*/{curl,scm,}/Dockerfile: FROM debian:<suite> "
    "or ubuntu:<codename> (ubuntu/resolute/curl: FROM ubuntu:resolute), apt-get install only (no ENV, USER or useradd)"
)
SRC_UBUNTU_CONFIG = (
    "https://github.com/docker-library/official-images/pull/14456 (ubuntu config Env: PATH only); "
    "library/ubuntu imports git.launchpad.net/cloud-images/+oci/ubuntu-base"
)
SRC_UBUNTU_USER = (
    "lubuntu-team/livecd-rootfs live-build/functions configure_oci: "
    "`useradd ubuntu -U -u 1000 ... -m` (commit 8b8ad2e0, 2022-11, first in 23.04 lunar); "
    "https://github.com/jupyter/docker-stacks/issues/1877"
)
SRC_UBUNTU_2404_PASSWD = "https://github.com/jupyterhub/repo2docker/issues/1346 (cat /etc/passwd of ubuntu:24.04)"
SRC_UBUNTU_NO_1000 = (
    "https://github.com/jupyterhub/repo2docker/issues/1346 ('Ubuntu 22.04 does not have this'); "
    "https://github.com/osrf/docker_images/issues/795 (no uid 1000 in humble/22.04 and older)"
)
SRC_ALPINE_CONFIG = (
    "alpinelinux/docker-alpine branch v3.17 x86_64/Dockerfile (FROM scratch, ADD minirootfs, CMD /bin/sh)"
)
SRC_ALPINE_OBSERVED = (
    "observed: alpinelinux/docker-alpine branch {branch} x86_64/alpine-minirootfs tarball "
    "(/etc/passwd, home directory entries, /bin/sh, no pip.conf)"
)
SRC_DISTROLESS = (
    "GoogleContainerTools/distroless@cd080764 common/BUILD.bazel passwd()+home(), "
    "common/variables.bzl (NONROOT=65532), static/static.bzl USER_VARIANTS (config User '%d' % uid), "
    "BUILD VARIANTS (latest|nonroot|debug|debug-nonroot)"
)
SRC_DISTROLESS_SHELL = (
    "GoogleContainerTools/distroless python3/testdata/python3.yaml no_shell test, python3/README.md 'No shell'; "
    "debug tags add busybox under /busybox (experimental/busybox/commands.bzl)"
)
SRC_NODE = (
    "nodejs/docker-node@f27d936f Dockerfile-{debian,slim,alpine}.template: "
    "groupadd/useradd node uid 1000 gid 1000 --create-home (alpine: adduser -D, home created); no USER"
)
SRC_JUPYTER = (
    "jupyter/docker-stacks@82093869 images/docker-stacks-foundation/Dockerfile: ENV HOME=/home/${NB_USER}, "
    "CONDA_DIR, NB_USER=jovyan NB_UID=1000 NB_GID=100; useradd --create-home --no-user-group; "
    "userdel of any existing uid 1000; USER ${NB_UID}; SHELL bash -o pipefail -c (same in 2023, 7e1a19a8)"
)
SRC_JUPYTER_GID = "jupyter/docker-stacks docs/using/selecting.md (jovyan uid=1000 in group users gid=100)"
SRC_UV = (
    "astral-sh/uv@26a9dd4b .github/workflows/build-docker.yml (derived image = FROM <base> + COPY uv + "
    "ENV UV_TOOL_BIN_DIR=/usr/local/bin) and Dockerfile (base image FROM scratch, /uv /uvx only); "
    "docs/guides/integration/docker.md (UV_TOOL_BIN_DIR from 0.8)"
)
SRC_UBI = (
    "sclorg/s2i-python-container@e007f85c 3.12/Dockerfile.rhel9 (ENV PIP_NO_CACHE_DIR=off, USER 1001), "
    "src/Dockerfile.template; sclorg/s2i-base-container@cada84e6 core/Dockerfile.rhel9 "
    "(ENV HOME=/opt/app-root/src APP_ROOT=/opt/app-root; useradd -u 1001 -r -g 0 -d ${HOME} default; "
    "chown -R 1001:0 ${APP_ROOT})"
)
SRC_UBI_MINIMAL = (
    "sclorg/s2i-python-container@e007f85c 3.12-minimal/Dockerfile.rhel9 (FROM ubi-minimal; ENV "
    "PIP_NO_CACHE_DIR=off HOME=/opt/app-root/src; WORKDIR ${HOME}; chown -R 1001:0 ${APP_ROOT}; USER 1001; no useradd)"
)
SRC_MICROMAMBA = (
    "mamba-org/micromamba-docker@a815800c debian.Dockerfile (ENV MAMBA_USER=mambauser MAMBA_USER_ID=57439 "
    "MAMBA_ROOT_PREFIX=/opt/conda MAMBA_EXE=/bin/micromamba ENV_NAME=base; USER $MAMBA_USER; "
    "SHELL _dockerfile_shell.sh), _dockerfile_initialize_user_accounts.sh (useradd -m); CHANGELOG 2023-08-24 "
    "(1.5.0: uid/gid 57439); docs/tags.rst"
)
SRC_MINIFORGE = (
    "conda-forge/miniforge-images@841e405a ubuntu/Dockerfile (FROM ubuntu:noble since 5b1bd2f 2025-03-18, "
    "focal before; ENV CONDA_DIR=/opt/conda; no USER)"
)
SRC_MINICONDA = (
    "ContinuumIO/docker-images@dc64b234 miniconda3/debian/Dockerfile (FROM debian:12-slim; ENV PATH=/opt/conda/bin, "
    "LANG, LC_ALL; no USER; conda in /opt/conda)"
)
SRC_DEVCONTAINER = (
    "devcontainers/images@bed3eb26 src/python/.devcontainer/{Dockerfile,devcontainer.json} "
    "(FROM python:<variant>; common-utils username vscode uid/gid 1000); devcontainers/features@765e8ebd "
    "src/common-utils/main.sh (useradd -m), src/python/devcontainer-feature.json containerEnv "
    "(PIPX_HOME, PIPX_BIN_DIR); "
    "devcontainers/cli getContainerFeaturesBaseDockerFile (`USER $_DEV_CONTAINERS_IMAGE_USER`, default root)"
)
SRC_CUDA = (
    "gitlab.com/nvidia/container-images/cuda dist/12.6.3/ubuntu2404/{base,runtime,devel}/Dockerfile "
    "(copy in taehun-kmu/FMCL-Docker): FROM ubuntu:<ver>; ENV NVARCH, NVIDIA_*, CUDA_VERSION, PATH, LD_LIBRARY_PATH; "
    "no USER, no userdel, no pip"
)
SRC_CUDNN = (
    "gitlab.com/nvidia/container-images/cuda dist/<ver>/<os>/{runtime,devel}/cudnn*/Dockerfile, as quoted by "
    "Dockerfiles adapted from it (e.g. 'Adapted from .../dist/12.8.0/ubuntu2404/devel/cudnn/Dockerfile'): "
    "FROM the runtime or devel image; ENV NV_CUDNN_VERSION, NV_CUDNN_PACKAGE_NAME, NV_CUDNN_PACKAGE(_DEV) only; "
    "a LABEL and an apt-get install of libcudnn; no USER, no HOME, no pip"
)
SRC_NGC_PIP = (
    "https://github.com/pypa/pip/issues/12278 (nvcr.io/nvidia/pytorch:23.08-py3 `pip config debug`: "
    "env_var PIP_DEFAULT_TIMEOUT='100'; /etc/xdg/pip/pip.conf global.no-cache-dir: true)"
)
SRC_PYTORCH = (
    "pytorch/pytorch Dockerfile stage `official` (FROM ${BASE_IMAGE}, default ubuntu:22.04; ENV PATH, NVIDIA_*, "
    "LD_LIBRARY_PATH, PYTORCH_VERSION; WORKDIR /workspace; no USER, no pip config)"
)
SRC_TENSORFLOW = (
    "tensorflow/tensorflow tensorflow/tools/dockerfiles/dockerfiles/cpu.Dockerfile, stored version "
    "(FROM ubuntu:${UBUNTU_VERSION} default 16.04; apt python3-pip, pip install; no ENV HOME/PIP_*, no USER)"
)
SRC_BITNAMI = (
    "bitnami/containers bitnami/python/3.14/debian-12/Dockerfile (FROM bitnami/minideb:bookworm; "
    "SHELL bash -o errexit -o nounset -o pipefail -c; ENV APP_VERSION, BITNAMI_APP_NAME, PATH; WORKDIR /app; no USER)"
)
SRC_AMAZONLINUX = (
    "amazonlinux/container-images Dockerfile (FROM scratch, COPY rootfs, CMD /bin/bash: no Env, no User); "
    "library/amazonlinux is built from it (docker-library/official-images)"
)
SRC_DOCKER_CLEAN = (
    "debuerreotype scripts/debuerreotype-minimizing-config (/etc/apt/apt.conf.d/docker-clean: DPkg::Post-Invoke "
    "and APT::Update::Post-Invoke run `rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb "
    "/var/cache/apt/*.bin`); Ubuntu's images ship the same file (Docker's documentation: official Debian and "
    "Ubuntu images run apt-get clean automatically)"
)
SRC_SCRATCH = (
    "moby/buildkit frontend/dockerfile/dockerfile2llb/convert.go (emptyImageName = \"scratch\": "
    "an empty filesystem and config)"
)


# --------------------------------------------------------------------------------------
# passwd data: compact `name:uid:gid:home` lines, with observed home facts per base


def _passwd(
    text: str, source: str, homes: Mapping[str, tuple[bool | None, int | None]] | None = None
) -> tuple[PasswdEntry, ...]:
    homes = homes or {}
    entries = []
    for line in text.split():
        name, uid, gid, home = line.split(":")
        exists, owner = homes.get(home, (None, None))
        entries.append(PasswdEntry(name, int(uid), int(gid), home, exists, owner, source))
    return tuple(entries)


# Lines present, identical, in Debian bullseye, bookworm and trixie (observed) and in
# base-passwd 3.5.33; Ubuntu uses the same base-passwd.
_BASE_PASSWD_COMMON = """
root:0:0:/root daemon:1:1:/usr/sbin bin:2:2:/bin sys:3:3:/dev sync:4:65534:/bin games:5:60:/usr/games
man:6:12:/var/cache/man lp:7:7:/var/spool/lpd mail:8:8:/var/mail news:9:9:/var/spool/news
uucp:10:10:/var/spool/uucp proxy:13:13:/bin www-data:33:33:/var/www backup:34:34:/var/backups
list:38:38:/var/list nobody:65534:65534:/nonexistent
"""
_DEBIAN_BOOKWORM = _BASE_PASSWD_COMMON + " irc:39:39:/run/ircd _apt:42:65534:/nonexistent"
_DEBIAN_BULLSEYE = (
    _BASE_PASSWD_COMMON + " irc:39:39:/run/ircd gnats:41:41:/var/lib/gnats _apt:100:65534:/nonexistent"
)
# stat of the homes in the debootstrap'ed rootfs (same for bullseye, bookworm, trixie).
_DEBIAN_HOMES: Mapping[str, tuple[bool | None, int | None]] = {
    "/root": (True, 0), "/usr/sbin": (True, 0), "/bin": (True, 0), "/dev": (True, 0),
    "/usr/games": (True, 0), "/var/mail": (True, 0), "/var/backups": (True, 0),
    "/nonexistent": (False, None), "/var/cache/man": (False, None), "/var/spool/lpd": (False, None),
    "/var/spool/news": (False, None), "/var/spool/uucp": (False, None), "/var/www": (False, None),
    "/var/list": (False, None), "/run/ircd": (False, None), "/var/lib/gnats": (False, None),
}  # fmt: skip
# Homes that installing packages on top cannot change: /root always exists, and
# /nonexistent is by base-passwd convention never created.
_STABLE_HOMES = frozenset({"/root", "/nonexistent"})

_ALPINE_LONG = """
root:0:0:/root bin:1:1:/bin daemon:2:2:/sbin adm:3:4:/var/adm lp:4:7:/var/spool/lpd sync:5:0:/sbin
shutdown:6:0:/sbin halt:7:0:/sbin mail:8:12:/var/mail news:9:13:/usr/lib/news uucp:10:14:/var/spool/uucppublic
operator:11:0:/root man:13:15:/usr/man postmaster:14:12:/var/mail cron:16:16:/var/spool/cron ftp:21:21:/var/lib/ftp
sshd:22:22:/dev/null at:25:25:/var/spool/cron/atjobs squid:31:31:/var/cache/squid xfs:33:33:/etc/X11/fs
games:35:35:/usr/games cyrus:85:12:/usr/cyrus vpopmail:89:89:/var/vpopmail ntp:123:123:/var/empty
smmsp:209:209:/var/spool/mqueue guest:405:100:/dev/null nobody:65534:65534:/
"""
_ALPINE_SHORT = """
root:0:0:/root bin:1:1:/bin daemon:2:2:/sbin lp:4:7:/var/spool/lpd sync:5:0:/sbin shutdown:6:0:/sbin
halt:7:0:/sbin mail:8:12:/var/mail news:9:13:/usr/lib/news uucp:10:14:/var/spool/uucppublic
cron:16:16:/var/spool/cron ftp:21:21:/var/lib/ftp sshd:22:22:/dev/null games:35:35:/usr/games
ntp:123:123:/var/empty guest:405:100:/dev/null nobody:65534:65534:/
"""
_ALPINE_HOMES: Mapping[str, tuple[bool | None, int | None]] = {
    "/root": (True, 0), "/bin": (True, 0), "/sbin": (True, 0), "/var/mail": (True, 0),
    "/var/spool/cron": (True, 0), "/var/empty": (True, 0), "/": (True, 0),
    "/var/adm": (False, None), "/var/spool/lpd": (False, None), "/usr/lib/news": (False, None),
    "/var/spool/uucppublic": (False, None), "/usr/man": (False, None), "/var/lib/ftp": (False, None),
    "/var/spool/cron/atjobs": (False, None), "/var/cache/squid": (False, None), "/etc/X11/fs": (False, None),
    "/usr/games": (False, None), "/usr/cyrus": (False, None), "/var/vpopmail": (False, None),
    "/var/spool/mqueue": (False, None),
}  # fmt: skip
_ALPINE_STABLE_HOMES = frozenset({"/root", "/"})


def _names(text: str) -> set[str]:
    return {line.split(":")[0] for line in text.split()}


# Lines in every observed Alpine release (3.17 to 3.20 and edge 2024-09).
_ALPINE_LONG_NAMES = _names(_ALPINE_LONG)
_ALPINE_COMMON = " ".join(line for line in _ALPINE_SHORT.split() if line.split(":")[0] in _ALPINE_LONG_NAMES)


class _Base(NamedTuple):
    """A base image's filesystem-level facts, shared by every image built on it."""

    label: str
    passwd: tuple[PasswdEntry, ...]
    passwd_complete: bool
    passwd_source: str
    config_source: str
    absent_uids: frozenset[int] = frozenset()
    notes: tuple[str, ...] = ()
    pip_config_known: bool = True
    has_shell: bool | None = True
    stable_homes: frozenset[str] = _STABLE_HOMES
    apt_clean_hook: bool | None = None

    def derived(self, *, packages: bool = True) -> _Base:
        """This base after an image installed packages on it.

        Packages may add system users and create directories, so passwd becomes partial
        and only homes no package can change keep their existence facts. Packages add
        system users below uid 1000, so known-absent uids >= 1000 stay absent.
        """
        if not packages:
            return self
        passwd = tuple(
            e if e.home in self.stable_homes else e._replace(home_exists=None, home_owner_uid=None)
            for e in self.passwd
        )
        absent = frozenset(uid for uid in self.absent_uids if uid >= 1000)
        return self._replace(passwd=passwd, passwd_complete=False, absent_uids=absent)


# Debian ------------------------------------------------------------------------------

_DEBIAN_SUITES = {"10": "buster", "11": "bullseye", "12": "bookworm", "13": "trixie", "14": "forky"}
_DEBIAN_OBSERVED = {"bullseye": _DEBIAN_BULLSEYE, "bookworm": _DEBIAN_BOOKWORM, "trixie": _DEBIAN_BOOKWORM}
_DEBIAN_SUITE_WORDS = re.compile(r"(?:^|[-.])(buster|bullseye|bookworm|trixie|forky|sid)(?=$|[-.])")


@lru_cache(maxsize=None)
def _debian(suite: str | None) -> _Base:
    """Debian `suite` (None: not pinned, e.g. latest/stable/testing)."""
    if suite in _DEBIAN_OBSERVED:
        source = SRC_DEBIAN_OBSERVED.format(suite=suite)
        passwd = _passwd(_DEBIAN_OBSERVED[suite], source, _DEBIAN_HOMES)
        return _Base(f"Debian {suite}", passwd, True, source, SRC_DEBIAN_CONFIG, apt_clean_hook=True)
    label = f"Debian {suite}" if suite else "Debian (suite not pinned by the tag)"
    note = (
        "passwd lists only the lines common to Debian 11-13; "
        f"{'suite ' + suite + ' was not examined' if suite else 'the tag does not pin a suite'}"
    )
    # /root (shipped by base-files, `dpkg -S /root`) and /nonexistent were observed in 11, 12 and 13.
    homes = {home: fact for home, fact in _DEBIAN_HOMES.items() if home in _STABLE_HOMES}
    return _Base(label, _passwd(_BASE_PASSWD_COMMON, SRC_BASE_PASSWD, homes), False, SRC_BASE_PASSWD,
                 SRC_DEBIAN_CONFIG, notes=(note,), apt_clean_hook=True)  # fmt: skip


def _debian_suite_of(tag: str) -> str | None:
    match = _DEBIAN_SUITE_WORDS.search(tag)
    if match:
        return match.group(1)
    number = re.match(r"(\d+)(?:\.\d+)?(?:-|$)", tag)
    return _DEBIAN_SUITES.get(number.group(1)) if number else None


# Ubuntu ------------------------------------------------------------------------------

_UBUNTU_CODENAMES = {
    "bionic": "18.04", "cosmic": "18.10", "disco": "19.04", "eoan": "19.10", "focal": "20.04",
    "groovy": "20.10", "hirsute": "21.04", "impish": "21.10", "jammy": "22.04", "kinetic": "22.10",
    "lunar": "23.04", "mantic": "23.10", "noble": "24.04", "oracular": "24.10", "plucky": "25.04",
    "questing": "25.10", "resolute": "26.04", "stonking": "26.10", "xenial": "16.04", "trusty": "14.04",
}  # fmt: skip  (docker-library/official-images library/ubuntu history)
_UBUNTU_USER_LINE = "ubuntu:1000:1000:/home/ubuntu"
_UBUNTU_PIP_NOTE = "pip config files of the Ubuntu base image were not examined"


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


@lru_cache(maxsize=None)
def _ubuntu(version: str | None) -> _Base:
    """Ubuntu `version` like "24.04" (None: not pinned, e.g. latest/rolling/devel); every
    release ships the docker-clean hook (SRC_DOCKER_CLEAN)."""
    return _ubuntu_release(version)._replace(apt_clean_hook=True)


def _ubuntu_release(version: str | None) -> _Base:
    """The passwd and notes of Ubuntu `version`."""
    ubuntu_user = _passwd(_UBUNTU_USER_LINE, SRC_UBUNTU_USER, {"/home/ubuntu": (True, 1000)})
    common = _passwd(_BASE_PASSWD_COMMON, SRC_BASE_PASSWD)
    if version == "24.04":
        passwd = _passwd(_DEBIAN_BOOKWORM, SRC_UBUNTU_2404_PASSWD) + ubuntu_user
        return _Base("Ubuntu 24.04", passwd, True, SRC_UBUNTU_2404_PASSWD, SRC_UBUNTU_CONFIG,
                     notes=(_UBUNTU_PIP_NOTE,), pip_config_known=False)  # fmt: skip
    if version is None:
        note = (
            "the tag does not pin a release: Ubuntu 23.04 and later have user 'ubuntu' uid 1000 with "
            "/home/ubuntu, 22.04 and earlier have no uid 1000 (latest and rolling were 26.04 on 2026-08-21 "
            "per docker-library/official-images library/ubuntu)"
        )
        return _Base("Ubuntu (release not pinned by the tag)", common, False, SRC_BASE_PASSWD,
                     SRC_UBUNTU_CONFIG, notes=(note, _UBUNTU_PIP_NOTE), pip_config_known=False)  # fmt: skip
    key = _version_key(version)
    if key >= (23, 4):
        return _Base(f"Ubuntu {version}", common + ubuntu_user, False, SRC_BASE_PASSWD, SRC_UBUNTU_CONFIG,
                     notes=(_UBUNTU_PIP_NOTE,), pip_config_known=False)  # fmt: skip
    if key == (22, 10):
        note = "whether 22.10 images got the 'ubuntu' uid 1000 user (added for 23.04) is not known"
        return _Base("Ubuntu 22.10", common, False, SRC_BASE_PASSWD, SRC_UBUNTU_CONFIG,
                     notes=(note, _UBUNTU_PIP_NOTE), pip_config_known=False)  # fmt: skip
    return _Base(f"Ubuntu {version}", common, False, SRC_BASE_PASSWD, SRC_UBUNTU_CONFIG,
                 absent_uids=frozenset({1000}), notes=(f"no uid 1000: {SRC_UBUNTU_NO_1000}", _UBUNTU_PIP_NOTE),
                 pip_config_known=False)  # fmt: skip


def _ubuntu_version_of(tag: str) -> str | None:
    match = re.match(r"(\d\d\.\d\d)(?:$|[-.])", tag)
    if match:
        return match.group(1)
    match = re.match(r"([a-z]+)(?:$|-)", tag)
    return _UBUNTU_CODENAMES.get(match.group(1)) if match else None


# Alpine ------------------------------------------------------------------------------

_ALPINE_OBSERVED = {"3.17": "v3.17", "3.18": "v3.18", "3.19": "v3.19", "3.20": "v3.20"}


@lru_cache(maxsize=None)
def _alpine(version: str | None) -> _Base:
    """Alpine `version` like "3.20" (None: not pinned)."""
    branch = _ALPINE_OBSERVED.get(version or "")
    if branch:
        source = SRC_ALPINE_OBSERVED.format(branch=branch)
        text = _ALPINE_LONG if _version_key(version or "") < (3, 20) else _ALPINE_SHORT
        return _Base(f"Alpine {version}", _passwd(text, source, _ALPINE_HOMES), True, source,
                     SRC_ALPINE_CONFIG, stable_homes=_ALPINE_STABLE_HOMES)  # fmt: skip
    source = SRC_ALPINE_OBSERVED.format(branch="v3.17..v3.20 and edge (2024-09-23)")
    homes = {h: v for h, v in _ALPINE_HOMES.items() if h in _ALPINE_STABLE_HOMES}
    note = "passwd lists only the lines common to Alpine 3.17-3.20 and edge; this release was not examined"
    label = f"Alpine {version}" if version else "Alpine (release not pinned by the tag)"
    return _Base(label, _passwd(_ALPINE_COMMON, source, homes), False, source, SRC_ALPINE_CONFIG,
                 notes=(note,), stable_homes=_ALPINE_STABLE_HOMES)  # fmt: skip


def _alpine_version_of(tag: str) -> str | None:
    """Release of an `alpine` image tag ("3.20", "3.20.3"); dated tags and `3` pin none."""
    match = re.match(r"(\d+\.\d+)(?:\.\d+)?\Z", tag)
    return match.group(1) if match else None


def _alpine_variant_of(tag: str) -> str | None:
    """Alpine release in a variant tag (`3.12-alpine3.20`); bare `-alpine` pins none.

    The release must end the tag or a `-` part: in a tag pattern, `alpine3.2*` may be 3.20.
    """
    match = re.search(r"alpine(\d+\.\d+)(?=\Z|-)", tag)
    return match.group(1) if match else None


def _unknown_base(label: str, note: str) -> _Base:
    """A base whose passwd, pip config and shell were not sourced."""
    return _Base(label, (), False, "", "", notes=(note,), pip_config_known=False, has_shell=None)


# --------------------------------------------------------------------------------------
# Building facts


def _facts(
    ref: ImageRef,
    name: str,
    source: str,
    base: _Base | None = None,
    *,
    env: Mapping[str, str] | None = None,
    env_known: bool = True,
    user: str | None = None,
    user_known: bool = True,
    add_users: Iterable[PasswdEntry] = (),
    remove_uids: Iterable[int] = (),
    pip_config: tuple[PipConfigFile, ...] = (),
    pip_config_known: bool | None = None,
    has_shell: bool | None = None,
    shell: tuple[str, ...] | None = None,
    sources: Mapping[str, str] | None = None,
    notes: Iterable[str] = (),
) -> ImageFacts:
    base = base or _unknown_base("unknown base", "")
    removed = set(remove_uids)
    added = tuple(add_users)
    added_uids = {e.uid for e in added}
    passwd = tuple(e for e in base.passwd if e.uid not in removed and e.uid not in added_uids) + added
    absent = (base.absent_uids | removed) - added_uids
    unknown = set()
    if not env_known:
        unknown.add("env")
    if not user_known:
        unknown.add("user")
    if not base.passwd_complete:
        unknown.add("passwd")
    if not (base.pip_config_known if pip_config_known is None else pip_config_known):
        unknown.add("pip_config")
    shell_exists = base.has_shell if has_shell is None else has_shell
    if shell_exists is None:
        unknown.add("has_shell")
    if not base.config_source:  # the base's config was not read: it may set Env, User, Shell
        unknown.add("env")
        if user is None:
            unknown.add("user")
        if shell is None:
            unknown.add("shell")
    all_sources = {"passwd": base.passwd_source} if base.passwd_source else {}
    all_sources.update(sources or {})
    relevant = {k: v for k, v in (env or {}).items() if is_relevant_env(k)}
    base_notes = tuple(n for n in base.notes if n)
    return ImageFacts(
        name=name,
        ref=ref,
        source=source,
        env=MappingProxyType(relevant),
        user=user,
        passwd=passwd,
        pip_config=pip_config,
        has_shell=True if shell_exists is None else shell_exists,
        shell=shell,
        unknown=frozenset(unknown),
        absent_uids=frozenset(absent),
        sources=MappingProxyType(all_sources),
        notes=base_notes + tuple(notes),
        apt_clean_hook=base.apt_clean_hook,
    )


def _home_user(name: str, uid: int, gid: int, home: str, source: str, owner: int | None = None) -> PasswdEntry:
    """A user created with its home directory (useradd -m / adduser without -H)."""
    return PasswdEntry(name, uid, gid, home, True, uid if owner is None else owner, source)


Builder = Callable[[ImageRef], ImageFacts | None]


# Official images ---------------------------------------------------------------------


def _tag(ref: ImageRef) -> str:
    return ref.effective_tag or ""


def _debian_image(ref: ImageRef) -> ImageFacts:
    suite = _debian_suite_of(_tag(ref))
    return _facts(ref, f"debian ({_debian(suite).label})", SRC_DEBIAN_CONFIG, _debian(suite))


def _ubuntu_image(ref: ImageRef) -> ImageFacts:
    base = _ubuntu(_ubuntu_version_of(_tag(ref)))
    return _facts(ref, f"ubuntu ({base.label})", SRC_UBUNTU_CONFIG, base)


def _alpine_image(ref: ImageRef) -> ImageFacts:
    tag = _tag(ref)
    base = _alpine(None if tag in ("latest", "edge") else _alpine_version_of(tag))
    return _facts(ref, f"alpine ({base.label})", SRC_ALPINE_CONFIG, base)


def _buildpack_deps_image(ref: ImageRef) -> ImageFacts:
    """buildpack-deps: a Debian suite, or an Ubuntu release for its codename tags (noble, jammy...)."""
    tag = _tag(ref)
    release = _ubuntu_version_of(tag)
    base = (_ubuntu(release) if release else _debian(_debian_suite_of(tag))).derived()
    return _facts(ref, f"buildpack-deps ({base.label})", SRC_BUILDPACK_DEPS, base)


# What the Debian and Alpine variants of a docker-library image share, for a tag pattern
# that names no variant (`python:${PY}`): root with its home /root, observed in both, and
# no account in the regular range UID_MIN..UID_MAX (neither base-passwd nor the Alpine
# minirootfs has one; users.py reads that from a label naming the bases).
_DEBIAN_OR_ALPINE = _Base(
    "Debian or Alpine (the variant is not pinned by the tag)",
    _passwd("root:0:0:/root", f"{SRC_BASE_PASSWD}; {SRC_ALPINE_CONFIG}", {"/root": _DEBIAN_HOMES["/root"]}),
    False,
    f"{SRC_BASE_PASSWD}; {SRC_ALPINE_CONFIG}",
    f"{SRC_DEBIAN_CONFIG}; {SRC_ALPINE_CONFIG}",
    notes=("the tag may name a Debian or an Alpine variant: only what both share is known",),
    stable_homes=frozenset({"/root"}),
    apt_clean_hook=True,  # apt runs only on the Debian variant, which has the hook
)


def _debian_variant_base(tag: str) -> tuple[_Base, str] | None:
    """The base a docker-library Debian/Alpine-variant tag (python, node) is built on.

    None for Windows tags, where HOME and passwd do not apply. `slim`, `alpine` or a
    Debian suite in the literal text of a tag pattern (`*` where a build argument
    stands, see `_every_tag`) pins the variant, since every tag that holds it is of that
    variant. Without one, `*` may be `3.12` (Debian) as well as `3.12-alpine`: the base
    is then what the two share (`_DEBIAN_OR_ALPINE`), and its label names both, so
    users.distro_family names neither.
    """
    if "windowsservercore" in tag or "nanoserver" in tag:
        return None
    if "alpine" in tag:
        base = _alpine(_alpine_variant_of(tag))
        return base.derived(), base.label
    suite = _debian_suite_of(tag)
    pattern = "*" in tag
    if pattern and suite is None and "slim" not in tag:
        return _DEBIAN_OR_ALPINE, _DEBIAN_OR_ALPINE.label
    base = _debian(suite)
    kind = "slim" if "slim" in tag else "slim or full" if pattern else "buildpack-deps"
    return base.derived(), f"{base.label}, {kind}"


def _python_image(ref: ImageRef) -> ImageFacts | None:
    """Official python: no HOME, USER or PIP_* in the config; passwd from the base."""
    variant = _debian_variant_base(_tag(ref))
    if variant is None:
        return None  # Windows images: HOME and passwd do not apply.
    base, label = variant
    return _facts(ref, f"python ({label})", SRC_PYTHON, base)


def _node_image(ref: ImageRef) -> ImageFacts | None:
    variant = _debian_variant_base(_tag(ref))
    if variant is None:
        return None
    base, label = variant
    node = _home_user("node", 1000, 1000, "/home/node", SRC_NODE)
    return _facts(ref, f"node ({label})", SRC_NODE, base, add_users=[node])


def _amazonlinux_image(ref: ImageRef) -> ImageFacts:
    base = _Base("Amazon Linux", (), False, "", SRC_AMAZONLINUX,
                 notes=("passwd contents and home directories were not sourced",), pip_config_known=False)  # fmt: skip
    shell_source = (
        "https://github.com/amazonlinux/container-images/issues/28 "
        "(maintainers' `FROM amazonlinux:2` + shell-form `RUN yum install ...`)"
    )
    return _facts(ref, "amazonlinux", SRC_AMAZONLINUX, base, has_shell=True, sources={"has_shell": shell_source})


def _scratch_image(ref: ImageRef) -> ImageFacts:
    base = _Base("scratch", (), True, SRC_SCRATCH, SRC_SCRATCH, has_shell=False)
    return _facts(ref, "scratch", SRC_SCRATCH, base, has_shell=False,
                  notes=("no /etc/passwd: runc gives HOME=/ to every uid",))  # fmt: skip


# Jupyter docker-stacks -----------------------------------------------------------------

_JUPYTER_ENV = {
    "HOME": "/home/jovyan", "CONDA_DIR": "/opt/conda", "NB_USER": "jovyan", "NB_UID": "1000", "NB_GID": "100",
}  # fmt: skip


def _jupyter_image(ref: ImageRef) -> ImageFacts:
    """jupyter/* (Docker Hub, frozen since 2023-10) and quay.io/jupyter/*: same foundation."""
    base = _ubuntu(None).derived()
    jovyan = PasswdEntry("jovyan", 1000, 100, "/home/jovyan", True, 1000, f"{SRC_JUPYTER}; {SRC_JUPYTER_GID}")
    return _facts(
        ref, f"{ref.name} (docker-stacks, jovyan)", SRC_JUPYTER, base,
        env=_JUPYTER_ENV, user="1000", add_users=[jovyan], remove_uids=[1000],
        shell=("/bin/bash", "-o", "pipefail", "-c"), has_shell=True,
        notes=("no pip.conf or PIP_* anywhere under images/ of jupyter/docker-stacks; the Ubuntu base's "
               "pip config was not sourced",),
    )  # fmt: skip


# NVIDIA ------------------------------------------------------------------------------

_CUDA_TAG = compile_lazily(  # `*`: a version a build argument decides (`_every_tag`)
    r"(?P<ver>\d+\.\d+(?:\.\d+)?|\*)-(?P<flavor>(?:cudnn\d*-)?(?:base|runtime|devel))-(?P<os>[a-z]+)(?P<osver>[\d.]+)\Z"
)


def _cuda_image(ref: ImageRef) -> ImageFacts:
    """nvidia/cuda: FROM ubuntu:<ver> (or ubi/rockylinux) plus apt packages; root, no pip."""
    match = _CUDA_TAG.match(_tag(ref))
    if match and match.group("os") == "ubuntu":
        base = _ubuntu(match.group("osver")).derived()
    else:
        base = _unknown_base("base not examined", "only the ubuntu<version> flavours were examined")
    env_known = bool(match)
    notes = () if env_known else ("config Env of this flavour was not read",)
    source = f"{SRC_CUDA}; {SRC_CUDNN}" if match and "cudnn" in match.group("flavor") else SRC_CUDA
    return _facts(ref, f"nvidia/cuda ({base.label})", source, base, env_known=env_known,
                  has_shell=True if match and match.group("os") == "ubuntu" else None, notes=notes)  # fmt: skip


_NGC_NOTE = (
    "NGC images may ship pip config with no-cache-dir (nvcr.io/nvidia/pytorch:23.08-py3 does, pypa/pip#12278); "
    "only a command-line --cache-dir overrides a config file's no-cache-dir"
)


def _ngc_image(ref: ImageRef) -> ImageFacts:
    """NVIDIA NGC images: only pytorch 23.08-py3's pip config and PIP_* env are sourced."""
    base = _unknown_base("NGC", "passwd and shell of NGC images were not sourced")
    if ref.repository == "nvidia/pytorch" and _tag(ref) == "23.08-py3":
        path = "/etc/xdg/pip/pip.conf"
        pip = tuple(
            PipConfigFile(path, "global", key, value, SRC_NGC_PIP)
            for key, value in (("no-cache-dir", "true"), ("index-url", "https://pypi.org/simple"),
                               ("extra-index-url", "https://pypi.ngc.nvidia.com"))
        )  # fmt: skip
        notes = (
            "of the config Env only PIP_* is known (`pip config debug` lists every PIP_* variable)",
            "other pip config files of the image were cut off in the report",
        )
        return _facts(ref, "nvcr.io/nvidia/pytorch:23.08-py3", SRC_NGC_PIP, base,
                      env={"PIP_DEFAULT_TIMEOUT": "100"}, env_known=False, user_known=False,
                      pip_config=pip, has_shell=True, notes=notes,
                      sources={"has_shell": SRC_NGC_PIP + " (commands typed in the container's shell)"})  # fmt: skip
    return _facts(ref, f"{ref.name} (NGC)", SRC_NGC_PIP, base, env_known=False, user_known=False,
                  notes=(_NGC_NOTE,))  # fmt: skip


def _pytorch_image(ref: ImageRef) -> ImageFacts:
    base = _ubuntu(None).derived()
    return _facts(ref, "pytorch/pytorch", SRC_PYTORCH, base,
                  notes=("published tags build on an NVIDIA CUDA Ubuntu base whose release was not sourced",))


def _tensorflow_image(ref: ImageRef) -> ImageFacts:
    """tensorflow/tensorflow: only an old generated Dockerfile was readable, so Env and User stay open."""
    base = _ubuntu(None).derived()
    return _facts(ref, "tensorflow/tensorflow", SRC_TENSORFLOW, base, env_known=False, user_known=False,
                  notes=("the Dockerfile read is an older generated one (ubuntu 16.04 era); current tags' "
                         "config Env, User and Ubuntu release were not sourced",))  # fmt: skip


# Conda family --------------------------------------------------------------------------


def _miniconda_image(ref: ImageRef) -> ImageFacts:
    base = _debian(None).derived()
    return _facts(ref, "continuumio/miniconda3", SRC_MINICONDA, base,
                  notes=("conda lives in /opt/conda; CONDA_DIR is not set in the config",))


def _miniforge_image(ref: ImageRef) -> ImageFacts:
    tag = _tag(ref)
    version = re.match(r"(\d+\.\d+\.\d+)(?:-(\d+))?\Z", tag)
    if version:
        key = _version_key(tag)
        if key > (24, 11, 3, 2):
            base = _ubuntu("24.04").derived()
        elif key < (24, 11, 3, 2):
            base = _ubuntu("20.04").derived()
        else:  # 24.11.3-2 was published on focal, then rebuilt on noble.
            base = _ubuntu(None).derived()
    else:
        base = _ubuntu(None).derived()
    return _facts(ref, f"{ref.name} ({base.label})", SRC_MINIFORGE, base, env={"CONDA_DIR": "/opt/conda"})


_MICROMAMBA_TAG = compile_lazily(r"(?:(?P<ver>\d+(?:\.\d+){0,2})-?)?(?:git-[0-9a-f]{7}-?)?(?P<base>[a-z][a-z0-9.-]*)?\Z")


def _micromamba_image(ref: ImageRef) -> ImageFacts:
    """mambaorg/micromamba: USER mambauser; its uid moved from 1000 to 57439 in 1.5.0."""
    tag = _tag(ref)
    match = _MICROMAMBA_TAG.match(tag)
    version = match.group("ver") if match else None
    flavour = (match.group("base") if match else None) or ""
    ubuntu = re.search(r"ubuntu(\d\d\.\d\d)", flavour)
    debian = re.match(r"debian(\d+)", flavour)
    if match and flavour in ("", "latest"):
        base = _debian(None).derived()  # latest: slim image of the newest Debian (docs/tags.rst)
    elif ubuntu:
        base = _ubuntu(ubuntu.group(1)).derived()
    elif debian:
        base = _debian(_DEBIAN_SUITES.get(debian.group(1))).derived()
    elif flavour.startswith("alpine"):
        base = _alpine(None).derived()  # built on frolvlad/alpine-glibc (alpine.Dockerfile)
    else:
        base = _unknown_base("unknown", f"micromamba base {flavour!r} was not examined")
    uid_known = bool(match) and "git-" not in tag and (version is None or _version_key(version) >= (1, 5))
    env = {"MAMBA_USER": "mambauser", "MAMBA_ROOT_PREFIX": "/opt/conda", "MAMBA_EXE": "/bin/micromamba",
           "ENV_NAME": "base"}  # fmt: skip
    users: list[PasswdEntry] = []
    notes = []
    if uid_known:
        env.update(MAMBA_USER_ID="57439", MAMBA_USER_GID="57439")
        users.append(_home_user("mambauser", 57439, 57439, "/home/mambauser", SRC_MICROMAMBA))
    else:
        notes.append("mambauser's uid depends on the micromamba version (57439 from 1.5.0, 2023-08-24)")
    return _facts(ref, f"mambaorg/micromamba ({base.label})", SRC_MICROMAMBA, base, env=env,
                  env_known=uid_known, user="mambauser", add_users=users, has_shell=True,
                  shell=("/usr/local/bin/_dockerfile_shell.sh",), notes=notes)  # fmt: skip


# uv ------------------------------------------------------------------------------------

_UV_TAG = compile_lazily(r"(?:(?P<ver>\d+\.\d+(?:\.\d+)?)(?:-|\Z))?(?P<base>.*)\Z")


def _uv_image(ref: ImageRef) -> ImageFacts:
    """ghcr.io/astral-sh/uv: scratch with /uv for version tags, else FROM <base> + uv + one ENV."""
    match = _UV_TAG.match(_tag(ref))
    assert match is not None  # the pattern matches any string
    version, flavour = match.group("ver"), match.group("base")
    if flavour in ("", "latest"):
        base = _Base("scratch", (), True, SRC_UV, SRC_UV, has_shell=False)
        return _facts(ref, "uv (distroless: /uv and /uvx on scratch)", SRC_UV, base, has_shell=False,
                      notes=("no /etc/passwd and no shell: RUN cannot run on this image",))  # fmt: skip
    python = re.match(r"python\d+\.\d+-(.*)\Z", flavour)
    if flavour.endswith("dhi"):
        base = _unknown_base("Docker Hardened Image", "Docker Hardened Image bases were not examined")
    elif python:  # python:<x.y>-<variant>, e.g. python3.12-trixie-slim = python:3.12-slim-trixie
        variant = _debian_variant_base(python.group(1))
        base = variant[0] if variant else _unknown_base("unknown", "python base variant not known")
    elif flavour.startswith("alpine"):
        base = _alpine(_alpine_variant_of(flavour))  # FROM alpine:<x.y> + COPY: passwd unchanged
    elif flavour.endswith("-slim"):
        base = _debian(_debian_suite_of(flavour))  # FROM debian:<suite>-slim + COPY
    else:
        base = _debian(_debian_suite_of(flavour)).derived()  # FROM buildpack-deps:<suite>
    env = {"UV_TOOL_BIN_DIR": "/usr/local/bin"} if version is None or _version_key(version) >= (0, 8) else {}
    source = SRC_UV + (f"; {SRC_PYTHON}" if python else "")
    return _facts(ref, f"uv on {base.label}", source, base, env=env)


# distroless ----------------------------------------------------------------------------

_DISTROLESS_TAG = compile_lazily(
    r"(?P<debug>debug-?)?(?P<user>nonroot|latest)?(?:-(?:amd64|arm64|arm|s390x|ppc64le|riscv64))?\Z"
)


def _distroless_image(ref: ImageRef) -> ImageFacts:
    tag = _tag(ref)
    match = _DISTROLESS_TAG.match(tag)
    homes = {"/root": (True, 0), "/home/nonroot": (True, 65532), "/nonexistent": (False, None)}
    passwd = _passwd("root:0:0:/root nobody:65534:65534:/nonexistent nonroot:65532:65532:/home/nonroot",
                     SRC_DISTROLESS, homes)  # fmt: skip
    base = _Base("distroless", passwd, True, SRC_DISTROLESS, SRC_DISTROLESS, has_shell=False)
    debug = bool(match and match.group("debug"))
    notes = ["no /bin/sh: shell-form RUN fails" + ("; busybox sh is /busybox/sh (SHELL [\"/busybox/sh\", \"-c\"])"
                                                   if debug else "")]  # fmt: skip
    if match is None:
        user, user_known = None, False
        notes.append(f"tag {tag!r} is not one of latest, nonroot, debug, debug-nonroot")
    else:
        user, user_known = ("65532" if match.group("user") == "nonroot" else "0"), True
    return _facts(ref, f"{ref.name} (distroless{', debug' if debug else ''})", SRC_DISTROLESS, base,
                  user=user, user_known=user_known, has_shell=False,
                  sources={"has_shell": SRC_DISTROLESS_SHELL}, notes=notes)  # fmt: skip


# Red Hat UBI python (sclorg) -----------------------------------------------------------


def _ubi_python_image(ref: ImageRef) -> ImageFacts:
    minimal = ref.repository.endswith("-minimal")
    # Only what the sclorg Dockerfiles set is known; the UBI base's own config was not read.
    env = {"HOME": "/opt/app-root/src", "PIP_NO_CACHE_DIR": "off"}
    note = "PIP_NO_CACHE_DIR=off disables pip's cache too: any non-empty value does (semantics.md §7 row 15)"
    if minimal:
        base = _Base("UBI minimal", (), False, "", "", pip_config_known=False,
                     notes=("the Dockerfile runs no useradd: whether ubi-minimal's passwd has uid 1001 was not "
                            "sourced; HOME is set in the config Env, so runc does not look it up",))  # fmt: skip
        return _facts(ref, f"{ref.name} (UBI python minimal)", SRC_UBI_MINIMAL, base, env=env, user="1001",
                      has_shell=True, sources={"has_shell": SRC_UBI_MINIMAL + " (shell-form RUN and CMD)"},
                      notes=(note, "HOME /opt/app-root/src is owned by uid 1001 (chown -R 1001:0 $APP_ROOT)"))
    default = PasswdEntry("default", 1001, 0, "/opt/app-root/src", True, 1001, SRC_UBI)
    base = _Base("UBI s2i-base", (), False, "", "", pip_config_known=False,
                 notes=("system users of the UBI base were not sourced",))  # fmt: skip
    return _facts(ref, f"{ref.name} (UBI python, s2i)", SRC_UBI, base, env=env, user="1001",
                  add_users=[default], has_shell=True, notes=(note,),
                  sources={"has_shell": SRC_UBI + " (shell-form RUN and CMD)"})  # fmt: skip


# Others --------------------------------------------------------------------------------


def _bitnami_python_image(ref: ImageRef) -> ImageFacts:
    base = _unknown_base("bitnami/minideb", "passwd of bitnami/minideb was not sourced")
    return _facts(ref, f"{ref.name} (Bitnami)", SRC_BITNAMI, base, has_shell=True,
                  shell=("/bin/bash", "-o", "errexit", "-o", "nounset", "-o", "pipefail", "-c"),
                  sources={"has_shell": SRC_BITNAMI + " (RUN through that SHELL)"})  # fmt: skip


def _devcontainer_python_image(ref: ImageRef) -> ImageFacts:
    tag = _tag(ref)
    suite = _debian_suite_of(tag)
    base = _debian(suite).derived()
    vscode = _home_user("vscode", 1000, 1000, "/home/vscode", SRC_DEVCONTAINER)
    env = {"PIPX_HOME": "/usr/local/py-utils", "PIPX_BIN_DIR": "/usr/local/py-utils/bin"}
    return _facts(ref, f"devcontainers/python ({base.label})", SRC_DEVCONTAINER, base, env=env, user="root",
                  add_users=[vscode],
                  notes=("devcontainer.json's remoteUser vscode applies in a dev container, not to docker build",))


# --------------------------------------------------------------------------------------
# The table

_EXACT: dict[tuple[str, str], Builder] = {
    ("docker.io", "library/python"): _python_image,
    ("docker.io", "library/debian"): _debian_image,
    ("docker.io", "library/ubuntu"): _ubuntu_image,
    ("docker.io", "library/alpine"): _alpine_image,
    ("docker.io", "library/buildpack-deps"): _buildpack_deps_image,
    ("docker.io", "library/node"): _node_image,
    ("docker.io", "library/amazonlinux"): _amazonlinux_image,
    ("docker.io", "nvidia/cuda"): _cuda_image,
    ("nvcr.io", "nvidia/cuda"): _cuda_image,
    ("docker.io", "continuumio/miniconda3"): _miniconda_image,
    ("docker.io", "condaforge/miniforge3"): _miniforge_image,
    ("docker.io", "condaforge/miniforge-pypy3"): _miniforge_image,
    ("docker.io", "mambaorg/micromamba"): _micromamba_image,
    ("ghcr.io", "astral-sh/uv"): _uv_image,
    ("docker.io", "astral/uv"): _uv_image,
    ("docker.io", "bitnami/python"): _bitnami_python_image,
    ("mcr.microsoft.com", "devcontainers/python"): _devcontainer_python_image,
    ("mcr.microsoft.com", "vscode/devcontainers/python"): _devcontainer_python_image,
    ("docker.io", "pytorch/pytorch"): _pytorch_image,
    ("docker.io", "tensorflow/tensorflow"): _tensorflow_image,
}
# (registry, repository pattern) for families; checked in order after the exact table.
_PATTERNS: tuple[tuple[str, re.Pattern[str], Builder], ...] = (
    ("docker.io", compile_lazily(r"jupyter/[a-z0-9-]+\Z"), _jupyter_image),
    ("quay.io", compile_lazily(r"jupyter/[a-z0-9-]+\Z"), _jupyter_image),
    ("gcr.io", compile_lazily(r"distroless/[a-z0-9.-]+\Z"), _distroless_image),
    ("registry.access.redhat.com", compile_lazily(r"ubi\d+/python-3\d+(?:-minimal)?\Z"), _ubi_python_image),
    ("registry.redhat.io", compile_lazily(r"ubi\d+/python-3\d+(?:-minimal)?\Z"), _ubi_python_image),
    ("quay.io", compile_lazily(r"sclorg/python-3\d+(?:-minimal)?-c\d+s\Z"), _ubi_python_image),
    ("nvcr.io", compile_lazily(r"nvidia/[a-z0-9._/-]+\Z"), _ngc_image),
)


def _builder_for(ref: ImageRef) -> Builder | None:
    builder = _EXACT.get((ref.registry, ref.repository))
    if builder is not None:
        return builder
    for registry, pattern, candidate in _PATTERNS:
        if ref.registry == registry and pattern.match(ref.repository):
            return candidate
    return None


# The builders that read a tag pattern soundly (`_every_tag`): they take a fact from the
# tag only where its literal text shows it, and otherwise give what every tag shares.
# Most read nothing from the tag, or fall back to the unpinned base for a tag they cannot
# read; python and node want a variant word (`_debian_variant_base`), nvidia/cuda accepts
# `*` for its version only. Left out: uv (its version tags are scratch without a shell,
# its other flavours Debian or Alpine, and it reads an unknown flavour as Debian) and
# buildpack-deps (Debian suites and Ubuntu releases, which differ in uid 1000).
_READS_TAG_PATTERNS: frozenset[Builder] = frozenset({
    _python_image, _node_image, _debian_image, _ubuntu_image, _alpine_image, _amazonlinux_image,
    _jupyter_image, _cuda_image, _ngc_image, _pytorch_image, _tensorflow_image, _miniconda_image,
    _miniforge_image, _micromamba_image, _distroless_image, _ubi_python_image, _bitnami_python_image,
    _devcontainer_python_image,
})  # fmt: skip
# A build argument left in a FROM because it has no value (stages.py): `$V`, `${V}`, `${V:-x}`.
_ARGUMENT = compile_lazily(r"\$(?:\{[^}]*\}|\w+)")
_TAG_PATTERN = compile_lazily(r"[\w*][\w.*-]{0,127}\Z")
_DIGEST_PATTERN = compile_lazily(r"[\w.+:*-]+\Z")


def _every_tag(ref: str) -> ImageFacts | None:
    """The facts every image shares that a reference can name whose tag or digest a build
    argument decides (`python:${PYTHON_VERSION}-slim`), or None.

    The repository must be written out; each build argument becomes `*` (any text), so
    the builder sees the tag pattern `*-slim` and reads only its literal text, which
    every tag it matches holds (`-slim`: a Debian slim variant). A digest that an
    argument decides leaves the tag as written, as a known digest does, or `*` when
    none is. The facts say so in their name, source and notes ("every tag of python
    matching *-slim"). They are as certain as a pinned tag's: no value of the argument
    can change what all the tags it may name share (a value that names none fails the
    build), so stages.py gives them no doubt. What differs between those tags stays
    unknown, as it does for a tag that does not pin it (`ubuntu:${V}`: uid 1000).
    """
    name, tag, digest = _split_reference(_ARGUMENT.sub("*", ref))
    repository = parse_image_reference(name)
    tag = "*" if tag is None else tag
    if repository is None or not _TAG_PATTERN.match(tag) or (digest is not None and not _DIGEST_PATTERN.match(digest)):
        return None
    builder = _builder_for(repository)
    if builder is None or builder not in _READS_TAG_PATTERNS:
        return None
    facts = builder(repository._replace(tag=tag, digest=digest))
    if facts is None:
        return None
    tags = f"every tag of {repository.name}" + ("" if tag == "*" else f" matching {tag}")
    note = f"a build argument without a value stands in the tag or digest: these facts hold for {tags}"
    return facts._replace(name=f"{facts.name}, {tags}", source=f"{tags}: {facts.source}", notes=facts.notes + (note,))


@lru_cache(maxsize=1024)
def lookup(ref: str) -> ImageFacts | None:
    """The facts for a `FROM` reference, or None if the image is not in the table.

    A reference whose tag or digest holds a build argument (`python:${V}-slim`, as
    stages.py writes a FROM whose argument has no value) gets what all the tags it may
    name share (`_every_tag`); one with `$` elsewhere, or that is invalid, gets None. A
    known image whose tag does not pin a fact returns facts with that fact in `unknown`.
    """
    parsed = parse_image_reference(ref)
    if parsed is None:
        return _every_tag(ref) if "$" in ref else None
    if ref.strip() == "scratch":  # BuildKit compares the expanded name with "scratch" exactly
        return _scratch_image(parsed)
    builder = _builder_for(parsed)
    return builder(parsed) if builder is not None else None
