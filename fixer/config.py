"""Configuration files: found by walking up from each Dockerfile, read, checked, merged
with the command line into the settings of each file.

As ruff does, the nearest directory at or above a file that has a configuration decides,
and a directory's own files are tried in the order `.dockerfix.toml`, `dockerfix.toml`,
`pyproject.toml` (the last only with a `[tool.dockerfix]` table). The keys are the same
in all three (in `pyproject.toml` under `[tool.dockerfix]`). Paths in a configuration
(`exclude`, `extend-exclude`, `per-file-ignores`) are gitignore-style patterns relative
to its directory. A flag on the command line wins over the file for its key
(`--select` replaces `select` and `extend-select`, `--ignore` replaces `ignore`);
`--extend-select` adds, and `--build-arg` overrides that one argument.

A problem in a file (bad TOML, an unknown key, a value of the wrong type, a rule
selector that names no rule) is a `ConfigError` naming the file, the key and what is
allowed; the run reports it and stops, since every file below would be checked wrongly.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from .engine import Settings, named_by
from .records import NamedTuple
from .rules import ALL_RULES

if TYPE_CHECKING:
    from .globs import Pattern

CONFIG_FILES = (".dockerfix.toml", "dockerfix.toml", "pyproject.toml")
# What a directory walk skips unless `exclude` says otherwise: version control, virtual
# environments and caches never hold a project's Dockerfiles and can be huge.
DEFAULT_EXCLUDE = (".git/", ".hg/", ".svn/", ".venv/", "venv/", "node_modules/", "__pycache__/", ".tox/", ".nox/")

_KEYS = {
    "select": "a list of rule codes, code prefixes or names (or \"ALL\")",
    "extend-select": "a list of rule codes, code prefixes or names",
    "ignore": "a list of rule codes, code prefixes or names",
    "unsafe-fixes": "true or false",
    "exclude": "a list of gitignore-style patterns",
    "extend-exclude": "a list of gitignore-style patterns",
    "per-file-ignores": "a table of gitignore-style pattern = list of rule codes, prefixes or names",
    "build-args": "a table of NAME = \"value\" strings",
    "pr": "a table of `dockerfix pr` settings: branch, remote, author (strings)",
}
PR_KEYS = ("branch", "remote", "author")


class ConfigError(Exception):
    """A configuration file that cannot be used; the message names the file and the key."""


class Config(NamedTuple):
    """What one configuration file says (None: it does not set the key), and where it is.

    `path` is None for the defaults (no file found, or `--isolated`).
    """

    path: Path | None = None
    select: frozenset[str] | None = None
    extend_select: frozenset[str] = frozenset()
    ignore: frozenset[str] | None = None
    unsafe_fixes: bool | None = None
    exclude: tuple[Pattern, ...] | None = None
    extend_exclude: tuple[Pattern, ...] = ()
    per_file_ignores: tuple[tuple[Pattern, frozenset[str]], ...] = ()
    build_args: Mapping[str, str] = MappingProxyType({})
    pr: Mapping[str, str] = MappingProxyType({})

    @property
    def directory(self) -> Path:
        """The directory its patterns are relative to (the working directory for the defaults)."""
        return self.path.parent if self.path is not None else Path.cwd()

    def excluded(self, path: str, is_directory: bool) -> bool:
        """Whether `exclude` and `extend-exclude` leave `path` out of a directory walk."""
        relative = _relative(path, self.directory)
        if relative is None:
            return False
        from .globs import matches  # only directory walks and --force-exclude need patterns

        patterns = (self.exclude if self.exclude is not None else _default_patterns()) + self.extend_exclude
        return matches(patterns, relative, is_directory)

    def ignored_for(self, path: str) -> frozenset[str]:
        """The rules `per-file-ignores` turns off for the file at `path`."""
        relative = _relative(path, self.directory)
        if relative is None or not self.per_file_ignores:
            return frozenset()
        from .globs import matches

        return frozenset(
            code for pattern, codes in self.per_file_ignores if matches((pattern,), relative, False) for code in codes
        )


class Overrides(NamedTuple):
    """What the command line says; None (or empty) where it says nothing."""

    select: frozenset[str] | None = None
    extend_select: frozenset[str] = frozenset()
    ignore: frozenset[str] | None = None
    unsafe_fixes: bool | None = None
    build_args: Mapping[str, str] = MappingProxyType({})
    config_file: Path | None = None  # --config: this file for every Dockerfile
    isolated: bool = False  # --isolated: no configuration file at all


def settings_for(path: str, config: Config, overrides: Overrides) -> Settings:
    """The settings of one file: the command line over its configuration over the defaults."""
    select = overrides.select if overrides.select is not None else config.select
    extend_select = overrides.extend_select | (config.extend_select if overrides.select is None else frozenset())
    ignore = overrides.ignore if overrides.ignore is not None else config.ignore
    ignore = (ignore or frozenset()) | config.ignored_for(path)
    unsafe_fixes = overrides.unsafe_fixes if overrides.unsafe_fixes is not None else config.unsafe_fixes
    build_args = {**config.build_args, **overrides.build_args}
    return Settings(
        frozenset() if select is None or "ALL" in select else select,
        ignore,
        bool(unsafe_fixes),
        MappingProxyType(build_args),
        extend_select,
    )


class Configs:
    """The configuration of each directory, found once and kept: a directory walk asks for
    every directory it enters, and most share one file."""

    __slots__ = ("_overrides", "_found", "_fixed")

    def __init__(self, overrides: Overrides) -> None:
        self._overrides = overrides
        self._found: dict[str, Config] = {}
        self._fixed: Config | None = None
        if overrides.isolated:
            self._fixed = Config()
        elif overrides.config_file is not None:
            self._fixed = read_config(overrides.config_file)
            if self._fixed is None:
                raise ConfigError(f"{overrides.config_file}: no [tool.dockerfix] table to use (--config)")

    def for_path(self, path: str) -> Config:
        """The configuration that decides for a file or directory (a file: its directory's)."""
        if self._fixed is not None:
            return self._fixed
        directory = os.path.abspath(path if os.path.isdir(path) else os.path.dirname(path) or ".")
        return self._for_directory(directory)

    def _for_directory(self, directory: str) -> Config:
        found = self._found.get(directory)
        if found is not None:
            return found
        config = _config_in(Path(directory))
        if config is None:
            parent = os.path.dirname(directory)
            config = Config() if parent == directory else self._for_directory(parent)
        self._found[directory] = config
        return config

    def settings_for(self, path: str) -> Settings:
        return settings_for(path, self.for_path(path), self._overrides)


def _config_in(directory: Path) -> Config | None:
    """The configuration file a directory has, read; None when it has none."""
    for name in CONFIG_FILES:
        candidate = directory / name
        if candidate.is_file():
            config = read_config(candidate)
            if config is not None:
                return config
    return None


def read_config(path: Path) -> Config | None:
    """Read and check one file; None for a `pyproject.toml` without `[tool.dockerfix]`."""
    table = _table(path)
    if table is None:
        return None
    where = f"{path}: [tool.dockerfix]" if path.name == "pyproject.toml" else str(path)
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}; the keys are {', '.join(_KEYS)}")
    values: dict[str, object] = {"path": path}
    for key, value in table.items():
        values[key.replace("-", "_")] = _value(where, key, value)
    return Config(**values)  # type: ignore[arg-type]


def _table(path: Path) -> dict[str, object] | None:
    """The file's settings table; None for a `pyproject.toml` without one. Most Python
    projects have a `pyproject.toml` and most of those say nothing of dockerfix: one
    that does not name it is not parsed (importing and running the TOML parser would
    cost a `--check` of one file a tenth of its time)."""
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    if path.name == "pyproject.toml" and b"dockerfix" not in content:
        return None
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]

    try:
        document = tomllib.loads(content.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    if path.name != "pyproject.toml":
        return document
    tool = document.get("tool")
    table = tool.get("dockerfix") if isinstance(tool, dict) else None
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.dockerfix] must be a table")
    return table


def _value(where: str, key: str, value: object) -> object:
    """A key's value, checked and converted; a wrong one raises naming the key and what is allowed."""

    def wrong(problem: str = "") -> ConfigError:
        return ConfigError(f"{where}: {key} must be {_KEYS[key]}{problem}")

    if key == "unsafe-fixes":
        if not isinstance(value, bool):
            raise wrong(f", not {value!r}")
        return value
    if key in ("build-args", "pr"):
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise wrong(f", not {value!r}")
        unknown = sorted(set(value) - set(PR_KEYS)) if key == "pr" else []
        if unknown:
            raise ConfigError(f"{where}: unknown key 'pr.{unknown[0]}'; the keys of pr are {', '.join(PR_KEYS)}")
        return MappingProxyType(dict(value))
    if key == "per-file-ignores":
        if not isinstance(value, dict):
            raise wrong(f", not {value!r}")
        return tuple((_patterns(where, key, [pattern])[0], _selectors(where, key, codes)) for pattern, codes in value.items())
    if key in ("exclude", "extend-exclude"):
        return _patterns(where, key, value)
    return _selectors(where, key, value, allow_all=key == "select")


def _patterns(where: str, key: str, value: object) -> tuple[Pattern, ...]:
    from .globs import PatternError, compile_patterns

    if not _strings(value):
        raise ConfigError(f"{where}: {key} must be {_KEYS[key]}, not {value!r}")
    try:
        return compile_patterns(value)  # type: ignore[arg-type]
    except PatternError as exc:
        raise ConfigError(f"{where}: {key}: {exc}") from None


def _selectors(where: str, key: str, value: object, allow_all: bool = False) -> frozenset[str]:
    if not _strings(value):
        raise ConfigError(f"{where}: {key} must be {_KEYS.get(key, 'a list of rule codes')}, not {value!r}")
    for selector in value:  # type: ignore[union-attr]
        problem = selector_problem(selector, allow_all)
        if problem:
            raise ConfigError(f"{where}: {key}: {problem}")
    return frozenset(value)  # type: ignore[arg-type]


def selector_problem(selector: str, allow_all: bool = True) -> str:
    """Why `selector` selects no rule ("" when it does): a code, a prefix of codes, a name."""
    if allow_all and selector == "ALL":
        return ""
    if selector and any(named_by(rule, frozenset({selector})) for rule in ALL_RULES):
        return ""
    known = ", ".join(f"{rule.code} ({rule.name})" for rule in ALL_RULES)
    return f"{selector!r} names no rule; the rules are {known}"


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _relative(path: str, directory: Path) -> str | None:
    """`path` relative to `directory`, `/`-separated; None for the directory itself. A
    path outside it (`--config` elsewhere, or the defaults) is given whole, so that only
    patterns without a slash, which match at any depth, can match it."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, directory)
    if relative == os.curdir:
        return None
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        relative = absolute.lstrip(os.sep)
    return relative.replace(os.sep, "/")


@cache
def _default_patterns() -> tuple[Pattern, ...]:
    """`DEFAULT_EXCLUDE` compiled, when a directory walk first needs it."""
    from .globs import compile_patterns

    return compile_patterns(DEFAULT_EXCLUDE)


def describe(path: str, configs: Configs, overrides: Overrides) -> list[str]:
    """`dockerfix config`: each setting in force for `path`, and where it came from."""
    config = configs.for_path(path)
    settings = settings_for(path, config, overrides)
    file = str(config.path) if config.path is not None else "default"

    def origin(on_command_line: bool, in_file: bool) -> str:
        return "command line" if on_command_line else file if in_file else "default"

    select = overrides.select if overrides.select is not None else config.select
    ignore = overrides.ignore if overrides.ignore is not None else config.ignore
    exclude = [p.text for p in config.exclude] if config.exclude is not None else list(DEFAULT_EXCLUDE)
    per_file = ", ".join(f"{pattern.text!r} = {_listed(sorted(codes))}" for pattern, codes in config.per_file_ignores)
    build_args = ", ".join(f"{name} = {value!r}" for name, value in sorted(settings.build_args.items()))
    rows = [
        ("select", _listed(sorted(select or ["ALL"])), origin(overrides.select is not None, config.select is not None)),
        ("extend-select", _listed(sorted(settings.extend_select)),
         origin(bool(overrides.extend_select), bool(config.extend_select) and overrides.select is None)),
        ("ignore", _listed(sorted(ignore or ())), origin(overrides.ignore is not None, config.ignore is not None)),
        ("unsafe-fixes", str(settings.unsafe_fixes).lower(),
         origin(overrides.unsafe_fixes is not None, config.unsafe_fixes is not None)),
        ("exclude", _listed(exclude), origin(False, config.exclude is not None)),
        ("extend-exclude", _listed(p.text for p in config.extend_exclude), origin(False, bool(config.extend_exclude))),
        ("per-file-ignores", "{" + per_file + "}", origin(False, bool(config.per_file_ignores))),
        ("build-args", "{" + build_args + "}", origin(bool(overrides.build_args), bool(config.build_args))),
        ("pr", "{" + ", ".join(f"{name} = {value!r}" for name, value in sorted(config.pr.items())) + "}",
         origin(False, bool(config.pr))),
    ]  # fmt: skip
    lines = [f"configuration file: {config.path if config.path is not None else 'none'}"]
    if overrides.isolated:
        lines.append("(--isolated: no configuration file is read)")
    lines += [f"{key} = {value}  # {where}" for key, value, where in rows]
    rules = [rule.code for rule in ALL_RULES if settings.selects(rule)]
    lines.append(f"rules in force for {path}: {', '.join(rules) or 'none'}")
    return lines


def _listed(items: Iterable[str]) -> str:
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"
