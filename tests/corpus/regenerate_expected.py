"""Regenerate ``tests/corpus/expected.json`` from the BuildKit parser oracle.

The oracle is the ``dockerfile`` package (3.4.0): Python bindings around
BuildKit v0.12.5's Go Dockerfile parser (``frontend/dockerfile/parser``).
Its wheels exist only for x86-64 Linux and Windows, so this script runs only
where ``import dockerfile`` works (the project venv on such a machine):

    .venv/bin/python tests/corpus/regenerate_expected.py          # rewrite expected.json
    .venv/bin/python tests/corpus/regenerate_expected.py --check  # exit 1 if it is stale

For every ``*.Dockerfile`` in this folder (read as bytes, decoded as strict
UTF-8, passed unchanged to ``dockerfile.parse_string``) the file name maps to
either

* a list of commands, one dict per top-level instruction, with the oracle's
  fields: ``cmd``, ``sub_cmd``, ``json``, ``original``, ``start_line``,
  ``end_line``, ``flags`` (list), ``value`` (list), ``heredocs`` (list of
  ``{"name", "file_descriptor", "content"}``); or
* ``{"error": "<GoParseError message>"}``.

The values are the oracle's, verbatim, including its binding quirks (see
README.md, "Oracle quirks"): an empty Go string comes back as ``None``
(``cmd``/``original`` of a phantom instruction, ``sub_cmd`` of a non-ONBUILD
command), ONBUILD drops the inner command's flags and heredocs, and
``original`` of a heredoc command is rebuilt, not the raw text.

Naming convention, enforced here: a file whose name contains ``-error-`` must
make the oracle raise; every other file must parse. ``-divergent-`` files are
ones where current BuildKit differs from v0.12.5 (README.md says how); their
expected output is still v0.12.5's.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

import dockerfile

HERE = pathlib.Path(__file__).resolve().parent
EXPECTED = HERE / "expected.json"


def oracle(text: str) -> list[dict] | dict:
    try:
        commands = dockerfile.parse_string(text)
    except dockerfile.GoParseError as exc:
        return {"error": str(exc)}
    return [
        {
            "cmd": c.cmd,
            "sub_cmd": c.sub_cmd,
            "json": c.json,
            "original": c.original,
            "start_line": c.start_line,
            "end_line": c.end_line,
            "flags": list(c.flags),
            "value": list(c.value),
            "heredocs": [
                {"name": h.name, "file_descriptor": h.file_descriptor, "content": h.content}
                for h in c.heredocs
            ],
        }
        for c in commands
    ]


def build() -> dict[str, list[dict] | dict]:
    result: dict[str, list[dict] | dict] = {}
    problems = []
    for path in sorted(HERE.glob("*.Dockerfile")):
        text = path.read_bytes().decode("utf-8")
        out = oracle(text)
        raised = isinstance(out, dict)
        if raised != ("-error-" in path.name):
            problems.append(f"{path.name}: oracle {'raised ' + out['error'] if raised else 'parsed it'}")
        result[path.name] = out
    if problems:
        sys.exit("naming convention violated:\n  " + "\n  ".join(problems))
    return result


def render(data: dict) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="do not write; exit 1 if expected.json is stale")
    args = ap.parse_args()
    text = render(build())
    if args.check:
        current = EXPECTED.read_text(encoding="utf-8") if EXPECTED.exists() else ""
        if current != text:
            print(f"{EXPECTED} is stale; run {pathlib.Path(__file__).name}", file=sys.stderr)
            return 1
        print(f"{EXPECTED.name} is up to date")
        return 0
    EXPECTED.write_text(text, encoding="utf-8")
    print(f"wrote {EXPECTED} ({text.count(chr(10))} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
