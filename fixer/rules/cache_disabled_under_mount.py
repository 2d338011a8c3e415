"""DFX103 `cache-disabled-under-mount`: a RUN switches off the cache its cache mount holds.

The switch goes only when the call, with its cache on (`serving.Use.on`), would cache
on a mount its user may write, or would still be switched off by the stage (DFX102's
to override): removed any earlier, the cache would land in the image layer. Until
then the finding says which fix comes first; the fix loop gets there.
"""

from __future__ import annotations

from collections.abc import Iterator

from .. import edits
from ..analysis import InstallFacts, RunFacts
from ..diagnostics import Diagnostic, Edit, Fix
from ..installers import ParsedOption
from ..records import NamedTuple
from ..serving import (
    SWITCHES,
    Switch,
    Use,
    mount_in_doubt,
    mounted_uses,
    spelled_directory,
    switch_in_run,
    tracks,
    uses,
    why_uncertain,
)
from ..shell import Script, SimpleCommand
from ..shell import Span as CodeSpan
from ..syntax import Dockerfile, Span
from .base import Context, Invalid, Rule, Valid, safety

_DECLARATIONS = frozenset({"export", "declare", "typeset", "readonly"})

# For the tools that no command-line option turns back on once the stage switches their
# cache off: why not, and how one command can run with the cache on.
_STAGE_ONLY = {
    "uv": ("uv has no option that turns its cache back on (`--no-cache` wins over `--cache-dir`)", "`UV_NO_CACHE=0`"),
    "pdm": ("pdm has no option that turns its cache back on, and takes any non-empty PDM_NO_CACHE as true",
            "`PDM_NO_CACHE=` (empty)"),
    "pipenv": ("pipenv passes PIP_NO_CACHE_DIR on to the pip it runs, which applies it after the PIP_CACHE_DIR "
               "pipenv sets", "`env -u PIP_NO_CACHE_DIR`"),
}  # fmt: skip


class CacheDisabledUnderMount(Rule):
    """## What it does
    Finds installs that switch their own cache off in a RUN that mounts a cache meant
    for their tool (its target names the tool, or is a `.cache` directory): pip's
    `--no-cache-dir` (or an abbreviation pip accepts, such as `--no-cache`, also before
    the subcommand: `pip --no-cache-dir install`), `PIP_NO_CACHE_DIR` set in the RUN
    (any value: pip reads `0`, `false` and `off` as "disable" too); uv's `--no-cache`,
    `-n` (and `--no-cache-dir`, which uv reads as `--no-cache`) and `UV_NO_CACHE`;
    pdm's `pdm --no-cache` and `PDM_NO_CACHE` (any non-empty value, even `0`);
    `PIP_NO_CACHE_DIR` on `pipenv`, which passes it to the pip it runs; and poetry's
    `--no-cache`, which switches off poetry's repository and HTTP caches (downloaded
    archives are still cached, so resolving and fetching metadata start over each
    build). It looks in shell form, exec form, heredoc RUNs and `sh -c '...'`. The
    switch is removed: the option, a `PIP_NO_CACHE_DIR=1 pip ...` prefix, an `env
    PIP_NO_CACHE_DIR=1` word, or an `export PIP_NO_CACHE_DIR=1` statement.

    The switch goes once the call, with its cache on, would cache on the mount, as a
    user who may write it. Where that is not so yet, the finding says which fix comes
    first, and the fix loop gets there: DFX101 moves a mount that is not where the tool
    would cache, DFX104 gives a mount to the user who cannot write it, then this rule
    removes the switch. Removed any earlier, the cache would land in the image layer.

    A switch set for the whole stage (an `ENV` of this or a parent stage, the base
    image's environment, a pip config file) is not removed: that would change every
    other RUN of the stage. For pip it is DFX102's (`cache-dir-option`) to override: only
    a command-line `--cache-dir` beats it, and DFX102 adds it for this RUN alone. uv,
    pdm and pipenv have no such override (uv's `--no-cache` wins over `--cache-dir`),
    so a stage's `UV_NO_CACHE`, `PDM_NO_CACHE` or `PIP_NO_CACHE_DIR` under their mount
    is reported here without a fix: set it only in stages without a cache mount, or run
    the command with `UV_NO_CACHE=0`, `PDM_NO_CACHE=` (empty) or
    `env -u PIP_NO_CACHE_DIR`.

    ## Why is this bad?
    A cache mount exists to keep downloads and built wheels between builds. With the
    cache off, the installer neither reads nor writes it: every build downloads everything
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
    It is offered only when the call, without the switch, would cache on a mount its
    user may write (or would still be switched off by the stage), so nothing lands in
    the layer. It is safe when that is certain, and unsafe when the directory or the
    mount depend on a build argument, on a base image that is not fully known or on
    config files that were not read (uv's, poetry's and pdm's config files are not
    read, so their fixes are unsafe), or
    when a removed `export` also reaches a call without such a mount. There is no fix
    when the tool's directory with its cache on is unknown.
    """

    code = "DFX103"
    name = "cache-disabled-under-mount"
    summary = "An install that switches its own cache off under a cache mount meant for it"
    about_cache_mounts = True
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
            "FROM python:3.12-slim AS base\n"
            "ENV PYTHONUNBUFFERED=1 \\\n"
            "    PIP_NO_CACHE_DIR=off\n"
            "FROM base AS build\n"
            "RUN --mount=type=cache,target=/root/.cache/pip \\\n"
            "    pip install -r requirements.txt\n",
            note="a stage's PIP_NO_CACHE_DIR is DFX102's: it adds --cache-dir",
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
            "FROM python:3.12\n"
            "WORKDIR /app\n"
            "ENV HOME=/app\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install --no-cache-dir -e .\n",
            fixed="FROM python:3.12\n"
            "WORKDIR /app\n"
            "ENV HOME=/app\n"
            "RUN --mount=type=cache,target=/app/.cache/pip pip install -e .\n",
            together=("DFX101",),
            note="switched off and misplaced: DFX101 moves the mount to /app/.cache/pip, then the switch goes",
        ),
        Invalid(
            "FROM python:3.12\n"
            "RUN useradd -m -u 1000 app\n"
            "USER app\n"
            "RUN --mount=type=cache,target=/home/app/.cache/pip \\\n"
            "    pip install --user --no-cache-dir -r requirements.txt\n",
            fixed="FROM python:3.12\n"
            "RUN useradd -m -u 1000 app\n"
            "USER app\n"
            "RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1000,gid=1000 \\\n"
            "    pip install --user -r requirements.txt\n",
            together=("DFX104",),
            note="switched off and root-owned: DFX104 gives the mount to app, then the switch goes",
        ),
        Invalid(
            "FROM ghcr.io/astral-sh/uv:python3.12-bookworm-slim\n"
            "ENV UV_NO_CACHE=1\n"
            "RUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen --no-dev\n",
            note="ENV UV_NO_CACHE: reported only",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/pdm \\\n"
            "    pdm --no-cache install --prod --no-self\n",
            fixed="FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/pdm \\\n"
            "    pdm install --prod --no-self\n",
            unsafe=True,
            note="pdm's --no-cache goes before the subcommand; pdm's config files are not read",
        ),
        Invalid(
            "FROM python:3.11-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/pipenv \\\n"
            "    PIP_NO_CACHE_DIR=1 pipenv install --system --deploy\n",
            fixed="FROM python:3.11-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/pipenv \\\n"
            "    pipenv install --system --deploy\n",
            note="pipenv's pip caches in pipenv's cache, unless PIP_NO_CACHE_DIR switches it off",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "ENV POETRY_VIRTUALENVS_IN_PROJECT=true\n"
            "RUN --mount=type=cache,target=/root/.cache/pypoetry poetry install --no-cache --no-root\n",
            fixed="FROM python:3.12-slim\n"
            "ENV POETRY_VIRTUALENVS_IN_PROJECT=true\n"
            "RUN --mount=type=cache,target=/root/.cache/pypoetry poetry install --no-root\n",
            unsafe=True,
            note="poetry's --no-cache leaves its repository and HTTP caches off",
        ),
        Invalid(
            "FROM python:3.11-slim\n"
            "ENV PIP_NO_CACHE_DIR=1\n"
            "RUN --mount=type=cache,target=/root/.cache/pipenv pipenv install --system\n",
            note="a stage's PIP_NO_CACHE_DIR reaches pipenv's pip, and no option overrides it: reported only",
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
        for run, use in mounted_uses(context.facts):
            if not use.meant:
                continue
            if switch_in_run(run, use.install) is not None:
                yield self._diagnose(context.tree, run, use)
            elif use.tool in _STAGE_ONLY and use.install.cache.decided_by == "env-no-cache-dir":
                yield self._stage_switch(run, use)

    def _diagnose(self, tree: Dockerfile, run: RunFacts, use: Use) -> Diagnostic:
        cache, switch = use.install.cache, SWITCHES[use.tool]
        mount = use.on.mount or use.meant[0]
        removal = _removal(tree, run, use.install, switch)
        written = removal.text if removal is not None else switch.written
        message = f"`{written}` switches {use.tool}'s cache off under its cache mount at {mount.target}"
        detail = f"{cache.reason}, so the cache mount at {mount.target} does nothing."
        detail += "".join(f" {cause.text} also disables it." for cause in cache.also)
        waiting = _waiting(use)
        if removal is None or waiting:
            why = waiting or "dockerfix cannot find the switch's place in the Dockerfile"
            return self.report(removal.span if removal else mount.flag.span, message, None, detail, why)
        problems = _problems(run, use, removal)
        fix = Fix(f"Remove `{removal.text}`", removal.edits, safety(problems), "; ".join(problems))
        return self.report(removal.span, message, fix, detail)

    def _stage_switch(self, run: RunFacts, use: Use) -> Diagnostic:
        """A cache switched off by the stage, for a tool no option turns back on: removing
        the ENV would change every RUN of the stage, so it is reported without a fix."""
        cache, mount, switch = use.install.cache, use.meant[0], SWITCHES[use.tool]
        why_not, remedy = _STAGE_ONLY[use.tool]
        message = f"{switch.variable} switches {use.tool}'s cache off under its cache mount at {mount.target}"
        detail = f"{cache.reason}, so the cache mount at {mount.target} does nothing."
        no_fix = (
            f"{why_not}, and removing the setting would change every RUN of the stage: set {switch.variable} only "
            f"in stages without a cache mount, or run this command with {remedy}"
        )
        return self.report(mount.flag.span, message, None, detail, no_fix)


def _waiting(use: Use) -> str:
    """Why the switch must stay for now, empty when removing it is right.

    With the switch gone the call must cache on a mount its user may write (`use.on`
    already leaves out what DFX102 overrides for pip), or stay switched off by the
    stage (uv's `UV_NO_CACHE`, which no option overrides): otherwise the cache would
    land in the image layer, or pip would warn and uv fail.
    """
    on = use.on.cache
    if on.status == "disabled" and on.decided_by in ("env-no-cache-dir", "config-no-cache-dir"):
        return ""
    if on.status == "unknown" or on.directory is None:
        return f"it stays: where {use.tool} would cache without it is not known ({on.reason})"
    if use.on.mount is None:
        return (
            f"it stays until a mount is at {on.directory}, where {use.tool} would cache without it "
            "(DFX101 moves the mount); removed now, the cache would land in the image"
        )
    if on.decided_by == "not-writable":
        return f"it stays until its user may write the mount (DFX104's fix): {on.reason}"
    return ""


def _problems(run: RunFacts, use: Use, removal: _Removal) -> list[str]:
    """Why removing the switch is not certainly right (empty: it is)."""
    on, mount = use.on.cache, use.on.mount
    problems = []
    follows = mount is not None and tracks(mount, spelled_directory(run, use))
    if (not on.certain and not follows) or (mount is not None and mount_in_doubt(run, use, mount)):
        problems.append(why_uncertain(on) if not on.certain else "the mount's options depend on a build argument")
    if _reaches_unserved(run, use, removal):
        problems.append("the removed statement also reaches a call that no cache mount serves")
    return problems


def _reaches_unserved(run: RunFacts, use: Use, removal: _Removal) -> bool:
    """Whether a removed statement (`export X=1`) also keeps the cache off for a call
    that has no cache mount at its directory: that call would then fill the layer."""
    script = run.shell
    if removal.statement is None or script is None:
        return False
    switch = SWITCHES[use.tool]
    return any(
        other.install is not use.install
        and (found := _shell_setting(script, other.install.call.command, switch)) is not None
        and found[1] is removal.statement
        and (other.on.mount is None or other.on.cache.status != "enabled")
        for other in uses(run)
    )


# --------------------------------------------------------------------------- what to remove


class _Removal(NamedTuple):
    """The switch as written in the RUN (`span`, `text`) and the edits deleting it;
    `statement` is the `export`/assignment statement holding it, if it is one."""

    span: Span
    text: str
    edits: tuple[Edit, ...]
    statement: SimpleCommand | None = None


def _removal(tree: Dockerfile, run: RunFacts, install: InstallFacts, switch: Switch) -> _Removal | None:
    """How to delete the deciding switch from the RUN; None when it is not written there
    or its place cannot be mapped back to the Dockerfile."""
    cache = install.cache
    script = run.shell
    how = switch_in_run(run, install)
    if script is None or how is None:
        return None
    if how == "option":
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
    script: Script, command: SimpleCommand, switch: Switch
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


def _statement_settings(statement: SimpleCommand, switch: Switch) -> Iterator[CodeSpan]:
    """`NAME=value` spans of a statement that sets variables for the rest of its shell."""
    if not statement.words:
        yield from (a.span for a in statement.assignments if switch.sets(a.name))
    elif statement.words[0].text in _DECLARATIONS:
        yield from (
            (w.start, w.end) for w in statement.words[1:] if "=" in w.text and switch.sets(w.text.partition("=")[0])
        )


def _command_settings(command: SimpleCommand, switch: Switch) -> Iterator[CodeSpan]:
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
