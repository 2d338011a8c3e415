"""Writing fixed Dockerfiles without ever losing one.

The new text goes to a temporary file in the same directory, gets the original's mode,
and replaces the original with one atomic rename, so an interrupted run leaves either
the old file or the new one. A symlink is followed only when its target stays inside
the repository (or the directory dockerfix runs in): a fix must not reach outside it.
"""

from __future__ import annotations

import os
from pathlib import Path

from .parser import encode


class WriteError(Exception):
    """The file was not written; the message names it and says why."""


def write_atomic(path: str, text: str, root: Path) -> None:
    """Replace the file at `path` with `text` (UTF-8, invalid bytes kept), keeping its mode."""
    import tempfile  # about 3 ms (shutil, random, bz2, lzma): only --write needs it

    target = Path(os.path.realpath(path))
    if os.path.islink(path) and not _inside(target, root):
        raise WriteError(f"{path}: not written: it is a symlink to {target}, outside {root}")
    try:
        mode = target.stat().st_mode & 0o7777
        descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".dockerfix", dir=target.parent)
    except OSError as exc:
        raise WriteError(f"{path}: not written: {exc.strerror or exc}") from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(encode(text))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise WriteError(f"{path}: not written: {exc.strerror or exc}") from None


def repository_root(start: Path) -> Path:
    """The nearest enclosing git work tree, else `start` itself."""
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return start


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root.resolve())
    except ValueError:
        return False
    return True
