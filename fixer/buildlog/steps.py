"""A build log split into its steps, in the three forms users have.

- **BuildKit** (`docker build --progress=plain`, `docker buildx`): every line is `#N ...`,
  N a counter of the printer's, not the step. A step's header (`#8 [builder 4/5] RUN
  ...`) is printed again each time the printer comes back to it, after a blank line; its
  output lines carry the seconds since it started (`#8 0.731 Collecting ...`); it ends
  with `#8 DONE 5.3s`, `#8 CACHED`, `#8 ERROR: ...` or `#8 CANCELED`. Other `#N` lines
  are progress (`#5 sha256:... 12.58MB / 29.13MB 0.6s`). The index in the brackets is
  padded to the total's width (`[ 1/12]`); the stage is its `AS` name, `stage-N`, or
  nothing in a one-stage file; a platform may come first. Only FROM, ADD, COPY, RUN and
  WORKDIR are numbered, per stage (moby/buildkit `dockerfile2llb/convert.go`,
  `util/progress/progressui/printer.go`).
- **buildah and podman**: `STEP k/n: RUN ...`, with `[i/N] ` before it in a multi-stage
  build; the output follows raw; `--> Using cache <id>` marks a step taken from the layer
  cache; every instruction is numbered, FROM first (containers/buildah
  `imagebuildah/executor.go`, `stage_executor.go`).
- **The legacy builder** (`DOCKER_BUILDKIT=0`): `Step k/n : RUN ...`, numbering every
  instruction of the file (build arguments before the first FROM included), then
  ` ---> Using cache` or ` ---> Running in <id>` and the raw output (moby/moby
  `daemon/builder/dockerfile`).

Before that, each line loses what CI systems and terminals add: colour codes, a
carriage-return progress line's overwritten part, and a leading ISO timestamp (GitHub
Actions' downloaded logs).
"""

from __future__ import annotations

import re

from ..records import NamedTuple

BUILDKIT, BUILDAH, LEGACY = "buildkit", "buildah", "legacy"
BUILDER_NAMES = {BUILDKIT: "BuildKit", BUILDAH: "buildah/podman", LEGACY: "the legacy builder"}

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_CI_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ")
_BUILDKIT_LINE = re.compile(r"#(\d+) (.*)")
_BUILDKIT_OUTPUT = re.compile(r"\d+\.\d+(?: (.*))?")
_BUILDKIT_END = re.compile(r"DONE(?: ([\d.]+)s)?|CACHED|CANCELED|ERROR: .*")
_BUILDKIT_STEP = re.compile(
    r"\[(?:(?P<platform>[^\s\]/]+/[^\s\]]+) )?(?:(?P<stage>[^\s\]]+) +)?\s*(?P<index>\d+)/(?P<total>\d+)\] (?P<command>.*)"
)
_BUILDAH_STEP = re.compile(r"(?:\[(?P<stage>\d+)/\d+\] )?STEP (?P<index>\d+)(?:/(?P<total>\d+))?: (?P<command>.*)")
_BUILDAH_COMMIT = re.compile(r"(?:\[\d+/\d+\] )?COMMIT\b.*")
_BUILDAH_FAILED = re.compile(r"(?:Error: |error )?building at STEP \"(.*)\": .*")
_LEGACY_STEP = re.compile(r"Step (?P<index>\d+)/(?P<total>\d+) : (?P<command>.*)")
# The builder's own lines (pip's "Successfully built mypkg" is a RUN's output, the builder's names an image id).
_LEGACY_BOOKKEEPING = re.compile(r"Removing intermediate container \S+|Successfully built [0-9a-f]{12}|Successfully tagged \S+")
_LEGACY_FAILED = re.compile(r"The command '.*' returned a non-zero code: \d+.*")


class LogError(Exception):
    """The text is not a build log in a form dockerfix reads; the message says which forms it reads."""


class Step(NamedTuple):
    """One step of a build: where the log shows it (`#8`, `STEP 3/7`), its stage (the
    name BuildKit shows, buildah's stage number, or "" for none), its number in the
    builder's own count and the count, the instruction as the log shows it, its output
    lines, and how it ended: `ran`, `cached` (the layer cache: it did not run), `failed`,
    or `unfinished` (the log stops first)."""

    label: str
    stage: str
    index: int
    total: int
    command: str
    lines: tuple[str, ...]
    state: str
    seconds: float | None = None

    @property
    def keyword(self) -> str:
        return self.command.split(" ", 1)[0].upper()


class _Open:
    """A step while its lines are read."""

    __slots__ = ("label", "stage", "index", "total", "command", "lines", "state", "seconds")

    def __init__(self, label: str, stage: str, index: int, total: int, command: str) -> None:
        self.label, self.stage, self.index, self.total, self.command = label, stage, index, total, command
        self.lines: list[str] = []
        self.state = "unfinished"
        self.seconds: float | None = None

    def closed(self) -> Step:
        return Step(self.label, self.stage, self.index, self.total, self.command, tuple(self.lines), self.state, self.seconds)


def clean_lines(text: str) -> list[str]:
    """The log's lines without colour codes, overwritten progress or CI timestamps."""
    lines = []
    for raw in text.split("\n"):  # not splitlines(): a lone carriage return overwrites, it ends no line
        line = _ANSI.sub("", raw).rstrip("\r")
        if "\r" in line:
            line = line.rsplit("\r", 1)[1]
        lines.append(_CI_TIMESTAMP.sub("", line, count=1))
    return lines


def read_steps(text: str) -> tuple[str, list[Step]]:
    """The builder whose log this is, and its steps in the order they started."""
    lines = clean_lines(text)
    for line in lines:
        if _BUILDKIT_LINE.fullmatch(line):
            return BUILDKIT, _buildkit(lines)
        if _BUILDAH_STEP.fullmatch(line):
            return BUILDAH, _buildah(lines)
        if _LEGACY_STEP.fullmatch(line):
            return LEGACY, _legacy(lines)
    raise LogError(
        "no build steps found: dockerfix reads BuildKit's plain progress (docker build --progress=plain), "
        "buildah's or podman's build output, and the legacy builder's (DOCKER_BUILDKIT=0)"
    )


def _buildkit(lines: list[str]) -> list[Step]:
    steps: dict[str, _Open] = {}
    after_blank = True
    for line in lines:
        matched = _BUILDKIT_LINE.fullmatch(line)
        if matched is None:
            after_blank = not line.strip()
            continue
        number, rest = matched.groups()
        step = steps.get(number)
        output = _BUILDKIT_OUTPUT.fullmatch(rest)
        end = _BUILDKIT_END.fullmatch(rest)
        if rest == "...":
            pass
        elif step is not None and end is not None:
            step.state = _buildkit_state(rest)
            step.seconds = float(end.group(1)) if end.group(1) else None
        elif step is not None and output is not None:
            step.lines.append(output.group(1) or "")
        elif step is None or after_blank:
            if step is None:
                found = _BUILDKIT_STEP.fullmatch(rest)
                label = f"#{number} {rest[: rest.index('] ') + 1]}" if found else f"#{number}"
                steps[number] = _Open(label, found["stage"] or "", int(found["index"]), int(found["total"]),
                                      found["command"]) if found else _Open(label, "", 0, 0, rest)  # fmt: skip
        after_blank = False
    return [step.closed() for step in steps.values() if step.index]


def _buildkit_state(end: str) -> str:
    if end.startswith("ERROR"):
        return "failed"
    return {"CACHED": "cached", "CANCELED": "failed"}.get(end, "ran")


def _buildah(lines: list[str]) -> list[Step]:
    steps: list[_Open] = []
    current: _Open | None = None
    for line in lines:
        found = _BUILDAH_STEP.fullmatch(line)
        if found is not None:
            current = _Open(line[: line.index(": ")],
                            found["stage"] or "", int(found["index"]), int(found["total"] or 0), found["command"])  # fmt: skip
            current.state = "ran"
            steps.append(current)
        elif _BUILDAH_FAILED.fullmatch(line) and steps:
            steps[-1].state = "failed"  # the message comes at the end, after the failed step's output
            current = None
        elif current is None:
            continue
        elif line.startswith("--> Using cache "):
            current.state = "cached"
        elif line.startswith("--> ") or _BUILDAH_COMMIT.fullmatch(line):
            current = None
        else:
            current.lines.append(line)
    return [step.closed() for step in steps]


def _legacy(lines: list[str]) -> list[Step]:
    steps: list[_Open] = []
    current: _Open | None = None
    for line in lines:
        found = _LEGACY_STEP.fullmatch(line)
        if found is not None:
            current = _Open(line[: line.index(" : ")], "", int(found["index"]), int(found["total"]), found["command"])
            steps.append(current)
        elif current is None:
            continue
        elif line == " ---> Using cache":
            current.state = "cached"
        elif line.startswith(" ---> ") or _LEGACY_BOOKKEEPING.fullmatch(line):
            if current.state == "unfinished":
                current.state = "ran"  # ` ---> Running in <id>`, or the new layer's id
        elif _LEGACY_FAILED.fullmatch(line):
            current.state = "failed"
        else:
            current.lines.append(line)
    return [step.closed() for step in steps]
