"""Recognise Python (and apt) installer calls and read their options as the tool does.

Whether a cache mount helps depends on options such as `--no-cache-dir`, and the
tools accept more spellings than a text search finds: pip (optparse) takes any
unambiguous prefix (`--no-cache`, `--cache /d` which eats the next word), options
before the subcommand (`pip --no-cache-dir install`), clusters (`-qUr req.txt`);
uv (clap) has aliases (`--no-cache-dir`, `-n`); pdm and pipenv (argparse) accept
prefixes too. So each tool's options are parsed by a model of its own parser,
driven by option tables copied from the tool's source (versions named below).

A call is found wherever the shell module finds a command: after `&&`, in
subshells, inside `sh -c '...'`, behind `sudo`/`env`/`gosu`, as `python -m pip`,
`/opt/venv/bin/pip`, `pip3.12`, or inside `uv run` / `poetry run` / `pipenv run`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .records import NamedTuple
from fixer.shell import Diagnostic, Script, SimpleCommand, Span, Word, script_from_argv

__all__ = ["InstallerCall", "ParsedOption", "find_installer_calls", "installer_call_from_argv", "may_call_installer"]


class ParsedOption(NamedTuple):
    """One option as the tool understood it.

    `canonical` is the tool's main spelling (`--cache-dir`), `written` what the
    command says (`--cache`, `-d`). `span` covers the word(s) holding the option,
    its separate value word included (for a short option in a cluster such as
    `-qU`, the whole cluster); `value_span` covers exactly the value's characters.
    """

    canonical: str
    written: str
    value: str | None
    span: Span
    value_span: Span | None


class InstallerCall(NamedTuple):
    """A recognised installer invocation.

    `program` is how it was started (`pip3`, `python3.12 -m pip`, `uv`), `subcommand`
    the command words (`install`, `pip install`, `tool install`; '' if none),
    `positionals` the operands (packages, paths). `errors` are what the tool would
    reject, such as an ambiguous abbreviation: the real command fails there.
    """

    tool: str
    program: str
    subcommand: str
    options: tuple[ParsedOption, ...]
    positionals: tuple[Word, ...]
    errors: tuple[Diagnostic, ...]
    command: SimpleCommand

    def get(self, *canonical: str) -> ParsedOption | None:
        """The last option written among `canonical` names, or None.

        Where options share a setting the last one wins: pip's `--cache-dir` and
        `--no-cache-dir` do, so `get("--cache-dir", "--no-cache-dir")` is the one pip
        obeys. (uv's `--no-cache` wins over `--cache-dir` in any order.)
        """
        for option in reversed(self.options):
            if option.canonical in canonical:
                return option
        return None

    def get_all(self, canonical: str) -> tuple[ParsedOption, ...]:
        """Every occurrence of an option that may repeat (`-r`, `--find-links`)."""
        return tuple(option for option in self.options if option.canonical == canonical)


def find_installer_calls(script: Script) -> tuple[InstallerCall, ...]:
    """Every installer call in a parsed script, in command order."""
    calls: list[InstallerCall] = []
    for command in script.commands:
        calls.extend(_calls(command, command.effective_words))
    return tuple(calls)


def installer_call_from_argv(argv: Sequence[str]) -> InstallerCall | None:
    """The installer call an exec-form RUN (`RUN ["pip", "install", "x"]`) makes itself.

    Offsets are into `" ".join(argv)`. Calls inside `["sh", "-c", "..."]` are found by
    `find_installer_calls(script_from_argv(argv))`.
    """
    command = script_from_argv(argv).commands[0]
    calls = _calls(command, command.effective_words)
    return calls[0] if calls else None


# --------------------------------------------------------------------------- tables
#
# Tables are written as `--long|--alias|-s=`: spellings separated by `|`, the first
# long one canonical; a trailing `=` means the option takes a value, `?=` an optional
# one. Complete tables are "strict": an unknown option is an error, as in the tool.


class _Spec(NamedTuple):
    canonical: str
    value: str  # '' (flag), '=' (required value), '?=' (optional value) or _UNLISTED


# An option missing from a lenient table: a flag, or `--name=value` if written so.
_UNLISTED = "unlisted"


class _Table:
    """An option table: every spelling -> its spec, the long spellings, and strictness.

    The text is parsed when the table is first read: there are some forty tables and a
    Dockerfile uses a few, so parsing them all would only lengthen start-up (by ~2 ms).
    """

    __slots__ = ("text", "strict", "_names", "_longs")

    def __init__(self, text: str, strict: bool, names: dict[str, _Spec] | None = None,
                 longs: tuple[str, ...] = ()) -> None:
        self.text = text
        self.strict = strict
        self._names = names
        self._longs = longs

    @property
    def names(self) -> dict[str, _Spec]:
        return self._names if self._names is not None else self._parse()

    @property
    def longs(self) -> tuple[str, ...]:
        if self._names is None:
            self._parse()
        return self._longs

    def _parse(self) -> dict[str, _Spec]:
        names: dict[str, _Spec] = {}
        for token in self.text.split():
            value = "?=" if token.endswith("?=") else "=" if token.endswith("=") else ""
            spellings = token[: len(token) - len(value)].split("|")
            spec = _Spec(next(s for s in spellings if s.startswith("--")), value)
            names.update(dict.fromkeys(spellings, spec))
        self._names = names
        self._longs = tuple(name for name in names if name.startswith("--"))
        return names

    def lenient(self) -> _Table:
        """The same options, with unknown ones allowed."""
        return _Table(self.text, False, self.names, self._longs)


def _table(*texts: str, strict: bool = True) -> _Table:
    return _Table(" ".join(texts), strict)


# pip 26.3 (pip/_internal/cli/cmdoptions.py, cli/main_parser.py, commands/*.py).
_PIP_GENERAL = """
--help|-h --debug --isolated --require-virtualenv|--require-venv --python= --verbose|-v
--quiet|-q --log|--log-file|--local-log= --no-input --keyring-provider= --proxy=
--no-proxy-env --retries= --timeout|--default-timeout= --exists-action= --trusted-host=
--cert= --client-cert= --cache-dir= --no-cache-dir --disable-pip-version-check
--no-color --no-python-version-warning --use-feature= --use-deprecated=
--resume-retries=
"""
_PIP_SELECTION = "--pre --all-releases= --only-final= --no-binary= --only-binary= --prefer-binary"
_PIP_INDEX = """
--index-url|--pypi-url|-i= --extra-index-url= --no-index --refresh-package=
--find-links|-f= --uploaded-prior-to=
"""
_PIP_REQUIREMENTS = """
--requirement|-r= --constraint|-c= --build-constraint= --requirements-from-script=
--no-deps|--no-dependencies --only-deps|--only-dependencies --group=
--src|--source|--source-dir|--source-directory= --ignore-requires-python
--no-build-isolation --use-pep517 --check-build-dependencies --require-hashes
--no-require-hashes --progress-bar= --no-clean
"""
_PIP_COMMANDS = {
    "install": _table(_PIP_GENERAL, _PIP_SELECTION, _PIP_INDEX, _PIP_REQUIREMENTS, """
        --editable|-e= --dry-run --target|-t= --platform= --python-version= --implementation=
        --abi= --user --no-user --root= --prefix= --upgrade|-U --upgrade-strategy=
        --force-reinstall --ignore-installed|-I --break-system-packages --config-settings|-C=
        --compile --no-compile --no-warn-script-location --no-warn-conflicts
        --root-user-action= --report="""),
    "download": _table(_PIP_GENERAL, _PIP_SELECTION, _PIP_INDEX, _PIP_REQUIREMENTS, """
        --dest|--destination-dir|--destination-directory|-d= --platform= --python-version=
        --implementation= --abi="""),
    "wheel": _table(_PIP_GENERAL, _PIP_SELECTION, _PIP_INDEX, _PIP_REQUIREMENTS, """
        --wheel-dir|-w= --editable|-e= --no-verify --config-settings|-C="""),
    "lock": _table(_PIP_GENERAL, _PIP_SELECTION, _PIP_INDEX, _PIP_REQUIREMENTS, """
        --output|-o= --editable|-e= --config-settings|-C="""),
    "uninstall": _table(_PIP_GENERAL, """
        --requirement|-r= --yes|-y --root-user-action= --break-system-packages"""),
    "cache": _table(_PIP_GENERAL, "--format="),
    "config": _table(_PIP_GENERAL, "--editor= --global --user --site"),
}
# Commands whose own options are not modelled: read leniently with the general ones.
_PIP_OTHER_COMMANDS = ("list", "freeze", "show", "check", "inspect", "hash", "completion",
                       "debug", "help", "index", "search")

# uv 0.13.9 (`uv <command> --help`; aliases from crates/uv-cli). Only options that
# take a value (so their value is not taken for a package) and those that matter here
# are listed; other flags are accepted as written.
_UV_GLOBAL = """
--cache-dir= --no-cache|-n|--no-cache-dir --python|-p= --directory= --project= --config-file=
--no-config --offline --color= --allow-insecure-host|--trusted-host= --keyring-provider=
--quiet|-q --verbose|-v --help|-h --system-certs|--native-tls
"""
_UV_INDEX = """
--default-index= --extra-index-url= --find-links|-f= --index= --index-strategy=
--index-url|-i= --no-index
"""
_UV_RESOLVER = """
--exclude-newer= --exclude-newer-package= --fork-strategy= --prerelease=
--prerelease-package= --resolution= --upgrade|-U --upgrade-group= --upgrade-package|-P=
"""
_UV_BUILD = """
--config-setting|-C= --config-settings-package= --no-build-isolation-package=
--no-sources-package= --link-mode= --refresh-package= --reinstall-package=
"""
_UV_PROJECT_BUILD = "--no-binary-package= --no-build-package="
_UV_GROUPS = "--extra= --group= --no-extra= --no-group= --only-group= --package="
_UV_PIP_SOURCES = """
--requirements|-r= --constraints|-c= --build-constraints|-b= --overrides= --excludes=
--extra= --group= --cert= --no-binary= --only-binary= --python-version= --python-platform=
--torch-backend=
"""


def _uv(*texts: str) -> _Table:
    return _table(_UV_GLOBAL, *texts, strict=False)


_UV_COMMANDS = {
    "pip install": _uv(_UV_INDEX, _UV_RESOLVER, _UV_BUILD, _UV_PIP_SOURCES, """
        --editable|-e= --no-editable-package= --target|-t= --prefix= --output-format="""),
    "pip sync": _uv(_UV_INDEX, _UV_BUILD, _UV_PIP_SOURCES, """
        --target|-t= --prefix= --output-format="""),
    "pip compile": _uv(_UV_INDEX, _UV_RESOLVER, _UV_BUILD, _UV_PIP_SOURCES, """
        --output-file|-o= --annotation-style= --custom-compile-command= --format=
        --no-emit-package="""),
    "pip uninstall": _uv("--requirements|-r= --cert= --prefix= --target|-t="),
    "sync": _uv(_UV_INDEX, _UV_RESOLVER, _UV_BUILD, _UV_PROJECT_BUILD, _UV_GROUPS, """
        --no-editable-package= --no-install-package= --output-format= --python-platform=
        --script="""),
    "add": _uv(_UV_INDEX, _UV_RESOLVER, _UV_BUILD, _UV_PROJECT_BUILD, """
        --requirements|-r= --constraints|-c= --extra= --group= --optional= --package=
        --marker|-m= --bounds= --branch= --rev= --tag= --script= --no-install-package="""),
    "lock": _uv(_UV_INDEX, _UV_RESOLVER, _UV_BUILD, _UV_PROJECT_BUILD, "--script="),
    "tool install": _uv(_UV_INDEX, _UV_RESOLVER, _UV_BUILD, _UV_PROJECT_BUILD, """
        --build-constraints|-b= --constraints|-c= --overrides= --excludes= --editable|-e
        --python-platform= --torch-backend= --with|-w= --with-editable=
        --with-executables-from= --with-requirements="""),
    "run": _uv(_UV_INDEX, _UV_RESOLVER, _UV_BUILD, _UV_PROJECT_BUILD, _UV_GROUPS, """
        --env-file= --no-editable-package= --python-platform= --with|-w= --with-editable=
        --with-requirements= --module|-m --script|-s"""),
    "export": _uv(_UV_INDEX, _UV_RESOLVER, _UV_BUILD, _UV_PROJECT_BUILD, _UV_GROUPS, """
        --format= --no-editable-package= --no-emit-package= --output-file|-o= --prune=
        --script="""),
    "venv": _uv(_UV_INDEX, "--exclude-newer= --exclude-newer-package= --link-mode= --prompt="
                " --refresh-package= --clear|-c"),
}

# poetry 2.5.1 with cleo 2.1.0 (Application.definition and each command's options).
_POETRY_GLOBAL = """
--help|-h --quiet|-q --verbose|-v --version|-V --ansi --no-ansi
--no-interaction|-n --no-plugins --no-cache --project|-P= --directory|-C=
"""
_POETRY_SYNC = """
--without= --with= --only= --no-root --no-directory --dry-run --extras|-E= --all-extras
--all-groups --only-root --compile
"""
_POETRY_COMMANDS = {
    "install": _table(_POETRY_GLOBAL, _POETRY_SYNC, "--sync"),
    "sync": _table(_POETRY_GLOBAL, _POETRY_SYNC),
    "add": _table(_POETRY_GLOBAL, """
        --group|-G= --dev|-D --editable|-e --extras|-E= --optional= --python= --platform=
        --markers= --source= --allow-prereleases --dry-run --lock"""),
    "update": _table(_POETRY_GLOBAL, "--without= --with= --only= --sync --dry-run --lock"),
    "lock": _table(_POETRY_GLOBAL, "--regenerate"),
    "remove": _table(_POETRY_GLOBAL, "--group|-G= --dev|-D --dry-run --lock"),
    "run": _table(_POETRY_GLOBAL),
}

# pdm 2.29.4 (argparse; `pdm.core.Core().parser` and its subparsers).
_PDM_GLOBAL = """
--help|-h --version|-V --config|-c= --verbose|-v --quiet|-q --no-cache --ignore-python|-I
--pep582?= --non-interactive|-n
"""
_PDM_COMMON = "--help|-h --verbose|-v --quiet|-q --global|-g --project|-p= --venv?= --skip|-k="
_PDM_GROUPS = "--group|--with|-G= --without= --no-default --dev|-d --prod|--production"
_PDM_INSTALLING = """
--no-editable --no-self --fail-fast|-x --no-isolation --config-setting|-C= --dry-run
--lockfile|-L=
"""
_PDM_UPDATING = """
--save-compatible --save-safe-compatible --save-wildcard --save-exact --save-minimum
--override= --update-reuse --update-eager --update-all --update-reuse-installed
--pre|--prerelease --stable --unconstrained|-u --frozen-lockfile|--no-lock --no-sync
"""
_PDM_COMMANDS = {
    "install": _table(_PDM_COMMON, _PDM_GROUPS, _PDM_INSTALLING, """
        --override= --frozen-lockfile|--no-lock --check --plugins"""),
    "sync": _table(_PDM_COMMON, _PDM_GROUPS, _PDM_INSTALLING, """
        --clean --only-keep|--clean-unselected --reinstall|-r"""),
    "add": _table(_PDM_COMMON, _PDM_INSTALLING, _PDM_UPDATING, """
        --editable|-e= --dev|-d --group|-G="""),
    "update": _table(_PDM_COMMON, _PDM_GROUPS, _PDM_INSTALLING, _PDM_UPDATING,
                     "--top|-t --dry-run|--outdated"),
    "lock": _table(_PDM_COMMON, _PDM_GROUPS, """
        --lockfile|-L= --no-isolation --config-setting|-C= --override= --strategy|-S=
        --no-cross-platform --static-urls --no-static-urls --refresh --check --update-reuse
        --update-reuse-installed --exclude-newer= --exclude-newer-override= --python=
        --platform= --implementation= --append"""),
    "run": _table(_PDM_COMMON, strict=False),
}

# pipenv 2026.10.3 (argparse; pipenv/cli/options.py build_parser).
_PIPENV_ROOT = """
--help|-h --version --where --venv --py --envs --rm --bare --man --support --site-packages
--no-site-packages
"""
_PIPENV_GENERAL = "--pypi-mirror= --verbose|-v --quiet|-q --clear --python="
_PIPENV_RESOLVING = "--pre --extra-pip-args= --resolver= --dev|-d --categories="
_PIPENV_COMMANDS = {
    "install": _table(_PIPENV_GENERAL, _PIPENV_RESOLVING, """
        --help|-h --system --deploy --site-packages --no-site-packages --extras= --all
        --config-settings= --index|-i= --requirements|-r= --ignore-pipfile --editable|-e=
        --skip-lock"""),
    "sync": _table(_PIPENV_GENERAL, _PIPENV_RESOLVING, """
        --help|-h --system --bare --clean --extras= --all --site-packages --no-site-packages"""),
    "update": _table(_PIPENV_GENERAL, _PIPENV_RESOLVING, """
        --help|-h --bare --outdated --dry-run --system --extras= --all --config-settings=
        --index|-i= --requirements|-r= --ignore-pipfile --editable|-e= --skip-lock --lock-only"""),
    "lock": _table(_PIPENV_GENERAL, _PIPENV_RESOLVING, "--help|-h --dev-only --backend="),
    "uninstall": _table(_PIPENV_GENERAL, _PIPENV_RESOLVING, """
        --help|-h --all-dev --all --extras= --editable|-e= --skip-lock"""),
    "run": _table(_PIPENV_GENERAL, strict=False),
}

# apt-get / apt (apt-get(8)); options may stand anywhere, values of -o are `Key=Value`.
_APT = _table("""
--option|-o= --config-file|-c= --target-release|--default-release|-t= --host-architecture|-a=
--build-profiles|-P= --assume-yes|--yes|-y --quiet|-q --download-only|-d
--simulate|--just-print|--dry-run|--recon|--no-act|-s --no-install-recommends
--install-recommends --no-install-suggests --fix-broken|-f --ignore-missing|--fix-missing|-m
--no-download --reinstall --purge --autoremove|--auto-remove --allow-unauthenticated
--allow-downgrades --allow-change-held-packages --no-upgrade --only-upgrade --update
""", strict=False)
_APT_COMMANDS = ("install", "update", "upgrade", "dist-upgrade", "full-upgrade", "remove",
                 "purge", "autoremove", "clean", "autoclean", "download", "source", "build-dep",
                 "satisfy", "reinstall")


# --------------------------------------------------------------------------- parsing


class _Dialect(NamedTuple):
    """How a tool's argument parser differs from the others."""

    abbreviations: bool  # a unique prefix of a long option is that option
    dash_values: bool  # a value may start with `-` (`--cache-dir -x` takes `-x`)


_OPTPARSE = _Dialect(abbreviations=True, dash_values=True)
_ARGPARSE = _Dialect(abbreviations=True, dash_values=False)
_CLAP_OR_CLEO = _Dialect(abbreviations=False, dash_values=False)
_APT_PARSER = _Dialect(abbreviations=False, dash_values=True)


class _Reader:
    """One pass of a tool's option parser over some words, collecting what it finds."""

    __slots__ = ("tool", "table", "dialect", "options", "positionals", "errors")

    def __init__(self, tool: str, table: _Table, dialect: _Dialect) -> None:
        self.tool = tool
        self.table = table
        self.dialect = dialect
        self.options: list[ParsedOption] = []
        self.positionals: list[Word] = []
        self.errors: list[Diagnostic] = []

    def read(self, words: Sequence[Word], i: int = 0, until_operand: bool = False) -> int:
        """Read options from `words[i]`; return where reading stopped.

        With `until_operand` it stops at the first operand (a subcommand, or the
        program `uv run` starts); otherwise operands and options may mix, and `--`
        makes everything after it an operand.
        """
        while i < len(words):
            text = words[i].text
            if text == "--":
                if until_operand:
                    return i + 1
                self.positionals.extend(words[i + 1 :])
                return len(words)
            if len(text) > 1 and text[0] == "-":
                i = self._long(words, i) if text[1] == "-" else self._short(words, i)
            elif until_operand:
                return i
            else:
                self.positionals.append(words[i])
                i += 1
        return i

    def _long(self, words: Sequence[Word], i: int) -> int:
        word = words[i]
        name, equals, _ = word.text.partition("=")
        spec = self._resolve(name, word)
        if spec is None:
            return i + 1
        if equals and not spec.value:
            self._error(f"option {spec.canonical} does not take a value", word)
        if equals and spec.value:
            self._add(spec.canonical, name, word.sub(len(name) + 1), word, word)
        elif equals or spec.value in ("", _UNLISTED):
            self._add(spec.canonical, name, None, word, word)
        else:
            return self._separate_value(spec, name, words, i)
        return i + 1

    def _short(self, words: Sequence[Word], i: int) -> int:
        word = words[i]
        text = word.text
        for k in range(1, len(text)):
            letter = "-" + text[k]
            spec = self.table.names.get(letter)
            if spec is None:
                if self.table.strict:
                    self._error(f"no such option: {letter}", word)
                    return i + 1
                spec = _Spec(letter, _UNLISTED)
            if spec.value in ("", _UNLISTED):
                self._add(spec.canonical, letter, None, word, word)
            elif k + 1 < len(text):
                self._add(spec.canonical, letter, word.sub(k + 1), word, word)
                return i + 1
            else:
                return self._separate_value(spec, letter, words, i)
        return i + 1

    def _separate_value(self, spec: _Spec, written: str, words: Sequence[Word], i: int) -> int:
        """`--opt value`: take the next word unless the parser would see an option there."""
        word = words[i]
        following = words[i + 1] if i + 1 < len(words) else None
        if following is not None and (
            self.dialect.dash_values or not following.text.startswith("-") or following.text == "-"
        ):
            self._add(spec.canonical, written, following, word, following)
            return i + 2
        if spec.value == "=":
            self._error(f"option {written} requires a value", word)
        self._add(spec.canonical, written, None, word, word)
        return i + 1

    def _resolve(self, name: str, word: Word) -> _Spec | None:
        """The option `name` stands for: exact, else a unique prefix where allowed."""
        names = self.table.names
        spec = names.get(name)
        if spec is not None:
            return spec
        if self.dialect.abbreviations:
            matches = [long for long in self.table.longs if long.startswith(name)]
            if len(matches) == 1:
                return names[matches[0]]
            if matches:
                self._error(f"ambiguous option: {name} ({', '.join(sorted(matches))})", word)
                return None
        if self.table.strict:
            self._error(f"no such option: {name}", word)
            return None
        return _Spec(name, _UNLISTED)

    def _add(self, canonical: str, written: str, value: Word | None, first: Word,
             last: Word) -> None:
        value_span = None if value is None else (value.start, value.end)
        self.options.append(ParsedOption(canonical, written, value and value.text,
                                         (first.start, last.end), value_span))

    def _error(self, message: str, word: Word) -> None:
        self.errors.append(Diagnostic(f"{self.tool}: {message}", word.start))


class _Tool(NamedTuple):
    """How a tool splits its arguments: options, then subcommand words, then more options."""

    name: str
    dialect: _Dialect
    root: _Table  # options allowed before the subcommand
    commands: dict[str, _Table]  # subcommand -> options allowed after it
    groups: frozenset[str] = frozenset()  # words that take a further subcommand (`uv pip`)
    known: tuple[str, ...] = ()  # other subcommands; when listed, the rest are errors
    runners: frozenset[str] = frozenset()  # subcommands that run a program (`uv run`)
    reparse: bool = False  # pip: the subcommand's parser re-reads the options before it


_PIP_ROOT = _table(_PIP_GENERAL, "--version|-V")
_TOOLS = {
    "pip": _Tool("pip", _OPTPARSE, _PIP_ROOT, _PIP_COMMANDS, known=_PIP_OTHER_COMMANDS,
                 reparse=True),
    "uv": _Tool("uv", _CLAP_OR_CLEO, _uv("--version|-V"), _UV_COMMANDS,
                groups=frozenset({"pip", "tool", "cache", "python", "self"}),
                runners=frozenset({"run"})),
    "poetry": _Tool("poetry", _CLAP_OR_CLEO, _table(_POETRY_GLOBAL), _POETRY_COMMANDS,
                    runners=frozenset({"run"})),
    "pdm": _Tool("pdm", _ARGPARSE, _table(_PDM_GLOBAL), _PDM_COMMANDS,
                 runners=frozenset({"run"})),
    "pipenv": _Tool("pipenv", _ARGPARSE, _table(_PIPENV_ROOT, _PIPENV_GENERAL),
                    _PIPENV_COMMANDS, runners=frozenset({"run"})),
    "apt": _Tool("apt", _APT_PARSER, _APT, dict.fromkeys(_APT_COMMANDS, _APT)),
}

_PIP_NAME = re.compile(r"pip(?:\d+(?:\.\d+)*)?")
_PYTHON_NAME = re.compile(r"python(?:\d+(?:\.\d+)*)?[dmt]?")
_PROGRAMS = {"uv": "uv", "poetry": "poetry", "pdm": "pdm", "pipenv": "pipenv",
             "apt-get": "apt", "apt": "apt"}
_MODULES = {"pip": "pip", "uv": "uv", "poetry": "poetry", "pdm": "pdm", "pipenv": "pipenv"}
# Every name `_identify` accepts holds one of these (pip's, `pip3.12`, start with "pip").
_NAMES = re.compile("|".join(sorted({"pip", *_PROGRAMS, *_MODULES})))


def may_call_installer(unquoted: str | None) -> bool:
    """Whether `find_installer_calls` can find a call in a script whose code is, without
    quotes, `unquoted` (`shell.unquoted`; None: not known). False means it finds none,
    so the script need not be parsed for installs: every program and `-m` module name
    it identifies is a stretch of that text.
    """
    return unquoted is None or _NAMES.search(unquoted) is not None


def _calls(command: SimpleCommand, words: Sequence[Word]) -> list[InstallerCall]:
    """The call `words` make, plus the one a `uv run`/`poetry run` in it starts."""
    found = _identify(words)
    if found is None:
        return []
    tool, start = found
    program = words[0].text if start == 1 else " ".join(word.text for word in words[:start])
    call, runs = _parse(_TOOLS[tool], program, words[start:], command)
    return [call, *_calls(command, runs)]


def _identify(words: Sequence[Word]) -> tuple[str, int] | None:
    """Which tool `words` run and where its own arguments start."""
    if not words or words[0].has_expansion:
        return None
    name = words[0].text.rpartition("/")[2]
    if _PIP_NAME.fullmatch(name):
        return "pip", 1
    if name in _PROGRAMS:
        return _PROGRAMS[name], 1
    if _PYTHON_NAME.fullmatch(name):
        module = _python_module(words)
        if module is not None and module[0] in _MODULES:
            return _MODULES[module[0]], module[1]
    return None


def _python_module(words: Sequence[Word]) -> tuple[str, int] | None:
    """`python [options] -m MODULE`: the module and the index after it (None otherwise).

    Python's options come in clusters (`-Im pip`, `-mpip`); `-W`/`-X` take a value
    and `-c` or a script path mean no module runs.
    """
    i = 1
    while i < len(words):
        text = words[i].text
        if text == "--check-hash-based-pycs":
            i += 2
            continue
        if len(text) < 2 or text[0] != "-" or text[1] == "-":
            return None
        i += 1
        for k in range(1, len(text)):
            letter, attached = text[k], text[k + 1 :]
            if letter == "c":
                return None
            if letter == "m":
                if attached:
                    return attached, i
                return (words[i].text, i + 1) if i < len(words) else None
            if letter in "WX":
                i += 0 if attached else 1  # the value is the rest of the word or the next one
                break
    return None


def _parse(tool: _Tool, program: str, args: Sequence[Word],
           command: SimpleCommand) -> tuple[InstallerCall, Sequence[Word]]:
    """Read a tool's arguments; also return the argv a runner subcommand starts."""
    head = _Reader(tool.name, tool.root, tool.dialect)
    i = head.read(args, 0, until_operand=True)
    names: list[Word] = []
    while i < len(args):
        names.append(args[i])
        if args[i].text not in tool.groups or len(names) > 1:
            break
        i = head.read(args, i + 1, until_operand=True)
    subcommand = names[0].text if len(names) == 1 else " ".join(word.text for word in names)
    table = tool.commands.get(subcommand)
    if table is None:
        table = tool.root.lenient()
        if tool.known and names and subcommand not in tool.known:
            head.errors.append(Diagnostic(f"{tool.name}: unknown command {subcommand!r}",
                                          names[0].start))
    body = _Reader(tool.name, table, tool.dialect)
    if tool.reparse and names:
        # pip hands its command parser all arguments but the first one spelled like
        # the command (`cmd_args.remove(cmd_name)`), options before it included.
        rest = list(args)
        del rest[next(k for k, word in enumerate(args) if word.text == names[0].text)]
        body.read(rest)
        options = body.options
    else:
        end = body.read(args, i + 1 if names else i, until_operand=subcommand in tool.runners)
        options = head.options + body.options
        if subcommand in tool.runners:
            body.positionals.extend(args[end:])
    # The tool stops at its first error; keep one per place (pip reads some words twice).
    errors: tuple[Diagnostic, ...] = ()
    if head.errors or body.errors:
        errors = tuple({error.offset: error for error in reversed(head.errors + body.errors)}.values())[::-1]
    runs = body.positionals if subcommand in tool.runners else ()
    call = InstallerCall(tool.name, program, subcommand, tuple(options),
                         tuple(body.positionals), errors, command)
    return call, runs
