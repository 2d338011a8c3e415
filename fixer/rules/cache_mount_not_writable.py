"""DFX104 `cache-mount-not-writable`: the user an installer runs as cannot write its cache mount.

The analysis gives the verdict (`decided_by == "not-writable"`: pip disables a cache it
may not use, uv fails the build), for the call with its cache on (`serving.Use.on`),
so a mount is given to its user before DFX103 removes a `--no-cache-dir`; `serving`
works out the owner that `write_access` would let in.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis import RunFacts, describe_user, write_access
from ..diagnostics import Diagnostic, Edit, Fix
from ..facts import Fact, Known
from ..mounts import DEFAULT_CACHE_MODE, TARGET_KEYS, Mount
from ..serving import (
    CACHE_SETTING,
    COLD_ONCE,
    COLD_ONCE_DETAIL,
    Use,
    directory_on,
    free_meant,
    hand_over,
    likely_cache_directory,
    mount_in_doubt,
    runner_of,
    target_for,
    target_span,
    uses,
)
from ..syntax import Dockerfile
from ..users import ResolvedUser
from .base import Context, Invalid, Rule, Valid, safety


class CacheMountNotWritable(Rule):
    """## What it does
    Finds cache mounts that the user running the installer cannot use: a non-root
    `USER` (or `su`/`gosu`/`runuser` inside the RUN) under a mount that BuildKit
    creates as root (`0:0`, mode `0755`), and root under a mount given to another uid
    with `uid=` (pip, running as root, only uses a cache that root owns, and so does
    the pip that pipenv runs). It covers pip and pipenv, whose pip warns and switches
    its cache off (pipenv shows the warning only under `-v`), and uv, poetry and pdm,
    which stop with a permission error. Run as root, uv, poetry and pdm use a mount
    another uid owns, so that is not reported for them.

    The fix sets `uid=` and `gid=` on the mount to the ids of the user: it adds them
    after the mount's last option (inside the quotes of a quoted `--mount="..."`), or
    corrects a wrong value in place. For root under `uid=1000` that means `uid=0` (and
    `gid=0` where a gid is written): the mount goes back to root rather than losing the
    option, which keeps the edit to the one value.

    A mount at the directory the installer caches in is checked there. A mount in the
    wrong place is DFX101's (`cache-mount-target`), which moves it and keeps its
    options; if the moved mount is then closed to the user, this rule gives it to the
    user in the next pass.

    When where the installer caches cannot be known (a base image whose `ENV` is not
    known may set HOME; a home the Dockerfile writes in a way not read here), a mount
    meant for the installer that its user cannot write anywhere inside is reported too:
    whether or not the installer caches there, such a mount holds nothing for it. The
    usual case is a non-root user of a private base image under a mount at
    `/root/.cache/pip`.

    ## Why is this bad?
    pip prints `WARNING: The directory '/home/appuser/.cache/pip' or its parent directory
    is not owned or is not writable by the current user. The cache has been disabled.`
    on every build and downloads everything again: the mount does nothing. uv fails
    the build (`Could not acquire lock ... Permission denied` in uv 0.13; `Failed to
    initialize cache` in older versions), and so do poetry (`Permission denied:
    '.../artifacts'`) and pdm (`Some package operations failed`). BuildKit applies a
    mount's `uid`, `gid` and `mode` when it creates the cache directory, so that is the
    place to give the cache to the user.

    ## Example
    ```dockerfile
    FROM python:3.12
    RUN useradd -m -u 1000 appuser
    USER appuser
    RUN --mount=type=cache,target=/home/appuser/.cache/pip pip install --user -r requirements.txt
    ```
    Use instead:
    ```dockerfile
    FROM python:3.12
    RUN useradd -m -u 1000 appuser
    USER appuser
    RUN --mount=type=cache,target=/home/appuser/.cache/pip,uid=1000,gid=1000 pip install --user -r requirements.txt
    ```

    ## Fix safety
    uid, gid and mode are part of a cache mount's identity in BuildKit: after the fix
    the mount is a different cache, empty at the first build (once), and no longer
    shared with mounts that keep the old options. The fix says so every time.

    Where the user's ids come from build arguments (`ARG UID=1000` then
    `useradd -u ${UID}`), the fix writes them the same way, `uid=${UID}`: BuildKit
    expands build arguments in `--mount` options, so every `--build-arg` gives the
    mount the user's ids. That holds only for an ARG declared in the RUN's own stage
    (buildah does not see a parent stage's ARGs there) and not shadowed by an ENV of the
    same name; otherwise the fix writes today's values and is unsafe.

    The fix is safe when the user's uid and gid are certain (no build argument, or
    written as above; no account tool whose ids cannot be predicted) and the mount's
    other options are too (a target written with a build argument counts when it
    follows the directory the tool caches in, as `target=${HOME}/.cache` does for a
    HOME from `ARG HOME`). It is unsafe when the gid is a guess: the user's group is not
    known, and the fix takes the usual gid = uid (the uid alone already makes the mount
    writable). There is no fix when the uid is not known, when the value to change is a
    variable (`uid=$APP_UID`), when the mount is seeded with `from=`/`source=` (uid and
    gid do not apply then), or when owning the mount would not be enough (a `mode=`
    without write permission for its owner, or a mount under `/root`, which only root
    may enter).

    Where the installer caches is not known, the fix is always unsafe and says why.
    It gives the mount to the user where it is; when that is not enough (a mount under
    `/root`) and only HOME was in question, it also moves the mount to the cache in the
    user's home from `/etc/passwd` (`/home/app/.cache/pip`), where the installer caches
    unless something unseen (the base image's `ENV`) sets another HOME. Without such a
    home the mount is reported without a fix.
    """

    code = "DFX104"
    name = "cache-mount-not-writable"
    summary = "A cache mount that the installer's user cannot write"
    about_cache_mounts = True
    valid = (
        Valid(
            "FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/pdm,uid=1000 pdm install --prod\n",
            note="pdm as root uses a cache another uid owns",
        ),
        Valid(
            "FROM python:3.12\nRUN useradd -m -u 1000 appuser\nUSER appuser\n"
            "RUN --mount=type=cache,target=/home/appuser/.cache/pip,uid=1000,gid=1000 "
            "pip install --user -r requirements.txt\n",
            note="problem.md 1c fixed: the uid is already right",
        ),
        Valid(
            "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n",
            note="root and a root-owned mount",
        ),
        Valid(
            "FROM python:3.12\nRUN useradd -m -u 1000 app\nUSER app\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install --user -r requirements.txt\n",
            note="the mount is not where pip caches: DFX101 moves it",
        ),
        Valid(
            "FROM python:3.12\nRUN useradd -m -u 1000 app\nUSER app\n"
            "RUN --mount=type=cache,target=/home/app/.cache/pip,gid=1000,mode=0775 pip install --user flask\n",
            note="group-writable for the user's group",
        ),
        Valid(
            "FROM python:3.12\nRUN useradd -m -u 1000 app\nUSER app\n"
            "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked pip install --user flask\n",
            note="a mount for another tool",
        ),
        Valid(
            "FROM python:3.12\nRUN useradd -m -u 1000 app\n"
            "RUN --mount=type=cache,target=/root/.cache/uv,uid=1000 uv pip install --system flask\n",
            note="uv running as root may write anyone's cache",
        ),
        Valid(
            "FROM registry.example.com/platform/python-base:3.12\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n",
            note="a private base image: its USER and HOME are not known, and a root mount is likely right",
        ),
        Valid(
            "FROM registry.example.com/platform/python-base:3.12\nUSER 1001\n"
            "RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1001,gid=1001 pip install --user flask\n",
            note="where pip caches is not known, but its user may write the mount",
        ),
    )
    invalid = (
        Invalid(
            "FROM python:3.12-slim\n"
            "ENV UV_LINK_MODE=copy\n"
            "RUN useradd -m -u 1000 app\n"
            "USER app\n"
            "WORKDIR /home/app/src\n"
            "RUN --mount=type=cache,target=/home/app/.cache/uv,uid=1000,gid=1000 uv venv\n"
            "RUN --mount=type=cache,target=/home/app/.cache/uv uv pip install --cache-dir=/home/app/.cache/uv flask\n",
            fixed="FROM python:3.12-slim\n"
            "ENV UV_LINK_MODE=copy\n"
            "RUN useradd -m -u 1000 app\n"
            "USER app\n"
            "WORKDIR /home/app/src\n"
            "RUN --mount=type=cache,target=/home/app/.cache/uv,uid=1000,gid=1000 uv venv\n"
            "RUN --mount=type=cache,target=/home/app/.cache/uv,uid=1000,gid=1000 uv pip install --cache-dir=/home/app/.cache/uv flask\n",
            note="uv stops with a permission error on a root-owned cache",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "ENV POETRY_VIRTUALENVS_IN_PROJECT=true\n"
            "RUN useradd -m -u 1000 app\n"
            "USER app\n"
            "WORKDIR /home/app/src\n"
            "RUN --mount=type=cache,target=/home/app/.cache/pypoetry poetry install --no-root\n",
            fixed="FROM python:3.12-slim\n"
            "ENV POETRY_VIRTUALENVS_IN_PROJECT=true\n"
            "RUN useradd -m -u 1000 app\n"
            "USER app\n"
            "WORKDIR /home/app/src\n"
            "RUN --mount=type=cache,target=/home/app/.cache/pypoetry,uid=1000,gid=1000 poetry install --no-root\n",
            note="poetry stops on a root-owned cache; owning the mount does no harm wherever poetry's config puts the cache",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "RUN useradd -m -u 1000 app\n"
            "USER app\n"
            "WORKDIR /home/app/src\n"
            "RUN --mount=type=cache,target=/home/app/.cache/pdm pdm install --prod\n",
            fixed="FROM python:3.12-slim\n"
            "RUN useradd -m -u 1000 app\n"
            "USER app\n"
            "WORKDIR /home/app/src\n"
            "RUN --mount=type=cache,target=/home/app/.cache/pdm,uid=1000,gid=1000 pdm install --prod\n",
            note="pdm cannot write a root-owned cache and fails",
        ),
        Invalid(
            "FROM python:3.11-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/pipenv,uid=1000 pipenv install --system --deploy\n",
            fixed="FROM python:3.11-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/pipenv,uid=0 pipenv install --system --deploy\n",
            note="pipenv's pip, as root, only uses a cache root owns",
        ),
        Invalid(
            "FROM python:3.12\n"
            "RUN useradd -m -u 1000 appuser\n"
            "USER appuser\n"
            "RUN --mount=type=cache,target=/home/appuser/.cache/pip pip install --user -r requirements.txt\n",
            fixed="FROM python:3.12\n"
            "RUN useradd -m -u 1000 appuser\n"
            "USER appuser\n"
            "RUN --mount=type=cache,target=/home/appuser/.cache/pip,uid=1000,gid=1000 pip install --user -r requirements.txt\n",
            note="problem.md 1c verbatim",
        ),
        Invalid(
            "FROM python:3.12-slim AS base\n"
            "RUN groupadd -g 2000 web && useradd -m -u 1001 -g web web\n"
            "USER web\n"
            "FROM base AS deps\n"
            "RUN --mount=type=cache,target=/home/web/.cache/pip,sharing=locked \\\n"
            "    pip install --user -r requirements.txt\n",
            fixed="FROM python:3.12-slim AS base\n"
            "RUN groupadd -g 2000 web && useradd -m -u 1001 -g web web\n"
            "USER web\n"
            "FROM base AS deps\n"
            "RUN --mount=type=cache,target=/home/web/.cache/pip,sharing=locked,uid=1001,gid=2000 \\\n"
            "    pip install --user -r requirements.txt\n",
            note="USER inherited from the parent stage; the user's own group",
        ),
        Invalid(
            "# syntax=docker/dockerfile:1.4\n"
            "FROM python:3.12\n"
            "RUN useradd -m -u 1000 app\n"
            "USER app\n"
            "RUN --mount=\"type=cache,target=/home/app/.cache/pip\" <<EOF\n"
            "pip install --user --upgrade pip\n"
            "pip install --user -r requirements.txt\n"
            "EOF\n",
            fixed="# syntax=docker/dockerfile:1.4\n"
            "FROM python:3.12\n"
            "RUN useradd -m -u 1000 app\n"
            "USER app\n"
            "RUN --mount=\"type=cache,target=/home/app/.cache/pip,uid=1000,gid=1000\" <<EOF\n"
            "pip install --user --upgrade pip\n"
            "pip install --user -r requirements.txt\n"
            "EOF\n",
            note="heredoc RUN, a quoted --mount: the options go inside the quotes",
        ),
        Invalid(
            "FROM python:3.12\n"
            "RUN useradd -m -u 1000 app\n"
            "USER app\n"
            'RUN --mount=type=cache,target=/home/app/.cache/pip ["pip", "install", "--user", "flask"]\n',
            fixed="FROM python:3.12\n"
            "RUN useradd -m -u 1000 app\n"
            "USER app\n"
            'RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1000,gid=1000 ["pip", "install", "--user", "flask"]\n',
            note="exec form",
        ),
        Invalid(
            "# escape=`\n"
            "FROM python:3.12\n"
            "RUN useradd -m -u 1000 app\n"
            "USER app\n"
            "RUN --mount=type=cache,target=/home/app/.cache/pip `\n"
            "    pip install --user -r requirements.txt\n",
            fixed="# escape=`\n"
            "FROM python:3.12\n"
            "RUN useradd -m -u 1000 app\n"
            "USER app\n"
            "RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1000,gid=1000 `\n"
            "    pip install --user -r requirements.txt\n",
            note="backtick continuation",
        ),
        Invalid(
            "FROM python:3.12\n"
            "RUN useradd -m -u 1000 app\n"
            "USER app\n"
            "RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1001,gid=1001 \\\n"
            "    # the ids of the old build user\n"
            "    pip install --user -r requirements.txt\n",
            fixed="FROM python:3.12\n"
            "RUN useradd -m -u 1000 app\n"
            "USER app\n"
            "RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1000,gid=1000 \\\n"
            "    # the ids of the old build user\n"
            "    pip install --user -r requirements.txt\n",
            note="wrong values corrected in place, a comment inside the continuation",
        ),
        Invalid(
            "FROM python:3.12\n"
            "RUN --mount=type=cache,target=/root/.cache/pip,uid=1000,gid=1000 \\\n"
            "    pip install -r requirements.txt\n",
            fixed="FROM python:3.12\n"
            "RUN --mount=type=cache,target=/root/.cache/pip,uid=0,gid=0 \\\n"
            "    pip install -r requirements.txt\n",
            note="root under a mount owned by uid 1000 (semantics §7 row 26): back to root",
        ),
        Invalid(
            "FROM python:3.12\n"
            "ENV HOME=/home/build\n"
            "USER 1234:1234\n"
            "RUN --mount=type=cache,target=/home/build/.cache/pip,mode=0755 pip install --user flask\n",
            fixed="FROM python:3.12\n"
            "ENV HOME=/home/build\n"
            "USER 1234:1234\n"
            "RUN --mount=type=cache,target=/home/build/.cache/pip,mode=0755,uid=1234,gid=1234 pip install --user flask\n",
            note="a uid:gid not in /etc/passwd",
        ),
        Invalid(
            "FROM python:3.12\n"
            "RUN useradd -m -u 1000 -N app\n"
            "USER app\n"
            "RUN --mount=type=cache,target=/home/app/.cache/pip pip install --user flask\n",
            fixed="FROM python:3.12\n"
            "RUN useradd -m -u 1000 -N app\n"
            "USER app\n"
            "RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1000,gid=1000 pip install --user flask\n",
            unsafe=True,
            note="useradd -N: the user's gid is not known, gid = uid is a guess",
        ),
        Invalid(
            "FROM python:3.12\n"
            "RUN useradd -r -m svc\n"
            "USER svc\n"
            "RUN --mount=type=cache,target=/home/svc/.cache/pip pip install --user flask\n",
            note="a system account: its uid is not known, reported without a fix",
        ),
        Invalid(
            "FROM python:3.12-slim-bookworm\n"
            "RUN useradd --create-home --uid 1001 ingest\n"
            "USER ingest\n"
            "WORKDIR /home/ingest/app\n"
            "RUN --mount=type=cache,target=/home/ingest/.cache/uv \\\n"
            "    uv sync --frozen --no-dev\n",
            fixed="FROM python:3.12-slim-bookworm\n"
            "RUN useradd --create-home --uid 1001 ingest\n"
            "USER ingest\n"
            "WORKDIR /home/ingest/app\n"
            "RUN --mount=type=cache,target=/home/ingest/.cache/uv,uid=1001,gid=1001 \\\n"
            "    uv sync --frozen --no-dev\n",
            note="uv fails on a cache it cannot write",
        ),
        Invalid(
            "FROM python:3.12\n"
            "RUN useradd -m -u 1000 app\n"
            "RUN --mount=type=cache,target=/home/app/.cache/pip \\\n"
            "    su app -c 'pip install --user -r requirements.txt'\n",
            fixed="FROM python:3.12\n"
            "RUN useradd -m -u 1000 app\n"
            "RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1000,gid=1000 \\\n"
            "    su app -c 'pip install --user -r requirements.txt'\n",
            note="su inside the RUN: pip runs as app",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "ARG USER=user\n"
            "ARG UID=1000\n"
            "ARG HOME=/home/${USER}\n"
            "RUN groupadd --gid ${UID} ${USER} && useradd --gid ${UID} --uid ${UID} ${USER}\n"
            "USER ${USER}\n"
            "RUN --mount=type=cache,target=${HOME}/.cache pip install -r requirements.txt\n",
            fixed="FROM python:3.12-slim\n"
            "ARG USER=user\n"
            "ARG UID=1000\n"
            "ARG HOME=/home/${USER}\n"
            "RUN groupadd --gid ${UID} ${USER} && useradd --gid ${UID} --uid ${UID} ${USER}\n"
            "USER ${USER}\n"
            "RUN --mount=type=cache,target=${HOME}/.cache,uid=${UID},gid=${UID} pip install -r requirements.txt\n",
            note="user, ids and home from build-argument defaults: the ids are written as the Dockerfile writes them",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            'ARG APP_UID="${APP_UID:-6972}"\n'
            "RUN useradd -m -u $APP_UID app\n"
            "USER app\n"
            "RUN --mount=type=cache,target=/home/app/.cache/pip pip install --user -r requirements.txt\n",
            fixed="FROM python:3.12-slim\n"
            'ARG APP_UID="${APP_UID:-6972}"\n'
            "RUN useradd -m -u $APP_UID app\n"
            "USER app\n"
            "RUN --mount=type=cache,target=/home/app/.cache/pip,uid=${APP_UID},gid=${APP_UID}"
            " pip install --user -r requirements.txt\n",
            note="a self-referencing default: 6972 unless --build-arg APP_UID says otherwise; the user's own group",
        ),
        Invalid(
            "FROM python:3.12-slim AS base\n"
            "ARG UID=1000\n"
            "RUN useradd -m -u ${UID} app\n"
            "USER app\n"
            "FROM base\n"
            "RUN --mount=type=cache,target=/home/app/.cache/pip pip install --user -r requirements.txt\n",
            fixed="FROM python:3.12-slim AS base\n"
            "ARG UID=1000\n"
            "RUN useradd -m -u ${UID} app\n"
            "USER app\n"
            "FROM base\n"
            "RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1000,gid=1000 pip install --user -r requirements.txt\n",
            unsafe=True,
            note="the ARG is the parent stage's: buildah would not expand it in the mount, so today's value, unsafe",
        ),
        Invalid(
            "FROM registry.example.com/platform/python-base:3.12\n"
            "RUN useradd --create-home --uid 1000 worker\n"
            "USER worker\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install --user -r requirements.txt\n",
            fixed="FROM registry.example.com/platform/python-base:3.12\n"
            "RUN useradd --create-home --uid 1000 worker\n"
            "USER worker\n"
            "RUN --mount=type=cache,target=/home/worker/.cache/pip,uid=1000,gid=1000 "
            "pip install --user -r requirements.txt\n",
            unsafe=True,
            note="a private base image may set HOME, so where pip caches is not known; the mount under /root "
            "serves worker nowhere: moved to worker's home's cache and given to worker, unsafe",
        ),
        Invalid(
            "FROM registry.example.com/platform/python-base:3.11\n"
            "USER 1001\n"
            "RUN --mount=type=cache,target=/home/app/.cache/pip,sharing=locked pip install --user flask\n",
            fixed="FROM registry.example.com/platform/python-base:3.11\n"
            "USER 1001\n"
            "RUN --mount=type=cache,target=/home/app/.cache/pip,sharing=locked,uid=1001,gid=1001 "
            "pip install --user flask\n",
            unsafe=True,
            note="uid 1001 of a private base image: its HOME is not known, the root-owned mount is closed to it",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "ARG APP=api\n"
            'RUN useradd -m -u 1000 -d "/srv/${APP:-app}" app\n'
            "USER app\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install --user flask\n",
            note="a home written in a way not read here: the mount under /root is closed to app, "
            "reported without a fix",
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for run in context.facts.runs:
            if not run.cache_mounts:  # every finding here is about a cache mount
                continue
            reported: set[int] = set()
            for use in uses(run):
                mount, runner = use.on.mount, runner_of(run, use.install)
                if mount is None or id(mount) in reported or not _locked_out(run, use, mount, runner):
                    continue
                reported.add(id(mount))
                yield self._diagnose(context.tree, run, use, mount, runner)
            yield from self._out_of_reach(context.tree, run, reported)

    def _diagnose(self, tree: Dockerfile, run: RunFacts, use: Use, mount: Mount, runner: Fact[ResolvedUser]) -> Diagnostic:
        cache = use.on.cache
        message = f"{_who(runner)} cannot write the cache mount at {mount.target} ({_owned(mount)}), so {_CONSEQUENCE[use.tool]}"
        fix, why_not = _owner_fix(tree, run, use, mount, cache.directory or "", [])
        if fix is None:
            return self.report(mount.flag.span, message, None, f"{cache.reason}.", f"`uid=`/`gid=` cannot fix it here: {why_not}")
        return self.report(mount.flag.span, message, fix, f"{cache.reason}. {COLD_ONCE_DETAIL}")

    def _out_of_reach(self, tree: Dockerfile, run: RunFacts, reported: set[int]) -> Iterator[Diagnostic]:
        """Mounts meant for a call whose cache directory is not known (a base image that may
        set HOME, a home that cannot be read) and that the call's user cannot write
        anywhere inside: wherever the call caches, such a mount holds nothing for it.

        Mounts that serve another call are that call's business."""
        for use in uses(run):
            cache = use.on.cache
            if cache.status != "unknown" or cache.directory is not None:
                continue
            runner = runner_of(run, use.install)
            for mount in free_meant(run, use):
                if id(mount) in reported:
                    continue
                directory = directory_on(mount, use.tool)
                allowed, why = write_access(directory, runner, mount, run, use.tool)
                if allowed is False:
                    reported.add(id(mount))
                    yield self._unreachable(tree, run, use, mount, runner, why)

    def _unreachable(
        self, tree: Dockerfile, run: RunFacts, use: Use, mount: Mount, runner: Fact[ResolvedUser], why: str
    ) -> Diagnostic:
        """The finding for a mount out of the call's reach; the fix gives it to the user,
        or, when that is not enough, moves it to the user's home's cache as well."""
        tool, cache = use.tool, use.on.cache
        message = (
            f"{_who(runner)} cannot write the cache mount at {mount.target} ({_owned(mount)}): "
            f"it holds no {tool} cache, wherever {tool} caches"
        )
        detail = f"{cache.reason}. Wherever that is, {why}."
        unsure = f"where {tool} caches is not known, so the mount may also need to move there"
        fix, why_not = _owner_fix(tree, run, use, mount, directory_on(mount, tool), [unsure])
        if fix is not None:
            detail += f" With its ids the mount serves {tool} if {tool} caches in it. {COLD_ONCE_DETAIL}"
            return self.report(mount.flag.span, message, fix, detail)
        likely = likely_cache_directory(runner, cache, tool)
        if likely is not None:
            guess = f"HOME is not known here: {tool} caches in {likely} only if nothing unseen sets it"
            target = target_for(mount, tool, likely)
            fix, _ = _owner_fix(tree, run, use, mount, likely, [guess], target=target)
            if fix is not None:
                detail += (
                    f" `uid=`/`gid=` alone cannot fix it here: {why_not}. The fix moves it to {target}, where {tool} "
                    f"caches with the home of {_who(runner)} in /etc/passwd, and gives it that user's ids. {COLD_ONCE_DETAIL}"
                )
                return self.report(mount.flag.span, message, fix, detail)
        no_fix = (
            f"`uid=`/`gid=` alone cannot fix it here: {why_not}. Move the mount to where {tool} caches for "
            f"{_who(runner)} and give it that user's ids, or choose its directory and name it with "
            f"{CACHE_SETTING[tool]}"
        )
        return self.report(mount.flag.span, message, None, detail, no_fix)


_CONSEQUENCE = {
    "pip": "pip disables its cache",
    "uv": "uv stops with an error",
    "poetry": "poetry stops with an error",
    "pdm": "pdm stops with an error",
    "pipenv": "pipenv's pip disables its cache",
}


def _owner_fix(
    tree: Dockerfile, run: RunFacts, use: Use, mount: Mount, directory: str, problems: list[str], target: str | None = None
) -> tuple[Fix | None, str]:
    """The fix that gives the mount to the call's user, so that it may keep its cache in
    `directory`, or why there is none; with `target`, the fix moves the mount there too.
    `problems` are doubts the caller already has."""
    moved = mount if target is None else mount.changed(target=target)
    handover, why_not = hand_over(tree.source, run, use, directory, mount, moved)
    if handover is None:
        return None, why_not
    owner, changes = handover
    settings = f"uid={owner.uid_text},gid={owner.gid_text}"
    title = f"Set `{settings}` on the cache mount"
    if target is not None:
        changes = (Edit.replace(target_span(mount), target), *changes)
        title = f"Move the cache mount to {target} and set `{settings}` on it"
    problems = list(problems)
    if not owner.certain:
        problems.append("the user's ids depend on a build argument")
    if mount_in_doubt(run, use, mount, replaced=frozenset({"uid", "gid"} | (TARGET_KEYS if target else set()))):
        problems.append("the mount's options depend on a build argument")
    if owner.guessed:
        problems.append(f"the gid of {owner.who} is not known; gid={owner.gid} (= uid) is a guess")
    return Fix(title, changes, safety(problems), "; ".join(problems) or COLD_ONCE), ""


def _who(runner: Fact[ResolvedUser]) -> str:
    return describe_user(runner.value) if isinstance(runner, Known) else "its user"


def _owned(mount: Mount) -> str:
    """`owned by root` or `owned by 1000:1000, mode 0700`: what keeps the user out."""
    owner = "root" if mount.uid == mount.gid == 0 else f"{mount.uid}:{mount.gid}"
    mode = "" if mount.mode == DEFAULT_CACHE_MODE else f", mode {mount.mode:04o}"
    return f"owned by {owner}{mode}"


def _locked_out(run: RunFacts, use: Use, mount: Mount, runner: Fact[ResolvedUser]) -> bool:
    """Whether the call, with its cache on, would be kept out of the mount, and rightly so."""
    cache = use.on.cache
    if cache.decided_by != "not-writable":
        return False
    return write_access(cache.directory or "", runner, mount, run, cache.tool)[0] is False
