"""DFX101 pip-cache-mount-target: a pip cache mount that is not where pip caches.

Also home of what DFX102 (`pip_cache_dir.py`) shares with it: which calls of a RUN are
pip's cache users, which cache mounts are meant for pip, how a mount's target reads, and
whether pip's user may write a mount.
"""

from __future__ import annotations

import posixpath
from bisect import bisect_left
from collections.abc import Iterable, Iterator

from ..analysis import FileFacts, InstallFacts, RunFacts, write_access
from ..diagnostics import Applicability, Diagnostic, Edit, Fix
from ..facts import Known, Unknown
from ..mounts import Mount
from ..patterns import compile_lazily
from ..records import NamedTuple
from ..syntax import Dockerfile, Span
from .base import Context, Invalid, Rule, Valid
from .cache_mount_not_writable import COLD_ONCE, Owner, owner_for, ownership_edits, runner_of

# A mount meant for pip names pip in its target (pipenv and pipx have caches of their own).
_PIP_NAMED = compile_lazily(r"pip(?!env|x)")
# A path that can be written bare both as a `--mount` option value (CSV, expanded by the
# frontend) and as a shell word: nothing to quote, escape or expand.
_PLAIN_PATH = compile_lazily(r"/[A-Za-z0-9._+@/-]*\Z")
# Where pip caches because the Dockerfile says so, not because of HOME.
_EXPLICIT_CACHE_DIR = frozenset({"env-cache-dir", "config-cache-dir"})
# `~`, `$HOME` or `${HOME}` starting an `rm` argument; and where a path stops being literal.
_HOME_PREFIX = compile_lazily(r"^(?:~|\$HOME|\$\{HOME\})(?=/|$)")
_NOT_LITERAL = compile_lazily(r"[$~*?\[`]")


def pip_installs(run: RunFacts) -> list[InstallFacts]:
    """The RUN's pip calls whose subcommand reads or writes pip's cache."""
    return [install for install in run.installs if install.call.tool == "pip" and install.cache.uses_cache]


def pip_mounts(run: RunFacts) -> list[Mount]:
    """The RUN's cache mounts meant for pip that no installer of the RUN uses.

    A mount counts as pip's when its target names pip: a mount at `/root/.npm` or
    `/var/cache/apt` beside a pip call is for another tool, whatever pip does. Mounts
    BuildKit rejects, read-only ones and those without a written target are left alone.
    """
    used = {id(install.mount) for install in run.installs if install.mount is not None}
    return [
        mount
        for mount in run.cache_mounts
        if id(mount) not in used
        and mount.target is not None
        and not mount.errors
        and not mount.readonly
        and _target_span(mount) is not None
        and _PIP_NAMED.search(f"{mount.target} {written_target(mount)}")
    ]


def written_target(mount: Mount) -> str:
    """The target as the Dockerfile spells it (before BuildKit expands it)."""
    option = mount.target_option
    return (option.value or "") if option is not None else ""


def _target_span(mount: Mount) -> Span | None:
    option = mount.target_option
    return option.value_span if option is not None else None


def describe_target(mount: Mount) -> str:
    """The target as written and, when they differ, where BuildKit really mounts it."""
    written = written_target(mount)
    if "~" in written:
        return f"{written}, which BuildKit mounts at {mount.target} (it never expands ~ in --mount options)"
    if mount.undefined:
        names = ", ".join(f"${name}" for name in sorted(mount.undefined))
        return (
            f"{written}, which BuildKit expands to {mount.target} ({names} is no ENV or ARG there: "
            "--mount options never see the HOME a RUN gets at run time)"
        )
    if "$" in written:
        return f"{written} = {mount.target}"
    if not written.startswith("/"):
        return f"{written}, relative to WORKDIR: {mount.target}"
    return written


def plain_path(path: str) -> bool:
    """Whether `path` can be written as it is, unquoted, into a mount option or a command."""
    return bool(_PLAIN_PATH.match(path))


def pip_may_write(run: RunFacts, install: InstallFacts, directory: str, mount: Mount) -> tuple[bool | None, str]:
    """Whether the user pip runs as may keep its cache in `directory` on `mount` (None: unknown).

    pip disables a cache it may not write. The user is the RUN's, or the one a `su`,
    `runuser` or `gosu` inside the RUN switches to for the call.
    """
    runner = runner_of(run, install)
    if isinstance(runner, Unknown):
        return None, f"the user pip runs as is not known ({runner.reason})"
    if not runner.certain:
        return None, f"the user pip runs as ({runner.origin}) depends on a build argument"
    return write_access(directory, runner, mount, run)


def mount_problems(run: RunFacts, install: InstallFacts, directory: str, mount: Mount) -> list[str]:
    """Why pip may not use `mount` for its cache at `directory` once the fix is in (empty: it will)."""
    problems = [] if mount.certain else ["the mount's options depend on a build argument"]
    unset = sorted(mount.undefined - {"HOME"})  # an undefined $HOME is the known trap; others may be --build-args
    if unset:
        names = ", ".join(f"${name}" for name in unset)
        problems.append(f"{names} in the mount is not set here, but a --build-arg may set it")
    allowed, why = pip_may_write(run, install, directory, mount)
    if allowed is None:
        problems.append(why)
    elif not allowed:
        problems.append(f"pip could not use the mount: {why}")
    return problems


def applicability(problems: Iterable[str]) -> Applicability:
    return Applicability.UNSAFE if any(problems) else Applicability.SAFE


def unsafe_note(problems: list[str]) -> str:
    """The sentence a message ends with when its fix is unsafe."""
    return f" The fix is unsafe: {'; '.join(problems)}." if problems else ""


class PipCacheMountTarget(Rule):
    """A pip cache mount that is not where pip caches.

    ## What it does
    Checks every `RUN` that mounts a cache meant for pip (its target names `pip`) and
    runs pip, and flags the mount when pip caches somewhere else in that step. pip
    caches in `--cache-dir`, else `PIP_CACHE_DIR`, else a config file's `cache-dir`,
    else `$XDG_CACHE_HOME/pip`, else `$HOME/.cache/pip`, with the HOME the step really
    runs with: an `ENV HOME` (or `ARG HOME`) wherever it stands, else the home of the
    `USER` in `/etc/passwd`, then whatever the step changes itself (`HOME=/x pip ...`,
    `export HOME=...`, `su`, `gosu`). BuildKit expands a target written with `$HOME`
    from ENV and ARG only, never with that runtime HOME, so on an image without
    `ENV HOME` it mounts at `/.cache/pip`; `~` is never expanded, and a relative target
    is taken from WORKDIR. When the directory comes from a `--cache-dir` on the command
    itself, DFX102 points that option at the mount instead.

    ## Why is this bad?
    The mount stays empty. Every build downloads and builds every package again, and
    pip writes its cache into the image layer instead, which makes the image bigger.
    Nothing warns about it: the build log only shows `Downloading ...` where
    `Using cached ...` was expected.

    ## Example
    ```Dockerfile
    FROM python:3.13-slim
    WORKDIR /app
    ENV HOME=/app
    COPY . .
    RUN --mount=type=cache,mode=0755,target=/root/.cache/pip \\
        pip install -e .
    ```
    pip runs with HOME=/app and caches in `/app/.cache/pip`. Use instead:
    ```Dockerfile
    RUN --mount=type=cache,mode=0755,target=/app/.cache/pip \\
        pip install -e .
    ```

    ## Fix safety
    The fix replaces the value of the mount's `target` (or `dst`, `destination`) with
    the directory pip uses, and keeps every other option as written. Unless the mount
    has an explicit `id=`, a cache mount's id is its target, so the id changes with it:
    the cache starts cold once, and mounts elsewhere with the old id (other stages,
    other Dockerfiles on the same builder) no longer share it. pip did not use the old
    mount in this step, so the step loses nothing. To keep the id instead, leave the
    mount where it is and run pip with `--cache-dir=<the mount's target>`, the kind of
    fix DFX102 makes.

    The fix is safe when every fact behind it is certain: where pip caches (no build
    argument, unknown base image setting or unread pip config file could change it),
    the mount's options (a variable in them that is not set here may come from
    `--build-arg`; only an unset `$HOME` is taken for the known trap), every pip
    call of the step caching in the same directory, the user pip runs as being allowed
    to write the moved mount, no `rm` in the step that could delete the new directory
    (cleanup such as `rm -rf ~/.cache` would empty the mount on every build), and the new target containing `.cache/pip`
    (so hadolint's DL3042 stays quiet) or being a directory the Dockerfile chose itself
    (`PIP_CACHE_DIR`, a config file's `cache-dir`). Otherwise the fix is unsafe and the
    message says why. When the pip calls of one step cache in different directories,
    or several mounts could be pip's, the mount is reported without a fix. A cache pip
    does not use at all (`--no-cache-dir`, `PIP_NO_CACHE_DIR`) is DFX103's; a cache
    directory that cannot be known is not reported.

    A mount's `uid`, `gid` and `mode` apply wherever it is, and a root-owned mount locks
    a non-root user out (pip then disables its cache). When owning the mount is enough,
    the fix also sets the user's uid and gid on it, as DFX104 would
    (`uid=1000,gid=1000`; safe only when both are certain): moved alone, the mount would only turn a
    cache that misses into one pip disables. uid and gid are part of the cache's
    identity, which the move changes anyway. Where the new target follows a HOME that
    `USER` or `ENV` chose, DFX102 then adds `--cache-dir` in the next pass.
    """

    code = "DFX101"
    name = "pip-cache-mount-target"

    valid = (
        Valid("FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n"),
        Valid(
            "FROM python:3.12-slim\nENV HOME=/app\nRUN --mount=type=cache,target=$HOME/.cache/pip pip install flask\n",
            note="$HOME in the target expands from the ENV, the same HOME pip runs with",
        ),
        Valid(
            "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache pip install flask\n",
            note="a mount at the parent directory covers pip's cache",
        ),
        Valid(
            "FROM python:3.12\nENV HOME=/app\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install --no-cache-dir flask\n",
            note="pip uses no cache at all: DFX103's finding, not a misplaced mount",
        ),
        Valid(
            "FROM python:3.12\nENV HOME=/app\nRUN --mount=type=cache,target=/root/.cache/uv \\\n"
            "    uv pip install --system -r requirements.txt && pip install flask\n",
            note="the only mount is uv's; nothing says pip was meant to use a mount",
        ),
        Valid(
            "FROM registry.example.com/team/base:1\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install flask\n",
            note="an unknown base image may set HOME or PIP_CACHE_DIR: the cache directory is unknown",
        ),
        Valid(
            "FROM python:3.12\nENV HOME=/app\nONBUILD RUN --mount=type=cache,target=/root/.cache/pip pip install .\n",
            note="ONBUILD runs in images built from this one, whose HOME is not known here",
        ),
        Valid(
            "FROM python:3.12\nRUN useradd -m -u 1000 app\nUSER app\n"
            "RUN --mount=type=cache,target=/home/app/.cache/pip pip install --user flask\n",
            note="the mount is where pip looks but root-owned, so pip disables the cache: another finding",
        ),
    )
    invalid = (
        Invalid(
            "FROM python:3.13-slim AS build-base\n"
            "RUN python -m venv /opt/venv\n"
            'ENV PATH="/opt/venv/bin:$PATH"\n'
            "RUN pip install --no-cache-dir --upgrade pip\n"
            "FROM python:3.13-slim AS app-image\n"
            'ENV PATH="/opt/venv/bin:$PATH"\n'
            "COPY --from=build-base /opt/venv /opt/venv\n"
            "WORKDIR /app\n"
            "ENV HOME=/app\n"
            "COPY . .\n"
            "RUN --mount=type=cache,mode=0755,target=/root/.cache/pip \\\n"
            "    pip install -e .\n",
            fixed="FROM python:3.13-slim AS build-base\n"
            "RUN python -m venv /opt/venv\n"
            'ENV PATH="/opt/venv/bin:$PATH"\n'
            "RUN pip install --no-cache-dir --upgrade pip\n"
            "FROM python:3.13-slim AS app-image\n"
            'ENV PATH="/opt/venv/bin:$PATH"\n'
            "COPY --from=build-base /opt/venv /opt/venv\n"
            "WORKDIR /app\n"
            "ENV HOME=/app\n"
            "COPY . .\n"
            "RUN --mount=type=cache,mode=0755,target=/app/.cache/pip \\\n"
            "    pip install -e .\n",
            note="problem.md §1a: ENV HOME=/app moves pip's cache to /app/.cache/pip",
        ),
        Invalid(
            "FROM python:3.12-slim AS base\n"
            "ENV HOME=/srv/app\n"
            "FROM base AS deps\n"
            "COPY requirements.txt .\n"
            "RUN --mount=type=cache,target=/root/.cache/pip,sharing=locked pip install -r requirements.txt\n"
            "FROM base\n"
            "COPY --from=deps /usr/local /usr/local\n",
            fixed="FROM python:3.12-slim AS base\n"
            "ENV HOME=/srv/app\n"
            "FROM base AS deps\n"
            "COPY requirements.txt .\n"
            "RUN --mount=type=cache,target=/srv/app/.cache/pip,sharing=locked pip install -r requirements.txt\n"
            "FROM base\n"
            "COPY --from=deps /usr/local /usr/local\n",
            note="HOME is inherited from the parent stage",
        ),
        Invalid(
            "FROM python:3.12\n"
            "COPY requirements.txt /tmp/\n"
            "RUN --mount=type=cache,target=$HOME/.cache/pip <<EOF\n"
            "set -eux\n"
            "pip install -r /tmp/requirements.txt\n"
            "EOF\n",
            fixed="FROM python:3.12\n"
            "COPY requirements.txt /tmp/\n"
            "RUN --mount=type=cache,target=/root/.cache/pip <<EOF\n"
            "set -eux\n"
            "pip install -r /tmp/requirements.txt\n"
            "EOF\n",
            note="$HOME is no ENV here: BuildKit mounts at /.cache/pip while pip, as root, uses /root/.cache/pip",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "ENV PIP_CACHE_DIR=/var/cache/pip\n"
            'RUN --mount=type=cache,target=/root/.cache/pip ["pip", "install", "-r", "requirements.txt"]\n',
            fixed="FROM python:3.12-slim\n"
            "ENV PIP_CACHE_DIR=/var/cache/pip\n"
            'RUN --mount=type=cache,target=/var/cache/pip ["pip", "install", "-r", "requirements.txt"]\n',
            note="exec form; PIP_CACHE_DIR decides, the new target is the Dockerfile's own choice",
        ),
        Invalid(
            "# escape=`\n"
            "FROM python:3.12\n"
            "WORKDIR /app\n"
            "RUN --mount=type=cache,target=~/.cache/pip `\n"
            "    pip install --upgrade pip wheel && `\n"
            "    pip install -r requirements.txt\n",
            fixed="# escape=`\n"
            "FROM python:3.12\n"
            "WORKDIR /app\n"
            "RUN --mount=type=cache,target=/root/.cache/pip `\n"
            "    pip install --upgrade pip wheel && `\n"
            "    pip install -r requirements.txt\n",
            note="~ is literal in --mount options: the mount lands at /app/~/.cache/pip",
        ),
        Invalid(
            "FROM python:3.11\n"
            "RUN --mount=type=cache,id=pip-wheels,target=/root/.cache/pip \\\n"
            "    # build in a scratch home so nothing lands in /root\n"
            "    HOME=/build pip wheel --wheel-dir=/wheels -r requirements.txt\n",
            fixed="FROM python:3.11\n"
            "RUN --mount=type=cache,id=pip-wheels,target=/build/.cache/pip \\\n"
            "    # build in a scratch home so nothing lands in /root\n"
            "    HOME=/build pip wheel --wheel-dir=/wheels -r requirements.txt\n",
            note="HOME set on the command; the explicit id keeps the cache",
        ),
        Invalid(
            "FROM python:3.12\n"
            "WORKDIR /src\n"
            "RUN --mount=type=cache,target=.cache/pip python -m pip install .\n",
            fixed="FROM python:3.12\n"
            "WORKDIR /src\n"
            "RUN --mount=type=cache,target=/root/.cache/pip python -m pip install .\n",
            note="a relative target is taken from WORKDIR: /src/.cache/pip",
        ),
        Invalid(
            "FROM python:3.12\n"
            "RUN useradd -m -u 1000 app\n"
            "USER app\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install --user -r requirements.txt\n",
            fixed="FROM python:3.12\n"
            "RUN useradd -m -u 1000 app\n"
            "USER app\n"
            "RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1000,gid=1000"
            " pip install --user -r requirements.txt\n",
            note="moved to app's home, and given to app: a root-owned mount would lock it out",
        ),
        Invalid(
            "FROM python:3.12\n"
            "ENV XDG_CACHE_HOME=/var/cache/xdg\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install flask\n",
            fixed="FROM python:3.12\n"
            "ENV XDG_CACHE_HOME=/var/cache/xdg\n"
            "RUN --mount=type=cache,target=/var/cache/xdg/pip pip install flask\n",
            unsafe=True,
            note="the new target has no .cache/pip: hadolint's DL3042 would flag it",
        ),
        Invalid(
            "FROM python:3.12\n"
            "ARG HOME=/build\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install flask\n",
            fixed="FROM python:3.12\n"
            "ARG HOME=/build\n"
            "RUN --mount=type=cache,target=/build/.cache/pip pip install flask\n",
            unsafe=True,
            note="ARG HOME sets the RUN's HOME in BuildKit, and --build-arg can change it",
        ),
        Invalid(
            "FROM python:3.12\n"
            "RUN --mount=type=cache,target=/tmp/pip-cache \\\n"
            "    pip install -r requirements.txt && HOME=/opt/tools pip install ./tools\n",
            note="the two pip calls cache in /root/.cache/pip and /opt/tools/.cache/pip: one mount cannot serve both",
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for run in context.facts.runs:
            if not run.cache_mounts:  # every finding here is about a cache mount
                continue
            diagnostic = self._check_run(run, context.facts, context.tree)
            if diagnostic is not None:
                yield diagnostic

    def _check_run(self, run: RunFacts, facts: FileFacts, tree: Dockerfile) -> Diagnostic | None:
        installs = [install for install in pip_installs(run) if install.cache.status == "enabled"]
        # A command-line --cache-dir that misses is DFX102's: it points the option at the mount.
        missing = [i for i in installs if i.mount_status == "miss" and i.cache.decided_by != "cli-cache-dir"]
        candidates = pip_mounts(run)
        served = [install.mount for install in installs if install.mount is not None]
        shown = candidates + served
        if not missing or not shown:
            return None
        directories = sorted({install.cache.directory or "" for install in installs})
        span = _target_span(shown[0]) or shown[0].flag.span
        if len(directories) > 1:
            listed = ", ".join(directories)
            return self.report(
                span,
                f"the pip calls of this RUN cache in different directories ({listed}), and no cache mount covers "
                f"{missing[0].cache.directory}: {missing[0].cache.reason}. One mount cannot serve them all: give them "
                "one --cache-dir, or a mount each",
            )
        if len(candidates) > 1:
            listed = ", ".join(describe_target(mount) for mount in candidates)
            return self.report(
                span,
                f"no cache mount is where pip caches ({missing[0].cache.reason}), and which of the mounts at "
                f"{listed} is meant for pip is not clear",
            )
        return self._move(run, candidates[0], missing, facts, tree)

    def _move(
        self, run: RunFacts, mount: Mount, missing: list[InstallFacts], facts: FileFacts, tree: Dockerfile
    ) -> Diagnostic:
        """Report the mount with the fix that moves it where pip caches (and gives it to
        pip's user, when the move alone would leave that user locked out)."""
        cache = missing[0].cache
        directory = cache.directory or ""
        span = _target_span(mount) or mount.flag.span
        message = f"cache mount targets {describe_target(mount)}, but {cache.reason}."
        if not plain_path(directory):
            return self.report(span, f"{message} {directory!r} would need quoting in the mount; move it by hand")
        problems = _move_problems(run, mount, missing, directory)
        edits: tuple[Edit, ...] = (Edit.replace(span, directory),)
        title = f"Move the cache mount to {directory}"
        owned = _owned_move(run, mount, missing, directory, tree)
        given = ""
        if owned is not None:
            owner, problems = owned.owner, owned.problems
            edits += owned.edits
            settings = f"uid={owner.uid},gid={owner.gid}"
            title += f" and set `{settings}` on it"
            given = f" Moved, the mount also needs `{settings}` so {owner.who} may write it; {COLD_ONCE}."
        message += f" {_id_note(mount, directory, run, missing[0], facts)}{given}{unsafe_note(problems)}"
        if "id" not in mount.explicit:
            title += f" (its cache id becomes {directory})"
        return self.report(span, message, Fix(title, edits, applicability(problems)))


class _OwnedMove(NamedTuple):
    owner: Owner
    edits: tuple[Edit, ...]
    problems: list[str]


def _owned_move(
    run: RunFacts, mount: Mount, missing: list[InstallFacts], directory: str, tree: Dockerfile
) -> _OwnedMove | None:
    """The move with the mount given to pip's user (DFX104's owner and edits), and what
    is then still uncertain; None when the user is not locked out of the moved mount, or
    no owner can be given, or owning it is not enough.

    A non-root user cannot write a root-owned mount, so moving it to that user's home
    alone only turns a cache that misses into one pip disables; with the user's uid and
    gid the moved mount works.
    """
    if not _locked_out(run, mount, missing, directory):
        return None
    install = missing[0]
    owner, _ = owner_for(run, install, mount, runner_of(run, install))
    edits = ownership_edits(tree, mount, owner) if owner is not None else ()
    owned = mount.owned_by(owner.uid, owner.gid) if owner is not None else mount
    if owner is None or not edits or _locked_out(run, owned, missing, directory):
        return None
    problems = _move_problems(run, owned, missing, directory)
    if owner.guessed or not owner.certain:
        problems.append(f"the uid or gid of {owner.who} is not certain")
    return _OwnedMove(owner, edits, problems)


def _locked_out(run: RunFacts, mount: Mount, missing: list[InstallFacts], directory: str) -> bool:
    """Whether pip's user, for one of the calls, certainly may not write `mount` at `directory`."""
    return any(pip_may_write(run, install, directory, mount)[0] is False for install in missing)


def _move_problems(run: RunFacts, mount: Mount, missing: list[InstallFacts], directory: str) -> list[str]:
    """Why moving `mount` to `directory` is not certainly right (empty: it is)."""
    problems = [] if all(install.cache.certain for install in missing) else ["where pip caches is not certain"]
    problems += [problem for install in missing for problem in mount_problems(run, install, directory, mount)]
    if any(install.cache.status == "unknown" for install in pip_installs(run)):
        problems.append("another pip call of this RUN caches in a directory that is not known")
    if ".cache/pip" not in directory and missing[0].cache.decided_by not in _EXPLICIT_CACHE_DIR:
        problems.append(f"{directory} has no .cache/pip in it, so hadolint's DL3042 will flag the mount")
    removed = _removal(run, directory)
    if removed is not None:
        problems.append(f"the RUN removes {removed}, which would empty the moved mount on every build")
    return list(dict.fromkeys(problems))


def _removal(run: RunFacts, directory: str) -> str | None:
    """An `rm` argument of the RUN that may delete `directory`, as written; None if there is none.

    Cleanup such as `rm -rf ~/.cache/pip` after an install is harmless while the mount is
    elsewhere, and empties the cache once the mount is moved there.
    """
    script = run.shell
    home = run.home.value if isinstance(run.home, Known) else None
    for command in script.commands if script is not None else ():
        if command.name == "rm":
            for word in command.effective_words[1:]:
                if not word.text.startswith("-") and _may_cover(word.text, directory, home):
                    return word.text
    return None


def _may_cover(path: str, directory: str, home: str | None) -> bool:
    """Whether the `rm` operand `path` may be `directory` or one of its parents.

    A leading `~`/`$HOME` is the RUN's HOME; from the first expansion or glob on, the
    path could be anything, so only the literal part before it must match.
    """
    if home is not None:
        path = _HOME_PREFIX.sub(home, path)
    literal = _NOT_LITERAL.split(path, maxsplit=1)[0]
    if not literal.startswith("/"):  # relative to the working directory, or all of it unknown
        return literal == "" and path[:1] in ("$", "`", "~")
    if literal != path:
        return directory.startswith(literal)
    parent = posixpath.normpath(path)
    return directory == parent or directory.startswith(parent.rstrip("/") + "/")


def _id_note(mount: Mount, directory: str, run: RunFacts, install: InstallFacts, facts: FileFacts) -> str:
    """What moving the target does to the cache's identity, and the remedy that keeps it
    (a `--cache-dir` naming the mount, when pip's user may write the mount where it is)."""
    if "id" in mount.explicit:
        return f"The mount keeps its id={mount.id}, so it keeps its cache."
    lines = facts.lines_mounting(mount.id or "")
    own = bisect_left(lines, run.instruction.start_line)
    if own < len(lines) and lines[own] == run.instruction.start_line:
        lines = lines[:own] + lines[own + 1 :]
    sharing = f" (the RUN at line {', '.join(map(str, lines))} mounts it too)" if lines else ""
    note = (
        f"Moving the target changes the cache id from {mount.id} to {directory}: the cache starts cold once, and "
        f"mounts with id {mount.id}{sharing} no longer share it."
    )
    if written_target(mount) != mount.target or pip_may_write(run, install, mount.target or "", mount)[0] is not True:
        return note
    return f"{note} To keep the id, keep the mount and run pip with --cache-dir={mount.target} instead."
