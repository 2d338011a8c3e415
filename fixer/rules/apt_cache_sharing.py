"""DFX109 apt-cache-sharing: an apt cache mount that concurrent builds share unlocked.

apt locks its cache (`/var/cache/apt/archives/lock`, `/var/lib/apt/lists/lock`) while it
works. A cache mount is `sharing=shared` unless told otherwise, so two steps that run at
once with the same mount (two stages of one build, which BuildKit runs in parallel, or
two builds on one builder) meet on one lock: the second apt fails, or both write one
cache. `sharing=locked` makes BuildKit run them one after the other.
"""

from __future__ import annotations

from collections.abc import Iterator

from .. import edits
from ..diagnostics import Diagnostic, Fix
from ..mounts import Mount
from .base import Context, Invalid, Rule, Valid

# The directories apt keeps its cache and lists in (a mount at or below them is apt's).
_APT_DIRECTORIES = ("/var/cache/apt", "/var/lib/apt")


class AptCacheSharing(Rule):
    """An apt cache mount without `sharing=locked`.

    ## What it does
    Finds cache mounts at apt's directories (`/var/cache/apt`, `/var/lib/apt`, or below
    them) on a RUN that runs `apt-get` or `apt`, when they are shared unlocked (no
    `sharing=`, or `sharing=shared`), and sets `sharing=locked` on every such mount of
    the RUN in one fix. `sharing=private` is
    left alone: it never shares, so it never conflicts (buildah 1.28 rejects it, see
    docs/e2e.md).

    ## Why is this bad?
    apt takes a lock in the cache while it works. BuildKit runs independent stages in
    parallel, and every stage of a multi-stage build that mounts the same apt cache
    (the same target, so the same id) then uses one directory at once: the second
    `apt-get update` stops with `E: Could not get lock /var/lib/apt/lists/lock`, or two
    apt processes write the same files. The failure comes and goes with timing, which
    makes it hard to trace. Docker's documentation mounts apt's caches with
    `sharing=locked` for this reason.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    RUN --mount=type=cache,target=/var/cache/apt \\
        --mount=type=cache,target=/var/lib/apt \\
        apt-get update && apt-get install -y gcc
    ```
    Use instead:
    ```dockerfile
    FROM python:3.12-slim
    RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\
        --mount=type=cache,target=/var/lib/apt,sharing=locked \\
        apt-get update && apt-get install -y gcc
    ```

    ## Fix safety
    The fix adds `sharing=locked` after the mount's last option, or sets a written
    `sharing=shared` to `locked`. The sharing mode is not part of the cache's identity,
    so the cache keeps its contents; steps that use the mount at the same time now wait
    for each other, which is what apt needs anyway. The fix is always safe.
    """

    code = "DFX109"
    name = "apt-cache-sharing"
    summary = "An apt cache mount shared without a lock"
    about_cache_mounts = True

    valid = (
        Valid(
            "FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n"
            "    --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n"
            "    apt-get update && apt-get install -y gcc\n",
        ),
        Valid(
            "FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install flask\n",
            note="not apt's cache",
        ),
        Valid(
            "FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/var/cache/apt echo nothing to install\n",
            note="no apt runs under it",
        ),
    )
    invalid = (
        Invalid(
            "FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/var/cache/apt \\\n"
            "    --mount=type=cache,target=/var/lib/apt \\\n"
            "    apt-get update && apt-get install -y gcc\n",
            fixed="FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n"
            "    --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n"
            "    apt-get update && apt-get install -y gcc\n",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "RUN rm -f /etc/apt/apt.conf.d/docker-clean\n"
            "RUN --mount=type=cache,target=/var/lib/apt/lists,sharing=shared,id=apt-lists apt-get update\n",
            fixed="FROM python:3.12-slim\n"
            "RUN rm -f /etc/apt/apt.conf.d/docker-clean\n"
            "RUN --mount=type=cache,target=/var/lib/apt/lists,sharing=locked,id=apt-lists apt-get update\n",
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for run in context.facts.runs:
            if not run.cache_mounts:  # every finding here is about a cache mount
                continue
            unlocked = [mount for mount in run.cache_mounts if mount.sharing == "shared" and _is_apts(mount)]
            if unlocked and any(call.tool == "apt" for call in run.calls):
                yield self._diagnose(context.source, unlocked)

    def _diagnose(self, source: str, mounts: list[Mount]) -> Diagnostic:
        """One finding per RUN, so that all its apt mounts are fixed in one pass."""
        targets = " and ".join(str(mount.target) for mount in mounts)
        plural = "s" if len(mounts) > 1 else ""
        message = f"apt's cache mount{plural} at {targets}: shared unlocked, concurrent steps meet on apt's lock"
        detail = (
            f"sharing=shared (BuildKit's default): steps that run at once with the mount{plural}, such as two stages "
            "of one build, use one directory, and apt, which locks it while it works, fails in one of them (`Could "
            "not get lock`). sharing=locked makes them wait for each other."
        )
        changes = [edits.set_mount_options(source, mount.flag, {"sharing": "locked"}) for mount in mounts]
        if not all(changes):
            return self.report(mounts[0].flag.span, message, None, detail, "dockerfix cannot rewrite the mount's options: set sharing=locked by hand")
        fix = Fix("Set sharing=locked on the mount" + plural, tuple(edit for change in changes for edit in change or ()))
        return self.report(mounts[0].flag.span, message, fix, detail)


def _is_apts(mount: Mount) -> bool:
    """Whether the mount is at or below one of apt's directories, writable."""
    target = mount.target
    return (
        target is not None
        and not mount.readonly
        and any(target == directory or target.startswith(directory + "/") for directory in _APT_DIRECTORIES)
    )
