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

"With its cache on" is `Use.on`: the call resolved again without the switches a fix
removes or overrides (those written in the RUN, and for pip the stage's too), which is
what the call becomes once DFX103's or DFX102's fix is in. Judged that way, DFX101 and
DFX104 fix a mount while the cache is still off, and DFX103 and DFX102 switch it back
on only once the mount would then serve the call, so every fix on its own leaves the
build no worse, and the fix loop's passes reach a cache that is on, on the mount and
writable.

A mount is *meant for* a tool when its target names the tool (`/root/.cache/pip`,
`/cache/uv`) or is a `.cache` directory that holds every tool's default cache
(`/root/.cache`, `$HOME/.cache`). Mounts for anything else (apt's, npm's) are never
touched for a Python installer.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from . import edits
from .analysis import FileFacts, InstallFacts, RunFacts, account_stays, describe_user, write_access
from .caches import CacheResolution
from .diagnostics import Edit
from .facts import Fact, Known, Origin, Spelling, Unknown
from .installers import InstallerCall
from .mounts import TARGET_KEYS, Mount
from .patterns import compile_lazily
from .records import NamedTuple
from .shell import Word
from .syntax import Span
from .users import Account, ResolvedUser, resolve_user

__all__ = [
    "CACHE_SETTING",
    "COLD_ONCE",
    "COLD_ONCE_DETAIL",
    "SWITCHES",
    "TOOLS",
    "Handover",
    "Owner",
    "Switch",
    "Use",
    "directory_on",
    "explain_target",
    "free_meant",
    "hand_over",
    "ids_certain",
    "is_parent",
    "mount_in_doubt",
    "mounted_uses",
    "named_tools",
    "normalized",
    "option_after_subcommand",
    "owner_for",
    "plain_path",
    "rm_operand",
    "runner_of",
    "short_cause",
    "short_origin",
    "spelled_directory",
    "show_target",
    "switch_in_run",
    "target_for",
    "target_span",
    "tracks",
    "usable_spelling",
    "uses",
    "why_uncertain",
    "written_target",
]

# What giving a mount to a user costs, briefly (a fix's caveat) and in full.
COLD_ONCE = "the cache starts empty once"
COLD_ONCE_DETAIL = (
    "uid and gid are part of a cache mount's identity in BuildKit, so the first build with new values starts "
    "with an empty cache (once), and mounts that keep the old values no longer share it."
)
# A path that can be written bare both as a `--mount` option value (CSV, expanded by the
# frontend) and as a shell word: nothing to quote, escape or expand; or, in a `--mount`
# option, the same with `${NAME}` parts (a spelling that follows build arguments).
_PLAIN_PATH = compile_lazily(r"/[A-Za-z0-9._+@/-]*\Z")
# `~`, `$HOME` or `${HOME}` starting a path, and where a path stops being literal.
_HOME_PREFIX = compile_lazily(r"^(?:~|\$HOME|\$\{HOME\})(?=/|$)")
_NOT_LITERAL = compile_lazily(r"[$~*?\[`]")
_PLAIN_SPELLED_PATH = compile_lazily(r"(?:/|\$\{[A-Za-z_][A-Za-z0-9_]*\})(?:[A-Za-z0-9._+@/-]|\$\{[A-Za-z_][A-Za-z0-9_]*\})*\Z")
# The Python installers whose cache mounts the cache rules check (apt's mounts have
# rules of their own).
TOOLS = ("pip", "uv", "poetry", "pipenv", "pdm")
# The directory each tool keeps under `~/.cache` (`$XDG_CACHE_HOME`).
_LEAF = {"pip": "pip", "uv": "uv", "poetry": "pypoetry", "pipenv": "pipenv", "pdm": "pdm"}
# A target names the tool: pip (not pipenv's or pipx's caches), a path component
# starting with uv, poetry (`pypoetry`), pipenv, pdm. The word comes first: a substring
# test is cheap, and most targets name one tool or none.
_NAMED = (
    ("pip", compile_lazily(r"pip(?!env|x)")),
    ("uv", compile_lazily(r"(?:^|/)uv")),
    ("poetry", None),
    ("pipenv", None),
    ("pdm", None),
)


# How a Dockerfile names a tool's cache directory for one command: the option, or the
# variable for tools without one.
CACHE_SETTING = {
    "pip": "--cache-dir",
    "uv": "--cache-dir",
    "poetry": "POETRY_CACHE_DIR",
    "pipenv": "PIPENV_CACHE_DIR",
    "pdm": "PDM_CACHE_DIR",
}


def likely_cache_directory(runner: Fact[ResolvedUser], cache: CacheResolution, tool: str) -> str | None:
    """Where the call caches if nothing unseen (a base image's ENV) sets HOME: the tool's
    cache in the user's home from /etc/passwd, when only HOME was in question (None
    otherwise, or when that path would need quoting in a mount)."""
    home = runner.value.home if isinstance(runner, Known) else None
    if cache.decided_by != "home" or home is None:
        return None
    directory = home_cache_directory(home, tool)
    return directory if plain_path(directory) else None


def home_cache_directory(home: str, tool: str) -> str:
    """`tool`'s cache below `home` when nothing else decides it: `~/.cache/<its folder>`."""
    return posixpath.join(home, ".cache", _LEAF[tool])


class Switch(NamedTuple):
    """How a tool's cache is switched off: its option (canonical spelling) and variable.

    pip reads every `PIP_*` name in any case (`PIP_No_Cache_Dir`), and so does the pip
    that pipenv runs, which has no option of its own; uv and pdm read their variables
    exactly. poetry's `--no-cache` has no variable, and switches off only part of its
    cache (`caches.py`): the repository and HTTP caches, not the downloaded archives.
    """

    option: str | None
    variable: str | None
    any_case: bool

    def sets(self, name: str) -> bool:
        return self.variable is not None and (name.upper() if self.any_case else name) == self.variable

    @property
    def written(self) -> str:
        """The switch as a message names it when its place is not known."""
        return self.option or f"{self.variable}"


SWITCHES = {
    "pip": Switch("--no-cache-dir", "PIP_NO_CACHE_DIR", any_case=True),
    "uv": Switch("--no-cache", "UV_NO_CACHE", any_case=False),
    "poetry": Switch("--no-cache", None, any_case=False),
    "pipenv": Switch(None, "PIP_NO_CACHE_DIR", any_case=True),
    "pdm": Switch("--no-cache", "PDM_NO_CACHE", any_case=False),
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
    """The calls of the cache rules' tools in a RUN with cache mounts (worked out once per
    RUN, the mounts meant for each tool once too: four rules ask)."""
    return run.kept("serving.uses", lambda: _uses(run))


def _uses(run: RunFacts) -> tuple[Use, ...]:
    """Each call with the mounts meant for its tool: those named for it, `.cache`
    directories, and mounts named only for installers the RUN never runs
    (`/root/.cache/pip` over `uv pip install`), which are meant for the one it does run:
    that is what the author wanted cached."""
    calls = [install for install in run.installs_of(TOOLS) if install.cache.uses_cache]
    if not calls:
        return ()
    called = {install.call.tool for install in calls}
    names = [(mount, _names(mount)) for mount in run.cache_mounts]
    meant: dict[str, tuple[Mount, ...]] = {}
    found = []
    for install in calls:
        tool = install.call.tool
        if tool not in meant:
            meant[tool] = tuple(
                mount for mount, named in names
                if named is not None and (tool in named or is_parent(mount) or (named and not named & called))
            )  # fmt: skip
        found.append(Use(install, _switched_on(run, install), meant[tool]))
    return tuple(found)


def mounted_uses(facts: FileFacts) -> Iterator[tuple[RunFacts, Use]]:
    """Every call of the file's RUNs that have cache mounts (every cache rule's finding
    is about a cache mount), with its RUN."""
    for run in facts.runs:
        if run.cache_mounts:
            for use in uses(run):
                yield run, use


def named_tools(mount: Mount) -> frozenset[str]:
    """The installers a cache mount's target names (`/root/.cache/pip`: pip), none for a
    `.cache` directory or a mount no fix could change."""
    named = _names(mount)
    return frozenset() if named is None or is_parent(mount) else named


def _names(mount: Mount) -> frozenset[str] | None:
    """The installers the mount's target names; None for a mount BuildKit rejects, a
    read-only one or one without a written target: meant for nothing a fix could change."""
    target = mount.target
    if target is None or mount.errors or mount.readonly:
        return None
    option = mount.target_option
    if option is None or option.value_span is None:
        return None
    text = f"{target} {option.value or ''}"
    return frozenset(
        tool for tool, pattern in _NAMED if tool in text and (pattern is None or pattern.search(text) is not None)
    )


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
    own = install.call
    call = own._replace(options=tuple(option for option in own.options if option.canonical != switch.option))
    if cache.tool == "pip":
        return run.install_facts(call, own, "switched on", drop_variable=switch.sets, without_config_keys=_PIP_SWITCH_KEYS)
    return run.install_facts(call, own, "switched on", keep_stage_value=switch.sets)


def _partly_off(cache: CacheResolution) -> bool:
    """Whether a command-line switch turns off part of the cache while the rest stays on
    (poetry's `--no-cache`: no repository or HTTP cache, archives still cached)."""
    option = cache.option
    return cache.tool == "poetry" and option is not None and option.canonical == "--no-cache"


def switch_in_run(run: RunFacts, install: InstallFacts) -> str | None:
    """How the RUN itself switches the call's cache off ('option' or 'variable'), if it does.

    A variable counts when its value comes from the script (`PIP_NO_CACHE_DIR=1 pip`,
    `export ...`), not from the stage (ENV, ARG, the base image).
    """
    cache = install.cache
    if _partly_off(cache):
        return "option"
    if cache.decided_by not in _SWITCHED_OFF:
        return None
    if cache.decided_by == "cli-no-cache-dir":
        return "option"
    stage = any(variable.origin == cache.origin for variable in run.state.env.values())
    return None if stage else "variable"


# --------------------------------------------------------------------------- mounts


def free_meant(run: RunFacts, use: Use) -> tuple[Mount, ...]:
    """The mounts meant for the call's tool that serve no call of the RUN (with its cache
    on): those a fix may move or give away for this call."""
    used = run.kept(
        "serving.used", lambda: frozenset(id(other.on.mount) for other in uses(run) if other.on.mount is not None)
    )
    return tuple(mount for mount in use.meant if id(mount) not in used)


def target_span(mount: Mount) -> Span:
    """Where the target's value is written, for a fix that moves a mount meant for a tool."""
    option = mount.target_option
    assert option is not None and option.value_span is not None  # `uses` gives only such mounts as meant
    return option.value_span


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


def plain_path(path: str, spelled: bool = False) -> bool:
    """Whether `path` can be written as it is, unquoted, into a mount option or a command;
    `spelled`: into a mount option, `${NAME}` parts allowed."""
    return bool((_PLAIN_SPELLED_PATH if spelled else _PLAIN_PATH).match(path))


def is_parent(mount: Mount) -> bool:
    """Whether the mount is a `.cache` directory, holding each tool's cache in a subdirectory."""
    return (mount.target or "").endswith("/.cache")


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


def option_after_subcommand(run: RunFacts, call: InstallerCall, option: str, source: str) -> tuple[Span, Edit] | None:
    """The insertion of `option` (`--cache-dir=/d`) right after the call's subcommand
    (`pip install`, `uv pip install`: after its last word), with that word's span; None
    when the word cannot be found in the source."""
    word = _subcommand_word(call)
    span = run.script.source_span(word.start, word.end) if word is not None else None
    edit = edits.insert_argument_after(run.script, source, (word.start, word.end), option) if span else None
    return (span, edit) if span is not None and edit is not None else None


def _subcommand_word(call: InstallerCall) -> Word | None:
    """The subcommand's last word (`install`), not an option's value of the same spelling."""
    taken = [option.span for option in call.options]
    last = call.subcommand.rpartition(" ")[2]
    for word in call.command.words[call.command.effective_start :]:
        if word.text == last and not any(start <= word.start < end for start, end in taken):
            return word
    return None


def rm_operand(operand: str, home: str | None) -> tuple[str, str]:
    """An `rm` operand as the RUN's shell deletes it, and its literal part: a leading
    `~`/`$HOME` is the RUN's HOME; from the first expansion or glob on, the path could
    be anything, so only the part before it is known."""
    if home is not None:
        operand = _HOME_PREFIX.sub(home, operand)
    return operand, _NOT_LITERAL.split(operand, maxsplit=1)[0]


def why_uncertain(cache: CacheResolution) -> str:
    """Why where a call caches is not certain, in a few words (a fix's caveat)."""
    if cache.doubts:
        return f"where {cache.tool} caches is not certain: {cache.doubts[0].split(' (')[0]}"
    return f"a build argument decides where {cache.tool} caches"


def short_origin(origin: Origin) -> str:
    """An origin in a few words, for a one-line message: a base image's fact without the
    source it was read from, a passwd home without the file (`home of app (uid 1000)`)."""
    description = origin.description
    if description.startswith("base image ") and " (" in description:
        description = description[: description.index(" (")]
    description = description.removesuffix(" in /etc/passwd")
    if description.startswith("runc's default for ") and description.endswith(", which has no /etc/passwd entry"):
        who = description[len("runc's default for ") : -len(", which has no /etc/passwd entry")]
        description = f"{who}, which has no passwd entry"
    return str(Origin(description, origin.line))


def short_cause(cache: CacheResolution) -> str:
    """What decides where a tool caches, in a few words (`ENV HOME (line 3)`, `home of
    app (uid 1000)`); the resolution's `reason` says it in full."""
    if cache.origin is None:
        return cache.decided_by
    origin = short_origin(cache.origin)
    name = {
        "xdg-cache-home": "XDG_CACHE_HOME",
        "env-cache-dir": f"{cache.tool.upper()}_CACHE_DIR",
        "config-cache-dir": "cache-dir",
        "cli-cache-dir": "--cache-dir",
    }.get(cache.decided_by)
    return origin if name is None or name in origin else f"{name} from {origin}"


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


def ids_certain(run: RunFacts, runner: Fact[ResolvedUser]) -> bool:
    """Whether the uid and gid the call runs with are certain: the user is, or a build
    argument decides only something else of the RUN's user's account
    (`useradd -d /srv/${APP} app`: the home follows the argument, the ids do not)."""
    if not isinstance(runner, Known):
        return False
    fields = ("name", "uid", "gid")
    return runner.certain or (runner is run.user and account_stays(run.state, runner.value, run.passwd, fields))


class Owner(NamedTuple):
    """The uid and gid a mount needs for the user `who`, and how to write them.

    `guessed` when the gid is only the usual one (= uid); `certain` when no build
    argument or unpredictable account tool could change the user's ids, or when the
    ids are written the way the Dockerfile writes them (`uid_text` `${UID}`, from
    `useradd -u ${UID}`), so that every `--build-arg` gives the mount the same ids as
    the user.
    """

    uid: int
    gid: int
    who: str
    guessed: bool
    certain: bool
    uid_text: str
    gid_text: str

    def options_for(self, mount: Mount) -> dict[str, str]:
        """The `--mount` options that give `mount` to this owner: the uid and gid that
        differ (BuildKit's default for both is 0, so a 0 is never added)."""
        wanted = (("uid", self.uid, self.uid_text, mount.uid), ("gid", self.gid, self.gid_text, mount.gid))
        return {key: text for key, value, text, current in wanted if value != current}


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
    uid_text, gid_text, spelled = _id_texts(run, runner, user, gid)
    certain = spelled or ids_certain(run, runner)
    owner = Owner(user.uid, gid, describe_user(user), user.gid is None, certain, uid_text, gid_text)
    allowed, why = write_access(directory, runner, mount.changed(uid=owner.uid, gid=owner.gid), run, install.cache.tool)
    if allowed is not True:
        return None, f"owning the mount would not be enough ({why})"
    return owner, ""


class Handover(NamedTuple):
    """What gives a mount to a call's user: the owner, and the edits of its options."""

    owner: Owner
    edits: tuple[Edit, ...]


def hand_over(
    source: str, run: RunFacts, use: Use, directory: str, mount: Mount, moved: Mount | None = None
) -> tuple[Handover | None, str]:
    """The `uid=`/`gid=` edits that let the call's user keep its cache in `directory` on
    `mount` (as a fix leaves it: `moved`, when the same fix moves it), or why there are none."""
    owner, why_not = owner_for(run, use.install, directory, moved or mount, runner_of(run, use.install))
    changes = edits.set_mount_options(source, mount.flag, owner.options_for(mount)) if owner is not None else None
    if owner is None or not changes:
        return None, why_not or "its uid= or gid= is a variable, or no option can be followed by more"
    return Handover(owner, changes), ""


def _id_texts(run: RunFacts, runner: Known[ResolvedUser], user: ResolvedUser, gid: int) -> tuple[str, str, bool]:
    """The uid and gid as a fix writes them, and whether they follow the build arguments.

    They are the Dockerfile's spellings (`${UID}`) when the account's ids come from build
    arguments that a `--mount` option of this RUN can use, and the RUN's user is that
    account whatever the arguments say (a `USER` written with the same argument as the
    account's name, or a fixed one).
    """
    account = user.account
    literal = str(user.uid), str(gid), False
    if account is None or account.certain or not _user_follows(runner, account):
        return literal
    texts = []
    for field, value in (("uid", user.uid), ("gid", user.gid)):
        if value is None:  # the gid is the usual guess, gid = uid: written as the uid is
            texts.append(texts[0])
        elif field not in account.varies:
            texts.append(str(value))
        else:
            spelling = usable_spelling(account.spelling(field), value, run)
            if spelling is None:
                return literal
            texts.append(spelling.text)
    return texts[0], texts[1], True


def _user_follows(runner: Known[ResolvedUser], account: Account) -> bool:
    """Whether the RUN's user is `account` whatever the build arguments: the `USER` (or
    `su`) names it without one, or with the same one its name or uid was made from
    (`USER ${USER}` after `useradd ${USER}`). The origin holds the word as written."""
    written = runner.origin.description.partition(" ")[2]
    if "$" not in written:
        return True
    spellings = (account.spelling("name"), account.spelling("uid"))
    return any(spelling is not None and normalized(written) == spelling.text for spelling in spellings)


_VARIABLE = compile_lazily(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


def normalized(text: str) -> str:
    """`$NAME` written as `${NAME}`, so two spellings of one expression compare equal."""
    return _VARIABLE.sub(lambda match: "${" + (match.group(1) or match.group(2)) + "}", text)


def usable_spelling(spelling: Spelling | None, value: object, run: RunFacts) -> Spelling | None:
    """`spelling` when a `--mount` option of this RUN may use it for `value`, else None.

    It must still give `value` here (its variables keep their origins), and every
    builder must expand it the same: each variable is an ENV, or an ARG declared in the
    RUN's own stage (BuildKit also sees a parent stage's ARGs, buildah does not) that no
    ENV of the same name shadows (buildah lets an ENV win, BuildKit the later one).
    """
    if spelling is None or not spelling.holds(run.state.env, value):
        return None
    stage_args = {word.partition("=")[0] for i in run.stage.instructions if i.keyword == "ARG"
                  and i.start_line < run.instruction.start_line for word in i.value}  # fmt: skip
    for name, origin in spelling.variables:
        config = run.state.config_env.get(name)
        from_env = config is not None and config.origin == origin
        if not from_env and (name not in stage_args or config is not None):
            return None
    return spelling


def spelled_directory(run: RunFacts, use: Use) -> Spelling | None:
    """How a fix can write the directory the call caches in (with its cache on) so that
    it follows the build arguments that decide it: `${HOME}/.cache/pip` for a HOME from
    `ARG HOME`, `/home/${USER}/.cache/pip` for the home `useradd ${USER}` made, a
    `PIP_CACHE_DIR` or `XDG_CACHE_HOME` from an ARG. None when the directory is certain,
    or cannot be written that way here, or unsure for another reason than build
    arguments (a config file that was not read)."""
    cache = use.on.cache
    directory = cache.directory
    if cache.certain or cache.doubts or directory is None:
        return None
    leaf = f"/{_LEAF[use.tool]}"
    by_variable = {"xdg-cache-home": ("XDG_CACHE_HOME", leaf), "env-cache-dir": (f"{use.tool.upper()}_CACHE_DIR", "")}
    if cache.decided_by in by_variable:
        name, tail = by_variable[cache.decided_by]
        return _variable_spelling(run, name, cache.origin, tail, directory)
    home_tail = f"/.cache{leaf}"
    if not directory.endswith(home_tail):
        return None
    spelled = _variable_spelling(run, "HOME", cache.origin, home_tail, directory)
    if spelled is not None:
        return spelled
    runner = runner_of(run, use.install)
    account = runner.value.account if isinstance(runner, Known) else None
    home = usable_spelling(account.spelling("home") if account else None, directory[: -len(home_tail)], run)
    return Spelling(home.text + home_tail, home.variables) if home else None


def _variable_spelling(run: RunFacts, name: str, origin: Origin | None, tail: str, directory: str) -> Spelling | None:
    """`${NAME}` + `tail`, when the stage's variable NAME, which a build argument decides,
    decided `directory`."""
    variable = run.state.env.get(name)
    if variable is None or variable.certain or variable.origin != origin:
        return None
    return usable_spelling(Spelling("${" + name + "}" + tail, ((name, variable.origin),)), directory, run)


def mount_in_doubt(run: RunFacts, use: Use, mount: Mount, replaced: frozenset[str] = frozenset()) -> bool:
    """Whether a build argument could change what the mount does for the call: an
    option (other than those a fix `replaced`) whose value comes from one, unless it is
    the target, written to follow the call's cache directory (`tracks`)."""
    keys = mount.uncertain - replaced
    if keys & TARGET_KEYS and tracks(mount, spelled_directory(run, use)):
        keys -= TARGET_KEYS
    return bool(keys)


def tracks(mount: Mount, spelled: Spelling | None) -> bool:
    """Whether the mount's target is written so that it holds the spelled directory
    whatever the build arguments (`target=${HOME}/.cache` for `${HOME}/.cache/pip`)."""
    if spelled is None:
        return False
    target = normalized(written_target(mount)).rstrip("/")
    return spelled.text == target or spelled.text.startswith(target + "/")
