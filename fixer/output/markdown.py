"""The `markdown` format: a summary for a pull request's body or a CI job's summary.

Per file: each finding with its rule (linked to its page), its line, its message and
what its fix does (applied, or why not), then the file's diff in a collapsible block.
Text from the Dockerfile goes inside code spans or the fenced diff, never as markdown.
"""

from __future__ import annotations

from .diff import unified_diff
from .model import FileReport, Finding, Summary


def document(reports: list[FileReport], summary: Summary, mode: str) -> str:
    verb = "fixed" if mode == "write" else "can fix"
    out = [
        "## dockerfix\n",
        f"{summary.files} Dockerfile{'s' if summary.files != 1 else ''} checked: "
        f"{summary.with_findings} with findings, dockerfix {verb} {summary.changed_files}"
        + (f", {summary.errors} could not be checked" if summary.errors else "")
        + ".\n",
    ]
    for report in reports:
        if report.findings or report.problems or report.changed:
            out.append(_file(report, mode))
    return "\n".join(out).rstrip("\n") + "\n"


def _file(report: FileReport, mode: str) -> str:
    lines = [f"### `{_code_text(report.path)}`", ""]
    lines += [f"- could not be checked: {_code_span(problem.message)}" for problem in report.problems]
    lines += [_finding(finding, mode) for finding in report.findings]
    diff = unified_diff(report.path, report.source, report.output, report.changes)
    if diff:
        fence = "`" * max(3, _longest_backtick_run(diff) + 1)
        lines += ["", "<details><summary>The diff</summary>", "", f"{fence}diff", diff.rstrip("\n"), fence, "", "</details>"]
    return "\n".join(lines) + "\n"


def _finding(finding: Finding, mode: str) -> str:
    where = "line {} of the fixed file".format(finding.start.line) if finding.revealed else f"line {finding.start.line}"
    text = f"- [{finding.code}]({finding.url}) `{finding.name}`, {where}: {_code_span(finding.message)}"
    if finding.fix is not None:
        state = ("fixed" if mode == "write" else "fix") if finding.fixed else f"{finding.fix.applicability.value} fix, not applied"
        text += f"  \n  {state}: {_code_span(finding.fix.described)}"
    elif finding.no_fix:
        text += f"  \n  no fix: {_code_span(finding.no_fix)}"
    return text


def _code_span(text: str) -> str:
    """Text that may hold backticks and markdown, shown as itself: the backtick spans
    the rules write kept, everything else escaped (an odd backtick becomes a quote)."""
    if text.count("`") % 2:
        return _escape(text.replace("`", "'"))
    return "`".join(part if index % 2 else _escape(part) for index, part in enumerate(text.split("`")))


def _escape(text: str) -> str:
    for char in "\\*_[]<>|#":
        text = text.replace(char, "\\" + char)
    return text


def _code_text(text: str) -> str:
    return text.replace("`", "'")


def _longest_backtick_run(text: str) -> int:
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    return longest
