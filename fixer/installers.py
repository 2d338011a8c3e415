"""Recognise Python (and apt) installer calls and read their options as the tool does.

Whether a cache mount helps depends on options such as `--no-cache-dir`, and the
tools accept more spellings than a text search finds: pip (optparse) takes any
unambiguous prefix (`--no-cache`, `--cache /d` which eats the next word), options
before the subcommand (`pip --no-cache-dir install`), clusters (`-qUr req.txt`);
uv (clap) has aliases (`--no-cache-dir`, `-n`); pdm and pipenv (argparse) accept
prefixes too. So each tool's options are parsed by a model of its own parser,
driven by option tables copied from the tool's source (versions named below).
pip's tables also say which pip versions since 9.0 had which options: a word that
the newest pip rejects but an older one takes (`--global`, `--install-option`) is
read as that pip reads it and noted, not reported as an error.

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
    `version_dependent` are words that the newest version (the one the tables follow)
    rejects but an older one takes, such as pip's `--global` (`--global-option` until
    pip 25.3): they are read as the newest of those older versions reads them, and each
    message says which versions take the word as what.
    """

    tool: str
    program: str
    subcommand: str
    options: tuple[ParsedOption, ...]
    positionals: tuple[Word, ...]
    errors: tuple[Diagnostic, ...]
    command: SimpleCommand
    version_dependent: tuple[Diagnostic, ...] = ()

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


def describe_call(call: InstallerCall) -> str:
    """The call's command as a message quotes it, cut at 60 characters."""
    text = " ".join(word.text for word in call.command.effective_words)
    return text if len(text) <= 60 else text[:57] + "..."


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
#
# `@RANGES` after a token says which versions of the tool had it, where that is not all
# of them: `@22.3` since 22.3, `@-25.3` until 25.3 (which removed it), `@20.1-20.3`,
# ranges joined by `,`. A token that no longer exists is left out of the option table
# and kept for `_History` only.


class _Spec(NamedTuple):
    canonical: str
    value: str  # '' (flag), '=' (required value), '?=' (optional value) or _UNLISTED


# An option missing from a lenient table: a flag, or `--name=value` if written so.
_UNLISTED = "unlisted"


def _token(token: str) -> tuple[list[str], _Spec, str]:
    """A table token's spellings, its spec, and its version ranges ('' for all versions)."""
    token, _, ranges = token.partition("@")
    value = "?=" if token.endswith("?=") else "=" if token.endswith("=") else ""
    spellings = token[: len(token) - len(value)].split("|")
    return spellings, _Spec(next(s for s in spellings if s.startswith("--")), value), ranges


class _Table:
    """An option table: every spelling -> its spec, the long spellings, and strictness.

    The text is parsed when the table is first read: there are some forty tables and a
    Dockerfile uses a few, so parsing them all would only lengthen start-up (by ~2 ms).
    `since` is the version that added the command (pip's `lock` came in 25.1).
    """

    __slots__ = ("text", "strict", "since", "_names", "_longs", "_history")

    def __init__(self, text: str, strict: bool, names: dict[str, _Spec] | None = None,
                 longs: tuple[str, ...] = (), since: str = "") -> None:
        self.text = text
        self.strict = strict
        self.since = since
        self._names = names
        self._longs = longs
        self._history: _History | None = None

    @property
    def names(self) -> dict[str, _Spec]:
        return self._names if self._names is not None else self._parse()

    @property
    def longs(self) -> tuple[str, ...]:
        if self._names is None:
            self._parse()
        return self._longs

    @property
    def history(self) -> _History:
        """Which versions had which spellings; built on first use (a rejected option)."""
        if self._history is None:
            self._history = _History(self.text, self.since)
        return self._history

    def _parse(self) -> dict[str, _Spec]:
        names: dict[str, _Spec] = {}
        for token in self.text.split():
            spellings, spec, ranges = _token(token)
            if "-" not in ranges.rpartition(",")[2]:  # not removed
                names.update(dict.fromkeys(spellings, spec))
        self._names = names
        self._longs = tuple(name for name in names if name.startswith("--"))
        return names

    def lenient(self) -> _Table:
        """The same options, with unknown ones allowed."""
        return _Table(self.text, False, self.names, self._longs)


def _table(*texts: str, strict: bool = True, since: str = "") -> _Table:
    return _Table(" ".join(texts), strict, since=since)


class _History:
    """Every spelling a table's tool ever had (from its `@` ranges), and how each version
    reads a word that the newest one rejects.

    The versions are cut into eras at every version a range names; a spelling's eras are
    the bits of an int, so which eras read a word as what takes a few bit operations per
    matching spelling, not a loop over versions (the same optparse rule per era: an exact
    spelling, else a prefix of exactly one spelling, aliases counted apart).

    Only words the newest version rejects are looked up here. A word it accepts is read
    as it reads it, even where an older version rejects it or reads it otherwise (pip
    9.0 to 26.2 rejected `--ver` as ambiguous with the subcommands' `--version`; pip
    before 21.3 read `--build` as `--build-dir`, now it is a prefix of
    `--build-constraint`): the tables follow the newest version and claim nothing for
    older ones, as they claim nothing for an option older versions lack
    (`--break-system-packages` came in pip 23.0.1). A word the newest version rejects
    is different: the command line then runs only under an older version, so what it
    does can be told only under that one, not for certain.
    """

    __slots__ = ("cuts", "spellings", "longs")

    def __init__(self, text: str, since: str) -> None:
        tokens = [_token(token) for token in text.split()]
        versions = {version for *_, ranges in tokens for part in ranges.split(",")
                    for version in part.split("-") if version}
        if since:
            versions.add(since)
        self.cuts = sorted(versions, key=_version_key)
        alive = self._eras(since)
        self.spellings: dict[str, tuple[_Spec, int]] = {}
        for spellings, spec, ranges in tokens:
            self.spellings.update(dict.fromkeys(spellings, (spec, self._eras(ranges) & alive)))
        self.longs = tuple(name for name in self.spellings if name.startswith("--"))

    def _eras(self, ranges: str) -> int:
        """The eras (bits; era k runs from cuts[k-1] to cuts[k]) that `ranges` covers."""
        if not ranges:
            return (1 << (len(self.cuts) + 1)) - 1
        bits = 0
        for part in ranges.split(","):
            start, _, end = part.partition("-")
            low = self.cuts.index(start) + 1 if start else 0
            high = self.cuts.index(end) if end else len(self.cuts)
            bits |= (1 << (high + 1)) - (1 << low)
        return bits

    def readings(self, name: str, abbreviations: bool) -> dict[_Spec, int]:
        """The options `name` stands for in the eras that accept it -> those eras (none
        where the tool's versions are not told apart: the newest one rejected it)."""
        if not self.cuts:
            return {}
        spelling, exact = self.spellings.get(name, (None, 0))
        found = {spelling: exact} if exact else {}
        if abbreviations and name.startswith("--"):
            matches = [self.spellings[long] for long in self.longs
                       if long.startswith(name) and long != name]
            once = twice = 0
            for _, eras in matches:
                twice |= once & eras
                once |= eras
            unique = once & ~twice & ~exact
            for spec, eras in matches:
                if eras & unique:
                    found[spec] = found.get(spec, 0) | eras & unique
        return found

    def versions(self, eras: int) -> str:
        """`eras` as version specifiers: `<25.3`, `>=20.0,<26.2` (joined by ` or `)."""
        runs: list[str] = []
        k = 0
        while eras >> k:
            if not eras >> k & 1:
                k += 1
                continue
            end = k
            while eras >> end + 1 & 1:
                end += 1
            bounds = ([f">={self.cuts[k - 1]}"] if k else []) + (
                [f"<{self.cuts[end]}"] if end < len(self.cuts) else [])
            runs.append(",".join(bounds))
            k = end + 1
        return " or ".join(runs)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


# pip 26.3 (pip/_internal/cli/cmdoptions.py, cli/main_parser.py, commands/*.py). The `@`
# ranges are read from the same files at every pip release tag from 9.0 on (before 9.0
# nothing is modelled). The removals, as NEWS.rst has them: 10.0 --egg, `install
# --download`, --(no-)use-wheel, --allow-external, --allow-all-external,
# --allow-unverified (with the aliases --allow-insecure, --no-allow-*), --default-vcs,
# `download --editable`; 19.0 --process-dependency-links; 19.3 `config --venv`; 20.1
# --skip-requirements-regex; 20.3 --unstable-feature and --build-dir (back as a no-op in
# 20.3.1, removed for good in 21.3); 23.1 --install-option; 25.3 --global-option,
# --build-option, --no-use-pep517; 26.3 a subcommand's --version/-V (news/9456.bugfix.rst,
# pypa/pip#14231: only `pip --version` is left). `-C` came in 23.1, after
# --config-settings: the history is never asked about a short spelling pip still has.
_PIP_GENERAL = """
--help|-h --debug@21.3 --isolated --require-virtualenv|--require-venv --python=@22.3
--verbose|-v --quiet|-q --log|--log-file|--local-log= --no-input --keyring-provider=@23.1
--proxy= --no-proxy-env@26.2 --retries= --timeout|--default-timeout= --exists-action=
--trusted-host= --cert= --client-cert= --cache-dir= --no-cache-dir
--disable-pip-version-check --no-color@10.0 --no-python-version-warning@20.0
--use-feature=@20.2 --use-deprecated=@20.2 --resume-retries=@25.1
--version|-V@-26.3 --default-vcs=@-10.0 --skip-requirements-regex=@-20.1
--unstable-feature=@20.1-20.3
"""
_PIP_SELECTION = """
--pre --all-releases=@26.0 --only-final=@26.0 --no-binary= --only-binary= --prefer-binary@18.0
"""
_PIP_INDEX = """
--index-url|--pypi-url|-i= --extra-index-url= --no-index --refresh-package=@26.2
--find-links|-f= --uploaded-prior-to=@26.0
"""
_PIP_REQUIREMENTS = """
--requirement|-r= --constraint|-c= --build-constraint=@25.3 --requirements-from-script=@26.0
--no-deps|--no-dependencies --only-deps|--only-dependencies@26.2 --group=@25.1
--src|--source|--source-dir|--source-directory= --ignore-requires-python
--no-build-isolation@10.0 --use-pep517@19.0 --check-build-dependencies@22.1.1
--require-hashes --no-require-hashes@26.2 --progress-bar=@10.0 --no-clean
--no-use-pep517@19.0-25.3 --build-dir|--build|--build-directory|-b=@-20.3,20.3.1-21.3
--process-dependency-links@-19.0
"""
# pip 9's options for PEP 438 (external and unverified files) and wheel use.
_PIP_BEFORE_10 = """
--use-wheel@-10.0 --no-use-wheel@-10.0 --allow-external=@-10.0 --allow-all-external@-10.0
--no-allow-external@-10.0 --allow-unverified|--allow-insecure=@-10.0 --no-allow-insecure@-10.0
"""
_PIP_COMMANDS = {
    "install": _table(_PIP_GENERAL, _PIP_SELECTION, _PIP_INDEX, _PIP_REQUIREMENTS,
                      _PIP_BEFORE_10, """
        --editable|-e= --dry-run@22.2 --target|-t= --platform=@18.1 --python-version=@18.1
        --implementation=@18.1 --abi=@18.1 --user --no-user@10.0 --root= --prefix=
        --upgrade|-U --upgrade-strategy= --force-reinstall --ignore-installed|-I
        --break-system-packages@23.0.1 --config-settings|-C=@22.1 --compile --no-compile
        --no-warn-script-location@10.0 --no-warn-conflicts@10.0 --root-user-action=@22.1
        --report=@22.2 --global-option=@-25.3 --install-option=@-23.1 --egg@-10.0
        --download|--download-dir|--download-directory|-d=@-10.0"""),
    "download": _table(_PIP_GENERAL, _PIP_SELECTION, _PIP_INDEX, _PIP_REQUIREMENTS, """
        --dest|--destination-dir|--destination-directory|-d= --platform= --python-version=
        --implementation= --abi= --ignore-requires-python@21.0 --global-option=@-25.3
        --editable|-e=@-10.0"""),
    "wheel": _table(_PIP_GENERAL, _PIP_SELECTION, _PIP_INDEX, _PIP_REQUIREMENTS,
                    _PIP_BEFORE_10, """
        --wheel-dir|-w= --editable|-e= --no-verify@20.3.4 --config-settings|-C=@22.1
        --global-option=@-25.3 --build-option=@-25.3"""),
    "lock": _table(_PIP_GENERAL, _PIP_SELECTION, _PIP_INDEX, _PIP_REQUIREMENTS, """
        --output|-o= --editable|-e= --config-settings|-C=""", since="25.1"),
    "uninstall": _table(_PIP_GENERAL, """
        --requirement|-r= --yes|-y --root-user-action=@22.1 --break-system-packages@23.0.1"""),
    "cache": _table(_PIP_GENERAL, "--format=@20.3", since="20.1"),
    "config": _table(_PIP_GENERAL, "--editor= --global --user --site@19.1 --venv@-19.3",
                     since="10.0"),
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

    __slots__ = ("tool", "table", "dialect", "options", "positionals", "errors",
                 "version_dependent")

    def __init__(self, tool: str, table: _Table, dialect: _Dialect) -> None:
        self.tool = tool
        self.table = table
        self.dialect = dialect
        self.options: list[ParsedOption] = []
        self.positionals: list[Word] = []
        self.errors: list[Diagnostic] = []
        self.version_dependent: list[Diagnostic] = []

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
        spec = self._resolve(name, word, bool(equals))
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
                    problem = f"no such option: {letter}"
                    spec = self._rejected(problem, letter, word, k + 1 < len(text))
                    if spec is None:
                        return i + 1
                else:
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

    def _resolve(self, name: str, word: Word, attached: bool) -> _Spec | None:
        """The option `name` stands for: exact, else a unique prefix where allowed.
        `attached`: the word holds a value after `=`."""
        names = self.table.names
        spec = names.get(name)
        if spec is not None:
            return spec
        if self.dialect.abbreviations:
            matches = [long for long in self.table.longs if long.startswith(name)]
            if len(matches) == 1:
                return names[matches[0]]
            if matches:
                problem = f"ambiguous option: {name} ({', '.join(sorted(matches))})"
                return self._rejected(problem, name, word, attached)
        if self.table.strict:
            return self._rejected(f"no such option: {name}", name, word, attached)
        return _Spec(name, _UNLISTED)

    def _rejected(self, problem: str, name: str, word: Word, attached: bool) -> _Spec | None:
        """What the newest version rejects: an error, unless an older version takes it;
        then it is read as the newest of those reads it (see `_History`)."""
        history = self.table.history
        readings = history.readings(name, self.dialect.abbreviations)
        if not readings:
            self._error(problem, word)
            return None
        newest = max(readings, key=readings.__getitem__)  # the eras are disjoint
        separate = newest.value == "=" and not attached
        taking = ", taking the next word as its value" if separate else ""
        newest_first = sorted(readings.items(), key=lambda item: -item[1])
        how = " and ".join(f"{self.tool} {history.versions(eras)} {'as' if n else 'reads it as'} "
                           f"{spec.canonical}" for n, (spec, eras) in enumerate(newest_first))
        self.version_dependent.append(Diagnostic(f"{self.tool}: {problem}, but {how}{taking}",
                                                 word.start))
        return newest

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
    runs = body.positionals if subcommand in tool.runners else ()
    # The tool stops at its first error. An error is one in every version (older versions'
    # readings were tried), so a note on what they make of the same word would mislead:
    # pip reads the words before the subcommand with its general options, then again.
    errors = _one_per_place(head.errors + body.errors)
    notes = head.version_dependent + body.version_dependent
    if errors and notes:
        failed = {error.offset for error in errors}
        notes = [note for note in notes if note.offset not in failed]
    call = InstallerCall(tool.name, program, subcommand, tuple(options), tuple(body.positionals),
                         errors, command, _one_per_place(notes))
    return call, runs


def _one_per_place(diagnostics: list[Diagnostic]) -> tuple[Diagnostic, ...]:
    """The first diagnostic at each offset, in order (pip reads some words twice)."""
    if not diagnostics:
        return ()
    return tuple({d.offset: d for d in reversed(diagnostics)}.values())[::-1]
