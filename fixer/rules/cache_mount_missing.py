"""DFX111 `cache-mount-missing`: an install that downloads with no cache mount to keep what it fetched.

The rule only adds the mount, where the call caches for its user and HOME and owned by
that user; the other cache rules then see a mount and finish the job in the fix loop's
next passes: DFX103 removes the call's `--no-cache-dir`, DFX102 overrides a stage's
`PIP_NO_CACHE_DIR` or pins a HOME that can move, DFX106 sets uv's link mode, DFX107
keeps poetry's virtualenvs off the mount, DFX108 keeps apt's downloads (docker-clean).
The dry run gives the reason for each of those edits.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis import InstallFacts, RunFacts, write_access
from ..diagnostics import Diagnostic, Edit, Fix
from ..facts import Known
from ..installers import InstallerCall, describe_call
from ..mounts import DEFAULT_CACHE_MODE, Mount
from ..serving import SWITCHES, Use, owner_for, plain_path, runner_of, uses, why_uncertain
from ..syntax import Dockerfile, Span, Trivia
from .base import Context, Invalid, Rule, Valid, safety

# apt's caches, as Docker's documentation mounts them: the downloaded packages (below
# /var/cache/apt) and the package lists (below /var/lib/apt), each locked, since two
# apt processes on one cache corrupt it.
_APT_ARCHIVES = "/var/cache/apt"
_APT_LISTS = "/var/lib/apt"
_APT_DEFAULTS = frozenset({"default", "apt-clean-hook", "apt-keep-downloaded"})
# Instruction flags only BuildKit knows: a file that has one is built by BuildKit.
_BUILDKIT_FLAGS = frozenset({"mount", "network", "security", "link", "parents", "exclude", "checksum", "keep-git-dir"})
# How each Python tool is told to use no index, with what a wheelhouse gives it.
_OFFLINE = {"pip": ("--no-index",), "uv": ("--no-index", "--offline"), "pipenv": (), "poetry": (), "pdm": ()}


class CacheMountMissing(Rule):
    """An install downloads with no cache mount: add one where the installer caches.

    ## What it does
    Finds installer calls that download packages in a RUN with no cache mount for them:
    `pip install` (`pip`, `pip3`, `python -m pip`), `uv pip install`, `uv sync` and
    uv's other installing commands, `poetry install`, `pipenv install`, `pdm install`
    and `sync`, and `apt-get install` / `apt install`. The fix adds a BuildKit cache
    mount, `--mount=type=cache,target=DIR`, right after `RUN`:

    - at the directory the call caches in, for the user it runs as and the HOME it gets
      (`/root/.cache/pip` as root; `/home/app/.cache/pip` under `USER app`; the
      `PIP_CACHE_DIR`, `UV_CACHE_DIR`... of the stage), worked out as for the other
      cache rules;
    - for a user other than root, with that user's `uid` and `gid`: BuildKit creates a
      cache mount owned by root, which pip then does not use and uv, poetry and pdm
      cannot write;
    - for apt, at `/var/cache/apt` with `sharing=locked` (two builds writing one apt
      cache corrupt it), and at `/var/lib/apt` too when the RUN runs `apt-get update`
      and no later RUN installs from the lists it leaves in the image.

    The other cache rules finish the job in the next passes, each with its own reason:
    DFX103 removes that call's `--no-cache-dir` (or uv's `--no-cache`), DFX102 overrides
    a `PIP_NO_CACHE_DIR` the stage sets with `--cache-dir` on that command (the ENV stays,
    for the other RUNs) and pins `--cache-dir` where a HOME that can move decides the
    directory, DFX106 adds uv's `--link-mode=copy`, DFX107 keeps poetry's virtualenvs
    out of the mount, and DFX108 removes Debian's docker-clean hook, which would delete
    apt's downloads.

    Not flagged: calls that do not download (`pip install --no-index`, `uv ... --offline`:
    a wheelhouse), a RUN with a mount meant for the tool in another place (DFX101 moves
    it), a RUN where another mount (tmpfs, bind) holds the cache directory, and a RUN
    that ONBUILD defers. A call whose cache the stage keeps off with no option to turn it
    on (uv's `UV_NO_CACHE`, pdm's `PDM_NO_CACHE`), or whose cache directory or user is
    not known, is reported without a fix, with the reason.

    ## Why is this bad?
    Every change to a requirements file, or anything copied before the install, reruns
    the step, and without a cache the installer downloads (and builds) every package
    again. A cache mount keeps the installer's cache between builds, outside the image:
    the rebuild downloads only what changed, and the image is as small as with
    `--no-cache-dir`, which is why that option can go.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    COPY requirements.txt .
    RUN pip install --no-cache-dir -r requirements.txt
    ```
    Use instead:
    ```dockerfile
    FROM python:3.12-slim
    COPY requirements.txt .
    RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
    ```

    ## Fix safety
    Cache mounts need BuildKit (Docker's default builder since Engine 23.0, and `docker
    buildx`), or buildah and podman; the legacy builder (`DOCKER_BUILDKIT=0`) and kaniko
    stop at `--mount`. The fix is safe when the Dockerfile already uses what only
    BuildKit builds (a `--mount`, `--network` or `--security` flag, `COPY --link`,
    `--parents` or `--exclude`, a heredoc, or a `# syntax=` or `# check=` line), and
    unsafe otherwise.
    Where the call caches may be uncertain (a build argument decides HOME, uv's or
    poetry's config files are not read): the fix says so, but stays safe, since a mount
    where nothing caches changes nothing.
    No `# syntax=` line is added: `RUN --mount` joined the stable Dockerfile syntax in
    1.2 (BuildKit 0.8), which Docker has built in since 20.10; only an older Docker
    needs `# syntax=docker/dockerfile:1` to fetch a newer frontend. The fix is unsafe
    also when a build argument could change the user's ids: a mount its user cannot
    write stops uv, poetry and pdm.
    """

    code = "DFX111"
    name = "cache-mount-missing"

    valid = (
        Valid(
            "FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n",
        ),
        Valid(
            "FROM python:3.12-slim\n"
            "COPY wheels/ /wheels/\n"
            "RUN pip install --no-index --find-links=/wheels -r requirements.txt\n",
            note="a wheelhouse: nothing is downloaded",
        ),
        Valid(
            "FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install --no-cache-dir -r requirements.txt\n",
            note="the mount is there: the switch is DFX103's",
        ),
        Valid(
            "FROM python:3.12-slim\n"
            "ENV HOME=/app\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install flask\n",
            note="a mount meant for pip in the wrong place: DFX101 moves it",
        ),
        Valid(
            "FROM python:3.12-slim\n"
            "RUN --mount=type=tmpfs,target=/root/.cache pip install flask\n",
            note="another mount holds the cache directory on purpose",
        ),
        Valid(
            "FROM python:3.12-slim AS warm\n"
            "COPY pip-cache/ /root/.cache/pip/\n"
            "FROM python:3.12-slim\n"
            "RUN --mount=type=bind,from=warm,source=/root/.cache/pip,target=/root/.cache/pip,rw \\\n"
            "    pip install flask\n",
            note="the cache comes from another stage through a bind mount, on purpose",
        ),
        Valid(
            "FROM python:3.12-slim\n"
            "ONBUILD RUN pip install -r requirements.txt\n",
            note="it runs in the images built FROM this one",
        ),
        Valid(
            "FROM python:3.12-slim\n"
            "RUN pip --version && pip freeze\n",
            note="nothing is installed",
        ),
    )
    invalid = (
        Invalid(
            "FROM python:3.12-slim\n"
            "COPY requirements.txt .\n"
            "RUN pip install --no-cache-dir -r requirements.txt\n",
            fixed="FROM python:3.12-slim\n"
            "COPY requirements.txt .\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n",
            unsafe=True,
            together=("DFX103",),
            note="no BuildKit-only syntax in the file: unsafe; DFX103 then removes --no-cache-dir",
        ),
        Invalid(
            "# syntax=docker/dockerfile:1\n"
            "FROM python:3.12-slim\n"
            "RUN pip3 install -r requirements.txt\n",
            fixed="# syntax=docker/dockerfile:1\n"
            "FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip3 install -r requirements.txt\n",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "RUN --mount=type=bind,source=requirements.txt,target=/tmp/requirements.txt \\\n"
            "    python -m pip install -r /tmp/requirements.txt\n",
            fixed="FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/pip --mount=type=bind,source=requirements.txt,target=/tmp/requirements.txt \\\n"
            "    python -m pip install -r /tmp/requirements.txt\n",
            note="merged with the RUN's other mounts",
        ),
        Invalid(
            "# syntax=docker/dockerfile:1\n"
            "FROM python:3.12-slim\n"
            "ENV HOME=/app\n"
            "WORKDIR /app\n"
            "RUN pip install -r requirements.txt\n",
            fixed="# syntax=docker/dockerfile:1\n"
            "FROM python:3.12-slim\n"
            "ENV HOME=/app\n"
            "WORKDIR /app\n"
            "RUN --mount=type=cache,target=/app/.cache/pip pip install -r requirements.txt\n",
            note="ENV HOME moved pip's cache: the mount goes where pip caches, not to /root/.cache/pip",
        ),
        Invalid(
            "# syntax=docker/dockerfile:1\n"
            "FROM python:3.12-slim\n"
            "ENV PIP_NO_CACHE_DIR=1\n"
            "RUN pip install -r requirements.txt\n",
            fixed="# syntax=docker/dockerfile:1\n"
            "FROM python:3.12-slim\n"
            "ENV PIP_NO_CACHE_DIR=1\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install --cache-dir=/root/.cache/pip "
            "-r requirements.txt\n",
            together=("DFX102",),
            note="the stage's PIP_NO_CACHE_DIR stays for its other RUNs; DFX102 overrides it on this command",
        ),
        Invalid(
            "# syntax=docker/dockerfile:1\n"
            "FROM python:3.12-slim\n"
            "ENV UV_CACHE_DIR=/opt/uv-cache\n"
            "RUN uv pip install --system -r requirements.txt\n",
            fixed="# syntax=docker/dockerfile:1\n"
            "FROM python:3.12-slim\n"
            "ENV UV_CACHE_DIR=/opt/uv-cache\n"
            "RUN --mount=type=cache,target=/opt/uv-cache uv pip install --system -r requirements.txt\n",
            note="where the stage puts uv's cache",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "RUN useradd --create-home app\n"
            "USER app\n"
            "RUN --mount=type=bind,source=.,target=/src pip install --user /src\n",
            fixed="FROM python:3.12-slim\n"
            "RUN useradd --create-home app\n"
            "USER app\n"
            "RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1000,gid=1000 "
            "--mount=type=bind,source=.,target=/src pip install --user /src\n",
            note="pip caches in app's home, and only app's own mount is usable",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "COPY --from=ghcr.io/astral-sh/uv:0.9 /uv /bin/\n"
            "ENV UV_LINK_MODE=copy\n"
            "RUN --mount=type=bind,source=uv.lock,target=uv.lock uv sync --frozen\n",
            fixed="FROM python:3.12-slim\n"
            "COPY --from=ghcr.io/astral-sh/uv:0.9 /uv /bin/\n"
            "ENV UV_LINK_MODE=copy\n"
            "RUN --mount=type=cache,target=/root/.cache/uv --mount=type=bind,source=uv.lock,target=uv.lock "
            "uv sync --frozen\n",
            note="uv (its config files are not read: the fix says the mount may miss its cache)",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "ENV UV_NO_CACHE=1\n"
            "RUN --mount=type=bind,source=uv.lock,target=uv.lock uv sync --frozen\n",
            note="the stage keeps uv's cache off, and no option turns it on: reported without a fix",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "ENV POETRY_VIRTUALENVS_CREATE=false\n"
            "RUN --mount=type=bind,source=poetry.lock,target=poetry.lock poetry install --no-root\n",
            fixed="FROM python:3.12-slim\n"
            "ENV POETRY_VIRTUALENVS_CREATE=false\n"
            "RUN --mount=type=cache,target=/root/.cache/pypoetry --mount=type=bind,source=poetry.lock,"
            "target=poetry.lock poetry install --no-root\n",
        ),
        Invalid(
            "# syntax=docker/dockerfile:1\n"
            "FROM python:3.12-slim\n"
            "ENV PIPENV_CACHE_DIR=/var/cache/pipenv\n"
            "RUN pipenv install --system --deploy\n",
            fixed="# syntax=docker/dockerfile:1\n"
            "FROM python:3.12-slim\n"
            "ENV PIPENV_CACHE_DIR=/var/cache/pipenv\n"
            "RUN --mount=type=cache,target=/var/cache/pipenv pipenv install --system --deploy\n",
            note="where the stage puts pipenv's cache",
        ),
        Invalid(
            "# syntax=docker/dockerfile:1\n"
            "FROM python:3.12-slim\n"
            "RUN pdm install --prod\n",
            fixed="# syntax=docker/dockerfile:1\n"
            "FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/pdm pdm install --prod\n",
        ),
        Invalid(
            "# syntax=docker/dockerfile:1\n"
            "FROM python:3.12-slim\n"
            "RUN <<EOF\n"
            "pip install -r requirements.txt\n"
            "EOF\n",
            fixed="# syntax=docker/dockerfile:1\n"
            "FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/pip <<EOF\n"
            "pip install -r requirements.txt\n"
            "EOF\n",
            note="a heredoc",
        ),
        Invalid(
            "# syntax=docker/dockerfile:1\n"
            "FROM python:3.12-slim\n"
            'RUN ["pip", "install", "-r", "requirements.txt"]\n',
            fixed="# syntax=docker/dockerfile:1\n"
            "FROM python:3.12-slim\n"
            'RUN --mount=type=cache,target=/root/.cache/pip ["pip", "install", "-r", "requirements.txt"]\n',
            note="exec form",
        ),
        Invalid(
            "# syntax=docker/dockerfile:1\n"
            "FROM debian:bookworm-slim\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends python3-pip\n",
            fixed="# syntax=docker/dockerfile:1\n"
            "FROM debian:bookworm-slim\n"
            "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,"
            "sharing=locked apt-get update && apt-get install -y --no-install-recommends python3-pip\n",
            note="apt, as Docker's documentation mounts it (DFX108 then removes docker-clean)",
        ),
        Invalid(
            "# syntax=docker/dockerfile:1\n"
            "FROM debian:bookworm-slim\n"
            "RUN apt-get update\n"
            "RUN apt-get install -y python3-pip\n",
            fixed="# syntax=docker/dockerfile:1\n"
            "FROM debian:bookworm-slim\n"
            "RUN apt-get update\n"
            "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked apt-get install -y python3-pip\n",
            note="the lists stay in the image: the later RUN installs from them",
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        buildkit = _uses_buildkit(context.tree)
        list_reader = _last_list_reader(context.facts.runs)
        for run in context.facts.runs:
            if run.calls:
                diagnostic = self._check_run(context, run, buildkit, list_reader)
                if diagnostic is not None:
                    yield diagnostic

    def _check_run(self, context: Context, run: RunFacts, buildkit: bool, list_reader: int) -> Diagnostic | None:
        planned: dict[str, _Planned] = {}
        blocked: list[tuple[InstallerCall, str]] = []
        for use in uses(run):
            if not _wants_mount(run, use.install) or use.meant or use.on.mount is not None:
                continue
            planned_or_reason = _python_mount(run, use)
            if planned_or_reason is None:
                continue
            if isinstance(planned_or_reason, str):
                blocked.append((use.install.call, planned_or_reason))
            elif planned_or_reason.target not in planned:
                planned[planned_or_reason.target] = planned_or_reason
        for mount in sorted(_apt_mounts(run, list_reader), key=lambda mount: mount.target != _APT_ARCHIVES):
            planned.setdefault(mount.target, mount)
        if not planned and not blocked:
            return None
        return self._diagnose(context, run, list(planned.values()), blocked, buildkit)

    def _diagnose(
        self,
        context: Context,
        run: RunFacts,
        planned: list[_Planned],
        blocked: list[tuple[InstallerCall, str]],
        buildkit: bool,
    ) -> Diagnostic:
        calls = sorted([mount.call for mount in planned] + [call for call, _ in blocked], key=_order)
        named = ", ".join(dict.fromkeys(f"`{describe_call(call)}`" for call in calls))
        span = _call_span(run, calls[0]) or run.instruction.keyword_span
        message = f"{named} {'downloads' if len(calls) == 1 else 'download'} with no cache mount to keep what it fetched"
        detail = (
            "Every build that reruns this step (a changed requirement, anything copied before it) downloads every "
            "package again. A BuildKit cache mount keeps the installer's cache between builds and outside the "
            "image: the rebuild fetches only what changed, and the image stays as small as with --no-cache-dir."
        )
        detail += "".join(f" {describe_call(call)}: no fix, {reason}." for call, reason in blocked)
        if not planned:
            return self.report(span, message, None, detail)
        text = " ".join(mount.flag_text for mount in planned)
        detail += " " + " ".join(mount.why for mount in planned)
        problems = [problem for mount in planned for problem in mount.problems]
        if not buildkit:
            problems.insert(0, "nothing in the Dockerfile shows it is built with BuildKit, and kaniko and the legacy "
                               "builder reject --mount")  # fmt: skip
        caveats = problems + [mount.doubt for mount in planned if mount.doubt]
        edit = Edit.insert(run.instruction.keyword_span.end, f" {text}")
        fix = Fix(f"Add `{text}`", (edit,), safety(problems), "; ".join(caveats))
        return self.report(span, message, fix, detail)


class _Planned:
    """A cache mount the fix adds: its flag's text, the call it serves, why it sits
    where it does, and what makes it uncertain. A mount where the call does not cache
    after all does nothing (the build is as before); one its user cannot write stops uv,
    poetry and pdm."""

    __slots__ = ("target", "flag_text", "call", "why", "problems", "doubt")

    def __init__(
        self, target: str, options: str, call: InstallerCall, why: str, problems: list[str], doubt: str = ""
    ) -> None:
        self.target = target
        self.flag_text = f"--mount=type=cache,target={target}{options}"
        self.call = call
        self.why = why
        self.problems = problems  # what could make the mount break the build: the fix is unsafe
        self.doubt = doubt  # what could make it miss the cache: harmless, said beside the fix


def _wants_mount(run: RunFacts, install: InstallFacts) -> bool:
    """Whether the call downloads into a cache that no mount of the RUN holds."""
    if not install.cache.uses_cache or install.mount is not None:
        return False
    call = install.call
    return not any(call.get(option) is not None for option in _OFFLINE.get(call.tool, ()))  # a wheelhouse


def _taken(run: RunFacts, directory: str) -> bool:
    """Whether a mount of the RUN (a tmpfs, a bind mount) holds `directory` or sits inside
    it: the cache is elsewhere on purpose, and a second mount there would clash."""
    inside = directory.rstrip("/") + "/"
    return any(mount.target is not None and (mount.covers(directory) or mount.target.startswith(inside))
               for mount in run.mounts)  # fmt: skip


def _python_mount(run: RunFacts, use: Use) -> _Planned | str | None:
    """The mount for a Python installer's call, why there is none, or None when the
    RUN keeps its cache in another mount on purpose."""
    cache, tool = use.on.cache, use.tool
    if cache.status == "disabled":
        switch = SWITCHES[tool].variable
        return f"{switch or 'the stage'} keeps {tool}'s cache off for the whole stage ({cache.reason}), and no " \
               "option turns it back on for one command: a cache mount would do nothing"  # fmt: skip
    if cache.status != "enabled" or cache.directory is None:
        return f"where {tool} caches is not known ({cache.reason})"
    directory = cache.directory
    if _taken(run, directory):
        return None
    if not plain_path(directory):
        return f"{tool}'s cache directory {directory} cannot be written as a --mount target as it is"
    problems: list[str] = []
    doubt = "" if cache.certain and not cache.doubts else f"{why_uncertain(cache)}: the mount may miss it"
    runner = runner_of(run, use.install)
    if not isinstance(runner, Known) or runner.value.uid is None:
        return f"the user {tool} runs as is not known"
    options, why = "", f"{tool} caches in {directory} ({cache.reason})."
    if runner.value.uid != 0:
        owner, why_not = owner_for(run, use.on, directory, _new_mount(directory), runner)
        if owner is None:
            return why_not
        options = f",uid={owner.uid_text},gid={owner.gid_text}"
        why += f" It runs as {owner.who}, who can only use a mount it owns."
        if not owner.certain:
            problems.append("a build argument may change the user's uid or gid")
    else:
        allowed, why_not = write_access(directory, runner, _new_mount(directory), run, tool)
        if allowed is not True:
            return why_not
    return _Planned(directory, options, use.install.call, why, problems, doubt)


def _apt_mounts(run: RunFacts, list_reader: int) -> list[_Planned]:
    """apt's mounts for the RUN's apt calls, locked: the packages' directory, and the lists'
    when the RUN updates them and no later RUN installs from lists left in the image (the
    last that may starts at line `list_reader`)."""
    found: list[_Planned] = []
    for install in run.installs_of(("apt",)):
        if not _wants_mount(run, install) or install.cache.decided_by not in _APT_DEFAULTS:
            continue
        runner = runner_of(run, install)
        if not (isinstance(runner, Known) and runner.value.uid == 0):
            continue  # apt as another user fails anyway
        if install.call.subcommand == "update":
            if list_reader > run.instruction.start_line:
                continue
            target, what = _APT_LISTS, "package lists"
        else:
            target, what = _APT_ARCHIVES, "downloaded packages"
        if _taken(run, target):
            continue
        why = f"apt keeps its {what} below {target}; sharing=locked, since two apt processes on one cache corrupt it."
        found.append(_Planned(target, ",sharing=locked", install.call, why, []))
    return found


def _last_list_reader(runs: list[RunFacts]) -> int:
    """The first line of the last RUN that installs with apt without updating first (0:
    none). It reads the package lists an earlier step left in the image, which a mount at
    /var/lib/apt would have kept out of it."""
    last = 0
    for run in runs:
        for install in run.installs_of(("apt",)) if run.calls else ():
            if install.call.subcommand == "update":
                break
            if install.cache.uses_cache:
                last = run.instruction.start_line
                break
    return last


def _new_mount(target: str) -> Mount:
    """A cache mount at `target` as BuildKit creates it (root's, mode 0755), to check who may use it."""
    return Mount(None, "cache", target, target, 0, 0, DEFAULT_CACHE_MODE, "shared", None, None, False, True,  # type: ignore[arg-type]
                 frozenset(), frozenset())  # fmt: skip


def _order(call: InstallerCall) -> int:
    """Calls in the order the script runs them."""
    return call.command.index


def _call_span(run: RunFacts, call: InstallerCall) -> Span | None:
    """Where the call's program word is in the Dockerfile."""
    words = call.command.effective_words
    return run.script.source_span(words[0].start, words[0].end) if words else None


def _uses_buildkit(tree: Dockerfile) -> bool:
    """Whether the Dockerfile already uses what only BuildKit builds: such a file is built
    with BuildKit (or buildah), where cache mounts work."""
    if any(isinstance(element, Trivia) and element.kind == "directive" and element.name in ("syntax", "check")
           for element in tree.elements):  # fmt: skip
        return True
    return any(
        instruction.heredocs or any(flag.name in _BUILDKIT_FLAGS for flag in instruction.effective.flags)
        for instruction in tree.instructions
    )
