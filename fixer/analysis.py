"""Facts per RUN, computed once per file: who runs it, its HOME, its caches and its mounts.

The pipeline's middle step. `stages.py` gives the frontend state before every
instruction (stage, ENV/ARG, USER, WORKDIR); this module adds what the runtime does with
it, following semantics.md: the users that base images bring and earlier RUNs create
(`users.py`), the HOME runc sets (a non-empty HOME in the environment wins; else the
passwd home of the uid; else `/`), the shell-level changes inside the RUN (`HOME=/x
pip`, `export`, `su`, `env -i`), each installer call's cache (`caches.py`) and the cache
mounts (`mounts.py`). Every value keeps its origin, and what cannot be known is
`Unknown` with the reason.

ONBUILD RUNs get no facts: they run in images built FROM this one, whose state is not
known here.

Shell code is parsed only where it can matter: a RUN whose text names no installer, no
command that changes accounts or homes and no pip config file is never tokenised, which
keeps whole-repository runs fast. Each module that reads parsed commands says when it
can find nothing (`installers.may_call_installer`, `users.may_change_accounts`,
`pipconf.may_write_pip_config`), from the code without its quotes (`shell.unquoted`).
"""

from __future__ import annotations

import posixpath
import re
from typing import TypeVar
from collections.abc import Callable, Mapping
from functools import lru_cache
from types import MappingProxyType

from . import aptconf, caches, images, pipconf, users
from .facts import Fact, Known, Origin, Unknown
from .installers import InstallerCall, find_installer_calls, may_call_installer
from .mounts import Mount, resolve_mounts
from .records import NamedTuple, slots_repr
from .runs import RunScript, run_script
from .shell import CommandContext, Script, parse_script, script_from_argv, unquoted
from .stages import Stage, State, StagesResult, analyse_stages
from .syntax import Dockerfile, Instruction
from .words import LexError, Lexer

_POSIX_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "busybox"})
_OWNERSHIP_HINT = re.compile(r"\b(?:chown|chmod|chgrp|mkdir|install|setfacl)\b")
# A RUN in another shell that may write pip config, which dockerfix does not read there.
_PIP_CONFIG_HINT = re.compile(r"pip\.conf|pip3?\s+config|PIP_CONFIG_FILE")
# Top-level directories whose owner and mode decide for everything below them (FHS; the
# same in Debian, Ubuntu and Alpine images). Other directories belong to root unless the
# build changed owners.
# What each tool does with a cache directory it may not write (measured with pip 26.3,
# uv 0.13.9, poetry 2.5.1, pdm 2.29.4 and pipenv 2026.10.3; docs/analysis.md).
_WRITE_CHECKED = {
    "pip": "pip prints a warning and disables its cache",
    "uv": 'uv stops with "Permission denied" and the build fails',
    "poetry": 'poetry stops with "Permission denied" and the build fails',
    "pdm": 'pdm stops with "Some package operations failed" and the build fails',
    "pipenv": "the pip that pipenv runs disables its cache, with a warning shown only under -v",
}
# The tools that, running as root, only use a cache root owns: pip (`check_path_owner`),
# and pipenv through the pip it runs.
_OWNER_CHECKED = frozenset({"pip", "pipenv"})
# Variables bash sets itself, whatever the environment holds (bash(1), Shell Variables).
_BASH_OWN = frozenset({"UID", "EUID", "PPID", "GROUPS", "BASHPID", "RANDOM", "SECONDS", "HOSTNAME"})
# The instructions that start or change a stage's filesystem (`_step`).
_FILESYSTEM_STEPS = frozenset({"FROM", "WORKDIR", "COPY", "ADD", "RUN"})
_STANDARD_DIRECTORIES = {"/": (0, 0o755), "/root": (0, 0o700), "/tmp": (0, 0o1777), "/home": (0, 0o755)}
# Those of them that only root may enter (`_closed_ancestor`), with their modes.
_CLOSED_DIRECTORIES = tuple(
    (path, mode) for path, (owner, mode) in _STANDARD_DIRECTORIES.items() if path != "/" and not mode & 0o001 and owner == 0
)
_NO_DIRECTORIES: Mapping[str, int | None] = MappingProxyType({})
_T = TypeVar("_T")


class Filesystem(NamedTuple):
    """What the build has done to the image's users and directories so far, in one stage.

    `directories` maps a path created by WORKDIR to its owner uid (BuildKit creates it as
    the current USER, `dispatchWorkdir`), None when that user's uid is unknown.
    `ownership_changed` is set once a RUN may have changed owners or modes (`chown`,
    `chmod`, `mkdir`, `install -d`), or a COPY/ADD with `--chown`/`--chmod` wrote where
    it cannot be read; before that, any other directory is root's (created by root, or
    missing so that `/` decides). `copied_to` are the destinations of the COPY/ADD
    instructions with `--chown`/`--chmod` that could be read: they, and the directories
    created for them, may have other owners. `pip_settings` are the settings of the pip
    config files known to exist (the base image's, then what the build wrote), and
    `pip_config_known` says there are no others. `apt` is apt's configuration: the
    docker-clean hook and the settings the build wrote (`aptconf`).
    """

    passwd: users.Passwd
    directories: Mapping[str, int | None]
    pip_settings: tuple[caches.PipSetting, ...]
    pip_config_known: bool
    ownership_changed: bool = False
    copied_to: tuple[str, ...] = ()
    apt: aptconf.AptConfig = aptconf.AptConfig(None)

    def with_passwd(self, passwd: users.Passwd) -> Filesystem:
        return self._replace(passwd=passwd)

    def with_owners_changed(self) -> Filesystem:
        """Owners may have changed anywhere: what WORKDIR made is no longer known."""
        return self._replace(directories={}, ownership_changed=True)

    def with_copy_owned(self, destination: str) -> Filesystem:
        """A COPY/ADD gave `destination` (absolute, normalised) its own owner or mode: a
        directory WORKDIR made there or below may have changed hands; the others keep theirs."""
        if destination == "/":
            return self.with_owners_changed()
        directories = {path: None if _within(path, destination) else owner for path, owner in self.directories.items()}
        return self._replace(directories=directories, copied_to=(*self.copied_to, destination))

    def may_have_changed(self, directory: str) -> bool:
        """Whether a step may have given the existing directory `directory` another owner or mode."""
        return self.ownership_changed or any(_within(directory, copied) for copied in self.copied_to)

    def may_have_made(self, top: str) -> bool:
        """Whether a COPY/ADD may have created the top-level directory `top` with another owner."""
        return self.ownership_changed or any(_within(copied, top) for copied in self.copied_to)


class InstallFacts:
    """One installer call in a RUN, where it caches, and whether a cache mount serves it.

    `mount_status`: `hit` (a cache mount covers the cache directory), `miss` (the RUN
    has cache mounts, none at the directory the installer uses), `disabled` (the RUN has
    cache mounts but the installer uses no cache), `none` (no cache mount), or `unknown`
    (the cache directory is unknown).
    """

    __slots__ = ("call", "cache", "mount", "mount_status")

    def __init__(self, call: InstallerCall, cache: caches.CacheResolution, mount: Mount | None, mount_status: str) -> None:
        self.call = call
        self.cache = cache
        self.mount = mount
        self.mount_status = mount_status

    __repr__ = slots_repr


class RunFacts:
    """What dockerfix knows about one RUN: its frontend state, the filesystem before it,
    its mounts, and (computed on first use) its user, HOME and installer calls."""

    __slots__ = ("instruction", "stage", "state", "filesystem", "script", "escape", "text", "unquoted", "posix",
                 "mounts", "cache_mounts", "_shell", "_calls", "_installs", "_settled", "_user", "_home",
                 "_environment", "_pip_config", "_kept", "_memo")

    def __init__(
        self,
        instruction: Instruction,
        stage: Stage,
        state: State,
        filesystem: Filesystem,
        script: RunScript,
        escape: str,
        memo: PassMemo | None = None,
    ) -> None:
        self.instruction = instruction
        self.stage = stage
        self.state = state
        self.filesystem = filesystem
        self.script = script
        self.escape = escape
        # The code the RUN's script holds (exec form: its arguments), and that without
        # quotes, which the pre-filters read (`shell.unquoted`).
        self.text = script.code or " ".join(script.argv)
        self.unquoted = unquoted(self.text)
        self.posix = _is_posix(script, state)  # else its commands are not read
        self._shell: Script | None | bool = False
        self._calls: tuple[InstallerCall, ...] | None = None
        self._installs: dict[tuple[str, ...] | None, tuple[InstallFacts, ...]] = {}  # by the tools asked for
        self._settled: dict[int, InstallFacts] = {}  # by the id of the call in `calls`
        self._user: Fact[users.ResolvedUser] | None = None
        self._home: Fact[str] | None = None
        # Its mounts, read at once: every cache rule starts by asking for them.
        flags = instruction.effective.flags
        self.mounts: tuple[Mount, ...] = resolve_mounts(flags, state, escape) if flags else ()
        self.cache_mounts = tuple([mount for mount in self.mounts if mount.type == "cache"]) if flags else ()
        self._environment: tuple[Mapping[str, Known[str]], Mapping[str, str]] | None = None
        self._pip_config: caches.PipConfigView | None = None
        # Facts derived from this RUN, kept for the rules that ask again (`kept`).
        self._kept: dict[str, object] | None = None
        self._memo = memo

    __repr__ = slots_repr

    @property
    def passwd(self) -> users.Passwd:
        return self.filesystem.passwd

    @property
    def shell(self) -> Script | None:
        """The RUN's code as shell commands (None for a shebang script or a non-POSIX SHELL)."""
        if self._shell is False:
            self._shell = self._parsed() if self.posix else None
        return self._shell  # type: ignore[return-value]

    def again(self, stage: Stage) -> RunFacts:
        """These facts for the fix loop's next pass, where the instruction (not even moved),
        its state and the filesystem before it are the same objects: all that was worked
        out from them holds, its mounts' spans too. Only the stage is the new pass's."""
        twin = self._copy()
        twin.stage = stage
        return twin

    def with_mounts(self, added: tuple[Mount, ...]) -> RunFacts:
        """These facts as they would be with `added` cache mounts too (`mounts.planned_mount`):
        what a fix that adds them leaves for the rules. Who runs the RUN, its HOME, its
        calls and where each caches do not depend on mounts and are shared; what the
        calls make of the mounts is worked out anew."""
        twin = self._copy()
        twin.mounts = self.mounts + added
        twin.cache_mounts = self.cache_mounts + tuple([mount for mount in added if mount.type == "cache"])
        twin._installs, twin._settled, twin._kept = {}, {}, None
        return twin

    def _copy(self) -> RunFacts:
        twin = object.__new__(RunFacts)
        for name in RunFacts.__slots__:
            setattr(twin, name, getattr(self, name))
        return twin

    def _parsed(self) -> Script:
        """The script's commands, read once per check for each script text (`PassMemo`)."""
        if self._memo is None:
            return _parse_run(self.script)
        key = (self.script.kind, self.script.code, self.script.argv)
        found = self._memo.scripts.get(key)
        if found is None:
            found = self._memo.scripts[key] = _parse_run(self.script)
        return found  # type: ignore[return-value]

    @property
    def user(self) -> Fact[users.ResolvedUser]:
        """The user the RUN starts as (USER, or the base image's config User)."""
        if self._user is None:
            self._user = self._remembered(
                "user", lambda: _resolve_user(self.state, self.passwd), (self.state, self.passwd)
            )
        return self._user

    @property
    def home(self) -> Fact[str]:
        """HOME as runc sets it for the RUN's process (before any shell-level change)."""
        if self._home is None:
            self._home = self._remembered(
                "home", lambda: _runtime_home(self.state, self.user, self.passwd), (self.state, self.passwd)
            )
        return self._home

    def _remembered(
        self, what: str, compute: Callable[[], _T], inputs: tuple[object, ...], line: int | None = None
    ) -> _T:
        """What `compute` gives from `inputs` (by identity) and the RUN's `line` where
        its messages name that, taken from the last time this check asked about the same
        objects: an earlier RUN in the same state, or the last pass (`PassMemo`)."""
        if self._memo is None:
            return compute()
        key = (what, line, *[id(value) for value in inputs])
        found = self._memo.facts.get(key)
        if found is None:
            found = self._memo.facts[key] = (inputs, compute())
        return found[1]  # type: ignore[index,no-any-return]

    def process_environment(self) -> tuple[Mapping[str, Known[str]], Mapping[str, str]]:
        """The variables the RUN's process starts with (the stage's and the HOME runc
        sets), and why those that are not known are not (HOME, when it is not).

        Built once per RUN and shared by its commands: read-only, callers copy to change.
        """
        if self._environment is None:
            home = self.home
            variables: Mapping[str, Known[str]] = self.state.env
            if "HOME" not in variables and isinstance(home, Known):
                variables = {**variables, "HOME": home}
            self._environment = variables, ({} if isinstance(home, Known) else {"HOME": home.reason})
        return self._environment

    def pip_config_view(self) -> caches.PipConfigView:
        """The pip config files known to exist where the RUN runs (built once per RUN)."""
        if self._pip_config is None:
            files = self.filesystem.pip_settings
            self._pip_config = caches.PipConfigView(
                files, self.filesystem.pip_config_known, frozenset(s.path for s in files)
            )
        return self._pip_config

    @property
    def home_writable(self) -> bool | None:
        """Whether the RUN's user may write under HOME (where caches go by default); None: unknown."""
        if not isinstance(self.home, Known):
            return None
        return write_access(self.home.value, self.user, None, self)[0]

    @property
    def installs(self) -> tuple[InstallFacts, ...]:
        """Every installer call's facts."""
        return self.installs_of(None)

    def installs_of(self, tools: tuple[str, ...] | None) -> tuple[InstallFacts, ...]:
        """The facts of the calls of `tools` (None: of every call), each call worked out
        once. A rule asks about its own tools' calls: resolving the others (the apt-get
        calls beside a pip mount) would be work for nothing."""
        found = self._installs.get(tools)
        if found is None:
            found = self._installs[tools] = tuple(
                [self.install_of(call) for call in self.calls if tools is None or call.tool in tools]
            )
        return found

    def install_of(self, call: InstallerCall) -> InstallFacts:
        """The facts of one of the RUN's `calls`, worked out once."""
        install = self._settled.get(id(call))
        if install is None:
            resolved = self._remembered(
                "resolve", lambda: self.resolve(call), (self.state, self.filesystem, call), self.instruction.start_line
            )
            install = self._settled[id(call)] = self._install(call, *resolved)
        return install

    @property
    def calls(self) -> tuple[InstallerCall, ...]:
        """The installer calls in the RUN's commands (none where a shell would not run them)."""
        if self._calls is None:
            script = self.shell if may_call_installer(self.unquoted) else None
            self._calls = _installer_calls(script, self._memo) if script is not None else ()
        return self._calls

    def install_facts(self, call: InstallerCall, of: InstallerCall, what: str, **what_if: object) -> InstallFacts:
        """Where `call` caches, the cache mount there, and whether its user may use it.

        `what_if` asks as `resolve` does, for the rules, about `call`: the RUN's call `of`
        with its options changed by the caller. The answer is remembered under `what`
        (a name for the question) for `of`, as `install_of`'s is: a RUN with the same
        state, filesystem and call, in the next pass or with planned mounts
        (`with_mounts`), asks again.
        """
        resolved = self._remembered(
            what, lambda: self.resolve(call, **what_if), (self.state, self.filesystem, of), self.instruction.start_line
        )
        return self._install(call, *resolved)

    def _install(
        self, call: InstallerCall, resolution: caches.CacheResolution, user: Fact[users.ResolvedUser]
    ) -> InstallFacts:
        mount = _covering_mount(resolution, self.cache_mounts)
        resolution = _check_writable(resolution, user, mount, self)
        return InstallFacts(call, resolution, mount, _mount_status(resolution, mount, self.cache_mounts))

    def apt_config(self, call: InstallerCall) -> aptconf.AptConfig:
        """apt's configuration where `call` runs: the stage's, then what the RUN's earlier
        commands changed."""
        config = self.filesystem.apt
        if self.shell is None or not aptconf.may_change(self.text):
            return config
        origin = Origin(f"RUN at line {self.instruction.start_line}", self.instruction.start_line)
        script, before = self.shell, call.command.index
        return self.kept(f"apt_config {before}", lambda: aptconf.after_run(config, script, origin, before=before))

    def kept(self, key: str, compute: Callable[[], _T]) -> _T:
        """What `compute` gives, worked out once per RUN under `key` (module-qualified,
        `serving.uses`): several rules ask for the same derived facts."""
        kept = self._kept
        if kept is None:
            kept = self._kept = {}
        if key not in kept:
            kept[key] = compute()
        return kept[key]  # type: ignore[return-value]

    def resolve(
        self,
        call: InstallerCall,
        *,
        drop_variable: Callable[[str], bool] | None = None,
        without_config_keys: frozenset[str] = frozenset(),
        keep_stage_value: Callable[[str], bool] | None = None,
        without_clean_hook: bool = False,
    ) -> tuple[caches.CacheResolution, Fact[users.ResolvedUser]]:
        """Where `call` caches in this RUN, and the user it runs as.

        Rules ask "what if" by dropping variables or pip config keys, by ignoring the
        RUN's own settings of some variables (`keep_stage_value`), by taking apt's
        docker-clean hook away (`without_clean_hook`), and by passing the call with an
        option removed as `call`; ownership is not checked here.
        """
        assert self.shell is not None
        context = self.shell.context_of(call.command)
        if keep_stage_value is not None:
            context = context._replace(env=tuple(c for c in context.env if not keep_stage_value(c.name)))
        env_view, home, home_reason, user = _command_environment(self, context, call)
        if drop_variable is not None:
            kept = {name: value for name, value in env_view.variables.items() if not drop_variable(name)}
            env_view = env_view._replace(variables=kept)
        config = _pip_config(self, without_config_keys)
        cwd = _command_cwd(self.state, context)
        apt = self.apt_config(call) if call.tool == "apt" else None
        resolution = caches.resolve_cache(
            call, env_view, home, home_reason, cwd, not context.directories, config,
            tool_config=caches.ToolConfig(apt.settings, apt.known) if apt else None,
            apt_clean_hook=(False if without_clean_hook else apt.clean_hook) if apt else None,
        )  # fmt: skip
        return resolution, user

    def covering_mount(self, resolution: caches.CacheResolution) -> Mount | None:
        """The cache mount that holds the resolved directory, if any."""
        return _covering_mount(resolution, self.cache_mounts)


class FileFacts:
    """The analysis of one Dockerfile."""

    __slots__ = ("tree", "stages", "runs", "_by_instruction", "_by_cache_id", "_families")

    def __init__(self, tree: Dockerfile, stages: StagesResult) -> None:
        self.tree = tree
        self.stages = stages
        self.runs: list[RunFacts] = []
        self._by_instruction: dict[int, RunFacts] = {}
        self._by_cache_id: dict[str, list[int]] | None = None
        self._families: dict[int, str | None] = {}

    __repr__ = slots_repr

    def run(self, instruction: Instruction) -> RunFacts | None:
        return self._by_instruction.get(id(instruction))

    def with_runs(self, replaced: Mapping[int, RunFacts]) -> FileFacts:
        """The same analysis with some RUNs' facts replaced (by the id of their
        instruction): the file as a fix would leave it (`RunFacts.with_mounts`)."""
        view = FileFacts(self.tree, self.stages)
        view.runs = [replaced.get(id(run.instruction), run) for run in self.runs]
        view._by_instruction = {id(run.instruction): run for run in view.runs}
        view._families = self._families
        return view

    def family(self, stage: Stage) -> str | None:
        """`users.distro_family` of the stage's base image (worked out once per stage)."""
        if stage.index not in self._families:
            self._families[stage.index] = users.distro_family(_image_of(stage), stage.base_name)
        return self._families[stage.index]

    def lines_mounting(self, cache_id: str) -> list[int]:
        """The first lines of the RUNs with a cache mount of this id, ascending, each once
        (indexed once per file)."""
        if self._by_cache_id is None:
            self._by_cache_id = {}
            for run in self.runs:
                for mount in run.cache_mounts:
                    if mount.id is not None:
                        lines = self._by_cache_id.setdefault(mount.id, [])
                        if not lines or lines[-1] != run.instruction.start_line:
                            lines.append(run.instruction.start_line)
        return self._by_cache_id.get(cache_id, [])


class PassMemo:
    """What one check of a file works out once for all the fix loop's passes.

    The fix loop analyses a file again after every pass, but a fix changes a few
    instructions and leaves the rest, so the next pass takes again what its inputs
    decide where they are the same objects:
    - `scripts`: shell code read, by (kind, code, argv), and the installer calls of each
      script read, by the script's id;
    - `states`: the stage walker's states (`stages._Walker`), so that a state is the
      same object where the text before it did not change;
    - `facts`: from those states, the filesystem after each RUN (a user replay, a pip
      or apt config write) and the RUN's facts, by the RUN's id, and the RUN's user and
      HOME and where each call caches, by the ids of what they come from.
    An entry holds the objects whose ids key it, so that an id stays their own while the
    entry lives. An instruction the last pass had too, kept or only moved by the
    reparse (`Dockerfile.moved`), at the same line (messages name lines), from
    the same state and filesystem objects, gets the same results; one that is the same
    object (before the first edit) keeps all its facts (`RunFacts.again`). A step worked out
    again is given the last pass's object where the two are equal, so that what follows
    it is found again too (`_same_as_before`).
    """

    __slots__ = ("scripts", "states", "facts")

    def __init__(self) -> None:
        self.scripts: dict[object, object] = {}
        self.states: dict[object, object] = {}
        self.facts: dict[object, object] = {}

    def clear(self) -> None:
        """Drop it all once the check is done. The RUN facts it keeps for the next pass
        refer back to it, a cycle that only the garbage collector would otherwise free."""
        self.scripts.clear()
        self.states.clear()
        self.facts.clear()


def _installer_calls(script: Script, memo: PassMemo | None) -> tuple[InstallerCall, ...]:
    if memo is None:
        return find_installer_calls(script)
    key = id(script)  # the script itself is kept in `memo.scripts`, so its id stays its own
    found = memo.scripts.get(key)
    if found is None:
        found = memo.scripts[key] = find_installer_calls(script)
    return found  # type: ignore[return-value]


def analyse(tree: Dockerfile, build_args: Mapping[str, str] | None = None, memo: PassMemo | None = None) -> FileFacts:
    """Analyse a parsed Dockerfile; cheap parts eagerly, shell-level facts on demand.

    `memo` is kept by the caller across the fix loop's passes over one file (`PassMemo`).
    """
    stages = analyse_stages(tree, build_args, memo.states if memo is not None else None)
    facts = FileFacts(tree, stages)
    tracks: dict[int, Filesystem] = {}
    stage_of, state_before = stages.stage_of, stages.state_before
    for instruction in tree.instructions:
        if instruction.keyword not in _FILESYSTEM_STEPS:
            continue  # leaves the filesystem alone (an ONBUILD step runs in other images)
        stage = stage_of.get(id(instruction))
        state = state_before.get(id(instruction))
        if stage is None or state is None:
            continue
        track = tracks.get(stage.index) or _initial_filesystem(stage, tracks)
        tracks[stage.index] = _step(facts, instruction, stage, state, track, memo)
    return facts


def _step(
    facts: FileFacts, instruction: Instruction, stage: Stage, state: State, track: Filesystem, memo: PassMemo | None
) -> Filesystem:
    """Record a RUN's facts and return the filesystem after the instruction: the last
    pass's object where the step and what it starts from are the same (`PassMemo`)."""
    keyword = instruction.keyword
    if keyword == "FROM":
        return track  # the stage's starting filesystem, already made
    if keyword != "RUN":
        after = _after(facts, instruction, stage, state, track, None)  # cheap: worked out again
        if memo is None or after is track:
            return after
        return _same_as_before(memo, ("track at", instruction.start_line), after)
    if memo is None:
        return _after(facts, instruction, stage, state, track, _new_run(facts, instruction, stage, state, track, None))
    moved = facts.tree.moved
    before = moved.get(id(instruction), instruction) if moved else instruction
    found = memo.facts.get(id(before))
    if (found is not None and found[0] is before and found[1] is track and found[2] is state
            and before.start_line == instruction.start_line):  # fmt: skip
        if before is instruction:  # not even moved: all the last pass found in it still holds
            run = _recorded(facts, found[4].again(stage))  # type: ignore[index]
        else:
            run = _new_run(facts, instruction, stage, state, track, memo)
        after = found[3]  # type: ignore[index]
    else:
        run = _new_run(facts, instruction, stage, state, track, memo)
        script = run.script
        key = ("after run", script.kind, script.code, script.argv, id(track), id(state), instruction.start_line)
        known = memo.facts.get(key)
        if known is not None and known[0] is track and known[1] is state:
            after = known[2]
        else:
            after = _after(facts, instruction, stage, state, track, run)
            if after is not track:
                after = _same_as_before(memo, ("track at", instruction.start_line), after)
            memo.facts[key] = (track, state, after)
    memo.facts[id(instruction)] = (instruction, track, state, after, run)
    return after  # type: ignore[no-any-return]


def _new_run(
    facts: FileFacts, instruction: Instruction, stage: Stage, state: State, track: Filesystem, memo: PassMemo | None
) -> RunFacts:
    return _recorded(facts, RunFacts(instruction, stage, state, track, run_script(instruction), facts.tree.escape, memo))


def _recorded(facts: FileFacts, run: RunFacts) -> RunFacts:
    """`run`, listed in the file's facts."""
    facts.runs.append(run)
    facts._by_instruction[id(run.instruction)] = run
    return run


def _same_as_before(memo: PassMemo, place: tuple[object, ...], value: _T) -> _T:
    """`value`, or the equal object the last pass got at the same place (a step whose
    input changed but whose result did not: a fix that edits a RUN's command)."""
    before = memo.facts.get(place)
    if before is not None and before == value:
        return before  # type: ignore[return-value]
    memo.facts[place] = value
    return value


def _after(
    facts: FileFacts, instruction: Instruction, stage: Stage, state: State, track: Filesystem, run: RunFacts | None
) -> Filesystem:
    """The filesystem after a WORKDIR, COPY, ADD or RUN (`run`: its facts)."""
    keyword = instruction.keyword
    if keyword == "WORKDIR":
        return _after_workdir(facts.stages, instruction, track)
    if keyword in ("COPY", "ADD"):
        if instruction.flags and any(flag.name in ("chown", "chmod") for flag in instruction.flags):
            destination = copy_destination(instruction, state)
            track = track.with_owners_changed() if destination is None else track.with_copy_owned(destination)
        if _may_copy_apt_config(instruction, state):
            track = track._replace(apt=aptconf.after_copy(track.apt, copy_destination(instruction, state) or "/"))
        return _after_copy(instruction, track)
    assert run is not None
    if _may_write_pip_config(run):
        track = _after_pip_config_writes(run, track)
    if aptconf.may_change(run.text):
        origin = Origin(f"RUN at line {instruction.start_line}", instruction.start_line)
        track = track._replace(apt=aptconf.after_run(track.apt, run.shell, origin) if run.shell else aptconf.AptConfig(None))
    if _OWNERSHIP_HINT.search(run.text):
        track = track.with_owners_changed()
    if users.may_change_accounts(run.text, run.unquoted) and run.shell is not None:
        origin = Origin(f"RUN at line {instruction.start_line}", instruction.start_line)
        run_uid = run.user.value.uid if isinstance(run.user, Known) else None
        values, doubtful = _shell_variables(run)
        passwd = users.apply_user_commands(
            track.passwd, run.shell, facts.family(stage), origin,
            env=values, workdir=state.workdir.value, run_uid=run_uid, doubtful=doubtful,
        )  # fmt: skip
        if passwd is not track.passwd:
            track = track.with_passwd(passwd)
    return track


def _shell_variables(run: RunFacts) -> tuple[dict[str, str], dict[str, Origin]]:
    """The stage's variables as the RUN's shell sees them, and those a build argument
    decides, with their origins.

    BuildKit puts every ARG value into the RUN's environment, so the shell reads the
    default (or the `--build-arg`) for `useradd -u $UID`. bash sets some names itself
    (`UID` and `EUID` are the running user's, read-only), whatever the environment says:
    under a bash SHELL those are left out.
    """
    values, doubtful = run.state.values(), run.state.doubtful()
    if run.state.shell[0].rpartition("/")[2] == "bash":
        values = {name: value for name, value in values.items() if name not in _BASH_OWN}
        doubtful = {name: origin for name, origin in doubtful.items() if name in values}
    return values, doubtful


def _may_write_pip_config(run: RunFacts) -> bool:
    """Whether the RUN may write pip config files: as `pipconf` reads them in shell code,
    or, for a script in another language, as far as its text mentions them."""
    if not run.posix:
        return _PIP_CONFIG_HINT.search(run.text) is not None
    return pipconf.may_write_pip_config(run.text, run.unquoted)


def copy_destination(instruction: Instruction, state: State) -> str | None:
    """Where a COPY/ADD writes, absolute and normalised; None when that cannot be read
    here (a variable, a relative path under a WORKDIR a build argument decides)."""
    if not instruction.value:
        return None
    destination = instruction.value[-1]
    if "$" in destination or (not destination.startswith("/") and not state.workdir.certain):
        return None
    return posixpath.normpath(posixpath.join(state.workdir.value, destination))


def _may_copy_apt_config(instruction: Instruction, state: State) -> bool:
    """Whether a COPY/ADD may write apt's configuration: its destination is in /etc/apt,
    is /etc or the root, holds a variable, or is relative to a WORKDIR under /etc."""
    destination = instruction.value[-1] if instruction.value else ""
    if "$" in destination or destination.rstrip("/") in ("", "/etc") or aptconf.may_change(destination):
        return True
    return not destination.startswith("/") and state.workdir.value.startswith("/etc")


def _after_copy(instruction: Instruction, track: Filesystem) -> Filesystem:
    """A COPY/ADD may write pip config: read a heredoc source, give up on build-context files."""
    if not instruction.value or (not instruction.heredocs and not any("pip" in word for word in instruction.value)):
        return track  # only a heredoc, a pip.conf or a destination under a /pip directory matter
    destination = instruction.value[-1]
    heredocs = {heredoc.name: heredoc for heredoc in instruction.heredocs}
    for source in instruction.value[:-1]:
        name = source.lstrip("0123456789").lstrip("<-").strip("'\"")
        target = posixpath.join(destination, posixpath.basename(source)) if destination.endswith("/") else destination
        if name in heredocs and source.lstrip("0123456789").startswith("<<"):
            if not pipconf.is_pip_config_path(target):
                continue
            origin = Origin(f"COPY <<{name} {destination}", instruction.start_line)
            found = pipconf.parse_ini(heredocs[name].content, target, origin)
            if found is None:
                return track._replace(pip_config_known=False)
            track = track._replace(pip_settings=track.pip_settings + found)
        elif pipconf.is_pip_config_path(target) or "/pip" in destination:
            return track._replace(pip_config_known=False)
    return track


def _after_pip_config_writes(run: RunFacts, track: Filesystem) -> Filesystem:
    """Settings a RUN writes into pip config files (`pip config set`, `echo > pip.conf`...)."""
    script = run.shell
    if script is None:
        return track._replace(pip_config_known=False)
    home = run.home.value if isinstance(run.home, Known) else None
    origin = Origin(f"RUN at line {run.instruction.start_line}", run.instruction.start_line)
    writes = pipconf.pip_config_writes(script, home, origin, run.calls)
    return track._replace(
        pip_settings=track.pip_settings + writes.settings,
        pip_config_known=track.pip_config_known and writes.understood,
    )


def _after_workdir(stages: StagesResult, instruction: Instruction, track: Filesystem) -> Filesystem:
    """WORKDIR creates its directory, owned by the current USER, unless it already exists.

    Known to exist: a directory an earlier WORKDIR made, a standard top-level directory,
    and a home that useradd created; BuildKit's mkdir leaves those as they are.
    """
    state = stages.state(instruction)
    after = stages.state_after(instruction)
    if state is None or after is None:
        return track
    path = after.workdir.value
    exists = (
        path in track.directories
        or path in _STANDARD_DIRECTORIES
        or any(account.home == path and account.home_exists for account in track.passwd.accounts)
    )
    if exists:
        return track
    written = state.user.value if state.user is not None else None
    owner = users.resolve_user(track.passwd, written).uid if "user" not in state.unknown or written else None
    directories = dict(track.directories)
    directories[path] = owner
    return track._replace(directories=directories)


def _initial_filesystem(stage: Stage, tracks: dict[int, Filesystem]) -> Filesystem:
    if stage.base_stage is not None and stage.base_stage.index in tracks:
        return tracks[stage.base_stage.index]
    if stage.image is None:
        return _UNKNOWN_IMAGE_FILESYSTEM
    return _image_filesystem(stage.base_name, stage.instruction.start_line)


_UNKNOWN_IMAGE_FILESYSTEM = Filesystem(users.Passwd(), _NO_DIRECTORIES, (), False)  # an unknown image: nothing known


@lru_cache(maxsize=1024)
def _image_filesystem(base_name: str, line: int) -> Filesystem:
    """The filesystem of a stage FROM a known image (`images.lookup(base_name)`).

    Built once per image and line: a Debian-based image brings some twenty accounts, and
    a repository's Dockerfiles mostly start from a few images near the top. Everything in
    it is immutable, so every stage may share it.
    """
    image = images.lookup(base_name)
    assert image is not None  # only asked for stages whose image is known
    origin = Origin(f"base image {base_name}", line)
    settings = tuple(caches.PipSetting.from_image(setting) for setting in image.pip_config)
    return Filesystem(users.Passwd.from_image(image, origin), _NO_DIRECTORIES, settings, image.knows("pip_config"),
                      apt=aptconf.AptConfig.of_image(image.apt_clean_hook))  # fmt: skip


def _image_of(stage: Stage):  # type: ignore[no-untyped-def]
    """The base image facts of a stage, following FROM <stage> chains."""
    while stage.base_stage is not None:
        stage = stage.base_stage
    return stage.image


def _is_posix(script: RunScript, state: State) -> bool:
    """Whether a POSIX shell runs the script: the stage's SHELL, or its `#!` line."""
    if script.kind == "exec":
        return True
    if script.kind == "shebang":
        interpreter = script.code.split("\n", 1)[0][2:].split()
        return bool(interpreter) and posixpath.basename(
            interpreter[-1] if interpreter[0].endswith("env") else interpreter[0]
        ) in _POSIX_SHELLS
    return state.shell[0].rpartition("/")[2] in _POSIX_SHELLS  # posixpath.basename, without its call overhead


def _parse_run(script: RunScript) -> Script:
    """The commands of a script a POSIX shell runs."""
    if script.kind == "exec":
        return script_from_argv(script.argv)
    if script.kind == "shebang":
        return parse_script(script.code.split("\n", 1)[1] if "\n" in script.code else "")
    return parse_script(script.code)


def describe_user(user: users.ResolvedUser) -> str:
    """`appuser (uid 1000)`, `uid 1234`, or the name alone when its uid is unknown."""
    if user.name and user.uid is not None:
        return f"{user.name} (uid {user.uid})"
    if user.name:
        return user.name
    return f"uid {user.uid}"


def _resolve_user(state: State, passwd: users.Passwd) -> Fact[users.ResolvedUser]:
    if state.user is None and "user" in state.unknown:
        return Unknown(f"the base image {state.base_name}'s config User is not known")
    written = state.user.value if state.user is not None else None
    resolved = users.resolve_user(passwd, written)
    origin = state.user.origin if state.user is not None else Origin("no USER: root")
    if resolved.error:
        return Unknown(f"BuildKit fails this step: {resolved.error}")
    if resolved.uid is None and resolved.home is None:
        return Unknown(resolved.reason or f"user {written} is not known")
    certain = resolved.certain and (state.user is None or state.user.certain)
    return Known(resolved, origin, certain)


def _runtime_home(state: State, user: Fact[users.ResolvedUser], passwd: users.Passwd) -> Fact[str]:
    home = state.env.get("HOME")
    if home is not None and home.value:
        return home
    if "env" in state.unknown:
        return Unknown(f"the base image {state.base_name}'s config Env is not fully known; it may set HOME")
    if isinstance(user, Unknown):
        return Unknown(user.reason)
    if user.value.home is None:
        return Unknown(user.value.reason)
    account = user.value.account
    if account is None:
        origin = Origin(f"runc's default for {describe_user(user.value)}, which has no /etc/passwd entry")
    else:
        origin = Origin(f"home of {describe_user(user.value)} in /etc/passwd")
    return Known(user.value.home, origin, user.certain or account_stays(state, user.value, passwd, ("home",)))


def account_stays(state: State, user: users.ResolvedUser, passwd: users.Passwd, fields: tuple[str, ...]) -> bool:
    """Whether `fields` of the `USER`'s account are certain though the user is not: the
    `USER` is fixed, no command may have changed the accounts unseen, and what a build
    argument decides about the account is none of them (`useradd -u $UID app`: the uid
    follows the argument, /home/app does not)."""
    account = user.account
    fixed = (state.user is None or state.user.certain) and not passwd.doubts
    return fixed and account is not None and not account.certain and not set(fields) & set(account.varies)


def _command_environment(
    run: RunFacts, context: CommandContext, call: InstallerCall
) -> tuple[caches.EnvView, str | None, str, Fact[users.ResolvedUser]]:
    """The environment, HOME and user one command runs with, after the shell's changes.

    The RUN's process starts with the stage environment plus the HOME runc set; then the
    script's statements, prefixes and wrappers apply in order (`export`, `HOME=/x cmd`,
    `env -i`, `su`/`gosu` resetting HOME to the target's home, sudo making it unknown).
    """
    state = run.state
    user = run.user
    if context.user is not None:
        user = _switched_user(run.passwd, context.user.user, context.user.tool)
    variables, unknown = run.process_environment()
    cleared: Origin | None = None
    if context.env:
        variables, unknown = dict(variables), dict(unknown)
        cleared = _apply_env_changes(run, context, variables, unknown)
    home_value: str | None = None
    home_reason = unknown.get("HOME", "")
    if "HOME" in variables and variables["HOME"].value:
        home_value, home_reason = variables["HOME"].value, str(variables["HOME"].origin)
    elif "HOME" not in unknown and isinstance(user, Known) and user.value.home is not None:
        home_value, home_reason = user.value.home, f"home of {describe_user(user.value)} in /etc/passwd"
    elif not home_reason:
        home_reason = user.reason if isinstance(user, Unknown) else "HOME is not set and the user's home is unknown"
    expanded = [option for option in call.options if option.value and option.value_span and "$" in option.value]
    values = {name: variable.value for name, variable in variables.items()} if expanded else {}
    expansions = {
        option.value_span: Known(value, Origin(f"`{option.written}` on the command line"), static)
        for option in expanded
        for value, static in [expand_shell_value(option.value, values)]
        if static
    }
    view = caches.EnvView(variables, "env" not in state.unknown, cleared, expansions)
    return view, home_value, home_reason, user


def _apply_env_changes(
    run: RunFacts, context: CommandContext, variables: dict[str, Known[str]], unknown: dict[str, str]
) -> Origin | None:
    """Apply the script's statements, prefixes and wrappers before a command, in order;
    return where the environment was emptied, if it was."""
    cleared: Origin | None = None
    for change in context.env:
        origin = Origin(change.origin, run.instruction.start_line)
        if change.name == "*":
            variables.clear()
            unknown.clear()
            cleared = origin
            if change.kind == "unknown":
                unknown["HOME"] = f"{change.origin} may reset the environment"
            continue
        if change.kind == "set" and change.value is not None:
            if not change.exported and change.name not in variables:
                continue
            value, static = expand_shell_value(change.value, {k: v.value for k, v in variables.items()})
            variables[change.name] = Known(value, origin, static)
            unknown.pop(change.name, None)
        elif change.kind == "unset":
            variables.pop(change.name, None)
        elif change.kind == "home-of" and change.value is not None:
            target = _switched_user(run.passwd, change.value, change.origin)
            variables.pop("HOME", None)
            if isinstance(target, Known) and target.value.home is not None:
                variables["HOME"] = Known(target.value.home, Origin(f"{change.origin}: home of {change.value}"), target.certain)
            else:
                unknown["HOME"] = f"{change.origin} sets HOME to the home of {change.value}, which is unknown"
        else:
            variables.pop(change.name, None)
            unknown[change.name] = f"{change.origin} may change {change.name}"
    return cleared


def _switched_user(passwd: users.Passwd, written: str, tool: str) -> Fact[users.ResolvedUser]:
    resolved = users.resolve_user(passwd, written)
    if resolved.error or (resolved.uid is None and resolved.home is None):
        return Unknown(resolved.error or resolved.reason or f"user {written} is not known")
    return Known(resolved, Origin(f"{tool} {written}"), resolved.certain)


def _pip_config(run: RunFacts, without_keys: frozenset[str] = frozenset()) -> caches.PipConfigView:
    """The pip config files known to exist where the RUN runs (minus some keys, for "what if")."""
    if not without_keys:
        return run.pip_config_view()
    files = run.filesystem.pip_settings
    settings = tuple(s for s in files if s.key.lower().replace("_", "-") not in without_keys)
    return caches.PipConfigView(settings, run.filesystem.pip_config_known, frozenset(s.path for s in files))


def _check_writable(
    resolution: caches.CacheResolution, user: Fact[users.ResolvedUser], mount: Mount | None, run: RunFacts
) -> caches.CacheResolution:
    """A cache the user may not write is no cache (semantics §2.2, §3.4).

    pip warns and disables it, and so does the pip pipenv runs; uv, poetry and pdm stop
    with a permission error, so the build fails. Either way the mount does nothing.
    """
    if resolution.status != "enabled" or resolution.tool not in _WRITE_CHECKED or resolution.directory is None:
        return resolution
    allowed, why = write_access(resolution.directory, user, mount, run, resolution.tool)
    if allowed is None:
        return resolution._replace(certain=False, reason=f"{resolution.reason}; {why}")
    if allowed:
        return resolution
    return resolution._replace(
        status="disabled",
        decided_by="not-writable",
        reason=f"{resolution.reason}, but {why}, so {_WRITE_CHECKED[resolution.tool]}",
    )


def write_access(
    directory: str, user: Fact[users.ResolvedUser], mount: Mount | None, run: RunFacts, tool: str = "pip"
) -> tuple[bool | None, str]:
    """Whether `user` may keep `tool`'s cache in `directory`, and why (None: unknown).

    The first existing directory decides: another user than root needs write access;
    root may write anywhere, but pip as root also insists that root owns it (pip's
    `check_path_owner`). On a cache mount that directory is the mount root, owned by the
    mount's uid/gid with its mode (0:0 0755 by default) when first created.
    """
    if isinstance(user, Unknown):
        return None, f"whether the user may write it is unknown: {user.reason}"
    who = describe_user(user.value)
    uid, gid = user.value.uid, user.value.gid
    if uid is None and user.value.name in (None, "root"):
        return None, f"the uid of {who} is unknown"
    own = user.value.account
    if mount is None and own is not None and own.home_exists and own.home and _within(directory, own.home):
        if own.home_owner_uid is None or own.home_owner_uid == uid:
            return True, f"{own.home} is the home the account tools made for {who}"
    if mount is not None:
        owner, group, mode = mount.uid, mount.gid, mount.mode
        where = f"the cache mount at {mount.target} (owned by {owner}:{group}, mode {mode:04o})"
    else:
        on_disk = _owner_on_disk(directory, run)
        if on_disk is None:
            return (True, f"{who} is root") if uid == 0 else (None, f"whether {who} may write {directory} is unknown")
        owner, group, mode, where = on_disk
    if uid == 0:
        if owner == 0 or tool not in _OWNER_CHECKED:
            return True, f"{where} is writable for root"
        return False, f"{where} is not root's: pip running as root only uses a cache whose first existing directory root owns"
    # A named account without a known uid was made by useradd/adduser: not uid 0.
    allowed = (
        (uid is not None and owner == uid and bool(mode & 0o200))
        or (gid is not None and group == gid and bool(mode & 0o020))
        or bool(mode & 0o002)
    )
    if allowed:
        closed = _closed_ancestor(directory, run)
        if closed is not None:
            return False, f"{closed} cannot be entered by {who}"
        return True, f"{where} is writable for {who}"
    if uid is None and owner != 0:
        return None, f"the uid of {who} is unknown"
    return False, f"{where} is not writable for {who}"


def _closed_ancestor(directory: str, run: RunFacts) -> str | None:
    """A directory above `directory` that only root may enter, as a description; None if none is known.

    Writing a directory needs every directory above it to be entered: a cache under
    `/root` (mode 0700 in Debian, Ubuntu and Alpine alike) is out of another user's
    reach whoever owns the cache itself. Once a step may have changed modes, nothing is
    claimed.
    """
    for path, mode in _CLOSED_DIRECTORIES:
        if directory.startswith(path + "/"):
            return None if run.filesystem.may_have_changed(path) else f"{path} (owned by root, mode {mode:04o})"
    return None


def _within(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip("/") + "/")


def _owner_on_disk(directory: str, run: RunFacts) -> tuple[int, int, int, str] | None:
    """(owner, group, mode, description) of the first existing ancestor, where known.

    Known: directories WORKDIR created, a home directory from passwd facts (existing,
    with its owner), its parent when it does not exist (`/home`, `/`: root-owned,
    0755), and the standard top-level directories.
    """
    directories = run.filesystem.directories
    for path in sorted(directories, key=len, reverse=True):
        if directory == path or directory.startswith(path.rstrip("/") + "/"):
            owner = directories[path]
            return None if owner is None else (owner, 0, 0o755, f"{path} (created by WORKDIR, owned by uid {owner})")
    for account in run.passwd.accounts:
        if account.home is None:
            continue  # a home not known (`adduser --system` of an adduser version not known) owns nothing known
        home = account.home.rstrip("/") or "/"
        if home != "/" and (directory == home or directory.startswith(home + "/")):
            if account.home_exists and account.home_owner_uid is not None:
                return account.home_owner_uid, account.gid or 0, 0o755, f"{home} (home of {account.name})"
            if account.home_exists is False:
                parent = posixpath.dirname(home)
                return 0, 0, 0o755, f"{parent} ({home}, the home of {account.name}, does not exist)"
    top = "/" + directory.strip("/").split("/", 1)[0] if directory != "/" else "/"
    if top in _STANDARD_DIRECTORIES:
        owner, mode = _STANDARD_DIRECTORIES[top]
        return owner, 0, mode, f"{top} (owned by root, mode {mode:04o})"
    if run.filesystem.may_have_made(top):
        return None
    return 0, 0, 0o755, f"{top} (missing, or created by root: no step of the build gave it to another user)"


def _command_cwd(state: State, context: CommandContext) -> str:
    cwd = state.workdir.value
    for directory in context.directories:
        cwd = posixpath.normpath(posixpath.join(cwd, directory))
    return cwd


def _covering_mount(resolution: caches.CacheResolution, mounts: tuple[Mount, ...]) -> Mount | None:
    """The last cache mount covering the cache directory (a later mount shadows earlier ones)."""
    if resolution.directory is None or not mounts:
        return None
    covering = [mount for mount in mounts if mount.covers(resolution.directory)]
    return max(covering, key=lambda mount: len(mount.target or ""), default=None)


def _mount_status(resolution: caches.CacheResolution, mount: Mount | None, mounts: tuple[Mount, ...]) -> str:
    if not mounts:
        return "none"
    if resolution.status == "disabled":
        return "disabled"
    if resolution.status == "unknown":
        return "unknown"
    return "hit" if mount is not None else "miss"


def expand_shell_value(value: str, values: Mapping[str, str]) -> tuple[str, bool]:
    """A shell word's value with `$VAR` expanded from the environment; False if not static.

    Simple `$VAR`/`${VAR:-x}` forms expand the same in sh and in BuildKit's lexer;
    command substitutions and variables the environment does not hold are not static.
    """
    if "$(" in value or "`" in value:
        return value, False
    lexer = Lexer()
    try:
        expanded = lexer.process_word(value, values)
    except LexError:
        return value, False
    return expanded, not lexer.unmatched
