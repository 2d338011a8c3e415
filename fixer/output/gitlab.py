"""The `gitlab` format: a GitLab Code Quality report (a JSON array of issues), which a
merge request shows as new and resolved findings (docs.gitlab.com, "Code Quality",
"Implement a custom tool"): `description`, `check_name`, `fingerprint`, `severity` and
`location` with a `path` and `lines.begin`; and, from the Code Climate format GitLab's
builds on, `content.body` with the fix and the rule's page.

The fingerprint must stay the same while the finding does, so GitLab can tell a new
finding from an old one: it hashes the path, the rule and the message, and how many
findings before it in the file have those three (not the line, which other edits move).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter

from .model import FileReport, Finding


def document(reports: list[FileReport]) -> str:
    issues: list[dict[str, object]] = []
    for report in reports:
        seen: Counter[tuple[str, str]] = Counter()
        for problem in report.problems:
            line = problem.position.line if problem.position is not None else 1
            issues.append(_issue(report.path, "dockerfix-error", problem.message, "blocker", line, line, seen))
        for finding in report.findings:
            description = f"{finding.code} {finding.message}"
            issue = _issue(report.path, finding.code, description, "major", finding.start.line, finding.end.line, seen)
            issue["content"] = {"body": _body(finding)}
            issues.append(issue)
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


def _body(finding: Finding) -> str:
    """The issue's details (Code Climate's `content.body`, markdown): the fix and the rule's page."""
    if finding.fix is not None:
        what = f"{finding.fix.applicability.value.capitalize()} fix: {finding.fix.described}."
    else:
        what = f"No fix: {finding.no_fix}." if finding.no_fix else "No fix."
    return f"{what} See [{finding.code} `{finding.name}`]({finding.url})."


def _issue(
    path: str, check: str, description: str, severity: str, begin: int, end: int, seen: Counter[tuple[str, str]]
) -> dict[str, object]:
    seen[(check, description)] += 1
    key = "\0".join((path, check, description, str(seen[(check, description)])))
    return {
        "description": description,
        "check_name": check,
        "fingerprint": hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest(),
        "severity": severity,
        "location": {"path": path, "lines": {"begin": begin, "end": max(begin, end)}},
    }
