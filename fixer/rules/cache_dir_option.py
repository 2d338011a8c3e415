"""DFX102 cache-dir-option: tell pip or uv where its cache mount is with `--cache-dir`.

Divides the work with DFX101 (`serving` holds what they share): DFX101 moves mounts
that miss, this rule takes the misses of a command-line `--cache-dir`, caches switched
off by the stage's environment or a config file, and mounts that only a movable HOME
keeps in place, so the two never fix one call.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis import InstallFacts, RunFacts, describe_user
from ..caches import CacheResolution
from ..diagnostics import Diagnostic, Edit, Fix
from ..facts import Known
from ..mounts import TARGET_KEYS, Mount
from ..records import NamedTuple
from ..serving import (
    Use,
    directory_on,
    free_meant,
    option_after_subcommand,
    plain_path,
    short_cause,
    show_target,
    switch_in_run,
    uses,
    written_target,
)
from ..syntax import Span
from .base import Context, Invalid, Rule, Valid, safety

# Settings that switch pip's cache off and that only a command-line --cache-dir overrides.
_SWITCHED_OFF = frozenset({"env-no-cache-dir", "config-no-cache-dir"})
# Where the directory comes from when nothing names it.
_FROM_HOME = frozenset({"home", "xdg-cache-home"})
# The installers with a command-line `--cache-dir` that beats every other setting.
_WITH_OPTION = frozenset({"pip", "uv"})


class _Finding(NamedTuple):
    """One call that should get `--cache-dir=<directory>`."""

    tool: str
    message: str
    detail: str
    span: Span
    directory: str
    edit: Edit | None
    problems: list[str]
    no_fix: str = ""  # why there is no edit


class CacheDirOption(Rule):
    """pip's or uv's cache directory does not name the cache mount: pass `--cache-dir=<mount>`.

    ## What it does
    Makes pip or uv use the cache mount of its `RUN` by naming it on the command line,
    with `--cache-dir=<directory>`, in three cases (the first is pip's alone):

    - pip's cache is switched off by `PIP_NO_CACHE_DIR` (an `ENV` of this or a parent
      stage, or the base image's environment) or by `no-cache-dir` in a pip config
      file, while the step mounts a cache meant for pip (its target names `pip`). pip
      applies those after every `cache-dir` setting and `PIP_CACHE_DIR`, so only a
      command-line `--cache-dir` switches the cache back on. The flag names the mount:
      its target, or the directory the step's other pip calls already use on it.
    - The command already has a `--cache-dir`, but it names another directory than the
      step's mount for the tool, which stays empty. The option's value becomes that
      directory.
    - The mount serves pip or uv only because of a HOME that something else can move: an
      `ENV HOME` (of this stage, a parent stage or the base image), a `USER` whose home
      it is, or a build argument that decides HOME or `XDG_CACHE_HOME` (`ARG HOME=...`,
      `ENV HOME=/home/${APP_USER}`, `USER ${UID}`). The flag names the directory the
      tool uses now, so the build does exactly what it did, and a later `ENV HOME`, a
      new `USER`, another base image or a `--build-arg` can no longer move the cache
      off the mount without a word. Where the command switches its cache off itself
      (`--no-cache-dir`, DFX103's to remove), this is judged with the cache on, so the
      flag goes in with that removal instead of a pass after it.

    poetry, pipenv and pdm have no command-line option for their cache directory: their
    misplaced mounts are DFX101's to move. (This rule was called `pip-cache-dir` before
    it covered uv.)

    Not flagged: root's own home from /etc/passwd (`/root`, the usual and stable
    pattern), an `XDG_CACHE_HOME` or `PIP_CACHE_DIR` the Dockerfile sets (settings made
    for caches, on purpose), a HOME set inside the RUN itself, in plain view of the
    call, a target written with `$HOME` (mount and pip follow the same variable), a
    mount that misses for another reason (DFX101 moves it), `--no-cache-dir` or
    `PIP_NO_CACHE_DIR=...` written on the command itself (the command asks for no
    cache: DFX103), or a RUN whose mounts are for other tools (`ENV PIP_NO_CACHE_DIR=1`
    beside an apt cache mount keeps the image small, as meant).

    ## Why is this bad?
    In the first two cases the mount does nothing: every build downloads and builds every package again,
    although the Dockerfile asks for a cache, and in the second case pip writes its
    cache into the image instead. In the third case the mount works today, but only as
    long as HOME stays where it is: `ENV HOME=/app` or `USER app`, added later or
    inherited from a new base image, silently sends every build back to downloading,
    and nothing warns. A command-line `--cache-dir` keeps pip on the mount whatever
    the environment, the config files or HOME say, and, unlike moving the mount, keeps
    the mount's id, so the cache stays warm and shared.

    ## Example
    ```Dockerfile
    FROM python:3.12-slim
    ENV PIP_NO_CACHE_DIR=1
    RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
    ```
    Use instead:
    ```Dockerfile
    FROM python:3.12-slim
    ENV PIP_NO_CACHE_DIR=1
    RUN --mount=type=cache,target=/root/.cache/pip pip install --cache-dir=/root/.cache/pip -r requirements.txt
    ```

    ## Fix safety
    The fix inserts `--cache-dir=<directory>` right after the subcommand
    (`pip install` becomes `pip install --cache-dir=/root/.cache/pip`, `uv pip install`
    `uv pip install --cache-dir=...`; in an exec-form RUN it is an argument of its
    own), or replaces the value of the existing `--cache-dir`, keeping its quotes. A
    command-line `--cache-dir` beats every environment variable and config file (uv's
    too), so their values do not change the result: the fix is safe when the mount's
    options are certain and the user the tool runs as may
    write the mount, and unsafe otherwise (the message says why). The flag does not
    reach the pip that build isolation starts for build dependencies: an inherited
    `PIP_NO_CACHE_DIR` still applies there.

    With DFX101, which moves a mount that misses: a miss decided by a command-line
    `--cache-dir` is this rule's (the option is rewritten, the mount stays, so cleanup
    such as `rm -rf <that directory>` cannot empty the mount), every other miss is
    DFX101's, and this rule's other cases concern mounts that hit or caches that are
    off. The two never fix one call, and the `--cache-dir` this rule writes names a
    directory on the mount, which quiets both: a second run changes nothing.
    """

    code = "DFX102"
    name = "cache-dir-option"
    summary = "An install under a cache mount that a stage-wide setting or a movable HOME keeps off it"
    about_cache_mounts = True

    valid = (
        Valid(
            "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n",
            note="root's own home: the usual, stable pattern",
        ),
        Valid(
            "FROM python:3.12-bookworm\nRUN useradd -m app\nUSER app\nRUN pip install --user flask\nUSER root\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n",
            note="back to root: root's own home again",
        ),
        Valid(
            "FROM python:3.12-slim\nENV XDG_CACHE_HOME=/var/cache\n"
            "RUN --mount=type=cache,target=/var/cache/pip pip install flask\n",
            note="XDG_CACHE_HOME is a setting about caches, made on purpose",
        ),
        Valid(
            "FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/app/.cache/pip HOME=/app pip install flask\n",
            note="HOME set on the command itself, in plain view",
        ),
        Valid(
            "FROM python:3.12-slim AS base\nARG HOME=/app\nFROM base\n"
            "RUN --mount=type=cache,target=$HOME/.cache/pip pip install flask\n",
            note="the target follows the same HOME as pip does, whatever the build argument",
        ),
        Valid(
            "FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install --cache-dir=/root/.cache/pip flask\n",
            note="already names the mount",
        ),
        Valid(
            "FROM python:3.12\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install --no-cache-dir flask\n",
            note="the command itself asks for no cache: DFX103's finding",
        ),
        Valid(
            "FROM python:3.12\n"
            "RUN --mount=type=cache,target=/root/.cache/pip PIP_NO_CACHE_DIR=1 pip install flask\n",
            note="PIP_NO_CACHE_DIR written on the command itself: DFX103's finding",
        ),
        Valid(
            "FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\n"
            "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n"
            "    apt-get update && apt-get install -y gcc && pip install --cache-dir /tmp/pc flask\n",
            note="no mount is meant for pip: PIP_NO_CACHE_DIR keeps the image small as intended",
        ),
        Valid(
            "FROM python:3.12\nENV HOME=/app\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask\n",
            note="the mount misses because of HOME: DFX101's finding",
        ),
    )
    invalid = (
        Invalid(
            "FROM python:3.12-slim\n"
            "RUN useradd --create-home --uid 1000 app\n"
            "USER app\n"
            "RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1000,gid=1000 \\\n"
            "    pip install --user --no-cache-dir -r requirements.txt\n",
            fixed="FROM python:3.12-slim\n"
            "RUN useradd --create-home --uid 1000 app\n"
            "USER app\n"
            "RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1000,gid=1000 \\\n"
            "    pip install --cache-dir=/home/app/.cache/pip --user -r requirements.txt\n",
            together=("DFX103",),
            note="the command switches its cache off (DFX103 removes that): the flag is judged with the cache on",
        ),
        Invalid(
            "FROM python:3.12-slim\nWORKDIR /app\nENV HOME=/app\n"
            "RUN --mount=type=cache,target=/app/.cache/pip pip install -e .\n",
            fixed="FROM python:3.12-slim\nWORKDIR /app\nENV HOME=/app\n"
            "RUN --mount=type=cache,target=/app/.cache/pip pip install --cache-dir=/app/.cache/pip -e .\n",
            note="HOME set late, by an ENV of the same stage",
        ),
        Invalid(
            "FROM python:3.12-slim AS base\nENV HOME=/srv\nFROM base\n"
            "RUN --mount=type=cache,target=/srv/.cache/pip pip install flask\n",
            fixed="FROM python:3.12-slim AS base\nENV HOME=/srv\nFROM base\n"
            "RUN --mount=type=cache,target=/srv/.cache/pip pip install --cache-dir=/srv/.cache/pip flask\n",
            note="HOME inherited from a parent stage",
        ),
        Invalid(
            "FROM python:3.12-bookworm\nRUN useradd -m -u 1000 appuser\nUSER appuser\n"
            "RUN --mount=type=cache,target=/home/appuser/.cache/pip,uid=1000,gid=1000 \\\n"
            "    pip install --user -r requirements.txt\n",
            fixed="FROM python:3.12-bookworm\nRUN useradd -m -u 1000 appuser\nUSER appuser\n"
            "RUN --mount=type=cache,target=/home/appuser/.cache/pip,uid=1000,gid=1000 \\\n"
            "    pip install --cache-dir=/home/appuser/.cache/pip --user -r requirements.txt\n",
            note="problem.md §1c fixed: the cache follows HOME, which USER changed",
        ),
        Invalid(
            "FROM quay.io/jupyter/minimal-notebook:2024-07-08\n"
            "RUN --mount=type=cache,target=/home/jovyan/.cache/pip,uid=1000,gid=100 pip install altair\n",
            fixed="FROM quay.io/jupyter/minimal-notebook:2024-07-08\n"
            "RUN --mount=type=cache,target=/home/jovyan/.cache/pip,uid=1000,gid=100"
            " pip install --cache-dir=/home/jovyan/.cache/pip altair\n",
            note="HOME and USER inherited from the base image",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "ENV PIP_NO_CACHE_DIR=1\n"
            "COPY requirements.txt .\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n",
            fixed="FROM python:3.12-slim\n"
            "ENV PIP_NO_CACHE_DIR=1\n"
            "COPY requirements.txt .\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install --cache-dir=/root/.cache/pip"
            " -r requirements.txt\n",
            note="PIP_NO_CACHE_DIR from an ENV switches the cache off under the mount",
        ),
        Invalid(
            "FROM python:3.12 AS base\n"
            "ENV PIP_NO_CACHE_DIR=off\n"
            "FROM base AS build\n"
            'RUN ["python", "-m", "pip", "wheel", "--wheel-dir", "/wheels", "-r", "requirements.txt"]\n'
            "RUN --mount=type=cache,target=/root/.cache/pip \\\n"
            '    ["python", "-m", "pip", "install", "-r", "requirements.txt"]\n',
            fixed="FROM python:3.12 AS base\n"
            "ENV PIP_NO_CACHE_DIR=off\n"
            "FROM base AS build\n"
            'RUN ["python", "-m", "pip", "wheel", "--wheel-dir", "/wheels", "-r", "requirements.txt"]\n'
            "RUN --mount=type=cache,target=/root/.cache/pip \\\n"
            '    ["python", "-m", "pip", "install", "--cache-dir=/root/.cache/pip", "-r", "requirements.txt"]\n',
            note="exec form; PIP_NO_CACHE_DIR=off, inherited from the parent stage, disables the cache too",
        ),
        Invalid(
            "FROM registry.access.redhat.com/ubi9/python-311\n"
            "COPY requirements.txt .\n"
            "RUN --mount=type=cache,target=/opt/app-root/src/.cache/pip,uid=1001 \\\n"
            "    pip install -r requirements.txt\n",
            fixed="FROM registry.access.redhat.com/ubi9/python-311\n"
            "COPY requirements.txt .\n"
            "RUN --mount=type=cache,target=/opt/app-root/src/.cache/pip,uid=1001 \\\n"
            "    pip install --cache-dir=/opt/app-root/src/.cache/pip -r requirements.txt\n",
            note="the UBI python image sets PIP_NO_CACHE_DIR=off in its environment",
        ),
        Invalid(
            "FROM python:3.12\n"
            "RUN pip config set global.no-cache-dir true\n"
            "RUN --mount=type=cache,target=/root/.cache/pip <<EOF\n"
            "set -e\n"
            "pip install -r requirements.txt\n"
            "pip install --no-deps .\n"
            "EOF\n",
            fixed="FROM python:3.12\n"
            "RUN pip config set global.no-cache-dir true\n"
            "RUN --mount=type=cache,target=/root/.cache/pip <<EOF\n"
            "set -e\n"
            "pip install --cache-dir=/root/.cache/pip -r requirements.txt\n"
            "pip install --cache-dir=/root/.cache/pip --no-deps .\n"
            "EOF\n",
            note="a config file's no-cache-dir beats PIP_CACHE_DIR; heredoc RUN with two calls, fixed together",
        ),
        Invalid(
            "FROM nvcr.io/nvidia/pytorch:23.08-py3\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n",
            fixed="FROM nvcr.io/nvidia/pytorch:23.08-py3\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install --cache-dir=/root/.cache/pip"
            " -r requirements.txt\n",
            unsafe=True,
            note="NGC's /etc/xdg/pip/pip.conf has no-cache-dir; the image's user is not known",
        ),
        Invalid(
            "FROM python:3.11-slim-bookworm\n"
            "WORKDIR /opt/tiles\n"
            "RUN --mount=type=cache,target=/root/.cache/pip \\\n"
            "    # keep the image small\n"
            "    pip install --cache-dir /opt/pip-cache -r requirements.txt \\\n"
            "    && rm -rf /opt/pip-cache\n",
            fixed="FROM python:3.11-slim-bookworm\n"
            "WORKDIR /opt/tiles\n"
            "RUN --mount=type=cache,target=/root/.cache/pip \\\n"
            "    # keep the image small\n"
            "    pip install --cache-dir /root/.cache/pip -r requirements.txt \\\n"
            "    && rm -rf /opt/pip-cache\n",
            note="--cache-dir names another directory (and the RUN deletes it): point it at the mount",
        ),
        Invalid(
            "FROM python:3.12\n"
            "ENV PIP_CACHE=/tmp/pip\n"
            "RUN --mount=type=cache,target=/var/cache/pip <<EOF\n"
            'pip install --cache-dir="$PIP_CACHE" -r requirements.txt\n'
            "EOF\n",
            fixed="FROM python:3.12\n"
            "ENV PIP_CACHE=/tmp/pip\n"
            "RUN --mount=type=cache,target=/var/cache/pip <<EOF\n"
            'pip install --cache-dir="/var/cache/pip" -r requirements.txt\n'
            "EOF\n",
            note="the option's value is replaced inside its quotes",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            'RUN --mount=type=cache,target=/root/.cache/pip ["pip", "install", "--cache", "/tmp/c", "flask"]\n',
            fixed="FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/pip "
            '["pip", "install", "--cache", "/root/.cache/pip", "flask"]\n',
            note="exec form; --cache is pip's abbreviation of --cache-dir",
        ),
        Invalid(
            "# escape=`\n"
            "FROM python:3.12\n"
            "ARG HOME=/build\n"
            "RUN --mount=type=cache,target=/build/.cache/pip `\n"
            "    python3 -m pip --disable-pip-version-check install `\n"
            "        -r requirements.txt\n",
            fixed="# escape=`\n"
            "FROM python:3.12\n"
            "ARG HOME=/build\n"
            "RUN --mount=type=cache,target=/build/.cache/pip `\n"
            "    python3 -m pip --disable-pip-version-check install --cache-dir=/build/.cache/pip `\n"
            "        -r requirements.txt\n",
            note="--build-arg HOME=... would move pip off the mount; the flag goes after the subcommand",
        ),
        Invalid(
            "FROM python:3.12-slim AS base\n"
            "ARG APP_HOME=/srv/app\n"
            "ENV HOME=$APP_HOME\n"
            "FROM base\n"
            "RUN --mount=type=cache,target=/srv/app/.cache/pip sh -c 'pip install -r requirements.txt'\n",
            fixed="FROM python:3.12-slim AS base\n"
            "ARG APP_HOME=/srv/app\n"
            "ENV HOME=$APP_HOME\n"
            "FROM base\n"
            "RUN --mount=type=cache,target=/srv/app/.cache/pip"
            " sh -c 'pip install --cache-dir=/srv/app/.cache/pip -r requirements.txt'\n",
            note="ENV HOME from a build argument, inherited; the call runs in a nested sh -c",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/uv \\\n"
            "    uv pip install --link-mode=copy --cache-dir /tmp/uv --system -r requirements.txt && rm -rf /tmp/uv\n",
            fixed="FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/uv \\\n"
            "    uv pip install --link-mode=copy --cache-dir /root/.cache/uv --system -r requirements.txt && rm -rf /tmp/uv\n",
            note="uv's --cache-dir misses its mount: the option moves, the rm no longer touches the cache",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "ENV UV_LINK_MODE=copy\n"
            "RUN useradd -m -u 1000 app\n"
            "USER app\n"
            "RUN --mount=type=cache,target=/home/app/.cache/uv,uid=1000,gid=1000 uv sync --frozen\n",
            fixed="FROM python:3.12-slim\n"
            "ENV UV_LINK_MODE=copy\n"
            "RUN useradd -m -u 1000 app\n"
            "USER app\n"
            "RUN --mount=type=cache,target=/home/app/.cache/uv,uid=1000,gid=1000 uv sync --cache-dir=/home/app/.cache/uv --frozen\n",
            note="uv reaches the mount through app's home: --cache-dir keeps it there",
        ),
        Invalid(
            "FROM python:3.12\n"
            "ENV PIP_NO_CACHE_DIR=true\n"
            "RUN --mount=type=cache,target=/root/.cache/pip,uid=1000 pip install flask\n",
            fixed="FROM python:3.12\n"
            "ENV PIP_NO_CACHE_DIR=true\n"
            "RUN --mount=type=cache,target=/root/.cache/pip,uid=0 pip install --cache-dir=/root/.cache/pip flask\n",
            together=("DFX104",),
            note="root pip disables a cache another uid owns: DFX104 gives the mount back to root",
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for run in context.facts.runs:
            if not run.cache_mounts:  # every finding here is about a cache mount
                continue
            findings = [
                finding
                for use in uses(run)
                if use.tool in _WITH_OPTION and (finding := _finding(run, use, context.source)) is not None
            ]
            if findings:
                yield self._report(findings)

    def _report(self, findings: list[_Finding]) -> Diagnostic:
        """One diagnostic per RUN, so every call of it is fixed in the same pass."""
        tools = " and ".join(dict.fromkeys(finding.tool for finding in findings))
        message = findings[0].message if len(findings) == 1 else f"{len(findings)} {tools} calls: {findings[0].message}"
        detail = " ".join(dict.fromkeys(finding.detail for finding in findings))
        changes = tuple(finding.edit for finding in findings if finding.edit is not None)
        if not changes:
            no_fix = "; ".join(dict.fromkeys(finding.no_fix for finding in findings if finding.no_fix))
            return self.report(findings[0].span, message, None, detail, no_fix)
        problems = list(dict.fromkeys(problem for finding in findings for problem in finding.problems))
        directories = ", ".join(dict.fromkeys(finding.directory for finding in findings if finding.edit is not None))
        fix = Fix(f"Run {tools} with --cache-dir={directories}", changes, safety(problems), "; ".join(problems))
        return self.report(findings[0].span, message, fix, detail)


def _finding(run: RunFacts, use: Use, source: str) -> _Finding | None:
    install = use.install
    status, decided_by = install.mount_status, install.cache.decided_by
    if status == "hit" and decided_by in _FROM_HOME:
        return _pin(run, install, source)
    on = use.on
    if (on is not install and on.mount_status == "hit" and on.cache.decided_by in _FROM_HOME
            and switch_in_run(run, install) is not None):  # fmt: skip
        return _pin(run, on, source, switched=True)  # the RUN's own switch, which DFX103 removes
    if use.tool == "pip" and use.meant and decided_by in _SWITCHED_OFF and switch_in_run(run, install) is None:
        return _switch_on(run, use, source)
    if use.meant and status == "miss" and decided_by == "cli-cache-dir":
        return _redirect(run, use)
    return None


def _pin(run: RunFacts, install: InstallFacts, source: str, switched: bool = False) -> _Finding | None:
    """The mount serves the call only through a HOME that can move away from it.

    `switched`: the call switches its cache off in the RUN (DFX103 removes that), and
    `install` is the call with its cache on: the pin goes in with that removal, not a
    pass after it.
    """
    cache, mount, tool = install.cache, install.mount, install.cache.tool
    if mount is None or "$" in written_target(mount):
        return None
    movable = _movable_home(run, install)
    if movable is None:
        return None
    directory = cache.directory or ""
    message = f"{tool}'s cache is on its mount only through {short_cause(cache)}; {movable.short}"
    if switched:
        message = f"with its cache on, {message}"
    detail = (
        f"{tool} uses the cache mount at {mount.target} only because {cache.reason}; {movable.full}, and {tool} then "
        f"caches off the mount, in the image, with no warning. --cache-dir={directory} keeps it on the mount."
    )
    placed = option_after_subcommand(run, install.call, f"--cache-dir={directory}", source)
    return _finding_with(run, tool, message, detail, directory, placed, _mount_problems(mount))


def _switch_on(run: RunFacts, use: Use, source: str) -> _Finding | None:
    """An environment or config `no-cache-dir` of the stage leaves pip's mount unused.

    `--cache-dir` names the directory pip would use with its cache on, once a mount is
    there (DFX101 moves one that is not). Where that directory is not known, it names
    pip's directory on the one mount meant for pip, and the fix is unsafe.
    """
    cache, on = use.install.cache, use.on
    mount = on.mount or use.meant[0]
    message = f"{_switch_name(run, cache)} switches pip's cache off under its cache mount at {mount.target}"
    detail = f"{cache.reason}, so pip leaves the cache mount at {show_target(mount)} unused."
    if cache.decided_by == "env-no-cache-dir":
        detail += " pip applies PIP_NO_CACHE_DIR after every cache-dir setting; only a command-line --cache-dir overrides it."
    problems = _mount_problems(mount)
    if on.cache.status == "unknown" and len(use.meant) == 1:
        directory = directory_on(mount, "pip")
        problems.append("where pip would cache with its cache on is not known")
        detail += f" Where it would with its cache on is not known ({on.cache.reason}): the flag names the mount."
    elif on.mount is not None and on.cache.directory is not None:
        directory = on.cache.directory
    else:
        waiting = f"with its cache on, pip would cache in {on.cache.directory}, off the mount: DFX101 moves the mount first"
        return _Finding("pip", message, detail, run.instruction.keyword_span, "", None, [], waiting)
    placed = option_after_subcommand(run, use.install.call, f"--cache-dir={directory}", source)
    return _finding_with(run, "pip", message, detail, directory, placed, problems)


def _switch_name(run: RunFacts, cache: CacheResolution) -> str:
    """The setting that switches the cache off, in a few words: `PIP_NO_CACHE_DIR=1 (line 2)`."""
    line = f" (line {cache.origin.line})" if cache.origin is not None and cache.origin.line else ""
    if cache.decided_by == "env-no-cache-dir":
        variable = next((f"{n}={v.value}" for n, v in run.state.env.items() if v.origin == cache.origin), "PIP_NO_CACHE_DIR")
        return f"{variable}{line}"
    return f"no-cache-dir in a pip config file{line or ' of the base image'}"


def _redirect(run: RunFacts, use: Use) -> _Finding | None:
    """A command-line --cache-dir names another directory than the RUN's mount for the tool."""
    cache = use.install.cache
    option, target = cache.option, _tool_target(run, use.tool)
    if option is None or option.value_span is None or target is None:
        return None
    mount, directory = target
    message = f"--cache-dir {option.value} misses the cache mount at {mount.target}"
    detail = f"{cache.reason}, but the RUN mounts {use.tool}'s cache at {show_target(mount)}, which stays empty."
    span = run.script.source_span(*option.value_span)
    placed = (span, Edit.replace(span, directory)) if span is not None else None
    return _finding_with(run, use.tool, message, detail, directory, placed, _mount_problems(mount))


def _tool_target(run: RunFacts, tool: str) -> tuple[Mount, str] | None:
    """The RUN's one cache mount for `tool`, and the directory on it the tool should use.

    That is a mount meant for the tool that nothing uses (the tool's directory on it),
    or the mount the RUN's other calls of the tool already use (their directory); None
    when there is not exactly one.
    """
    calls = [use for use in uses(run) if use.tool == tool]
    targets = {id(m): (m, directory_on(m, tool)) for use in calls for m in free_meant(run, use)}
    for other in calls:
        if other.install.mount is not None and other.install.cache.directory is not None:
            targets.setdefault(id(other.install.mount), (other.install.mount, other.install.cache.directory))
    return next(iter(targets.values())) if len(targets) == 1 else None


def _mount_problems(mount: Mount) -> list[str]:
    """Why a `--cache-dir` naming a directory on `mount` may miss it at build time: its
    target depends on something not known here (its other options do not move it)."""
    problems = ["the mount's target depends on a build argument"] if mount.uncertain & TARGET_KEYS else []
    unset = sorted(mount.undefined - {"HOME"})
    if unset:
        problems.append(f"{', '.join('$' + name for name in unset)} in the mount may come from a --build-arg")
    return problems


def _finding_with(
    run: RunFacts, tool: str, message: str, detail: str, directory: str, placed: tuple[Span, Edit] | None, problems: list[str]
) -> _Finding:
    """The finding, with its edit when the flag can be written into the source."""
    if placed is None or not plain_path(directory):
        by_hand = f"write --cache-dir={directory!r} by hand: it cannot be placed here safely"
        return _Finding(tool, message, detail, run.instruction.keyword_span, directory, None, problems, by_hand)
    span, edit = placed
    return _Finding(tool, message, detail, span, directory, edit, problems)


class _Movable(NamedTuple):
    """What could move the HOME that keeps the tool on its mount: in a few words, and in full."""

    short: str
    full: str


def _movable_home(run: RunFacts, install: InstallFacts) -> _Movable | None:
    """What could move the HOME (or XDG_CACHE_HOME) that puts the tool on the mount, or None.

    None for root's own home from /etc/passwd (the usual, stable pattern), for an
    `XDG_CACHE_HOME` the Dockerfile sets (a setting about caches, made on purpose), and
    for a variable set inside the RUN, in plain view of the call.
    """
    cache = install.cache
    name = "XDG_CACHE_HOME" if cache.decided_by == "xdg-cache-home" else "HOME"
    variable, home, user = run.state.env.get(name), run.home, run.user
    if variable is not None and variable.origin == cache.origin:
        fact, from_env = variable, True
    elif name == "HOME" and isinstance(home, Known) and home.origin == cache.origin:
        fact, from_env = home, False
    else:
        return None
    if not fact.certain:
        return _Movable("a --build-arg moves it", f"a build argument decides {name}, so `--build-arg` moves it")
    if name == "XDG_CACHE_HOME" or not isinstance(user, Known):
        return None
    if user.value.uid == 0 and fact.value == user.value.home:
        return None
    if from_env and _set_by_a_base_image(run, fact.origin.line):
        return _Movable("another base image moves it", "another base image, or a later `ENV HOME`, moves it")
    if from_env:
        return _Movable("a later ENV HOME moves it", "a later `ENV HOME`, or an edit of this one, moves it")
    who = describe_user(user.value)
    return _Movable("a change of USER moves it", f"a change of `USER`, or of the home of {who}, moves it")


def _set_by_a_base_image(run: RunFacts, line: int | None) -> bool:
    """Whether a variable's origin is the FROM of the RUN's stage or of a stage it builds on."""
    stage = run.stage
    while stage is not None:
        if stage.instruction.start_line == line:
            return True
        stage = stage.base_stage
    return False
