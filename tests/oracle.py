"""Differential testing against BuildKit's own parser (the `dockerfile` package).

The oracle wraps BuildKit v0.12.5; dockerfix follows current BuildKit. The few places
where they differ are recognised here, each with the upstream change that explains it
(see docs/parser.md), and never silently: `compare` returns the name of the divergence.
"""

from __future__ import annotations

import json
import re

import pytest

from fixer.parser import parse
from fixer.syntax import Dockerfile

dockerfile = pytest.importorskip("dockerfile", reason="BuildKit's parser bindings ship for x86-64 only")

_BLANK_AFTER_HEREDOC = re.compile(r"\d*<<-?[ \t\r]+[^\s<]")


def oracle_view(text: str) -> list[tuple[object, ...]] | str:
    """The oracle's instruction list, or the string "error" when it rejects the text."""
    try:
        commands = dockerfile.parse_string(text)
    except dockerfile.GoParseError:
        return "error"
    return [
        (c.cmd, c.sub_cmd, c.json, c.start_line, c.end_line, c.flags, c.value, tuple((h.name, h.content) for h in c.heredocs))
        for c in commands
    ]


def our_view(text: str, tree: Dockerfile) -> list[tuple[object, ...]] | str:
    """Our instruction list in the oracle's shape (ENV/LABEL separators dropped, as v0.12.5 has none)."""
    if tree.errors:
        return "error"
    view = []
    for instruction in tree.instructions:
        target = instruction.effective
        value = target.value
        if target.keyword in ("ENV", "LABEL"):
            value = tuple(v for i, v in enumerate(value) if i % 3 != 2)
        heredocs = () if instruction.sub else tuple((h.name, h.content) for h in target.heredocs)
        view.append(
            (
                instruction.keyword_span.text(text) or None,
                target.keyword_span.text(text) if instruction.sub else None,
                target.json,
                instruction.start_line,
                instruction.end_line,
                tuple(flag.text for flag in instruction.flags),
                value,
                heredocs,
            )
        )
    return view


def known_divergence(text: str, tree: Dockerfile) -> str | None:
    """Why current BuildKit (and so dockerfix) legitimately differs from v0.12.5 on `text`."""
    names = [d.name for d in tree.directives]
    if "check" in names and ("escape" in names[names.index("check") :] or names.count("check") > 1):
        return "check-directive"
    for instruction in tree.instructions:
        target = instruction.effective
        if target.heredocs and _BLANK_AFTER_HEREDOC.search(instruction.args.text + target.args.text):
            return "heredoc-blank-after-marker"
        if not target.json and _json_with_trailing_text(target.args.text):
            return "json-trailing-text"
    return None


def _json_with_trailing_text(args: str) -> bool:
    """v0.12.5 used json.Decoder.Decode, which ignored text after the array."""
    stripped = args.lstrip()
    if not stripped.startswith("["):
        return False
    try:
        value, end = json.JSONDecoder().raw_decode(stripped)
    except ValueError:
        return False
    return isinstance(value, list) and bool(stripped[end:].strip())


def compare(text: str) -> tuple[bool, object, object, str | None]:
    """(agree, ours, oracle, divergence) for one Dockerfile text."""
    tree = parse(text)
    ours, theirs = our_view(text, tree), oracle_view(text)
    divergence = known_divergence(text, tree)
    return ours == theirs, ours, theirs, divergence
