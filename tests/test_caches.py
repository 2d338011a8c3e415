"""Tests for fixer.caches: where one installer call caches, or why it does not.

Calls are built from real command lines (fixer.shell + fixer.installers), so option
spellings reach `resolve_cache` as the tools read them. "row N" refers to the table
in semantics.md §7; "problem §2" to the HOME table of problem.md.
"""

from __future__ import annotations

import pytest

from fixer.caches import (
    CacheResolution,
    EnvView,
    PipConfigView,
    PipSetting,
    ToolConfig,
    resolve_cache,
)
from fixer.facts import Known, Origin
from fixer.images import lookup
from fixer.installers import find_installer_calls
from fixer.shell import parse_script

ENV_LINE = Origin("ENV", 3)
KNOWN = ToolConfig()  # the tool's config files were read and set nothing


def fact(value: str, origin: Origin = ENV_LINE, certain: bool = True) -> Known[str]:
    return Known(value, origin, certain)


def view(complete: bool = True, **variables: str) -> EnvView:
    """An environment whose variables all come from an ENV line."""
    return EnvView({name: fact(value) for name, value in variables.items()}, complete=complete)


def conf(path: str, section: str, key: str, value: str) -> PipSetting:
    return PipSetting(path, section, key, value, Origin(f"COPY {path}", 5))


def resolve(code: str, env: EnvView | None = None, home: str | None = "/root",
            home_reason: str = "root's passwd entry", cwd: str = "/app", cwd_certain: bool = True,
            config: PipConfigView | None = None, **kwargs) -> CacheResolution:
    """Resolve the only installer call of a RUN line."""
    (call,) = find_installer_calls(parse_script(code))
    return resolve_cache(call, env or EnvView(), home, home_reason, cwd, cwd_certain,
                         config or PipConfigView(), **kwargs)


def where(result: CacheResolution) -> tuple[str, str | None, str]:
    return result.status, result.directory, result.decided_by


# --------------------------------------------------------------------------- pip: HOME


@pytest.mark.parametrize(
    ("home", "expected"),
    [
        pytest.param("/root", "/root/.cache/pip", id="row1-root-nothing-set"),
        pytest.param("/x", "/x/.cache/pip", id="row2-ENV-HOME"),
        pytest.param("/home/app", "/home/app/.cache/pip", id="row4-USER-app"),
        pytest.param("/home/app", "/home/app/.cache/pip", id="row5-home-not-created"),
        pytest.param("/", "/.cache/pip", id="row6-uid-not-in-passwd"),
        pytest.param("/root", "/root/.cache/pip", id="row7-base-HOME-then-USER"),
        pytest.param("/a", "/a/.cache/pip", id="row23-ARG-HOME-after-ENV-HOME"),
        pytest.param("/h", "/h/.cache/pip", id="row24-inherited-ENV-HOME"),
        pytest.param("/e", "/e/.cache/pip", id="row25-child-stage-ENV-HOME"),
        pytest.param("/root", "/root/.cache/pip", id="row26-root-with-uid-1000-mount"),
        pytest.param("/root", "/root/.cache/pip", id="problem2-nothing"),
        pytest.param("/app", "/app/.cache/pip", id="problem2-ENV-HOME"),
        pytest.param("/home/appuser", "/home/appuser/.cache/pip", id="problem2-useradd-m"),
        pytest.param("/app", "/app/.cache/pip", id="problem2-ENV-HOME-and-USER"),
        pytest.param("/", "/.cache/pip", id="problem2-USER-1234"),
        pytest.param("/nonexistent", "/nonexistent/.cache/pip", id="problem2-USER-nobody"),
        pytest.param("/home/appuser", "/home/appuser/.cache/pip", id="problem2-USER-1000"),
        pytest.param("/home/svc", "/home/svc/.cache/pip", id="problem2-useradd-r"),
        pytest.param("/root", "/root/.cache/pip", id="problem2-USER-root-again"),
        pytest.param("/app", "/app/.cache/pip", id="problem2-useradd-M-d"),
    ],
)
def test_pip_caches_under_the_home_the_caller_resolved(home: str, expected: str) -> None:
    """Rows where only HOME varies: the caller resolves HOME (ENV, ARG, passwd, stage
    inheritance); pip adds `.cache/pip`. Whether the user may write there (rows 4-7, 26:
    pip then disables the cache) depends on the mount, which the caller checks."""
    result = resolve("pip install -r requirements.txt", home=home)
    assert where(result) == ("enabled", expected, "home")


def test_row3_home_is_the_runtime_home_not_the_mount_expansion() -> None:
    """Row 3: `target=$HOME/.cache/pip` without ENV HOME mounts at /.cache/pip, but pip
    runs with runc's HOME=/root."""
    result = resolve("pip install x", home="/root")
    assert result.directory == "/root/.cache/pip" != "/.cache/pip"
    assert result.origin == Origin("root's passwd entry")


def test_row2_home_from_env_names_the_env_line() -> None:
    """When HOME comes from ENV, the origin is that line, so a message can cite it."""
    result = resolve("pip install x", env=view(HOME="/x"), home="/x")
    assert result.origin == ENV_LINE and "HOME=/x" in result.reason


def test_row21_home_prefix_for_one_command() -> None:
    """Row 21: `HOME=/x pip install` caches in /x/.cache/pip for that command only."""
    prefix = Origin("`HOME=/x` before the command", 9)
    env = EnvView({"HOME": fact("/x", prefix)})
    result = resolve("HOME=/x pip install x", env=env, home="/x")
    assert where(result) == ("enabled", "/x/.cache/pip", "home") and result.origin == prefix


def test_row23_home_from_a_build_argument_is_not_certain() -> None:
    """Row 23: an ARG HOME can be overridden with --build-arg, so the answer is not certain."""
    env = EnvView({"HOME": fact("/a", Origin("ARG", 4), certain=False)})
    result = resolve("pip install x", env=env, home="/a")
    assert result.directory == "/a/.cache/pip" and not result.certain


@pytest.mark.parametrize(
    ("home", "status"),
    [
        pytest.param("/root", "enabled", id="row31-env-i-passwd-home"),
        pytest.param(None, "unknown", id="row31-env-i-no-passwd-entry"),
    ],
)
def test_row31_env_i_uses_the_passwd_home(home: str | None, status: str) -> None:
    """Row 31: after `env -i`, HOME is unset and pip (platformdirs) uses the passwd
    home; with no passwd entry pip 26.3 fails at import (RuntimeError), so the caller
    passes no HOME and the answer is unknown, with the caller's reason."""
    env = EnvView({}, complete=False, cleared=Origin("`env -i`", 7))
    result = resolve("env -i pip install x", env=env, home=home,
                     home_reason="uid 4321 has no passwd entry")
    assert result.status == status
    if home is None:
        assert "uid 4321 has no passwd entry" in result.reason and not result.certain
    else:
        assert result.certain  # the environment was cleared: nothing unseen remains


# --------------------------------------------------------------------------- pip: env


def test_row8_pip_cache_dir() -> None:
    """Row 8: PIP_CACHE_DIR moves the cache; the origin is its ENV line for messages."""
    result = resolve("pip install x", env=view(PIP_CACHE_DIR="/pc"))
    assert where(result) == ("enabled", "/pc", "env-cache-dir") and result.origin == ENV_LINE


def test_row9_pip_cache_dir_expanded_at_build_time() -> None:
    """Row 9: `ENV PIP_CACHE_DIR=$HOME/.cache/p` with HOME undefined is /.cache/p (the
    caller expands ENV values as BuildKit does)."""
    assert resolve("pip install x", env=view(PIP_CACHE_DIR="/.cache/p")).directory == "/.cache/p"


def test_pip_cache_dir_relative_and_tilde() -> None:
    """pip expands `~` (expanduser) and makes relative paths absolute against the cwd;
    it never expands `$VAR` (probe: `--cache-dir '$HOME/x'` -> `<cwd>/$HOME/x`)."""
    assert resolve("pip install x", env=view(PIP_CACHE_DIR="~/pc")).directory == "/root/pc"
    assert resolve("pip install x", env=view(PIP_CACHE_DIR="c")).directory == "/app/c"
    assert resolve("pip install x", env=view(PIP_CACHE_DIR="$HOME/x")).directory == "/app/$HOME/x"


@pytest.mark.parametrize("value", ["/xc", " /xc "])
def test_row10_xdg_cache_home(value: str) -> None:
    """Row 10: platformdirs strips XDG_CACHE_HOME and appends the app name."""
    result = resolve("pip install x", env=view(XDG_CACHE_HOME=value))
    assert where(result) == ("enabled", "/xc/pip", "xdg-cache-home")


def test_row10_relative_xdg_cache_home_is_ignored() -> None:
    """Row 10: only an absolute XDG_CACHE_HOME counts; the reason says it was ignored."""
    result = resolve("pip install x", env=view(XDG_CACHE_HOME="cache"))
    assert where(result) == ("enabled", "/root/.cache/pip", "home")
    assert "ignored" in result.reason and result.certain


GLOBAL_G = conf("/etc/pip.conf", "global", "cache-dir", "/g")
GLOBAL_OFF = conf("/etc/pip.conf", "global", "no-cache-dir", "1")


@pytest.mark.parametrize(
    ("code", "env", "settings", "expected"),
    [
        pytest.param("pip install --cache-dir /c x", {"PIP_CACHE_DIR": "/pc"}, (),
                     ("enabled", "/c", "cli-cache-dir"), id="cli-over-env"),
        pytest.param("pip install x", {"PIP_CACHE_DIR": "/pc"}, (GLOBAL_G,),
                     ("enabled", "/pc", "env-cache-dir"), id="env-over-config"),
        pytest.param("pip install x", {"XDG_CACHE_HOME": "/xc"}, (GLOBAL_G,),
                     ("enabled", "/g", "config-cache-dir"), id="config-over-xdg"),
        pytest.param("pip install x", {"PIP_CACHE_DIR": "/pc", "XDG_CACHE_HOME": "/xc"}, (),
                     ("enabled", "/pc", "env-cache-dir"), id="row11-env-over-xdg"),
        pytest.param("pip install x", {"XDG_CACHE_HOME": "/xc"}, (),
                     ("enabled", "/xc/pip", "xdg-cache-home"), id="xdg-over-home"),
        pytest.param("pip install x", {"PIP_NO_CACHE_DIR": "1", "PIP_CACHE_DIR": "/pc"}, (),
                     ("disabled", None, "env-no-cache-dir"), id="row17-env-no-cache-over-env"),
        pytest.param("pip install x", {"PIP_CACHE_DIR": "/pc"}, (GLOBAL_OFF,),
                     ("disabled", None, "config-no-cache-dir"), id="config-no-cache-over-env"),
        pytest.param("pip install x", {"PIP_NO_CACHE_DIR": "0"}, (GLOBAL_OFF,),
                     ("disabled", None, "env-no-cache-dir"), id="env-no-cache-applied-last"),
        pytest.param("pip install --cache-dir /c x", {}, (GLOBAL_OFF,),
                     ("enabled", "/c", "cli-cache-dir"), id="cli-over-config-no-cache"),
        pytest.param("pip install --no-cache-dir x", {"PIP_CACHE_DIR": "/pc"}, (GLOBAL_G,),
                     ("disabled", None, "cli-no-cache-dir"), id="cli-no-cache-over-all"),
    ],
)
def test_pip_precedence_pairs(code: str, env: dict[str, str], settings: tuple[PipSetting, ...],
                              expected: tuple[str, str | None, str]) -> None:
    """§3.2: CLI > env > config > $XDG_CACHE_HOME > $HOME for directories, while any
    config or env no-cache-dir beats every cache-dir below the command line."""
    assert where(resolve(code, env=view(**env), config=PipConfigView(settings))) == expected


TRUTH_VALUES = ["1", "0", "true", "false", "on", "off", "yes", "no", "y", "n", "t", "f",
                "TRUE", "False", "Off", "YES"]


@pytest.mark.parametrize("value", TRUTH_VALUES)
def test_row15_every_valid_boolean_disables(value: str) -> None:
    """Row 15 / problem §2: `_handle_no_cache_dir` disables for false values too."""
    result = resolve("pip install x", env=view(PIP_NO_CACHE_DIR=value))
    assert where(result) == ("disabled", None, "env-no-cache-dir")
    assert result.origin == ENV_LINE and result.certain


def test_row15_the_reason_explains_false_values() -> None:
    """A user who wrote `off` to enable the cache must learn why it is off."""
    result = resolve("pip install x", env=view(PIP_NO_CACHE_DIR="off"))
    assert "PIP_NO_CACHE_DIR=off" in result.reason and "even 'off'" in result.reason


def test_row16_empty_pip_no_cache_dir_is_ignored() -> None:
    """Row 16: pip drops empty values (`if v`)."""
    assert resolve("pip install x", env=view(PIP_NO_CACHE_DIR="")).status == "enabled"


@pytest.mark.parametrize("value", ["banana", " 1", "2", "enable"])
def test_invalid_pip_no_cache_dir_makes_pip_fail(value: str) -> None:
    """Anything but a boolean (pip does not strip it) is `invalid truth value`: pip exits."""
    result = resolve("pip install x", env=view(PIP_NO_CACHE_DIR=value))
    assert where(result) == ("unknown", None, "invalid-value") and "exit" in result.reason


def test_invalid_pip_no_cache_dir_fails_even_with_cli_cache_dir() -> None:
    """pip parses config and environment defaults before the command line."""
    result = resolve("pip install --cache-dir /d x", env=view(PIP_NO_CACHE_DIR="banana"))
    assert result.decided_by == "invalid-value"


def test_pip_env_names_ignore_case_after_the_prefix() -> None:
    """`get_environ_vars` lower-cases the name after `PIP_`."""
    assert resolve("pip install x", env=view(PIP_no_cache_dir="1")).status == "disabled"


def test_row22_pip_cache_dir_prefix_for_one_command() -> None:
    """Row 22: `PIP_CACHE_DIR=/t pip install` (the caller puts the prefix in the view)."""
    env = EnvView({"PIP_CACHE_DIR": fact("/t", Origin("`PIP_CACHE_DIR=/t` before the command", 4))})
    assert resolve("PIP_CACHE_DIR=/t pip install x", env=env).directory == "/t"


# --------------------------------------------------------------------------- pip: command line


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        pytest.param("pip install --cache-dir /a --no-cache-dir x", ("disabled", None),
                     id="row19-no-cache-last"),
        pytest.param("pip install --no-cache-dir --cache-dir /a x", ("enabled", "/a"),
                     id="row19-cache-dir-last"),
        pytest.param("pip install --cache-dir=/a x", ("enabled", "/a"), id="equals-form"),
        pytest.param("pip --no-cache-dir install x", ("disabled", None), id="global-position"),
        pytest.param("python3 -m pip install --no-cache x", ("disabled", None), id="row20-abbreviation"),
        pytest.param("pip install --no-ca x", ("disabled", None), id="shorter-abbreviation"),
        pytest.param("pip install --cache /d x", ("enabled", "/d"), id="cache-eats-next-word"),
    ],
)
def test_pip_command_line_last_option_wins(code: str, expected: tuple[str, str | None]) -> None:
    """Rows 19-20: `--cache-dir` and `--no-cache-dir` share a dest, the last one wins;
    optparse accepts unambiguous prefixes (installers.py canonicalises them)."""
    result = resolve(code)
    assert (result.status, result.directory) == expected
    assert result.decided_by.startswith("cli-") and result.option is not None


def test_row20_abbreviation_is_named_in_the_reason() -> None:
    """The user wrote `--no-cache`: say so, and keep the option for a fix's span."""
    result = resolve("pip install --no-cache x")
    assert "`--no-cache` (read as --no-cache-dir)" in result.reason
    assert result.option.written == "--no-cache"


def test_cli_no_cache_dir_lists_the_other_disablers() -> None:
    """Removing `--no-cache-dir` would not re-enable the cache while ENV disables it too."""
    result = resolve("pip install --no-cache-dir x", env=view(PIP_NO_CACHE_DIR="1"))
    assert [cause.decided_by for cause in result.also] == ["env-no-cache-dir"]


def test_row18_cli_cache_dir_beats_config_and_env_no_cache_dir() -> None:
    """Row 18: only a command-line --cache-dir re-enables the cache; the reason says
    what it overrides."""
    config = PipConfigView((conf("/etc/pip.conf", "global", "no-cache-dir", "true"),))
    result = resolve("pip install --cache-dir=/d x", env=view(PIP_NO_CACHE_DIR="1"), config=config)
    assert where(result) == ("enabled", "/d", "cli-cache-dir")
    assert "PIP_NO_CACHE_DIR=1" in result.reason and "/etc/pip.conf" in result.reason


def test_empty_cli_cache_dir_disables() -> None:
    """`--cache-dir ''`: pip's `if options.cache_dir` treats it as no cache (probe)."""
    assert where(resolve("pip install --cache-dir '' x"))[:2] == ("disabled", None)


def test_cli_cache_dir_relative_to_an_uncertain_workdir() -> None:
    """pip resolves a relative --cache-dir against the cwd (normalize_path), so
    an uncertain WORKDIR makes the directory uncertain."""
    result = resolve("pip install --cache-dir .cache x", cwd="/src", cwd_certain=False)
    assert result.directory == "/src/.cache" and not result.certain


def test_cli_cache_dir_with_an_unresolved_variable_is_unknown() -> None:
    """The shell expands `$D` before pip starts; unless the caller resolved it, nobody knows."""
    result = resolve('pip install --cache-dir "$D" x')
    assert where(result) == ("unknown", None, "shell-expansion") and "$D" in result.reason


def test_cli_cache_dir_with_a_resolved_variable() -> None:
    """When the caller knows what the shell makes of the word, pip gets that value."""
    (call,) = find_installer_calls(parse_script('pip install --cache-dir="$D/pip" x'))
    span = call.get("--cache-dir").value_span
    env = EnvView(expansions={span: fact("/cache/pip", Origin("ARG D", 2))})
    result = resolve_cache(call, env, "/root", "", "/", True, PipConfigView())
    assert where(result) == ("enabled", "/cache/pip", "cli-cache-dir")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        pytest.param("pip install --cache-dir ~/c x", ("enabled", "/x/c"), id="shell-and-pip-agree"),
        pytest.param("HOME=/x pip install --cache-dir '~/c' x", ("enabled", "/x/c"),
                     id="quoted-pip-expands"),
        pytest.param("HOME=/x pip install --cache-dir ~/c x", ("unknown", None),
                     id="shell-expands-other-home"),
        pytest.param("pip install --cache-dir ~app/c x", ("unknown", None), id="other-users-home"),
    ],
)
def test_tilde_in_cli_cache_dir(code: str, expected: tuple[str, str | None]) -> None:
    """An unquoted leading `~` is expanded by the shell with the shell's HOME, a quoted
    one by pip with the command's HOME: they differ when the command sets HOME itself."""
    result = resolve(code, env=view(HOME="/x"), home="/x")
    assert (result.status, result.directory) == expected


def test_ambiguous_abbreviation_means_pip_never_runs() -> None:
    """optparse rejects an ambiguous prefix: no cache is used because pip exits."""
    result = resolve("pip install --no-c x")
    assert where(result) == ("unknown", None, "command-error") and "ambiguous" in result.reason
    assert result.certain


@pytest.mark.parametrize("code", ["pip install --bogus x", "pip install --no-c --global-option=o x"])
def test_an_error_of_every_pip_version_is_certain(code: str) -> None:
    """No pip ever had `--bogus`, and every pip rejects `--no-c`: whatever older pips
    make of the rest of the line, pip never runs."""
    result = resolve(code)
    assert (where(result), result.certain) == (("unknown", None, "command-error"), True)


@pytest.mark.parametrize(("code", "versions"), [
    ("pip3 install --global-option=--foo x", "pip <25.3 reads it as --global-option"),
    ("pip install --global x", "pip <25.3 reads it as --global-option"),
    ("pip install --install-option=--prefix=/p x", "pip <23.1 reads it as --install-option"),
])
def test_an_option_only_older_pips_take_is_no_certain_error(code: str, versions: str) -> None:
    """pip 25.3 removed --global-option (23.1 --install-option): the newest pip rejects
    the line, older ones run it and cache as usual. Which pip runs is not known."""
    result = resolve(code)
    assert where(result) == ("enabled", "/root/.cache/pip", "home")
    assert not result.certain and versions in result.reason


def test_older_pips_read_the_rest_of_the_line_their_way() -> None:
    """Before 25.3 `--global` is `--global-option` and takes `--no-cache-dir` as its value
    (optparse takes the next word whatever it is): the cache stays on."""
    result = resolve("pip install --global --no-cache-dir x")
    assert (where(result), result.certain) == (("enabled", "/root/.cache/pip", "home"), False)


def test_an_abbreviation_newer_pips_find_ambiguous() -> None:
    """`--no-p` was `--no-python-version-warning` from pip 20.0 until --no-proxy-env
    came in 26.2: with such a pip the cache is disabled here."""
    result = resolve("pip install --no-p --no-cache-dir x")
    assert (where(result)[:2], result.certain) == (("disabled", None), False)
    assert "pip >=20.0,<26.2 reads it as --no-python-version-warning" in result.reason


# --------------------------------------------------------------------------- pip: config files


def test_row12_global_config_cache_dir() -> None:
    """Row 12: /etc/pip.conf [global] cache-dir, with the writing line as origin."""
    config = PipConfigView((conf("/etc/pip.conf", "global", "cache-dir", "/g"),))
    result = resolve("pip install x", config=config)
    assert where(result) == ("enabled", "/g", "config-cache-dir") and result.origin.line == 5


@pytest.mark.parametrize(("command", "expected"), [("install", "/i"), ("download", "/u")])
def test_row13_section_beats_file(command: str, expected: str) -> None:
    """Row 13: all [global] keys, then the command's section, whatever the files' order."""
    config = PipConfigView((
        conf("/etc/xdg/pip/pip.conf", "install", "cache-dir", "/i"),
        conf("/root/.config/pip/pip.conf", "global", "cache-dir", "/u"),
    ))
    assert resolve(f"pip {command} x", config=config).directory == expected


def test_later_file_wins_a_key_and_an_empty_value_cancels_it() -> None:
    """Within a section the last file wins a key; its empty value is then dropped."""
    config = PipConfigView((
        conf("/etc/pip.conf", "global", "cache-dir", "/g"),
        conf("/root/.pip/pip.conf", "global", "cache-dir", "/legacy"),
        conf("/root/.config/pip/pip.conf", "global", "cache-dir", "/new"),
    ))
    assert resolve("pip install x", config=config).directory == "/new"
    cancelled = PipConfigView((
        conf("/etc/pip.conf", "global", "no-cache-dir", "true"),
        conf("/root/.config/pip/pip.conf", "global", "no-cache-dir", ""),
    ))
    assert resolve("pip install x", config=cancelled).status == "enabled"


def test_config_keys_are_normalised() -> None:
    """`_normalize_name`: case, `_` for `-`, and a leading `--` do not matter."""
    config = PipConfigView((conf("/etc/pip.conf", "global", "No_Cache_Dir", "yes"),))
    assert resolve("pip install x", config=config).decided_by == "config-no-cache-dir"


def test_row14_pip_config_file_skips_user_files() -> None:
    """Row 14: PIP_CONFIG_FILE naming an existing file: user files are not read."""
    config = PipConfigView((
        conf("/f.conf", "global", "cache-dir", "/f"),
        conf("/root/.config/pip/pip.conf", "global", "no-cache-dir", "true"),
    ))
    result = resolve("pip install x", env=view(PIP_CONFIG_FILE="/f.conf"), config=config)
    assert where(result) == ("enabled", "/f", "config-cache-dir")


def test_missing_pip_config_file_keeps_user_files() -> None:
    """pip skips user files only if PIP_CONFIG_FILE exists (`os.path.exists`)."""
    config = PipConfigView((conf("/root/.config/pip/pip.conf", "global", "cache-dir", "/u"),))
    result = resolve("pip install x", env=view(PIP_CONFIG_FILE="/missing.conf"), config=config)
    assert result.directory == "/u" and result.certain


def test_pip_config_file_dev_null_disables_every_file() -> None:
    """`PIP_CONFIG_FILE=/dev/null` loads no file at all, even the global ones (row 18)."""
    config = PipConfigView((conf("/etc/xdg/pip/pip.conf", "global", "no-cache-dir", "true"),))
    result = resolve("pip install x", env=view(PIP_CONFIG_FILE="/dev/null"), config=config)
    assert where(result) == ("enabled", "/root/.cache/pip", "home")


def test_xdg_config_dirs_replace_etc_xdg() -> None:
    """$XDG_CONFIG_DIRS entries replace /etc/xdg; /etc/pip.conf is read after them."""
    config = PipConfigView((
        conf("/etc/xdg/pip/pip.conf", "global", "no-cache-dir", "true"),
        conf("/opt/conf/pip/pip.conf", "global", "cache-dir", "/o"),
    ))
    result = resolve("pip install x", env=view(XDG_CONFIG_DIRS="/opt/conf"), config=config)
    assert result.directory == "/o"


def test_xdg_config_home_moves_the_user_file() -> None:
    """The new-style user file is `$XDG_CONFIG_HOME/pip/pip.conf` when absolute."""
    config = PipConfigView((conf("/cfg/pip/pip.conf", "global", "cache-dir", "/u"),))
    assert resolve("pip install x", env=view(XDG_CONFIG_HOME="/cfg"), config=config).directory == "/u"


@pytest.mark.parametrize(("flag", "status"), [("--isolated", "enabled"), ("--isol", "disabled")])
def test_isolated_ignores_env_and_user_config_only_when_spelled_out(flag: str, status: str) -> None:
    """cli/main.py passes `isolated=("--isolated" in cmd_args)` to Configuration, so an
    abbreviation sets the option but still reads the environment (probe)."""
    assert resolve(f"pip {flag} install x", env=view(PIP_NO_CACHE_DIR="1")).status == status
    user = PipConfigView((conf("/root/.config/pip/pip.conf", "global", "no-cache-dir", "1"),))
    assert resolve(f"pip {flag} install x", config=user).status == status


def test_row27_image_config_no_cache_dir_beats_pip_cache_dir() -> None:
    """Row 27: NGC pytorch ships /etc/xdg/pip/pip.conf with no-cache-dir = true."""
    image = lookup("nvcr.io/nvidia/pytorch:23.08-py3")
    config = PipConfigView(tuple(PipSetting.from_image(s) for s in image.pip_config))
    result = resolve("pip install x", env=view(PIP_CACHE_DIR="/pc"), config=config)
    assert where(result) == ("disabled", None, "config-no-cache-dir")
    assert "/etc/xdg/pip/pip.conf" in result.reason and "command-line --cache-dir" in result.reason
    assert resolve("pip install --cache-dir /pc x", config=config).directory == "/pc"


def test_config_no_cache_dir_false_disables_too() -> None:
    """The callback disables for `false` in a config file as for the variable."""
    config = PipConfigView((conf("/etc/pip.conf", "install", "no-cache-dir", "false"),))
    result = resolve("pip install x", config=config)
    assert result.decided_by == "config-no-cache-dir" and "even 'false'" in result.reason


@pytest.mark.parametrize("program", ["/opt/venv/bin/pip", "/opt/venv/bin/python -m pip"])
def test_row28_site_config_of_the_venv_running_pip(program: str) -> None:
    """Row 28: `sys.prefix/pip.conf`, the prefix taken from the program's path."""
    config = PipConfigView((conf("/opt/venv/pip.conf", "global", "cache-dir", "/site"),))
    assert resolve(f"{program} install x", config=config).directory == "/site"


def test_row28_site_config_with_an_unknown_prefix_is_not_certain() -> None:
    """A bare `pip` may be any venv's: its site file cannot be placed."""
    config = PipConfigView((conf("/opt/venv/pip.conf", "global", "no-cache-dir", "1"),))
    result = resolve("pip install x", config=config)
    assert result.status == "enabled" and not result.certain and "prefix" in result.reason
    given = PipConfigView(config.settings, prefix="/opt/venv")
    assert resolve("pip install x", config=given).status == "disabled"


@pytest.mark.parametrize(
    ("env", "config"),
    [
        pytest.param(view(complete=False), PipConfigView(), id="image-env-unknown"),
        pytest.param(view(), PipConfigView(known=False), id="config-files-unknown"),
    ],
)
def test_unseen_settings_make_an_enabled_cache_uncertain(env: EnvView, config: PipConfigView) -> None:
    """An unseen PIP_NO_CACHE_DIR or no-cache-dir could disable the cache..."""
    result = resolve("pip install x", env=env, config=config)
    assert result.status == "enabled" and not result.certain and "not certain" in result.reason


def test_unseen_settings_cannot_re_enable_a_disabled_cache() -> None:
    """...but nothing below the command line re-enables a disabled one."""
    env = EnvView({"PIP_NO_CACHE_DIR": fact("1")}, complete=False)
    assert resolve("pip install x", env=env, config=PipConfigView(known=False)).certain


# --------------------------------------------------------------------------- uv


def test_uv_default_cache() -> None:
    """§4.1: `$HOME/.cache/uv`, certain once uv's config files are known."""
    result = resolve("uv sync --locked", tool_config=KNOWN)
    assert where(result) == ("enabled", "/root/.cache/uv", "home") and result.certain


def test_uv_config_files_not_read_are_unseen() -> None:
    """§4.1: uv.toml / [tool.uv] cache-dir sits between UV_CACHE_DIR and the default."""
    result = resolve("uv sync", tool_config=None)
    assert result.directory == "/root/.cache/uv" and not result.certain and "uv.toml" in result.reason
    assert resolve("uv --no-config sync").certain


@pytest.mark.parametrize("code", ["uv pip install --no-cache x", "uv sync -n",
                                  "uv pip install --no-cache-dir x",
                                  "uv --no-cache sync --cache-dir /c", "uv sync --cache-dir /c -n"])
def test_uv_no_cache_wins_in_any_order(code: str) -> None:
    """`--no-cache` (alias `--no-cache-dir`, `-n`) is checked before any directory."""
    assert where(resolve(code, tool_config=KNOWN)) == ("disabled", None, "cli-no-cache-dir")


@pytest.mark.parametrize("value", TRUTH_VALUES)
def test_uv_no_cache_env_is_a_real_boolean_unlike_pip(value: str) -> None:
    """clap's BoolishValueParser: the same words as pip's strtobool, but false means false."""
    result = resolve("uv sync", env=view(UV_NO_CACHE=value), tool_config=KNOWN)
    if value.lower() in ("1", "true", "on", "yes", "y", "t"):
        assert where(result) == ("disabled", None, "env-no-cache-dir")
    else:
        assert result.status == "enabled" and "unlike pip" in result.reason


@pytest.mark.parametrize(("name", "value"),
                         [("UV_NO_CACHE", "banana"), ("UV_NO_CACHE", ""), ("UV_CACHE_DIR", "")])
def test_uv_rejects_invalid_or_empty_variables(name: str, value: str) -> None:
    """clap rejects a non-boolean and an empty path (PathBufValueParser): uv exits."""
    result = resolve("uv sync", env=view(**{name: value}), tool_config=KNOWN)
    assert where(result) == ("unknown", None, "invalid-value")


@pytest.mark.parametrize(
    ("code", "env", "config", "expected"),
    [
        pytest.param("uv sync --cache-dir /cli", {"UV_CACHE_DIR": "/env"}, {},
                     ("/cli", "cli-cache-dir"), id="cli"),
        pytest.param("uv sync", {"UV_CACHE_DIR": "/env"}, {"cache-dir": "/file"},
                     ("/env", "env-cache-dir"), id="env"),
        pytest.param("uv sync", {"XDG_CACHE_HOME": "/xc"}, {"cache-dir": "/file"},
                     ("/file", "config-cache-dir"), id="file"),
        pytest.param("uv sync", {"XDG_CACHE_HOME": "/xc"}, {},
                     ("/xc/uv", "xdg-cache-home"), id="xdg"),
        pytest.param("uv sync", {"XDG_CACHE_HOME": " /xc"}, {},
                     ("/root/.cache/uv", "home"), id="xdg-unstripped"),
        pytest.param("uv sync", {"UV_CACHE_DIR": "rel"}, {},
                     ("/app/rel", "env-cache-dir"), id="relative"),
    ],
)
def test_uv_directory_precedence(code: str, env: dict[str, str], config: dict[str, str],
                                 expected: tuple[str, str]) -> None:
    """`--cache-dir` > UV_CACHE_DIR > `cache-dir` in uv.toml > $XDG_CACHE_HOME/uv (absolute,
    not stripped by etcetera) > $HOME/.cache/uv; relative paths from the cwd."""
    tool_config = ToolConfig({key: fact(value, Origin("uv.toml")) for key, value in config.items()})
    result = resolve(code, env=view(**env), tool_config=tool_config)
    assert (result.directory, result.decided_by) == expected


def test_uv_config_no_cache_and_no_config() -> None:
    """`no-cache` in uv.toml disables; `--no-config` makes uv ignore the files."""
    tool_config = ToolConfig({"no-cache": fact("true", Origin("uv.toml"))})
    assert resolve("uv sync", tool_config=tool_config).decided_by == "config-no-cache-dir"
    assert resolve("uv sync --no-config", tool_config=tool_config).status == "enabled"


def test_uv_does_not_expand_a_quoted_tilde() -> None:
    """uv takes `--cache-dir` literally (no expanduser), unlike pip."""
    assert resolve("uv sync --cache-dir '~/c'", tool_config=KNOWN).directory == "/app/~/c"


def test_row30_uv_pip_ignores_pip_settings() -> None:
    """Row 30: `uv pip install` is uv: PIP_* and pip.conf do not apply."""
    config = PipConfigView((conf("/etc/pip.conf", "global", "no-cache-dir", "1"),))
    result = resolve("uv pip install x", env=view(PIP_NO_CACHE_DIR="1", PIP_CACHE_DIR="/pc"),
                     config=config, tool_config=KNOWN)
    assert where(result) == ("enabled", "/root/.cache/uv", "home")


@pytest.mark.parametrize(
    ("code", "env", "expected"),
    [
        ("uv sync", {"UV_LINK_MODE": "copy"}, "copy"),
        ("uv sync --link-mode hardlink", {"UV_LINK_MODE": "copy"}, "hardlink"),
        ("uv sync", {}, None),
    ],
)
def test_uv_link_mode_is_reported(code: str, env: dict[str, str], expected: str | None) -> None:
    """Rules warn when a cache mount is used without `copy`; the command line beats the env."""
    link_mode = resolve(code, env=view(**env), tool_config=KNOWN).link_mode
    assert (link_mode and link_mode.value) == expected


# --------------------------------------------------------------------------- poetry


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, ("/root/.cache/pypoetry", "home")),
        ({"XDG_CACHE_HOME": "/xc"}, ("/xc/pypoetry", "xdg-cache-home")),
        ({"POETRY_CACHE_DIR": "/pc", "XDG_CACHE_HOME": "/xc"}, ("/pc", "env-cache-dir")),
    ],
)
def test_poetry_cache_directory(env: dict[str, str], expected: tuple[str, str]) -> None:
    """§4.2: POETRY_CACHE_DIR > $XDG_CACHE_HOME/pypoetry > ~/.cache/pypoetry."""
    result = resolve("poetry install --no-root", env=view(**env), tool_config=KNOWN)
    assert (result.directory, result.decided_by) == expected


def test_poetry_env_beats_its_config_file() -> None:
    """`Config.get` looks at POETRY_<KEY> before the config files."""
    tool_config = ToolConfig({"cache-dir": fact("/file", Origin("poetry.toml"))})
    assert resolve("poetry install", tool_config=tool_config).decided_by == "config-cache-dir"
    result = resolve("poetry install", env=view(POETRY_CACHE_DIR="/env"), tool_config=tool_config)
    assert result.directory == "/env"


def test_poetry_no_cache_still_fills_the_artifacts_cache() -> None:
    """poetry's `--no-cache` disables repository and HTTP caches, but the executor still
    downloads into `{cache-dir}/artifacts` (installation/executor.py `_download_link`)."""
    result = resolve("poetry install --no-cache", tool_config=KNOWN)
    assert result.status == "enabled" and "/root/.cache/pypoetry/artifacts" in result.reason
    assert result.option is not None and result.option.canonical == "--no-cache"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        pytest.param({}, (True, "/root/.cache/pypoetry/virtualenvs"), id="default-trap"),
        pytest.param({"POETRY_VIRTUALENVS_CREATE": "false"}, (False, None), id="create-false"),
        pytest.param({"POETRY_VIRTUALENVS_CREATE": "no"}, (False, None),
                     id="create-only-true-or-1-is-true"),
        pytest.param({"POETRY_VIRTUALENVS_IN_PROJECT": "true"}, (False, None), id="in-project"),
        pytest.param({"VIRTUAL_ENV": "/opt/venv"}, (False, None), id="active-venv"),
        pytest.param({"VIRTUAL_ENV": ""}, (True, "/root/.cache/pypoetry/virtualenvs"), id="empty-venv"),
        pytest.param({"POETRY_VIRTUALENVS_PATH": "/opt/venvs"}, (False, "/opt/venvs"),
                     id="path-outside"),
        pytest.param({"POETRY_CACHE_DIR": "/pc"}, (True, "/pc/virtualenvs"), id="moved-cache"),
    ],
)
def test_poetry_virtualenvs_in_cache(env: dict[str, str], expected: tuple[bool, str | None]) -> None:
    """§4.2 trap: virtualenvs.path defaults to {cache-dir}/virtualenvs, so a cache mount
    hides the venv, unless no venv is created there."""
    result = resolve("poetry install", env=view(**env), tool_config=KNOWN)
    assert (result.virtualenvs_in_cache, result.virtualenvs_path) == expected


def test_poetry_virtualenvs_in_cache_unknown_when_settings_are_unseen() -> None:
    """A VIRTUAL_ENV in an unknown image environment would keep the venv out of the cache."""
    result = resolve("poetry install", env=view(complete=False), tool_config=KNOWN)
    assert result.virtualenvs_in_cache is None
    created_outside = resolve("poetry install", env=view(complete=False, POETRY_VIRTUALENVS_CREATE="0"))
    assert created_outside.virtualenvs_in_cache is False


# --------------------------------------------------------------------------- pipenv


def test_row29_pipenv_uses_its_own_cache_and_no_pip_conf() -> None:
    """Row 29: pipenv runs pip with PIP_CACHE_DIR=$PIPENV_CACHE_DIR and PIP_CONFIG_FILE=/dev/null."""
    config = PipConfigView((conf("/etc/pip.conf", "global", "no-cache-dir", "1"),))
    result = resolve("pipenv install --deploy --system", config=config)
    assert where(result) == ("enabled", "/root/.cache/pipenv", "home")
    moved = resolve("pipenv install", env=view(PIPENV_CACHE_DIR="/pc", PIP_CACHE_DIR="/ignored"))
    assert where(moved) == ("enabled", "/pc", "env-cache-dir")


def test_pipenv_inherited_pip_no_cache_dir_reaches_pip_install() -> None:
    """pipenv's subprocess_run copies os.environ and updates it: an inherited
    PIP_NO_CACHE_DIR still disables pip's cache; locking passes --cache-dir."""
    env = view(PIP_NO_CACHE_DIR="off")
    assert where(resolve("pipenv install", env=env)) == ("disabled", None, "env-no-cache-dir")
    assert resolve("pipenv lock", env=env).status == "enabled"


# --------------------------------------------------------------------------- pdm


@pytest.mark.parametrize(
    ("code", "env", "expected"),
    [
        pytest.param("pdm install", {}, ("enabled", "/root/.cache/pdm", "home"), id="default"),
        pytest.param("pdm install", {"PDM_CACHE_DIR": "/pc"}, ("enabled", "/pc", "env-cache-dir"),
                     id="env"),
        pytest.param("pdm --no-cache install", {}, ("disabled", None, "cli-no-cache-dir"), id="cli"),
        pytest.param("pdm install", {"PDM_NO_CACHE": "0"}, ("disabled", None, "env-no-cache-dir"),
                     id="env-zero"),
        pytest.param("pdm install", {"PDM_NO_CACHE": ""}, ("enabled", "/root/.cache/pdm", "home"),
                     id="env-empty"),
    ],
)
def test_pdm(code: str, env: dict[str, str], expected: tuple[str, str | None, str]) -> None:
    """§4.4: PDM_NO_CACHE is the option's default, so any non-empty string is true."""
    assert where(resolve(code, env=view(**env), tool_config=KNOWN)) == expected


def test_pdm_config_cache_dir() -> None:
    """`cache_dir` from pdm's config applies when PDM_CACHE_DIR is unset."""
    tool_config = ToolConfig({"cache_dir": fact("/pdm", Origin("pdm config"))})
    assert where(resolve("pdm sync", tool_config=tool_config)) == ("enabled", "/pdm", "config-cache-dir")


# --------------------------------------------------------------------------- apt


@pytest.mark.parametrize(
    ("code", "hook", "expected"),
    [
        pytest.param("apt-get install -y gcc", False,
                     ("enabled", "/var/cache/apt/archives", "default"), id="no-hook"),
        pytest.param("apt-get install -y gcc", True,
                     ("disabled", None, "apt-clean-hook"), id="docker-clean"),
        pytest.param("apt-get install -y --download-only gcc", True,
                     ("enabled", "/var/cache/apt/archives", "default"), id="download-only"),
        pytest.param("apt-get update", True,
                     ("enabled", "/var/lib/apt/lists", "default"), id="update-lists"),
        pytest.param("apt-get -o Dir::Cache=/x install -y gcc", True,
                     ("enabled", "/x/archives", "cli-cache-dir"), id="moved-cache-escapes-hook"),
        pytest.param("apt-get install -o Dir::Cache::archives=/y/ gcc", False,
                     ("enabled", "/y", "cli-cache-dir"), id="absolute-archives"),
        pytest.param("apt-get -o dir::state=/s update", False, ("enabled", "/s/lists", "cli-cache-dir"),
                     id="keys-ignore-case"),
    ],
)
def test_apt_archives(code: str, hook: bool, expected: tuple[str, str | None, str]) -> None:
    """§4.6: the docker-clean hook deletes /var/cache/apt/archives/*.deb after dpkg runs."""
    assert where(resolve(code, tool_config=KNOWN, apt_clean_hook=hook)) == expected


def test_apt_unknown_hook_or_config_is_not_certain() -> None:
    """Without knowing the docker-clean hook or apt's config, the archives
    directory is only probable."""
    result = resolve("apt-get install -y gcc", tool_config=KNOWN, apt_clean_hook=None)
    assert result.status == "enabled" and not result.certain and "docker-clean" in result.reason
    assert not resolve("apt-get install -y gcc", apt_clean_hook=False).certain


@pytest.mark.parametrize(
    ("code", "config", "status"),
    [
        pytest.param("apt install -y gcc", {}, "disabled", id="apt-default"),
        pytest.param("apt install -y gcc", {"APT::Keep-Downloaded-Packages": "true"}, "disabled",
                     id="plain-key-overridden-by-binary-default"),
        pytest.param("apt install -y gcc", {"Binary::apt::APT::Keep-Downloaded-Packages": "true"},
                     "enabled", id="docker-recipe"),
        pytest.param("apt -o APT::Keep-Downloaded-Packages=1 install -y gcc", {}, "enabled",
                     id="command-line"),
        pytest.param("apt-get install -y gcc", {"APT::Keep-Downloaded-Packages": "false"}, "disabled",
                     id="apt-get-told-not-to-keep"),
    ],
)
def test_apt_keep_downloaded_packages(code: str, config: dict[str, str], status: str) -> None:
    """`apt` moves its Binary::apt defaults (Keep-Downloaded-Packages false) over the
    config files' values before reading `-o` (apt-private ParseCommandLine)."""
    origin = Origin("RUN echo ... > /etc/apt/apt.conf.d/keep-cache", 2)
    tool_config = ToolConfig({key: fact(value, origin) for key, value in config.items()})
    result = resolve(code, tool_config=tool_config, apt_clean_hook=False)
    assert result.status == status
    if status == "disabled":
        assert result.decided_by == "apt-keep-downloaded"


# --------------------------------------------------------------------------- subcommands


@pytest.mark.parametrize(
    ("code", "uses"),
    [
        ("pip install x", True), ("pip download x -d /w", True), ("pip wheel x", True),
        ("pip list --outdated", True), ("pip cache purge", False), ("pip config list", False),
        ("pip uninstall -y x", False), ("pip freeze", False),
        ("uv pip install x", True), ("uv sync", True), ("uv venv", True),
        ("uv cache clean", False), ("uv cache dir", False),
        ("poetry install", True), ("poetry run pytest", False),
        ("pipenv sync", True), ("pdm lock", True),
        ("apt-get install -y gcc", True), ("apt-get update", True),
        ("apt-get remove -y gcc", False), ("apt-get clean", False),
    ],
)
def test_which_commands_use_the_cache(code: str, uses: bool) -> None:
    """Only some subcommands download or build through the cache: a mount helps those."""
    resolution = resolve(code, tool_config=KNOWN, apt_clean_hook=False)
    assert resolution.uses_cache is uses
