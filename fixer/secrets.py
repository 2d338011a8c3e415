"""Credentials in Dockerfile text: found for DFX113, masked in everything dockerfix prints.

What counts as a credential:
- a URL's password (`https://user:password@host`) and a token standing alone as its user
  (`https://ghp_...@github.com`: 20 or more letters, digits and `_`, as GitHub's and
  GitLab's tokens are);
- the word after `password` in a `.netrc` line (`machine h login u password p`);
- the password of `poetry config http-basic.<name> <user> <password>`;
- the value of a variable named as a secret (`POETRY_HTTP_BASIC_<NAME>_PASSWORD`,
  `UV_INDEX_<NAME>_PASSWORD`, or any name ending in `PASSWORD`, `TOKEN` or `SECRET`),
  written `NAME=value`.
A variable reference (`$TOKEN`, `${TOKEN}`) is not itself a secret (DFX113 follows where
its value comes from).

`mask` replaces each credential's characters with `*`, one for one: the text keeps its
length, so every line and column a report gives (excerpts, diff hunks, SARIF regions,
edit offsets) still points at the same place. The length of a secret shows; its
characters never do.
"""

from __future__ import annotations

from collections.abc import Iterator

from .patterns import compile_lazily

_PATTERNS = (
    compile_lazily(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s:@/'\"]*:(?P<secret>[^\s@/'\"]+)@"),
    compile_lazily(r"[A-Za-z][A-Za-z0-9+.-]*://(?P<secret>[A-Za-z0-9_]{20,})@"),
    compile_lazily(r"\b(?:machine|login)\s+\S+.*?\bpassword\s+(?P<secret>[^\s'\"$]\S*)"),
    compile_lazily(r"\bhttp-basic\.\S+\s+\S+\s+(?P<secret>[^\s'\"$-]\S*)"),
    compile_lazily(r"\b[A-Za-z_][A-Za-z0-9_]*(?:PASSWORD|TOKEN|SECRET)=(?P<secret>[^\s'\"$][^\s'\"]*)"),
)
_HINTS = ("@", "password", "PASSWORD", "TOKEN", "SECRET", "http-basic")


def credentials(text: str) -> Iterator[tuple[int, int]]:
    """The spans of the credentials in `text`, in order."""
    if not any(hint in text for hint in _HINTS):
        return
    spans = sorted({match.span("secret") for pattern in _PATTERNS for match in pattern.finditer(text)})
    yield from spans


def mask(text: str) -> str:
    """`text` with every credential's characters replaced by `*` (same length)."""
    spans = list(credentials(text))
    if not spans:
        return text
    pieces, position = [], 0
    for start, end in spans:
        if start < position:
            continue
        pieces += [text[position:start], "*" * (end - start)]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)
