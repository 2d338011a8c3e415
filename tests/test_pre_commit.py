"""The pre-commit hooks (.pre-commit-hooks.yaml), as pre-commit itself reads and runs them.

Their `files` pattern must pick exactly the names dockerfix's directory discovery picks, so
that a hook and `dockerfix .` agree on what a Dockerfile is. The end-to-end test runs
pre-commit for real in a scratch git repository whose .pre-commit-config.yaml points at
this work tree: pre-commit builds the hooks' virtualenv, pip-installs dockerfix into it
(a real, non-editable install) and runs the hooks.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from samples import BROKEN, FIXED
from hypothesis import given
from hypothesis import strategies as st

from fixer.discovery import is_dockerfile_name

ROOT = Path(__file__).resolve().parents[1]
HOOK_IDS = ("dockerfix", "dockerfix-check")
DOCKERFILES = ("Dockerfile", "svc/api.dockerfile", "legacy/Dockerfile")
REQUIREMENTS = "flask==3.0.3\n"

# Repository-relative paths, as pre-commit matches them, and whether discovery takes them.
NAMES = [
    ("Dockerfile", True),
    ("DOCKERFILE", True),
    ("dockerfile", True),
    ("Containerfile", True),
    ("Containerfile.dev", True),
    ("docker/Dockerfile.prod", True),
    ("svc/api.dockerfile", True),
    ("svc/api.Dockerfile", True),
    ("notes/dockerfile.md", True),  # Dockerfile.<anything>, whatever the <anything>
    ("Dockerfile.", True),
    (".dockerfile", True),
    ("Dockerfile-old", False),
    ("mydockerfile", False),
    ("Dockerfiles/readme.txt", False),
    ("Dockerfile/notes.txt", False),
    ("svc/api.containerfile", False),  # only .dockerfile counts as a suffix
    ("a.dockerfile.bak", False),
    ("requirements.txt", False),
    # Where str.lower() and re's case folding part, and where `$` and `\Z` do.
    ("doc\u212aerfile", True),  # the Kelvin sign lowers to k
    ("DOCKERF\u0130LE", False),  # dotted capital I lowers to i plus a combining dot
    ("dockerf\u0131le", False),  # dotless i does not lower to i
    ("Dockerfile\n", False),
]


@pytest.fixture(scope="module")
def hooks() -> dict[str, dict]:
    """The hooks as pre-commit loads them: its own schema check and defaults apply."""
    clientlib = pytest.importorskip("pre_commit.clientlib", reason="pre-commit is not installed")
    return {hook["id"]: hook for hook in clientlib.load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}


def picked(hook: dict, path: str) -> bool:
    """What pre-commit does with `files`: re.search on the repository-relative path."""
    return re.search(hook["files"], path) is not None


def discovered(path: str) -> bool:
    """What a directory walk decides: discovery judges the file's name alone."""
    return is_dockerfile_name(path.rsplit("/", 1)[-1])


def test_both_hooks_run_dockerfix_on_text_files_by_the_same_pattern(hooks: dict[str, dict]) -> None:
    fix, check = hooks["dockerfix"], hooks["dockerfix-check"]
    assert (fix["entry"], fix["args"], fix["language"]) == ("dockerfix --write --force-exclude", [], "python")
    assert (check["entry"], check["args"], check["language"]) == ("dockerfix --check --force-exclude", [], "python")
    assert fix["files"] == check["files"]
    assert fix["types"] == check["types"] == ["text"]


@pytest.mark.parametrize("hook_id", HOOK_IDS)
@pytest.mark.parametrize(("path", "expected"), NAMES)
def test_files_pattern_takes_the_names_discovery_takes(
    hooks: dict[str, dict], hook_id: str, path: str, expected: bool
) -> None:
    assert discovered(path) is expected
    assert picked(hooks[hook_id], path) is expected


def _spelled(word: str) -> st.SearchStrategy[str]:
    """`word` with each letter in either case, or a look-alike that str.lower() and re's
    IGNORECASE disagree on (the Kelvin sign lowers to k; re folds dotted and dotless i to i)."""
    variants = {"k": "kK\u212a", "i": "iI\u0130\u0131"}
    return st.tuples(*(st.sampled_from(variants.get(c, c + c.upper())) for c in word)).map("".join)


# Paths near the edges: a directory named like a Dockerfile, prefixes and suffixes on either
# side of the dot, a trailing newline (where `$` and `\Z` differ).
_PATHS = st.tuples(
    st.sampled_from(["", "svc/", "Dockerfile/", "api.dockerfile/"]),
    st.sampled_from(["", ".", "x", "x.", "my", "-"]),
    st.sampled_from(["dockerfile", "containerfile"]).flatmap(_spelled),
    st.sampled_from(["", ".", ".dev", ".md", "-old", "s", "\n", ".x\n", "/x"]),
).map("".join)


@given(path=_PATHS)
def test_files_pattern_agrees_with_discovery_on_any_path(hooks: dict[str, dict], path: str) -> None:
    assert picked(hooks["dockerfix"], path) is discovered(path)


requires_tools = pytest.mark.skipif(
    importlib.util.find_spec("pre_commit") is None or shutil.which("git") is None,
    reason="needs pre-commit (in the `test` extra) and git",
)


def git(*args: str, cwd: Path) -> str:
    """git with a fixed identity and no signing or user hooks: the machine's config must not matter."""
    settings = ["-c", "user.name=dockerfix tests", "-c", "user.email=tests@dockerfix.invalid",
                "-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null"]
    result = subprocess.run(["git", *settings, *args], cwd=cwd, capture_output=True, text=True, check=True)
    return result.stdout.strip()


@pytest.fixture(scope="module")
def hooks_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A bare repository whose one commit is this work tree as it is, and that commit.

    pre-commit installs hooks from a commit. try-repo's own snapshot of uncommitted changes
    takes tracked files only (`git add -u`): a new module, or this .pre-commit-hooks.yaml
    before its first commit, would be missing. Here everything .gitignore does not ignore
    goes in, and the source checkout (if it is one at all) is left untouched.
    """
    repo = tmp_path_factory.mktemp("hooks-repo")
    git("init", "--quiet", "--bare", str(repo), cwd=ROOT)
    tree = ["--git-dir", str(repo), "--work-tree", str(ROOT)]
    git(*tree, "add", "--all", cwd=ROOT)
    git(*tree, "commit", "--quiet", "--message", "work tree", cwd=ROOT)
    return repo, git("--git-dir", str(repo), "rev-parse", "HEAD", cwd=ROOT)


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One pre-commit store for the module: both hooks share the virtualenv its first run builds.

    (Why `pre-commit run` and not `try-repo`: try-repo keeps its store in a throwaway
    directory, so it would build the virtualenv again on every run, ~12 s each.) pip's own
    cache stays the user's, so later sessions install from it quickly.
    """
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def project(tmp_path: Path, hooks_repo: tuple[Path, str]) -> Path:
    """A user's repository, all committed: a .pre-commit-config.yaml with both hooks, broken
    Dockerfiles (one a name pre-commit's identify does not tag `dockerfile`, one in a folder
    the project's configuration excludes) and a requirements.txt the hooks must leave alone."""
    repo, commit = hooks_repo
    (tmp_path / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo}\n    rev: {commit}\n    hooks:\n      - id: dockerfix\n      - id: dockerfix-check\n"
    )
    (tmp_path / ".dockerfix.toml").write_text('extend-exclude = ["legacy/"]\n')
    for name in DOCKERFILES:
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(BROKEN)
    (tmp_path / "requirements.txt").write_text(REQUIREMENTS)
    git("init", "--quiet", cwd=tmp_path)
    git("add", "--all", cwd=tmp_path)
    git("commit", "--quiet", "--message", "broken", cwd=tmp_path)
    return tmp_path


def pre_commit(hook_id: str, project: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """`pre-commit run HOOK --all-files`: pre-commit itself picks the files by the hook's filters."""
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", hook_id, "--all-files", "--color", "never"],
        cwd=project,
        env={**os.environ, "PRE_COMMIT_HOME": str(home)},
        capture_output=True,
        text=True,
        check=False,
    )


def contents(project: Path) -> list[str]:
    return [(project / name).read_text() for name in (*DOCKERFILES, "requirements.txt")]


@requires_tools
def test_check_hook_fails_without_writing_fix_hook_fixes_then_check_passes(project: Path, pre_commit_home: Path) -> None:
    check = pre_commit("dockerfix-check", project, pre_commit_home)
    assert check.returncode == 1, check.stdout + check.stderr
    assert "- hook id: dockerfix-check\n- exit code: 1\n" in check.stdout
    for reported in ("Dockerfile", "svc/api.dockerfile"):
        assert re.search(rf"^{re.escape(reported)}:6:31: DFX101 ", check.stdout, re.MULTILINE), check.stdout
    assert "legacy/" not in check.stdout
    assert contents(project) == [BROKEN, BROKEN, BROKEN, REQUIREMENTS]

    fix = pre_commit("dockerfix", project, pre_commit_home)
    assert fix.returncode == 1, fix.stdout + fix.stderr
    assert "- hook id: dockerfix\n- files were modified by this hook\n" in fix.stdout
    assert contents(project) == [FIXED, FIXED, BROKEN, REQUIREMENTS]

    recheck = pre_commit("dockerfix-check", project, pre_commit_home)
    assert recheck.returncode == 0, recheck.stdout + recheck.stderr
    assert re.search(r"^dockerfix \(check\)\.+Passed$", recheck.stdout, re.MULTILINE), recheck.stdout


def try_repo(hook_id: str, project: Path, hooks_repo: tuple[Path, str], home: Path) -> subprocess.CompletedProcess[str]:
    """`pre-commit try-repo REPO HOOK --ref COMMIT --all-files`, as a user tries the hooks out."""
    repo, commit = hooks_repo
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(repo), hook_id, "--ref", commit, "--all-files",
         "--color", "never"],
        cwd=project, env={**os.environ, "PRE_COMMIT_HOME": str(home)}, capture_output=True, text=True, check=False,
    )  # fmt: skip


@requires_tools
def test_try_repo_check_hook_fails_and_fix_hook_fixes(project: Path, hooks_repo: tuple[Path, str], tmp_path: Path) -> None:
    """try-repo builds its hooks' environment anew each time (~12 s): once per hook here.
    It is given the snapshot commit, which has the work tree's new files too."""
    check = try_repo("dockerfix-check", project, hooks_repo, tmp_path / "home")
    assert check.returncode == 1, check.stdout + check.stderr
    assert "- hook id: dockerfix-check\n- exit code: 1\n" in check.stdout
    assert contents(project) == [BROKEN, BROKEN, BROKEN, REQUIREMENTS]
    fix = try_repo("dockerfix", project, hooks_repo, tmp_path / "home")
    assert fix.returncode == 1 and "- files were modified by this hook\n" in fix.stdout, fix.stdout + fix.stderr
    assert contents(project) == [FIXED, FIXED, BROKEN, REQUIREMENTS]
