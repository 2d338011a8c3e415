"""Which files are Dockerfiles: explicit paths as given, directories searched by name.

Names follow the conventions Docker, Podman and editors use: `Dockerfile`,
`Dockerfile.<anything>`, `<anything>.Dockerfile` / `.dockerfile`, `Containerfile`
and `Containerfile.<anything>`. Version-control and virtual-environment folders are not
searched: they never hold a project's Dockerfiles and can be huge.
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
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS)
            for name in sorted(files):
                if is_dockerfile_name(name):
                    yield os.path.join(root, name)
