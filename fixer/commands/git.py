"""git, run as a program: the one place `dockerfix pr` talks to it.

Every call passes its arguments as a list (never through a shell), fixes the locale, and
turns a failure into a `GitError` that names the command and what git said. Commits are
built with git's plumbing (`hash-object`, a temporary index, `write-tree`,
`commit-tree`), so the user's work tree, index and branches are never touched.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path


class GitError(Exception):
    """A git command failed; the message says which and why."""


class Git:
    """git in one repository (its top-level directory)."""

    __slots__ = ("root",)

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def of(cls, path: Path) -> Git:
        """The repository `path` is in."""
        directory = path if path.is_dir() else path.parent
        top = _run(["git", "-C", str(directory), "rev-parse", "--show-toplevel"], directory)
        return cls(Path(top))

    def __call__(self, *args: str, input: bytes | None = None, env: Mapping[str, str] | None = None) -> str:
        return _run(["git", "-C", str(self.root), *args], self.root, input, env)

    def branch_at(self, ref: str) -> str | None:
        """The short name of the branch a symbolic ref (`HEAD`, `refs/remotes/origin/HEAD`)
        points at; None when it points at none (a detached HEAD, a remote without one)."""
        try:
            return self("symbolic-ref", "--quiet", "--short", ref) or None
        except GitError:
            return None

    def succeeds(self, *args: str) -> bool:
        try:
            self(*args)
        except GitError:
            return False
        return True

    def commit_files(
        self, parent: str, files: Mapping[str, bytes], message: str, identity: Mapping[str, str], scratch: Path
    ) -> str:
        """A commit whose tree is `parent`'s with `files` (path -> content) replaced, each
        keeping its mode; made in a temporary index, so nothing else changes."""
        index = {"GIT_INDEX_FILE": str(scratch / "index")}
        self("read-tree", parent, env=index)
        for path, content in files.items():
            mode = self("ls-tree", parent, "--", path).split(" ", 1)[0] or "100644"
            blob = self("hash-object", "-w", "--stdin", input=content)
            self("update-index", "--cacheinfo", f"{mode},{blob},{path}", env=index)
        tree = self("write-tree", env=index)
        return self("commit-tree", tree, "-p", parent, "-F", "-", input=message.encode(), env=identity)


def _run(argv: list[str], cwd: Path, input: bytes | None = None, env: Mapping[str, str] | None = None) -> str:
    environment = {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", **(env or {})}
    try:
        done = subprocess.run(argv, cwd=cwd, input=input, capture_output=True, env=environment, check=False)
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror or exc}") from None
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip() or done.stdout.decode("utf-8", "replace").strip()
        raise GitError(f"`git {' '.join(argv[3:])}` failed: {said}")
    return done.stdout.decode("utf-8", "surrogateescape").strip()
