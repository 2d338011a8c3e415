"""DFX101 cache-mount-target: a cache mount that is not where the installer caches.

Judged for each call with its cache on (`serving.Use.on`), so a mount is moved before
DFX103 removes a `--no-cache-dir` under it. A mount the call's user could not write
where it goes is given to that user in the same fix (DFX104's owner), since a moved
mount that locks the user out only trades a cache that misses for one pip disables.
"""

from __future__ import annotations

import posixpath
from bisect import bisect_left
from collections.abc import Iterator

from ..analysis import FileFacts, RunFacts, write_access
from ..diagnostics import Diagnostic, Edit, Fix
from ..facts import Known, Unknown
from ..mounts import TARGET_KEYS, Mount
from ..patterns import compile_lazily
from ..records import NamedTuple
from ..serving import (
    CACHE_SETTING,
    COLD_ONCE,
    COLD_ONCE_DETAIL,
    Handover,
    Use,
    explain_target,
    free_meant,
    hand_over,
    ids_certain,
    is_parent,
    mount_in_doubt,
    named_tools,
    plain_path,
    rm_operand,
    runner_of,
    short_cause,
    show_target,
    spelled_directory,
    target_for,
    target_span,
    uses,
    why_uncertain,
    written_target,
)
from ..syntax import Dockerfile
from .base import Context, Invalid, Rule, Valid, safety

# Where the tool caches because the Dockerfile says so, not because of HOME.
_EXPLICIT_CACHE_DIR = frozenset({"env-cache-dir", "config-cache-dir"})
# What a target keeps so that hadolint's DL3042 stays quiet beside dockerfix (pip only):
# a move must not lose it.
_HADOLINT_MARK = {"pip": ".cache/pip"}
# Programs that run code dockerfix does not read: a shell or Python given a script
# file (`bash install.sh`, `python setup.py install`), build and task runners.
_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh"})
_BUILD_TOOLS = frozenset({"make", "tox", "nox", "invoke", "just", "task"})
_PYTHON = compile_lazily(r"python[0-9.]*$")


class CacheMountTarget(Rule):
    """A cache mount that is not where the installer caches.

    ## What it does
    Checks every `RUN` that mounts a cache meant for a Python installer (pip, uv,
    poetry, pipenv, pdm) and runs it, and flags the mount when the installer caches
    somewhere else in that step. A mount is meant for a tool when its target names it
    (`/root/.cache/pip`, `/cache/uv`, `/root/.cache/pypoetry`) or is a `.cache`
    directory, which holds every tool's cache (`/root/.cache`); a mount named for an
    installer the RUN never runs (`/root/.cache/pip` over `uv pip install` or `poetry
    install`) is meant for the one it does run. pip caches in `--cache-dir`, else
    `PIP_CACHE_DIR`, else a config file's `cache-dir`, else `$XDG_CACHE_HOME/pip`, else
    `$HOME/.cache/pip`; uv in `--cache-dir`, else `UV_CACHE_DIR`, else uv.toml's
    `cache-dir`, else `$XDG_CACHE_HOME/uv`, else `$HOME/.cache/uv`; poetry in
    `POETRY_CACHE_DIR`, else its config's `cache-dir`, else `.../pypoetry` there; pipenv
    in `PIPENV_CACHE_DIR`, else `.../pipenv` (the pip it runs uses that directory too);
    pdm in `PDM_CACHE_DIR`, else its config's `cache_dir`, else `.../pdm`. HOME is the one
    the step really runs with: an `ENV HOME` (or `ARG HOME`) wherever it stands, else
    the home of the `USER` in `/etc/passwd`, then whatever the step changes itself
    (`HOME=/x pip ...`, `export HOME=...`, `su`, `gosu`). BuildKit expands a target
    written with `$HOME` from ENV and ARG only, never with that runtime HOME, so on an
    image without `ENV HOME` it mounts at `/.cache/pip`; `~` is never expanded, and a
    relative target is taken from WORKDIR.

    A call whose cache the RUN switches off (`--no-cache-dir`) is judged as it will be
    once DFX103 removes the switch: the mount moves first, then the switch goes. When
    the directory comes from a `--cache-dir` on the command itself, DFX102 points that
    option at the mount instead.

    ## Why is this bad?
    The mount stays empty. Every build downloads and builds every package again, and
    the installer writes its cache into the image layer instead, which makes the image
    bigger. Nothing warns about it: the build log only shows `Downloading ...` where
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
    the directory the tool uses (a `.cache` mount stays the `.cache` directory above
    it), and keeps every other option as written. Unless the mount has an explicit
    `id=`, a cache mount's id is its target, so the id changes with it: the cache starts
    cold once, and mounts elsewhere with the old id (other stages, other Dockerfiles on
    the same builder) no longer share it. The tool did not use the old mount in this
    step, so the step loses nothing. To keep the id instead, leave the mount where it
    is and run pip with `--cache-dir=<the mount's target>`, the kind of fix DFX102
    makes.

    The fix is safe when every fact behind it is certain: where the tool caches (no
    build argument, unknown base image setting or unread config file could change it),
    the mount's options (a variable in them that is not set here may come from
    `--build-arg`; only an unset `$HOME` is taken for the known trap), every call of
    the step caching in the same place on the mount, the user the tool runs as being
    allowed to write the moved mount, no `rm` in the step that could delete the new
    directory (cleanup such as `rm -rf ~/.cache` would empty the mount on every build),
    and, for pip, the new target containing `.cache/pip` (so hadolint's DL3042 stays
    quiet) or being a directory the Dockerfile chose itself (`PIP_CACHE_DIR`, a config
    file's `cache-dir`). uv's, poetry's and pdm's own config files are not read, so
    their fixes are unsafe. A mount moved from an installer the RUN does not run is
    unsafe when a command of the RUN may run that installer unseen (a script, `make`,
    `python setup.py`), and a move that would put poetry's virtualenv on the mount is
    unsafe until DFX107 moves the virtualenv. Otherwise the fix is unsafe and says
    why. When the calls of
    one step cache in different places, or several mounts could be the one, the mount
    is reported without a fix. A cache directory that cannot be known is not reported
    here; a mount its user cannot write wherever the cache is, is DFX104's.

    A mount's `uid`, `gid` and `mode` apply wherever it is, and a root-owned mount locks
    a non-root user out (pip and pipenv then disable the cache, uv, poetry and pdm
    fail). When owning the mount
    is enough, the fix also sets the user's uid and gid on it, as DFX104 would
    (`uid=1000,gid=1000`; safe only when both are certain): moved alone, the mount would
    only turn a cache that misses into one that is switched off. uid and gid are part of
    the cache's identity, which the move changes anyway. Where the new target follows a
    HOME that `USER` or `ENV` chose, DFX102 then adds `--cache-dir` in the next pass.
    """

    code = "DFX101"
    name = "cache-mount-target"
    summary = "A cache mount that is not where the installer caches for that RUN's user and HOME"
    about_cache_mounts = True

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
            "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/uv \\\n"
            "    uv pip install --system -r requirements.txt && HOME=/app pip install flask\n",
            note="the only mount is uv's, and uv caches there; nothing says pip was meant to use a mount",
        ),
        Valid(
            "FROM python:3.12\nENV HOME=/app\nRUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n"
            "    apt-get update && apt-get install -y gcc && pip install flask\n",
            note="a mount for another tool",
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
            "RUN --mount=type=cache,target=${HOME}/.cache/pip pip install flask\n",
            note="ARG HOME sets the RUN's HOME in BuildKit, and --build-arg can change it: the target follows it",
        ),
        Invalid(
            "FROM python:3.12\nENV HOME=/app\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install --no-cache-dir flask\n",
            fixed="FROM python:3.12\nENV HOME=/app\n"
            "RUN --mount=type=cache,target=/app/.cache/pip pip install flask\n",
            together=("DFX103",),
            note="switched off and misplaced: the mount moves to where pip will cache, then DFX103 removes the switch",
        ),
        Invalid(
            "FROM python:3.12\n"
            "RUN useradd -m -u 1000 user\n"
            "USER user\n"
            "RUN --mount=type=cache,target=/root/.cache pip install --user -r requirements.txt\n",
            fixed="FROM python:3.12\n"
            "RUN useradd -m -u 1000 user\n"
            "USER user\n"
            "RUN --mount=type=cache,target=/home/user/.cache,uid=1000,gid=1000 pip install --user -r requirements.txt\n",
            note="a .cache mount, misplaced and root-owned: it stays the .cache directory, in user's home, given to user",
        ),
        Invalid(
            "FROM python:3.12\nENV HOME=/app\n"
            "RUN --mount=type=cache,target=/root/.cache/uv uv pip install --system -r requirements.txt\n",
            fixed="FROM python:3.12\nENV HOME=/app\n"
            "RUN --mount=type=cache,target=/app/.cache/uv uv pip install --system -r requirements.txt\n",
            unsafe=True,
            note="uv caches in $HOME/.cache/uv too; uv's own config files are not read, so the fix is unsafe",
        ),
        Invalid(
            "ARG PYTHON_VERSION\n"
            'FROM python:"${PYTHON_VERSION}"-slim\n'
            "RUN useradd -m -u 1000 app\n"
            "USER app\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install --user -r requirements.txt\n",
            fixed="ARG PYTHON_VERSION\n"
            'FROM python:"${PYTHON_VERSION}"-slim\n'
            "RUN useradd -m -u 1000 app\n"
            "USER app\n"
            "RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1000,gid=1000 pip install --user -r requirements.txt\n",
            note="the tag needs a --build-arg, but every -slim tag of python is Debian with no USER, HOME or pip config",
        ),
        Invalid(
            "FROM python:3.12\n"
            "ENV HOME=/app\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install --global-option=--quiet .\n",
            fixed="FROM python:3.12\n"
            "ENV HOME=/app\n"
            "RUN --mount=type=cache,target=/app/.cache/pip pip install --global-option=--quiet .\n",
            unsafe=True,
            note="pip 25.3 removed --global-option: older pips run it, newer ones stop, so nothing about it is certain",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "ARG APP_HOME=/srv/app\n"
            'RUN useradd --create-home --home-dir "$APP_HOME" --uid 1000 app\n'
            "USER app\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install --user -r requirements.txt\n",
            fixed="FROM python:3.12-slim\n"
            "ARG APP_HOME=/srv/app\n"
            'RUN useradd --create-home --home-dir "$APP_HOME" --uid 1000 app\n'
            "USER app\n"
            "RUN --mount=type=cache,target=${APP_HOME}/.cache/pip,uid=1000,gid=1000 pip install --user -r requirements.txt\n",
            note="the home follows a build argument, the ids do not: the target is written with the argument, "
            "the ids as they are, and both stay right under any --build-arg APP_HOME",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/pip uv pip install --system --link-mode=copy -r requirements.txt\n",
            fixed="FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/uv uv pip install --system --link-mode=copy -r requirements.txt\n",
            unsafe=True,
            note="a mount named for pip over a RUN that runs no pip: uv never uses pip's cache",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/pip ./build.sh && pipenv install --system\n",
            fixed="FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/pipenv ./build.sh && pipenv install --system\n",
            unsafe=True,
            note="./build.sh may run pip, which would lose the mount (without it, the move is safe)",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "ENV POETRY_VIRTUALENVS_IN_PROJECT=true\n"
            "RUN useradd -m -u 1000 app\n"
            "USER app\n"
            "WORKDIR /home/app/src\n"
            "RUN --mount=type=cache,target=/root/.cache/pypoetry poetry install --no-root\n",
            fixed="FROM python:3.12-slim\n"
            "ENV POETRY_VIRTUALENVS_IN_PROJECT=true\n"
            "RUN useradd -m -u 1000 app\n"
            "USER app\n"
            "WORKDIR /home/app/src\n"
            "RUN --mount=type=cache,target=/home/app/.cache/pypoetry,uid=1000,gid=1000 poetry install --no-root\n",
            unsafe=True,
            note="poetry caches in $HOME/.cache/pypoetry; poetry's config files are not read, so the fix is unsafe",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "ENV HOME=/srv\n"
            "RUN --mount=type=cache,target=/root/.cache/pipenv pipenv install --system --deploy\n",
            fixed="FROM python:3.12-slim\n"
            "ENV HOME=/srv\n"
            "RUN --mount=type=cache,target=/srv/.cache/pipenv pipenv install --system --deploy\n",
            note="pipenv has no config file: where it caches is certain",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pdm install --prod\n",
            fixed="FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/pdm pdm install --prod\n",
            unsafe=True,
            note="pdm installs with its own installer, never through pip",
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
            yield from self._check_run(run, context.facts, context.tree)

    def _check_run(self, run: RunFacts, facts: FileFacts, tree: Dockerfile) -> Iterator[Diagnostic]:
        missing: dict[int, list[Use]] = {}  # mount id -> the calls it should serve
        mounts: dict[int, Mount] = {}
        for use in uses(run):
            if not _misses(use):
                continue
            free = free_meant(run, use)
            if len(free) != 1:
                yield self._unplaced(use, free)
                continue
            missing.setdefault(id(free[0]), []).append(use)
            mounts[id(free[0])] = free[0]
        for key, calls in missing.items():
            yield self._move(run, mounts[key], calls, facts, tree)

    def _unplaced(self, use: Use, free: tuple[Mount, ...]) -> Diagnostic:
        """A call that misses while no single mount is free to move for it."""
        cache, mount = use.on.cache, (free or use.meant)[0]
        span = target_span(mount)
        if free:
            listed = ", ".join(show_target(m) for m in free)
            return self.report(
                span,
                f"{use.tool} caches in {cache.directory}, and which of the mounts at {listed} is meant for it is unclear",
                None,
                f"{cache.reason}. Move the mount meant for {use.tool} to {cache.directory} by hand.",
            )
        return self.report(
            span,
            f"{use.tool} caches in {cache.directory}, off the cache mount at {show_target(mount)}, which serves another call",
            None,
            f"{cache.reason}. Give this call a mount of its own, or the same {CACHE_SETTING[use.tool]} as the other call.",
        )

    def _move(self, run: RunFacts, mount: Mount, calls: list[Use], facts: FileFacts, tree: Dockerfile) -> Diagnostic:
        """Report the mount with the fix that moves it where the calls cache (and gives
        it to their user, when the move alone would leave that user locked out)."""
        first = calls[0]
        cache = first.on.cache
        directory = cache.directory or ""
        span = target_span(mount)
        targets = sorted({target_for(mount, use.tool, use.on.cache.directory or "") for use in calls})
        named = ", ".join(sorted(named_tools(mount)))
        orphan = bool(named) and first.tool not in named_tools(mount)
        mounted = f"cache mount for {named} at" if orphan else "cache mount at"
        message = f"{mounted} {show_target(mount)}, but {first.tool} caches in {directory} ({short_cause(cache)})"
        detail = f"The cache mount targets {explain_target(mount)}; {cache.reason}."
        if orphan:
            detail += f" The mount is named for {named}, which this RUN does not run, and {first.tool} never uses its cache."
        if len(targets) > 1:
            listed = ", ".join(sorted({use.on.cache.directory or "" for use in calls}))
            return self.report(
                span, message, None, detail, f"the calls of this RUN cache in {listed}: one mount cannot serve them "
                "all; give them one --cache-dir, or a mount each"
            )
        target = targets[0]
        if not plain_path(target):
            return self.report(span, message, None, detail, f"{target!r} would need quoting in the mount: move it by hand")
        written = _written(run, mount, calls, target)
        changes: tuple[Edit, ...] = (Edit.replace(span, written),)
        title = f"Move the cache mount to {written}"
        owned = _owned_move(run, mount, calls, target, tree)
        problems = _move_problems(run, owned.mount if owned else mount, calls, target, spelled=written != target)
        runner = _unseen_runner(run) if orphan else None
        if runner is not None:
            problems.append(f"`{runner}` may run {named} unseen, which would lose the mount")
        if owned is not None:
            owner = owned.handover.owner
            settings = f"uid={owner.uid_text},gid={owner.gid_text}"
            changes += owned.handover.edits
            if owner.guessed or not owner.certain:
                problems.append(f"the uid or gid of {owner.who} is not certain")
            title += f" and set `{settings}` on it"
            detail += f" Moved, the mount also needs `{settings}` so its user may write it. {COLD_ONCE_DETAIL}"
        detail += f" {_id_note(mount, target, run, first, facts)}"
        caveat = "; ".join(problems)
        if "id" not in mount.explicit:
            caveat = caveat or f"its cache id becomes {target}: {COLD_ONCE}"
        return self.report(span, message, Fix(title, changes, safety(problems), caveat), detail)


def _unseen_runner(run: RunFacts) -> str | None:
    """A command of the RUN that may run installers dockerfix does not see (a script, a
    build tool), as written; None when every command is in plain view."""
    script = run.shell
    for command in script.commands if script is not None else ():
        words = command.effective_words
        name = command.name or ""
        if not words:
            continue
        program = words[0].text
        if program.startswith(("./", "../")) or name.endswith((".sh", ".py")) or name in _BUILD_TOOLS:
            return program
        first = words[1].text if len(words) > 1 else "-"
        if (name in _SHELLS or _PYTHON.match(name)) and not first.startswith("-"):
            return f"{program} {first}"
    return None


def _misses(use: Use) -> bool:
    """Whether the call, with its cache on, caches off every cache mount of the RUN,
    where a mount meant for its tool could be moved to. A cache its user cannot write
    there counts: a mount moved there and given to the user makes it writable. A
    command-line `--cache-dir` that misses is DFX102's: it points the option at the mount."""
    cache = use.on.cache
    return (
        bool(use.meant)
        and (cache.status == "enabled" or cache.decided_by == "not-writable")
        and use.on.mount is None
        and cache.directory is not None
        and cache.decided_by != "cli-cache-dir"
    )


class _Owned(NamedTuple):
    """A move that also gives the mount to the calls' user, and the mount as the fix leaves it."""

    handover: Handover
    mount: Mount


def _owned_move(run: RunFacts, mount: Mount, calls: list[Use], target: str, tree: Dockerfile) -> _Owned | None:
    """The move that also gives the mount to the calls' user; None when the user is not
    locked out of the moved mount, no owner can be given, or owning it is not enough."""
    moved = mount.changed(target=target)
    if not _locked_out(run, moved, calls):
        return None
    use = calls[0]
    handover, _ = hand_over(tree.source, run, use, use.on.cache.directory or "", mount, moved)
    if handover is None:
        return None
    owned = moved.changed(uid=handover.owner.uid, gid=handover.owner.gid)
    return None if _locked_out(run, owned, calls) else _Owned(handover, owned)


def _locked_out(run: RunFacts, mount: Mount, calls: list[Use]) -> bool:
    """Whether the user of one of the calls certainly may not write `mount` for its cache."""
    return any(_may_write(run, use, mount)[0] is False for use in calls)


def _may_write(run: RunFacts, use: Use, mount: Mount) -> tuple[bool | None, str]:
    """Whether the call's user may keep its cache on `mount` (None: unknown)."""
    runner = runner_of(run, use.install)
    if isinstance(runner, Unknown):
        return None, f"the user {use.tool} runs as is not known ({runner.reason})"
    if not ids_certain(run, runner):
        return None, f"the user {use.tool} runs as ({runner.origin}) depends on a build argument"
    return write_access(use.on.cache.directory or "", runner, mount, run, use.tool)


def _written(run: RunFacts, mount: Mount, calls: list[Use], target: str) -> str:
    """The target as the fix writes it: following the build arguments that decide where
    the calls cache (`${HOME}/.cache/pip`), when every call's directory is spelled the
    same way, else `target` itself."""
    spelled = {spelling.text if (spelling := spelled_directory(run, use)) else None for use in calls}
    if len(spelled) != 1 or None in spelled:
        return target
    written = target_for(mount, calls[0].tool, spelled.pop() or "")
    return written if plain_path(written, spelled=True) else target


def _move_problems(run: RunFacts, mount: Mount, calls: list[Use], target: str, spelled: bool = False) -> list[str]:
    """Why moving `mount` to `target` is not certainly right (empty: it is). `spelled`:
    the new target is written to follow the build arguments that decide it."""
    moved = mount.changed(target=target)
    doubtful = [use.on.cache for use in calls if not use.on.cache.certain]
    problems = [] if spelled or not doubtful else [why_uncertain(doubtful[0])]
    if any(mount_in_doubt(run, use, mount, replaced=TARGET_KEYS) for use in calls):
        problems.append("the mount's options depend on a build argument")
    unset = sorted(mount.undefined - {"HOME"})  # an undefined $HOME is the known trap; others may be --build-args
    if unset:
        problems.append(f"{', '.join('$' + name for name in unset)} in the mount may come from a --build-arg")
    for use in calls:
        allowed, why = _may_write(run, use, moved)
        if allowed is None:
            problems.append(why)
        elif not allowed:
            problems.append(f"{use.tool} could not use the moved mount: {why}")
    if any(use.on.cache.status == "unknown" for use in uses(run) if mount in use.meant):
        problems.append("another call of this RUN caches in a directory that is not known")
    for use in calls:
        mark = _HADOLINT_MARK.get(use.tool)
        lost = mark is not None and mark in written_target(mount) and mark not in target
        if lost and use.on.cache.decided_by not in _EXPLICIT_CACHE_DIR:
            problems.append(f"{target} has no {mark} in it, so hadolint's DL3042 will flag the mount")
    venvs = [use.on.cache.virtualenvs_path for use in calls if use.on.cache.virtualenvs_in_cache is not False]
    if any(path is not None and moved.covers(path) for path in venvs):
        problems.append("poetry's virtualenv would be on the moved mount, out of the image, until DFX107 moves it")
    removed = _removal(run, target)
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
    """Whether the `rm` operand `path` may be `directory` or one of its parents (only
    its literal part must match, `serving.rm_operand`)."""
    path, literal = rm_operand(path, home)
    if not literal.startswith("/"):  # relative to the working directory, or all of it unknown
        return literal == "" and path[:1] in ("$", "`", "~")
    if literal != path:
        return directory.startswith(literal)
    parent = posixpath.normpath(path)
    return directory == parent or directory.startswith(parent.rstrip("/") + "/")


def _id_note(mount: Mount, target: str, run: RunFacts, use: Use, facts: FileFacts) -> str:
    """What moving the target does to the cache's identity, and the remedy that keeps it
    (a `--cache-dir` naming the mount, when the user may write the mount where it is)."""
    if "id" in mount.explicit:
        return f"The mount keeps its id={mount.id}, so it keeps its cache."
    lines = facts.lines_mounting(mount.id or "")
    own = bisect_left(lines, run.instruction.start_line)
    if own < len(lines) and lines[own] == run.instruction.start_line:
        lines = lines[:own] + lines[own + 1 :]
    sharing = f" (the RUN at line {', '.join(map(str, lines))} mounts it too)" if lines else ""
    note = (
        f"Moving the target changes the cache id from {mount.id} to {target}: the cache starts cold once, and "
        f"mounts with id {mount.id}{sharing} no longer share it."
    )
    keeps = use.tool == "pip" and not is_parent(mount) and written_target(mount) == mount.target
    if not keeps or _may_write(run, use, mount)[0] is not True:
        return note
    return f"{note} To keep the id, keep the mount and run pip with --cache-dir={mount.target} instead."
