"""What rules produce: diagnostics, and fixes as plain text edits (named tuples, no I/O).

A fix is a list of `Edit(start, end, text)` on the source, sorted and disjoint, applied
all or nothing. Its `Applicability` says when it may be written: SAFE fixes by default,
UNSAFE ones only with `--unsafe-fixes` (the facts behind them are not certain, or the fix
has a cost the user must accept), DISPLAY_ONLY ones never (they show the remedy).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from enum import Enum
from itertools import accumulate

from .records import NamedTuple
from .syntax import Span


class Applicability(Enum):
    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY_ONLY = "display-only"


class Edit(NamedTuple):
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


class _FixFields(NamedTuple):
    title: str
    edits: tuple[Edit, ...]
    applicability: Applicability = Applicability.SAFE
    caveat: str = ""


class Fix(_FixFields):
    """A titled set of edits, applied together or not at all; the edits are kept sorted.

    `title` is the imperative remedy ("Move the cache mount to /app/.cache/pip");
    `caveat`, shown beside it, says in a few words why the fix is not SAFE or what it
    costs ("the cache starts cold once").
    """

    __slots__ = ()

    def __new__(
        cls, title: str, edits: tuple[Edit, ...], applicability: Applicability = Applicability.SAFE, caveat: str = ""
    ) -> Fix:
        ordered = tuple(sorted(edits, key=lambda edit: (edit.start, edit.end)))
        for before, after in zip(ordered, ordered[1:]):
            if before.end > after.start:
                raise ValueError(f"overlapping edits in fix {title!r}")
        return super().__new__(cls, title, ordered, applicability, caveat)

    @property
    def described(self) -> str:
        """The title, then the caveat in parentheses when there is one: how a report names the fix."""
        return f"{self.title} ({self.caveat})" if self.caveat else self.title

    @property
    def span(self) -> Span:
        return Span(self.edits[0].start, self.edits[-1].end) if self.edits else Span(0, 0)


class Diagnostic(NamedTuple):
    """A finding of one rule at a span of the source, with its fix if there is one.

    `message` says in about a hundred characters what is wrong, with the values
    involved; `detail` holds the reasoning behind it (where each value comes from, why
    this fix and not another, what it costs), for `dockerfix explain` and the formats
    that have room for it. `no_fix`, for a finding without a fix, says in a sentence
    why there is none, so the dry run never leaves a finding unexplained.
    """

    code: str
    name: str
    message: str
    span: Span
    fix: Fix | None = None
    detail: str = ""
    no_fix: str = ""
    kind: str = ""  # which of the rule's cases it is, where a suppression can name one (`DFX112/pipe`)


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


class OffsetMap:
    """Where offsets of a text land once disjoint replacements are applied to it.

    Built from `(start, end, new_length)` triples (edits, or the regions of
    `track_changes`); a lookup is a binary search, so mapping every finding of a file
    with a thousand fixes stays linear-logarithmic. Text inserted at an offset goes
    before it; an offset inside a replaced stretch moves to where the replacement starts.
    """

    __slots__ = ("_starts", "_ends", "_shifts")

    def __init__(self, replacements: Iterable[tuple[int, int, int]]) -> None:
        ordered = sorted(replacements)
        self._starts = [start for start, _, _ in ordered]
        self._ends = [end for _, end, _ in ordered]
        self._shifts = list(accumulate((length - (end - start) for start, end, length in ordered), initial=0))

    @classmethod
    def of_edits(cls, edits: Iterable[Edit]) -> OffsetMap:
        return cls((edit.start, edit.end, len(edit.text)) for edit in edits)

    def __call__(self, offset: int) -> int:
        index = bisect_right(self._ends, offset)  # the replacements that end at or before it
        if index < len(self._starts) and self._starts[index] < offset:
            return self._starts[index] + self._shifts[index]
        return offset + self._shifts[index]

    def span(self, span: Span) -> Span:
        start = self(span.start)
        return Span(start, max(start, self(span.end)))


# A region the fixes changed: (start, end) in the original text, then in the fixed text.
Change = tuple[int, int, int, int]


def track_changes(changes: tuple[Change, ...], edits: list[Edit] | tuple[Edit, ...]) -> tuple[Change, ...]:
    """The changed regions once `edits` (offsets into the current text) are applied too.

    `changes` relate the original text to the current one: outside them both are the
    same text. Edits and earlier changes that overlap or touch merge into one region,
    so the result says the same of the original and the new text, and the diff of a
    large file need only look inside the regions (see `output.diff.unified_diff`).
    """
    spans = sorted(
        [(out_start, out_end, out_end - out_start - (end - start), 0) for start, end, out_start, out_end in changes]
        + [(edit.start, edit.end, 0, len(edit.text) - (edit.end - edit.start)) for edit in edits]
    )
    merged: list[Change] = []
    old_shift = new_shift = 0  # length added before the region: by the earlier changes, by these edits
    start = end = old_delta = new_delta = -1
    for span_start, span_end, old, new in spans:
        if span_start > end >= 0:
            merged.append((start - old_shift, end - old_shift - old_delta, start + new_shift, end + new_shift + new_delta))
            old_shift += old_delta
            new_shift += new_delta
            end = -1
        if end < 0:
            start, end, old_delta, new_delta = span_start, span_end, 0, 0
        end = max(end, span_end)
        old_delta += old
        new_delta += new
    if end >= 0:
        merged.append((start - old_shift, end - old_shift - old_delta, start + new_shift, end + new_shift + new_delta))
    return tuple(merged)
