"""Realistic Dockerfiles through the real command line: invariants that hold for any rules.

Every Dockerfile under `tests/realistic/` (one project per subdirectory, with the build
context its COPY and RUN lines read) is copied to a temporary directory and run through
`python -m fixer` as a user would: dry run, `--check`, `--write --unsafe-fixes` twice,
a dry run on the written file, the dry-run diff applied with `git apply`, and
`explain --format json`. The originals are never touched.

What must hold, whichever rules are registered:
- the dry run, `--check` and `--write` exit 0 or 1, never 2, never with a traceback;
- every written file parses without errors, with our parser and with BuildKit's;
- writing again changes nothing, and a dry run on the written file prints no diff;
- the dry-run diff, applied with `git apply`, gives exactly the bytes `--write` writes;
- files listed in `CORRECT` stay byte-identical;
- `explain --format json` exits 0 with valid JSON.
`test_buggy_file_is_reported` records which files should be flagged, and by which rule;
it is an expected failure until that rule lands.

Speed: each mode runs once over all files (the command line takes many paths), so the
whole module costs a handful of processes plus one `explain` per file, run in parallel.
When a batch run fails, the per-file tests find the failing files (stderr names them, or
bisection over fresh copies after a traceback) so each failure points at one file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from fixer.discovery import is_dockerfile_name
from fixer.parser import decode, parse
from fixer.rules import ALL_RULES

try:
    import dockerfile as buildkit
except ImportError:  # the oracle ships wheels for x86-64 Linux and Windows only
    buildkit = None

REALISTIC = Path(__file__).parent / "realistic"
GIT = shutil.which("git")

# Files that have a bug, the rules expected to report it, and what the bug is.
BUGS: Mapping[str, tuple[tuple[str, ...], str]] = {
    "alpine-adduser-root-mount": (("DFX101", "DFX104"), "pip runs as notifier (HOME /home/notifier) under a mount at /root/.cache/pip"),
    "apt-binary-under-mount": (("DFX108",), "`apt install` under a /var/cache/apt mount: apt deletes what it downloaded"),
    "apt-docker-clean-unlocked": (("DFX108", "DFX109"), "python:slim's docker-clean empties the apt mounts, which are shared unlocked"),
    "apt-multistage-unlocked": (("DFX109",), "two stages that BuildKit runs in parallel share unlocked apt cache mounts"),
    "apt-clean-under-mount": (("DFX110",), "apt-get clean and rm -rf /var/lib/apt/lists/* under apt's own cache mounts"),
    "arg-python-version-copy-order": (("DFX105",), "COPY . . before pip install -r requirements.txt -c constraints.txt"),
    "cache-dir-flag-mismatch": (("DFX102",), "--cache-dir /opt/pip-cache on the command while the mount is at /root/.cache/pip"),
    "arg-self-referencing-uid": (("DFX104",), "ARG APP_UID=\"${APP_UID:-6972}\", useradd -u $APP_UID: notify cannot write the root-owned mount"),
    "arg-user-uid-home": (("DFX104",), "USER, UID and HOME from ARG defaults: user (uid 1000) cannot write the root-owned ${HOME}/.cache mount"),
    "celery-pip-no-cache-dir-env": (("DFX102",), "ENV PIP_NO_CACHE_DIR=1 under a pip cache mount"),
    "combined-no-cache-dir-env-home": (("DFX101", "DFX103"), "--no-cache-dir under a mount at /root/.cache/pip while ENV HOME=/app"),
    "combined-parent-mount-nonroot": (("DFX101",), "a /root/.cache mount used by pip as user (HOME /home/user): misplaced and root-owned"),
    "comments-in-continuation-env-home": (("DFX101",), "ENV HOME=/code, mount at /root/.cache/pip; comments inside the continuations"),
    "copy-all-before-requirements": (("DFX105",), "COPY . . before pip install -r requirements.txt"),
    "copy-order-nested-requirements": (("DFX105",), "COPY . /srv before installing requirements/production.txt (-r base.txt, -c ../constraints.txt)"),
    "crlf-env-home-root-mount": (("DFX101",), "CRLF file; ENV HOME=/srv/inventory, mount at /root/.cache/pip"),
    "cuda-nonroot-root-mount": (("DFX101", "DFX104"), "nvidia/cuda base; pip runs as trainer under a mount at /root/.cache/pip"),
    "django-env-home-root-mount": (("DFX101", "DFX105"), "ENV HOME=/app, mount at /root/.cache/pip (problem.md 1a); COPY . . before pip install -e ."),
    "env-home-then-user": (("DFX101",), "ENV HOME=/app then USER dash: pip uses /app/.cache/pip, the mount is at /home/dash/.cache/pip"),
    "exec-form-no-cache-dir-under-mount": (("DFX103",), "exec-form RUN: pip install --no-cache-dir under a cache mount"),
    "fastapi-no-cache-dir-under-mount": (("DFX103",), "pip install --no-cache-dir under a cache mount"),
    "flask-user-app-root-mount": (("DFX101", "DFX104"), "USER app (HOME /home/app), mount at /root/.cache/pip"),
    "heredoc-no-cache-dir-under-mount": (("DFX103",), "RUN <<EOF heredoc: pip install --no-cache-dir under a cache mount"),
    "home-var-mount-target": (("DFX101",), "target=$HOME/.cache/pip without ENV HOME mounts at /.cache/pip"),
    "inline-pip-no-cache-dir-env": (("DFX103",), "PIP_NO_CACHE_DIR=1 pip install ... under a cache mount"),
    "jupyter-root-cache-mount": (("DFX101", "DFX104"), "jupyter image runs as jovyan (HOME /home/jovyan), mount at /root/.cache/pip"),
    "multistage-inherited-no-cache-dir": (("DFX103",), "PIP_NO_CACHE_DIR=off inherited from the parent stage `base`"),
    "ngc-pytorch-image-no-cache-dir": (("DFX103", "DFX102"), "the NGC image's /etc/xdg/pip/pip.conf sets no-cache-dir; only --cache-dir overrides it"),
    "nonroot-root-owned-mount": (("DFX104",), "USER appuser (uid 1000) under a root-owned mount at /home/appuser/.cache/pip (problem.md 1c)"),
    "pip-cache-dir-env-mismatch": (("DFX102", "DFX101"), "ENV PIP_CACHE_DIR=/tmp/pip-cache inherited from `base`, mount at /root/.cache/pip"),
    "pip-global-option-old-pip": (("DFX101",), "ENV HOME=/build, mount at /root/.cache/pip; --global-option only older pips take"),
    "pip-config-no-cache-dir": (("DFX103",), "pip config set global.no-cache-dir false disables the cache under the mount"),
    "pip-no-cache-abbreviation": (("DFX103",), "pip install --no-cache (abbreviation of --no-cache-dir) under a cache mount"),
    "pipenv-copy-order": (("DFX105",), "COPY . . before pipenv install --deploy --system"),
    "private-base-nonroot-home-mount": (("DFX104",), "a private base image (HOME not known), USER 1001 under a root-owned mount at /home/app/.cache/pip"),
    "private-base-nonroot-root-mount": (("DFX104",), "a private base image (HOME not known), USER worker under a mount at /root/.cache/pip"),
    "python-version-arg-no-default": (("DFX101",), "FROM python:\"${PYTHON_VERSION}\"-slim without a default; USER api under a mount at /root/.cache/pip"),
    "poetry-copy-order": (("DFX105",), "COPY . /app before poetry install --only main"),
    "runuser-root-mount": (("DFX101",), "runuser -u svc -- pip install: HOME /home/svc, mount at /root/.cache/pip"),
    "setuppy-copy-order": (("DFX105",), "COPY . . before pip install . (setup.py/setup.cfg project)"),
    "uid-only-user-root-mount": (("DFX101", "DFX104"), "USER 1000 (appuser, HOME /home/appuser), mount at /root/.cache/pip"),
    "user-uid-gid-not-in-passwd": (("DFX101", "DFX104"), "USER 10001:10001 not in passwd: HOME=/, mount at /root/.cache/pip"),
    "pdm-copy-order": (("DFX105",), "COPY . . before pdm install: every source change reruns it"),
    "pdm-no-cache-under-mount": (("DFX103",), "PDM_NO_CACHE=1 pdm install under a /root/.cache/pdm mount"),
    "pdm-nonroot-root-owned-mount": (("DFX104",), "pdm as quotes (uid 10001) under a root-owned mount at its home's cache: pdm fails"),
    "pdm-nonroot-root-mount": (("DFX101",), "pdm as quotes (uid 10001, HOME /home/quotes) under a mount at /root/.cache/pdm"),
    "pipenv-nonroot-root-owned-mount": (("DFX104",), "pipenv as blog (uid 1001) under a root-owned mount: its pip silently disables the cache"),
    "pipenv-no-cache-dir-under-mount": (("DFX103",), "PIP_NO_CACHE_DIR=1 pipenv install: pipenv's pip leaves the pipenv mount unused"),
    "pipenv-under-pip-mount": (("DFX101",), "a pip mount over pipenv install, whose pip caches in PIPENV_CACHE_DIR"),
    "poetry-no-cache-under-mount": (("DFX103",), "poetry install --no-cache under a /root/.cache/pypoetry mount"),
    "poetry-nonroot-root-owned-mount": (("DFX104",), "poetry as billing (uid 1000) under a root-owned mount at its home's cache: poetry fails"),
    "poetry-nonroot-root-mount": (("DFX101",), "poetry as billing (uid 1000) under a mount at /root/.cache/pypoetry"),
    "poetry-under-pip-mount": (("DFX101",), "a pip mount over poetry install, which never runs pip"),
    "poetry-venv-in-cache-mount": (("DFX107",), "poetry's default virtualenv in /root/.cache/pypoetry/virtualenvs, on the mount"),
    "uv-cache-clean-under-mount": (("DFX110",), "uv cache prune --ci after the install drops every downloaded wheel from the mount"),
    "uv-cache-dir-mismatch": (("DFX102",), "uv pip install --cache-dir /tmp/uv-cache while the mount is at /root/.cache/uv"),
    "uv-link-mode-default": (("DFX106",), "uv hard-links from its cache mount (no UV_LINK_MODE=copy)"),
    "uv-sync-copy-order": (("DFX105",), "COPY . /app before uv sync: every source change reruns it"),
    "uv-under-pip-mount": (("DFX101",), "a pip mount over uv pip install"),
    "uv-no-cache-under-mount": (("DFX103",), "ENV UV_NO_CACHE=1 under uv cache mounts"),
    "uv-nonroot-home-moved": (("DFX101", "DFX103"), "uv sync --no-cache as app with HOME=/srv/app under a mount at /root/.cache/uv"),
    "uv-nonroot-root-owned-mount": (("DFX104",), "uv as ingest (uid 1001) under a root-owned mount at /home/ingest/.cache/uv"),
    "windows-escape-copy-order": (("DFX105",), "escape=` Windows image, CRLF: COPY . C:\\app\\ before pip install -r requirements.txt"),
    "no-mount-no-cache-dir": (("DFX111",), "pip install --no-cache-dir with no cache mount: every build downloads everything"),
    "cuda-apt-no-cache-mount": (("DFX111",), "the runtime stage's apt-get update && install has no cache mount"),
    "django-apt-no-cache-mount": (("DFX111",), "the runtime stage's apt-get update && install has no cache mount"),
    "pdm-no-cache-mount": (("DFX111",), "pip install -U pdm and the project's pdm install have no cache mount"),
    "poetry-pip-no-cache-mount": (("DFX111",), "pip install poetry has no cache mount"),
}

# The classes of combined problems and of facts from build arguments and base
# image families: after `--write --unsafe-fixes` each has these lines and no finding left.
CONVERGED: Mapping[str, tuple[str, ...]] = {
    "arg-self-referencing-uid": (
        "RUN --mount=type=cache,target=/home/notify/.cache/pip,uid=${APP_UID},gid=${APP_UID} \\",
        "    python -m pip install --cache-dir=/home/notify/.cache/pip --user --requirement requirements.txt",
    ),
    "arg-user-uid-home": (
        "RUN --mount=type=cache,target=${HOME}/.cache,uid=${UID},gid=${UID} pip install --user -r requirements.txt",
    ),
    "combined-no-cache-dir-env-home": (
        "RUN --mount=type=cache,target=/app/.cache/pip \\",
        "    pip install --cache-dir=/app/.cache/pip -r requirements.txt",
    ),
    "combined-parent-mount-nonroot": (
        "RUN --mount=type=cache,target=/home/user/.cache,uid=1000,gid=1000 \\",
        "    pip install --cache-dir=/home/user/.cache/pip --user -r requirements.txt",
    ),
    "pip-global-option-old-pip": (
        "RUN --mount=type=cache,target=/build/.cache/pip \\",
        "    pip3 install --cache-dir=/build/.cache/pip --global-option=--quiet ./ext",
    ),
    "private-base-nonroot-home-mount": (
        "RUN --mount=type=cache,target=/home/app/.cache/pip,sharing=locked,uid=1001,gid=1001 \\",
    ),
    "private-base-nonroot-root-mount": (
        "RUN --mount=type=cache,target=/home/worker/.cache/pip,uid=1000,gid=1000 \\",
    ),
    "python-version-arg-no-default": (
        "RUN --mount=type=cache,target=/home/api/.cache/pip,uid=10001,gid=10001 \\",
        "    pip install --cache-dir=/home/api/.cache/pip --user -r requirements.txt",
    ),
    "uv-nonroot-home-moved": (
        "RUN --mount=type=cache,target=/srv/app/.cache/uv,uid=1000,gid=1000 \\",
        "    uv sync --cache-dir=/srv/app/.cache/uv --frozen --no-install-project",
    ),
}

# Files that work, but only while HOME stays put: DFX102 alone pins pip's cache with
# `--cache-dir`, and `--write` adds nothing else.
HARDENED: Mapping[str, str] = {
    "env-home-matching-mount": "ENV HOME=/app with the mount at /app/.cache/pip",
    "jupyter-correct": "the image's USER jovyan and HOME /home/jovyan put pip on the mount",
    "nonroot-uid-gid-mount": "USER appuser (HOME /home/appuser) puts pip on the mount",
    "user-before-env-home-correct": "ENV HOME=/home/api puts pip on the mount",
}

# Files that are right already: `--write --unsafe-fixes` must leave them byte-identical.
CORRECT = frozenset({
    "alpine-venv-then-user",
    "apt-documented-recipe-correct",
    "apt-and-pip-cache-locked",
    "arg-python-version-correct",
    "comments-continuation-correct",
    "crlf-correct",
    "cuda-multistage-correct",
    "django-nonroot",
    "exec-form-correct",
    "explicit-cache-dir",
    "heredoc-correct",
    "pdm-no-self",
    "pip-cache-dir-env",
    "pipenv-system",
    "poetry-no-root",
    "requirements-then-project-no-deps",
    "user-then-root-correct",
    "uv-multistage-nonroot",
    "uv-official-recipe",
    "uv-pip-system",
    "wheelhouse-offline",
    "windows-escape-correct",
})


def _discover() -> list[str]:
    """Every Dockerfile under tests/realistic, as a path relative to it (posix)."""
    return sorted(
        path.relative_to(REALISTIC).as_posix()
        for path in REALISTIC.rglob("*")
        if path.is_file() and is_dockerfile_name(path.name)
    )


FILES = _discover()


def case_of(file: str) -> str:
    return file.split("/", 1)[0]


# --------------------------------------------------------------------------------------
# Running the command line


@dataclass(frozen=True)
class Run:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def clean(self) -> bool:
        return self.returncode in (0, 1) and "Traceback" not in self.stderr and "Traceback" not in self.stdout

    def describe(self) -> str:
        files = [arg for arg in self.args if not arg.startswith("-")]
        flags = [arg for arg in self.args if arg.startswith("-")]
        shown = " ".join(flags + (files if len(files) <= 2 else [f"<{len(files)} files>"]))
        return f"`dockerfix {shown}` exited {self.returncode}\nstderr:\n{self.stderr}"


_ENV = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "PYTHONDONTWRITEBYTECODE": "1"}


def dockerfix(*args: str, cwd: Path) -> Run:
    result = subprocess.run([sys.executable, "-m", "fixer", *args], cwd=cwd, capture_output=True, check=False, env=_ENV)
    return Run(args, result.returncode, _text(result.stdout), _text(result.stderr))


def _text(data: bytes) -> str:
    """Output as written: no universal-newline translation (it would turn CRLF diffs into LF)."""
    return data.decode("utf-8", "surrogateescape")


def git(*args: str, cwd: Path, stdin: str | None = None) -> tuple[int, str]:
    """Run git; its exit code and stderr. The input goes byte for byte (CRLF kept)."""
    if GIT is None:
        return 127, "git is not installed"
    result = subprocess.run(
        ["git", "-c", "core.autocrlf=false", "-c", "core.safecrlf=false", *args],
        cwd=cwd,
        input=None if stdin is None else stdin.encode("utf-8", "surrogateescape"),
        capture_output=True,
        check=False,
        env=_ENV,
    )
    return result.returncode, _text(result.stderr)


def copy_tree(destination: Path) -> Path:
    shutil.copytree(REALISTIC, destination, ignore=shutil.ignore_patterns("__pycache__"))
    git("init", "-q", cwd=destination)
    return destination


def snapshot(tree: Path) -> dict[str, bytes]:
    return {file: (tree / file).read_bytes() for file in FILES}


_HEADER = re.compile(r"^--- a/(?P<name>.+)\n\+\+\+ b/(?P=name)\n", re.MULTILINE)


def split_diff(output: str) -> dict[str, str]:
    """The dry-run output, cut into one patch per file; comment lines are left out.

    A file's section is its `--- a/` `+++ b/` header and the hunk lines after it (they
    start with `@`, ` `, `+`, `-` or `\\`), up to the next `#` comment line or header.
    """
    patches: dict[str, str] = {}
    headers = list(_HEADER.finditer(output))
    for index, header in enumerate(headers):
        end = headers[index + 1].start() if index + 1 < len(headers) else len(output)
        lines = output[header.end() : end].splitlines(keepends=True)
        body = []
        for line in lines:
            if line.startswith("#"):
                break
            body.append(line)
        patches[header.group("name")] = header.group(0) + "".join(body)
    return patches


# --------------------------------------------------------------------------------------
# The batch runs, once per module


@dataclass
class Batch:
    original: dict[str, bytes]
    dry: dict[bool, Run]  # by --unsafe-fixes
    check: Run
    write: dict[bool, Run]
    written: dict[bool, dict[str, bytes]]  # bytes after the first --write, by --unsafe-fixes
    written_tree: Path  # the tree after `--write --unsafe-fixes`
    written_copy: Path  # a copy of it, taken before the second write
    rewrite: Run  # a second `--write --unsafe-fixes`
    rewritten: dict[str, bytes]
    dry_after: dict[bool, Run]  # dry runs on the written tree
    patches: dict[bool, dict[str, str]]
    applied: dict[bool, dict[str, tuple[int, str, bytes]]]  # git apply: returncode, stderr, result


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    base = tmp_path_factory.mktemp("realistic")
    checked = copy_tree(base / "checked")
    original = snapshot(checked)
    dry = {unsafe: dockerfix(*FILES, *(["--unsafe-fixes"] if unsafe else []), cwd=checked) for unsafe in (False, True)}
    check = dockerfix("--check", *FILES, cwd=checked)
    assert snapshot(checked) == original, "a dry run or --check changed a file"

    write, written = {}, {}
    trees = {}
    for unsafe in (False, True):
        tree = copy_tree(base / f"written-{'unsafe' if unsafe else 'safe'}")
        write[unsafe] = dockerfix("--write", *(["--unsafe-fixes"] if unsafe else []), *FILES, cwd=tree)
        written[unsafe] = snapshot(tree)
        trees[unsafe] = tree
    written_tree = trees[True]
    written_copy = base / "written-copy"
    shutil.copytree(written_tree, written_copy)
    rewrite = dockerfix("--write", "--unsafe-fixes", *FILES, cwd=written_tree)
    rewritten = snapshot(written_tree)
    dry_after = {
        unsafe: dockerfix(*FILES, *(["--unsafe-fixes"] if unsafe else []), cwd=written_tree) for unsafe in (False, True)
    }

    patches = {unsafe: split_diff(dry[unsafe].stdout) for unsafe in (False, True)}
    applied: dict[bool, dict[str, tuple[int, str, bytes]]] = {False: {}, True: {}}
    for unsafe in (False, True):
        tree = copy_tree(base / f"applied-{'unsafe' if unsafe else 'safe'}")
        for name, patch in patches[unsafe].items():
            returncode, stderr = git("apply", "-", cwd=tree, stdin=patch)
            target = tree / name
            applied[unsafe][name] = (returncode, stderr, target.read_bytes() if target.exists() else b"")
    return Batch(
        original, dry, check, write, written, written_tree, written_copy, rewrite, rewritten, dry_after, patches, applied
    )


@pytest.fixture(scope="module")
def explained(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    tree = copy_tree(tmp_path_factory.mktemp("explain") / "tree")
    with ThreadPoolExecutor(max_workers=4) as pool:
        runs = pool.map(lambda file: dockerfix("explain", "--format", "json", file, cwd=tree), FILES)
        return dict(zip(FILES, runs))


class Culprits:
    """Which files make a failed batch run fail, memoised per (flags, tree).

    An error exit (2) names its files on stderr, and every other file was still
    processed, so those names are the answer. A traceback ends the process, so the files
    after the culprit were never tried: then halve the list level by level (the halves
    of a level run in parallel, each on a fresh copy) until single files remain.
    """

    def __init__(self, base: Path) -> None:
        self.base = base
        self.found: dict[tuple[tuple[str, ...], Path], dict[str, Run]] = {}

    def __call__(self, batch_run: Run, tree: Path) -> dict[str, Run]:
        flags = tuple(arg for arg in batch_run.args if arg.startswith("-"))
        key = (flags, tree)
        if key not in self.found:
            named = self._named(batch_run)
            self.found[key] = named if named is not None else self._bisect(flags, tree)
        return self.found[key]

    @staticmethod
    def _named(run: Run) -> dict[str, Run] | None:
        if "Traceback" in run.stderr or "Traceback" in run.stdout:
            return None
        lines = run.stderr.splitlines()
        named = {}
        for file in FILES:
            mine = [line for line in lines if line.startswith((f"{file}:", f"dockerfix: error: {file}:"))]
            if mine:
                flags = tuple(arg for arg in run.args if arg.startswith("-"))
                named[file] = Run((*flags, file), run.returncode, "", "\n".join(mine) + "\n")
        return named or None

    def _bisect(self, flags: tuple[str, ...], tree: Path) -> dict[str, Run]:
        failing: dict[str, Run] = {}
        groups = [list(FILES)]
        with ThreadPoolExecutor(max_workers=4) as pool:
            while groups:
                halves = [half for group in groups for half in (group[: len(group) // 2], group[len(group) // 2 :]) if half]
                runs = list(pool.map(lambda files: self._run(files, flags, tree), halves))
                groups = []
                for files, run in zip(halves, runs):
                    if run.clean:
                        continue
                    if len(files) == 1:
                        failing[files[0]] = run
                    else:
                        groups.append(files)
        return failing

    def _run(self, files: list[str], flags: tuple[str, ...], tree: Path) -> Run:
        copy = Path(tempfile.mkdtemp(dir=self.base))
        for case in sorted({case_of(file) for file in files}):
            shutil.copytree(tree / case, copy / case)
        git("init", "-q", cwd=copy)
        return dockerfix(*flags, *files, cwd=copy)


@pytest.fixture(scope="module")
def culprits(tmp_path_factory: pytest.TempPathFactory) -> Culprits:
    return Culprits(tmp_path_factory.mktemp("culprits"))


# --------------------------------------------------------------------------------------
# The catalogue


def test_every_case_is_catalogued_once() -> None:
    cases = {case_of(file) for file in FILES}
    assert len(cases) >= 45
    catalogues = [set(BUGS), set(HARDENED), set(CORRECT)]
    assert set(CONVERGED) <= set(BUGS)
    assert sum(map(len, catalogues)) == len(set().union(*catalogues)), "a case belongs to one catalogue only"
    catalogued = set().union(*catalogues)
    assert cases == catalogued, f"not catalogued: {sorted(cases - catalogued)}; no such case: {sorted(catalogued - cases)}"
    codes = {rule.code for rule in ALL_RULES}
    assert all(expected and set(expected) <= codes for expected, _ in BUGS.values())
    readme = (REALISTIC / "README.md").read_text()
    assert [case for case in sorted(cases) if f"`{case}`" not in readme] == [], "README.md must list every case"


# --------------------------------------------------------------------------------------
# Exit codes, no tracebacks


def test_batch_runs_exit_0_or_1_without_traceback(batch: Batch) -> None:
    runs = [*batch.dry.values(), batch.check, *batch.write.values(), batch.rewrite, *batch.dry_after.values()]
    assert [run.describe() for run in runs if not run.clean] == []
    # Both say 1 exactly when something was found or would change.
    assert batch.dry[False].returncode == batch.check.returncode


@pytest.mark.parametrize("file", FILES)
def test_file_exits_0_or_1_without_traceback(file: str, batch: Batch, culprits: Culprits) -> None:
    """Free while the batch runs are clean; otherwise bisection names the failing files."""
    modes: list[tuple[Run, Path]] = [
        (batch.dry[False], REALISTIC),
        (batch.dry[True], REALISTIC),
        (batch.check, REALISTIC),
        (batch.write[False], REALISTIC),
        (batch.write[True], REALISTIC),
        (batch.rewrite, batch.written_copy),
    ]
    failures = []
    for run, tree in modes:
        if run.clean:
            continue
        single = culprits(run, tree).get(file)
        if single is not None:
            failures.append(single.describe())
    assert failures == []


# --------------------------------------------------------------------------------------
# What --write writes


@pytest.mark.parametrize("file", FILES)
def test_written_file_parses(file: str, batch: Batch) -> None:
    for unsafe in (False, True):
        text = decode(batch.written[unsafe][file])
        assert [(e.line, e.column, e.message) for e in parse(text).errors] == []
        if buildkit is None:
            continue
        try:
            buildkit.parse_string(text)
        except buildkit.GoParseError as exc:  # pragma: no cover - a failure
            pytest.fail(f"BuildKit's parser rejects the written file (unsafe={unsafe}): {exc}")
    if buildkit is None:
        pytest.skip("BuildKit's parser (the `dockerfile` package) is not installed; our parser passed")


@pytest.mark.parametrize("file", FILES)
def test_second_write_changes_nothing(file: str, batch: Batch) -> None:
    assert batch.rewritten[file] == batch.written[True][file]


@pytest.mark.parametrize("file", FILES)
def test_dry_run_on_written_file_prints_no_diff(file: str, batch: Batch) -> None:
    for unsafe in (False, True):
        patches = split_diff(batch.dry_after[unsafe].stdout)
        assert file not in patches, f"unsafe={unsafe}:\n{patches[file]}"


@pytest.mark.parametrize("file", sorted(f for f in FILES if case_of(f) in CORRECT))
def test_correct_file_stays_byte_identical(file: str, batch: Batch) -> None:
    for unsafe in (False, True):
        assert batch.written[unsafe][file] == batch.original[file], f"--write{' --unsafe-fixes' * unsafe} changed it"
        assert file not in batch.patches[unsafe], batch.patches[unsafe].get(file)


_CACHE_DIR_ADDED = re.compile(r' --cache-dir=[^\s"]+|"--cache-dir=[^"]+",\s*')


@pytest.mark.parametrize("file", sorted(f for f in FILES if case_of(f) in CONVERGED))
def test_combined_problems_converge(file: str, batch: Batch) -> None:
    """Each problem fixed by its rule over the fix loop's passes, with nothing left to say."""
    lines = batch.written[True][file].decode("utf-8").splitlines()
    for expected in CONVERGED[case_of(file)]:
        assert expected in lines, f"{file} after --write --unsafe-fixes lacks {expected!r}:\n" + "\n".join(lines)
    left = [line for line in batch.dry_after[True].stdout.splitlines() if line.startswith(f"# {file}:")]
    assert left == [], f"findings left in the written {file}: {left}"


def test_one_problem_gets_one_finding(batch: Batch) -> None:
    """`ENV PIP_NO_CACHE_DIR=1` under a pip mount is DFX102's alone (it used to be DFX103's too)."""
    file = "celery-pip-no-cache-dir-env/Dockerfile"
    findings = [line for line in batch.check.stdout.splitlines() if line.startswith(f"{file}:")]
    about_pip = [line for line in findings if " DFX102 " in line or " DFX103 " in line]
    assert len(about_pip) == 1 and " DFX102 [*] PIP_NO_CACHE_DIR=1 (line 3) switches pip's cache off" in about_pip[0]


@pytest.mark.parametrize("file", sorted(f for f in FILES if case_of(f) in HARDENED))
def test_hardened_file_only_gains_cache_dir(file: str, batch: Batch) -> None:
    findings = [line for line in batch.check.stdout.splitlines() if line.startswith(f"{file}:")]
    assert findings and all(" DFX102 " in line for line in findings), findings
    for unsafe in (False, True):
        written = batch.written[unsafe][file].decode("utf-8", "surrogateescape")
        assert written != batch.original[file].decode("utf-8", "surrogateescape")
        assert _CACHE_DIR_ADDED.sub("", written).encode("utf-8", "surrogateescape") == batch.original[file]


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
@pytest.mark.parametrize("file", FILES)
def test_dry_run_diff_applies_to_what_write_writes(file: str, unsafe: bool, batch: Batch) -> None:
    expected = batch.written[unsafe][file]
    if file not in batch.patches[unsafe]:
        assert expected == batch.original[file], "--write changed the file but the dry run printed no diff for it"
        return
    if GIT is None:
        pytest.skip("git is not installed")
    returncode, stderr, result = batch.applied[unsafe][file]
    assert returncode == 0, f"git apply failed: {stderr}\n{batch.patches[unsafe][file]}"
    assert result == expected


# --------------------------------------------------------------------------------------
# explain


@pytest.mark.parametrize("file", FILES)
def test_explain_json(file: str, explained: dict[str, Run]) -> None:
    run = explained[file]
    assert run.returncode == 0, run.describe()
    assert "Traceback" not in run.stderr
    document = json.loads(run.stdout)
    assert document["file"] == file
    assert document["errors"] == []
    assert any(instruction["keyword"] == "FROM" for instruction in document["instructions"])


# --------------------------------------------------------------------------------------
# Findings on the buggy files: required once one of the expected rules is registered


# Buggy on purpose, but hinging on a fact dockerfix cannot know: it must say unknown,
# not report a finding built on a guess.
UNKNOWABLE = {
    "windows-escape-copy-order": "RUNs under a PowerShell SHELL and Windows paths are not analysed yet",
}


def _buggy_params() -> list[object]:
    from fixer.rules import ALL_RULES

    registered = {rule.code for rule in ALL_RULES}
    params = []
    for file in FILES:
        if case_of(file) not in BUGS:
            continue
        codes, bug = BUGS[case_of(file)]
        marks = ()
        if case_of(file) in UNKNOWABLE:
            marks = (pytest.mark.xfail(strict=True, reason=UNKNOWABLE[case_of(file)]),)
        elif not registered & set(codes):
            reason = f"expects {'/'.join(codes)} ({bug}), not registered yet"
            marks = (pytest.mark.xfail(strict=True, reason=reason),)
        params.append(pytest.param(file, codes, id=file, marks=marks))
    return params


@pytest.mark.parametrize(("file", "codes"), _buggy_params())
def test_buggy_file_is_reported(file: str, codes: tuple[str, ...], batch: Batch) -> None:
    findings = [line for line in batch.check.stdout.splitlines() if line.startswith(f"{file}:")]
    assert findings, f"`dockerfix --check` reports nothing for {file}; expected {'/'.join(codes)}"
