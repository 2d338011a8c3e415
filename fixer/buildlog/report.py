"""A build log's RUN steps with what their installers did, the totals and a verdict;
with the Dockerfile, each step's instruction and what dockerfix finds there.

A step is matched to its instruction by the builder's own count, which differs by
builder: BuildKit numbers FROM (an image's, not `scratch` or a stage's), ADD, COPY, RUN
and WORKDIR within each stage, named as it names stages (the `AS` name, `stage-N`, or
none in a one-stage file); buildah numbers every instruction of a stage, FROM first;
the legacy builder numbers every instruction of the file, the build arguments before
the first FROM included. When the instruction so found is not the step's kind (a log of
another version of the file), the step is matched by its text instead.

The verdict reads one build. Downloads with nothing from the cache are right for a first
build with cold caches; on a rebuild they mean the caches are not reused, and a rule
dockerfix finds on that instruction says why.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..records import NamedTuple
from ..syntax import Dockerfile, Instruction
from .activity import Activity, read_activity
from .steps import BUILDAH, BUILDKIT, Step

_BUILDKIT_NUMBERED = frozenset({"ADD", "COPY", "RUN", "WORKDIR"})
_RAN = frozenset({"ran", "failed", "unfinished"})


class Explanation(NamedTuple):
    """A finding of dockerfix's on a step's instruction."""

    code: str
    name: str
    line: int
    message: str


class StepReport(NamedTuple):
    """A RUN step, its installers' work, and with the Dockerfile its line and findings."""

    step: Step
    activity: Activity
    line: int | None = None
    explanations: tuple[Explanation, ...] = ()


class Totals(NamedTuple):
    ran: int
    cached: int
    downloaded: int
    reused: int
    built: int


class LogReport(NamedTuple):
    builder: str
    steps: tuple[StepReport, ...]
    totals: Totals
    verdict: str


def report(builder: str, steps: Sequence[Step], dockerfile: Dockerfile | None = None,
           explanations: Sequence[Explanation] = ()) -> LogReport:  # fmt: skip
    """The report of a log's steps; with the Dockerfile (and what dockerfix finds in it),
    each RUN step placed on its instruction."""
    placed = _placed(builder, steps, dockerfile) if dockerfile is not None else {}
    reports = []
    for step in steps:
        if step.keyword != "RUN":
            continue
        instruction = placed.get(id(step))
        line = instruction.start_line if instruction is not None else None
        found = tuple(item for item in explanations if instruction is not None
                      and instruction.start_line <= item.line <= instruction.end_line)  # fmt: skip
        reports.append(StepReport(step, read_activity(step.lines), line, found))
    totals = Totals(
        ran=sum(one.step.state in _RAN for one in reports),
        cached=sum(one.step.state == "cached" for one in reports),
        downloaded=sum(one.activity.downloaded for one in reports),
        reused=sum(one.activity.reused for one in reports),
        built=sum(one.activity.built for one in reports),
    )
    return LogReport(builder, tuple(reports), totals, _verdict(reports, totals))


def _verdict(reports: list[StepReport], totals: Totals) -> str:
    """One line on what the build's installers did with their caches."""
    if not reports:
        return "the log has no RUN step"
    if not totals.ran:
        return f"every RUN step ({totals.cached}) came from the layer cache: nothing ran, nothing was downloaded"
    disabled = [one for one in reports if any("disabled" in warning or "cannot use" in warning for warning in one.activity.warnings)]
    why = next((f" ({item.code} at line {item.line} says why)" for one in reports
                if one.activity.downloaded or one.activity.warnings for item in one.explanations), "")  # fmt: skip
    if disabled:
        return f"an installer's cache is disabled in {_steps(len(disabled))}: it downloads everything on every build{why}"
    if not any(one.activity.tools for one in reports):
        return "the RUN steps that ran show no installer output (a quiet installer, pip -q, says nothing)"
    if not totals.downloaded and not totals.reused:
        return "the installers do not say what came from their caches (poetry says nothing of it without a terminal)"
    if not totals.downloaded:
        return f"every package came from the installers' caches ({totals.reused} reused, nothing downloaded)"
    if not totals.reused:
        return (f"nothing came from the installers' caches: {totals.downloaded} downloaded; right on a first build, "
                f"on a rebuild the caches are not reused{why}")  # fmt: skip
    share = f"{totals.reused} of {totals.reused + totals.downloaded}"
    return f"{share} came from the installers' caches, {totals.downloaded} downloaded{why}"


def _steps(count: int) -> str:
    return f"{count} step{'s' if count != 1 else ''}"


def _placed(builder: str, steps: Sequence[Step], dockerfile: Dockerfile) -> dict[int, Instruction]:
    """Each step's instruction (by `id(step)`), by the builder's count, else by its text."""
    stages = _stages(dockerfile)
    placed: dict[int, Instruction] = {}
    for step in steps:
        instruction = _by_count(builder, step, stages, dockerfile)
        if instruction is None or instruction.keyword != step.keyword:
            instruction = _by_text(step, dockerfile)
        if instruction is not None:
            placed[id(step)] = instruction
    return placed


class _Stage(NamedTuple):
    name: str
    base: str
    instructions: tuple[Instruction, ...]


def _stages(dockerfile: Dockerfile) -> list[_Stage]:
    stages: list[_Stage] = []
    for instruction in dockerfile.instructions:
        if instruction.keyword == "FROM":
            value = instruction.value
            name = value[2].lower() if len(value) >= 3 and value[1].upper() == "AS" else ""
            stages.append(_Stage(name, value[0].lower() if value else "", (instruction,)))
        elif stages:
            stages[-1] = stages[-1]._replace(instructions=stages[-1].instructions + (instruction,))
    return stages


def _by_count(builder: str, step: Step, stages: list[_Stage], dockerfile: Dockerfile) -> Instruction | None:
    """The instruction the builder's count points at."""
    if builder == BUILDKIT:
        stage = _buildkit_stage(step.stage, stages)
        if stage is None:
            return None
        names = {one.name for one in stages}
        numbered = [ins for ins in stage.instructions if ins.keyword in _BUILDKIT_NUMBERED
                    or (ins.keyword == "FROM" and stage.base != "scratch" and stage.base not in names)]  # fmt: skip
    elif builder == BUILDAH:
        number = int(step.stage) if step.stage else 1
        numbered = list(stages[number - 1].instructions) if 0 < number <= len(stages) else []
    else:
        numbered = list(dockerfile.instructions)
    return numbered[step.index - 1] if 0 < step.index <= len(numbered) else None


def _buildkit_stage(shown: str, stages: list[_Stage]) -> _Stage | None:
    """The stage BuildKit shows as `shown`: its name, `stage-N`, or "" in a one-stage file."""
    if not shown:
        return stages[0] if len(stages) == 1 else None
    named = next((stage for stage in stages if stage.name == shown.lower()), None)
    if named is not None:
        return named
    number = shown.removeprefix("stage-")
    return stages[int(number)] if number.isdigit() and int(number) < len(stages) else None


def _by_text(step: Step, dockerfile: Dockerfile) -> Instruction | None:
    """The first instruction whose text is the step's (spaces aside)."""
    wanted = " ".join(step.command.split())
    return next((ins for ins in dockerfile.instructions if _text(ins, dockerfile) == wanted), None)


def _text(instruction: Instruction, dockerfile: Dockerfile) -> str:
    """An instruction as builders show it: one line, continuations joined, comments out."""
    escape = dockerfile.escape
    lines = dockerfile.source[instruction.span.start : instruction.span.end].splitlines()
    kept = [line.rstrip().removesuffix(escape) for line in lines if not line.lstrip().startswith("#")]
    return " ".join(" ".join(kept).split())
