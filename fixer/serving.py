"""Whether a RUN's cache mounts serve its installer calls, and what stands in the way.

A cache mount helps a call only when three things hold at once: the call's cache is on,
it is on the mount, and the call's user may write the mount. Real Dockerfiles break
several at a time (`--no-cache-dir` under a mount that `ENV HOME` also moved away; a
mount at `/root/.cache` used by a non-root user), so each cache rule owns one of them
and reads the others' state from here:

- DFX103 removes a switch the RUN itself writes (`--no-cache-dir`, `PIP_NO_CACHE_DIR=1
  pip ...`); DFX102 overrides one the stage sets (an `ENV`, a pip config file) with
  `--cache-dir`;
- DFX101 moves a mount that is not where the call would cache with its cache on;
- DFX104 gives a mount to the user who cannot write it.

"With its cache on" is `Use.on`: the call resolved again without the switches written
in the RUN, which is what the call becomes once DFX103's fix is in. Judged that way,
DFX101 and DFX104 fix a mount while the cache is still off, and DFX103 removes a switch
only once the mount would then serve the call, so every fix on its own leaves the build
no worse, and the fix loop's passes reach a cache that is on, on the mount and
writable.

A mount is *meant for* a tool when its target names the tool (`/root/.cache/pip`,
`/cache/uv`) or is a `.cache` directory that holds every tool's default cache
(`/root/.cache`, `$HOME/.cache`). Mounts for anything else (apt's, npm's) are never
touched for a Python installer.
"""

from __future__ import annotations

import posixpath

from .analysis import InstallFacts, RunFacts, describe_user, write_access
from .caches import CacheResolution
from .facts import Fact, Known, Origin, Unknown
from .mounts import Mount
from .patterns import compile_lazily
from .records import NamedTuple
from .users import ResolvedUser, resolve_user

__all__ = [
    "COLD_ONCE",
    "COLD_ONCE_DETAIL",
    "SWITCHES",
    "TOOLS",
    "Owner",
    "Switch",
    "Use",
    "directory_on",
    "explain_target",
    "is_parent",
    "meant_for",
    "owner_for",
    "plain_path",
    "runner_of",
    "short_cause",
    "short_origin",
    "show_target",
    "switch_in_run",
    "target_for",
    "uses",
    "written_target",
]

# What giving a mount to a user costs, briefly (a fix's caveat) and in full.
COLD_ONCE = "the cache starts empty once"
COLD_ONCE_DETAIL = (
    "uid and gid are part of a cache mount's identity in BuildKit, so the first build with new values starts "
    "with an empty cache (once), and mounts that keep the old values no longer share it."
)
# A path that can be written bare both as a `--mount` option value (CSV, expanded by the
# frontend) and as a shell word: nothing to quote, escape or expand.
_PLAIN_PATH = compile_lazily(r"/[A-Za-z0-9._+@/-]*\Z")
# The installers whose cache mounts the cache rules check (the others are reported by
# the analysis only).
TOOLS = ("pip", "uv")
# The directory each tool keeps under `~/.cache` (`$XDG_CACHE_HOME`).
_LEAF = {"pip": "pip", "uv": "uv"}
# A target names the tool: pip (not pipenv's or pipx's caches), or a path component
# starting with uv.
_NAMED = {"pip": compile_lazily(r"pip(?!env|x)"), "uv": compile_lazily(r"(?:^|/)uv")}


class Switch(NamedTuple):
    """How a tool's cache is switched off: its option (canonical spelling) and variable.

    pip reads every `PIP_*` name in any case (`PIP_No_Cache_Dir`); uv reads `UV_NO_CACHE`
    exactly.
    """

    option: str
    variable: str
    any_case: bool

    def sets(self, name: str) -> bool:
        return (name.upper() if self.any_case else name) == self.variable


SWITCHES = {
    "pip": Switch("--no-cache-dir", "PIP_NO_CACHE_DIR", any_case=True),
    "uv": Switch("--no-cache", "UV_NO_CACHE", any_case=False),
}
_SWITCHED_OFF = frozenset({"cli-no-cache-dir", "env-no-cache-dir"})
# How a stage switches pip's cache off (only a command-line --cache-dir overrides them).
_STAGE_SWITCHES = frozenset({"env-no-cache-dir", "config-no-cache-dir"})
_PIP_SWITCH_KEYS = frozenset({"no-cache-dir"})


class Use(NamedTuple):
    """One installer call of a RUN, with its cache on, and the mounts meant for its tool.

    `install` is the call as the Dockerfile has it; `on` is the call with the switches
    that a fix removes or overrides left out (the same object when there are none);
    `meant` are the RUN's cache mounts meant for the tool.
    """

    install: InstallFacts
    on: InstallFacts
    meant: tuple[Mount, ...]

    @property
    def tool(self) -> str:
        return self.install.cache.tool


def uses(run: RunFacts) -> tuple[Use, ...]:
    """The calls of the cache rules' tools in a RUN with cache mounts (worked out once per RUN)."""
    found = run.derived.get("serving.uses")
    if found is None:
        found = tuple(_use(run, install) for install in run.installs if _checked(install))
        run.derived["serving.uses"] = found
    return found  # type: ignore[return-value]


def _checked(install: InstallFacts) -> bool:
    return install.cache.tool in TOOLS and install.cache.uses_cache


def _use(run: RunFacts, install: InstallFacts) -> Use:
    tool = install.cache.tool
    meant = tuple(mount for mount in run.cache_mounts if meant_for(mount, tool))
    return Use(install, _switched_on(run, install), meant)


def _switched_on(run: RunFacts, install: InstallFacts) -> InstallFacts:
    """The call resolved again without the switches a fix removes or overrides.

    Those are the switches written in the RUN (its options, and the RUN's own settings
    of the switch variable: a prefix, an `export`), which DFX103 removes, and for pip
    also the stage's (`ENV PIP_NO_CACHE_DIR`, a config file's `no-cache-dir`), which
    DFX102's `--cache-dir` overrides. uv has no such override: a stage's `UV_NO_CACHE`
    stays.
    """
    cache = install.cache
    switch = SWITCHES[cache.tool]
    in_run = switch_in_run(run, install) is not None
    overridden = cache.tool == "pip" and cache.status == "disabled" and cache.decided_by in _STAGE_SWITCHES
    if not in_run and not overridden:
        return install
    call = install.call
    call = call._replace(options=tuple(option for option in call.options if option.canonical != switch.option))
    if cache.tool == "pip":
        return run.install_facts(call, drop_variable=switch.sets, without_config_keys=_PIP_SWITCH_KEYS)
    return run.install_facts(call, keep_stage_value=switch.sets)


def switch_in_run(run: RunFacts, install: InstallFacts) -> str | None:
    """How the RUN itself switches the call's cache off ('option' or 'variable'), if it does.

    A variable counts when its value comes from the script (`PIP_NO_CACHE_DIR=1 pip`,
    `export ...`), not from the stage (ENV, ARG, the base image).
    """
    cache = install.cache
    if cache.decided_by not in _SWITCHED_OFF:
        return None
    if cache.decided_by == "cli-no-cache-dir":
        return "option"
    stage = any(variable.origin == cache.origin for variable in run.state.env.values())
    return None if stage else "variable"


# --------------------------------------------------------------------------- mounts


def meant_for(mount: Mount, tool: str) -> bool:
    """Whether a cache mount is there for `tool`: its target names the tool, or is a
    `.cache` directory. Mounts BuildKit rejects, read-only ones and those without a
    written target are never meant for anything a fix could change."""
    option = mount.target_option
    if mount.target is None or mount.errors or mount.readonly or option is None or option.value_span is None:
        return False
    return is_parent(mount) or _NAMED[tool].search(f"{mount.target} {option.value or ''}") is not None


def written_target(mount: Mount) -> str:
    """The target as the Dockerfile spells it (before BuildKit expands it)."""
    option = mount.target_option
    return (option.value or "") if option is not None else ""


def show_target(mount: Mount) -> str:
    """The target as written and, when BuildKit mounts it elsewhere, where (`$HOME/.cache/pip
    = /.cache/pip`): a message's way of naming a mount."""
    written = written_target(mount)
    return written if written == mount.target else f"{written} = {mount.target}"


def explain_target(mount: Mount) -> str:
    """The target as written and, where BuildKit mounts it elsewhere, where and why: for
    a finding's detail (the `~`, `$HOME` and relative-target traps)."""
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


def is_parent(mount: Mount) -> bool:
    """Whether the mount is a `.cache` directory, holding each tool's cache in a subdirectory."""
    return posixpath.basename(mount.target or "") == ".cache"


def directory_on(mount: Mount, tool: str) -> str:
    """The directory a call of `tool` should cache in on a mount meant for it: the
    target, or the tool's own subdirectory of a `.cache` mount (`/root/.cache/pip`)."""
    target = mount.target or ""
    return posixpath.join(target, _LEAF[tool]) if is_parent(mount) else target


def target_for(mount: Mount, tool: str, directory: str) -> str:
    """The target that puts `directory` on the mount the way it was meant: a `.cache`
    mount stays the `.cache` directory above the tool's default one, any other mount
    becomes the directory itself."""
    suffix = f"/.cache/{_LEAF[tool]}"
    if is_parent(mount) and directory.endswith(suffix):
        return directory[: -len(_LEAF[tool]) - 1]
    return directory


def short_origin(origin: Origin) -> str:
    """An origin without the source a base image's fact carries: `base image python:3.12
    (line 1)` rather than the repository, commit and file it was read from."""
    description = origin.description
    if description.startswith("base image ") and " (" in description:
        description = description[: description.index(" (")]
    return str(Origin(description, origin.line))


def short_cause(cache: CacheResolution) -> str:
    """Why a tool caches where it does, in a few words (`HOME=/app from ENV HOME (line 3)`);
    the resolution's `reason` says it in full."""
    origin = f" from {short_origin(cache.origin)}" if cache.origin is not None else ""
    if cache.decided_by == "home" and cache.directory is not None:
        return f"HOME={posixpath.dirname(posixpath.dirname(cache.directory))}{origin}"
    what = {
        "xdg-cache-home": "XDG_CACHE_HOME",
        "env-cache-dir": f"{cache.tool.upper()}_CACHE_DIR",
        "config-cache-dir": "cache-dir",
        "cli-cache-dir": "--cache-dir",
    }.get(cache.decided_by, cache.decided_by)
    return f"{what}{origin}"


# --------------------------------------------------------------------------- users


def runner_of(run: RunFacts, install: InstallFacts) -> Fact[ResolvedUser]:
    """The user the call runs as: the RUN's, or the one `su`, `gosu`, `runuser` switch to."""
    script = run.shell
    switch = script.context_of(install.call.command).user if script is not None else None
    if switch is None:
        return run.user
    resolved = resolve_user(run.passwd, switch.user)
    if resolved.error or resolved.uid is None:
        return Unknown(resolved.error or resolved.reason or f"the uid of {switch.user} is not known")
    return Known(resolved, Origin(f"{switch.tool} {switch.user}"), resolved.certain)


class Owner(NamedTuple):
    """The uid and gid a mount needs for the user `who`; `guessed` when the gid is only
    the usual one (= uid), `certain` when no build argument or unpredictable account tool
    could change the user's ids."""

    uid: int
    gid: int
    who: str
    guessed: bool
    certain: bool

    def options_for(self, mount: Mount) -> dict[str, str]:
        """The `--mount` options that give `mount` to this owner: the uid and gid that
        differ (BuildKit's default for both is 0, so a 0 is never added)."""
        wanted = (("uid", self.uid, mount.uid), ("gid", self.gid, mount.gid))
        return {key: str(value) for key, value, current in wanted if value != current}


def owner_for(
    run: RunFacts, install: InstallFacts, directory: str, mount: Mount, runner: Fact[ResolvedUser]
) -> tuple[Owner | None, str]:
    """The uid and gid that let the call's user keep its cache in `directory` on `mount`,
    or why there are none."""
    if not isinstance(runner, Known) or runner.value.uid is None:
        return None, "the uid the installer runs as is not known"
    if mount.from_ or mount.source or mount.errors:
        return None, "uid and gid do not apply to a cache mount seeded with from= or source=, or one BuildKit rejects"
    user = runner.value
    gid = user.uid if user.gid is None else user.gid
    owner = Owner(user.uid, gid, describe_user(user), user.gid is None, runner.certain and user.certain)
    allowed, why = write_access(directory, runner, mount.owned_by(owner.uid, owner.gid), run, install.cache.tool)
    if allowed is not True:
        return None, f"owning the mount would not be enough ({why})"
    return owner, ""
