"""`dockerfix pr`, its branch half, with real git and a local bare remote: the fixes as one
commit on a branch of their own, pushed with a lease; never the base or default branch;
the user's checkout untouched; `--dry-run` touches nothing."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from samples import BROKEN, FIXED
from test_cli import dockerfix

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
BRANCH = "refs/heads/dockerfix/cache-fixes"
BOT = "Bot <bot@example.com>"


def git(*args: str, cwd: Path) -> str:
    settings = ["-c", "user.name=Dev", "-c", "user.email=dev@example.com", "-c", "commit.gpgsign=false"]
    return subprocess.run(["git", *settings, *args], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A clone of a bare remote whose `main` has a broken Dockerfile."""
    remote, work = tmp_path / "remote.git", tmp_path / "work"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(remote), cwd=tmp_path)
    git("init", "--quiet", "--initial-branch=main", str(work), cwd=tmp_path)
    (work / "Dockerfile").write_text(BROKEN)
    (work / "requirements.txt").write_text("flask\n")
    git("add", "--all", cwd=work)
    git("commit", "--quiet", "--message", "start", cwd=work)
    git("remote", "add", "origin", str(remote), cwd=work)
    git("push", "--quiet", "origin", "main", cwd=work)
    git("remote", "set-head", "origin", "main", cwd=work)
    return work


def _remote(work: Path) -> str:
    return git("ls-remote", "origin", cwd=work)


def _state(work: Path) -> tuple[str, str, str, str]:
    """What a run must leave alone: the branches and tags, HEAD, the status and the files
    (a push updates the remote-tracking ref of what it pushed, as every push does)."""
    return (git("for-each-ref", "refs/heads", "refs/tags", cwd=work), git("rev-parse", "HEAD", cwd=work),
            git("status", "--porcelain", cwd=work), (work / "Dockerfile").read_text())  # fmt: skip


def test_dry_run_prints_the_branch_commit_and_pull_request_and_touches_nothing(checkout: Path) -> None:
    before, remote = _state(checkout), _remote(checkout)
    refs, objects = git("show-ref", cwd=checkout), git("count-objects", cwd=checkout)
    result = dockerfix("pr", "--dry-run", cwd=checkout)
    assert result.returncode == 0, result.stderr
    head = git("rev-parse", "HEAD", cwd=checkout)[:12]
    assert result.stdout.startswith(f"branch: dockerfix/cache-fixes on origin, from main ({head})\nfiles: Dockerfile\n")
    assert "    - Dockerfile: DFX101, DFX102\n" in result.stdout
    assert "pull request: Make Docker builds reuse their dependency caches (dockerfix)\n    ## dockerfix\n" in result.stdout
    assert "    ### How to check it" in result.stdout and "`Using cached`" in result.stdout
    after = (_state(checkout), _remote(checkout), git("show-ref", cwd=checkout), git("count-objects", cwd=checkout))
    assert after == (before, remote, refs, objects)


def test_a_run_pushes_one_commit_of_the_fixes_and_leaves_the_checkout_alone(checkout: Path) -> None:
    (checkout / "Dockerfile").chmod(0o755)
    git("commit", "--quiet", "--all", "--message", "executable", cwd=checkout)
    before = _state(checkout)
    result = dockerfix("pr", "--author", BOT, cwd=checkout)
    assert result.returncode == 0, result.stderr
    assert "dockerfix pr: pushed origin/dockerfix/cache-fixes (" in result.stderr
    assert _state(checkout) == before, "the work tree, index, HEAD and branches are as they were"
    remote = checkout.parent / "remote.git"
    commit = git("rev-parse", BRANCH, cwd=remote)
    assert git("rev-parse", f"{commit}^", cwd=remote) == git("rev-parse", "HEAD", cwd=checkout)
    assert git("show", f"{commit}:Dockerfile", cwd=remote) + "\n" == FIXED
    assert git("ls-tree", commit, "Dockerfile", cwd=remote).startswith("100755 "), "the file keeps its mode"
    assert git("diff", "--name-only", f"{commit}^", commit, cwd=remote) == "Dockerfile"
    assert git("log", "-1", "--format=%an <%ae>|%cn <%ce>|%s", commit, cwd=remote) == (
        f"{BOT}|{BOT}|Make Docker builds reuse their dependency caches (dockerfix)"
    )
    assert "- Dockerfile: DFX101, DFX102" in git("log", "-1", "--format=%b", commit, cwd=remote)


def test_a_second_run_with_nothing_new_pushes_nothing_and_a_new_base_updates_the_branch(checkout: Path) -> None:
    assert dockerfix("pr", cwd=checkout).returncode == 0
    first = _remote(checkout)
    again = dockerfix("pr", cwd=checkout)
    assert again.returncode == 0 and "already has these fixes on main: nothing pushed" in again.stderr
    assert _remote(checkout) == first
    (checkout / "worker.Dockerfile").write_text(BROKEN)
    git("add", "worker.Dockerfile", cwd=checkout)
    git("commit", "--quiet", "--message", "a worker", cwd=checkout)
    updated = dockerfix("pr", cwd=checkout)
    assert updated.returncode == 0 and "dockerfix pr: updated origin/dockerfix/cache-fixes" in updated.stderr
    remote = checkout.parent / "remote.git"
    commit = git("rev-parse", BRANCH, cwd=remote)
    assert git("rev-parse", f"{commit}^", cwd=remote) == git("rev-parse", "HEAD", cwd=checkout)
    assert git("diff", "--name-only", f"{commit}^", commit, cwd=remote).splitlines() == ["Dockerfile", "worker.Dockerfile"]


@pytest.mark.parametrize(
    ("prepare", "expected"),
    [
        (lambda work: (work / "Dockerfile").write_text(BROKEN + "# edited\n"), "the work tree has uncommitted changes (1 file)"),
        (lambda work: (work / "notes.txt").write_text("x\n"), "the work tree has uncommitted changes (1 file)"),
        (lambda work: git("checkout", "--quiet", "--detach", cwd=work), "HEAD is detached"),
    ],
    ids=["changed file", "untracked file", "detached HEAD"],
)
def test_a_checkout_that_is_not_a_clean_branch_is_refused(checkout: Path, prepare, expected: str) -> None:  # type: ignore[no-untyped-def]
    prepare(checkout)
    remote = _remote(checkout)
    result = dockerfix("pr", cwd=checkout)
    assert result.returncode == 2 and f"dockerfix pr: error: {expected}" in result.stderr
    assert _remote(checkout) == remote


def test_it_never_pushes_to_the_checked_out_or_the_default_branch(checkout: Path) -> None:
    remote = _remote(checkout)
    same = dockerfix("pr", "--branch", "main", cwd=checkout)
    assert same.returncode == 2 and "'main', the checked-out branch" in same.stderr
    git("switch", "--quiet", "--create", "feature", cwd=checkout)
    default = dockerfix("pr", "--branch", "main", cwd=checkout)
    assert default.returncode == 2 and "'main', origin's default branch" in default.stderr
    bad = dockerfix("pr", "--branch", "no..dots", cwd=checkout)
    assert bad.returncode == 2 and "'no..dots' is not a valid branch name" in bad.stderr
    assert _remote(checkout) == remote


def test_nothing_to_fix_pushes_nothing(checkout: Path) -> None:
    (checkout / "Dockerfile").write_text(FIXED)
    git("commit", "--quiet", "--all", "--message", "fixed by hand", cwd=checkout)
    remote = _remote(checkout)
    result = dockerfix("pr", cwd=checkout)
    assert result.returncode == 0 and "nothing to fix on main: no branch pushed" in result.stderr
    assert _remote(checkout) == remote


def test_a_file_that_cannot_be_checked_is_an_error_after_the_others_are_pushed(checkout: Path) -> None:
    (checkout / "broken.Dockerfile").write_text("FROM a\nENV X\n")
    git("add", "broken.Dockerfile", cwd=checkout)
    git("commit", "--quiet", "--message", "a broken file", cwd=checkout)
    result = dockerfix("pr", cwd=checkout)
    assert result.returncode == 2
    assert "broken.Dockerfile:2:5: error: ENV must have two arguments" in result.stderr
    assert "dockerfix pr: pushed origin/dockerfix/cache-fixes" in result.stderr
