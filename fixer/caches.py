"""Where one installer call keeps its cache, or why it keeps none.

A cache mount helps only if the tool reads and writes its cache in the mounted
directory, and the tools decide that in surprising ways: pip disables its cache for
`PIP_NO_CACHE_DIR=off` (every valid boolean disables), a config file's `no-cache-dir`
beats `PIP_CACHE_DIR`, and only a command-line `--cache-dir` beats that; uv parses the
same kind of value as a real boolean; poetry's `--no-cache` still fills the artifacts
cache; `apt` (unlike `apt-get`) deletes what it downloaded. `resolve_cache` answers the
question for one call from what the caller knows about that command (its environment,
HOME, working directory and config files) and says which value decided, where it came
from, and whether something unseen could change the answer.

It reads nothing from disk and runs no tool. The rules it follows, from the sources:
- pip 26.3: `cli/parser.py` `_update_defaults` (sections `[global]`, `[<command>]`,
  then environment; a callback `no-cache-dir` re-applied last), `configuration.py`
  (which files, in which order), `cli/cmdoptions.py` `_handle_no_cache_dir`,
  `utils/misc.py` `strtobool`, vendored platformdirs 4.12.4 `_xdg.py`.
- uv @26a9dd4: `uv-cache/src/cli.rs` (`--no-cache` first, then `--cache-dir`/
  `UV_CACHE_DIR`), `uv/src/settings.rs` `CacheSettings::resolve`, clap's
  `BoolishValueParser` and `PathBufValueParser` (empty values are errors), etcetera.
- poetry @f467023: `locations.py`, `config/config.py`, `utils/env/env_manager.py`,
  `installation/executor.py` (the artifact cache ignores `--no-cache`).
- pipenv @3f1b272: `environments.py`, `utils/pip.py` (its pip runs with
  `PIP_CACHE_DIR`, `PIP_CONFIG_FILE=/dev/null` and the rest of pipenv's environment).
- pdm @a7e9d00: `project/config.py`, `cli/options.py`, `core.py`.
- apt 2.6: `Configuration::FindFile`, apt-private `ParseCommandLine` (`Binary::apt`
  defaults), Debian images' `/etc/apt/apt.conf.d/docker-clean`.

Whether the running user may write the directory (pip silently disables a cache it
does not own) depends on the mount and the user, and is checked by the caller.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Literal

from .facts import Known, Origin
from .images import PipConfigFile
from .installers import InstallerCall, ParsedOption
from .records import NamedTuple
from .shell import EnvChange, Span

__all__ = [
    "CacheResolution",
    "Cause",
    "EnvView",
    "PipConfigView",
    "PipSetting",
    "Status",
    "ToolConfig",
    "resolve_cache",
]

Status = Literal["enabled", "disabled", "unknown"]
# The default of the mapping fields below: read-only, so that one object can be shared.
_NOTHING: Mapping = MappingProxyType({})


# --------------------------------------------------------------------------- inputs


class EnvView(NamedTuple):
    """The environment one command runs with, as far as the caller knows it.

    `variables` holds each variable's effective value for this command (image config,
    ENV/ARG, `export`, `VAR=x cmd` prefixes, wrappers such as `env`, all applied).
    `complete` is False when variables may exist that are not listed (a base image
    whose environment is not known). `cleared` is where the environment was emptied
    (`env -i`), if it was: then only the listed variables exist.
    `expansions` maps the span of an option's value (`ParsedOption.value_span`) to
    what the shell made of it, for words with `$`: the shell expands them with its
    own variables before the tool starts, so the caller resolves them or nobody can.
    """

    variables: Mapping[str, Known[str]] = _NOTHING
    complete: bool = True
    cleared: Origin | None = None
    expansions: Mapping[Span, Known[str]] = _NOTHING

    def get(self, name: str) -> Known[str] | None:
        return self.variables.get(name)

    @property
    def exhaustive(self) -> bool:
        """Whether a variable missing from `variables` is certainly unset."""
        return self.complete or self.cleared is not None


class PipSetting(NamedTuple):
    """One `key = value` in a section of a pip config file (path absolute)."""

    path: str
    section: str
    key: str
    value: str
    origin: Origin
    certain: bool = True

    @classmethod
    def from_image(cls, setting: PipConfigFile) -> PipSetting:
        """A setting a base image ships, with its documented source as origin."""
        origin = Origin(setting.source or "the base image")
        return cls(setting.path, setting.section, setting.key, setting.value, origin)


class PipConfigView(NamedTuple):
    """The pip config files that exist where a command runs, as far as they are known.

    `settings` are the settings of every file known (from the image, and files the
    Dockerfile wrote), in file order. `known` says no other config file exists; a file
    that exists without settings of interest is listed in `files` (PIP_CONFIG_FILE
    naming an existing file makes pip skip the user files). `prefix` is `sys.prefix` of
    the Python that runs pip (its site file is `<prefix>/pip.conf`); when None it is
    taken from an absolute program path (`/opt/venv/bin/pip` -> `/opt/venv`).
    """

    settings: tuple[PipSetting, ...] = ()
    known: bool = True
    files: frozenset[str] = frozenset()
    prefix: str | None = None


class ToolConfig(NamedTuple):
    """Settings from a tool's own config files, by the tool's key, as far as read.

    uv: `cache-dir`, `no-cache`, `link-mode` (uv.toml, `[tool.uv]` of pyproject.toml,
    user and system uv.toml, merged as uv does). poetry: `cache-dir`,
    `virtualenvs.create`, `virtualenvs.in-project`, `virtualenvs.path` (config.toml,
    poetry.toml). pdm: `cache_dir`. apt: option names such as `Dir::Cache` or
    `APT::Keep-Downloaded-Packages` from apt.conf(.d) (case-insensitive, as in apt).
    Paths should be absolute; relative ones are taken from the working directory.
    Passing None means the files were not read: answers that such a file could change
    are then not certain.
    """

    settings: Mapping[str, Known[str]] = _NOTHING
    known: bool = True


# --------------------------------------------------------------------------- result


class Cause(NamedTuple):
    """Another value that would decide the same way on its own (a fix must remove it too)."""

    decided_by: str
    text: str
    origin: Origin | None


class CacheResolution(NamedTuple):
    """Where one installer call caches, or why it does not, and how sure that is.

    `status` is 'enabled' (the tool uses `directory`, absolute and normalised),
    'disabled' (it uses no persistent cache: a mount there does nothing) or 'unknown'
    (`reason` says why; also when the tool would exit with an error). `decided_by`
    names the level that decided, whatever the tool's spelling: 'cli-cache-dir',
    'cli-no-cache-dir', 'env-cache-dir', 'env-no-cache-dir', 'config-cache-dir',
    'config-no-cache-dir', 'xdg-cache-home', 'home', 'default' (apt), 'apt-clean-hook',
    'apt-keep-downloaded', 'invalid-value', 'command-error', 'shell-expansion'.
    `certain` is also False when only an older version of the tool takes the command line
    (`InstallerCall.version_dependent`; the reason says which versions).
    `option` is the command-line option that decided, so a fix can edit its span;
    `also` lists further values that disable the cache on their own.
    `uses_cache` says whether this subcommand reads or writes the cache at all.
    uv: `link_mode` is the effective `--link-mode`/`UV_LINK_MODE`/`link-mode`, if set.
    poetry: `virtualenvs_path` is where it creates virtualenvs when it does, and
    `virtualenvs_in_cache` whether that is inside the cache directory (None: unknown).
    `doubts` are what makes the answer uncertain besides the values it was given (a
    settings file that was not read, the tool's version); values a build argument decides
    are not among them (their `Known.certain` says so).
    """

    tool: str
    status: Status
    directory: str | None
    reason: str
    origin: Origin | None
    certain: bool
    decided_by: str
    uses_cache: bool = True
    option: ParsedOption | None = None
    also: tuple[Cause, ...] = ()
    link_mode: Known[str] | None = None
    virtualenvs_in_cache: bool | None = None
    virtualenvs_path: str | None = None
    doubts: tuple[str, ...] = ()


def resolve_cache(
    call: InstallerCall,
    env: EnvView,
    home: str | None,
    home_reason: str,
    cwd: str,
    cwd_certain: bool,
    config: PipConfigView,
    *,
    tool_config: ToolConfig | None = None,
    apt_clean_hook: bool | None = None,
) -> CacheResolution:
    """Where `call` caches, given the command's environment, HOME, working directory
    and config files.

    `home` is the HOME the command runs with (None when unknown, `home_reason` says
    why; otherwise it may say where HOME comes from). `cwd` is the absolute working
    directory; `cwd_certain` is False when a build argument could change it.
    `config` is pip's config files, `tool_config` the tool's own config files for
    uv, poetry, pdm and apt (None: not read), and `apt_clean_hook`
    whether the image's docker-clean hook deletes downloaded packages (None: unknown).
    """
    ctx = _Context(call, env, home, home_reason, cwd, cwd_certain)
    if call.errors:
        problems = "; ".join(error.message for error in call.errors)
        decision = _Decision("unknown", None, "command-error", f"{call.tool} rejects this "
                             f"command line ({problems}), so it never runs", None, exposed=False)
        return _finish(call.tool, decision, _uses_cache(call), ())
    if call.tool == "pip":
        resolution = _pip(ctx, config)
    elif call.tool == "uv":
        resolution = _uv(ctx, tool_config)
    elif call.tool == "poetry":
        resolution = _poetry(ctx, tool_config)
    elif call.tool == "pipenv":
        resolution = _pipenv(ctx)
    elif call.tool == "pdm":
        resolution = _pdm(ctx, tool_config)
    else:
        resolution = _apt(ctx, tool_config, apt_clean_hook)
    return _version_dependent(resolution, call)


def _version_dependent(resolution: CacheResolution, call: InstallerCall) -> CacheResolution:
    """`resolution`, not certain if only an older version of the tool takes the command line.

    The option tables follow the tool's newest version, and which version a Dockerfile
    installs is not known. A word that the newest version rejects but an older one takes
    (`pip install --global x`: `--global-option` until pip 25.3) is not a certain
    error: the call is read as that older version reads it (installers.py) and resolved
    as usual, so the answer says where the cache is when the command runs; it holds only
    under such a version, so it is not certain, and says which versions take the word.
    """
    if not call.version_dependent:
        return resolution
    problems = "; ".join(note.message for note in call.version_dependent)
    doubt = f"the {call.tool} version decides whether it runs ({problems})"
    return resolution._replace(certain=False, reason=f"{resolution.reason}; not certain: {doubt}",
                               doubts=resolution.doubts + (doubt,))


# --------------------------------------------------------------------------- shared


class _Decision(NamedTuple):
    """What decided, before the notes about unseen settings are added.

    `exposed` says whether settings nobody could see (an unknown environment or
    config file) could change the answer: they can re-point or disable an enabled
    cache, but not re-enable a disabled one (except where noted).
    """

    status: Status
    directory: str | None
    decided_by: str
    reason: str
    origin: Origin | None
    certain: bool = True
    option: ParsedOption | None = None
    also: tuple[Cause, ...] = ()
    exposed: bool | None = None


def _finish(tool: str, decision: _Decision, uses_cache: bool, unseen: Sequence[str], *,
            link_mode: Known[str] | None = None, virtualenvs_in_cache: bool | None = None,
            virtualenvs_path: str | None = None) -> CacheResolution:
    """The resolution, made uncertain (and saying so) where unseen settings could matter."""
    exposed = decision.exposed if decision.exposed is not None else decision.status == "enabled"
    reason, certain = decision.reason, decision.certain
    doubts = tuple(unseen) if exposed else ()
    if doubts:
        reason += f"; not certain: {'; '.join(doubts)}"
        certain = False
    return CacheResolution(tool, decision.status, decision.directory, reason, decision.origin,
                           certain, decision.decided_by, uses_cache, decision.option,
                           decision.also, link_mode, virtualenvs_in_cache, virtualenvs_path, doubts)


def _env_unseen(env: EnvView) -> list[str]:
    return [] if env.exhaustive else ["the base image's environment is not fully known"]


def _show(value: str) -> str:
    """A value as a user reads it in a message: bare unless empty or spaced."""
    return value if value and not any(c.isspace() for c in value) else repr(value)


def _env_label(name: str, fact: Known[str]) -> str:
    return f"{name}={_show(fact.value)} from {fact.origin}"


def _option_label(option: ParsedOption) -> str:
    """`--no-cache`, or `--cache /d (read as --cache-dir)` for an abbreviation."""
    text = option.written if option.value is None else f"{option.written} {_show(option.value)}"
    read_as = f" (read as {option.canonical})" if option.written != option.canonical else ""
    return f"`{text}`{read_as}"


def _cli_origin(option: ParsedOption) -> Origin:
    return Origin(f"`{option.written}` on the command line")


_BOOLS = {"y": True, "yes": True, "t": True, "true": True, "on": True, "1": True,
          "n": False, "no": False, "f": False, "false": False, "off": False, "0": False}
_BOOL_WORDS = "1/0, true/false, on/off, yes/no, y/n, t/f"


def _boolean(value: str) -> bool | None:
    """pip's `strtobool` and clap's `BoolishValueParser` (same words, any case); None if neither."""
    return _BOOLS.get(value.lower())


class _Context(NamedTuple):
    """One command's facts, with the path rules every tool shares."""

    call: InstallerCall
    env: EnvView
    home: str | None
    home_reason: str
    cwd: str
    cwd_certain: bool

    def home_fact(self) -> Known[str] | None:
        """HOME with its origin: the variable when it is the one in effect, else the reason."""
        if self.home is None:
            return None
        variable = self.env.get("HOME")
        if variable is not None and variable.value == self.home:
            return variable
        return Known(self.home, Origin(self.home_reason or "the user's home directory"))

    def path(self, text: str, tilde: bool) -> tuple[str | None, bool, str]:
        """`text` as an absolute normalised path: `~` expanded when the tool does
        (`tilde`), a relative path taken from the working directory. Returns the path
        (None if unknown), whether it is certain, and why it is unknown."""
        certain = True
        if tilde and text.startswith("~"):
            head, _, rest = text.partition("/")
            if head != "~":
                return None, False, f"{text!r} starts in another user's home ({head}), unknown here"
            home = self.home_fact()
            if home is None:
                return None, False, f"{text!r} needs HOME, which is unknown: {self.home_reason}"
            text, certain = posixpath.join(home.value, rest), home.certain
        if not text.startswith("/"):
            text, certain = posixpath.join(self.cwd, text), certain and self.cwd_certain
        return posixpath.normpath(text), certain, ""

    def received(self, option: ParsedOption) -> Known[str] | str:
        """The value the tool receives for `option` once the shell has run, or why
        that is unknown: `$VAR` is expanded by the shell (never by the tools), and an
        unquoted leading `~` too, with the shell's HOME, not the command's."""
        value, span, origin = option.value or "", option.value_span, _cli_origin(option)
        if span is None:
            return Known(value, origin)
        expanded = self.env.expansions.get(span)
        if expanded is not None:
            return expanded
        word = next((w for w in self.call.command.words
                     if w.start <= span[0] and span[1] <= w.end), None)
        if word is None:
            return Known(value, origin)
        if word.has_expansion and ("$" in value or "`" in value):
            return (f"the shell expands {value!r} before {self.call.tool} sees it, to a value "
                    "unknown here")
        shell_tilde = value.startswith("~") and span[0] == word.start == word.offset_of(0)
        if not shell_tilde:
            return Known(value, origin)
        if self._changes_home():
            return (f"the shell expands the ~ of {value!r} with its own HOME, and this command "
                    "runs with another one")
        path, certain, problem = self.path(value, tilde=True)
        return Known(path, origin, certain) if path is not None else problem

    def _changes_home(self) -> bool:
        """Whether the command's own prefixes or wrappers (`HOME=/x`, `gosu`, `env -i`) set HOME."""
        return any(isinstance(change, EnvChange) and change.name in ("HOME", "*")
                   for change in self.call.command.effects)

    def user_cache(self, tool: str, app: str, strip_xdg: bool, platformdirs: bool) -> _Decision:
        """`tool`'s default: `$XDG_CACHE_HOME/<app>` if absolute, else `$HOME/.cache/<app>`.

        platformdirs strips the value, etcetera (uv) does not; releases of platformdirs
        older than pip's vendored one accepted a relative value, so for tools that use
        the installed platformdirs (`platformdirs`) an ignored value is not certain.
        """
        xdg = self.env.get("XDG_CACHE_HOME")
        ignored = ""
        if xdg is not None:
            label = _env_label("XDG_CACHE_HOME", xdg)
            base = xdg.value.strip() if strip_xdg else xdg.value
            if base.startswith("/"):
                directory = posixpath.normpath(posixpath.join(base, app))
                return _Decision("enabled", directory, "xdg-cache-home",
                                 f"{label} puts {tool}'s cache at {directory}", xdg.origin,
                                 xdg.certain)
            if xdg.value:
                ignored = f"; {label} is ignored, not being an absolute path"
        home = self.home_fact()
        if home is None:
            return _Decision("unknown", None, "home", f"{tool} caches in $HOME/.cache/{app}, but "
                             f"HOME is unknown: {self.home_reason}{ignored}", None, certain=False)
        directory = posixpath.normpath(posixpath.join(home.value, ".cache", app))
        return _Decision("enabled", directory, "home",
                         f"{tool} caches in $HOME/.cache/{app} = {directory} (HOME={home.value} "
                         f"from {home.origin}){ignored}", home.origin,
                         home.certain and not (ignored and platformdirs))


def _uses_cache(call: InstallerCall) -> bool:
    """Whether the subcommand downloads or builds through the cache at all."""
    if call.tool == "uv":
        return call.subcommand.partition(" ")[0] not in _UV_NO_CACHE_GROUPS
    return call.subcommand in _CACHE_COMMANDS[call.tool]


_CACHE_COMMANDS = {
    # pip: the session's http-v2 cache and the wheel cache (index_command.py,
    # req_command.py); list/search/index only through the session.
    "pip": frozenset({"install", "download", "wheel", "lock", "index", "list", "search"}),
    "poetry": frozenset({"install", "sync", "add", "update", "lock", "remove"}),
    "pipenv": frozenset({"install", "sync", "update", "upgrade", "lock"}),
    "pdm": frozenset({"install", "sync", "add", "update", "lock"}),
    "apt": frozenset({"install", "upgrade", "dist-upgrade", "full-upgrade", "reinstall",
                      "build-dep", "satisfy", "update"}),
}
# uv: every command but those that manage the cache or uv itself.
_UV_NO_CACHE_GROUPS = frozenset({"", "cache", "self", "help", "generate-shell-completion"})


def _config_setting(config: ToolConfig | None, key: str) -> Known[str] | None:
    return None if config is None else config.settings.get(key)


def _config_unseen(config: ToolConfig | None, files: str) -> list[str]:
    return [] if config is not None and config.known else [f"{files} were not read"]


def _config_label(key: str, fact: Known[str]) -> str:
    return f"{key} = {_show(fact.value)} from {fact.origin}"


def _setting_path(ctx: _Context, source: str, value: Known[str], tilde: bool,
                  code: str, tool: str) -> _Decision:
    """A cache directory set by an environment variable or config key."""
    path, certain, problem = ctx.path(value.value, tilde)
    if path is None:
        return _Decision("unknown", None, code, f"{source} sets {tool}'s cache, but {problem}",
                         value.origin, certain=False)
    return _Decision("enabled", path, code, f"{source} puts {tool}'s cache at {path}",
                     value.origin, certain and value.certain)


def _cli_path(ctx: _Context, option: ParsedOption, tilde: bool, tool: str) -> _Decision:
    """A cache directory given on the command line."""
    received = ctx.received(option)
    label = _option_label(option)
    if isinstance(received, str):
        return _Decision("unknown", None, "shell-expansion",
                         f"{label} sets {tool}'s cache, but {received}", _cli_origin(option),
                         certain=False, option=option)
    decision = _setting_path(ctx, f"{label} on the command line", received, tilde,
                             "cli-cache-dir", tool)
    return decision._replace(option=option)


# --------------------------------------------------------------------------- pip


class _PipSource(NamedTuple):
    """A `cache-dir` or `no-cache-dir` value pip applies from a config file or the environment."""

    key: str
    value: str
    origin: Origin
    certain: bool
    level: str  # 'config' or 'env'
    label: str


_PIP_KEYS = ("cache-dir", "no-cache-dir")


def _pip_key(name: str) -> str:
    """pip's `_normalize_name`: config keys and `PIP_*` names in any case and `_`/`-` spelling."""
    return name.lower().replace("_", "-").removeprefix("--")


def _pip(ctx: _Context, config: PipConfigView) -> CacheResolution:
    call = ctx.call
    # `--isolated` reaches Configuration only spelled out (cli/main.py tests `in cmd_args`).
    isolated = any(o.canonical == "--isolated" and o.written == "--isolated" for o in call.options)
    files, unseen = _pip_files(ctx, config, isolated)
    sources = list(_pip_config_sources(config, files, call.subcommand))
    if not isolated:
        sources.extend(_pip_env_sources(ctx.env))
    unseen = _env_unseen(ctx.env) + unseen
    decision = _pip_decision(ctx, sources)
    return _finish("pip", decision, _uses_cache(call), unseen)


def _pip_decision(ctx: _Context, sources: list[_PipSource]) -> _Decision:
    """pip's precedence: an invalid no-cache-dir fails; the last CLI option; any other
    no-cache-dir; the last cache-dir; the per-user default."""
    invalid = _pip_invalid(sources)
    if invalid is not None:
        return invalid
    disablers = [s for s in sources if s.key == "no-cache-dir"]
    option = ctx.call.get("--cache-dir", "--no-cache-dir")
    if option is not None:
        return _pip_cli(ctx, option, disablers)
    if disablers:
        return _pip_disabled(disablers)
    cache_dirs = [s for s in sources if s.key == "cache-dir"]
    if cache_dirs:
        chosen = cache_dirs[-1]
        return _setting_path(ctx, chosen.label, Known(chosen.value, chosen.origin, chosen.certain),
                             True, f"{chosen.level}-cache-dir", "pip")
    return ctx.user_cache("pip", "pip", strip_xdg=True, platformdirs=False)


def _pip_invalid(sources: list[_PipSource]) -> _Decision | None:
    """A no-cache-dir that is no boolean: pip's option callback exits with an error."""
    invalid = next((s for s in sources
                    if s.key == "no-cache-dir" and _boolean(s.value) is None), None)
    if invalid is None:
        return None
    return _Decision("unknown", None, "invalid-value",
                     f"{invalid.label} makes pip exit with an error (invalid truth value): "
                     f"pip accepts only {_BOOL_WORDS}", invalid.origin, invalid.certain,
                     exposed=False)


def _pip_cli(ctx: _Context, option: ParsedOption, disablers: list[_PipSource]) -> _Decision:
    label = _option_label(option)
    if option.canonical == "--no-cache-dir":
        also = tuple(Cause(f"{s.level}-no-cache-dir", s.label, s.origin) for s in disablers)
        return _Decision("disabled", None, "cli-no-cache-dir",
                         f"{label} on the command line disables pip's cache", _cli_origin(option),
                         option=option, also=also)
    received = ctx.received(option)
    if isinstance(received, Known) and received.value == "":
        return _Decision("disabled", None, "cli-cache-dir",
                         f"{label} on the command line disables pip's cache: an empty cache "
                         "directory means none", received.origin, received.certain, option=option)
    decision = _cli_path(ctx, option, True, "pip")
    if disablers and decision.status == "enabled":
        overridden = ", ".join(s.label for s in disablers)
        decision = decision._replace(reason=f"{decision.reason}; only a command-line --cache-dir "
                                            f"overrides {overridden}, which would disable it")
    return decision


def _pip_disabled(disablers: list[_PipSource]) -> _Decision:
    """A no-cache-dir from a config file or the environment: pip applies it after every
    cache-dir (`late_eval`), so each of them disables the cache on its own."""
    chosen, others = disablers[-1], disablers[:-1]
    why = f"{chosen.label} disables pip's cache"
    if _boolean(chosen.value) is False:
        why += f": pip treats every valid boolean, even {chosen.value!r}, as disabling"
    if chosen.level == "config":
        why += ("; it beats PIP_CACHE_DIR and every cache-dir setting, only a command-line "
                "--cache-dir overrides it")
    also = tuple(Cause(f"{s.level}-no-cache-dir", s.label, s.origin) for s in others)
    return _Decision("disabled", None, f"{chosen.level}-no-cache-dir", why, chosen.origin,
                     chosen.certain, also=also)


def _pip_env_sources(env: EnvView) -> Iterator[_PipSource]:
    """`PIP_CACHE_DIR`/`PIP_NO_CACHE_DIR` (any case after `PIP_`); empty values are dropped."""
    for name, fact in env.variables.items():
        if name.startswith("PIP_") and fact.value:
            key = _pip_key(name[4:])
            if key in _PIP_KEYS:
                yield _PipSource(key, fact.value, fact.origin, fact.certain, "env",
                                 _env_label(name, fact))


def _pip_config_sources(config: PipConfigView, files: list[str],
                        command: str) -> Iterator[_PipSource]:
    """The config values pip applies, in its order: all of `[global]`, then the
    command's section; within a section the last file in `files` wins a key, and an
    empty winning value is dropped."""
    rank = {path: i for i, path in enumerate(files)}
    for section in ("global", command):
        for key in _PIP_KEYS:
            chosen: PipSetting | None = None
            for setting in config.settings:
                if (setting.section == section and setting.path in rank
                        and _pip_key(setting.key) == key
                        and (chosen is None or rank[setting.path] >= rank[chosen.path])):
                    chosen = setting
            if chosen is not None and chosen.value.strip():
                value = chosen.value.strip()
                label = f"{key} = {_show(value)} in {chosen.path} [{section}] from {chosen.origin}"
                yield _PipSource(key, value, chosen.origin, chosen.certain, "config", label)


def _pip_files(ctx: _Context, config: PipConfigView, isolated: bool) -> tuple[list[str], list[str]]:
    """The config files pip reads, lowest precedence first, and what could not be seen.

    `configuration.py`: global files (each `$XDG_CONFIG_DIRS` entry, else /etc/xdg, then
    /etc), user files (skipped under --isolated or when PIP_CONFIG_FILE names an
    existing file), the site file, PIP_CONFIG_FILE; none at all for /dev/null.
    """
    config_file = ctx.env.get("PIP_CONFIG_FILE")
    if config_file is not None and config_file.value == "/dev/null":
        return [], []
    unseen = [] if config.known else ["not every pip config file is known"]
    if not config.settings:
        return [], unseen  # no known file holds a setting, so which files pip reads changes nothing
    unlocated: list[str] = []
    config_dirs = ctx.env.get("XDG_CONFIG_DIRS")
    bases = [d.strip() for d in (config_dirs.value if config_dirs else "").split(":")]
    files = [posixpath.join(b, "pip", "pip.conf") for b in bases if b.startswith("/")]
    files = (files or ["/etc/xdg/pip/pip.conf"]) + ["/etc/pip.conf"]
    env_file = None
    if config_file is not None and config_file.value:
        env_file = ctx.path(config_file.value, tilde=False)[0]
    exists = _pip_file_exists(config, env_file)
    if not isolated and exists is not True:
        user_files, problem = _pip_user_files(ctx)
        files += user_files
        if problem:
            unlocated.append(problem)
        if exists is None and _has_cache_setting(config, user_files):
            unseen.append(f"it is not known whether PIP_CONFIG_FILE={env_file} exists (pip then "
                          "skips the user config files)")
    prefix = config.prefix or prefix_of(ctx.call.program)
    if prefix is not None:
        files.append(posixpath.join(prefix, "pip.conf"))
    else:
        unlocated.append("the prefix of the Python running pip is unknown, so its site config "
                         "is not located")
    if env_file is not None:
        files.append(env_file)
    files = list(dict.fromkeys(files))
    if unlocated and _has_cache_setting(config, None, excluding=files):
        unseen += unlocated
    return files, unseen


def _pip_file_exists(config: PipConfigView, path: str | None) -> bool | None:
    if path is None:
        return False
    if path in config.files or any(s.path == path for s in config.settings):
        return True
    return False if config.known else None


def _pip_user_files(ctx: _Context) -> tuple[list[str], str]:
    """`~/.pip/pip.conf` and `$XDG_CONFIG_HOME/pip/pip.conf` (else ~/.config/pip/pip.conf)."""
    home = ctx.home
    xdg = ctx.env.get("XDG_CONFIG_HOME")
    base = xdg.value.strip() if xdg is not None else ""
    files = [posixpath.join(home, ".pip", "pip.conf")] if home else []
    if base.startswith("/"):
        files.append(posixpath.join(base, "pip", "pip.conf"))
    elif home:
        files.append(posixpath.join(home, ".config", "pip", "pip.conf"))
    problem = "" if home else "HOME is unknown, so pip's user config files are not located"
    return files, problem


def _has_cache_setting(config: PipConfigView, among: list[str] | None,
                       excluding: Sequence[str] = ()) -> bool:
    """Whether some cache setting is in one of `among` (None: anywhere) outside `excluding`."""
    return any(_pip_key(s.key) in _PIP_KEYS and (among is None or s.path in among)
               and s.path not in excluding for s in config.settings)


def prefix_of(program: str) -> str | None:
    """`sys.prefix` from an absolute program path: `/opt/venv/bin/python -m pip` -> `/opt/venv`."""
    path = program.split(" ", 1)[0]
    directory = posixpath.dirname(path)
    if path.startswith("/") and posixpath.basename(directory) == "bin":
        return posixpath.dirname(directory) or "/"
    return None


# --------------------------------------------------------------------------- uv


def _uv(ctx: _Context, config: ToolConfig | None) -> CacheResolution:
    call, env = ctx.call, ctx.env
    no_config_env = env.get("UV_NO_CONFIG")
    if call.get("--no-config") is not None or (no_config_env and _boolean(no_config_env.value)):
        config = ToolConfig()
    unseen = _env_unseen(env) + _config_unseen(config, "uv.toml and pyproject.toml [tool.uv]")
    decision = _uv_decision(ctx, config)
    return _finish("uv", decision, _uses_cache(call), unseen, link_mode=_uv_link_mode(ctx, config))


def _uv_decision(ctx: _Context, config: ToolConfig | None) -> _Decision:
    """clap reads each variable whose option is absent from the command line (an
    invalid one is an error), then `--no-cache` (or a truthy UV_NO_CACHE or
    `no-cache`) wins over any cache directory; then `--cache-dir`, UV_CACHE_DIR,
    `cache-dir`, and the per-user default."""
    call, env = ctx.call, ctx.env
    no_cache_option, dir_option = call.get("--no-cache"), call.get("--cache-dir")
    no_cache_env, dir_env = env.get("UV_NO_CACHE"), env.get("UV_CACHE_DIR")
    if no_cache_option is None and no_cache_env and _boolean(no_cache_env.value) is None:
        return _Decision("unknown", None, "invalid-value",
                         f"{_env_label('UV_NO_CACHE', no_cache_env)} makes uv exit with an error: "
                         f"it accepts only {_BOOL_WORDS}", no_cache_env.origin,
                         no_cache_env.certain, exposed=False)
    if dir_option is None and dir_env is not None and not dir_env.value:
        return _Decision("unknown", None, "invalid-value",
                         f"{_env_label('UV_CACHE_DIR', dir_env)} makes uv exit with an error: "
                         "an empty path is not a value", dir_env.origin, dir_env.certain,
                         exposed=False)
    if no_cache_option is not None:
        return _Decision("disabled", None, "cli-no-cache-dir",
                         f"{_option_label(no_cache_option)} on the command line makes uv use a "
                         "temporary cache, removed when it exits", _cli_origin(no_cache_option),
                         option=no_cache_option)
    kept = ""
    if no_cache_env is not None:
        label = _env_label("UV_NO_CACHE", no_cache_env)
        if _boolean(no_cache_env.value):
            return _Decision("disabled", None, "env-no-cache-dir",
                             f"{label} makes uv use a temporary cache, removed when it exits",
                             no_cache_env.origin, no_cache_env.certain)
        kept = f"; {label} keeps the cache (uv reads it as false, unlike pip)"
    no_cache_file = _config_setting(config, "no-cache")
    if no_cache_file is not None and _boolean(no_cache_file.value):
        return _Decision("disabled", None, "config-no-cache-dir",
                         f"{_config_label('no-cache', no_cache_file)} makes uv use a temporary "
                         "cache", no_cache_file.origin, no_cache_file.certain)
    decision = _uv_directory(ctx, config, dir_option, dir_env)
    return decision._replace(reason=decision.reason + kept)


def _uv_directory(ctx: _Context, config: ToolConfig | None, option: ParsedOption | None,
                  variable: Known[str] | None) -> _Decision:
    if option is not None:
        received = ctx.received(option)
        if isinstance(received, Known) and received.value == "":
            return _Decision("unknown", None, "invalid-value",
                             f"{_option_label(option)} makes uv exit with an error: an empty path "
                             "is not a value", received.origin, received.certain, option=option,
                             exposed=False)
        return _cli_path(ctx, option, False, "uv")
    if variable is not None:
        return _setting_path(ctx, _env_label("UV_CACHE_DIR", variable), variable, False,
                             "env-cache-dir", "uv")
    setting = _config_setting(config, "cache-dir")
    if setting is not None:
        return _setting_path(ctx, _config_label("cache-dir", setting), setting, False,
                             "config-cache-dir", "uv")
    return ctx.user_cache("uv", "uv", strip_xdg=False, platformdirs=False)


def _uv_link_mode(ctx: _Context, config: ToolConfig | None) -> Known[str] | None:
    """`--link-mode`, else UV_LINK_MODE, else `link-mode`: a cache mount needs `copy`."""
    option = ctx.call.get("--link-mode")
    if option is not None:
        received = ctx.received(option)
        return received if isinstance(received, Known) else None
    return ctx.env.get("UV_LINK_MODE") or _config_setting(config, "link-mode")


# --------------------------------------------------------------------------- poetry


def _poetry(ctx: _Context, config: ToolConfig | None) -> CacheResolution:
    decision = _poetry_directory(ctx, config)
    no_cache = ctx.call.get("--no-cache")
    if no_cache is not None and decision.directory is not None:
        decision = decision._replace(
            reason=f"{_option_label(no_cache)} turns off poetry's repository and HTTP caches "
                   f"only: downloaded archives still go to {decision.directory}/artifacts; "
                   f"{decision.reason}",
            option=no_cache)
    unseen = _env_unseen(ctx.env) + _config_unseen(config, "poetry's config.toml and poetry.toml")
    in_cache, path = _poetry_virtualenvs(ctx, config, decision.directory, bool(unseen))
    return _finish("poetry", decision, _uses_cache(ctx.call), unseen,
                   virtualenvs_in_cache=in_cache, virtualenvs_path=path)


class _PoetrySetting(NamedTuple):
    level: str  # 'env' or 'config'
    label: str
    fact: Known[str]


def _poetry_setting(ctx: _Context, config: ToolConfig | None, key: str) -> _PoetrySetting | None:
    """A poetry setting as `Config.get` finds it: `POETRY_<KEY>` first, then the files."""
    name = "POETRY_" + key.upper().replace(".", "_").replace("-", "_")
    variable = ctx.env.get(name)
    if variable is not None:
        return _PoetrySetting("env", _env_label(name, variable), variable)
    setting = _config_setting(config, key)
    if setting is None:
        return None
    return _PoetrySetting("config", _config_label(key, setting), setting)


def _poetry_directory(ctx: _Context, config: ToolConfig | None) -> _Decision:
    found = _poetry_setting(ctx, config, "cache-dir")
    if found is None:
        return ctx.user_cache("poetry", "pypoetry", strip_xdg=True, platformdirs=True)
    return _setting_path(ctx, found.label, found.fact, True, f"{found.level}-cache-dir", "poetry")


def _poetry_virtualenvs(ctx: _Context, config: ToolConfig | None, cache: str | None,
                        unseen: bool) -> tuple[bool | None, str | None]:
    """Whether poetry creates the project's virtualenv inside its cache directory
    (`env_manager.py` `EnvManager.get`): not when a virtualenv is active
    (VIRTUAL_ENV, else CONDA_PREFIX outside conda's base), with
    `virtualenvs.in-project` or without `virtualenvs.create` (booleans: only
    'true'/'1' are true); otherwise in `virtualenvs.path`, by default
    `{cache-dir}/virtualenvs`. True is only claimed when nothing unseen could say
    otherwise."""
    env = ctx.env
    active = env.get("VIRTUAL_ENV") or env.get("CONDA_PREFIX")
    conda = env.get("CONDA_DEFAULT_ENV")
    if active is not None and active.value and not (conda is not None and conda.value == "base"):
        return False, None
    in_project = _poetry_setting(ctx, config, "virtualenvs.in-project")
    if in_project is not None and in_project.fact.value.lower() in ("true", "1"):
        return False, None
    create = _poetry_setting(ctx, config, "virtualenvs.create")
    if create is not None and create.fact.value.lower() not in ("true", "1"):
        return False, None
    found = _poetry_setting(ctx, config, "virtualenvs.path")
    if found is not None:
        path = ctx.path(found.fact.value, True)[0]
    else:
        path = None if cache is None else posixpath.join(cache, "virtualenvs")
    if path is None or cache is None:
        return None, path
    inside = path == cache or path.startswith(cache.rstrip("/") + "/")
    return (None if inside and unseen else inside), path


# --------------------------------------------------------------------------- pipenv


def _pipenv(ctx: _Context) -> CacheResolution:
    """PIPENV_CACHE_DIR, else platformdirs' `pipenv` cache. pipenv runs `pip install`
    with `PIP_CACHE_DIR` set to it and `PIP_CONFIG_FILE=/dev/null`, on top of its own
    environment: an inherited PIP_NO_CACHE_DIR still disables pip's cache there, while
    locking passes `--cache-dir` and keeps using it."""
    variable = ctx.env.get("PIPENV_CACHE_DIR")
    if variable is not None:
        decision = _setting_path(ctx, _env_label("PIPENV_CACHE_DIR", variable), variable, True,
                                 "env-cache-dir", "pipenv")
    else:
        decision = ctx.user_cache("pipenv", "pipenv", strip_xdg=True, platformdirs=True)
    if ctx.call.subcommand != "lock":
        sources = [s for s in _pip_env_sources(ctx.env) if s.key == "no-cache-dir"]
        if sources:
            pip = _pip_invalid(sources) or _pip_disabled(sources)
            locking = " (locking still uses pipenv's cache)" if pip.status == "disabled" else ""
            decision = pip._replace(reason=f"pipenv passes its environment to pip install: "
                                           f"{pip.reason}{locking}")
    return _finish("pipenv", decision, _uses_cache(ctx.call), _env_unseen(ctx.env))


# --------------------------------------------------------------------------- pdm


def _pdm(ctx: _Context, config: ToolConfig | None) -> CacheResolution:
    """`--no-cache` or a non-empty PDM_NO_CACHE (any value, even '0') disable the
    cache; else PDM_CACHE_DIR, then `cache_dir` from the config files, then
    platformdirs' `pdm` cache."""
    option, setting = ctx.call.get("--no-cache"), _config_setting(config, "cache_dir")
    no_cache, variable = ctx.env.get("PDM_NO_CACHE"), ctx.env.get("PDM_CACHE_DIR")
    if option is not None:
        decision = _Decision("disabled", None, "cli-no-cache-dir",
                             f"{_option_label(option)} on the command line disables pdm's cache",
                             _cli_origin(option), option=option)
    elif no_cache is not None and no_cache.value:
        decision = _Decision("disabled", None, "env-no-cache-dir",
                             f"{_env_label('PDM_NO_CACHE', no_cache)} disables pdm's cache: pdm "
                             "treats any non-empty value as true", no_cache.origin,
                             no_cache.certain)
    elif variable is not None:
        decision = _setting_path(ctx, _env_label("PDM_CACHE_DIR", variable), variable, True,
                                 "env-cache-dir", "pdm")
    elif setting is not None:
        decision = _setting_path(ctx, _config_label("cache_dir", setting), setting, True,
                                 "config-cache-dir", "pdm")
    else:
        decision = ctx.user_cache("pdm", "pdm", strip_xdg=True, platformdirs=True)
    unseen = _env_unseen(ctx.env) + _config_unseen(config, "pdm's config files")
    return _finish("pdm", decision, _uses_cache(ctx.call), unseen)


# --------------------------------------------------------------------------- apt

_APT_ARCHIVES = (("Dir", "/"), ("Dir::Cache", "var/cache/apt/"),
                 ("Dir::Cache::archives", "archives/"))
_APT_LISTS = (("Dir", "/"), ("Dir::State", "var/lib/apt/"), ("Dir::State::lists", "lists/"))
_APT_KEEP = "APT::Keep-Downloaded-Packages"
_APT_TRUE = frozenset({"yes", "true", "with", "on", "enable", "1"})
_APT_INSTALLS = frozenset({"install", "upgrade", "dist-upgrade", "full-upgrade", "reinstall",
                           "build-dep", "satisfy"})


def _apt(ctx: _Context, config: ToolConfig | None, clean_hook: bool | None) -> CacheResolution:
    """The archives directory (lists for `update`), from `-o` options, apt's config and
    its defaults; disabled when packages are deleted after installing them."""
    call = ctx.call
    options = _apt_options(ctx)
    files = {key.lower(): value for key, value in (config.settings if config else {}).items()}
    unseen = _config_unseen(config, "apt's configuration files")
    if call.get("--config-file") is not None or ctx.env.get("APT_CONFIG") is not None:
        unseen.append("apt reads a further configuration file (-c or APT_CONFIG)")
    chain = _APT_LISTS if call.subcommand == "update" else _APT_ARCHIVES
    decision = _apt_directory(ctx, chain, options, files)
    if (decision.status == "enabled" and call.subcommand in _APT_INSTALLS
            and call.get("--download-only") is None):
        decision, unseen = _apt_deletion(ctx, decision, options, files, clean_hook, unseen)
    return _finish("apt", decision, _uses_cache(call), unseen)


def _apt_options(ctx: _Context) -> dict[str, tuple[Known[str], ParsedOption]]:
    """`-o Key=Value` options by lower-cased key (apt's keys ignore case), the last winning."""
    found: dict[str, tuple[Known[str], ParsedOption]] = {}
    for option in ctx.call.get_all("--option"):
        received = ctx.received(option)
        if isinstance(received, Known):
            key, _, value = received.value.partition("=")
            found[key.lower()] = (Known(value, received.origin, received.certain), option)
    return found


def _apt_directory(ctx: _Context, chain: tuple[tuple[str, str], ...],
                   options: dict[str, tuple[Known[str], ParsedOption]],
                   files: dict[str, Known[str]]) -> _Decision:
    """apt's `FindDir`: a relative value is taken inside its parent's directory, up to an
    absolute one (or one starting `./`, `../`, `~/`). A command-line `-o` decides over
    the config files, which decide over the defaults."""
    if not options and not files:
        return _APT_DEFAULT_DIRECTORIES[chain]
    values, labels, decided, origin, option, certain = [], [], "default", None, None, True
    for key, default in chain:
        fact = options[key.lower()][0] if key.lower() in options else files.get(key.lower())
        values.append(default if fact is None else fact.value)
        if fact is None:
            continue
        labels.append(f"{key}={_show(fact.value)} from {fact.origin}")
        certain = certain and fact.certain
        if key.lower() in options:
            decided, origin, option = "cli-cache-dir", fact.origin, options[key.lower()][1]
        elif decided == "default":
            decided, origin = "config-cache-dir", fact.origin
    path = values[-1]
    for parent in reversed(values[:-1]):
        if not path or path.startswith(("/", "./", "../", "~/")):
            break
        if parent:
            path = parent.rstrip("/") + "/" + path
    source = "; ".join(labels) or "apt's defaults"
    if not path or path.startswith("~"):
        return _Decision("unknown", None, decided, f"apt's {chain[-1][0]} is {path!r} ({source}), "
                         "which dockerfix cannot place", origin, certain=False, option=option)
    directory, cwd_certain, _ = ctx.path(path, tilde=False)
    return _Decision("enabled", directory, decided, f"apt keeps its {chain[-1][1].rstrip('/')} in "
                     f"{directory} ({source})", origin or _APT_BUILT_IN, certain and cwd_certain,
                     option=option)


_APT_BUILT_IN = Origin("apt's built-in defaults")
# Where apt keeps archives and lists when no option or config file moves them (the
# general case of `_apt_directory` for such a call, worked out once).
_APT_DEFAULT_DIRECTORIES = {
    chain: _Decision("enabled", directory, "default",
                     f"apt keeps its {chain[-1][1].rstrip('/')} in {directory} (apt's defaults)", _APT_BUILT_IN)
    for chain, directory in ((_APT_ARCHIVES, "/var/cache/apt/archives"), (_APT_LISTS, "/var/lib/apt/lists"))
}


def _apt_deletion(ctx: _Context, decision: _Decision,
                  options: dict[str, tuple[Known[str], ParsedOption]], files: dict[str, Known[str]],
                  clean_hook: bool | None, unseen: list[str]) -> tuple[_Decision, list[str]]:
    """Whether downloaded packages survive the install: the docker-clean hook deletes
    /var/cache/apt/archives/*.deb after every dpkg run; `apt` keeps them only when
    told to (its `Binary::apt::APT::Keep-Downloaded-Packages` default, false, is moved
    over `APT::Keep-Downloaded-Packages` before `-o` options are read)."""
    hooked = decision.directory == "/var/cache/apt/archives"
    if hooked and clean_hook:
        return decision._replace(
            status="disabled", directory=None, decided_by="apt-clean-hook",
            origin=Origin("the base image's /etc/apt/apt.conf.d/docker-clean"),
            reason="the image's /etc/apt/apt.conf.d/docker-clean deletes "
                   "/var/cache/apt/archives/*.deb after every install, so the cache stays empty",
            exposed=False), unseen
    binary = posixpath.basename(ctx.call.program.split(" ", 1)[0])
    keep = _apt_keep(binary, options, files)
    if keep is not None and keep.value.lower() not in _APT_TRUE:
        return decision._replace(
            status="disabled", directory=None, decided_by="apt-keep-downloaded", origin=keep.origin,
            reason=f"`{binary}` deletes the packages it downloaded after installing them "
                   f"({_APT_KEEP} is {keep.value!r} from {keep.origin}); apt-get keeps them",
            exposed=_APT_KEEP.lower() not in options), unseen
    if hooked and clean_hook is None:
        unseen = [*unseen, "it is not known whether the image's docker-clean hook deletes "
                           "downloaded packages"]
    return decision, unseen


def _apt_keep(binary: str, options: dict[str, tuple[Known[str], ParsedOption]],
              files: dict[str, Known[str]]) -> Known[str] | None:
    key = _APT_KEEP.lower()
    if key in options:
        return options[key][0]
    scoped = files.get(f"binary::{binary}::{key}")
    if scoped is not None:
        return scoped
    if binary == "apt":
        return Known("false", Origin("apt's built-in Binary::apt default"))
    return files.get(key)
