"""What every output format reads: one `FileReport` per file, plain values only.

A check's `FileResult` holds syntax trees and offsets; the formats need positions,
texts and flags. Turning one into the other here, once per file, keeps the formats
small and alike, and a `FileReport` is made of strings, numbers and tuples, so a worker
process (`-j`) can send it back to the one that prints.

Positions are 1-based lines and columns counted in characters (Unicode code points);
an end is exclusive (the character after the span), as SARIF counts it.
"""

from __future__ import annotations

from ..diagnostics import Applicability, Change, Diagnostic, Fix
from ..engine import FileResult, Settings
from ..records import NamedTuple
from ..rules.base import rule_page
from ..syntax import Dockerfile


class Position(NamedTuple):
    line: int
    column: int


class EditReport(NamedTuple):
    """Replace the text from `start` to `end` (exclusive) of the checked file with
    `content`; `offsets` are the same two places as character offsets."""

    start: Position
    end: Position
    content: str
    offsets: tuple[int, int]


class FixReport(NamedTuple):
    """A fix: `edits` apply to the checked file; empty when the fix comes only once other
    fixes are in (`after_other_fixes`), so its edits apply to a text the file is not yet."""

    title: str
    caveat: str
    applicability: Applicability
    edits: tuple[EditReport, ...]
    after_other_fixes: bool = False

    @property
    def described(self) -> str:
        return f"{self.title} ({self.caveat})" if self.caveat else self.title


class Finding(NamedTuple):
    """One finding, as every format shows it.

    `fixed`: the fixes this run writes (or would write) resolve it. `revealed`: an
    earlier fix brought it to light, and its position is in the fixed text. `mark` is
    the text formats' badge: `[*]` fixed, `[unsafe]` fixable with `--unsafe-fixes`.
    """

    code: str
    name: str
    message: str
    detail: str
    url: str
    start: Position
    end: Position
    fix: FixReport | None
    no_fix: str
    fixed: bool
    revealed: bool
    mark: str


class Problem(NamedTuple):
    """Why a file could not be checked: at a position (a parse error), or about the whole file."""

    message: str
    position: Position | None = None


class FileReport(NamedTuple):
    """A file's findings, its text before and after the fixes, and its problems (a file
    with problems was not checked, and its `output` is its `source`)."""

    path: str
    source: str
    output: str
    findings: tuple[Finding, ...] = ()
    problems: tuple[Problem, ...] = ()
    changes: tuple[Change, ...] = ()  # the regions the fixes changed (`FileResult.changes`)
    edits: tuple[EditReport, ...] = ()  # the same, as edits of `source`: all the fixes together

    @property
    def changed(self) -> bool:
        return self.output != self.source

    @property
    def failed(self) -> bool:
        return bool(self.problems)


def marker(diagnostic: Diagnostic, settings: Settings, fixed: bool) -> str:
    """`[*]` when the written fixes resolve it, `[unsafe]` when `--unsafe-fixes` would
    write its fix, empty otherwise."""
    if fixed:
        return "[*]"
    fix = diagnostic.fix
    if fix is not None and fix.applicability is Applicability.UNSAFE and not settings.unsafe_fixes:
        return "[unsafe]"
    return ""


def file_report(result: FileResult, settings: Settings) -> FileReport:
    """The report of a checked file: the first findings in source order (with a fix that a
    later pass wrote where the first pass had none), then those the fixes revealed."""
    findings: list[Finding] = []
    for index, diagnostic in enumerate(result.diagnostics):
        fixed = index in result.fixed
        later_fix = result.fixed_later.get(index)
        fix = _fix(result.tree, later_fix, True) if later_fix is not None else _fix(result.tree, diagnostic.fix, False)
        findings.append(_finding(result.tree, diagnostic, fix, fixed, False, marker(diagnostic, settings, fixed)))
    for diagnostic in result.later:
        fixed = result.later_fixed(diagnostic)
        fix = _fix(result.output_tree, diagnostic.fix, True)
        findings.append(_finding(result.output_tree, diagnostic, fix, fixed, True, marker(diagnostic, settings, fixed)))
    edits = tuple(
        EditReport(_position(result.tree, start), _position(result.tree, end), result.output[out_start:out_end], (start, end))
        for start, end, out_start, out_end in result.changes
    )
    return FileReport(result.name, result.source, result.output, tuple(findings), (), result.changes, edits)


def masked(report: FileReport) -> FileReport:
    """The report as it may be shown: every credential in its texts replaced by `*`, one
    for one (`secrets.mask`), so positions and offsets stay exact. Only for showing: the
    texts written to files and commits are the report's own."""
    from ..secrets import mask

    source, output = mask(report.source), mask(report.output)
    if source is report.source and output is report.output:
        return report  # nothing to hide: the messages quote only the file's text
    findings = tuple(
        finding._replace(message=mask(finding.message), detail=mask(finding.detail), no_fix=mask(finding.no_fix),
                         fix=None if finding.fix is None else finding.fix._replace(
                             title=mask(finding.fix.title), edits=_masked_edits(finding.fix.edits)))
        for finding in report.findings
    )  # fmt: skip
    problems = tuple(problem._replace(message=mask(problem.message)) for problem in report.problems)
    return report._replace(source=source, output=output, findings=findings, problems=problems, edits=_masked_edits(report.edits))


def _masked_edits(edits: tuple[EditReport, ...]) -> tuple[EditReport, ...]:
    from ..secrets import mask

    return tuple(edit._replace(content=mask(edit.content)) for edit in edits)


def failed_report(path: str, source: str, problems: tuple[Problem, ...]) -> FileReport:
    return FileReport(path, source, source, (), problems)


def _finding(
    tree: Dockerfile | None, diagnostic: Diagnostic, fix: FixReport | None, fixed: bool, revealed: bool, mark: str
) -> Finding:
    span = diagnostic.span
    return Finding(
        diagnostic.code,
        diagnostic.name,
        diagnostic.message,
        diagnostic.detail,
        rule_page(diagnostic.code),
        _position(tree, span.start),
        _position(tree, span.end),
        fix,
        diagnostic.no_fix,
        fixed,
        revealed,
        mark,
    )


def _fix(tree: Dockerfile | None, fix: Fix | None, after_other_fixes: bool) -> FixReport | None:
    if fix is None:
        return None
    edits = () if after_other_fixes else tuple(
        EditReport(_position(tree, edit.start), _position(tree, edit.end), edit.text, (edit.start, edit.end))
        for edit in fix.edits
    )
    return FixReport(fix.title, fix.caveat, fix.applicability, edits, after_other_fixes)


def _position(tree: Dockerfile | None, offset: int) -> Position:
    return Position(*tree.position(offset)) if tree is not None else Position(1, 1)


class Summary(NamedTuple):
    """The run's totals: the summary line, and the machine formats' summary fields."""

    files: int  # files checked, including those that failed
    with_findings: int
    findings: int
    fixed: int  # findings the run's fixes resolve (written, or that --write would write)
    changed_files: int  # files the fixes change
    errors: int  # files that could not be checked or written
    seconds: float


def summarise(reports: list[FileReport], seconds: float) -> Summary:
    return Summary(
        files=len(reports),
        with_findings=sum(1 for report in reports if report.findings),
        findings=sum(len(report.findings) for report in reports),
        fixed=sum(1 for report in reports for finding in report.findings if finding.fixed),
        changed_files=sum(1 for report in reports if report.changed),
        errors=sum(1 for report in reports if report.failed),
        seconds=round(seconds, 3),
    )
