"""A log report as text for people and as JSON (version 1) for programs."""

from __future__ import annotations

import json

from ..secrets import mask
from .activity import Tool
from .report import LogReport, StepReport
from .steps import BUILDER_NAMES

_STATES = {"cached": "from the layer cache: it did not run", "failed": "failed", "unfinished": "the log stops before it ends"}
_WIDTH = 110


def text(report: LogReport, dockerfile: str | None) -> str:
    """Each RUN step with its installers' work, warnings and findings; the totals; the verdict."""
    out = [f"build log ({BUILDER_NAMES[report.builder]}): {len(report.steps)} RUN step{'s' if len(report.steps) != 1 else ''}"]
    for one in report.steps:
        out += ["", *_step(one, dockerfile)]
    totals = report.totals
    out += [
        "",
        f"total: {totals.downloaded} downloaded, {totals.reused} from the cache, {totals.built} built, "
        f"in {totals.ran} RUN step{'s' if totals.ran != 1 else ''} that ran ({totals.cached} from the layer cache)",
        f"verdict: {report.verdict}",
    ]
    return "\n".join(out) + "\n"


def _step(one: StepReport, dockerfile: str | None) -> list[str]:
    step = one.step
    where = f"  ({dockerfile}:{one.line})" if one.line is not None and dockerfile else ""
    head = f"{step.label} {_short(step.command)}{where}"
    state = _STATES.get(step.state)
    lines = [head]
    if state:
        lines.append(f"    {state}")
    elif step.seconds is not None:
        lines.append(f"    ran in {step.seconds:.1f} s")
    lines += [f"    {_tool(tool)}" for tool in one.activity.tools]
    if step.state != "cached" and not one.activity.tools:
        lines.append("    no installer output")
    lines += [f"    warning: {warning}" for warning in one.activity.warnings]
    lines += [f"    {item.code} {item.name} (line {item.line}): {mask(item.message)}" for item in one.explanations]
    return lines


def _tool(tool: Tool) -> str:
    if not tool.reuse_visible:
        return f"{tool.name}: {tool.installed} installed; what came from its cache is not in the log"
    parts = [f"{tool.downloaded_count} downloaded", f"{tool.reused_count} from the cache"]
    if tool.built:
        parts.append(f"{len(tool.built)} built")
    if tool.installed:
        parts.append(f"{tool.installed} installed")
    return f"{tool.name}: {', '.join(parts)}"


def _short(command: str) -> str:
    """The instruction on one line of at most _WIDTH characters, credentials masked."""
    command = mask(" ".join(command.split()))
    return command if len(command) <= _WIDTH else command[: _WIDTH - 1] + "…"


def json_text(report: LogReport, dockerfile: str | None) -> str:
    """The report as JSON: `version` 1, the builder, each RUN step, the totals, the verdict."""
    document = {
        "version": 1,
        "builder": report.builder,
        "dockerfile": dockerfile,
        "steps": [_step_json(one) for one in report.steps],
        "total": report.totals._asdict(),
        "verdict": report.verdict,
    }
    return json.dumps(document, indent=2) + "\n"


def _step_json(one: StepReport) -> dict[str, object]:
    step = one.step
    return {
        "label": step.label,
        "stage": step.stage,
        "index": step.index,
        "total": step.total,
        "instruction": mask(step.command),
        "state": step.state,
        "seconds": step.seconds,
        "line": one.line,
        "tools": [
            {"name": tool.name, "downloaded": tool.downloaded_count, "reused": tool.reused_count,
             "built": len(tool.built), "installed": tool.installed, "reuse_visible": tool.reuse_visible,
             "downloaded_files": list(tool.downloaded), "reused_files": list(tool.reused), "built_names": list(tool.built)}
            for tool in one.activity.tools
        ],  # fmt: skip
        "warnings": list(one.activity.warnings),
        "findings": [item._replace(message=mask(item.message))._asdict() for item in one.explanations],
    }
