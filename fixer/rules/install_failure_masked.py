"""DFX112 `install-failure-masked`: a failed install that the RUN's shell code hides.

A RUN step fails when its shell exits non-zero, and only then. `pip install ... || true`,
a trailing `exit 0`, a pipe into `tee` without `pipefail`, or more commands after the
install with `set -e` off (`;`, a new line of a heredoc, `set +e`) all make the step
succeed when the install failed: the build goes on and ships an image without its
packages, and the error is a line in a log nobody reads.

The rule reads the and-or lists of the RUN's own script (the top level, not scripts that
`sh -c` runs) with the shell's `errexit` and `pipefail` as the stage's SHELL, a
heredoc's `#!` line and the script's own `set` commands leave them.
"""

from __future__ import annotations

from collections.abc import Iterator

from .. import edits
from ..analysis import RunFacts
from ..diagnostics import Applicability, Diagnostic, Edit, Fix
from ..installers import InstallerCall, describe_call
from ..records import NamedTuple
from ..shell import Script, SimpleCommand
from ..syntax import Span
from .base import Context, Invalid, Rule, Valid

# The subcommands that install packages, by tool: a failure of anything else (`pip
# download`, `apt-get update`) shows up in a later install that fails loudly.
_INSTALLING = {
    "pip": frozenset({"install"}),
    "uv": frozenset({"pip install", "pip sync", "sync", "add", "tool install"}),
    "poetry": frozenset({"install", "sync", "add", "update"}),
    "pdm": frozenset({"install", "sync", "add", "update"}),
    "pipenv": frozenset({"install", "sync", "update"}),
    "apt": frozenset({"install", "upgrade", "dist-upgrade", "full-upgrade", "reinstall", "build-dep", "satisfy"}),
}
# Commands that succeed whatever happened before them.
_SUCCEEDING = frozenset({"true", ":", "echo", "printf"})
# The operators that end an and-or list.
_SEPARATORS = frozenset({";", "\n", "&"})
# The options of the fallback's and the install's that say what they install.
_INPUTS = frozenset({"--requirement", "--requirements", "--editable", "--constraint", "--constraints"})


class InstallFailureMasked(Rule):
    """A failed install does not fail the build: the RUN's shell code hides it.

    ## What it does
    Finds installs (`pip install` in any spelling, uv, poetry, pipenv and pdm installs,
    `apt-get install`) whose failure the RUN step does not report:

    - `|| true`, `|| :`, `|| exit 0`, `|| echo ...` after the install (or after the
      and-or list it is part of): the handler always succeeds;
    - more commands after it while `set -e` is off (`;`, the next line of a heredoc), or
      after `set +e`: the step's status is the last command's, such as a trailing
      `exit 0` or `rm -rf ...`; with `set -e` on, an install that is not the last
      command of an `&&` list (`pip install x && echo done; ...`), since the shell ignores
      `set -e` there;
    - the install piped into another command (`pip install ... | tee log`) without
      `pipefail`: a pipeline's status is its last command's.

    The common "try online, fall back to a local wheelhouse" form, `pip install -r r.txt
    || true` followed by `pip install --no-index --find-links=DIR -r r.txt`, gets a fix:
    `pip install -r r.txt || pip install --no-index --find-links=DIR -r r.txt`, which
    still fails when both fail. Everything else is reported without a fix: only the
    author knows which failures the step may ignore.

    The same holds in a script another shell runs (`sh -c '...'`, `su app -c '...'`, exec
    form's `["sh", "-c", "..."]`), with that shell's own options (`sh -ec`); where the
    install's failure is that script's status, what follows the launching command counts.

    Not flagged: a handler that fails (`|| exit 1`, `|| { echo failed; exit 1; }`, any
    compound handler), another install as the handler (a fallback that fails on its
    own), an install inside an `if`, a loop or a subshell (its status may be tested on
    purpose), and commands that install nothing (`apt-get update || true`: the install
    after it fails loudly).

    ## Why is this bad?
    A failed install that does not fail the step gives an image without the packages
    (or with half of them). The build reports success, the image is pushed, and the
    failure shows up at run time as an `ImportError`, far from its cause. Build caches
    make it worse: the broken layer is reused by every later build until something
    before it changes.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    COPY requirements.txt wheels/ ./
    RUN pip install -r requirements.txt || true && \\
        pip install --no-index --find-links=wheels -r requirements.txt
    ```
    Use instead:
    ```dockerfile
    FROM python:3.12-slim
    COPY requirements.txt wheels/ ./
    RUN pip install -r requirements.txt || \\
        pip install --no-index --find-links=wheels -r requirements.txt
    ```

    ## Fix safety
    The fallback fix is safe when both installs name the same requirements: the
    wheelhouse install then ran only to repeat the online one. When they name different
    inputs it is unsafe: after the fix the fallback runs only when the online install
    fails, so what it alone installed is no longer installed after a success. A comment
    between the two commands means no fix (it would be lost).
    """

    code = "DFX112"
    name = "install-failure-masked"
    summary = "An install whose failure the step's shell hides"

    valid = (
        Valid("FROM python:3.12-slim\nRUN pip install -r requirements.txt && rm -rf /tmp/build\n"),
        Valid(
            "FROM python:3.12-slim\nRUN pip install -r requirements.txt || (echo 'install failed' >&2; exit 1)\n",
            note="a handler that fails",
        ),
        Valid(
            "FROM python:3.12-slim\nRUN pip install -r requirements.txt || pip install --no-index --find-links=/w -r requirements.txt\n",
            note="the fallback is itself an install: it fails when both fail",
        ),
        Valid(
            "FROM python:3.12-slim\nRUN set -e; pip install -r requirements.txt; rm -rf /tmp/build\n",
            note="set -e: the failed install stops the script",
        ),
        Valid(
            'FROM python:3.12-slim\nSHELL ["/bin/bash", "-eo", "pipefail", "-c"]\n'
            "RUN pip install -r requirements.txt | tee /tmp/pip.log; rm -f /tmp/pip.log\n",
            note="the stage's SHELL sets errexit and pipefail",
        ),
        Valid(
            "# syntax=docker/dockerfile:1\nFROM python:3.12-slim\nRUN <<EOF\n#!/bin/sh -e\npip install -r requirements.txt\nrm -rf /tmp/build\nEOF\n",
            note="the heredoc's #! line sets -e",
        ),
        Valid(
            "FROM debian:bookworm-slim\nRUN apt-get update || true\nRUN apt-get install -y python3-pip\n",
            note="not an install: the install after it fails loudly",
        ),
        Valid(
            "FROM python:3.12-slim\nRUN rm -rf /tmp/build; pip install -r requirements.txt\n",
            note="the install is the last command: its status is the step's",
        ),
        Valid(
            "FROM python:3.12-slim\nRUN sh -ec 'pip install -r requirements.txt; rm -rf /tmp/build'\n",
            note="the shell that runs the script has -e",
        ),
        Valid(
            "FROM python:3.12-slim\nRUN if ! pip install -r requirements.txt; then echo 'install failed' >&2; exit 1; fi\n",
            note="an install whose status the script tests",
        ),
    )
    invalid = (
        Invalid(
            "FROM python:3.12-slim\n"
            "COPY requirements.txt wheels/ ./\n"
            "RUN pip install -r requirements.txt || true && \\\n"
            "    pip install --no-index --find-links=wheels -r requirements.txt\n",
            fixed="FROM python:3.12-slim\n"
            "COPY requirements.txt wheels/ ./\n"
            "RUN pip install -r requirements.txt || \\\n"
            "    pip install --no-index --find-links=wheels -r requirements.txt\n",
            note="the wheelhouse fallback: now it fails when both fail",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "RUN pip install -r requirements.txt || true; pip install --no-index --find-links=/wheels -r requirements.txt\n",
            fixed="FROM python:3.12-slim\n"
            "RUN pip install -r requirements.txt || pip install --no-index --find-links=/wheels -r requirements.txt\n",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "RUN pip install flask || : && pip install --no-index --find-links=/wheels -r requirements.txt\n",
            fixed="FROM python:3.12-slim\n"
            "RUN pip install flask || pip install --no-index --find-links=/wheels -r requirements.txt\n",
            unsafe=True,
            note="the two name different inputs: after the fix, the fallback's run only when the first fails",
        ),
        Invalid("FROM python:3.12-slim\nRUN pip install -r requirements.txt || true\n"),
        Invalid(
            "FROM python:3.12-slim\nRUN pip3 install -r requirements.txt || echo 'some packages failed'\n",
            note="echo succeeds",
        ),
        Invalid("FROM python:3.12-slim\nRUN python -m pip install -r requirements.txt; exit 0\n"),
        Invalid(
            "FROM python:3.12-slim\nRUN set +e; pip install -r requirements.txt; rm -rf /root/.cache\n",
            note="set +e",
        ),
        Invalid(
            "FROM python:3.12-slim\nRUN pip install -r requirements.txt 2>&1 | tee /tmp/pip.log\n",
            note="a pipe without pipefail",
        ),
        Invalid(
            "# syntax=docker/dockerfile:1\n"
            "FROM debian:bookworm-slim\n"
            "RUN <<EOF\n"
            "apt-get update\n"
            "apt-get install -y --no-install-recommends python3-pip\n"
            "rm -rf /var/lib/apt/lists/*\n"
            "EOF\n",
            note="a heredoc's lines run on after a failure without set -e",
        ),
        Invalid(
            "FROM python:3.12-slim\nRUN set -e; uv pip install --system -r requirements.txt && echo done; rm -rf /tmp/x\n",
            note="set -e ignores a failure that is not the last of an && list",
        ),
        Invalid(
            "FROM python:3.12-slim\nRUN poetry install --no-root || exit 0\n",
        ),
        Invalid(
            'FROM python:3.12-slim\nRUN ["sh", "-c", "pip install -r requirements.txt || true"]\n',
            note="exec form: the script that sh -c runs",
        ),
        Invalid(
            "FROM python:3.12-slim\nRUN useradd -m app\nRUN su app -c 'pip install --user -r requirements.txt'; true\n",
            note="the install's failure is su's, and `; true` hides that",
        ),
        Invalid(
            'FROM python:3.12-slim\nRUN ["/bin/sh", "-c", "true"]\nRUN pipenv install --system --deploy || true\n',
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for run in context.facts.runs:
            if not run.calls:
                continue
            script = run.shell
            if script is None:
                continue
            masks: dict[tuple[str, int], tuple[_Mask, list[InstallerCall]]] = {}
            for call in run.calls:
                if call.subcommand not in _INSTALLING.get(call.tool, ()):
                    continue
                mask = _mask(run, script, call.command)
                if mask is not None:
                    masks.setdefault((mask.kind, mask.at.index), (mask, []))[1].append(call)
            for mask, calls in masks.values():
                yield self._diagnose(context.source, run, script, mask, calls)

    def _diagnose(
        self, source: str, run: RunFacts, script: Script, mask: _Mask, calls: list[InstallerCall]
    ) -> Diagnostic:
        call = calls[0]
        named = f"`{describe_call(call)}`"
        placed = call.command if mask.kind == "sequence" else mask.at
        words = placed.effective_words or placed.words
        span = run.script.source_span(words[0].start, words[-1].end) if words else None
        span = span or run.instruction.keyword_span
        written = _text(script, mask.at)
        if mask.kind == "handler":
            message = f"`|| {written}` hides a failed {named}: the step succeeds without the packages"
        elif mask.kind == "pipe":
            message = f"{named} is piped into `{written}` without pipefail: the step succeeds when it fails"
        else:
            message = f"the step goes on after a failed {named}, and its status is that of `{written}`"
        detail = (
            "A RUN step fails only when its shell exits non-zero. Here the install's failure does not reach the exit "
            "status: the build goes on, and the image ships without the packages, to fail at run time."
        )
        detail += f" {mask.why}."
        fix = _fallback_fix(source, run, script, mask, call)
        if fix is not None:
            return self.report(span, message, fix, detail, kind=mask.kind)
        no_fix = f"only you know which failures this step may ignore: {mask.remedy}"
        return self.report(span, message, None, detail, no_fix, kind=mask.kind)


class _Mask(NamedTuple):
    """How an install's failure is hidden: `kind` is `handler` (`|| cmd` that succeeds),
    `pipe` (piped without pipefail) or `sequence` (the script goes on and ends with
    `at`); `at` is the command that hides it; `why` and `remedy` are for the message."""

    kind: str
    at: SimpleCommand
    why: str
    remedy: str


class _Level(NamedTuple):
    """The commands of one shell script in a RUN, in order: the RUN's own, or one that
    `sh -c`, `su -c`, exec form's `["sh", "-c", ...]` run (`launcher`: that command's
    index). `base` is the depth of its top level: deeper commands are in its compounds."""

    commands: list[SimpleCommand]
    base: int
    launcher: SimpleCommand | None


def _level_of(script: Script, install: SimpleCommand) -> _Level | None:
    """The script `install` belongs to, when it is on that script's top level."""
    launcher = script.commands[install.launcher] if install.launcher is not None else None
    base = 0 if launcher is None else launcher.depth + 1
    if install.depth != base:
        return None  # inside an if, a loop, a subshell: its status may be tested on purpose
    commands = [c for c in script.commands if c.nested_level == install.nested_level and c.launcher == install.launcher]
    return _Level(commands, base, launcher)


def _mask(run: RunFacts, script: Script, install: SimpleCommand) -> _Mask | None:
    """What hides the failure of `install`, if anything: its and-or list read from the
    install onwards, then what follows the list; where the install's failure is its
    script's status and another shell runs that script, what hides the launching
    command's failure."""
    level = _level_of(script, install)
    if level is None:
        return None
    commands = level.commands
    position = commands.index(install)
    errexit, pipefail, switched_off = _options_before(run, level, position)
    last_in_list = True
    for index in range(position + 1, len(commands)):
        command = commands[index]
        outer = _outer_connector(level, index)
        if outer is None:
            continue
        if outer == "":
            return None  # a reserved word came between (then, do, else, fi): an if's or a loop's test or body
        if outer == "|":
            if not pipefail and index == position + 1:  # the install's own output piped
                return _Mask("pipe", command, "a pipeline's status is its last command's unless pipefail is set",
                             "set pipefail in the stage's SHELL (SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"])"
                             " or write the output to a file instead of a pipe")  # fmt: skip
        elif outer == "&&":
            last_in_list = False
        elif outer == "||":
            return _handler(level, index)
        elif outer in _SEPARATORS:
            return _after_list(level, index, errexit and last_in_list, switched_off)
    if level.launcher is None:
        return None
    return _mask(run, script, level.launcher)  # the script fails with the install: its launcher does


def _outer_connector(level: _Level, index: int) -> str | None:
    """The operator before command `index` on the script's top level: its own connector
    there, or, for the first command of a compound (a subshell, a group), the operator
    before the compound; None inside a compound."""
    commands = level.commands
    command = commands[index]
    if command.depth == level.base:
        return command.connector
    return command.connector if index and commands[index - 1].depth == level.base else None


def _handler(level: _Level, index: int) -> _Mask | None:
    """The `||` branch at `index`: a mask when it is one command that always succeeds and
    no failing command follows it with `&&` (`|| echo failed && exit 1`)."""
    commands = level.commands
    handler = commands[index]
    if handler.depth != level.base or not _succeeds(handler):
        return None
    following = commands[index + 1] if index + 1 < len(commands) else None
    if following is not None and following.connector == "&&" and following.depth == level.base and _fails(following):
        return None
    return _Mask("handler", handler, f"`{_name(handler)}` succeeds whatever the install did, so the list does too",
                 "remove the handler, or make it fail (`|| { echo 'install failed' >&2; exit 1; }`)")  # fmt: skip


def _after_list(level: _Level, index: int, stops: bool, switched_off: bool) -> _Mask | None:
    """The install's list ends before command `index`: a mask when the script goes on
    (without `set -e` stopping it) and its last top-level command decides the status."""
    if stops:
        return None
    rest = [command for command in level.commands[index:] if command.depth == level.base]
    if not rest:
        return None
    last = rest[-1]
    if switched_off:
        why = "`set +e` lets the script go on past a failed command"
    elif _succeeds(last) and len(rest) == 1:
        why = f"`{_name(last)}` after the install makes the step succeed"
    else:
        why = "without `set -e`, the shell goes on after a failed command (or ignores it inside an `&&` list)"
    return _Mask("sequence", last, why, "join the commands with && or start the script with `set -e`")


def _options_before(run: RunFacts, level: _Level, position: int) -> tuple[bool, bool, bool]:
    """`errexit` and `pipefail` as the install (`level.commands[position]`) runs (the
    options its shell starts with, then the script's top-level `set` commands before it),
    and whether a `set +e` turned errexit off."""
    options = _shell_options(run, level)
    switched_off = False
    for command in level.commands[:position]:
        if command.depth != level.base or _name(command) != "set":
            continue
        changes = _set_options([word.text for word in command.effective_words[1:]])
        options.update(changes)
        switched_off = changes.get("errexit") is False or (switched_off and "errexit" not in changes)
    return options.get("errexit", False), options.get("pipefail", False), switched_off


def _shell_options(run: RunFacts, level: _Level) -> dict[str, bool]:
    """The options the script's shell starts with: the launching command's (`sh -ec`), a
    heredoc's `#!` line, or the stage's SHELL."""
    if level.launcher is not None:
        return _set_options([word.text for word in level.launcher.effective_words[1:]])
    if run.script.kind == "shebang":
        return _set_options(run.script.code.split("\n", 1)[0][2:].split()[1:])
    return _set_options(list(run.state.shell[1:]))


def _set_options(words: list[str]) -> dict[str, bool]:
    """What `set` (or a shell's command line) does to `errexit` and `pipefail`: `-e`,
    `+e`, `-o errexit`, clusters (`-euxo pipefail`); it stops at the first operand."""
    changes: dict[str, bool] = {}
    index = 0
    while index < len(words):
        word = words[index]
        if len(word) < 2 or word[0] not in "-+" or not word[1:].isalpha():
            break
        on = word[0] == "-"
        if "e" in word[1:]:
            changes["errexit"] = on
        if "o" in word[1:] and index + 1 < len(words):
            index += 1
            if words[index] in ("errexit", "pipefail"):
                changes[words[index]] = on
        index += 1
    return changes


def _name(command: SimpleCommand) -> str:
    """The program's name, with its status for `exit` (`exit 0`)."""
    words = command.effective_words
    if command.name == "exit":
        return " ".join(word.text for word in words[:2])
    return command.name or ""


def _succeeds(command: SimpleCommand) -> bool:
    """`true`, `:`, `echo ...`, `printf ...`, `exit 0`: a command that always succeeds."""
    words = command.effective_words
    name = command.name
    if name == "exit":
        return len(words) == 2 and words[1].text == "0"
    return name in _SUCCEEDING


def _fails(command: SimpleCommand) -> bool:
    """`false`, `exit N` with N other than 0: a command that always fails."""
    words = command.effective_words
    if command.name == "false":
        return True
    return command.name == "exit" and len(words) == 2 and words[1].text.isdigit() and words[1].text != "0"


def _text(script: Script, command: SimpleCommand) -> str:
    """The command as written, cut at 40 characters."""
    start, end = command.span
    text = " ".join(script.code[start:end].split())
    return text if len(text) <= 40 else text[:37] + "..."


def _fallback_fix(source: str, run: RunFacts, script: Script, mask: _Mask, call: InstallerCall) -> Fix | None:
    """For `install || true` then an install of the same tool: `install || fallback`, by
    deleting the handler and the separator after it (never a comment)."""
    handler = mask.at
    if mask.kind != "handler" or handler.index + 1 >= len(script.commands):
        return None
    fallback = script.commands[handler.index + 1]
    if fallback.depth or fallback.nested_level or fallback.connector not in ("&&", ";", "\n"):
        return None
    following = next((other for other in run.calls if other.command.index == fallback.index), None)
    if following is None or following.tool != call.tool or following.subcommand not in _INSTALLING[call.tool]:
        return None
    span = _handler_span(source, run, handler, fallback)
    if span is None:
        return None
    same = _inputs(call) == _inputs(following)
    caveat = "" if same else (
        "the fallback names other inputs than the first install, and after the fix it runs only when that fails"
    )
    applicability = Applicability.SAFE if same else Applicability.UNSAFE
    return Fix(f"Make `{describe_call(following)}` the fallback of the install", (Edit.delete(span),), applicability,
               caveat)  # fmt: skip


def _handler_span(source: str, run: RunFacts, handler: SimpleCommand, fallback: SimpleCommand) -> Span | None:
    """The handler and the separator after it, with the blanks that follow on its line:
    a line continuation and the fallback's indentation stay where they are."""
    written = run.script.source_span(handler.span[0], handler.span[1])
    after = run.script.source_span(fallback.span[0], fallback.span[1])
    if written is None or after is None:
        return None
    between = source[written.end : after.start]
    if "#" in between:
        return None  # a comment would go with it
    operator = fallback.connector
    found = between.find(operator)
    if found < 0:
        return None
    return Span(written.start, edits.blanks_after(source, written.end + found + len(operator)))


def _inputs(call: InstallerCall) -> tuple[str, ...]:
    """What a call installs, as written: its operands and requirement files."""
    named = [option.value or "" for option in call.options if option.canonical in _INPUTS]
    return tuple(sorted([word.text for word in call.positionals] + named))
