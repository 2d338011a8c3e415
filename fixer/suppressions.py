"""`# dockerfix: ignore=CODE[,CODE]` comment lines, and the findings they silence.

Dockerfiles have no trailing comments, so a suppression is a whole comment line (or
several) right before the instruction it is for; `ignore=all` silences every rule. The
engine drops the findings they silence, and a fix that takes in what other rules would
fix (`rules.followers`) leaves out what they silence too.
"""

from __future__ import annotations

from .diagnostics import Diagnostic
from .patterns import compile_lazily
from .syntax import Dockerfile, Instruction

_SUPPRESSION = compile_lazily(r"\s*#\s*dockerfix:\s*ignore\s*=\s*([\w,\s-]+?)\s*$")

Suppression = tuple[int, int, frozenset[str]]  # (start, end) of the instruction, the codes


def find(tree: Dockerfile) -> tuple[Suppression, ...]:
    """The suppressions of a file, one per instruction that has any."""
    if "dockerfix" not in tree.source:
        return ()  # no comment names dockerfix (most files): no need to look at each line
    found: list[Suppression] = []
    pending: set[str] = set()
    for element in tree.elements:
        if isinstance(element, Instruction):
            if pending:
                found.append((element.span.start, element.span.end, frozenset(pending)))
            pending = set()
        elif element.kind == "comment":
            match = _SUPPRESSION.match(element.span.text(tree.source))
            if match:
                pending.update(code.strip() for code in match.group(1).split(","))
    return tuple(found)


def silenced(diagnostic: Diagnostic, suppressions: tuple[Suppression, ...]) -> bool:
    """Whether a suppression before the instruction the finding is in names its rule."""
    return any(
        start <= diagnostic.span.start < end and ({diagnostic.code, diagnostic.name, "all"} & codes)
        for start, end, codes in suppressions
    )
