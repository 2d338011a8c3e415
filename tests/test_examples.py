"""The examples/ folder as golden tests, through the real command line, byte for byte.

Each example is a directory with a `Dockerfile` (before), `Dockerfile.expected` (after
`dockerfix --write`) and the build-context files the Dockerfile reads. A file named
`unsafe-fixes` in the directory means the example shows a fix written only with
`--unsafe-fixes`. The dry-run diff must apply with `git apply` and give the same bytes;
a file named `masked-diff` means the diff's lines hold a credential, which every output
masks (DFX113): then the diff must not show it, and cannot apply.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fixer.secrets import credentials

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CASES = sorted(path for path in EXAMPLES.iterdir() if (path / "Dockerfile.expected").exists())


def dockerfix(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """The real command line; output as bytes, so CRLF in a diff stays CRLF."""
    return subprocess.run([sys.executable, "-m", "fixer", *args], cwd=cwd, capture_output=True, check=False)


@pytest.mark.parametrize("example", CASES, ids=lambda path: path.name)
def test_example_is_fixed_byte_for_byte(example: Path, tmp_path: Path) -> None:
    work = tmp_path / example.name
    shutil.copytree(example, work)
    expected = (work / "Dockerfile.expected").read_bytes()
    flags = ["--unsafe-fixes"] if (work / "unsafe-fixes").exists() else []
    diff = dockerfix(*flags, "Dockerfile", cwd=work)
    assert diff.returncode == 1, diff.stderr
    assert diff.stdout.startswith(b"# Dockerfile:")
    written = dockerfix("--write", *flags, "Dockerfile", cwd=work)
    assert written.returncode in (0, 1), written.stderr
    assert (work / "Dockerfile").read_bytes() == expected
    again = dockerfix("--check", *flags, "Dockerfile", cwd=work)
    assert b"[*]" not in again.stdout, "a second run still has fixes"
    if (work / "masked-diff").exists():
        source = (example / "Dockerfile").read_text(encoding="utf-8")
        secrets = [source[start:end] for start, end in credentials(source)]
        assert secrets and not any(secret.encode() in diff.stdout for secret in secrets), "the diff shows a credential"
        return
    (work / "Dockerfile").write_bytes((example / "Dockerfile").read_bytes())
    subprocess.run(["git", "init", "-q"], cwd=work, check=True)
    subprocess.run(["git", "apply", "-"], cwd=work, input=diff.stdout, check=True)
    assert (work / "Dockerfile").read_bytes() == expected


def test_there_are_enough_examples() -> None:
    assert len(CASES) >= 12
