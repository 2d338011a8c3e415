"""`dockerfix explain`: what dockerfix understood of a Dockerfile, for people and machines.

The JSON form is a stable interface: one object per instruction (`keyword`,
`start_line`, `end_line`, `flags`, `heredocs`...), and for every RUN the analysis:
`stage`, `user`, `home`, `installs` (where each installer call caches) and `mounts`;
an instruction with findings also has `findings`, each with its reasoning (`detail`).
The text form is a compact per-RUN table for people, with a clear flag where a cache
mount misses the directory the installer really uses, then the RUN's findings with the
reasoning their one-line messages leave out (cache ids, why this fix and not another).
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence

from .analysis import FileFacts, InstallFacts, RunFacts, describe_user
from .diagnostics import Applicability, Diagnostic
from .facts import Known
from .mounts import Mount
from .rules.base import rule_page
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


def run_record(run: RunFacts) -> dict[str, object]:
    """The analysis fields of a RUN."""
    user = run.user
    home = run.home
    return {
        "stage": run.stage.label,
        "stage_index": run.stage.index,
        "user": describe_user(user.value) if isinstance(user, Known) else None,
        "uid": user.value.uid if isinstance(user, Known) else None,
        "user_reason": None if isinstance(user, Known) else user.reason,
        "home": home.value if isinstance(home, Known) else None,
        "home_origin": str(home.origin) if isinstance(home, Known) else None,
        "home_reason": None if isinstance(home, Known) else home.reason,
        "home_certain": home.certain if isinstance(home, Known) else False,
        "home_writable": run.home_writable,
        "installs": [install_record(install) for install in run.installs],
        "mounts": [mount_record(mount) for mount in run.mounts],
    }


def install_record(install: InstallFacts) -> dict[str, object]:
    cache = install.cache
    return {
        "tool": cache.tool,
        "command": " ".join(word.text for word in install.call.command.effective_words),
        "cache": cache.status,
        "cache_dir": cache.directory,
        "reason": cache.reason,
        "decided_by": cache.decided_by,
        "certain": cache.certain,
        "mount": install.mount.target if install.mount else None,
        "mount_status": install.mount_status,
    }


def mount_record(mount: Mount) -> dict[str, object]:
    return {
        "type": mount.type,
        "target": mount.target,
        "id": mount.id,
        "uid": mount.uid,
        "gid": mount.gid,
        "mode": f"{mount.mode:04o}",
        "sharing": mount.sharing,
    }


def finding_record(diagnostic: Diagnostic, tree: Dockerfile) -> dict[str, object]:
    """A finding with its reasoning and its fix (title, caveat, safety)."""
    line, column = tree.position(diagnostic.span.start)
    fix = diagnostic.fix
    return {
        "code": diagnostic.code,
        "name": diagnostic.name,
        "line": line,
        "column": column,
        "message": diagnostic.message,
        "detail": diagnostic.detail,
        "fix": None if fix is None else {"title": fix.title, "caveat": fix.caveat, "applicability": fix.applicability.value},
        "no_fix": diagnostic.no_fix,
        "docs": rule_page(diagnostic.code),
    }


def _of(instruction: Instruction, findings: Sequence[Diagnostic]) -> list[Diagnostic]:
    return [d for d in findings if instruction.span.start <= d.span.start < instruction.span.end]


def explain_json(name: str, tree: Dockerfile, facts: FileFacts, findings: Sequence[Diagnostic] = ()) -> str:
    instructions = []
    for instruction in tree.instructions:
        record = instruction_record(instruction)
        run = facts.run(instruction)
        if run is not None:
            record.update(run_record(run))
        mine = _of(instruction, findings)
        if mine:
            record["findings"] = [finding_record(d, tree) for d in mine]
        instructions.append(record)
    document = {
        "file": name,
        "escape": tree.escape,
        "directives": {d.name: d.value for d in tree.directives},
        "instructions": instructions,
        "errors": [{"line": e.line, "column": e.column, "message": e.message} for e in tree.errors],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def explain_text(name: str, tree: Dockerfile, facts: FileFacts, findings: Sequence[Diagnostic] = ()) -> str:
    lines = [f"{name}: {len(tree.instructions)} instructions, {len(facts.stages.stages)} stages"]
    for run in facts.runs:
        lines.extend(_run_lines(run))
        lines.extend(_finding_lines(_of(run.instruction, findings), tree))
    if not facts.runs:
        lines.append("  no RUN instructions")
    shown = {id(d) for run in facts.runs for d in _of(run.instruction, findings)}
    lines.extend(_finding_lines([d for d in findings if id(d) not in shown], tree))
    return "\n".join(lines) + "\n"


def _finding_lines(found: Sequence[Diagnostic], tree: Dockerfile) -> list[str]:
    """Each finding, its fix and the reasoning behind both, wrapped for reading."""
    lines = []
    for diagnostic in found:
        line, column = tree.position(diagnostic.span.start)
        lines.append(f"    {diagnostic.code} at {line}:{column}: {diagnostic.message}")
        fix = diagnostic.fix
        if fix is not None:
            safety = "" if fix.applicability is Applicability.SAFE else f" [{fix.applicability.value}]"
            lines.append(f"        fix{safety}: {fix.described}")
        elif diagnostic.no_fix:
            lines.extend(textwrap.wrap(diagnostic.no_fix, 100, initial_indent="        no fix: ", subsequent_indent="                "))
        if diagnostic.detail:
            lines.extend(textwrap.wrap(diagnostic.detail, 100, initial_indent="        why: ", subsequent_indent="             "))
    return lines


def _run_lines(run: RunFacts) -> list[str]:
    instruction = run.instruction
    where = f"line {instruction.start_line}" + (
        f"-{instruction.end_line}" if instruction.end_line != instruction.start_line else ""
    )
    user = describe_user(run.user.value) if isinstance(run.user, Known) else f"unknown ({run.user.reason})"
    home = f"{run.home.value} ({run.home.origin})" if isinstance(run.home, Known) else f"unknown ({run.home.reason})"
    lines = [f"RUN {where}  stage {run.stage.label}  user {user}", f"    HOME {home}"]
    for install in run.installs:
        lines.append(f"    {_install_line(install)}")
    for mount in run.mounts:
        if mount.type == "cache":
            lines.append(
                f"    mount cache {mount.target} id={mount.id} uid={mount.uid} gid={mount.gid} "
                f"mode={mount.mode:04o} sharing={mount.sharing}"
            )
        else:
            lines.append(f"    mount {mount.type} {mount.target}")
    return lines


def _install_line(install: InstallFacts) -> str:
    cache = install.cache
    command = " ".join(word.text for word in install.call.command.effective_words)
    if len(command) > 60:
        command = command[:57] + "..."
    status = {
        "hit": f"served by the cache mount at {install.mount.target if install.mount else ''}",
        "miss": "!! MISSES: the RUN's cache mounts are not at that directory",
        "disabled": "!! the RUN's cache mounts are useless: the cache is disabled",
        "none": "no cache mount",
        "unknown": "",
    }[install.mount_status]
    where = cache.directory if cache.status == "enabled" else cache.status.upper()
    return f"{command}\n        cache {where}: {cache.reason}" + (f"\n        {status}" if status else "")
