"""DFX103 `cache-disabled-under-mount`: an install switches off the cache its cache mount holds.

The analysis says a call's cache is disabled and by what (`CacheResolution.decided_by`,
`.option`, `.origin`). What it does not say is which mount the call would use if its
cache were on, so `_served` asks `caches.resolve_cache` again with the switches left
out; only a mount at that directory makes removing the switch both useful and harmless.
Removing a switch under any other mount would put the cache into the image layer.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis import InstallFacts, RunFacts, write_access
from ..caches import CacheResolution
from .. import edits
from ..diagnostics import Applicability, Diagnostic, Edit, Fix
from ..facts import Fact
from ..installers import ParsedOption
from ..mounts import Mount
from ..records import NamedTuple
from ..shell import Script, SimpleCommand
from ..shell import Span as CodeSpan
from ..syntax import Dockerfile, Span
from ..users import ResolvedUser
from .base import Context, Invalid, Rule, Valid


class _Switch(NamedTuple):
    """How a tool's cache is switched off: its option (canonical spelling) and variable.

    pip reads every `PIP_*` name in any case (`PIP_No_Cache_Dir`); uv reads `UV_NO_CACHE`
    exactly.
    """

    option: str
    variable: str
    any_case: bool

    def sets(self, name: str) -> bool:
        return (name.upper() if self.any_case else name) == self.variable


_SWITCHES = {
    "pip": _Switch("--no-cache-dir", "PIP_NO_CACHE_DIR", any_case=True),
    "uv": _Switch("--no-cache", "UV_NO_CACHE", any_case=False),
}
_DISABLERS = frozenset({"cli-no-cache-dir", "env-no-cache-dir", "config-no-cache-dir"})
_DECLARATIONS = frozenset({"export", "declare", "typeset", "readonly"})
# What only a setting outside the RUN can do about a stage-wide switch.
_ELSEWHERE = {
    "pip": "only a command-line `--cache-dir` turns pip's cache back on for this RUN alone; "
    "DFX102 (pip-cache-dir) adds it",
    "uv": "keep UV_NO_CACHE for stages without a cache mount, or override it for this command "
    "with `UV_NO_CACHE=0`",
}


class CacheDisabledUnderMount(Rule):
    """## What it does
    Finds installs that run with a cache mount for their tool while their cache is
    switched off: pip's `--no-cache-dir` (or an abbreviation pip accepts, such as
    `--no-cache`, also before the subcommand: `pip --no-cache-dir install`),
    `PIP_NO_CACHE_DIR` (any value: pip reads `0`, `false` and `off` as "disable" too),
    `no-cache-dir` in a pip config file, and uv's `--no-cache`, `-n` and `UV_NO_CACHE`.
    It looks in shell form, exec form, heredoc RUNs and `sh -c '...'`. A mount counts
    as the tool's when it holds the directory the tool would cache in with the switch
    removed; a mount for something else (apt's, or one pip would miss) is left alone.

    A switch written in the RUN is removed: the option, a `PIP_NO_CACHE_DIR=1 pip ...`
    prefix, an `env PIP_NO_CACHE_DIR=1` word, or an `export PIP_NO_CACHE_DIR=1`
    statement. A switch set for the whole stage (an `ENV` of this or a parent stage,
    the base image's environment, a pip config file) is reported without a fix:
    removing it would change every other RUN of the stage.

    With DFX102 (`pip-cache-dir`): for pip, the stage-wide switches are DFX102's to
    fix. Only a command-line `--cache-dir` overrides them, and DFX102 adds it to the
    command, turning the cache on for this RUN alone. DFX102 leaves a switch written on
    the command to this rule, so the two never fix one call. uv has no such override
    (its `--no-cache` wins over `--cache-dir`): set `UV_NO_CACHE` only in stages
    without a cache mount, or override it for the command with `UV_NO_CACHE=0`.

    ## Why is this bad?
    A cache mount exists to keep downloads and built wheels between builds. With the
    cache off, pip and uv neither read nor write it: every build downloads everything
    again and the mount does nothing. `--no-cache-dir` is there to keep the cache out of
    the image, but a cache mount is not part of the image anyway, so the layer is the
    same size without it.

    ## Example
    ```dockerfile
    FROM python:3.12
    RUN --mount=type=cache,target=/root/.cache/pip \\
        pip install --no-cache-dir -r requirements.txt
    ```
    Use instead:
    ```dockerfile
    FROM python:3.12
    RUN --mount=type=cache,target=/root/.cache/pip \\
        pip install -r requirements.txt
    ```

    ## Fix safety
    The fix deletes the option word (a JSON element with its comma in exec form) or the
    variable, and one adjacent separator, so no double blank or dangling continuation
    is left; a word alone on its line takes its line with it, and comment lines stay.
    It is offered only when the mount holds the directory the tool then caches in, so
    nothing lands in the layer. It is safe when that is certain, and unsafe when the
    directory or the mount depend on a build argument, on a base image that is not
    fully known or on config files that were not read (uv.toml is not read, so uv's
    fixes are unsafe), or when a removed `export` also reaches a call without such a
    mount. There is no fix when the tool's directory is unknown (the report then names
    a mount whose target names the tool), or when uv could not write the mount: uv
    stops with an error on a cache it cannot write, while `--no-cache` runs.
    """

    code = "DFX103"
    name = "cache-disabled-under-mount"
    valid = (
        Valid(
            "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n",
            note="the cache is on",
        ),
        Valid(
            "FROM python:3.12\nRUN pip install --no-cache-dir -r requirements.txt\n",
            note="no cache mount: --no-cache-dir keeps the layer small",
        ),
        Valid(
            "FROM python:3.12\n"
            "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n"
            "    --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n"
            "    apt-get update && apt-get install -y gcc \\\n"
            "    && pip install --no-cache-dir -r requirements.txt\n",
            note="the cache mounts are apt's; removing --no-cache-dir would fill the layer",
        ),
        Valid(
            "FROM python:3.12\nWORKDIR /app\nENV HOME=/app\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install --no-cache-dir -e .\n",
            note="pip would cache in /app/.cache/pip, not in the mount",
        ),
        Valid(
            "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/uv \\\n"
            "    pip install --no-cache-dir uv && uv pip install --system -r requirements.txt\n",
            note="the mount is uv's; pip's --no-cache-dir stays",
        ),
        Valid(
            "FROM python:3.12\nENV UV_NO_CACHE=0\n"
            "RUN --mount=type=cache,target=/root/.cache/uv uv pip install --system -r requirements.txt\n",
            note="uv reads 0 as false, unlike pip",
        ),
    )
    invalid = (
        Invalid(
            "FROM python:3.12\n"
            "RUN --mount=type=cache,target=/root/.cache/pip \\\n"
            "    pip install --no-cache-dir -r requirements.txt\n",
            fixed="FROM python:3.12\n"
            "RUN --mount=type=cache,target=/root/.cache/pip \\\n"
            "    pip install -r requirements.txt\n",
            note="the canonical case",
        ),
        Invalid(
            "# syntax=docker/dockerfile:1\n"
            "FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/pip \\\n"
            "    pip install --upgrade --no-cache-dir \\\n"
            "    # pinned in requirements.txt\n"
            "      --no-cache \\\n"
            "      -r requirements.txt\n",
            fixed="# syntax=docker/dockerfile:1\n"
            "FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/pip \\\n"
            "    pip install --upgrade \\\n"
            "    # pinned in requirements.txt\n"
            "      -r requirements.txt\n",
            note="an abbreviation alone on its line, then the option before `\\`; comments stay",
        ),
        Invalid(
            "# syntax=docker/dockerfile:1\n"
            "FROM python:3.12-slim\n"
            "WORKDIR /hooks\n"
            'RUN --mount=type=cache,target=/root/.cache/pip ["pip", "install", "--no-cache-dir", "-r", "requirements.txt"]\n',
            fixed="# syntax=docker/dockerfile:1\n"
            "FROM python:3.12-slim\n"
            "WORKDIR /hooks\n"
            'RUN --mount=type=cache,target=/root/.cache/pip ["pip", "install", "-r", "requirements.txt"]\n',
            note="exec form: the JSON element and its comma go",
        ),
        Invalid(
            "# syntax=docker/dockerfile:1.4\n"
            "FROM python:3.12-slim-bookworm\n"
            "RUN --mount=type=cache,target=/root/.cache/pip <<EOF\n"
            "set -e\n"
            "pip --no-cache-dir install --upgrade pip wheel\n"
            "pip install --no-cache-dir -r requirements.txt\n"
            "EOF\n",
            fixed="# syntax=docker/dockerfile:1.4\n"
            "FROM python:3.12-slim-bookworm\n"
            "RUN --mount=type=cache,target=/root/.cache/pip <<EOF\n"
            "set -e\n"
            "pip install --upgrade pip wheel\n"
            "pip install -r requirements.txt\n"
            "EOF\n",
            note="heredoc: each call, one with the option before the subcommand",
        ),
        Invalid(
            "# escape=`\n"
            "FROM python:3.12-slim\n"
            "WORKDIR /app\n"
            "RUN --mount=type=cache,target=/root/.cache/pip `\n"
            "    pip install --no-cache-dir `\n"
            "        -r requirements.txt\n",
            fixed="# escape=`\n"
            "FROM python:3.12-slim\n"
            "WORKDIR /app\n"
            "RUN --mount=type=cache,target=/root/.cache/pip `\n"
            "    pip install `\n"
            "        -r requirements.txt\n",
            note="backtick continuations",
        ),
        Invalid(
            "FROM python:3.10-slim\n"
            "WORKDIR /opt/etl\n"
            "RUN --mount=type=cache,target=/root/.cache/pip \\\n"
            "    PIP_NO_CACHE_DIR=1 pip install -r requirements.txt\n",
            fixed="FROM python:3.10-slim\n"
            "WORKDIR /opt/etl\n"
            "RUN --mount=type=cache,target=/root/.cache/pip \\\n"
            "    pip install -r requirements.txt\n",
            note="a prefix assignment on the command",
        ),
        Invalid(
            "FROM python:3.12\n"
            "RUN --mount=type=cache,target=/root/.cache/pip \\\n"
            "    export PIP_NO_CACHE_DIR=off && \\\n"
            "    sh -c 'pip install -r requirements.txt'\n",
            fixed="FROM python:3.12\n"
            "RUN --mount=type=cache,target=/root/.cache/pip \\\n"
            "    sh -c 'pip install -r requirements.txt'\n",
            note="an exported variable: `off` disables pip's cache too",
        ),
        Invalid(
            "FROM python:3.12\n"
            "RUN --mount=type=cache,target=/root/.cache/pip sh -c 'pip install -r requirements.txt --no-cache-dir'\n",
            fixed="FROM python:3.12\n"
            "RUN --mount=type=cache,target=/root/.cache/pip sh -c 'pip install -r requirements.txt'\n",
            note="inside sh -c",
        ),
        Invalid(
            "FROM python:3.12\n"
            "RUN useradd -m -u 1000 app\n"
            "USER app\n"
            "RUN --mount=type=cache,target=/home/app/.cache/uv,uid=1000 \\\n"
            "    uv pip install -n --system -r requirements.txt\n",
            fixed="FROM python:3.12\n"
            "RUN useradd -m -u 1000 app\n"
            "USER app\n"
            "RUN --mount=type=cache,target=/home/app/.cache/uv,uid=1000 \\\n"
            "    uv pip install --system -r requirements.txt\n",
            unsafe=True,
            note="uv's -n, with a mount the user may write; uv.toml is not read, so unsafe",
        ),
        Invalid(
            "FROM python:3.12-slim AS base\n"
            "ENV PYTHONUNBUFFERED=1 \\\n"
            "    PIP_NO_CACHE_DIR=off\n"
            "FROM base AS build\n"
            "RUN --mount=type=cache,target=/root/.cache/pip \\\n"
            "    pip install -r requirements.txt\n",
            note="inherited ENV: reported, DFX102 adds --cache-dir",
        ),
        Invalid(
            "FROM ghcr.io/astral-sh/uv:python3.12-bookworm-slim\n"
            "ENV UV_NO_CACHE=1\n"
            "RUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen --no-dev\n",
            note="ENV UV_NO_CACHE: reported only",
        ),
        Invalid(
            "FROM python:3.12\n"
            "ARG HOME=/root\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install --no-cache-dir flask\n",
            fixed="FROM python:3.12\n"
            "ARG HOME=/root\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install flask\n",
            unsafe=True,
            note="HOME comes from a build argument, so the cache directory is not certain",
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for run in context.facts.runs:
            if not run.cache_mounts:  # every finding here is about a cache mount
                continue
            for install in run.installs:
                switch = _SWITCHES.get(install.cache.tool)
                if switch is None or install.cache.decided_by not in _DISABLERS:
                    continue
                served = _served(run, install, switch)
                if served is not None:
                    yield self._diagnose(context.tree, run, install, switch, served)

    def _diagnose(
        self, tree: Dockerfile, run: RunFacts, install: InstallFacts, switch: _Switch, served: _Served
    ) -> Diagnostic:
        cache = install.cache
        message = f"{cache.reason}, so the cache mount at {served.mount.target} does nothing"
        message += "".join(f"; {cause.text} also disables it" for cause in cache.also)
        if not _set_in_run(run, cache, switch):
            message += f"; {_ELSEWHERE[cache.tool]}"
        if served.blocked:
            message += f"; {served.blocked}"
        removal = _removal(tree, run, install, switch)
        if removal is None or served.blocked:
            return self.report(removal.span if removal else served.mount.flag.span, message)
        certain = served.certain and cache.certain and not _reaches_unserved(run, install, switch, removal)
        safety = Applicability.SAFE if certain else Applicability.UNSAFE
        return self.report(removal.span, message, Fix(f"Remove `{removal.text}`", removal.edits, safety))


# --------------------------------------------------------------------------- the mount served


class _Served(NamedTuple):
    """The cache mount a call would use with its cache switched on.

    `certain` is False when that directory or the mount could differ at build time;
    `blocked` says why the switch must stay (uv fails on a cache it cannot write).
    """

    mount: Mount
    certain: bool
    blocked: str = ""


def _served(run: RunFacts, install: InstallFacts, switch: _Switch) -> _Served | None:
    """The mount at the directory the call would cache in without its switches, if any.

    The call is resolved again without the option, the variable and pip config's
    `no-cache-dir`, in the environment the analysis gives that command. None when no
    cache mount is there: then the mount is for something else, and the switch keeps
    the cache out of the layer. When that directory is unknown, a mount named for the
    tool (`.../pip`, `.../uv`) is reported, but the switch stays.
    """
    script = run.shell
    if script is None:
        return None
    enabled, user = _resolve_enabled(run, script, install, switch)
    if enabled.status != "enabled":
        named = next((m for m in run.cache_mounts if enabled.tool in (m.target or "").split("/")), None)
        why = f"no fix: where {enabled.tool} would cache without it is unknown ({enabled.reason})"
        return _Served(named, False, why) if named else None
    mount = run.covering_mount(enabled)
    if mount is None:
        return None
    certain = enabled.certain and mount.certain
    if enabled.tool != "uv":
        return _Served(mount, certain)
    allowed, why = write_access(enabled.directory or "", user, mount, run, "uv")
    if allowed is False:
        return _Served(mount, certain, f"no fix: uv stops with an error on a cache it cannot write ({why})")
    return _Served(mount, certain and allowed is True)


def _resolve_enabled(
    run: RunFacts, script: Script, install: InstallFacts, switch: _Switch
) -> tuple[CacheResolution, Fact[ResolvedUser]]:
    """The call's cache resolution with its switches left out, and the user it runs as."""
    call = install.call
    call = call._replace(options=tuple(option for option in call.options if option.canonical != switch.option))
    return run.resolve(call, drop_variable=switch.sets, without_config_keys=frozenset({"no-cache-dir"}))


def _set_in_run(run: RunFacts, cache: CacheResolution, switch: _Switch) -> bool:
    """Whether the deciding switch is written in this RUN (not ENV, an image or a config file)."""
    if cache.decided_by == "cli-no-cache-dir":
        return True
    if cache.decided_by == "config-no-cache-dir":
        return False
    return not any(switch.sets(name) and variable.origin == cache.origin for name, variable in run.state.env.items())


def _reaches_unserved(run: RunFacts, install: InstallFacts, switch: _Switch, removal: _Removal) -> bool:
    """Whether a removed statement (`export X=1`) also keeps the cache off for a call
    that has no cache mount at its directory: that call would then fill the layer."""
    script = run.shell
    if removal.statement is None or script is None:
        return False
    return any(
        other is not install
        and (found := _shell_setting(script, other.call.command, switch)) is not None
        and found[1] is removal.statement
        and _served(run, other, switch) is None
        for other in run.installs
    )


# --------------------------------------------------------------------------- what to remove


class _Removal(NamedTuple):
    """The switch as written in the RUN (`span`, `text`) and the edits deleting it;
    `statement` is the `export`/assignment statement holding it, if it is one."""

    span: Span
    text: str
    edits: tuple[Edit, ...]
    statement: SimpleCommand | None = None


def _removal(tree: Dockerfile, run: RunFacts, install: InstallFacts, switch: _Switch) -> _Removal | None:
    """How to delete the deciding switch from the RUN; None when it is not written there
    or its place cannot be mapped back to the Dockerfile."""
    cache = install.cache
    script = run.shell
    if script is None or not _set_in_run(run, cache, switch):
        return None
    if cache.decided_by == "cli-no-cache-dir":
        option = cache.option
        return _option_removal(tree, run, option, install.call.command) if option is not None else None
    found = _shell_setting(script, install.call.command, switch)
    located = found and run.script.source_span(*found[0])
    if not found or not located:
        return None
    span, statement = found
    if statement is not None and _sets_only_that(statement):
        removal = edits.remove_statement(run.script, script.code, statement.span)
    else:
        removal = edits.remove_word(tree.source, located, edits.continuation_escape(tree, run.instruction, located.start))
    text = script.code[span[0] : span[1]]
    return _Removal(located, text, removal, statement) if removal else None


def _option_removal(tree: Dockerfile, run: RunFacts, option: ParsedOption, command: SimpleCommand) -> _Removal | None:
    """Delete an option word (`edits.remove_option`)."""
    span = run.script.source_span(*option.span)
    word = next((w for w in command.words if (w.start, w.end) == option.span), None)
    if span is None or word is None:
        return None
    removal = edits.remove_option(tree, run.instruction, run.script, option.span, word.text, option.written)
    return _Removal(span, option.written, removal) if removal else None


def _shell_setting(
    script: Script, command: SimpleCommand, switch: _Switch
) -> tuple[CodeSpan, SimpleCommand | None] | None:
    """The last `NAME=value` of the switch's variable that reaches `command`, and the
    statement holding it when that is an `export`/assignment rather than a prefix.

    The shell applies earlier statements of its own or enclosing shells first, then the
    prefixes and `env` words of the commands that launch it (`sh -c`), then its own.
    """
    found: tuple[CodeSpan, SimpleCommand | None] | None = None
    launchers = _launchers(script, command)
    for earlier in script.commands[: command.index]:
        if earlier in launchers or command.shell[: len(earlier.shell)] != earlier.shell:
            continue
        for span in _statement_settings(earlier, switch):
            found = span, earlier
    for launcher in (*launchers, command):
        for span in _command_settings(launcher, switch):
            found = span, None
    return found


def _launchers(script: Script, command: SimpleCommand) -> tuple[SimpleCommand, ...]:
    """The commands that start the shell running `command`, outermost first."""
    chain = []
    launcher = command.launcher
    while launcher is not None:
        chain.append(script.commands[launcher])
        launcher = script.commands[launcher].launcher
    return tuple(reversed(chain))


def _statement_settings(statement: SimpleCommand, switch: _Switch) -> Iterator[CodeSpan]:
    """`NAME=value` spans of a statement that sets variables for the rest of its shell."""
    if not statement.words:
        yield from (a.span for a in statement.assignments if switch.sets(a.name))
    elif statement.words[0].text in _DECLARATIONS:
        yield from (
            (w.start, w.end) for w in statement.words[1:] if "=" in w.text and switch.sets(w.text.partition("=")[0])
        )


def _command_settings(command: SimpleCommand, switch: _Switch) -> Iterator[CodeSpan]:
    """`NAME=value` spans that set a command's own environment: prefixes, then `env` words."""
    yield from (a.span for a in command.assignments if switch.sets(a.name))
    for word in command.words[: command.effective_start]:
        name, equals, _ = word.text.partition("=")
        if equals and switch.sets(name):
            yield word.start, word.end


def _sets_only_that(statement: SimpleCommand) -> bool:
    """Whether the statement does nothing but set that one variable (`export X=1`)."""
    if not statement.words:
        return len(statement.assignments) == 1
    operands = [w for w in statement.words[1:] if not w.text.startswith("-")]
    return len(operands) == 1
