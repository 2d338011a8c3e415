"""The `github` format: GitHub Actions workflow commands, one annotation per finding,
shown on the pull request's changed lines and in the run's summary.

The syntax is `::error file=...,line=...,endLine=...,col=...,endColumn=...,title=...::message`
(docs.github.com, "Workflow commands for GitHub Actions"): the message escapes `%`, CR
and LF; a property value also `:` and `,`. Columns are given only for a finding on one
line, where GitHub uses them; its end column is the last character, inclusive.
"""

from __future__ import annotations

from .model import FileReport, Finding


def annotations(report: FileReport) -> str:
    lines = [_problem(report.path, problem.message, problem.position) for problem in report.problems]
    lines += [_annotation(report.path, finding) for finding in report.findings]
    return "".join(line + "\n" for line in lines)


def _annotation(path: str, finding: Finding) -> str:
    properties = {"file": path, "line": str(finding.start.line), "endLine": str(max(finding.end.line, finding.start.line))}
    if finding.start.line == finding.end.line:
        properties["col"] = str(finding.start.column)
        properties["endColumn"] = str(max(finding.start.column, finding.end.column - 1))
    properties["title"] = f"{finding.code} ({finding.name})"
    message = [finding.message]
    if finding.fix is not None:
        message.append(f"{finding.fix.applicability.value} fix: {finding.fix.described}")
    elif finding.no_fix:
        message.append(f"no fix: {finding.no_fix}")
    message.append(f"docs: {finding.url}")
    return _command("error", properties, "\n".join(message))


def _problem(path: str, message: str, position: object) -> str:
    properties = {"file": path, "title": "dockerfix could not check this file"}
    if position is not None:
        properties["line"] = str(position.line)  # type: ignore[attr-defined]
        properties["col"] = str(position.column)  # type: ignore[attr-defined]
    return _command("error", properties, message)


def _command(level: str, properties: dict[str, str], message: str) -> str:
    joined = ",".join(f"{key}={_escape_property(value)}" for key, value in properties.items())
    return f"::{level} {joined}::{_escape_data(message)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
