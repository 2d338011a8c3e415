"""`dockerfix wheelhouse` against a local index (a folder of wheels, `--no-index
--find-links`; no network): the wheels for the image's Python, libc and architecture,
not this machine's; packages with only sources named; refusals that name the flag."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from fixer.wheelhouse.target import TargetError, target_of

FAST = "fastpkg-1.0-{}.whl"
TAGS = ("cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64", "cp311-cp311-manylinux_2_17_x86_64",
        "cp312-cp312-musllinux_1_2_x86_64", "cp312-cp312-manylinux_2_17_aarch64", "cp312-cp312-manylinux_2_39_x86_64")  # fmt: skip


def _wheel(directory: Path, filename: str, requires: tuple[str, ...] = ()) -> None:
    name, version = filename.split("-")[:2]
    info = f"{name}-{version}.dist-info"
    with zipfile.ZipFile(directory / filename, "w") as archive:
        archive.writestr(f"{info}/METADATA", "Metadata-Version: 2.1\nName: {}\nVersion: {}\n{}".format(
            name, version, "".join(f"Requires-Dist: {r}\n" for r in requires)))  # fmt: skip
        archive.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: false\n")
        archive.writestr(f"{info}/RECORD", "")


@pytest.fixture
def index(tmp_path: Path) -> Path:
    """The local index: fastpkg's wheels for several targets (it needs purepkg), a pure
    wheel, and a package with only an sdist."""
    directory = tmp_path / "index"
    directory.mkdir()
    for tag in TAGS:
        _wheel(directory, FAST.format(tag), ("purepkg>=1",))
    _wheel(directory, "purepkg-1.0-py3-none-any.whl")
    (directory / "srconly-1.0.tar.gz").write_bytes(b"")
    return directory


def _project(tmp_path: Path, image: str, requirements: str = "fastpkg==1.0\n", extra: str = "") -> Path:
    context = tmp_path / "app"
    context.mkdir()
    (context / "requirements.txt").write_text(requirements)
    (context / "Dockerfile").write_text(f"FROM {image}\nWORKDIR /app\nCOPY requirements.txt .\n{extra}"
                                        "RUN pip install -r requirements.txt\n")  # fmt: skip
    return context


def wheelhouse(context: Path, index: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PIP_CONFIG_FILE": os.devnull}  # this machine's pip settings stay out
    return subprocess.run([sys.executable, "-m", "fixer", "wheelhouse", ".", "--no-index", "--find-links", str(index), *args],
                          cwd=context, env=environment, capture_output=True, text=True, check=False)  # fmt: skip


def _wheels(context: Path) -> list[str]:
    return sorted(path.name for path in (context / "wheels").iterdir())


@pytest.mark.parametrize(
    ("image", "args", "tag"),
    [
        ("python:3.12-slim", ("--platform", "linux/amd64"), TAGS[0]),
        ("python:3.11.9-bookworm", ("--platform", "linux/amd64"), TAGS[1]),
        ("python:3.12-alpine3.20", ("--platform", "linux/amd64"), TAGS[2]),
        ("python:3.12-slim", ("--platform", "linux/arm64"), TAGS[3]),
        ("--platform=linux/arm64 python:3.12", (), TAGS[3]),
        ("python:3.12-trixie", ("--platform", "linux/amd64"), TAGS[4]),
    ],
    ids=["slim amd64", "3.11", "alpine", "arm64 flag", "FROM --platform", "trixie's glibc"],
)
def test_the_wheels_are_the_images_not_this_machines(tmp_path: Path, index: Path, image: str, args: tuple[str, ...], tag: str) -> None:
    context = _project(tmp_path, image)
    done = wheelhouse(context, index, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _wheels(context) == [FAST.format(tag), "purepkg-1.0-py3-none-any.whl"]
    assert "Dockerfile: 1 requirement for CPython 3.1" in done.stdout and "2 new files in wheels" in done.stdout
    assert "offline: `pip install --no-index --find-links=/wheels -r requirements.txt`" in done.stdout


def test_a_package_with_only_sources_is_named_and_the_rest_downloaded(tmp_path: Path, index: Path) -> None:
    context = _project(tmp_path, "python:3.12-slim", "fastpkg==1.0\nsrconly==1.0\n")
    done = wheelhouse(context, index, "--platform", "linux/amd64")
    assert done.returncode == 1, done.stdout + done.stderr
    assert _wheels(context) == [FAST.format(TAGS[0]), "purepkg-1.0-py3-none-any.whl"]
    assert "  no wheel for this image: srconly==1.0: the build needs the index for it (pip: Could not find a version" in done.stdout
    assert "(fails: some packages have no wheel)" in done.stdout


def test_debian_python_and_named_packages_and_nested_requirement_files(tmp_path: Path, index: Path) -> None:
    context = _project(tmp_path, "debian:bookworm", "-r base.txt\n", extra="COPY base.txt .\n")
    (context / "base.txt").write_text("purepkg  # pure\n")
    (context / "Dockerfile").write_text((context / "Dockerfile").read_text() + "RUN pip install fastpkg==1.0\n")
    done = wheelhouse(context, index, "--platform", "linux/amd64", "--python-version", "3.11", "--libc", "glibc-2.36")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _wheels(context) == [FAST.format(TAGS[1]), "purepkg-1.0-py3-none-any.whl"]
    assert "2 requirements for CPython 3.11, glibc 2.36, x86_64" in done.stdout


@pytest.mark.parametrize(
    ("image", "args", "message"),
    [
        ("python:3-slim", (), "'python:3-slim' does not say which Python it has: pass --python-version (say 3.12)"),
        ("python:latest", (), "does not say which Python it has"),
        ("registry.example/team/base:1", ("--python-version", "3.12"), "does not say which libc it has: pass --libc"),
        ("python:3.12", ("--platform", "linux/riscv64"), "unknown platform 'linux/riscv64'"),
        ("--platform=$TARGETPLATFORM python:3.12", (), "is decided at build time: pass --platform"),
        ("python:3.12-windowsservercore", (), "is a Windows image"),
    ],
    ids=["python:3", "latest", "private image", "riscv64", "TARGETPLATFORM", "windows"],
)
def test_what_cannot_be_told_is_refused_naming_the_flag(tmp_path: Path, index: Path, image: str, args: tuple[str, ...], message: str) -> None:
    context = _project(tmp_path, image)
    done = wheelhouse(context, index, *args)
    assert done.returncode == 2 and f"Dockerfile:4: error: " in done.stderr and message in done.stderr, done.stderr
    assert not (context / "wheels").exists()


def test_a_requirement_file_no_copy_brings_is_a_warning(tmp_path: Path, index: Path) -> None:
    context = _project(tmp_path, "python:3.12", "fastpkg==1.0\n")
    (context / "Dockerfile").write_text("FROM python:3.12\nRUN pip install -r /tmp/other.txt fastpkg==1.0\n")
    done = wheelhouse(context, index, "--platform", "linux/amd64")
    assert done.returncode == 0, done.stderr
    assert "Dockerfile:2: warning: -r /tmp/other.txt: no COPY in its stage puts /tmp/other.txt in the image" in done.stderr


def test_the_target_names_its_sources() -> None:
    target = target_of("python:3.13.1-slim-bookworm", None, platform="linux/amd64")
    assert target.described == "CPython 3.13, glibc 2.36, x86_64 (the tag of python:3.13.1-slim-bookworm; --platform)"
    assert target.abis == ("cp313", "abi3", "none")
    assert target.platforms[0] == "manylinux_2_36_x86_64" and "manylinux2014_x86_64" in target.platforms
    with pytest.raises(TargetError, match="--libc must be glibc-2.N or musl"):
        target_of("python:3.12", None, libc="glibc")


def test_the_offline_rewrite_is_a_diff_then_written_and_parses(tmp_path: Path, index: Path) -> None:
    context = _project(tmp_path, "python:3.12-slim")
    before = (context / "Dockerfile").read_text()
    shown = wheelhouse(context, index, "--platform", "linux/amd64", "--rewrite", "offline")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.endswith(
        "-RUN pip install -r requirements.txt\n+COPY wheels/ /wheels/\n"
        "+RUN pip install --no-index --find-links=/wheels -r requirements.txt\n")
    assert (context / "Dockerfile").read_text() == before, "a diff, until --write"
    written = wheelhouse(context, index, "--platform", "linux/amd64", "--rewrite", "offline", "--write")
    assert written.returncode == 0 and "Dockerfile: rewritten to the offline form" in written.stdout
    assert (context / "Dockerfile").read_text() == before.replace(
        "RUN pip install -r", "COPY wheels/ /wheels/\nRUN pip install --no-index --find-links=/wheels -r")
    again = wheelhouse(context, index, "--platform", "linux/amd64", "--rewrite", "offline")
    assert "note: not rewritten: it already names --no-index or --find-links" in again.stderr and "+++" not in again.stdout


def test_the_fallback_rewrite_keeps_an_and_list_meaning_what_it_meant(tmp_path: Path, index: Path) -> None:
    context = _project(tmp_path, "python:3.12-slim", "fastpkg==1.0\nsrconly==1.0\n")
    (context / "Dockerfile").write_text("FROM python:3.12-slim\r\nWORKDIR /app\r\nCOPY requirements.txt .\r\n"
                                        "RUN pip install -r requirements.txt && \\\r\n    python -c 'import fastpkg'\r\n")  # fmt: skip
    offline = wheelhouse(context, index, "--platform", "linux/amd64", "--rewrite", "offline")
    assert offline.returncode == 1 and "not rewritten to the offline form: packages without a wheel" in offline.stderr
    done = wheelhouse(context, index, "--platform", "linux/amd64", "--rewrite", "fallback", "--write")
    assert done.returncode == 1, done.stderr
    assert (context / "Dockerfile").read_bytes().decode().endswith(
        "COPY requirements.txt .\r\nCOPY wheels/ /wheels/\r\n"
        "RUN { pip install --no-index --find-links=/wheels -r requirements.txt || pip install -r requirements.txt; } && \\\r\n"
        "    python -c 'import fastpkg'\r\n")


def test_an_exec_form_install_is_left_alone_with_the_reason(tmp_path: Path, index: Path) -> None:
    context = _project(tmp_path, "python:3.12-slim")
    (context / "Dockerfile").write_text('FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\n'
                                        'RUN ["pip", "install", "-r", "requirements.txt"]\n')  # fmt: skip
    done = wheelhouse(context, index, "--platform", "linux/amd64", "--rewrite", "fallback")
    assert done.returncode == 0 and "Dockerfile:4: note: not rewritten: its words cannot be placed (an exec-form RUN" in done.stderr
