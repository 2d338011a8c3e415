"""Run real image builds with buildah and read pip's, uv's, poetry's and apt's cache behaviour from their output.

`Builder.build()` runs

    buildah bud --isolation chroot --layers=<bool> --pull=never --iidfile ... -f DOCKERFILE
        --build-arg PIP_INDEX_URL=<local index> --build-arg PIP_TRUSTED_HOST=127.0.0.1 ... CONTEXT

with `TMPDIR` set to the builder's own directory: buildah keeps `RUN --mount=type=cache`
directories under `$TMPDIR/buildah-cache`, so a fresh TMPDIR is a cold cache and builds
that share it share their cache mounts (as builds on one BuildKit daemon do). The image
store is the machine's (`/var/lib/containers/storage`), shared by every test and every
pytest process. So that what a build leaves there can be told apart from what another
process's builds leave, builds and cleanups take a machine-wide lock (`flock` on
/run/lock/dockerfix-e2e.lock, which scripts/e2e-setup also takes while it replaces the
base image): inside it, the images and containers that appear during a build are that
build's. Containers a build leaves behind (buildah 1.28 keeps one after a build that is
only a `FROM`) are removed at once; images, intermediate ones too, when the test ends.

Builds that must run at the same time (two builds over one cache, `Builder.start`) run
inside one `Builder.exclusive()`: the lock is taken once for all of them.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import tempfile
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .index_server import IndexServer

BASE_IMAGE = "docker.io/library/debian:bookworm"
BUILD_TIMEOUT = 600

# pip's progress lines (pip 23.0.1, Debian bookworm's):
#   Downloading http://127.0.0.1:PORT/files/six-1.16.0-py2.py3-none-any.whl (11 kB)
#   Using cached http://127.0.0.1:PORT/files/six-1.16.0-py2.py3-none-any.whl (11 kB)
# The "Downloading" progress lines of pip's later versions look the same.
_DOWNLOADING = re.compile(r"^\s*Downloading (\S+)", re.MULTILINE)
_USING_CACHED = re.compile(r"^\s*Using cached (\S+)", re.MULTILINE)
# WARNING: The directory '/.cache/pip' or its parent directory is not owned or is not
# writable by the current user. The cache has been disabled. ...
_CACHE_DISABLED = re.compile(r"The cache has been disabled", re.IGNORECASE)
# uv's (0.13.9) summary lines; "Prepared" counts what it fetched (or built) into its cache,
# and is missing when every package came from the cache:
#   Prepared 7 packages in 75ms
#   Installed 7 packages in 16ms
_UV_PREPARED = re.compile(r"^Prepared (\d+) packages? in ", re.MULTILINE)
_UV_INSTALLED = re.compile(r"^Installed (\d+) packages? in ", re.MULTILINE)
# warning: Failed to hardlink files; falling back to full copy. This may lead to degraded
# performance. (the cache and the environment are on different filesystems: a cache mount)
_UV_HARDLINK_FALLBACK = re.compile(r"Failed to hardlink files; falling back to full copy")
# error: Could not acquire lock
#   cause: Could not create temporary file
#   cause: Permission denied (os error 13) at path "/home/app/.cache/uv/.tmperzDcb"
_UV_ERROR = re.compile(r"^error: .*(?:\n  cause: .*)*", re.MULTILINE)
# poetry's (2.5.1) plan before it installs from its lock file:
#   Package operations: 7 installs, 0 updates, 0 removals
_POETRY_OPERATIONS = re.compile(r"^Package operations: (\d+) installs?, ", re.MULTILINE)
# apt's (2.6, bookworm's) line for each file it fetches (`Get:`) or finds unchanged on the
# server (`Hit:`, an index that answered If-Modified-Since with 304), with the fields
# between the URI and the size:
#   Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]                   an index
#   Get:2 http://deb.debian.org/debian bookworm/main amd64 Packages [8790 kB]        an index
#   Get:1 http://deb.debian.org/debian bookworm/main amd64 hello amd64 2.10-3 [53.1 kB]
# The last is a package (.deb, into /var/cache/apt/archives): five fields, suite/component,
# architecture, name, architecture, version; an index (into /var/lib/apt/lists) has fewer.
_APT_FETCH = re.compile(r"^(Get|Hit):\d+ \S+ ([^\[\n]*?)(?: \[[^\]\n]*\])?$", re.MULTILINE)
_APT_PACKAGE_FIELDS = 5
# What apt says it must download before it installs: "Need to get 53.1 kB of archives."
# or, when the packages are in its archives already, "Need to get 0 B/53.1 kB of archives."
_APT_NEED = re.compile(r"^Need to get (.+) of archives\.$", re.MULTILINE)
# The indexes apt fetches first, always (unless the server says `Hit`): the signed release
# file. Every other index is fetched only when that file lists another hash than the
# one in /var/lib/apt/lists (or the lists are gone).
_APT_RELEASE_FILES = ("InRelease", "Release", "Release.gpg")


def _file_name(url: str) -> str:
    return url.rsplit("/", 1)[-1].split("#", 1)[0]


@dataclass(frozen=True)
class BuildResult:
    """One `buildah bud` run: its exit code and its stdout and stderr, merged, as text."""

    returncode: int
    output: str
    command: tuple[str, ...] = ()
    # Per-file downloads the local package index served during this build.
    index_downloads: Mapping[str, int] = field(default_factory=dict)
    image_id: str | None = None

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def downloading(self) -> list[str]:
        """File names of pip's `Downloading <url>` lines, in order."""
        return [_file_name(url) for url in _DOWNLOADING.findall(self.output)]

    @property
    def using_cached(self) -> list[str]:
        """File names of pip's `Using cached <url>` lines, in order."""
        return [_file_name(url) for url in _USING_CACHED.findall(self.output)]

    @property
    def cache_disabled(self) -> bool:
        """pip printed its warning that the cache directory is unusable."""
        return bool(_CACHE_DISABLED.search(self.output))

    @property
    def uv_prepared(self) -> int:
        """Packages uv fetched or built into its cache (its `Prepared N packages` lines)."""
        return sum(int(n) for n in _UV_PREPARED.findall(self.output))

    @property
    def uv_installed(self) -> int:
        """Packages uv installed (its `Installed N packages` lines)."""
        return sum(int(n) for n in _UV_INSTALLED.findall(self.output))

    @property
    def uv_hardlink_fallback(self) -> bool:
        """uv warned that it could not hard-link from its cache and copied instead."""
        return bool(_UV_HARDLINK_FALLBACK.search(self.output))

    @property
    def uv_error(self) -> str:
        """uv's error with its causes, as printed (empty when uv printed none)."""
        found = _UV_ERROR.search(self.output)
        return found.group(0) if found else ""

    @property
    def poetry_installs(self) -> int:
        """Packages poetry installed (its `Package operations: N installs` lines)."""
        return sum(int(n) for n in _POETRY_OPERATIONS.findall(self.output))

    def poetry_summary(self) -> dict[str, object]:
        """What a poetry build did: wheels the index served (distinct, and responses), poetry's installs."""
        return {
            "returncode": self.returncode,
            "wheels_served": len(self.index_downloads),
            "file_responses": sum(self.index_downloads.values()),
            "installs": self.poetry_installs,
        }

    def _apt_fetches(self, kind: str) -> list[list[str]]:
        """The fields of apt's `Get:` or `Hit:` lines (`kind`), in order."""
        return [m.group(2).split() for m in _APT_FETCH.finditer(self.output) if m.group(1) == kind]

    @property
    def apt_packages_fetched(self) -> list[str]:
        """Names of the packages apt downloaded (its `Get:` lines for .deb files), in order."""
        return [fields[2] for fields in self._apt_fetches("Get") if len(fields) == _APT_PACKAGE_FIELDS]

    @property
    def apt_indexes_fetched(self) -> list[str]:
        """The indexes apt downloaded, as it names them (`bookworm/main amd64 Packages`)."""
        return [" ".join(fields) for fields in self._apt_fetches("Get") if len(fields) != _APT_PACKAGE_FIELDS]

    @property
    def apt_lists_fetched(self) -> list[str]:
        """Of `apt_indexes_fetched`, those beyond the release file: the package lists, which
        apt downloads only when /var/lib/apt/lists does not hold them already."""
        return [index for index in self.apt_indexes_fetched if index.split()[-1] not in _APT_RELEASE_FILES]

    @property
    def apt_indexes_unchanged(self) -> list[str]:
        """The indexes the server said were unchanged (apt's `Hit:` lines)."""
        return [" ".join(fields) for fields in self._apt_fetches("Hit")]

    @property
    def apt_need_to_get(self) -> list[str]:
        """What apt said it must download, per install (`53.1 kB`, or `0 B/53.1 kB` when
        every package was in /var/cache/apt/archives already)."""
        return _APT_NEED.findall(self.output)

    def apt_summary(self) -> dict[str, object]:
        """What an apt build fetched: packages, package lists, release files, and apt's own words."""
        return {
            "returncode": self.returncode,
            "packages_fetched": self.apt_packages_fetched,
            "lists_fetched": self.apt_lists_fetched,
            "indexes_fetched": self.apt_indexes_fetched,
            "indexes_unchanged": self.apt_indexes_unchanged,
            "need_to_get": self.apt_need_to_get,
        }

    def uv_summary(self) -> dict[str, object]:
        """What a uv build did: wheels the index served (distinct, and responses), uv's counts."""
        return {
            "returncode": self.returncode,
            "wheels_served": len(self.index_downloads),
            "file_responses": sum(self.index_downloads.values()),
            "prepared": self.uv_prepared,
            "installed": self.uv_installed,
            "hardlink_fallback_warning": self.uv_hardlink_fallback,
            "error": self.uv_error,
        }

    def summary(self) -> dict[str, object]:
        return {
            "returncode": self.returncode,
            "downloading": len(self.downloading),
            "using_cached": len(self.using_cached),
            "cache_disabled_warning": self.cache_disabled,
            "index_downloads": sum(self.index_downloads.values()),
        }


def _same_image(tag: str, image: str) -> bool:
    name = tag if "/" in tag.split(":")[0] else f"docker.io/library/{tag}"
    return name == image


class BuildFailed(AssertionError):
    pass


def lock_path() -> Path:
    run_lock = Path("/run/lock")
    directory = run_lock if run_lock.is_dir() and os.access(run_lock, os.W_OK) else Path(tempfile.gettempdir())
    return directory / "dockerfix-e2e.lock"


@contextlib.contextmanager
def store_lock() -> Iterator[None]:
    """Exclusive use of buildah's store against other e2e processes on this machine."""
    fd = os.open(lock_path(), os.O_CREAT | os.O_RDWR, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _lines(command: list[str]) -> set[str]:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    return set(result.stdout.split()) if result.returncode == 0 else set()


def image_ids() -> set[str]:
    return _lines(["buildah", "images", "--all", "--quiet", "--no-trunc"])


def container_ids() -> set[str]:
    return _lines(["buildah", "containers", "--all", "--quiet", "--notruncate"])


class RunningBuild:
    """A build that `Builder.start` started and that runs until `wait()` collects it."""

    def __init__(self, builder: Builder, command: list[str], env: dict[str, str], number: int) -> None:
        self._builder = builder
        self.command = tuple(command)
        self._log = builder.workdir / f"build-{number}.log"
        self._iidfile = builder.workdir / f"iid-{number}"
        self._before = builder.index.snapshot() if builder.index is not None else None
        with self._log.open("wb") as log:  # a file, not a pipe: nothing to drain while it runs
            self._process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
            )  # fmt: skip

    @property
    def done(self) -> bool:
        """The build's process has ended (`wait()` still collects its result)."""
        return self._process.poll() is not None

    def wait(self, timeout: float = BUILD_TIMEOUT) -> BuildResult:
        """The build's result once it ends (killed after `timeout` seconds: exit code -1)."""
        try:
            returncode = self._process.wait(timeout=timeout)
            timed_out = ""
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
            returncode, timed_out = -1, f"\n[e2e] build timed out after {timeout} s\n"
        output = self._log.read_text(errors="replace") + timed_out
        self._log.unlink(missing_ok=True)
        index = self._builder.index
        downloads = index.downloads_since(self._before) if index is not None and self._before is not None else {}
        image_id = self._iidfile.read_text().strip() if self._iidfile.exists() else None
        self._iidfile.unlink(missing_ok=True)
        result = BuildResult(returncode, output, self.command, dict(downloads), image_id)
        self._builder.results.append(result)
        self._builder.running.remove(self)
        return result


class Builder:
    """Builds for one test: its own TMPDIR (cache mounts), the shared image store."""

    def __init__(self, workdir: Path, index: IndexServer | None = None) -> None:
        self.workdir = Path(workdir)
        self.index = index
        self._tmpdirs = 0
        self.tmpdir = self.fresh_tmpdir()
        self.results: list[BuildResult] = []
        self._started = 0
        self._exclusive = False
        self.running: list[RunningBuild] = []  # started, not yet waited for
        self._tags: set[str] = set()
        self._images: set[str] = set()  # made by this builder's builds

    def fresh_tmpdir(self) -> Path:
        """Switch to a new, empty TMPDIR: the following builds start with cold cache mounts."""
        self._tmpdirs += 1
        path = self.workdir / f"tmp{self._tmpdirs}"
        path.mkdir(parents=True)
        self.tmpdir = path
        return path

    @property
    def cache_root(self) -> Path:
        """Where buildah keeps this builder's cache mounts."""
        return self.tmpdir / "buildah-cache"

    def command(
        self,
        context: Path,
        dockerfile: str = "Dockerfile",
        *,
        layers: bool = False,
        tag: str | None = None,
        build_args: Mapping[str, str] | None = None,
        iidfile: Path | None = None,
    ) -> list[str]:
        args: dict[str, str] = {}
        if self.index is not None:
            args = {"PIP_INDEX_URL": self.index.url, "PIP_TRUSTED_HOST": self.index.host}
        args.update(build_args or {})
        file = Path(dockerfile) if Path(dockerfile).is_absolute() else Path(context) / dockerfile
        command = ["buildah", "bud", "--isolation", "chroot", f"--layers={str(layers).lower()}", "--pull=never"]
        if iidfile is not None:
            command += ["--iidfile", str(iidfile)]
        command += ["-f", str(file)]
        for key, value in args.items():
            command += ["--build-arg", f"{key}={value}"]
        if tag:
            command += ["--tag", tag]
        command.append(str(context))
        return command

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """The image store to this builder's builds alone, while they run (`store_lock`): the
        containers that appear meanwhile are theirs and are removed, the images are theirs
        and are removed at `cleanup()`. `build()` takes it for one build; take it around
        builds that `start()` runs at the same time."""
        assert not self._exclusive, "exclusive() does not nest: its lock would wait for itself"
        with store_lock():
            self._exclusive = True
            images, containers = image_ids(), container_ids()
            try:
                yield
            finally:
                for build in list(self.running):  # a test that failed while builds ran
                    build.wait(timeout=0)
                self._exclusive = False
                for container in sorted(container_ids() - containers):
                    subprocess.run(["buildah", "rm", container], capture_output=True, check=False)
                self._images |= image_ids() - images

    def start(
        self,
        context: Path,
        dockerfile: str = "Dockerfile",
        *,
        layers: bool = False,
        tag: str | None = None,
        build_args: dict[str, str] | None = None,
    ) -> RunningBuild:
        """Start a build in the current TMPDIR and return at once (inside `exclusive()`)."""
        assert self._exclusive, "start() runs builds inside `with builder.exclusive():`"
        if tag and _same_image(tag, BASE_IMAGE):
            raise ValueError(f"a test must not tag {BASE_IMAGE}: cleanup would remove the base image")
        self._started += 1
        iidfile = self.workdir / f"iid-{self._started}"
        command = self.command(context, dockerfile, layers=layers, tag=tag, build_args=build_args, iidfile=iidfile)
        env = {k: v for k, v in os.environ.items() if not k.startswith("BUILDAH_")}
        env["TMPDIR"] = str(self.tmpdir)
        if tag:
            self._tags.add(tag)
        started = RunningBuild(self, command, env, self._started)
        self.running.append(started)
        return started

    def build(
        self,
        context: Path,
        dockerfile: str = "Dockerfile",
        *,
        layers: bool = False,
        tag: str | None = None,
        build_args: dict[str, str] | None = None,
    ) -> BuildResult:
        """Run one build; never raises for a failed build (see `build_ok`)."""
        with self.exclusive():
            return self.start(context, dockerfile, layers=layers, tag=tag, build_args=build_args).wait()

    def build_ok(
        self,
        context: Path,
        dockerfile: str = "Dockerfile",
        *,
        layers: bool = False,
        tag: str | None = None,
        build_args: dict[str, str] | None = None,
    ) -> BuildResult:
        """`build()`, asserting that it succeeded; the failure shows the command and output."""
        result = self.build(context, dockerfile, layers=layers, tag=tag, build_args=build_args)
        if result.returncode != 0:
            raise BuildFailed(
                f"build failed with exit code {result.returncode}\n$ {' '.join(result.command)}\n"
                f"{result.output}"
            )
        return result

    def cleanup(self) -> None:
        """Remove what this builder's builds made: its tags and images; its TMPDIRs."""
        with store_lock():
            for tag in sorted(self._tags):
                subprocess.run(["buildah", "rmi", tag], capture_output=True, check=False)
            left = self._images & image_ids()
            if left:
                subprocess.run(["buildah", "rmi", "--force", *sorted(left)], capture_output=True, check=False)
            self._images.clear()
        shutil.rmtree(self.workdir, ignore_errors=True)

