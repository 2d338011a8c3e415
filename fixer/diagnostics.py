"""What rules produce: diagnostics, and fixes as plain text edits (frozen data, no I/O).

A fix is a list of `Edit(start, end, text)` on the source, sorted and disjoint, applied
all or nothing. Its `Applicability` says when it may be written: SAFE fixes by default,
UNSAFE ones only with `--unsafe-fixes` (the facts behind them are not certain, or the fix
has a cost the user must accept), DISPLAY_ONLY ones never (they show the remedy).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .syntax import Span


class Applicability(Enum):
    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY_ONLY = "display-only"


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace `source[start:end]` with `text` (an insertion when start == end)."""

    start: int
    end: int
    text: str

    @classmethod
    def replace(cls, span: Span, text: str) -> Edit:
        return cls(span.start, span.end, text)

    @classmethod
    def insert(cls, offset: int, text: str) -> Edit:
        return cls(offset, offset, text)

    @classmethod
    def delete(cls, span: Span) -> Edit:
        return cls(span.start, span.end, "")


@dataclass(frozen=True, slots=True)
class Fix:
    """A titled set of edits, applied together or not at all."""

    title: str
    edits: tuple[Edit, ...]
    applicability: Applicability = Applicability.SAFE

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.edits, key=lambda edit: (edit.start, edit.end)))
        for before, after in zip(ordered, ordered[1:]):
            if before.end > after.start:
                raise ValueError(f"overlapping edits in fix {self.title!r}")
        object.__setattr__(self, "edits", ordered)

    @property
    def span(self) -> Span:
        return Span(self.edits[0].start, self.edits[-1].end) if self.edits else Span(0, 0)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A finding of one rule at a span of the source, with its fix if there is one."""

    code: str
    name: str
    message: str
    span: Span
    fix: Fix | None = None


def apply_edits(source: str, edits: list[Edit] | tuple[Edit, ...]) -> str:
    """The source with disjoint edits applied (sorted here)."""
    out = []
    position = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        out.append(source[position : edit.start])
        out.append(edit.text)
        position = edit.end
    out.append(source[position:])
    return "".join(out)
