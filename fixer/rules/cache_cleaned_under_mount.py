"""DFX110 cache-cleaned-under-mount: a RUN empties the cache its own cache mount keeps.

Cleaning up caches at the end of a step keeps an image small, and is a habit: `pip cache
purge`, `uv cache clean`, `apt-get clean`, `rm -rf /var/lib/apt/lists/*`. Under a cache
mount the cache is not in the image, so the cleanup saves nothing and throws away
exactly what the mount is there to keep.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Sequence

from .. import edits
from ..analysis import InstallFacts, RunFacts
from ..diagnostics import Diagnostic, Edit, Fix
from ..facts import Known
from ..installers import InstallerCall
from ..mounts import Mount
from ..serving import rm_operand
from ..shell import SimpleCommand, Word
from ..syntax import Dockerfile, Span
from .base import Context, Invalid, Rule, Valid, safety

_UNSAFE_NEIGHBOURS = frozenset({"|", "||"})
# What a RUN's text holds when it may clean a cache: an `rm`, or a cleaning subcommand
# (substrings, a cheap first test: a regular expression with word bounds costs more).
_CLEANING_WORDS = ("rm", "clean", "purge", "clear", "remove", "--ci")


class CacheCleanedUnderMount(Rule):
    """A RUN cleans out the cache that its cache mount keeps.

    ## What it does
    Finds commands that delete a cache while a cache mount of the same RUN holds it:
    `pip cache purge` and `pip cache remove`, `uv cache clean`, `uv cache prune --ci`
    (which drops every downloaded wheel), `pdm cache clear`, `apt-get clean` and `apt
    clean` (apt's archives), each where the tool's cache directory is on a mount; and
    `rm` of a path on a cache mount (`rm -rf /var/lib/apt/lists/*` under a mount at
    `/var/lib/apt`, `rm -rf ~/.cache/pip/*` under a pip mount). The fix removes the
    command (with its `&&` or `;`), or only the operand of an `rm` that deletes other
    paths too.

    Not flagged: the same cleanups without a mount there (they keep the image small, as
    meant), `uv cache prune` without `--ci` (it removes only unused entries), `poetry
    cache clear` (it keeps the downloaded archives, and clears nothing when the cache's
    name is not written exactly as poetry lists it), and `apt-get autoclean`.

    ## Why is this bad?
    A cache mount is not part of the image: deleting its contents makes the image no
    smaller, and the next build finds an empty cache and downloads everything again.
    An `rm` of the mount's own directory fails the build (`Device or resource busy`).

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    RUN --mount=type=cache,target=/root/.cache/pip \\
        pip install -r requirements.txt && pip cache purge
    ```
    Use instead:
    ```dockerfile
    FROM python:3.12-slim
    RUN --mount=type=cache,target=/root/.cache/pip \\
        pip install -r requirements.txt
    ```

    ## Fix safety
    The fix is safe when what the command deletes is certainly on the mount: the
    tool's cache directory is certain (uv's, poetry's and pdm's config files are not
    read, so their cleanups' fixes are unsafe), or the `rm` path lies inside the mount
    as written. A command piped into another or followed by `||`, or run in a nested
    shell (`sh -c`), is reported without a fix: removing it would change what the rest
    does.
    """

    code = "DFX110"
    name = "cache-cleaned-under-mount"
    summary = "A cache cleaned in the step that mounts it"
    about_cache_mounts = True

    valid = (
        Valid(
            "FROM python:3.12-slim\n"
            "RUN pip install -r requirements.txt && pip cache purge\n",
            note="no mount: the cleanup keeps the layer small",
        ),
        Valid(
            "FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/uv uv sync --link-mode=copy && uv cache prune\n",
            note="a prune without --ci only drops unused entries",
        ),
        Valid(
            "FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n"
            "    rm -f /etc/apt/apt.conf.d/docker-clean && apt-get update && apt-get install -y gcc \\\n"
            "    && rm -rf /var/lib/apt/lists/*\n",
            note="the lists are not on a mount here: removing them keeps the layer small",
        ),
    )
    invalid = (
        Invalid(
            "FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/pip \\\n"
            "    pip install -r requirements.txt && pip cache purge\n",
            fixed="FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/pip \\\n"
            "    pip install -r requirements.txt\n",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "RUN rm -f /etc/apt/apt.conf.d/docker-clean\n"
            "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n"
            "    --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n"
            "    apt-get update \\\n"
            "    && apt-get install -y --no-install-recommends gcc \\\n"
            "    && apt-get clean \\\n"
            "    && rm -rf /var/lib/apt/lists/* /tmp/*\n",
            fixed="FROM python:3.12-slim\n"
            "RUN rm -f /etc/apt/apt.conf.d/docker-clean\n"
            "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n"
            "    --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n"
            "    apt-get update \\\n"
            "    && apt-get install -y --no-install-recommends gcc \\\n"
            "    && rm -rf /tmp/*\n",
            note="the lists and archives are on the mounts; /tmp is not, so that operand stays",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/uv \\\n"
            "    uv pip install --system --link-mode=copy -r requirements.txt && uv cache clean\n",
            fixed="FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/uv \\\n"
            "    uv pip install --system --link-mode=copy -r requirements.txt\n",
            unsafe=True,
            note="uv.toml is not read, so where uv's cache is is not certain",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/pdm \\\n"
            "    pdm install --prod --no-self; pdm cache clear\n",
            fixed="FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/pdm \\\n"
            "    pdm install --prod --no-self\n",
            unsafe=True,
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt || pip cache purge\n",
            note="behind ||: removing it would change what the step does on failure; reported only",
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for run in context.facts.runs:
            if not run.cache_mounts or not any(word in run.text for word in _CLEANING_WORDS) or run.shell is None:
                continue  # every finding here is about a cache mount, and a command that cleans
            for call in run.calls:
                install = run.install_of(call) if _cleans(call) else None
                if install is not None and install.mount is not None:
                    yield self._cleaning(run, install, install.mount)
            for command in run.shell.commands:
                if command.name == "rm":
                    found = self._rm(context.tree, run, command)
                    if found is not None:
                        yield found

    def _cleaning(self, run: RunFacts, install: InstallFacts, mount: Mount) -> Diagnostic:
        command, cache = install.call.command, install.cache
        written = " ".join(word.text for word in command.effective_words)
        message = f"`{written}` deletes what the cache mount at {mount.target} keeps"
        detail = (
            f"{cache.reason}, on the cache mount at {mount.target}, which is not part of the image: cleaning it "
            "makes the image no smaller, and the next build starts with an empty cache."
        )
        span = _span(run, command.effective_words)
        changes = _statement_removal(run, command)
        if not changes:
            return self.report(span, message, None, detail, "dockerfix cannot remove this command alone: remove it by hand")
        problems = [] if cache.certain else ["where the tool caches is not certain"]
        return self.report(span, message, Fix(f"Remove `{written}`", changes, safety(problems), "; ".join(problems)), detail)

    def _rm(self, tree: Dockerfile, run: RunFacts, command: SimpleCommand) -> Diagnostic | None:
        """One finding per `rm` that deletes paths on cache mounts: the whole command goes
        when every operand is on one, else the one operand that is."""
        home = run.home.value if isinstance(run.home, Known) else None
        operands = [word for word in command.effective_words[1:] if not word.text.startswith("-")]
        hits = [(word, mount) for word in operands if (mount := _mount_holding(run, word.text, home)) is not None]
        if not hits:
            return None
        word, mount = hits[0]
        listed = " ".join(hit.text for hit, _ in hits)
        message = f"`rm {listed}` deletes what the cache mount at {mount.target} keeps"
        detail = (
            f"{listed} is on the cache mount at {mount.target}, which is not part of the image: deleting it makes "
            "the image no smaller, and the next build starts with an empty cache."
        )
        span = _span(run, [word])
        changes: tuple[Edit, ...] = ()
        if len(hits) == len(operands):
            changes, title = _statement_removal(run, command), f"Remove `rm {listed}`"
        elif len(hits) == 1 and (located := run.script.source_span(word.start, word.end)) is not None:
            escape = edits.continuation_escape(tree, run.instruction, located.start)
            changes, title = edits.remove_word(tree.source, located, escape), f"Remove `{word.text}` from the rm"
        if not changes:
            return self.report(span, message, None, detail, "dockerfix cannot remove it alone: remove it by hand")
        return self.report(span, message, Fix(title, changes), detail)


def _cleans(call: InstallerCall) -> bool:
    """Whether the call deletes the tool's cache (or a good part of it)."""
    first = call.positionals[0].text if call.positionals else ""
    return (
        (call.tool == "pip" and call.subcommand == "cache" and first in ("purge", "remove"))
        or (call.tool == "uv" and call.subcommand == "cache clean")
        or (call.tool == "uv" and call.subcommand == "cache prune" and call.get("--ci") is not None)
        or (call.tool == "pdm" and call.subcommand == "cache" and first == "clear")
        or (call.tool == "apt" and call.subcommand == "clean")
    )


def _mount_holding(run: RunFacts, path: str, home: str | None) -> Mount | None:
    """The RUN's writable cache mount that `path` (an `rm` operand) lies in, if one does."""
    literal = rm_operand(path, home)[1]
    if not literal.startswith("/"):
        return None
    literal = posixpath.normpath(literal)
    return next((mount for mount in run.cache_mounts if not mount.readonly and mount.covers(literal)), None)


def _statement_removal(run: RunFacts, command: SimpleCommand) -> tuple[Edit, ...]:
    """The edits that delete `command` as a whole statement, with one connector; none
    when that would change what the rest of the step does (a pipe, `||`, a nested shell)."""
    script = run.shell
    if script is None or command.depth or command.launcher is not None or command.nested_level:
        return ()
    commands = script.commands
    following = commands[command.index + 1] if command.index + 1 < len(commands) else None
    if command.connector in _UNSAFE_NEIGHBOURS or (following is not None and following.connector in _UNSAFE_NEIGHBOURS):
        return ()
    if command.index == 0 and following is None:
        return ()  # the only command: the step would have nothing to run
    previous = commands[command.index - 1].span[1] if command.index else None
    return edits.remove_statement(run.script, script.code, command.span, previous)


def _span(run: RunFacts, words: Sequence[Word]) -> Span:
    """Where the words are in the Dockerfile (the RUN keyword when they cannot be mapped)."""
    located = run.script.source_span(words[0].start, words[-1].end) if words else None
    return located or run.instruction.keyword_span
