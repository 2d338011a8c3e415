"""`dockerfix pr`: a git checkout's fixes as one commit on a branch of their own, pushed
to the remote, for a pull request.

The fixes are those of a normal run (safe ones by default; the same configuration and
flags) on the checked-out branch. The commit is built with git's plumbing from the fixed
texts, so the user's work tree, index and branches are never touched; it goes to the
remote's `dockerfix/cache-fixes` (or `--branch`) with `--force-with-lease`, so a branch
someone else moved meanwhile is never overwritten. The run refuses a work tree with
uncommitted changes (its files would not be what the commit is made from), a detached
HEAD, and a branch name that is the checked-out or the remote's default branch: it never
pushes to those. When the remote branch already holds exactly these fixes on this base,
nothing is pushed. `--dry-run` prints the branch, the commit and the pull request it
would make, and touches nothing.

This is the branch half of the PR bot; opening, updating and closing the pull request
through the forge's API come next.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from .. import __version__
from ..config import ConfigError
from ..output import render_document
from ..output.model import FileReport, summarise
from ..parser import encode
from ..records import NamedTuple
from ..run import EXIT_ERROR, EXIT_OK, RunOptions, check_files
from .git import Git, GitError

DEFAULT_BRANCH = "dockerfix/cache-fixes"
TITLE = "Make Docker builds reuse their dependency caches (dockerfix)"
Echo = Callable[..., None]


class PrOptions(NamedTuple):
    """Where the fixes go: the branch, the remote, the commit's author (`Name <email>`;
    None: git's own configuration), and whether to only show what would happen."""

    branch: str = DEFAULT_BRANCH
    remote: str = "origin"
    author: str | None = None
    dry_run: bool = False


class PrError(Exception):
    """The run cannot go on; the message says why and what to do."""


class Plan(NamedTuple):
    """What a run would commit: on `base` (at `base_commit`), the fixed `files` (path in
    the repository -> bytes), with the commit message and the pull request's title and body."""

    base: str
    base_commit: str
    files: dict[str, bytes]
    message: str
    body: str


def run_pr(path: str, run_options: RunOptions, options: PrOptions, echo: Echo) -> int:
    """`dockerfix pr PATH`: the exit code (0 done or nothing to do; 2 refused, failed, or
    a file that could not be checked, after the other files' fixes went out)."""
    try:
        git = Git.of(Path(path).resolve())
        plan, messages = _plan(git, path, run_options, options)
        for message in messages:
            echo(message, err=True)
        if options.dry_run:
            echo(_described(plan, options), nl=False)
        elif not plan.files:
            echo(f"dockerfix pr: nothing to fix on {plan.base}: no branch pushed", err=True)
        else:
            echo(_push(git, plan, options), err=True)
    except (GitError, ConfigError, PrError) as exc:
        echo(f"dockerfix pr: error: {exc}", err=True)
        return EXIT_ERROR
    return EXIT_ERROR if messages else EXIT_OK


def _plan(git: Git, path: str, run_options: RunOptions, options: PrOptions) -> tuple[Plan, list[str]]:
    """What the run would commit, and the problems of the files it could not check
    (refusing a checkout that is not a clean branch, or a branch it must not push to)."""
    dirty = git("status", "--porcelain", "--untracked-files=normal")
    if dirty:
        count = len(dirty.splitlines())
        raise PrError(f"the work tree has uncommitted changes ({count} file{'s' if count != 1 else ''}): "
                      "commit or stash them first, so the fixes are made from what is committed")  # fmt: skip
    base = git.branch_at("HEAD")
    if base is None:
        raise PrError("HEAD is detached: check out the branch the fixes are for")
    _check_branch(git, options, base)
    relative = os.path.relpath(Path(path).resolve(), git.root)
    previous = os.getcwd()
    os.chdir(git.root)  # names in the commit, the messages and the body are the repository's paths
    try:
        reports, messages = check_files((relative,), run_options._replace(mode="diff"))
    finally:
        os.chdir(previous)
    changed = [report for report in reports if report.changed and not report.failed]
    files = {Path(report.path).as_posix(): encode(report.output) for report in changed}
    return Plan(base, git("rev-parse", "HEAD"), files, _message(changed), _body(reports)), messages


def _check_branch(git: Git, options: PrOptions, base: str) -> None:
    """The fixes' branch must be a valid name, and neither the base nor the remote's default branch."""
    if not git.succeeds("check-ref-format", "--branch", options.branch):
        raise PrError(f"{options.branch!r} is not a valid branch name")
    default = (git.branch_at(f"refs/remotes/{options.remote}/HEAD") or "").removeprefix(f"{options.remote}/")
    if options.branch in (base, default):
        which = "the checked-out branch" if options.branch == base else f"{options.remote}'s default branch"
        raise PrError(f"the fixes would go to {options.branch!r}, {which}: dockerfix pushes only to a branch of its own "
                      "(--branch)")  # fmt: skip


def _message(changed: list[FileReport]) -> str:
    """The commit message: the title, then each file with the rules whose findings its fixes resolve."""
    lines = [TITLE, ""]
    for report in changed:
        codes = sorted({finding.code for finding in report.findings if finding.fixed})
        lines.append(f"- {report.path}: {', '.join(codes)}")
    lines += ["", f"Made by dockerfix {__version__}; each file's findings and fixes are in the pull request."]
    return "\n".join(lines) + "\n"


def _body(reports: list[FileReport]) -> str:
    """The pull request's body: the markdown format (the files with findings), then how
    to see the fixes work."""
    shown = [report for report in reports if report.findings or report.problems]
    return render_document("markdown", shown, summarise(reports, 0.0), "write") + (
        "\n### How to check it\n\n"
        "Build the image twice, the second time after changing one requirement, with "
        "`docker build --progress=plain .`. With the fixes, the second build's pip lines say "
        "`Using cached` for every package but the changed one; without them, each package is "
        "downloaded again.\n"
    )


def _described(plan: Plan, options: PrOptions) -> str:
    """What `--dry-run` prints."""
    if not plan.files:
        return f"nothing to fix on {plan.base} ({plan.base_commit[:12]}): no branch, no commit, no pull request\n"
    return (
        f"branch: {options.branch} on {options.remote}, from {plan.base} ({plan.base_commit[:12]})\n"
        f"files: {', '.join(plan.files)}\n\n"
        f"commit message:\n{_indented(plan.message)}\n"
        f"pull request: {TITLE}\n{_indented(plan.body)}"
    )


def _indented(text: str) -> str:
    return "".join(f"    {line}\n" if line else "\n" for line in text.splitlines())


def _push(git: Git, plan: Plan, options: PrOptions) -> str:
    """Commit the fixes and push them to the remote branch, unless it already holds them; what happened."""
    target = f"refs/heads/{options.branch}"
    listed = git("ls-remote", "--heads", options.remote, target)
    current = listed.split()[0] if listed else ""
    with tempfile.TemporaryDirectory(prefix="dockerfix-pr-") as scratch:
        commit = git.commit_files(plan.base_commit, plan.files, plan.message, _identity(options.author), Path(scratch))
    if current:
        git("fetch", "--quiet", options.remote, target)
        fetched = git("rev-parse", "FETCH_HEAD")
        same_base = git("rev-parse", f"{fetched}^") == plan.base_commit
        if same_base and git("rev-parse", f"{fetched}^{{tree}}") == git("rev-parse", f"{commit}^{{tree}}"):
            return f"dockerfix pr: {options.remote}/{options.branch} already has these fixes on {plan.base}: nothing pushed"
    git("push", "--quiet", f"--force-with-lease={target}:{current}", options.remote, f"{commit}:{target}")
    verb = "updated" if current else "pushed"
    count = len(plan.files)
    return f"dockerfix pr: {verb} {options.remote}/{options.branch} ({commit[:12]}): {count} file{'s' if count != 1 else ''} fixed"


def _identity(author: str | None) -> dict[str, str]:
    """The commit's author and committer from `Name <email>`; empty: git's configuration decides."""
    if author is None:
        return {}
    name, _, email = author.partition("<")
    if not name.strip() or not email.endswith(">"):
        raise PrError(f"--author {author!r} is not `Name <email>`")
    name, email = name.strip(), email[:-1].strip()
    return {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}
