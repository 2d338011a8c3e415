"""DFX107 venv-in-cache-mount: poetry creates the project's virtualenv inside its cache mount.

poetry keeps its virtualenvs under its cache directory (`{cache-dir}/virtualenvs`) unless
told otherwise (`caches.py`, from poetry's `EnvManager`). With that directory on a cache
mount, the environment poetry installs into is on the mount, and the mount is not part
of the image: the build succeeds, and the image has none of the packages.
"""

from __future__ import annotations

from collections.abc import Iterator

from .. import edits
from ..analysis import InstallFacts, RunFacts
from ..diagnostics import Applicability, Diagnostic, Fix
from ..serving import mounted_uses, show_target
from .base import Context, Invalid, Rule, Valid

# The poetry commands that create the project's virtualenv and install into it.
_INSTALLING = frozenset({"install", "sync", "add", "update", "remove"})
_IN_PROJECT = "POETRY_VIRTUALENVS_IN_PROJECT=true "


class VenvInCacheMount(Rule):
    """poetry installs into a virtualenv inside its cache mount, which the image does not keep.

    ## What it does
    Finds `poetry install` (and `sync`, `add`, `update`, `remove`) in a RUN whose cache
    mount holds poetry's cache directory, when poetry creates the project's virtualenv
    there: poetry's default `virtualenvs.path` is `{cache-dir}/virtualenvs`, so without
    `virtualenvs.in-project`, `virtualenvs.create = false`, a `virtualenvs.path`
    elsewhere or an active virtualenv (`VIRTUAL_ENV`), the environment lands on the mount.
    The fix runs the command with `POETRY_VIRTUALENVS_IN_PROJECT=true`, which makes
    poetry create the virtualenv as `.venv` in the project directory, in the image.

    Not flagged: `POETRY_VIRTUALENVS_IN_PROJECT=true` or `POETRY_VIRTUALENVS_CREATE=false`
    (the usual Docker settings), `VIRTUAL_ENV` set (poetry installs into that
    environment), and poetry calls that no cache mount serves.

    ## Why is this bad?
    A cache mount is not part of the image. poetry installs every package into the
    virtualenv on the mount, the step succeeds, and the image ships without them:
    `poetry run` at run time creates an empty environment or fails, and a later build
    finds a stale virtualenv in the cache that no longer matches the lock file.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    RUN pip install poetry==2.2.1
    WORKDIR /app
    COPY pyproject.toml poetry.lock ./
    RUN --mount=type=cache,target=/root/.cache/pypoetry poetry install --no-root
    ```
    Use instead:
    ```dockerfile
    FROM python:3.12-slim
    RUN pip install poetry==2.2.1
    WORKDIR /app
    COPY pyproject.toml poetry.lock ./
    RUN --mount=type=cache,target=/root/.cache/pypoetry POETRY_VIRTUALENVS_IN_PROJECT=true poetry install --no-root
    ```

    ## Fix safety
    The fix is unsafe: the virtualenv moves from the cache to `<project>/.venv`, and
    whatever names its old path (a `PATH` entry, an entrypoint) must follow. `poetry
    run` and `poetry env info` find the new one on their own: poetry uses an existing
    `.venv` in the project unless `virtualenvs.in-project` is false. In an exec-form RUN
    (`["poetry", "install"]`) no shell reads a prefix, so the finding has no fix; set
    `ENV POETRY_VIRTUALENVS_IN_PROJECT=true` by hand. poetry's config files are not read
    here: a `virtualenvs.path` or `virtualenvs.in-project` set in them makes the finding
    wrong, which the finding says.
    """

    code = "DFX107"
    name = "venv-in-cache-mount"
    summary = "poetry creating its virtualenv on the cache mount, outside the image"
    about_cache_mounts = True

    valid = (
        Valid(
            "FROM python:3.12-slim\n"
            "ENV POETRY_VIRTUALENVS_IN_PROJECT=true\n"
            "WORKDIR /app\n"
            "RUN --mount=type=cache,target=/root/.cache/pypoetry poetry install --no-root\n",
        ),
        Valid(
            "FROM python:3.12-slim\n"
            "ENV POETRY_VIRTUALENVS_CREATE=false\n"
            "RUN --mount=type=cache,target=/root/.cache/pypoetry poetry install --only main\n",
            note="no virtualenv: poetry installs into the system's Python",
        ),
        Valid(
            "FROM python:3.12-slim\n"
            "ENV VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH\n"
            "RUN python -m venv /opt/venv\n"
            "RUN --mount=type=cache,target=/root/.cache/pypoetry poetry install --no-root\n",
            note="an active virtualenv: poetry installs there",
        ),
        Valid(
            "FROM python:3.12-slim\n"
            "RUN poetry install --no-root\n",
            note="no cache mount: the virtualenv stays in the image",
        ),
    )
    invalid = (
        Invalid(
            "FROM python:3.12-slim\n"
            "WORKDIR /app\n"
            "RUN --mount=type=cache,target=/root/.cache/pypoetry poetry install --no-root\n",
            fixed="FROM python:3.12-slim\n"
            "WORKDIR /app\n"
            "RUN --mount=type=cache,target=/root/.cache/pypoetry POETRY_VIRTUALENVS_IN_PROJECT=true poetry install --no-root\n",
            unsafe=True,
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "ENV POETRY_CACHE_DIR=/tmp/poetry_cache\n"
            "WORKDIR /app\n"
            "RUN --mount=type=cache,target=/tmp/poetry_cache \\\n"
            "    pip install poetry && poetry install --without dev\n",
            fixed="FROM python:3.12-slim\n"
            "ENV POETRY_CACHE_DIR=/tmp/poetry_cache\n"
            "WORKDIR /app\n"
            "RUN --mount=type=cache,target=/tmp/poetry_cache \\\n"
            "    pip install poetry && POETRY_VIRTUALENVS_IN_PROJECT=true poetry install --without dev\n",
            unsafe=True,
            note="POETRY_CACHE_DIR on a mount takes the virtualenvs with it",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            'RUN --mount=type=cache,target=/root/.cache/pypoetry ["poetry", "install", "--no-root"]\n',
            note="exec form: no shell reads a prefix, so it is reported without a fix",
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for run, use in mounted_uses(context.facts):
            install = use.install
            if use.tool == "poetry" and install.call.subcommand in _INSTALLING and _on_mount(install):
                yield self._diagnose(run, install)

    def _diagnose(self, run: RunFacts, install: InstallFacts) -> Diagnostic:
        mount, cache = install.mount, install.cache
        assert mount is not None  # `_on_mount` holds only then
        message = f"poetry creates its virtualenv in {cache.virtualenvs_path}, on the cache mount at {show_target(mount)}"
        detail = (
            f"poetry's virtualenvs go to {cache.virtualenvs_path} (virtualenvs.path, by default "
            f"{{cache-dir}}/virtualenvs; {cache.reason}). The cache mount is not part of the image, so the "
            "packages poetry installs there are not in it. POETRY_VIRTUALENVS_IN_PROJECT=true puts the virtualenv "
            "in the project's .venv, in the image."
        )
        words = install.call.command.effective_words
        edit = edits.insert_before_command(run.script, (words[0].start, words[0].end), _IN_PROJECT) if words else None
        if edit is None:
            return self.report(mount.flag.span, message, None, detail, "dockerfix cannot find the command's start: set ENV POETRY_VIRTUALENVS_IN_PROJECT=true by hand")
        caveat = "the virtualenv moves to the project's .venv"
        if install.cache.virtualenvs_in_cache is None:
            caveat += "; poetry's config files were not read"
        fix = Fix("Create the virtualenv in the project", (edit,), Applicability.UNSAFE, caveat)
        return self.report(mount.flag.span, message, fix, detail)


def _on_mount(install: InstallFacts) -> bool:
    """Whether poetry would create the virtualenv on the mount that serves its cache
    (certainly, or unless a config file that was not read says otherwise)."""
    cache, mount = install.cache, install.mount
    path = cache.virtualenvs_path
    return mount is not None and path is not None and cache.virtualenvs_in_cache is not False and mount.covers(path)

