"""The Python, libc and architecture an image's pip installs for, as pip's tags.

From the FROM, where it says:
- the official `python` image: the tag's version (`3.12`, `3.12.7-slim-bookworm`); a tag
  without `X.Y` (`3`, `latest`, `slim`) floats between versions and is refused. Its libc is
  musl for `-alpine` tags, else glibc: Debian's of the named release (bullseye 2.31,
  bookworm 2.36, trixie 2.41; docker-library/python's variants), and for a tag that names
  none, bookworm's 2.36, which a wheel built for it runs on in trixie too (the default
  moved from bookworm to trixie in 2025). Windows tags are refused.
- `debian:bookworm` (`debian:12`): Debian's `python3`, 3.11 (as the e2e image's pip
  reports it, docs/e2e.md) with glibc 2.36.
- anything else: `--python-version` and `--libc` must say.
The architecture: the FROM's `--platform` when it names one, else the flag, else this
machine's (a build's default platform is its builder's).
"""

from __future__ import annotations

import platform as host
import re

from ..images import parse_image_reference
from ..records import NamedTuple

_PYTHON_TAG = re.compile(r"(?P<major>\d)\.(?P<minor>\d+)(?:\.\d+)?(?:[a-z]+\d*)?(?P<variant>[-.].*)?")
_DEBIAN_GLIBC = {"bullseye": (2, 31), "bookworm": (2, 36), "trixie": (2, 41)}
_DEFAULT_GLIBC = (2, 36)
_ARCHITECTURES = {"amd64": "x86_64", "x86_64": "x86_64", "arm64": "aarch64", "aarch64": "aarch64",
                  "arm64/v8": "aarch64", "ppc64le": "ppc64le", "s390x": "s390x"}  # fmt: skip
_LIBC = re.compile(r"glibc-?(?P<major>2)\.(?P<minor>\d+)|musl")


class TargetError(Exception):
    """What the image's Python or platform cannot be told from; the message says which flag to pass."""


class Target(NamedTuple):
    """pip's view of an image: `--python-version`, `--implementation`, `--abi` and
    `--platform` values, and how they were worked out, for people."""

    python: str
    abis: tuple[str, ...]
    platforms: tuple[str, ...]
    described: str
    implementation: str = "cp"

    def pip_options(self) -> list[str]:
        options = ["--only-binary=:all:", f"--python-version={self.python}", f"--implementation={self.implementation}"]
        options += [f"--abi={abi}" for abi in self.abis]
        return options + [f"--platform={name}" for name in self.platforms]


def target_of(image: str, from_platform: str | None, python: str | None = None, libc: str | None = None,
              platform: str | None = None) -> Target:  # fmt: skip
    """The target of an install in a stage `FROM image` (with the FROM's `--platform`), flags winning."""
    version, glibc, origin = _from_image(image)
    version = python or version
    if version is None:
        raise TargetError(f"{image!r} does not say which Python it has: pass --python-version (say 3.12)")
    if not re.fullmatch(r"3\.\d+", version):
        raise TargetError(f"--python-version must be 3.X, not {version!r}")
    if libc is not None:
        glibc = _libc(libc)
    elif python is not None and origin is None:
        raise TargetError(f"{image!r} does not say which libc it has: pass --libc (glibc-2.36, musl)")
    architecture, where = _architecture(from_platform, platform)
    minor = version.split(".")[1]
    platforms = _platform_tags(glibc, architecture)
    libc_text = "musl" if glibc is None else f"glibc {glibc[0]}.{glibc[1]}"
    described = f"CPython {version}, {libc_text}, {architecture} ({origin or 'flags'}; {where})"
    return Target(version, (f"cp3{minor}", "abi3", "none"), platforms, described)


def _from_image(image: str) -> tuple[str | None, tuple[int, int] | None, str | None]:
    """The Python version, glibc (None: musl) and where they come from, as far as the image says."""
    reference = parse_image_reference(image)
    if reference is None:
        return None, _DEFAULT_GLIBC, None
    tag = reference.tag or "latest"
    if reference.registry == "docker.io" and reference.repository == "library/python":
        found = _PYTHON_TAG.fullmatch(tag)
        if found is None:
            return None, _DEFAULT_GLIBC, None
        variant = found["variant"] or ""
        if "windowsservercore" in variant or "nanoserver" in variant:
            raise TargetError(f"{image!r} is a Windows image: a wheelhouse is for Linux images")
        release = next((name for name in _DEBIAN_GLIBC if name in variant), None)
        glibc = None if "alpine" in variant else _DEBIAN_GLIBC[release] if release else _DEFAULT_GLIBC
        return f"{found['major']}.{found['minor']}", glibc, f"the tag of {image}"
    if reference.registry == "docker.io" and reference.repository == "library/debian" and tag in ("bookworm", "12", "bookworm-slim", "12-slim"):
        return "3.11", _DEBIAN_GLIBC["bookworm"], f"Debian bookworm's python3, {image}"
    return None, _DEFAULT_GLIBC, None


def _libc(text: str) -> tuple[int, int] | None:
    found = _LIBC.fullmatch(text.lower())
    if found is None:
        raise TargetError(f"--libc must be glibc-2.N or musl, not {text!r}")
    return None if text.lower() == "musl" else (2, int(found["minor"]))


def _architecture(from_platform: str | None, flag: str | None) -> tuple[str, str]:
    """The CPU architecture in pip's spelling, and where it came from."""
    if from_platform and "$" in from_platform and flag is None:
        raise TargetError(f"the FROM's --platform={from_platform} is decided at build time: pass --platform (say linux/amd64)")
    chosen, where = ((flag, "--platform") if flag else (from_platform, "the FROM's --platform") if from_platform and "$" not in from_platform
                     else (host.machine(), "this machine's architecture; pass --platform for another"))  # fmt: skip
    name = chosen.lower().removeprefix("linux/")
    if name.startswith("windows/"):
        raise TargetError(f"{chosen} is a Windows platform: a wheelhouse is for Linux images")
    if name not in _ARCHITECTURES:
        raise TargetError(f"unknown platform {chosen!r}: pass --platform linux/amd64, linux/arm64, linux/ppc64le or linux/s390x")
    return _ARCHITECTURES[name], where


def _platform_tags(glibc: tuple[int, int] | None, architecture: str) -> tuple[str, ...]:
    """pip's platform tags for the libc and architecture, newest first, with the legacy aliases."""
    if glibc is None:
        return (f"musllinux_1_2_{architecture}", f"musllinux_1_1_{architecture}")
    tags = [f"manylinux_2_{minor}_{architecture}" for minor in range(glibc[1], 16, -1)]
    tags.append(f"manylinux2014_{architecture}")
    if architecture == "x86_64":
        tags += [f"manylinux_2_{minor}_x86_64" for minor in range(16, 4, -1)]
        tags += ["manylinux2010_x86_64", "manylinux1_x86_64"]
    return tuple(tags)
