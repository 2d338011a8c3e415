"""Base-image facts (fixer.images): reference parsing, the table, tag-dependent entries.

The facts themselves come from the sources named in fixer/images.py; these tests pin
what the table says so that an edit to it is deliberate, and check the invariants every
entry must keep (a source for every fact, only relevant Env keys, unknown stays unknown).
"""

from __future__ import annotations


import pytest

from fixer import images
from fixer.facts import Origin
from fixer.images import ImageRef, is_relevant_env, lookup, parse_image_reference
from fixer.users import Passwd, distro_family

DIGEST = "sha256:" + "a" * 64

# ----------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    "ref",
    ["python", "library/python", "docker.io/library/python", "index.docker.io/library/python", "docker.io/python"],
)
def test_docker_hub_spellings_are_equal(ref: str) -> None:
    assert parse_image_reference(ref) == ImageRef("docker.io", "library/python")
    assert parse_image_reference(ref + ":3.12") == ImageRef("docker.io", "library/python", "3.12")


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("localhost:5000/x", ImageRef("localhost:5000", "x")),
        ("localhost:5000/x:1.0", ImageRef("localhost:5000", "x", "1.0")),
        ("localhost:5000/team/x:1.0", ImageRef("localhost:5000", "team/x", "1.0")),
        ("localhost/x", ImageRef("localhost", "x")),
        ("registry.example.com:443/org/app:tag", ImageRef("registry.example.com:443", "org/app", "tag")),
        ("[::1]:5000/app", ImageRef("[::1]:5000", "app")),
        ("ghcr.io/astral-sh/uv:0.8.0", ImageRef("ghcr.io", "astral-sh/uv", "0.8.0")),
        # A dot-less, colon-less first component is a Docker Hub namespace, not a host...
        ("myorg/app", ImageRef("docker.io", "myorg/app")),
        # ...unless it is localhost or has upper case (docker/distribution normalize.go).
        ("Myhost/app", ImageRef("myhost", "app")),
        ("python:3.12-slim", ImageRef("docker.io", "library/python", "3.12-slim")),
        ("python@" + DIGEST, ImageRef("docker.io", "library/python", None, DIGEST)),
        ("python:3.12@" + DIGEST, ImageRef("docker.io", "library/python", "3.12", DIGEST)),
        ("localhost:5000/x@" + DIGEST, ImageRef("localhost:5000", "x", None, DIGEST)),
        ("  python:3.12  ", ImageRef("docker.io", "library/python", "3.12")),
    ],
)
def test_parse_edge_cases(ref: str, expected: ImageRef) -> None:
    assert parse_image_reference(ref) == expected


@pytest.mark.parametrize(
    "ref",
    [
        "$BASE",
        "${BASE_IMAGE}",
        "${REGISTRY}/python:3.12",
        "python${SUFFIX}:3.12",
        "",
        "   ",
        "Python",  # upper case in a repository path is invalid
        "python:",
        "python:-bad",
        "python@sha256:xyz",
        "docker.io/",
        "a//b",
    ],
)
def test_unresolvable_or_invalid_references(ref: str) -> None:
    assert parse_image_reference(ref) is None
    assert lookup(ref) is None


def test_effective_tag_and_names() -> None:
    assert parse_image_reference("python").effective_tag == "latest"
    assert parse_image_reference("python@" + DIGEST).effective_tag is None
    assert parse_image_reference("python:3.12").effective_tag == "3.12"
    assert parse_image_reference("index.docker.io/library/python:3").name == "python"
    assert parse_image_reference("jupyter/base-notebook").name == "jupyter/base-notebook"
    assert parse_image_reference("quay.io/jupyter/base-notebook").name == "quay.io/jupyter/base-notebook"
    assert str(parse_image_reference("python:3@" + DIGEST)) == f"docker.io/library/python:3@{DIGEST}"


# --------------------------------------------------------------------------- the table

# At least one reference per table entry (exact and pattern), with the tag variants.
EVERY_ENTRY = [
    "python", "python:3.12", "python:3.13-slim", "python:3.12-slim-bookworm", "python:3.11-bullseye",
    "python:3.12-alpine", "python:3.12-alpine3.20", "python:3.14-trixie",
    "debian", "debian:bookworm", "debian:bookworm-slim", "debian:trixie-20260803-slim", "debian:11",
    "debian:sid", "debian:stable-slim",
    "ubuntu", "ubuntu:24.04", "ubuntu:noble", "ubuntu:22.04", "ubuntu:jammy-20240808", "ubuntu:23.04",
    "ubuntu:22.10", "ubuntu:26.04", "ubuntu:rolling",
    "alpine", "alpine:3.20", "alpine:3.19.4", "alpine:3.22", "alpine:edge",
    "buildpack-deps:trixie", "buildpack-deps:noble-curl",
    "node:22", "node:22-slim", "node:22-alpine3.20", "node:22-bookworm",
    "amazonlinux:2023", "scratch",
    "jupyter/base-notebook", "jupyter/scipy-notebook:2023-10-20", "quay.io/jupyter/pytorch-notebook:cuda12-latest",
    "nvidia/cuda:12.6.3-base-ubuntu24.04", "nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04",
    "nvidia/cuda:12.6.3-runtime-ubi9", "nvcr.io/nvidia/cuda:12.6.3-devel-ubuntu22.04",
    "nvcr.io/nvidia/pytorch:23.08-py3", "nvcr.io/nvidia/pytorch:24.05-py3", "nvcr.io/nvidia/tensorflow:24.03-tf2-py3",
    "continuumio/miniconda3", "continuumio/miniconda3:24.5.0-0",
    "condaforge/miniforge3", "condaforge/miniforge3:25.3.0-3", "condaforge/miniforge3:24.9.2-0",
    "condaforge/miniforge-pypy3",
    "mambaorg/micromamba", "mambaorg/micromamba:2.0.5", "mambaorg/micromamba:2.0.5-ubuntu24.04",
    "mambaorg/micromamba:1.4.9", "mambaorg/micromamba:git-abc1234-debian12-slim",
    "mambaorg/micromamba:2.0.5-alpine3.20", "mambaorg/micromamba:2.0.5-cuda12.4.1-ubuntu22.04",
    "mambaorg/micromamba:2.0.5-amazon2023",
    "ghcr.io/astral-sh/uv", "ghcr.io/astral-sh/uv:0.9.5", "ghcr.io/astral-sh/uv:python3.12-bookworm-slim",
    "ghcr.io/astral-sh/uv:0.8-python3.13-trixie-slim", "ghcr.io/astral-sh/uv:0.7.3-python3.12-alpine",
    "ghcr.io/astral-sh/uv:trixie-slim", "ghcr.io/astral-sh/uv:debian", "ghcr.io/astral-sh/uv:alpine3.23",
    "ghcr.io/astral-sh/uv:python3.12-dhi", "astral/uv:python3.12-trixie",
    "gcr.io/distroless/python3-debian12", "gcr.io/distroless/python3-debian13:nonroot",
    "gcr.io/distroless/python3:debug", "gcr.io/distroless/python3-debian12:debug-nonroot",
    "gcr.io/distroless/static-debian12:nonroot-amd64", "gcr.io/distroless/python3:some-sha",
    "bitnami/python", "bitnami/python:3.12",
    "mcr.microsoft.com/devcontainers/python:3.12", "mcr.microsoft.com/devcontainers/python:1-3.12-bookworm",
    "mcr.microsoft.com/vscode/devcontainers/python:3",
    "pytorch/pytorch", "pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime", "tensorflow/tensorflow:2.16.1-gpu",
    "registry.access.redhat.com/ubi9/python-312", "registry.access.redhat.com/ubi8/python-311",
    "registry.access.redhat.com/ubi9/python-312-minimal", "registry.redhat.io/ubi10/python-312",
    "quay.io/sclorg/python-312-c9s",
]  # fmt: skip


@pytest.mark.parametrize("ref", EVERY_ENTRY)
def test_every_entry_resolves_with_sources(ref: str) -> None:
    facts = lookup(ref)
    assert facts is not None, ref
    assert facts.ref == parse_image_reference(ref)
    assert_sourced(facts)


def assert_sourced(facts: images.ImageFacts) -> None:
    """The invariants every entry keeps: a source for every fact, only relevant Env keys."""
    assert facts.source and facts.name
    assert all(is_relevant_env(key) for key in facts.env), facts.env
    assert set(facts.unknown) <= images.FACT_NAMES
    for entry in facts.passwd:
        assert entry.source, entry
        assert entry.home.startswith("/")
        if entry.home_owner_uid is not None:
            assert entry.home_exists is True
    for setting in facts.pip_config:
        assert setting.source and setting.path.startswith("/")
    if facts.passwd:
        assert facts.source_of("passwd")
    assert len({e.uid for e in facts.passwd}) == len(facts.passwd)


def test_every_table_key_is_covered() -> None:
    covered = {(f.ref.registry, f.ref.repository) for f in map(lookup, EVERY_ENTRY)}
    assert set(images._EXACT) <= covered
    for registry, pattern, _ in images._PATTERNS:
        assert any(r == registry and pattern.match(repo) for r, repo in covered), pattern.pattern


@pytest.mark.parametrize(
    "ref",
    [
        "myorg/myimage",
        "ghcr.io/someone/python",
        "localhost:5000/python",  # same name on another registry is another image
        "quay.io/python",
        "gcr.io/other/python3",
        "registry.access.redhat.com/ubi9/ubi",
        "python:3.13-windowsservercore-ltsc2022",  # Windows: passwd/HOME do not apply
        "python:3.13-nanoserver",
        "node:22-windowsservercore",
        "docker.io/library/scratch",  # only the bare name is BuildKit's empty image
        "scratch:latest",
    ],
)
def test_unknown_image_is_none(ref: str) -> None:
    assert lookup(ref) is None


def test_lookup_is_cached_and_facts_are_frozen() -> None:
    first = lookup("python:3.12-slim")
    assert lookup("python:3.12-slim") is first
    assert lookup("docker.io/library/python:3.12-slim").env == first.env
    with pytest.raises(AttributeError):
        first.user = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        first.env["HOME"] = "/x"  # type: ignore[index]
    hash(first)


# ----------------------------------------------------------------- per-image facts


def test_official_python_sets_nothing_that_moves_pip_cache() -> None:
    for ref in ("python:3.12", "python:3.13-slim-trixie", "python:3.12-alpine3.20"):
        facts = lookup(ref)
        assert dict(facts.env) == {} and facts.knows("env")
        assert facts.user is None and facts.knows("user")
        assert facts.pip_config == () and facts.knows("pip_config")
        assert facts.has_shell and facts.shell is None
        assert facts.runtime_home() == "/root"
        # Installed packages may add system users: passwd is partial, but root is there.
        assert not facts.knows("passwd")
        assert facts.passwd_entry("root").home == "/root"
        assert facts.passwd_entry("root").home_exists is True


def test_python_variant_picks_the_base() -> None:
    assert lookup("python:3.12-slim-bookworm").passwd_entry("_apt").uid == 42
    assert lookup("python:3.11-slim-bullseye").passwd_entry("_apt").uid == 100
    assert lookup("python:3.12-alpine3.20").passwd_entry("nobody").home == "/"
    assert lookup("python:3.12-slim").passwd_entry("_apt") is None  # suite not pinned
    assert lookup("python:3.12-slim").passwd_entry("www-data").home == "/var/www"


def test_debian_by_suite() -> None:
    bookworm = lookup("debian:bookworm-slim")
    assert bookworm.knows("passwd") and bookworm.knows("env") and bookworm.knows("pip_config")
    nobody = bookworm.passwd_entry("nobody")
    assert (nobody.uid, nobody.home, nobody.home_exists) == (65534, "/nonexistent", False)
    www = bookworm.passwd_entry("33")
    assert (www.name, www.home, www.home_exists) == ("www-data", "/var/www", False)
    assert bookworm.passwd_entry("root").home_owner_uid == 0
    assert bookworm.passwd_entry("daemon").home == "/usr/sbin"
    assert bookworm.runtime_home("1234") == "/"  # complete passwd: uid not there -> HOME=/
    assert bookworm.runtime_home("nobody") == "/nonexistent"
    assert lookup("debian:12") .passwd == bookworm.passwd
    assert lookup("debian:trixie").passwd_entry("_apt").uid == 42
    bullseye = lookup("debian:bullseye")
    assert bullseye.passwd_entry("_apt").uid == 100 and bullseye.passwd_entry("gnats") is not None
    stable = lookup("debian:stable")
    assert not stable.knows("passwd") and stable.runtime_home("1234") is None
    assert stable.passwd_entry("www-data").home_exists is None


def test_ubuntu_user_depends_on_the_release() -> None:
    for ref in ("ubuntu:24.04", "ubuntu:noble", "ubuntu:noble-20240423"):
        facts = lookup(ref)
        ubuntu = facts.passwd_entry("1000")
        assert (ubuntu.name, ubuntu.gid, ubuntu.home) == ("ubuntu", 1000, "/home/ubuntu")
        assert (ubuntu.home_exists, ubuntu.home_owner_uid) == (True, 1000)
        assert facts.runtime_home("1000") == "/home/ubuntu"
    assert lookup("ubuntu:24.04").knows("passwd")
    for ref in ("ubuntu:23.04", "ubuntu:lunar", "ubuntu:26.04", "ubuntu:resolute"):
        assert lookup(ref).passwd_entry("ubuntu").uid == 1000, ref
    for ref in ("ubuntu:22.04", "ubuntu:jammy", "ubuntu:20.04", "ubuntu:focal-20240530"):
        facts = lookup(ref)
        assert facts.passwd_entry("1000") is None and 1000 in facts.absent_uids
        assert facts.runtime_home("1000") == "/"
        assert facts.runtime_home("1000:1000") == "/"
    # Not pinned: no claim either way.
    for ref in ("ubuntu", "ubuntu:latest", "ubuntu:rolling", "ubuntu:devel", "ubuntu:22.10", "ubuntu@" + DIGEST):
        facts = lookup(ref)
        assert facts.passwd_entry("1000") is None and 1000 not in facts.absent_uids, ref
        assert facts.runtime_home("1000") is None
        assert facts.runtime_home() == "/root"
        assert facts.notes


def test_alpine_by_release() -> None:
    old, new = lookup("alpine:3.19"), lookup("alpine:3.20.3")
    assert old.passwd_entry("postmaster") is not None and new.passwd_entry("postmaster") is None
    assert old.knows("passwd") and new.knows("passwd")
    for facts in (old, new):
        nobody = facts.passwd_entry("nobody")
        assert (nobody.uid, nobody.home, nobody.home_exists) == (65534, "/", True)
        assert facts.runtime_home() == "/root" and facts.has_shell
    for ref in ("alpine", "alpine:3", "alpine:3.22", "alpine:edge"):
        facts = lookup(ref)
        assert not facts.knows("passwd") and facts.passwd_entry("nobody").home == "/"


def test_node_user() -> None:
    for ref in ("node:22", "node:22-slim", "node:22-alpine"):
        node = lookup(ref).passwd_entry("node")
        assert (node.uid, node.gid, node.home, node.home_exists, node.home_owner_uid) == (
            1000, 1000, "/home/node", True, 1000,
        )  # fmt: skip
        assert lookup(ref).user is None


@pytest.mark.parametrize("ref", ["jupyter/base-notebook", "quay.io/jupyter/scipy-notebook:2024-05-27"])
def test_jupyter_stacks(ref: str) -> None:
    facts = lookup(ref)
    assert facts.env["HOME"] == "/home/jovyan"
    assert (facts.env["NB_UID"], facts.env["NB_GID"], facts.env["NB_USER"]) == ("1000", "100", "jovyan")
    assert facts.user == "1000"
    jovyan = facts.passwd_entry(facts.user)
    assert (jovyan.name, jovyan.gid, jovyan.home, jovyan.home_owner_uid) == ("jovyan", 100, "/home/jovyan", 1000)
    assert facts.passwd_entry("ubuntu") is None  # uid 1000 is deleted before jovyan is created
    assert facts.runtime_home() == "/home/jovyan" == facts.runtime_home("root")  # HOME does not follow USER
    assert facts.shell == ("/bin/bash", "-o", "pipefail", "-c")


def test_distroless_users_and_no_shell() -> None:
    root, nonroot = lookup("gcr.io/distroless/python3-debian12"), lookup("gcr.io/distroless/python3-debian12:nonroot")
    assert (root.user, nonroot.user) == ("0", "65532")
    assert root.runtime_home() == "/root" and nonroot.runtime_home() == "/home/nonroot"
    assert nonroot.passwd_entry("65532").home_owner_uid == 65532
    assert not root.has_shell and not nonroot.has_shell
    assert root.knows("passwd") and root.knows("has_shell")
    assert root.source_of("has_shell") != root.source
    debug = lookup("gcr.io/distroless/python3:debug-nonroot")
    assert debug.user == "65532" and not debug.has_shell
    assert any("/busybox/sh" in note for note in debug.notes)
    assert lookup("gcr.io/distroless/python3:debug").user == "0"
    odd = lookup("gcr.io/distroless/python3:some-sha")
    assert not odd.knows("user") and odd.runtime_home() is None


def test_ubi_python_disables_pip_cache_and_runs_as_1001() -> None:
    for ref in ("registry.access.redhat.com/ubi9/python-312", "registry.access.redhat.com/ubi9/python-312-minimal"):
        facts = lookup(ref)
        assert facts.env["PIP_NO_CACHE_DIR"] == "off"
        assert facts.env["HOME"] == "/opt/app-root/src"
        assert facts.user == "1001" and facts.runtime_home() == "/opt/app-root/src"
    default = lookup("registry.access.redhat.com/ubi9/python-312").passwd_entry("1001")
    assert (default.name, default.gid, default.home_owner_uid) == ("default", 0, 1001)
    assert lookup("registry.access.redhat.com/ubi9/python-312-minimal").passwd_entry("1001") is None


def test_ngc_pip_config_only_where_sourced() -> None:
    sourced = lookup("nvcr.io/nvidia/pytorch:23.08-py3")
    settings = {(p.path, p.section, p.key): p.value for p in sourced.pip_config}
    assert settings[("/etc/xdg/pip/pip.conf", "global", "no-cache-dir")] == "true"
    assert sourced.env == {"PIP_DEFAULT_TIMEOUT": "100"}
    assert not sourced.knows("env") and not sourced.knows("user") and sourced.runtime_home() is None
    other = lookup("nvcr.io/nvidia/pytorch:24.05-py3")
    assert other.pip_config == () and not other.knows("pip_config")
    assert not other.knows("has_shell") and not other.knows("shell") and other.notes
    assert not lookup("nvcr.io/nvidia/tritonserver:24.05-py3").knows("pip_config")


def test_cuda_images_inherit_the_ubuntu_release() -> None:
    noble = lookup("nvidia/cuda:12.6.3-runtime-ubuntu24.04")
    assert noble.passwd_entry("ubuntu").uid == 1000 and noble.user is None and noble.knows("env")
    jammy = lookup("nvidia/cuda:12.4.1-base-ubuntu22.04")
    assert jammy.passwd_entry("1000") is None and 1000 in jammy.absent_uids
    cudnn = lookup("nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04")
    assert cudnn.knows("env") and "HOME" not in cudnn.env and "cudnn" in cudnn.source
    assert cudnn.runtime_home() == "/root"
    ubi = lookup("nvidia/cuda:12.6.3-runtime-ubi9")
    assert ubi.passwd == () and not ubi.knows("passwd")


def test_micromamba_user_by_version() -> None:
    new = lookup("mambaorg/micromamba:2.0.5")
    assert new.user == "mambauser"
    assert (new.env["MAMBA_ROOT_PREFIX"], new.env["MAMBA_USER_ID"]) == ("/opt/conda", "57439")
    entry = new.passwd_entry("mambauser")
    assert (entry.uid, entry.home, entry.home_owner_uid) == (57439, "/home/mambauser", 57439)
    assert new.runtime_home() == "/home/mambauser"
    assert new.shell == ("/usr/local/bin/_dockerfile_shell.sh",)
    noble = lookup("mambaorg/micromamba:2.0.5-ubuntu24.04")
    assert noble.passwd_entry("ubuntu").uid == 1000 and noble.passwd_entry("mambauser").uid == 57439
    for ref in ("mambaorg/micromamba:1.4.9", "mambaorg/micromamba:git-abc1234-debian12-slim"):
        old = lookup(ref)
        assert old.passwd_entry("mambauser") is None and "MAMBA_USER_ID" not in old.env
        assert not old.knows("env") and old.runtime_home() is None


def test_conda_images() -> None:
    assert lookup("condaforge/miniforge3:25.3.0-3").passwd_entry("ubuntu").uid == 1000
    assert 1000 in lookup("condaforge/miniforge3:24.9.2-0").absent_uids
    for ref in ("condaforge/miniforge3", "condaforge/miniforge3:24.11.3-2"):
        assert 1000 not in lookup(ref).absent_uids and lookup(ref).passwd_entry("ubuntu") is None
    assert lookup("condaforge/miniforge3").env == {"CONDA_DIR": "/opt/conda"}
    miniconda = lookup("continuumio/miniconda3")
    assert miniconda.env == {} and miniconda.user is None and miniconda.runtime_home() == "/root"


def test_uv_images() -> None:
    scratch = lookup("ghcr.io/astral-sh/uv:0.9.5")
    assert not scratch.has_shell and scratch.passwd == () and scratch.knows("passwd")
    assert scratch.runtime_home() == "/"
    assert lookup("ghcr.io/astral-sh/uv").has_shell is False
    derived = lookup("ghcr.io/astral-sh/uv:python3.12-bookworm-slim")
    assert derived.env == {"UV_TOOL_BIN_DIR": "/usr/local/bin"} and derived.has_shell
    assert derived.passwd_entry("_apt").uid == 42 and derived.runtime_home() == "/root"
    assert lookup("ghcr.io/astral-sh/uv:0.8-python3.13-trixie-slim").env == {"UV_TOOL_BIN_DIR": "/usr/local/bin"}
    old = lookup("ghcr.io/astral-sh/uv:0.7.3-python3.12-alpine")
    assert old.env == {} and old.knows("env") and old.passwd_entry("nobody").home == "/"
    # FROM debian:trixie-slim / alpine:3.x + COPY: the base passwd is unchanged.
    assert lookup("ghcr.io/astral-sh/uv:trixie-slim").knows("passwd")
    assert not lookup("ghcr.io/astral-sh/uv:debian").knows("passwd")
    assert not lookup("ghcr.io/astral-sh/uv:python3.12-dhi").knows("passwd")


def test_devcontainer_python() -> None:
    facts = lookup("mcr.microsoft.com/devcontainers/python:1-3.12-bookworm")
    assert facts.user == "root" and facts.runtime_home() == "/root"
    vscode = facts.passwd_entry("vscode")
    assert (vscode.uid, vscode.gid, vscode.home, vscode.home_owner_uid) == (1000, 1000, "/home/vscode", 1000)
    assert facts.runtime_home("vscode") == "/home/vscode"
    assert facts.env["PIPX_HOME"] == "/usr/local/py-utils"


def test_other_images() -> None:
    bitnami = lookup("bitnami/python:3.12")
    assert bitnami.user is None and bitnami.env == {} and bitnami.shell[0] == "/bin/bash"
    assert not bitnami.knows("passwd") and not bitnami.knows("env") and bitnami.runtime_home() is None
    pytorch = lookup("pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime")
    assert pytorch.env == {} and pytorch.user is None and pytorch.runtime_home() == "/root"
    assert pytorch.runtime_home("1000") is None  # Ubuntu release under the tag not sourced
    tensorflow = lookup("tensorflow/tensorflow:2.16.1")
    assert not tensorflow.knows("env") and not tensorflow.knows("user") and tensorflow.runtime_home() is None
    amazon = lookup("amazonlinux:2023")
    assert amazon.user is None and amazon.env == {} and amazon.has_shell
    assert amazon.passwd == () and amazon.runtime_home() is None
    scratch = lookup("scratch")
    assert not scratch.has_shell and scratch.runtime_home() == "/" and scratch.runtime_home("1000") == "/"


def test_buildpack_deps_ubuntu_tags_are_ubuntu() -> None:
    """buildpack-deps:noble is FROM ubuntu:noble: it has the `ubuntu` uid 1000 user."""
    noble = lookup("buildpack-deps:noble")
    assert "Ubuntu 24.04" in noble.name and noble.passwd_entry("1000").name == "ubuntu"
    assert 1000 in lookup("buildpack-deps:jammy-scm").absent_uids
    assert "Debian bookworm" in lookup("buildpack-deps:bookworm").name


# ------------------------------------------------- every tag a build argument may name

# (FROM word as stages.py writes it when the argument has no value, tag pattern, base label)
FAMILIES = [
    ("python:${PYTHON_VERSION}-slim", "*-slim", "Debian (suite not pinned by the tag), slim"),
    ("python:${PY}-alpine", "*-alpine", "Alpine (release not pinned by the tag)"),
    ("python:${PY}-alpine3.20", "*-alpine3.20", "Alpine 3.20"),
    ("python:$PY-slim-bookworm", "*-slim-bookworm", "Debian bookworm, slim"),
    ("python:${PY}-bookworm", "*-bookworm", "Debian bookworm, slim or full"),  # `*` may be `3.12-slim`
    ("python:3.12-slim@${DIGEST}", "3.12-slim", "Debian (suite not pinned by the tag), slim"),
    ("node:${NODE}-alpine", "*-alpine", "Alpine (release not pinned by the tag)"),
    ("node:${NODE_VERSION}-bookworm-slim", "*-bookworm-slim", "Debian bookworm, slim"),
    ("debian:${SUITE}-slim", "*-slim", "Debian (suite not pinned by the tag)"),
    ("ubuntu:${UBUNTU}", "*", "Ubuntu (release not pinned by the tag)"),
    ("alpine:${ALPINE}", "*", "Alpine (release not pinned by the tag)"),
    ("nvidia/cuda:${CUDA}-cudnn8-runtime-ubuntu22.04", "*-cudnn8-runtime-ubuntu22.04", "Ubuntu 22.04"),
    ("quay.io/jupyter/base-notebook:${TAG}", "*", "docker-stacks"),
    ("gcr.io/distroless/python3-debian12:${TAG}", "*", "distroless"),
]  # fmt: skip


@pytest.mark.parametrize(("ref", "pattern", "label"), FAMILIES)
def test_every_tag_of_a_repository(ref: str, pattern: str, label: str) -> None:
    facts = lookup(ref)
    assert parse_image_reference(ref) is None and facts is not None
    assert_sourced(facts)
    assert facts.ref.tag == pattern and label in facts.name
    tags = f"every tag of {facts.ref.name}" + ("" if pattern == "*" else f" matching {pattern}")
    assert facts.name.endswith(tags) and facts.source.startswith(tags + ": ")
    assert any(tags in note and "build argument" in note for note in facts.notes)
    assert facts.passwd_entry("root").home == "/root"  # in every tag of every one of them


def test_every_tag_of_python_shares_what_the_template_sets() -> None:
    """SRC_PYTHON: no python tag sets HOME, USER, PIP_* or a pip config; `-slim` pins Debian."""
    facts = lookup("python:${PYTHON_VERSION}-slim")
    assert dict(facts.env) == {} and facts.knows("env")
    assert facts.user is None and facts.knows("user")
    assert facts.pip_config == () and facts.knows("pip_config")
    assert facts.runtime_home() == "/root" and facts.has_shell
    assert not facts.knows("passwd")  # the suite is open: the lines common to Debian 11-13
    assert distro_family(facts) == "debian" and distro_family(lookup("python:${PY}-alpine")) == "alpine"
    # No Debian suite and no Alpine release has an account in UID_MIN..UID_MAX.
    assert Passwd.from_image(facts, Origin("FROM")).regular_complete
    node = lookup("node:${NODE}-alpine").passwd_entry("node")
    assert (node.uid, node.home, node.home_owner_uid) == (1000, "/home/node", 1000)


def test_every_tag_of_ubuntu_leaves_uid_1000_open() -> None:
    """`ubuntu` uid 1000 exists from 23.04 on, not before: every tag does not share it."""
    facts = lookup("ubuntu:${UBUNTU}")
    assert facts.knows("env") and facts.knows("user") and facts.runtime_home() == "/root"
    assert facts.passwd_entry("1000") is None and 1000 not in facts.absent_uids
    assert facts.runtime_home("1000") is None
    assert not Passwd.from_image(facts, Origin("FROM")).regular_complete
    assert lookup("ubuntu:noble-${DATE}").passwd_entry("1000").name == "ubuntu"


@pytest.mark.parametrize(
    "ref",
    [
        "python:${PY}-windowsservercore-ltsc2022", "node:${NODE}-nanoserver",  # Windows: no passwd, no HOME
        "registry.example.com/team/base:${TAG}",  # not in the table
        "myorg/app:${VERSION}",
        "ghcr.io/astral-sh/uv:${UV_VERSION}",  # version tags are scratch, flavours Debian or Alpine
        "buildpack-deps:${SUITE}",  # Debian suites and Ubuntu releases differ in uid 1000
        "${REGISTRY}/python:${PY}-slim",  # `$` in the repository
        "python:${PY}-slim$",  # a `$` that is no build argument
    ],
)  # fmt: skip
def test_every_tag_only_where_sound(ref: str) -> None:
    assert lookup(ref) is None


@pytest.mark.parametrize(
    "ref", ["python:${PY}", "python@${DIGEST}", "python:${PY_VERSION}${VARIANT}", "python:3.12-${VARIANT}", "node:${NODE}"]
)
def test_a_tag_that_shows_no_variant_gives_what_debian_and_alpine_share(ref: str) -> None:
    """`*` may be `3.12` (Debian) or `3.12-alpine`: root and /root, no account in the
    regular range, no HOME, USER or pip config in any tag; but neither distro's user tools."""
    facts = lookup(ref)
    assert facts is not None and "Debian or Alpine" in facts.name and "every tag of" in facts.name
    assert facts.knows("env") and facts.knows("user") and not facts.knows("passwd")
    assert facts.runtime_home() == "/root" and "HOME" not in facts.env
    assert Passwd.from_image(facts, Origin("FROM")).regular_complete
    assert distro_family(facts) is None
    if ref.startswith("node"):
        assert facts.passwd_entry("node").uid == 1000  # both variants make it


def test_a_tag_pattern_reads_only_its_literal_text() -> None:
    # `alpine3.2*` may be 3.20 or 3.21: no release pinned.
    assert "release not pinned" in lookup("python:${PY}-alpine3.2${PATCH}").name
    # `${V:-...}` is the argument, not literal text; a default in it is not a tag.
    assert lookup("python:${V:-3.12-alpine}-slim").ref.tag == "*-slim"
    assert lookup("nvidia/cuda:12.${MINOR}-base-ubuntu22.04").env == {}  # a version part: flavour unread
    assert not lookup("nvidia/cuda:12.${MINOR}-base-ubuntu22.04").knows("env")


def test_every_tag_lookups_are_cached() -> None:
    assert lookup("python:${PYTHON_VERSION}-slim") is lookup("python:${PYTHON_VERSION}-slim")


def test_runtime_home_follows_runc() -> None:
    facts = lookup("debian:bookworm")
    assert facts.runtime_home("root") == "/root"
    assert facts.runtime_home("0:0") == "/root"
    assert facts.runtime_home("www-data") == "/var/www"
    assert facts.runtime_home("appuser") is None  # not in passwd: the build fails
    assert facts.runtime_home("4242") == "/"


@pytest.mark.parametrize(
    ("key", "relevant"),
    [
        ("HOME", True), ("PIP_NO_CACHE_DIR", True), ("XDG_CACHE_HOME", True), ("UV_CACHE_DIR", True),
        ("POETRY_CACHE_DIR", True), ("PIPENV_CACHE_DIR", True), ("PDM_CACHE_DIR", True),
        ("PYTHONUSERBASE", True), ("VIRTUAL_ENV", True), ("CONDA_DIR", True), ("MAMBA_ROOT_PREFIX", True),
        ("PATH", False), ("LANG", False), ("PYTHON_VERSION", False), ("HOMEBREW", False), ("PIP", False),
    ],
)  # fmt: skip
def test_relevant_env(key: str, relevant: bool) -> None:
    assert is_relevant_env(key) is relevant
