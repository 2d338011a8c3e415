"""A progress bar on stderr for long runs over many files.

Shown only where a person watches: stderr is a terminal, `CI` is not set (CI logs are
not terminals, but some runners fake one), `TERM` is not `dumb`, and the run has taken
longer than `delay` seconds, so a quick run never flickers. It is cleared before any
other output is written to the terminal, and redrawn after, at most ten times a second.
"""

from __future__ import annotations

import os
from time import monotonic
from typing import TextIO

_WIDTH = 30


class Progress:
    __slots__ = ("_total", "_stream", "_enabled", "_started", "_drawn", "_last", "_done")

    def __init__(
        self, total: int, stream: TextIO, environ: dict[str, str] | os._Environ[str] = os.environ, delay: float = 1.0
    ) -> None:
        isatty = getattr(stream, "isatty", None)
        self._enabled = (
            total > 1 and bool(isatty and isatty()) and not environ.get("CI") and environ.get("TERM") != "dumb"
        )
        self._total, self._stream = total, stream
        self._started = monotonic() + delay  # drawing may start then
        self._drawn = False
        self._last = 0.0
        self._done = 0

    def advance(self) -> None:
        """One more file done; redraw when it is time."""
        self._done += 1
        if not self._enabled:
            return
        now = monotonic()
        if now < self._started or (self._drawn and now - self._last < 0.1 and self._done < self._total):
            return
        filled = _WIDTH * self._done // self._total
        self._stream.write(f"\r[{'#' * filled}{'-' * (_WIDTH - filled)}] {self._done}/{self._total} files")
        self._stream.flush()
        self._drawn, self._last = True, now

    def clear(self) -> None:
        """Take the bar off the line, so that other output starts at its beginning."""
        if self._drawn:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
            self._drawn = False
