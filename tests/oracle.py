"""Differential testing against BuildKit's own parser (the `dockerfile` package).

The oracle wraps BuildKit v0.12.5; dockerfix follows current BuildKit. Inputs where the
two versions differ are kept out of these comparisons (corpus files named
`-divergent-`, and the generator avoids them); docs/parser.md lists the differences.
What remains to map is the shape of the binding's output: v0.12.5 has no ENV/LABEL
separator nodes, and the binding does not report heredocs of ONBUILD instructions.
"""

from __future__ import annotations

import pytest

from fixer.parser import parse
from fixer.syntax import Dockerfile


dockerfile = pytest.importorskip("dockerfile", reason="BuildKit's parser bindings ship for x86-64 only")

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


def compare(text: str) -> tuple[bool, object, object]:
    """(agree, ours, oracle's) for one Dockerfile text."""
    ours, theirs = our_view(text, parse(text)), oracle_view(text)
    return ours == theirs, ours, theirs
