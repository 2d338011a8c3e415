"""The `sarif` format: SARIF 2.1.0 (OASIS), for GitHub code scanning and other viewers.

One run, with every rule's metadata (id, name, descriptions, help and its page), one
result per finding with its location and, where its edits apply to the checked file,
its fix as SARIF replacements. Columns count Unicode code points (`columnKind`), as
dockerfix's positions do; each region also gives its character offsets. Paths are
relative URIs against `%SRCROOT%`, the directory dockerfix ran in. Fix applicability
and the rule's fix safety go in `properties` (the schema allows nothing else there).
Every finding is an `error`, since `--check` fails on each; `properties.applicability`
says whether its fix is written by default.
"""

from __future__ import annotations

import json
import os
from urllib.parse import quote

from .. import REPOSITORY, __version__, catalog
from ..rules import ALL_RULES, Rule
from ..rules.base import fix_availability, fix_safety, rule_page
from .model import EditReport, FileReport, Finding, Position

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def document(reports: list[FileReport]) -> str:
    index = {rule.code: position for position, rule in enumerate(ALL_RULES)}
    results = [_result(report, finding, index) for report in reports for finding in report.findings]
    run = {
        "tool": {"driver": _driver()},
        "originalUriBaseIds": {"%SRCROOT%": {"uri": _directory_uri(os.getcwd())}},
        "columnKind": "unicodeCodePoints",
        "results": results,
        "invocations": [_invocation(reports)],
    }
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2, ensure_ascii=False) + "\n"


def _driver() -> dict[str, object]:
    return {
        "name": "dockerfix",
        "version": __version__,
        "informationUri": REPOSITORY,
        "rules": [_rule(rule) for rule in ALL_RULES],
    }


def _rule(rule: type[Rule]) -> dict[str, object]:
    page = catalog.page(rule)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _section(page, "What it does") or rule.summary},
        "helpUri": rule_page(rule.code),
        "help": {"text": page, "markdown": page},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["docker", "build-cache"], "fix": fix_availability(rule), "fix-safety": fix_safety(rule)},
    }


def _section(page: str, heading: str) -> str:
    """The text of a `## heading` section of a rule's page."""
    marker = f"## {heading}\n"
    start = page.find(marker)
    if start == -1:
        return ""
    body = page[start + len(marker) :]
    end = body.find("\n## ")
    return (body if end == -1 else body[:end]).strip()


def _result(report: FileReport, finding: Finding, index: dict[str, int]) -> dict[str, object]:
    location = {"uri": _path_uri(report.path), "uriBaseId": "%SRCROOT%"}
    text = finding.message + "."
    if finding.fix is not None:
        text += f" Fix ({finding.fix.applicability.value}): {finding.fix.described}."
    elif finding.no_fix:
        text += f" No fix: {finding.no_fix}."
    result: dict[str, object] = {
        "ruleId": finding.code,
        "ruleIndex": index[finding.code],
        "level": "error",
        "message": {"text": text},
        "locations": [{"physicalLocation": {"artifactLocation": location, "region": _region(finding.start, finding.end)}}],
        "properties": {
            "fixed": finding.fixed,
            "inFixedText": finding.revealed,
            "applicability": finding.fix.applicability.value if finding.fix is not None else None,
        },
    }
    if finding.fix is not None and finding.fix.edits and not finding.revealed:
        result["fixes"] = [{
            "description": {"text": finding.fix.described},
            "artifactChanges": [{"artifactLocation": location, "replacements": [_replacement(e) for e in finding.fix.edits]}],
        }]  # fmt: skip
    return result


def _region(start: Position, end: Position, offsets: tuple[int, int] | None = None) -> dict[str, int]:
    region = {"startLine": start.line, "startColumn": start.column, "endLine": end.line, "endColumn": end.column}
    if offsets is not None:
        region["charOffset"], region["charLength"] = offsets[0], offsets[1] - offsets[0]
    return region


def _replacement(edit: EditReport) -> dict[str, object]:
    return {"deletedRegion": _region(edit.start, edit.end, edit.offsets), "insertedContent": {"text": edit.content}}


def _invocation(reports: list[FileReport]) -> dict[str, object]:
    notes = [
        {"level": "error", "message": {"text": f"{report.path}: {problem.message}"}}
        for report in reports
        for problem in report.problems
    ]
    return {"executionSuccessful": not notes, "toolExecutionNotifications": notes}


def _path_uri(path: str) -> str:
    """A file's URI relative to the directory dockerfix ran in, percent-encoded."""
    relative = os.path.relpath(os.path.abspath(path)) if path != "-" else "stdin"
    return quote(relative.replace(os.sep, "/"))


def _directory_uri(directory: str) -> str:
    return "file://" + quote(directory.replace(os.sep, "/").rstrip("/") + "/")
