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
    assert "  no wheel for this image: srconly==1.0: pip builds it from its sources in the image, from the index" in done.stdout
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
