"""dockerfix installs from its wheel and runs, whichever installer a user picks.

Every other test imports the source tree, so none of them notices what only an install
shows: pyproject.toml lists the packages by hand (a new subpackage left off that list is
not in the wheel), and the console script, the dependencies and `python -m fixer` work
only as installed. So the wheel is built once, checked to hold the whole source package,
and installed with pip, pipx and uv, each into its own temporary place, and run there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from samples import BROKEN, FIXED_RUN

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "fixer"



@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built once for all the tests here, from a copy of the checkout.

    A build in the checkout would write build/ and an egg-info into it, and a build/lib
    left by an earlier build would carry deleted modules into the wheel. The copy holds
    what setuptools reads: the files at the root (pyproject.toml, README.md, LICENSE) and
    the package. The build is isolated, as a release build is: a fresh test venv has no
    `wheel` package, which setuptools before 70.1 needs to build without isolation.
    """
    source = tmp_path_factory.mktemp("source")
    for path in ROOT.iterdir():
        if path.is_file():
            shutil.copy2(path, source)
    shutil.copytree(ROOT / PACKAGE, source / PACKAGE, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    _succeeds([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out), str(source)], out)
    (built,) = out.glob("*.whl")
    return built


@pytest.fixture
def dockerfile(tmp_path: Path) -> Path:
    """A Dockerfile with one known fix, in a folder of its own to run dockerfix in."""
    path = tmp_path / "project" / "Dockerfile"
    path.parent.mkdir()
    path.write_text(BROKEN)
    return path


def test_wheel_holds_every_module_of_the_source_package(wheel: Path) -> None:
    """Every .py file under fixer/, in every subpackage, is in the wheel, and no other."""
    source = {path.relative_to(ROOT).as_posix() for path in (ROOT / PACKAGE).rglob("*.py")}
    with zipfile.ZipFile(wheel) as archive:
        packed = {name for name in archive.namelist() if name.startswith(f"{PACKAGE}/") and name.endswith(".py")}
    assert packed == source, (
        f"missing from the wheel: {sorted(source - packed)} (is the subpackage in pyproject.toml's "
        f"[tool.setuptools] packages?); only in the wheel: {sorted(packed - source)}"
    )


def test_pip_installs_a_working_program(wheel: Path, dockerfile: Path, tmp_path: Path) -> None:
    """pip into a fresh venv: the program, `python -m fixer`, explain and --write work.

    The venv is made without pip and this interpreter's pip installs into it (`pip
    --python`): the same install into the same kind of venv, without the seconds that
    ensurepip takes to put a pip into it.
    """
    venv = tmp_path / "venv"
    _succeeds([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path)
    python = venv / "bin" / "python"
    _succeeds([sys.executable, "-m", "pip", "--python", str(python), "install", str(wheel)], tmp_path)
    _assert_fixes(venv / "bin" / "dockerfix", dockerfile, wheel)

    imported = _run([python, "-c", f"import {PACKAGE}; print({PACKAGE}.__file__)"], dockerfile.parent)
    assert Path(imported.stdout.strip()).is_relative_to(venv), imported
    module = _run([python, "-m", PACKAGE, "--version"], dockerfile.parent)
    assert (module.returncode, module.stdout) == (0, f"dockerfix, version {_version(wheel)}\n"), module

    explained = _run([venv / "bin" / "dockerfix", "explain", dockerfile.name], dockerfile.parent)
    assert explained.returncode == 0, explained
    assert "DFX101" in explained.stdout, explained

    written = _run([venv / "bin" / "dockerfix", "--write", dockerfile.name], dockerfile.parent)
    assert written.returncode == 0, written
    assert FIXED_RUN in dockerfile.read_text().splitlines()
    rechecked = _run([venv / "bin" / "dockerfix", "--check", dockerfile.name], dockerfile.parent)
    assert rechecked.returncode == 0, rechecked


def test_pipx_installs_a_working_program(wheel: Path, dockerfile: Path, tmp_path: Path) -> None:
    """pipx, with its home, bin, man and completion folders in tmp, not in ~/.local.

    Its pip backend is asked for: with uv installed beside it, pipx would hand the
    install to uv, which the uv test covers, and a pipx without uv (the usual one)
    installs with pip.
    """
    pytest.importorskip("pipx", reason="pipx is not installed; the `test` extra installs it")
    env = {
        "PIPX_HOME": str(tmp_path / "home"),
        "PIPX_BIN_DIR": str(tmp_path / "bin"),
        "PIPX_MAN_DIR": str(tmp_path / "man"),
        "PIPX_COMPLETION_DIR": str(tmp_path / "completion"),
        "PIPX_DEFAULT_BACKEND": "pip",
    }
    _succeeds([sys.executable, "-m", "pipx", "install", str(wheel)], tmp_path, **env)
    _assert_fixes(tmp_path / "bin" / "dockerfix", dockerfile, wheel)


def test_uv_tool_installs_a_working_program(wheel: Path, dockerfile: Path, tmp_path: Path) -> None:
    """uv tool install, with its tools and bin folders in tmp, on this interpreter.

    `--python` keeps uv from downloading a Python; uv's cache stays where it is, so the
    dependencies come from it after the first run.
    """
    uv = pytest.importorskip("uv", reason="uv is not installed; the `test` extra installs it")
    env = {"UV_TOOL_DIR": str(tmp_path / "tools"), "UV_TOOL_BIN_DIR": str(tmp_path / "bin")}
    _succeeds([uv.find_uv_bin(), "tool", "install", "--python", sys.executable, str(wheel)], tmp_path, **env)
    _assert_fixes(tmp_path / "bin" / "dockerfix", dockerfile, wheel)


def _assert_fixes(program: Path, dockerfile: Path, wheel: Path) -> None:
    """The installed program says its version, finds the fault, and shows the fix."""
    version = _run([program, "--version"], dockerfile.parent)
    assert (version.returncode, version.stdout) == (0, f"dockerfix, version {_version(wheel)}\n"), version

    checked = _run([program, "--check", dockerfile.name], dockerfile.parent)
    assert checked.returncode == 1, checked
    assert checked.stdout.startswith("Dockerfile:6:31: DFX101 "), checked

    dry_run = _run([program, dockerfile.name], dockerfile.parent)
    assert dry_run.returncode == 1, dry_run
    assert f"\n+{FIXED_RUN}\n" in dry_run.stdout, dry_run
    assert dockerfile.read_text() == BROKEN, "a dry run changed the file"


def _version(wheel: Path) -> str:
    """The version in the wheel's name, which the installed program must report."""
    return wheel.name.split("-")[1]


def _succeeds(argv: list, cwd: Path, **env: str) -> None:
    """Run an install step, which must succeed; its output is the failure's message."""
    result = _run(argv, cwd, **env)
    assert result.returncode == 0, f"{result.args} failed:\n{result.stdout}\n{result.stderr}"


def _run(argv: list, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run a program outside the checkout, with no way back into the source tree.

    A PYTHONPATH into the checkout, or the checkout as the working folder of `python -m`,
    would import the source tree instead of what was installed; an active venv's
    VIRTUAL_ENV would point the installers at it.
    """
    clean = {name: value for name, value in os.environ.items() if name not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}}
    return subprocess.run(
        [str(arg) for arg in argv],
        cwd=cwd,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
