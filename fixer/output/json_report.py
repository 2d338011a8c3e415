"""The `json` format: one document for the whole run, its schema versioned and described
in `docs/formats.md`. A consumer checks `version`: fields are only ever added within a
version; anything else takes a new one."""

from __future__ import annotations

import json

from .. import __version__
from .model import EditReport, FileReport, Finding, FixReport, Position, Summary

VERSION = 1


def document(reports: list[FileReport], summary: Summary) -> str:
    payload = {
        "version": VERSION,
        "tool": {"name": "dockerfix", "version": __version__},
        "files": [_file(report) for report in reports],
        "summary": summary._asdict(),
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def _file(report: FileReport) -> dict[str, object]:
    return {
        "path": report.path,
        "changed": report.changed,
        "problems": [
            {"message": problem.message, "start": _position(problem.position) if problem.position else None}
            for problem in report.problems
        ],
        "findings": [_finding(finding) for finding in report.findings],
        "edits": [_edit(edit) for edit in report.edits],
    }


def _finding(finding: Finding) -> dict[str, object]:
    return {
        "code": finding.code,
        "name": finding.name,
        "message": finding.message,
        "detail": finding.detail,
        "url": finding.url,
        "start": _position(finding.start),
        "end": _position(finding.end),
        "in_fixed_text": finding.revealed,
        "fixed": finding.fixed,
        "fix": _fix(finding.fix),
        "no_fix": finding.no_fix or None,
    }


def _fix(fix: FixReport | None) -> dict[str, object] | None:
    if fix is None:
        return None
    return {
        "title": fix.title,
        "caveat": fix.caveat or None,
        "applicability": fix.applicability.value,
        "after_other_fixes": fix.after_other_fixes,
        "edits": [_edit(edit) for edit in fix.edits],
    }


def _edit(edit: EditReport) -> dict[str, object]:
    return {"start": _position(edit.start), "end": _position(edit.end), "content": edit.content}


def _position(position: Position) -> dict[str, int]:
    return {"line": position.line, "column": position.column}
