"""Regular expressions compiled when first used.

Compiling a pattern takes 0.02 to 0.7 ms, and dockerfix has some eighty: checking a
typical Dockerfile needs about half of them, the rest serve rarer input (image tags of
other families, user tools, shell forms, setup.py). Those are defined with
`compile_lazily`, so start-up does not pay for them.
"""

from __future__ import annotations

import re

_METHODS = ("match", "fullmatch", "search", "sub", "subn", "split", "findall", "finditer", "scanner")


class _LazyPattern:
    """Compiles on first use; then its methods are the compiled pattern's own, bound
    once as attributes, so later calls cost what calling the compiled pattern does."""

    def __init__(self, pattern: str, flags: int) -> None:
        self.pattern = pattern
        self.flags = flags

    def __getattr__(self, name: str) -> object:
        compiled = re.compile(self.pattern, self.flags)
        for method in _METHODS:
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)


def compile_lazily(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(pattern, flags)`, done when the pattern is first used."""
    return _LazyPattern(pattern, flags)  # type: ignore[return-value]
