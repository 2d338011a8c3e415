"""Gitignore-style path patterns, for `exclude`, `extend-exclude` and `per-file-ignores`.

Users write these patterns the way they write `.gitignore` lines, so they mean what
git's documented rules say (gitignore(5)): a pattern without a slash (other than a
trailing one) matches a name at any depth; one with a slash is anchored to the
directory of the configuration file; a trailing slash matches directories only; `*`
and `?` stop at a slash, `**` crosses them, `[...]` is a class (`[!...]` negated); a
leading `!` brings back what an earlier pattern excluded (the last pattern that matches
decides). A pattern that matches a directory matches everything below it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .records import NamedTuple


class Pattern(NamedTuple):
    """One compiled line: what it matches, whether it negates, whether only directories."""

    text: str
    regex: re.Pattern[str]
    negated: bool
    directories_only: bool


class PatternError(ValueError):
    """A pattern that cannot be compiled; the message names it."""


def compile_pattern(text: str) -> Pattern:
    """The pattern of one gitignore-style line (without comments or blank lines)."""
    line = text.strip()
    negated = line.startswith("!")
    if negated:
        line = line[1:]
    directories_only = line.endswith("/")
    line = line.rstrip("/")
    if not line:
        raise PatternError(f"{text!r} matches nothing")
    anchored = "/" in line
    line = line.lstrip("/")
    body = _translate(line, text)
    prefix = "" if anchored or line.startswith("**/") else "(?:.*/)?"
    try:
        regex = re.compile(prefix + body + r"\Z")
    except re.error as exc:
        raise PatternError(f"{text!r} is not a valid pattern ({exc})") from None
    return Pattern(text, regex, negated, directories_only)


def _translate(line: str, text: str) -> str:
    """The regular expression of a pattern's body: `**`, `*`, `?`, classes, the rest literal."""
    out: list[str] = []
    index, length = 0, len(line)
    while index < length:
        char = line[index]
        if line.startswith("**/", index) and (index == 0 or line[index - 1] == "/"):
            out.append("(?:.*/)?")
            index += 3
        elif line.startswith("/**", index) and index + 3 == length:
            out.append("/.*")
            index += 3
        elif line.startswith("**", index) and (index == 0 or line[index - 1] == "/") and index + 2 == length:
            out.append(".*")
            index += 2
        elif char == "*":
            out.append("[^/]*")
            index += 1
        elif char == "?":
            out.append("[^/]")
            index += 1
        elif char == "[":
            end = line.find("]", index + 2 if line.startswith(("[!", "[^"), index) else index + 1)
            if end == -1:
                raise PatternError(f"{text!r} has a `[` without its `]`")
            inside = line[index + 1 : end]
            if inside.startswith("!"):
                inside = "^" + inside[1:]
            out.append("[" + inside.replace("\\", "\\\\") + "]")
            index = end + 1
        elif char == "\\" and index + 1 < length:
            out.append(re.escape(line[index + 1]))
            index += 2
        else:
            out.append(re.escape(char))
            index += 1
    return "".join(out)


def compile_patterns(lines: Iterable[str]) -> tuple[Pattern, ...]:
    return tuple(compile_pattern(line) for line in lines)


def matches(patterns: tuple[Pattern, ...], relative: str, is_directory: bool) -> bool:
    """Whether the patterns match a path (`/`-separated, relative to their directory):
    the path itself, or a directory above it. The last pattern that matches decides."""
    if not patterns:
        return False
    parts = relative.split("/")
    for depth in range(1, len(parts) + 1):
        directory = depth < len(parts) or is_directory
        if _decides(patterns, "/".join(parts[:depth]), directory):
            return True
    return False


def _decides(patterns: tuple[Pattern, ...], path: str, is_directory: bool) -> bool:
    matched = False
    for pattern in patterns:
        if pattern.directories_only and not is_directory:
            continue
        if pattern.regex.match(path):
            matched = not pattern.negated
    return matched
