"""DFX106 uv-link-mode: uv links packages from a cache mount, which is another filesystem.

uv installs a package by linking its files from the cache into the environment, by
default with hard links on Linux. A cache mount is a mount point of its own, so every
hard link fails (`EXDEV`), and uv falls back to copying with a warning on every build;
with `symlink` the environment points into a cache the image does not contain. Copying
is what happens anyway, so saying so changes nothing but the noise.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..analysis import InstallFacts, RunFacts
from ..diagnostics import Diagnostic, Edit, Fix
from ..facts import Known
from ..serving import mounted_uses, option_after_subcommand, show_target
from .base import Context, Invalid, Rule, Valid

# The uv commands that install packages into an environment, linking them from the cache.
_LINKING = frozenset({"pip install", "pip sync", "sync", "add", "run", "tool install"})


class UvLinkMode(Rule):
    """uv links packages from its cache mount: pass `--link-mode=copy`.

    ## What it does
    Finds uv calls that install packages (`uv pip install`, `uv pip sync`, `uv sync`,
    `uv add`, `uv run`, `uv tool install`) from a cache mount that serves them, with a
    link mode other than `copy`: none set (uv's default on Linux is `hardlink`), or
    `hardlink`, `clone` or `symlink` from `--link-mode`, `UV_LINK_MODE` or an `ENV` of the
    stage. It adds `--link-mode=copy` after the subcommand, or sets an existing
    `--link-mode` to `copy`.

    Not flagged: `UV_LINK_MODE=copy` (the line uv's Docker guide puts in its example),
    `--link-mode=copy`, uv calls that no cache mount serves (the cache is on the same
    filesystem as the environment then, and hard links work), and commands that only
    resolve (`uv lock`, `uv pip compile`, `uv export`).

    ## Why is this bad?
    A cache mount is a separate filesystem, and hard links cannot cross filesystems: uv
    tries one for every file, fails, and falls back to copying, printing `Failed to
    hardlink files; falling back to full copy` on every build. With `symlink` it is
    worse: the installed files are links into the cache mount, which is not part of the
    image, so the image's environment is broken once the build step ends.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    COPY --from=ghcr.io/astral-sh/uv:0.9 /uv /bin/
    RUN --mount=type=cache,target=/root/.cache/uv uv pip install --system -r requirements.txt
    ```
    Use instead:
    ```dockerfile
    FROM python:3.12-slim
    COPY --from=ghcr.io/astral-sh/uv:0.9 /uv /bin/
    RUN --mount=type=cache,target=/root/.cache/uv uv pip install --link-mode=copy --system -r requirements.txt
    ```
    (or `ENV UV_LINK_MODE=copy` before it, as uv's guide does, for every uv call of the
    stage.)

    ## Fix safety
    The fix is always safe: uv already copies every file in these builds (its fallback),
    so the result is the same, without the failed attempts and the warning; for
    `symlink`, copying is the only mode that leaves a working environment in the image.
    A command-line `--link-mode` beats `UV_LINK_MODE` and uv's config files, so nothing
    else can change what the fix does.
    """

    code = "DFX106"
    name = "uv-link-mode"
    summary = "uv installing from a cache mount without copying (hard links fail)"
    about_cache_mounts = True

    valid = (
        Valid(
            "FROM python:3.12-slim\n"
            "ENV UV_LINK_MODE=copy\n"
            "RUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen --no-install-project\n",
            note="uv's Docker guide: UV_LINK_MODE=copy for the whole stage",
        ),
        Valid(
            "FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/uv uv pip install --link-mode copy --system flask\n",
        ),
        Valid(
            "FROM python:3.12-slim\n"
            "RUN uv pip install --system flask\n",
            note="no cache mount: the cache and the environment share the layer's filesystem",
        ),
        Valid(
            "FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/uv uv lock\n",
            note="locking installs nothing",
        ),
        Valid(
            "FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/pip uv pip install --system flask\n",
            note="the mount does not serve uv (DFX101 moves it); linking from a cache on the layer works",
        ),
    )
    invalid = (
        Invalid(
            "FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/uv uv pip install --system -r requirements.txt\n",
            fixed="FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/uv uv pip install --link-mode=copy --system -r requirements.txt\n",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "ENV UV_LINK_MODE=symlink\n"
            "WORKDIR /app\n"
            "RUN --mount=type=cache,target=/root/.cache/uv \\\n"
            "    uv sync --frozen\n",
            fixed="FROM python:3.12-slim\n"
            "ENV UV_LINK_MODE=symlink\n"
            "WORKDIR /app\n"
            "RUN --mount=type=cache,target=/root/.cache/uv \\\n"
            "    uv sync --link-mode=copy --frozen\n",
            note="symlinks into the cache mount leave the image's environment broken",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/uv uv pip install --link-mode=hardlink --system flask\n",
            fixed="FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/uv uv pip install --link-mode=copy --system flask\n",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            'RUN --mount=type=cache,target=/root/.cache/uv ["uv", "sync", "--frozen"]\n',
            fixed="FROM python:3.12-slim\n"
            'RUN --mount=type=cache,target=/root/.cache/uv ["uv", "sync", "--link-mode=copy", "--frozen"]\n',
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for run, use in mounted_uses(context.facts):
            install = use.install
            if use.tool != "uv" or install.mount is None or install.call.subcommand not in _LINKING:
                continue
            mode = install.cache.link_mode
            if not (isinstance(mode, Known) and mode.value == "copy"):
                yield self._diagnose(run, use.install, mode, context.source)

    def _diagnose(self, run: RunFacts, install: InstallFacts, mode: Known[str] | None, source: str) -> Diagnostic:
        mount = install.mount
        assert mount is not None  # `check` passes only calls a mount serves
        written = install.call.get("--link-mode")
        if mode is not None and mode.value == "symlink":
            message = f"uv symlinks packages into its cache mount at {show_target(mount)}, which the image does not contain"
            why = (
                f"uv's link mode is symlink ({mode.origin}): the installed files are links into the cache mount, "
                "which is gone once the step ends, so the image's environment is broken."
            )
        else:
            how = "hardlink, uv's default on Linux" if mode is None else f"{mode.value} ({mode.origin})"
            message = f"uv links packages from its cache mount at {show_target(mount)}, another filesystem"
            why = (
                f"uv's link mode is {how}, but the cache mount is a filesystem of its own: every link fails, and uv "
                "falls back to copying, with a warning on every build."
            )
        detail = f"{why} --link-mode=copy copies from the cache, as uv's Docker guide recommends (UV_LINK_MODE=copy)."
        span = None if written is None or written.value_span is None else run.script.source_span(*written.value_span)
        if span is not None:
            return self.report(span, message, Fix("Set --link-mode to copy", (Edit.replace(span, "copy"),)), detail)
        placed = option_after_subcommand(run, install.call, "--link-mode=copy", source)
        if placed is None:
            return self.report(run.instruction.keyword_span, message, None, detail, "dockerfix cannot find a place for the option: add it by hand")
        span, edit = placed
        return self.report(span, message, Fix("Run uv with --link-mode=copy", (edit,)), detail)
