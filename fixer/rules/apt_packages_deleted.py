"""DFX108 apt-packages-deleted: apt's cache mount stays empty because the packages are deleted.

Two things delete what apt downloads into `/var/cache/apt/archives` (`caches._apt_deletion`):
the docker-clean hook of the Debian and Ubuntu images (`aptconf`), after every dpkg run,
and `apt` itself, which unlike `apt-get` does not keep downloaded packages by default.
Under a cache mount either leaves the mount empty, so every build downloads every
package again.
"""

from __future__ import annotations

from collections.abc import Iterator

from .. import aptconf, edits
from ..analysis import FileFacts, InstallFacts, RunFacts
from ..diagnostics import Diagnostic, Edit, Fix
from ..facts import Known
from ..mounts import Mount
from .base import Context, Invalid, Rule, Valid, safety

ARCHIVES = "/var/cache/apt/archives"
_REMOVE_HOOK = f"rm -f {aptconf.DOCKER_CLEAN}"
_INSTALLS = frozenset({"install", "upgrade", "dist-upgrade", "full-upgrade", "reinstall", "build-dep", "satisfy"})


class AptPackagesDeleted(Rule):
    """apt deletes the packages it downloads into its cache mount.

    ## What it does
    Finds `apt-get install` and `apt install` (and `upgrade`, `build-dep`, ...) under a
    cache mount that holds `/var/cache/apt/archives` (a mount at `/var/cache/apt`, or at
    the archives directory itself), when the downloaded packages are deleted right
    after the install:

    - by `/etc/apt/apt.conf.d/docker-clean`, which the official Debian and Ubuntu images
      (and every image built on them, `python:*` included) ship: its `DPkg::Post-Invoke`
      runs `rm -f /var/cache/apt/archives/*.deb` after every install. The fix adds
      `RUN rm -f /etc/apt/apt.conf.d/docker-clean` before the step, as Docker's
      documentation does;
    - by `apt` itself: `apt` (not `apt-get`) deletes what it downloaded unless
      `APT::Keep-Downloaded-Packages` is true (its `Binary::apt` default is false). The
      fix runs `apt-get` instead, which keeps them and is the interface meant for
      scripts (hadolint's DL3027 asks for it too).

    Where both delete (`apt install` on an image with docker-clean), both are reported
    at once, and one pass fixes both: the line goes before the step, `apt-get` into it.

    On a base image dockerfix cannot read, whether it has docker-clean is not known;
    an image that runs apt is most likely built on Debian or Ubuntu, so the finding is
    made, with an unsafe fix (`rm -f` of a file that is not there does no harm).

    Not flagged: a RUN after the hook is removed, `apt` with
    `Binary::apt::APT::Keep-Downloaded-Packages "true"` written into apt.conf.d,
    `apt-get install --download-only`, and installs without a cache mount (there the
    hook keeps the image small, as meant).

    ## Why is this bad?
    The cache mount exists to keep `.deb` files between builds. Deleted after every
    install, they never are: every build downloads every package again, and the log
    only shows `Get:` lines where nothing would have been fetched.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\
        --mount=type=cache,target=/var/lib/apt,sharing=locked \\
        apt-get update && apt-get install -y --no-install-recommends libpq-dev
    ```
    Use instead:
    ```dockerfile
    FROM python:3.12-slim
    RUN rm -f /etc/apt/apt.conf.d/docker-clean
    RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\
        --mount=type=cache,target=/var/lib/apt,sharing=locked \\
        apt-get update && apt-get install -y --no-install-recommends libpq-dev
    ```

    ## Fix safety
    Removing docker-clean changes every later apt install of the stage, and of the
    stages built on it: one without a cache mount at `/var/cache/apt` then keeps its
    packages in its layer, which makes the image bigger. The fix is unsafe when such
    an install follows (the caveat names its line), when the step may not run as root,
    or when the image's hook is not known; it is safe otherwise. Several steps of one stage share one removal: the first
    gets the new line, the others are fixed by it. Running `apt-get` for `apt` is safe:
    both take the same options for installing.
    """

    code = "DFX108"
    name = "apt-packages-deleted"
    summary = "apt's downloaded packages deleted under its cache mount"
    about_cache_mounts = True

    valid = (
        Valid(
            "FROM python:3.12-slim\n"
            "RUN rm -f /etc/apt/apt.conf.d/docker-clean\n"
            "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n"
            "    --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n"
            "    apt-get update && apt-get install -y gcc\n",
            note="the hook is gone before the cached install",
        ),
        Valid(
            "FROM debian:bookworm\n"
            "RUN rm -f /etc/apt/apt.conf.d/docker-clean; "
            "echo 'Binary::apt::APT::Keep-Downloaded-Packages \"true\";' > /etc/apt/apt.conf.d/keep-cache\n"
            "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n"
            "    --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n"
            "    apt update && apt install -y gcc\n",
            note="Docker's documented recipe: apt too keeps its packages",
        ),
        Valid(
            "FROM python:3.12-slim\n"
            "RUN apt-get update && apt-get install -y gcc && rm -rf /var/lib/apt/lists/*\n",
            note="no cache mount: docker-clean keeps the layer small",
        ),
    )
    invalid = (
        Invalid(
            "FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n"
            "    --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n"
            "    apt-get update && apt-get install -y --no-install-recommends libpq-dev\n",
            fixed="FROM python:3.12-slim\n"
            "RUN rm -f /etc/apt/apt.conf.d/docker-clean\n"
            "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n"
            "    --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n"
            "    apt-get update && apt-get install -y --no-install-recommends libpq-dev\n",
        ),
        Invalid(
            "FROM ubuntu:24.04\n"
            "RUN rm -f /etc/apt/apt.conf.d/docker-clean\n"
            "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n"
            "    --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n"
            "    apt update && apt install -y python3-venv\n",
            fixed="FROM ubuntu:24.04\n"
            "RUN rm -f /etc/apt/apt.conf.d/docker-clean\n"
            "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n"
            "    --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n"
            "    apt update && apt-get install -y python3-venv\n",
            note="apt deletes what it downloaded; apt-get keeps it",
        ),
        Invalid(
            "FROM debian:bookworm-slim AS build\n"
            "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked apt-get update && apt-get install -y gcc\n"
            "FROM debian:bookworm-slim\n"
            "RUN apt-get update && apt-get install -y libpq5 && rm -rf /var/lib/apt/lists/*\n",
            fixed="FROM debian:bookworm-slim AS build\n"
            "RUN rm -f /etc/apt/apt.conf.d/docker-clean\n"
            "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked apt-get update && apt-get install -y gcc\n"
            "FROM debian:bookworm-slim\n"
            "RUN apt-get update && apt-get install -y libpq5 && rm -rf /var/lib/apt/lists/*\n",
            note="the runtime stage starts from the image again: its uncached install keeps the hook",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked apt-get update && apt-get install -y gcc\n"
            "RUN apt-get update && apt-get install -y curl\n",
            fixed="FROM python:3.12-slim\n"
            "RUN rm -f /etc/apt/apt.conf.d/docker-clean\n"
            "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked apt-get update && apt-get install -y gcc\n"
            "RUN apt-get update && apt-get install -y curl\n",
            unsafe=True,
            note="the install at line 3 has no cache mount: without the hook its packages stay in its layer",
        ),
        Invalid(
            "FROM registry.example.com/platform/python-base:3.12\n"
            "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked apt-get update && apt-get install -y gcc\n",
            fixed="FROM registry.example.com/platform/python-base:3.12\n"
            "RUN rm -f /etc/apt/apt.conf.d/docker-clean\n"
            "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked apt-get update && apt-get install -y gcc\n",
            unsafe=True,
            note="a base image dockerfix cannot read: it most likely has the hook",
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        removing: dict[int, RunFacts] = {}  # id of the apt config -> the RUN whose fix removes its hook
        for run in context.facts.runs:
            if not run.cache_mounts:  # every finding here is about a cache mount
                continue
            mount = _archives_mount(run)
            install = _deleting_install(run) if mount is not None else None
            if mount is None or install is None:
                continue
            if install.cache.decided_by == "apt-keep-downloaded":
                yield self._apt_binary(run, install, mount)
                continue
            first = removing.setdefault(id(run.filesystem.apt), run)
            yield self._hook(context, run, mount, first)
            # `apt` (not apt-get) deletes its downloads too, once the hook is gone: both at once
            unhooked = run.install_facts(install.call, install.call, "without docker-clean", without_clean_hook=True)
            if unhooked.cache.decided_by == "apt-keep-downloaded":
                yield self._apt_binary(run, unhooked, mount)

    def _hook(self, context: Context, run: RunFacts, mount: Mount, first: RunFacts) -> Diagnostic:
        message = f"docker-clean deletes the packages apt downloads into the cache mount at {mount.target}"
        if run.filesystem.apt.clean_hook is None:
            message = f"docker-clean may delete the packages apt downloads into the cache mount at {mount.target}"
        detail = (
            f"The base image's {aptconf.DOCKER_CLEAN} (the Debian and Ubuntu images have one) runs `rm -f "
            f"{ARCHIVES}/*.deb` after every install, so the cache mount at {mount.target} stays empty and every build "
            "downloads every package again. Removing the file in a step before keeps them (Docker's documentation "
            "does the same)."
        )
        if first is not run:
            return self.report(mount.flag.span, message, None, detail, f"the line the fix adds before line "
                               f"{first.instruction.start_line} removes it for this step too")  # fmt: skip
        source = context.source
        keyword = source[run.instruction.keyword_span.start : run.instruction.keyword_span.end]
        line = edits.instruction_lines(source, run.instruction, [f"{keyword} {_REMOVE_HOOK}"])
        problems = _hook_problems(context.facts, run)
        fix = Fix(f"Remove docker-clean in a step before: `{_REMOVE_HOOK}`", (Edit.insert(run.instruction.span.start, line),),
                  safety(problems), "; ".join(problems))  # fmt: skip
        return self.report(mount.flag.span, message, fix, detail)

    def _apt_binary(self, run: RunFacts, install: InstallFacts, mount: Mount) -> Diagnostic:
        message = f"`apt {install.call.subcommand}` deletes the packages it downloads into the cache mount at {mount.target}"
        detail = (
            f"{install.cache.reason}: the cache mount at {mount.target} stays empty. apt-get keeps downloaded "
            "packages and takes the same options for installing."
        )
        words = install.call.command.effective_words
        plain = bool(words) and run.script.code[words[0].start : words[0].end] == "apt"
        span = run.script.source_span(words[0].start, words[0].end) if plain else None
        if span is None:
            return self.report(mount.flag.span, message, None, detail, "dockerfix cannot find the word to change: run "
                               'apt-get instead, or set Binary::apt::APT::Keep-Downloaded-Packages "true" in '
                               "/etc/apt/apt.conf.d")  # fmt: skip
        return self.report(span, message, Fix("Run apt-get instead of apt", (Edit.replace(span, "apt-get"),)), detail)


def _archives_mount(run: RunFacts) -> Mount | None:
    """The RUN's writable cache mount that holds apt's archives directory, if one does."""
    return next((mount for mount in run.cache_mounts if not mount.readonly and mount.covers(ARCHIVES)), None)


def _deleting_install(run: RunFacts) -> InstallFacts | None:
    """The RUN's first apt install whose downloaded packages are, or may be, deleted
    after it: by the hook or `apt` itself, or where whether the image has the hook is
    not known (an image dockerfix cannot read that runs apt is most likely a Debian or
    Ubuntu one, which has it)."""
    for call in run.calls:
        if call.tool != "apt" or call.subcommand not in _INSTALLS:
            continue  # only an install downloads packages (and resolving the others is work for nothing)
        install = run.install_of(call)
        cache = install.cache
        if cache.decided_by in ("apt-clean-hook", "apt-keep-downloaded"):
            return install
        if cache.directory == ARCHIVES and cache.status == "enabled" and run.apt_config(install.call).clean_hook is None:
            return install
    return None


def _hook_problems(facts: FileFacts, run: RunFacts) -> list[str]:
    """Why removing docker-clean before `run` is not certainly right (empty: it is)."""
    problems = []
    if run.filesystem.apt.clean_hook is None:
        problems.append("whether the base image has docker-clean is not known (Debian's and Ubuntu's have it)")
    user = run.user
    if not (isinstance(user, Known) and user.certain and user.value.uid == 0):
        problems.append("the step may not run as root, and only root may remove the file")
    hooked = id(run.filesystem.apt)
    for later in facts.runs:
        if later.instruction.start_line <= run.instruction.start_line or id(later.filesystem.apt) != hooked:
            continue
        if _archives_mount(later) is None and any(
            call.tool == "apt" and call.subcommand in _INSTALLS for call in later.calls
        ):
            problems.append(f"the install at line {later.instruction.start_line} has no cache mount: its packages "
                            "would stay in its layer")  # fmt: skip
            break
    return problems
