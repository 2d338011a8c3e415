"""Which files are Dockerfiles: explicit paths as given, directories searched by name.

Names follow the conventions Docker, Podman and editors use: `Dockerfile`,
`Dockerfile.<anything>`, `<anything>.Dockerfile` / `.dockerfile`, `Containerfile`
and `Containerfile.<anything>`. Version-control and virtual-environment folders are not
searched: they never hold a project's Dockerfiles and can be huge. Inside a git work
tree, files that `.gitignore` ignores are skipped (asked of git itself, so every
ignore rule git knows applies); explicit file paths are always taken.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from .sources import STDIN

_SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".nox"})


def is_dockerfile_name(name: str) -> bool:
    lowered = name.lower()
    return (
        lowered in ("dockerfile", "containerfile")
        or lowered.startswith(("dockerfile.", "containerfile."))
        or lowered.endswith(".dockerfile")
    )


def find_dockerfiles(paths: tuple[str, ...]) -> Iterator[str]:
    """Explicit files (and `-`) in the order given, then each directory's Dockerfiles sorted."""
    for path in paths:
        if path == STDIN or not os.path.isdir(path):
            yield path
            continue
        found = [
            os.path.join(root, name)
            for root, dirs, files in _walk(path)
            for name in sorted(files)
            if is_dockerfile_name(name)
        ]
        ignored = _git_ignored(path, found)
        yield from (name for name in found if name not in ignored)


def _walk(path: str) -> Iterator[tuple[str, list[str], list[str]]]:
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS)
        yield root, dirs, files


def _git_ignored(directory: str, names: list[str]) -> set[str]:
    """The names git ignores; none when git or a work tree is not there."""
    if not names:
        return set()
    import subprocess  # only directory walks need git; keep it off the start-up path

    try:
        result = subprocess.run(
            ["git", "-C", directory, "check-ignore", "--stdin", "-z"],
            input="\0".join(os.path.relpath(name, directory) for name in names) + "\0",
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return set()
    if result.returncode not in (0, 1):
        return set()
    ignored = {os.path.normpath(os.path.join(directory, name)) for name in result.stdout.split("\0") if name}
    return {name for name in names if os.path.normpath(name) in ignored}
