"""Record current BuildKit's parse of every corpus file in ``expected-head.json``.

The `dockerfile` package (the CI oracle) wraps BuildKit v0.12.5; dockerfix follows
current BuildKit. To pin the current behaviour too, a maintainer builds a small harness
around BuildKit's own parser package at the commit named in README.md and runs:

    .venv/bin/python tests/corpus/record_head.py /path/to/harness

The harness (not kept in this repository, as it is built from BuildKit's sources) reads
NUL-separated Dockerfiles on stdin and prints one JSON line per file: either
``{"error": message}`` or a list of instructions with ``cmd``, ``sub_cmd``, ``json``,
``start_line``, ``end_line``, ``flags``, ``sub_flags``, ``value`` and ``heredocs``
(``name``, ``file_descriptor``, ``content``, ``expand``, ``chomp``), taken from the
parser's AST (`parser.Parse`): ONBUILD's wrapped instruction gives ``sub_cmd``,
``sub_flags``, ``json`` and ``value``; heredocs are the ones BuildKit attaches to the
top-level node. The recorded file is what `tests/test_differential.py` compares with.
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent


def normalise(result: object) -> object:
    """Empty and missing lists are the same thing (Go marshals nil and [] differently)."""
    if isinstance(result, dict):
        return result
    for command in result:  # type: ignore[union-attr]
        command.pop("original", None)
        for key in ("flags", "sub_flags", "value", "heredocs"):
            command[key] = command.get(key) or []
    return result


def main(harness: str) -> None:
    paths = sorted(HERE.glob("*.Dockerfile"))
    data = b"\0".join(path.read_bytes() for path in paths)
    output = subprocess.run([harness], input=data, capture_output=True, check=True).stdout
    lines = output.decode("utf-8", "surrogateescape").splitlines()
    assert len(lines) == len(paths), "the harness must print one line per file"
    recorded = {path.name: normalise(json.loads(line)) for path, line in zip(paths, lines)}
    target = HERE / "expected-head.json"
    target.write_text(json.dumps(recorded, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"recorded {len(recorded)} files in {target}")


if __name__ == "__main__":
    main(sys.argv[1])
