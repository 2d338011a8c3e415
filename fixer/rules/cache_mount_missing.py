"""DFX111 `cache-mount-missing`: an install that downloads with no cache mount to keep what it fetched.

The rule works out the mount, where the call caches for its user and HOME and owned by
that user, then asks the other cache rules what they would find with it in
(`followers`): DFX103 removes the call's `--no-cache-dir`, DFX102 overrides a stage's
`PIP_NO_CACHE_DIR`, DFX106 sets uv's link mode, DFX108 keeps apt's downloads
(docker-clean), DFX110 keeps a cleanup off the mount. Their fixes join the mount's, so
the fix is whole at once, with the reason for each edit; what cannot join (a less safe
fix) the fix loop's next pass does.
"""

from __future__ import annotations

from collections.abc import Iterator

from .. import edits
from ..analysis import InstallFacts, RunFacts, write_access
from ..builders import NO_EVIDENCE, Sighting, builder_evidence
from ..caches import CacheResolution
from ..diagnostics import Applicability, Diagnostic, Edit, Fix
from ..facts import Fact, Known
from ..installers import InstallerCall, describe_call
from ..mounts import DEFAULT_CACHE_MODE, Mount, planned_mount
from ..records import NamedTuple
from ..serving import (
    CACHE_SETTING,
    SWITCHES,
    Use,
    home_cache_directory,
    likely_cache_directory,
    option_after_subcommand,
    owner_for,
    plain_path,
    runner_of,
    uses,
    why_uncertain,
)
from ..syntax import Dockerfile, Span, Trivia
from ..users import ResolvedUser
from .base import Context, Invalid, Rule, Valid, safety
from .followers import findings_with_mounts, joined

# apt's caches, as Docker's documentation mounts them: the downloaded packages (below
# /var/cache/apt) and the package lists (below /var/lib/apt), each locked, since two
# apt processes on one cache corrupt it.
_APT_ARCHIVES = "/var/cache/apt"
_APT_LISTS = "/var/lib/apt"
_APT_DEFAULTS = frozenset({"default", "apt-clean-hook", "apt-keep-downloaded"})
# Instruction flags only BuildKit knows: a file that has one is built by BuildKit.
_BUILDKIT_FLAGS = frozenset({"mount", "network", "security", "link", "parents", "exclude", "checksum", "keep-git-dir"})
# The commands that download packages, where not all that use the cache do.
_PIP_DOWNLOADING = frozenset({"install", "download", "wheel", "lock"})
_UV_DOWNLOADING = frozenset({"pip install", "pip sync", "pip compile", "sync", "add", "lock", "run", "tool install",
                             "tool run", "export"})  # fmt: skip
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

    A mount alone is not always enough, and the fix does the rest in the same change,
    asking the other cache rules what they would find once the mount is in and taking
    in their fixes, each named in the fix's title with its rule and explained in the
    finding: DFX103 removes that call's `--no-cache-dir` (or uv's `--no-cache`), DFX102
    overrides a `PIP_NO_CACHE_DIR` the stage sets with `--cache-dir` on that command (the
    ENV stays, for the other RUNs), DFX106 adds uv's `--link-mode=copy`, DFX108 removes
    Debian's docker-clean hook in a step before (which would delete apt's downloads;
    once per stage, before its first apt step), and DFX110 removes a cleanup of what the
    mount now keeps (`rm -rf /var/lib/apt/lists/*`, `apt-get clean`). A fix less safe
    than the mount's (DFX110's for uv, whose config files are not read), or one that a
    `# dockerfix: ignore=` line or `--ignore` turns off, does not join: the first is
    left to the fix loop's next pass, with its own finding. An unsafe fix is made whole
    when the run writes it (`--unsafe-fixes`); a run that leaves it shows the mounts
    alone.

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
    buildx`), or buildah and podman. Google's kaniko stops at `--mount` ("Unknown flag:
    mount"), and so does Docker's legacy builder (`DOCKER_BUILDKIT=0`); the kaniko fork
    osscontainertools/kaniko has cache mounts behind `FF_KANIKO_RUN_MOUNT_CACHE=true`.
    So the rule decides, in this order:

    1. The Dockerfile already uses what only BuildKit builds (a `--mount`, `--network` or
       `--security` flag, `COPY --link`, `--parents` or `--exclude`, a heredoc): whatever
       builds it takes cache mounts. The fix is **safe**.
    2. The repository's build files name kaniko (without that feature flag) or set
       `DOCKER_BUILDKIT` false: **no fix**, and the finding names the file and line. The
       files read are the CI files at the repository's root (`.gitlab-ci.yml`,
       `cloudbuild.yaml`, `Jenkinsfile`, `.travis.yml`, `azure-pipelines.yml`,
       `bitbucket-pipelines.yml`...) and in its CI folders (`.github/workflows`,
       `.gitlab`, `.tekton`, `tekton`, `.circleci`, `.buildkite`, `ci`, Argo's
       `workflows`, `pipelines`, `build`, `scripts`), and the build files (Makefiles,
       compose files, Jenkinsfiles, Cloud Build and Skaffold files, shell scripts) in the
       Dockerfile's folder and every folder above it. Comment lines do not count. The evidence is per repository: a monorepo whose other images are
       built with BuildKit gets its fixes for the Dockerfiles that use BuildKit syntax.
    3. A `# syntax=` or `# check=` line, or build files that use BuildKit (`docker
       buildx`, `docker/build-push-action`, `DOCKER_BUILDKIT=1`, `buildctl`, buildah,
       `podman build`, Compose v2's `docker compose`, `docker build` in a workflow that
       runs on GitHub's hosted Ubuntu runners, whose Docker builds with BuildKit): **safe**. kaniko ignores the `# syntax=` line, which is why step 2
       comes first.
    4. No sign either way: **unsafe**, with the reason.

    Where the call caches may be uncertain (a build argument decides HOME, uv's or
    poetry's config files are not read): the fix says so, but stays safe, since a mount
    where nothing caches changes nothing. A mount that brings a problem only an unsafe
    fix of another rule mends makes the fix unsafe, and it takes that fix in: poetry
    keeps its virtualenvs in its cache directory by default, so with the mount the
    virtualenv would leave the image, and moving it (DFX107) is unsafe; uv's `--no-cache`
    under the mount (DFX103) is removed only as an unsafe fix, since uv's config files are
    not read. A base image dockerfix cannot read (a third
    party's, a private registry's) may set USER and HOME: for pip, which only warns under a
    mount it cannot write, the fix mounts root's cache and pins `--cache-dir` to it,
    unsafe; for uv, poetry and pdm, which fail there, there is no fix. Where only HOME is
    in question, the mount goes to the user's home's cache, unsafe. The fix is unsafe also when a build argument
    could change the user's ids: a mount its user cannot write stops uv, poetry and pdm.

    No `# syntax=` line is added: `RUN --mount` joined the stable Dockerfile syntax in
    1.2 (BuildKit 0.8), which Docker has built in since 20.10; only an older Docker
    needs `# syntax=docker/dockerfile:1` to fetch a newer frontend.
    """

    code = "DFX111"
    name = "cache-mount-missing"
    summary = "An install that downloads with no cache mount to keep what it fetched"

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
            "RUN pip --version && pip freeze && pip list --outdated\n",
            note="nothing is installed",
        ),
        Valid(
            "FROM python:3.12-slim\n"
            "RUN uv venv /opt/venv\n",
            note="a virtual environment without --seed downloads nothing",
        ),
        Valid(
            "FROM python:3.12-slim\n"
            "RUN pip install --upgarde pip\n",
            note="pip rejects the command line: the build stops there, loudly",
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
            note="no BuildKit-only syntax in the file: unsafe; the fix takes in DFX103's removal of --no-cache-dir",
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
            note="the stage's PIP_NO_CACHE_DIR stays for its other RUNs; the fix takes in DFX102's override on this command",
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
            "FROM tiangolo/uvicorn-gunicorn:python3.11\n"
            "COPY requirements.txt .\n"
            "RUN pip install --no-cache-dir -r requirements.txt\n",
            fixed="FROM tiangolo/uvicorn-gunicorn:python3.11\n"
            "COPY requirements.txt .\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install --cache-dir=/root/.cache/pip "
            "-r requirements.txt\n",
            unsafe=True,
            together=("DFX103",),
            note="a base image dockerfix cannot read: its user is most likely root, and --cache-dir keeps pip on "
            "the mount whatever HOME it sets (unsafe: as another user pip would cache nothing)",
        ),
        Invalid(
            "FROM registry.example.com/platform/python-base:3.12\n"
            "RUN useradd --create-home --uid 1000 app\n"
            "USER app\n"
            "RUN pip install --user --no-cache-dir -r requirements.txt\n",
            fixed="FROM registry.example.com/platform/python-base:3.12\n"
            "RUN useradd --create-home --uid 1000 app\n"
            "USER app\n"
            "RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1000,gid=1000 pip install "
            "--cache-dir=/home/app/.cache/pip --user -r requirements.txt\n",
            unsafe=True,
            together=("DFX103",),
            note="a private base image may set HOME: app's home from /etc/passwd is likely, and --cache-dir pins it",
        ),
        Invalid(
            "FROM tiangolo/uvicorn-gunicorn:python3.11\n"
            "RUN --mount=type=bind,source=uv.lock,target=uv.lock uv sync --frozen\n",
            note="the same for uv: a root-owned mount would stop uv as another user, so no fix",
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
            "FROM python:3.12-alpine\n"
            "RUN         set -ex \\\n"
            "            && pip install --user -r /requirements.txt\n",
            fixed="# syntax=docker/dockerfile:1\n"
            "FROM python:3.12-alpine\n"
            "RUN         --mount=type=cache,target=/root/.cache/pip set -ex \\\n"
            "            && pip install --user -r /requirements.txt\n",
            note="a file that aligns its commands in a column: the mount starts the column",
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
            note="apt, as Docker's documentation mounts it (this rule alone: with DFX108 selected, docker-clean goes too)",
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
        Invalid(
            "# syntax=docker/dockerfile:1\n"
            "FROM python:3.12-slim\n"
            "RUN apt-get update \\\n"
            "    && apt-get install -y --no-install-recommends libpq-dev \\\n"
            "    && rm -rf /var/lib/apt/lists/*\n",
            fixed="# syntax=docker/dockerfile:1\n"
            "FROM python:3.12-slim\n"
            "RUN rm -f /etc/apt/apt.conf.d/docker-clean\n"
            "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,"
            "sharing=locked apt-get update \\\n"
            "    && apt-get install -y --no-install-recommends libpq-dev\n",
            together=("DFX108", "DFX110"),
            note="the whole of apt's fix at once: docker-clean goes (DFX108), and so does the removal of the lists "
            "the mount now keeps (DFX110)",
        ),
        Invalid(
            "# syntax=docker/dockerfile:1\n"
            "FROM python:3.12-slim\n"
            "COPY pyproject.toml poetry.lock ./\n"
            "RUN poetry install --no-root\n",
            fixed="# syntax=docker/dockerfile:1\n"
            "FROM python:3.12-slim\n"
            "COPY pyproject.toml poetry.lock ./\n"
            "RUN --mount=type=cache,target=/root/.cache/pypoetry POETRY_VIRTUALENVS_IN_PROJECT=true poetry install "
            "--no-root\n",
            unsafe=True,
            together=("DFX107",),
            note="poetry's virtualenv would land on the mount and leave the image; only DFX107's unsafe fix keeps it "
            "there, so the fix is unsafe too",
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        list_reader = _last_list_reader(context.facts.runs)
        builder = _Builder(context)
        found = []
        for run in context.facts.runs:
            if run.calls:
                finding = self._check_run(context.source, run, builder, list_reader)
                if finding is not None:
                    found.append(finding)
        yield from _with_followers(context, found)

    def _check_run(self, source: str, run: RunFacts, builder: _Builder, list_reader: int) -> _Finding | None:
        planned: dict[str, _Planned] = {}
        blocked: list[tuple[InstallerCall, str]] = []
        for use in uses(run):
            if not _wants_mount(run, use.install) or use.meant or use.on.mount is not None:
                continue
            planned_or_reason = _python_mount(source, run, use)
            if planned_or_reason is None:
                continue
            if isinstance(planned_or_reason, str):
                blocked.append((use.install.call, planned_or_reason))
            elif planned_or_reason.target not in planned:
                planned[planned_or_reason.target] = planned_or_reason
            else:
                planned[planned_or_reason.target].pins += planned_or_reason.pins
        for mount in sorted(_apt_mounts(run, list_reader), key=lambda mount: mount.target != _APT_ARCHIVES):
            planned.setdefault(mount.target, mount)
        if not planned and not blocked:
            return None
        return self._diagnose(source, run, list(planned.values()), blocked, builder)

    def _diagnose(
        self,
        source: str,
        run: RunFacts,
        planned: list[_Planned],
        blocked: list[tuple[InstallerCall, str]],
        builder: _Builder,
    ) -> _Finding:
        calls = sorted([mount.call for mount in planned] + [call for call, _ in blocked], key=_order)
        named = ", ".join(dict.fromkeys(f"`{describe_call(call)}`" for call in calls))
        span = _call_span(run, calls[0]) or run.instruction.keyword_span
        message = f"{named} {'downloads' if len(calls) == 1 else 'download'} with no cache mount to keep what it fetched"
        detail = (
            "Every build that reruns this step (a changed requirement, anything copied before it) downloads every "
            "package again. A BuildKit cache mount keeps the installer's cache between builds and outside the "
            "image: the rebuild fetches only what changed, and the image stays as small as with --no-cache-dir."
        )
        reasons = [f"{describe_call(call)}: {reason}" for call, reason in blocked]
        if planned and builder.verdict.rejected:
            reasons.insert(0, builder.verdict.why)
        detail += "".join(f" No fix: {reason}." for reason in reasons)
        if not planned or builder.verdict.rejected:
            return _Finding(self.report(span, message, None, detail, "; ".join(reasons)), run, [], 0)
        text = " ".join(f"--mount={mount.value}" for mount in planned)
        detail += " " + " ".join(mount.why for mount in planned)
        problems = [problem for mount in planned for problem in mount.problems]
        if builder.verdict.unknown:
            problems.insert(0, builder.verdict.why)
        else:
            detail += f" The builder takes cache mounts: {builder.verdict.why}."
        caveats = problems + [mount.doubt for mount in planned if mount.doubt]
        pins = [pin for mount in planned for pin in mount.pins]
        flags = edits.insert_flags(source, run.instruction, text)
        pinned = "".join(f" and `--cache-dir={mount.target}`" for mount in planned if mount.pins)
        fix = Fix(f"Add `{text}`{pinned}", (flags, *pins), safety(problems), "; ".join(caveats))
        return _Finding(self.report(span, message, fix, detail), run, planned, flags.start)


class _Finding(NamedTuple):
    """A finding, its RUN, the mounts its fix adds and the offset where it inserts them."""

    diagnostic: Diagnostic
    run: RunFacts
    planned: list[_Planned]
    at: int


def _with_followers(context: Context, found: list[_Finding]) -> Iterator[Diagnostic]:
    """The findings, each fix that the run may write joined by the fixes the cache-mount
    rules would make once its mounts are in (`followers`). A safe fix is asked about
    with the mounts of the other safe fixes; an unsafe one, when the run writes unsafe
    fixes, with those of every fix. An unsafe fix the run leaves shows the mounts alone:
    most of them are unsafe for want of a sign of BuildKit, and asking would cost a
    quarter of the dry run of a real Dockerfile for the words of a title."""
    fixed = [finding for finding in found if finding.diagnostic.fix is not None]
    follow: dict[int, list[Diagnostic]] = {}
    levels = (Applicability.SAFE, Applicability.UNSAFE) if context.unsafe_fixes else (Applicability.SAFE,)
    for level in levels:
        asking = [finding for finding in fixed if finding.diagnostic.fix.applicability is level]  # type: ignore[union-attr]
        if not asking or not context.followers:
            continue
        added = {
            id(finding.run.instruction): (finding.run, tuple(
                planned_mount(mount.value, finding.run.state, context.tree.escape, finding.at)
                for mount in finding.planned
            ))
            for finding in fixed
            if level is Applicability.UNSAFE or finding.diagnostic.fix.applicability is Applicability.SAFE  # type: ignore[union-attr]
        }  # fmt: skip
        seen = findings_with_mounts(context, added)
        for finding in asking:
            follow[id(finding.run.instruction)] = seen.get(id(finding.run.instruction), [])
    for finding in found:
        diagnostic = finding.diagnostic
        followers = follow.get(id(finding.run.instruction))
        if followers:
            whole = joined(diagnostic.fix, followers)  # type: ignore[arg-type]
            also = "".join(f" With the mount in, {d.message} ({d.code}): the fix mends that too." for d in whole.taken)
            diagnostic = diagnostic._replace(fix=whole.fix, detail=diagnostic.detail + also)
        yield diagnostic


class _Planned:
    """A cache mount the fix adds: its `--mount` flag's value, the call it serves, why
    it sits where it does, and what makes it uncertain. A mount where the call does not
    cache after all does nothing (the build is as before); one its user cannot write
    stops uv, poetry and pdm."""

    __slots__ = ("target", "value", "call", "why", "problems", "doubt", "pins")

    def __init__(
        self,
        target: str,
        options: str,
        call: InstallerCall,
        why: str,
        problems: list[str],
        doubt: str = "",
        pins: tuple[Edit, ...] = (),
    ) -> None:
        self.target = target
        self.value = f"type=cache,target={target}{options}"  # of the `--mount` flag
        self.call = call
        self.why = why
        self.problems = problems  # what could make the mount break the build: the fix is unsafe
        self.doubt = doubt  # what could make it miss the cache: harmless, said beside the fix
        self.pins = pins  # `--cache-dir` options that send calls to the mount whatever HOME is


def _wants_mount(run: RunFacts, install: InstallFacts) -> bool:
    """Whether the call downloads into a cache that no mount of the RUN holds."""
    if not install.cache.uses_cache or install.mount is not None or not _downloads(install.call):
        return False
    call = install.call
    return not any(call.get(option) is not None for option in _OFFLINE.get(call.tool, ()))  # a wheelhouse


def _downloads(call: InstallerCall) -> bool:
    """Whether the call downloads packages: not every command that touches the cache does
    (`pip list`, `uv venv` without `--seed`), and a command line the tool rejects runs
    nothing (the build stops there, loudly)."""
    if call.errors:
        return False
    if call.tool == "pip":
        return call.subcommand in _PIP_DOWNLOADING
    if call.tool == "uv":
        return call.subcommand in _UV_DOWNLOADING or (call.subcommand == "venv" and call.get("--seed") is not None)
    return True  # poetry's, pipenv's, pdm's and apt's cache commands all fetch packages


def _taken(run: RunFacts, directory: str) -> bool:
    """Whether a mount of the RUN (a tmpfs, a bind mount) holds `directory` or sits inside
    it: the cache is elsewhere on purpose, and a second mount there would clash."""
    inside = directory.rstrip("/") + "/"
    return any(mount.target is not None and (mount.covers(directory) or mount.target.startswith(inside))
               for mount in run.mounts)  # fmt: skip


def _python_mount(source: str, run: RunFacts, use: Use) -> _Planned | str | None:
    """The mount for a Python installer's call, why there is none, or None when the
    RUN keeps its cache in another mount on purpose."""
    cache, tool = use.on.cache, use.tool
    if cache.status == "disabled":
        switch = SWITCHES[tool].variable
        return f"{switch or 'the stage'} keeps {tool}'s cache off for the whole stage ({cache.reason}), and no " \
               "option turns it back on for one command: a cache mount would do nothing"  # fmt: skip
    runner = runner_of(run, use.install)
    assumed_root = _image_user(run, runner, tool)
    guess = _guessed_directory(cache, runner, tool, assumed_root)
    if guess is not None:
        directory, problems = guess[0], [guess[1]]
    elif cache.status != "enabled" or cache.directory is None:
        return f"where {tool} caches is not known ({cache.reason})"
    else:
        directory, problems = cache.directory, []
    if _taken(run, directory):
        return None
    if not plain_path(directory):
        return f"{tool}'s cache directory {directory} cannot be written as a --mount target as it is"
    doubt = "" if guess or (cache.certain and not cache.doubts) else f"{why_uncertain(cache)}: the mount may miss it"
    pins: tuple[Edit, ...] = ()
    if guess is not None and CACHE_SETTING[tool] == "--cache-dir":
        placed = option_after_subcommand(run, use.install.call, f"--cache-dir={directory}", source)
        if placed is None:
            return f"where {tool} caches is not known ({cache.reason}), and --cache-dir cannot be placed here"
        pins = (placed[1],)
    if assumed_root:
        why = f"{tool} runs as the base image's user, most likely root; --cache-dir keeps it on the mount whatever HOME is."
        return _Planned(directory, "", use.install.call, why, problems, pins=pins)
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
    return _Planned(directory, options, use.install.call, why, problems, doubt, pins)


def _guessed_directory(
    cache: CacheResolution, runner: Fact[ResolvedUser], tool: str, assumed_root: bool
) -> tuple[str, str] | None:
    """Where the call most likely caches when a base image dockerfix cannot read may set
    HOME (and USER), and why that is a guess: root's cache when the image decides the
    user too, else the cache in the user's home from /etc/passwd. The fix is then unsafe,
    and pip and uv get `--cache-dir` pinned to the mount, so HOME no longer matters."""
    if cache.status != "unknown" or cache.decided_by != "home":
        return None
    if assumed_root:
        directory = home_cache_directory("/root", tool)
        return directory, (f"the base image's USER is not known: {tool} can write the mount at {directory} only if "
                           "it runs as root, as in most images (as another user it warns and caches nothing)")
    likely = likely_cache_directory(runner, cache, tool)
    if likely is None:
        return None
    return likely, f"HOME is not known here ({cache.reason}): {tool} caches in {likely} only if nothing unseen sets HOME"


def _image_user(run: RunFacts, runner: Fact[ResolvedUser], tool: str) -> bool:
    """Whether pip runs as the base image's user, which dockerfix cannot read (the stage
    sets no USER). pip does no harm under a mount it cannot write: it warns and caches
    nothing (uv, poetry and pdm fail), and `--cache-dir` sends it to the mount whatever
    HOME the image sets."""
    return tool == "pip" and not isinstance(runner, Known) and run.state.user is None


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


class _Verdict(NamedTuple):
    """Whether the file's builder takes a cache mount: `rejected` (the repository builds
    with kaniko or the legacy builder), `unknown` (no sign either way), or neither (it
    does); `why` says which evidence decided."""

    rejected: bool
    unknown: bool
    why: str


class _Builder:
    """The verdict on the file's builder, worked out when a fix first needs it: most
    files need no mount, and those need not have their repository's build files read."""

    __slots__ = ("_context", "_verdict")

    def __init__(self, context: Context) -> None:
        self._context = context
        self._verdict: _Verdict | None = None

    @property
    def verdict(self) -> _Verdict:
        if self._verdict is None:
            self._verdict = _judge_builder(self._context)
        return self._verdict


def _judge_builder(context: Context) -> _Verdict:
    """A file whose instructions use what only BuildKit builds (flags, heredocs) is built
    where mounts work, whatever else the repository says; otherwise a builder that rejects
    them in its build files wins over a `# syntax=` line (kaniko ignores it) and over signs
    of BuildKit elsewhere."""
    if _buildkit_instructions(context.tree):
        return _Verdict(False, False, "the Dockerfile already uses what only BuildKit builds")
    evidence = builder_evidence(context.build_context) if context.build_context is not None else NO_EVIDENCE
    if evidence.rejecting:
        return _Verdict(True, False, _rejection(evidence.rejecting[0]))
    if _buildkit_directive(context.tree):
        return _Verdict(False, False, "the Dockerfile has a BuildKit directive")
    if evidence.mounting:
        return _Verdict(False, False, f"{evidence.mounting[0].builder} builds it ({evidence.mounting[0]})")
    return _Verdict(False, True, "nothing in the Dockerfile or the repository's build files shows it is built with "
                                 "BuildKit, and kaniko and the legacy builder reject --mount")  # fmt: skip


def _rejection(sighting: Sighting) -> str:
    """Why a builder the repository names rules the mount out."""
    if sighting.builder == "kaniko":
        return (f"kaniko builds this repository ({sighting}), and kaniko stops at RUN --mount (\"Unknown flag: "
                "mount\"); its fork osscontainertools/kaniko has cache mounts with FF_KANIKO_RUN_MOUNT_CACHE=true")
    return f"{sighting} selects Docker's legacy builder, which rejects RUN --mount: build with BuildKit to add the mount"


def _buildkit_instructions(tree: Dockerfile) -> bool:
    """Whether an instruction uses what only BuildKit builds: the file is built by
    BuildKit (or buildah), where cache mounts work."""
    return any(
        instruction.heredocs or any(flag.name in _BUILDKIT_FLAGS for flag in instruction.effective.flags)
        for instruction in tree.instructions
    )


def _buildkit_directive(tree: Dockerfile) -> bool:
    """Whether the file starts with a `# syntax=` or `# check=` line, which only BuildKit reads."""
    return any(isinstance(element, Trivia) and element.kind == "directive" and element.name in ("syntax", "check")
               for element in tree.elements)  # fmt: skip
