"""`dockerfix explain`: what dockerfix understood of a Dockerfile, for people and machines.

The JSON form is a stable interface (one object per instruction with `keyword`,
`start_line`, `end_line`, `flags`, `heredocs`...), which the analysis issue extends
with per-RUN facts; the text form is a compact table for people.
"""

from __future__ import annotations

import json

from .syntax import Dockerfile, Instruction


def instruction_record(instruction: Instruction) -> dict[str, object]:
    """The JSON object for one instruction; ONBUILD reports its wrapped instruction too."""
    target = instruction.effective
    record: dict[str, object] = {
        "keyword": instruction.keyword,
        "start_line": instruction.start_line,
        "end_line": instruction.end_line,
        "flags": [flag.text for flag in instruction.flags],
        "json": target.json,
        "value": list(target.value),
        "heredocs": [heredoc.name for heredoc in target.heredocs],
    }
    if instruction.sub is not None:
        record["sub_keyword"] = target.keyword
        record["sub_flags"] = [flag.text for flag in target.flags]
    return record


def explain_json(name: str, tree: Dockerfile) -> str:
    document = {
        "file": name,
        "escape": tree.escape,
        "directives": {d.name: d.value for d in tree.directives},
        "instructions": [instruction_record(i) for i in tree.instructions],
        "errors": [{"line": e.line, "column": e.column, "message": e.message} for e in tree.errors],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def explain_text(name: str, tree: Dockerfile) -> str:
    lines = [f"{name}: {len(tree.instructions)} instructions, escape {tree.escape!r}"]
    for instruction in tree.instructions:
        target = instruction.effective
        where = f"{instruction.start_line}" if instruction.start_line == instruction.end_line else (
            f"{instruction.start_line}-{instruction.end_line}"
        )
        keyword = instruction.keyword if instruction.sub is None else f"ONBUILD {target.keyword}"
        details = [flag.text for flag in (*instruction.flags, *(target.flags if instruction.sub else ()))]
        if target.json:
            details.append("(exec form)")
        details.extend(f"<<{heredoc.name}" for heredoc in target.heredocs)
        lines.append(f"  {where:>9}  {keyword:<12} {' '.join(details)}".rstrip())
    return "\n".join(lines) + "\n"
