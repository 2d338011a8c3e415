"""The SARIF schema check works: a realistic dockerfix log passes, broken ones fail.

`VALID_LOG` doubles as the reference for `--format sarif`: what one finding with a fix
looks like in SARIF 2.1.0, with the rule metadata GitHub code scanning shows. Notes for
the writer, beyond what the schema enforces:

- regions are 1-based; `endColumn` is the column *after* the last character; an empty
  region (`endColumn == startColumn`) is an insertion point. `charOffset`/`charLength`
  (0-based) map straight onto an `Edit(start, end, text)`; give both forms, consistent.
- `run.columnKind: "unicodeCodePoints"`: Python string indexes count code points, not
  the UTF-16 units SARIF assumes by default.
- `artifactLocation.uri` is a URI reference relative to `%SRCROOT%` (the repository
  root for GitHub), percent-encoded (`my%20app/Dockerfile`); `helpUri` and
  `informationUri` must be absolute URIs.
- every `text` is required where the object is there: `help` with only `markdown`, or
  a `message` with neither `text` nor `id`, is invalid.
- GitHub ignores `fixes`, computes `partialFingerprints.primaryLocationLineHash` itself
  when upload-sarif uploads a log without it, and reads `properties.tags`,
  `properties.precision` and (for rules tagged `security` only) `security-severity`.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest

from sarif_schema import (
    SCHEMA_ID,
    SCHEMA_SHA256,
    SCHEMA_URIS,
    sarif_errors,
    schema,
    schema_bytes,
    validate_sarif,
    validator,
)

DOCKERFILE = (
    "FROM python:3.12-slim\n"
    "WORKDIR /app\n"
    "COPY requirements.txt .\n"
    "RUN pip install -r requirements.txt\n"
    "COPY . .\n"
)
COMMAND = "pip install -r requirements.txt"
MOUNT = "--mount=type=cache,target=/root/.cache/pip "


def _line_column(text: str, offset: int) -> tuple[int, int]:
    """SARIF's 1-based line and column (in code points) of a 0-based offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


FINDING_START = DOCKERFILE.index(COMMAND)
FINDING_END = FINDING_START + len(COMMAND)
# The fix inserts the mount right after `RUN `: an empty region (an insertion point).
INSERT_AT = FINDING_START


def _region(start: int, end: int) -> dict[str, Any]:
    (start_line, start_column), (end_line, end_column) = _line_column(DOCKERFILE, start), _line_column(DOCKERFILE, end)
    return {
        "startLine": start_line,
        "startColumn": start_column,
        "endLine": end_line,
        "endColumn": end_column,
        "charOffset": start,
        "charLength": end - start,
    }


ARTIFACT = {"uri": "Dockerfile", "uriBaseId": "%SRCROOT%", "index": 0}

VALID_LOG: dict[str, Any] = {
    "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
    "version": "2.1.0",
    "runs": [
        {
            "tool": {
                "driver": {
                    "name": "dockerfix",
                    "version": "0.1.0.dev0",
                    "semanticVersion": "0.1.0-dev0",
                    "informationUri": "https://example.org/dockerfix",
                    "rules": [
                        {
                            "id": "DFX111",
                            "name": "cache-mount-missing",
                            "shortDescription": {"text": "An install downloads with no cache mount"},
                            "fullDescription": {
                                "text": "An installer call downloads packages in a RUN with no BuildKit cache mount, "
                                "so every rebuild of the layer downloads them all again."
                            },
                            # Absolute (format "uri"): a relative `docs/rules/DFX111.md` is invalid.
                            "helpUri": "https://example.org/dockerfix/rules/DFX111",
                            "help": {
                                "text": "Add --mount=type=cache,target=DIR to the RUN, at the directory the "
                                "installer caches in for the user it runs as.",
                                "markdown": "Add `--mount=type=cache,target=DIR` to the `RUN`, at the directory "
                                "the installer caches in for the user it runs as:\n\n"
                                "```dockerfile\n"
                                "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n"
                                "```",
                            },
                            "defaultConfiguration": {"level": "warning"},
                            "properties": {
                                "tags": ["dockerfile", "performance", "build-cache"],
                                "precision": "high",
                                "problem.severity": "warning",
                            },
                        }
                    ],
                }
            },
            "invocations": [{"executionSuccessful": True, "commandLine": "dockerfix --format sarif Dockerfile"}],
            "originalUriBaseIds": {"%SRCROOT%": {"uri": "file:///home/dev/project/"}},
            "artifacts": [
                {"location": {"uri": "Dockerfile", "uriBaseId": "%SRCROOT%"}, "sourceLanguage": "dockerfile"}
            ],
            "columnKind": "unicodeCodePoints",
            "results": [
                {
                    "ruleId": "DFX111",
                    "ruleIndex": 0,
                    "kind": "fail",
                    "level": "warning",
                    "message": {"text": "pip install downloads with no cache mount: add one at /root/.cache/pip"},
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": ARTIFACT,
                                "region": {**_region(FINDING_START, FINDING_END), "snippet": {"text": COMMAND}},
                            }
                        }
                    ],
                    "fixes": [
                        {
                            "description": {"text": "Add a cache mount at /root/.cache/pip"},
                            "artifactChanges": [
                                {
                                    "artifactLocation": ARTIFACT,
                                    "replacements": [
                                        {
                                            "deletedRegion": _region(INSERT_AT, INSERT_AT),
                                            "insertedContent": {"text": MOUNT},
                                        }
                                    ],
                                }
                            ],
                            # dockerfix's own data goes in property bags.
                            "properties": {"applicability": "safe"},
                        }
                    ],
                }
            ],
        }
    ],
}


def _valid() -> dict[str, Any]:
    """A fresh parsed copy, as a test of the real output would have it (json.loads)."""
    return json.loads(json.dumps(VALID_LOG))


def _result(log: dict[str, Any]) -> dict[str, Any]:
    return log["runs"][0]["results"][0]


def _fix(log: dict[str, Any]) -> dict[str, Any]:
    return _result(log)["fixes"][0]


def _rule(log: dict[str, Any]) -> dict[str, Any]:
    return log["runs"][0]["tool"]["driver"]["rules"][0]


def test_schema_is_the_official_one() -> None:
    assert hashlib.sha256(schema_bytes()).hexdigest() == SCHEMA_SHA256
    document = schema()
    assert document["id"] == SCHEMA_ID
    assert document["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert document["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert document["properties"]["version"]["enum"] == ["2.1.0"]
    assert validator() is validator()


def test_reference_regions_are_where_the_dockerfile_has_them() -> None:
    region = _result(VALID_LOG)["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["endLine"], region["endColumn"]) == (4, 5, 4, 36)
    line = DOCKERFILE.splitlines()[region["startLine"] - 1]
    assert line[region["startColumn"] - 1 : region["endColumn"] - 1] == COMMAND
    deleted = _fix(VALID_LOG)["artifactChanges"][0]["replacements"][0]["deletedRegion"]
    assert (deleted["startLine"], deleted["startColumn"], deleted["endColumn"], deleted["charLength"]) == (4, 5, 5, 0)
    offset = deleted["charOffset"]
    fixed = DOCKERFILE[:offset] + MOUNT + DOCKERFILE[offset + deleted["charLength"] :]
    assert "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n" in fixed


def test_valid_log_passes() -> None:
    assert VALID_LOG["$schema"] in SCHEMA_URIS
    validate_sarif(_valid())
    assert sarif_errors(_valid()) == []


def test_minimal_log_passes() -> None:
    """What the schema itself requires: a version, runs, each run's tool.driver.name."""
    validate_sarif({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "dockerfix"}}, "results": []}]})


def test_deletion_with_character_offsets_only_passes() -> None:
    log = _valid()
    start = DOCKERFILE.index(" -r requirements.txt")
    _fix(log)["artifactChanges"][0]["replacements"] = [
        {"deletedRegion": {"charOffset": start, "charLength": len(" -r requirements.txt")}}
    ]
    validate_sarif(log)


def _delete(key: str) -> Callable[[dict[str, Any]], object]:
    return lambda target: target.pop(key)


# (what breaks the log, how, the JSON path of the error, a piece of its message)
INVALID: list[tuple[str, Callable[[dict[str, Any]], object], str, str]] = [
    ("missing version", lambda log: log.pop("version"), "$", "'version' is a required property"),
    ("version 2.1", lambda log: log.update(version="2.1"), "$.version", "is not one of ['2.1.0']"),
    ("missing runs", lambda log: log.pop("runs"), "$", "'runs' is a required property"),
    ("relative $schema", lambda log: log.update({"$schema": "sarif-2.1.0.json"}), "$['$schema']", "is not a 'uri'"),
    ("tool without driver", lambda log: log["runs"][0]["tool"].pop("driver"), "$.runs[0].tool",
     "'driver' is a required property"),  # fmt: skip
    (
        "message without text",
        lambda log: _result(log).update(message={"markdown": "no plain text"}),
        "$.runs[0].results[0].message",
        "'text' is a required property",
    ),
    ("result without message", lambda log: _result(log).pop("message"), "$.runs[0].results[0]",
     "'message' is a required property"),  # fmt: skip
    ("level warn", lambda log: _result(log).update(level="warn"), "$.runs[0].results[0].level", "is not one of"),
    (
        "unknown result property",
        lambda log: _result(log).update(severity="high"),
        "$.runs[0].results[0]",
        "Additional properties are not allowed ('severity' was unexpected)",
    ),
    (
        "startLine 0",
        lambda log: _result(log)["locations"][0]["physicalLocation"]["region"].update(startLine=0),
        "$.runs[0].results[0].locations[0].physicalLocation.region.startLine",
        "0 is less than the minimum of 1",
    ),
    (
        "startColumn 0",
        lambda log: _result(log)["locations"][0]["physicalLocation"]["region"].update(startColumn=0),
        "$.runs[0].results[0].locations[0].physicalLocation.region.startColumn",
        "0 is less than the minimum of 1",
    ),
    (
        "region with neither startLine nor charOffset",
        lambda log: _result(log)["locations"][0]["physicalLocation"].update(region={"startColumn": 5}),
        "$.runs[0].results[0].locations[0].physicalLocation.region",
        "'startLine' is a required property",
    ),
    (
        "uri with a space",
        lambda log: _result(log)["locations"][0]["physicalLocation"]["artifactLocation"].update(
            uri="my app/Dockerfile"
        ),
        "$.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri",
        "is not a 'uri-reference'",
    ),
    ("fix without artifactChanges", lambda log: _fix(log).pop("artifactChanges"), "$.runs[0].results[0].fixes[0]",
     "'artifactChanges' is a required property"),  # fmt: skip
    ("fix with no artifactChanges", lambda log: _fix(log).update(artifactChanges=[]),
     "$.runs[0].results[0].fixes[0].artifactChanges", "[] should be non-empty"),  # fmt: skip
    ("change with no replacements", lambda log: _fix(log)["artifactChanges"][0].update(replacements=[]),
     "$.runs[0].results[0].fixes[0].artifactChanges[0].replacements", "[] should be non-empty"),  # fmt: skip
    ("change without artifactLocation", lambda log: _fix(log)["artifactChanges"][0].pop("artifactLocation"),
     "$.runs[0].results[0].fixes[0].artifactChanges[0]", "'artifactLocation' is a required property"),  # fmt: skip
    (
        "replacement without deletedRegion",
        lambda log: _fix(log)["artifactChanges"][0]["replacements"][0].pop("deletedRegion"),
        "$.runs[0].results[0].fixes[0].artifactChanges[0].replacements[0]",
        "'deletedRegion' is a required property",
    ),
    (
        "insertedContent as a string",
        lambda log: _fix(log)["artifactChanges"][0]["replacements"][0].update(insertedContent=MOUNT),
        "$.runs[0].results[0].fixes[0].artifactChanges[0].replacements[0].insertedContent",
        "is not of type 'object'",
    ),
    ("rule without id", lambda log: _rule(log).pop("id"), "$.runs[0].tool.driver.rules[0]", "'id' is a required"),
    ("help with markdown only", lambda log: _rule(log)["help"].pop("text"), "$.runs[0].tool.driver.rules[0].help",
     "'text' is a required property"),  # fmt: skip
    ("relative helpUri", lambda log: _rule(log).update(helpUri="docs/rules/DFX111.md"),
     "$.runs[0].tool.driver.rules[0].helpUri", "is not a 'uri'"),  # fmt: skip
    ("default level warn", lambda log: _rule(log)["defaultConfiguration"].update(level="warn"),
     "$.runs[0].tool.driver.rules[0].defaultConfiguration.level", "is not one of"),  # fmt: skip
    ("repeated tags", lambda log: _rule(log)["properties"].update(tags=["dockerfile", "dockerfile"]),
     "$.runs[0].tool.driver.rules[0].properties.tags", "has non-unique elements"),  # fmt: skip
    ("invocation without executionSuccessful", lambda log: log["runs"][0]["invocations"][0].pop("executionSuccessful"),
     "$.runs[0].invocations[0]", "'executionSuccessful' is a required property"),  # fmt: skip
]


@pytest.mark.parametrize(
    ("breakage", "path", "expected"), [case[1:] for case in INVALID], ids=[case[0] for case in INVALID]
)
def test_invalid_log_fails(breakage: Callable[[dict[str, Any]], object], path: str, expected: str) -> None:
    log = _valid()
    breakage(log)
    with pytest.raises(AssertionError) as raised:
        validate_sarif(log)
    report = str(raised.value)
    assert f"  - {path}: " in report, report
    assert expected in report, report


def test_every_error_is_listed() -> None:
    log = _valid()
    log.pop("version")
    _result(log)["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    _fix(log).pop("artifactChanges")
    errors = sarif_errors(log)
    assert len(errors) == 3, errors
    with pytest.raises(AssertionError, match=r"\(3 schema errors\)"):
        validate_sarif(log)


def test_validation_does_not_change_the_document() -> None:
    log = _valid()
    before = copy.deepcopy(log)
    validate_sarif(log)
    assert log == before
