"""Reading Dockerfiles from disk or stdin without losing a byte.

Files are decoded as UTF-8 with `surrogateescape`, so even invalid bytes survive a
read-modify-write cycle unchanged. Problems (missing file, a directory, no permission)
become `SourceError`s that name the path, so one bad file never stops the others.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .parser import decode
from .records import NamedTuple

STDIN = "-"


class SourceError(Exception):
    """A file could not be read; the message names it."""


class Source(NamedTuple):
    """A Dockerfile's display name and decoded text."""

    name: str
    text: str


def read_source(name: str) -> Source:
    """Read a path, or stdin for `-`."""
    if name == STDIN:
        return Source("<stdin>", decode(sys.stdin.buffer.read()))
    try:
        return Source(name, decode(Path(name).read_bytes()))
    except IsADirectoryError:
        raise SourceError(f"{name}: is a directory") from None
    except OSError as exc:
        raise SourceError(f"{name}: {exc.strerror or exc}") from None
