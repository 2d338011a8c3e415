"""The text formats: `concise` (a line a finding), `full` (each finding with the source
lines around it and its fix as a small diff, as ruff shows them), the reason lines that
the `diff` format puts before its diff as comments, the run's summary line and
`--statistics`; and their colours.

Colour is on only where the NO_COLOR and FORCE_COLOR conventions (https://no-color.org,
https://force-color.org) say: `FORCE_COLOR` (set, not empty, not "0") turns it on even
in a pipe or a CI log; `NO_COLOR` (set, not empty) turns it off even on a terminal, and
wins; otherwise it is on only when the stream is a terminal and `TERM` is not `dumb`.
The machine formats never colour.

Every finding names its rule's page. A finding that an earlier fix revealed is placed
in the fixed text and says so; a fix that comes only once other fixes are in says that
too, so every changed line has its reason.
"""

from __future__ import annotations

import os
from collections import Counter
from itertools import accumulate
from typing import TYPE_CHECKING

from ..records import NamedTuple
from .model import FileReport, Finding, Summary

if TYPE_CHECKING:
    from typing import TextIO

_CODES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "blue": "34", "cyan": "36"}


def wants_colour(stream: TextIO | None, environ: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    """Whether the text formats colour what they write to `stream` (see above)."""
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR", "0") not in ("", "0"):
        return True
    if environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Style:
    """Wraps text in ANSI styles, or leaves it alone when colour is off."""

    __slots__ = ("on",)

    def __init__(self, on: bool) -> None:
        self.on = on

    def __call__(self, text: str, *styles: str) -> str:
        if not self.on or not text:
            return text
        return f"\x1b[{';'.join(_CODES[style] for style in styles)}m{text}\x1b[0m"


_PLAIN = Style(False)


def reason_lines(report: FileReport) -> list[str]:
    """Each finding: `path:line:col: CODE [*] message`, then its fix (or why there is
    none) and its rule's page."""
    lines: list[str] = []
    for finding in report.findings:
        lines.append(_headline(report.path, finding, _PLAIN))
        lines += _notes(finding, _PLAIN)
    return lines


def concise(report: FileReport, style: Style) -> str:
    """One line a finding, ending with its rule's page."""
    return "".join(f"{_headline(report.path, finding, style)} {style(f'({finding.url})', 'dim')}\n" for finding in report.findings)


def full(report: FileReport, style: Style) -> str:
    """Each finding with the lines around it, the span underlined, and its fix as a small diff."""
    source = _Lines.of(report.source)
    fixed: _Lines | None = None  # the fixed text's lines, for the findings an earlier fix revealed
    blocks = []
    for finding in report.findings:
        if finding.revealed:
            fixed = fixed or _Lines.of(report.output)
        lines = [_headline(report.path, finding, style), *_excerpt(fixed if finding.revealed else source, finding, style)]
        notes = _notes(finding, style)
        lines += notes[:-1]
        if finding.fix is not None and finding.fix.edits:
            lines += _fix_diff(report.source, source, finding, style)
        lines.append(notes[-1])  # the rule's page, last
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


class _Lines(NamedTuple):
    """A text's lines (without the empty one after a final newline) and where each starts:
    split once per file, however many findings it has."""

    lines: list[str]
    starts: list[int]

    @classmethod
    def of(cls, text: str) -> _Lines:
        lines = text.split("\n")
        if lines[-1] == "":
            lines.pop()
        return cls(lines, [0, *accumulate(len(line) + 1 for line in lines)])


def _headline(path: str, finding: Finding, style: Style) -> str:
    mark = f"{style(finding.mark, 'green' if finding.mark == '[*]' else 'yellow')} " if finding.mark else ""
    where = style(f"{path}:{finding.start.line}:{finding.start.column}:", "bold")
    return f"{where} {style(finding.code, 'red', 'bold')} {mark}{finding.message}"


def _notes(finding: Finding, style: Style) -> list[str]:
    lines = []
    if finding.revealed:
        lines.append(f"  note: line {finding.start.line} of the fixed file: an earlier fix reveals it")
    if finding.fix is not None:
        after = "once the fixes above are in, " if finding.fix.after_other_fixes and not finding.revealed else ""
        lines.append(f"  {style('fix:', 'cyan')} {after}{finding.fix.described}")
    elif finding.no_fix:
        lines.append(f"  {style('no fix:', 'yellow')} {finding.no_fix}")
    lines.append(f"  {style('docs:', 'dim')} {finding.url}")
    return lines


def _excerpt(text: _Lines, finding: Finding, style: Style) -> list[str]:
    """The span's lines with a line before, numbered, the span underlined with `^`."""
    start, end, lines = finding.start, finding.end, text.lines
    first, last = start.line, max(start.line, end.line - (end.column == 1 and end.line > start.line))
    shown = range(max(1, first - 1), min(len(lines), last) + 1)
    width = len(str(shown[-1])) if shown else 1
    out = [f"{' ' * width} |"]
    for number in shown:
        line = lines[number - 1].rstrip("\r").replace("\t", " ")  # a column a character, for the carets
        out.append(f"{style(str(number).rjust(width), 'blue')} | {line}")
        if first <= number <= last:
            left = start.column - 1 if number == first else len(line) - len(line.lstrip())
            right = end.column - 1 if number == end.line else len(line)
            marks = "^" * max(1, right - left)
            label = f" {finding.code}" if number == last else ""
            out.append(f"{' ' * width} | {' ' * left}{style(marks + label, 'red')}")
    out.append(f"{' ' * width} |")
    return out


def _fix_diff(source: str, split: _Lines, finding: Finding, style: Style) -> list[str]:
    """The finding's own fix applied alone to the file (`source`, split into `split`), as
    a diff of the lines its edits touch, with a line of context on each side. The lines
    are known from the edits, so no diff algorithm (and no difflib to import for a
    `--check` of one file) is needed."""
    fix = finding.fix
    assert fix is not None
    lines = split.lines
    first = fix.edits[0].start.line - 1  # 0-based indexes of the first and last lines touched
    last = min(fix.edits[-1].end.line, len(lines)) - 1
    start, end = split.starts[first], split.starts[last + 1]
    pieces, position = [], start
    for edit in fix.edits:
        pieces += [source[position : edit.offsets[0]], edit.content]
        position = edit.offsets[1]
    old, new = lines[first : last + 1], "".join([*pieces, source[position:end]]).splitlines()
    while old and new and old[0] == new[0]:  # lines the edits leave as they were
        old, new, first = old[1:], new[1:], first + 1
    while old and new and old[-1] == new[-1]:
        old, new = old[:-1], new[:-1]
    body = [(" ", line) for line in lines[max(first - 1, 0) : first]]
    body += [("-", line) for line in old] + [("+", line) for line in new]
    body += [(" ", line) for line in lines[first + len(old) : first + len(old) + 1]]
    out = [style(f"  {fix.applicability.value} fix:", "cyan")]
    for mark, line in body:
        text = mark + line.rstrip("\r")
        out.append(f"    {style(text, _DIFF_COLOURS[mark]) if mark in _DIFF_COLOURS else text}")
    return out


_DIFF_COLOURS = {"+": "green", "-": "red"}


def summary_line(summary: Summary, mode: str) -> str:
    """`dockerfix: 12 files checked in 0.41 s: 3 with findings, 2 fixed, 1 error`."""
    verb = {"write": "fixed", "check": "fixable", "diff": "fixable"}[mode]
    parts = [f"{summary.with_findings} with findings"]
    if summary.changed_files:
        parts.append(f"{summary.changed_files} {verb}")
    if summary.errors:
        parts.append(f"{summary.errors} error{'s' if summary.errors != 1 else ''}")
    files = f"{summary.files} file{'s' if summary.files != 1 else ''}"
    return f"dockerfix: {files} checked in {summary.seconds:.2f} s: {', '.join(parts)}"


def statistics(reports: list[FileReport], mode: str) -> str:
    """`--statistics`: findings per rule, most first, with how many the fixes resolve."""
    verb = "fixed" if mode == "write" else "fixable"
    counts = Counter((finding.code, finding.name) for report in reports for finding in report.findings)
    fixed = Counter(finding.code for report in reports for finding in report.findings if finding.fixed)
    if not counts:
        return ""
    width = len(str(max(counts.values())))
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0][0]))
    return "".join(
        f"{count:>{width}}  {code}  {name}{f'  ({fixed[code]} {verb})' if fixed[code] else ''}\n"
        for (code, name), count in rows
    )
