"""`pip download` for an image, not for this machine: the target's tags, wheels only.

pip decides what is compatible (`--python-version`, `--implementation`, `--abi`,
`--platform`, which require `--only-binary=:all:`), so a package with no wheel for the
target fails the resolution. All requirements are tried together first; when that fails,
each on its own, so one package that only has sources costs only its own tree: the
others are downloaded, and it is named with pip's reason (it would be built in the
image, from the index). pip runs as `python -m pip` of dockerfix's own Python.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from ..records import NamedTuple
from .target import Target

PIP_TIMEOUT = 900
_NO_MATCH = re.compile(r"(?:No matching distribution found for|Could not find a version that satisfies the requirement) (\S+)")


class Missing(NamedTuple):
    """A requirement pip found no wheel for the target for: the one asked for, the
    package pip could not find (itself or a dependency), and pip's last error line."""

    requirement: str
    package: str
    reason: str


class Downloaded(NamedTuple):
    files: tuple[str, ...]
    missing: tuple[Missing, ...]


class PipError(Exception):
    """pip cannot be run, or failed for another reason than a missing wheel."""


def download(target: Target, requirements: Sequence[str], constraints: Sequence[Path], destination: Path,
             index_options: Sequence[str]) -> Downloaded:  # fmt: skip
    """Download the wheels of `requirements` (specifiers) for `target` into `destination`."""
    destination.mkdir(parents=True, exist_ok=True)
    before = set(path.name for path in destination.iterdir())
    common = [*target.pip_options(), f"--dest={destination}", *index_options, *(f"--constraint={path}" for path in constraints)]
    done = _pip([*common, *requirements])
    missing: list[Missing] = []
    if done.returncode != 0:
        for requirement in requirements:
            alone = _pip([*common, requirement])
            if alone.returncode != 0:
                missing.append(_missing(requirement, alone))
    files = tuple(sorted(path.name for path in destination.iterdir() if path.name not in before))
    return Downloaded(files, tuple(missing))


def _pip(arguments: list[str]) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--no-input", *arguments]
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=PIP_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise PipError(f"pip download took longer than {PIP_TIMEOUT // 60} minutes") from None
    except OSError as exc:
        raise PipError(f"cannot run pip: {exc.strerror or exc}") from None


def _missing(requirement: str, done: subprocess.CompletedProcess[str]) -> Missing:
    """Which package failed, from pip's message; another failure is an error."""
    said = done.stderr + done.stdout
    if "No module named pip" in said:
        raise PipError(f"{sys.executable} has no pip: install pip beside dockerfix to download wheels")
    found = _NO_MATCH.search(said)
    if found is None:
        last = next((line for line in reversed(said.splitlines()) if line.strip()), "pip failed")
        raise PipError(f"pip download {requirement}: {last.strip()}")
    reason = next(line.strip() for line in said.splitlines() if _NO_MATCH.search(line))
    return Missing(requirement, found.group(1), reason.removeprefix("ERROR: "))
