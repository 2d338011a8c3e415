"""The `diff` format (the dry run): fixes as a unified diff that `git apply` accepts.

The diff is computed on lines split at `\\n` only (so CRLF and stray `\\r` survive),
marks a missing final newline the way git does, and is preceded, per file, by comment
lines giving each change's reason; `git apply` ignores text before a patch's header.

It is difflib's unified diff (3 lines of context), but difflib matches lines only
inside the regions the fixes changed: over a whole file its SequenceMatcher is
quadratic, and a 20,000-line file with a thousand fixes took seconds. Outside those
regions the two texts are the same, so the lines there are context, as difflib would
find them too.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence

from ..diagnostics import Change
from ..patterns import compile_lazily
from .model import FileReport
from .text import reason_lines

_LINES = compile_lazily(r"[^\n]*\n|[^\n]+\Z")
_CONTEXT = 3
# (tag, i1, i2, j1, j2) as difflib's SequenceMatcher.get_opcodes gives them.
Opcode = tuple[str, int, int, int, int]


def split_lines(text: str) -> list[str]:
    return _LINES.findall(text)


def unified_diff(name: str, before: str, after: str, changes: Sequence[Change] = (), context: int = _CONTEXT) -> str:
    """A unified diff from `a/name` to `b/name`, with `context` lines around each change;
    empty when nothing changes.

    `changes` are the regions that differ (see `FileResult.changes`); without them the
    region is what lies between the common first and last lines.
    """
    if before == after:
        return ""
    old, new = split_lines(before), split_lines(after)
    regions = _line_regions(before, after, old, new, changes) if changes else None
    if regions is None:
        regions = [_middle(old, new)]
    out: list[str] = []
    for group in _grouped(_opcodes(old, new, regions), context):
        if not out:
            out += [f"--- a/{name}\n", f"+++ b/{name}\n"]
        out.append(f"@@ -{_range(group[0][1], group[-1][2])} +{_range(group[0][3], group[-1][4])} @@\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out.extend(_marked(" ", old[i1:i2]))
                continue
            if tag in ("replace", "delete"):
                out.extend(_marked("-", old[i1:i2]))
            if tag in ("replace", "insert"):
                out.extend(_marked("+", new[j1:j2]))
    return "".join(out)


def _marked(prefix: str, lines: list[str]) -> Iterator[str]:
    for line in lines:
        yield prefix + line if line.endswith("\n") else prefix + line + "\n\\ No newline at end of file\n"


def _middle(old: list[str], new: list[str]) -> tuple[int, int, int, int]:
    """The lines between the longest common head and tail, in both."""
    limit = min(len(old), len(new))
    head = 0
    while head < limit and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < limit - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    return head, len(old) - tail, head, len(new) - tail


def _line_regions(
    before: str, after: str, old: list[str], new: list[str], changes: Sequence[Change]
) -> list[tuple[int, int, int, int]] | None:
    """`changes` widened to whole lines and merged: (i1, i2, j1, j2) line ranges.

    None if the lines between the regions are not the same in both texts, which
    would mean `changes` is wrong: then the caller diffs the one middle region.
    """
    old_starts = _line_starts(old)
    new_starts = _line_starts(new)
    regions: list[tuple[int, int, int, int]] = []
    for start, end, out_start, out_end in changes:
        i1, j1 = bisect_right(old_starts, start) - 1, bisect_right(new_starts, out_start) - 1
        i2 = bisect_right(old_starts, max(end - 1, start))
        j2 = bisect_right(new_starts, max(out_end - 1, out_start))
        if regions and i1 <= regions[-1][1]:
            last = regions.pop()
            i1, j1 = last[0], last[2]
            i2, j2 = max(i2, last[1]), max(j2, last[3])
        regions.append((max(i1, 0), i2, max(j1, 0), j2))
    previous_i = previous_j = 0
    for i1, i2, j1, j2 in [*regions, (len(old), 0, len(new), 0)]:
        if old[previous_i:i1] != new[previous_j:j1]:
            return None
        previous_i, previous_j = i2, j2
    return regions


def _line_starts(lines: list[str]) -> list[int]:
    starts, offset = [], 0
    for line in lines:
        starts.append(offset)
        offset += len(line)
    return starts


def _opcodes(old: list[str], new: list[str], regions: list[tuple[int, int, int, int]]) -> list[Opcode]:
    """difflib's opcodes for the whole texts, matching lines only within the regions."""
    from difflib import SequenceMatcher  # only files with changes need it

    codes: list[Opcode] = []
    previous_i = previous_j = 0

    def add(tag: str, i1: int, i2: int, j1: int, j2: int) -> None:
        if tag == "equal" and codes and codes[-1][0] == "equal":
            _, i1, _, j1, _ = codes.pop()
        codes.append((tag, i1, i2, j1, j2))

    for i1, i2, j1, j2 in regions:
        if i1 > previous_i:
            add("equal", previous_i, i1, previous_j, j1)
        for tag, a1, a2, b1, b2 in SequenceMatcher(None, old[i1:i2], new[j1:j2]).get_opcodes():
            add(tag, i1 + a1, i1 + a2, j1 + b1, j1 + b2)
        previous_i, previous_j = i2, j2
    if len(old) > previous_i:
        add("equal", previous_i, len(old), previous_j, len(new))
    return codes


def _grouped(codes: list[Opcode], n: int = _CONTEXT) -> Iterator[list[Opcode]]:
    """The hunks as difflib groups them (`get_grouped_opcodes`): the changes, each with
    up to `n` equal lines of context on either side, together in one hunk wherever no
    more than `2n` equal lines part them."""
    hunk: list[Opcode] = []
    last = len(codes) - 1
    for index, code in enumerate(codes):
        tag, i1, i2, j1, j2 = code
        if tag != "equal":
            hunk.append(code)
            continue
        after_change, before_change = index > 0, index < last
        if after_change and before_change and i2 - i1 <= 2 * n:
            hunk.append(code)
            continue
        if after_change:
            hunk.append((tag, i1, min(i2, i1 + n), j1, min(j2, j1 + n)))
            yield hunk
            hunk = []
        if before_change:
            hunk.append((tag, max(i1, i2 - n), i2, max(j1, j2 - n), j2))
    if hunk:
        yield hunk


def _range(start: int, stop: int) -> str:
    """A hunk header's `start,length`, as difflib writes it (`_format_range_unified`)."""
    beginning = start + 1  # lines start at 1
    length = stop - start
    if length == 1:
        return f"{beginning}"
    if not length:
        beginning -= 1  # an empty range begins at the line before it
    return f"{beginning},{length}"


def dry_run(report: FileReport) -> str:
    """The `diff` format of one file: the reasons as comment lines, then the diff of the fixes."""
    reasons = reason_lines(report)
    if not reasons and not report.changed:
        return ""
    comments = "".join(f"# {line}\n" for line in reasons)
    return comments + unified_diff(report.path, report.source, report.output, report.changes)
