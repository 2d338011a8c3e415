"""Tests for fixer.installers: finding installer calls and reading options like the tools."""

from __future__ import annotations

import contextlib
import io
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fixer.installers import find_installer_calls, installer_call_from_argv
from fixer.shell import parse_script, script_from_argv


def calls(code):
    return find_installer_calls(parse_script(code))


def only(code):
    (call,) = calls(code)
    return call


def options(call):
    return [(o.canonical, o.value) for o in call.options]


def positionals(call):
    return [w.text for w in call.positionals]


def messages(call):
    return [e.message for e in call.errors]


# --------------------------------------------------------------------------- pip spellings


@pytest.mark.parametrize(("code", "program"), [
    ("pip install x", "pip"),
    ("pip3 install x", "pip3"),
    ("pip3.12 install x", "pip3.12"),
    ("/opt/venv/bin/pip install x", "/opt/venv/bin/pip"),
    ("python -m pip install x", "python -m pip"),
    ("python3 -m pip install x", "python3 -m pip"),
    ("python3.12 -m pip install x", "python3.12 -m pip"),
    ("/usr/bin/python3 -m pip install x", "/usr/bin/python3 -m pip"),
    ("/opt/venv/bin/python -m pip install x", "/opt/venv/bin/python -m pip"),
    ("python -mpip install x", "python -mpip"),
    ("python -Im pip install x", "python -Im pip"),
    ("python3 -u -W ignore -X utf8 -m pip install x", "python3 -u -W ignore -X utf8 -m pip"),
    ("python3.13t -m pip install x", "python3.13t -m pip"),
])
def test_pip_spellings(code, program):
    call = only(code)
    assert (call.tool, call.program, call.subcommand, positionals(call)) == (
        "pip", program, "install", ["x"])


@pytest.mark.parametrize("code", [
    "python -m venv /opt/venv", "python -c 'import pip'", "python setup.py install",
    "pipx install black", "echo pip install x", "command -v pip", "$PIP install x",
    "python -W -m pip install x",  # -W takes `-m` as its value; `pip` is then a script
])
def test_not_pip(code):
    assert all(call.tool != "pip" for call in calls(code))


def test_calls_are_found_everywhere_the_shell_runs_a_command():
    code = """set -e; apt-get update && (cd /app && pip install -r req.txt) \
&& sudo -H pip3 install --no-cache-dir -U pip && sh -c 'python -m pip install --cache=/c x' \
&& echo $(pip --version) && su app -c "pip install --user y" \
&& find . -name req.txt | xargs -n1 pip install -r"""
    found = calls(code)
    assert [(c.tool, c.subcommand) for c in found] == [
        ("apt", "update"), ("pip", "install"), ("pip", "install"), ("pip", "install"),
        ("pip", ""), ("pip", "install"), ("pip", "install"),
    ]
    nested = found[3]
    assert nested.command.nested_level == 1
    cache = nested.get("--cache-dir")
    assert (cache.written, cache.value, code[cache.span[0] : cache.span[1]]) == (
        "--cache", "/c", "--cache=/c")
    assert code[cache.value_span[0] : cache.value_span[1]] == "/c"
    assert options(found[5]) == [("--user", None)]
    assert options(found[6]) == [("--requirement", None)]  # xargs supplies the file
    assert messages(found[6]) == ["pip: option -r requires a value"]


# --------------------------------------------------------------------------- pip options


@pytest.mark.parametrize("written", ["--no-cache-dir", "--no-cache", "--no-ca", "--no-cache-d"])
def test_pip_accepts_unambiguous_prefixes(written):
    call = only(f"pip install {written} x")
    assert options(call) == [("--no-cache-dir", None)]
    assert call.options[0].written == written and positionals(call) == ["x"]


def test_pip_abbreviation_of_a_valued_option_takes_the_next_word():
    call = only("pip install --cache /root/.cache/pip x")
    assert options(call) == [("--cache-dir", "/root/.cache/pip")] and positionals(call) == ["x"]


def test_pip_ambiguous_abbreviation_is_an_error():
    call = only("pip install --no-c x")
    assert call.options == () and positionals(call) == ["x"]
    assert messages(call) == [
        "pip: ambiguous option: --no-c (--no-cache-dir, --no-clean, --no-color, --no-compile)"]
    assert call.errors[0].offset == len("pip install ")


def test_pip_general_options_before_the_subcommand():
    call = only("pip --no-cache-dir --isolated install -r requirements.txt")
    assert options(call) == [("--no-cache-dir", None), ("--isolated", None),
                             ("--requirement", "requirements.txt")]
    # Before the subcommand only general options are known, so this prefix is unique
    # there but ambiguous for `install` (--no-index): pip rejects it.
    assert messages(only("pip --no-i install x")) == [
        "pip: ambiguous option: --no-i (--no-index, --no-input)"]


def test_pip_last_of_cache_dir_and_no_cache_dir_wins():
    assert only("pip install --cache-dir=/a --no-cache-dir x").get(
        "--cache-dir", "--no-cache-dir").canonical == "--no-cache-dir"
    assert only("pip --no-cache-dir install --cache-dir /a x").get(
        "--cache-dir", "--no-cache-dir").value == "/a"


def test_pip_short_options_clusters_and_double_dash():
    code = "pip install -qUr req.txt -cconstraints.txt -e . -- -not-an-option"
    call = only(code)
    assert options(call) == [("--quiet", None), ("--upgrade", None),
                             ("--requirement", "req.txt"), ("--constraint", "constraints.txt"),
                             ("--editable", ".")]
    assert positionals(call) == ["-not-an-option"]
    requirement = call.get("--requirement")
    assert code[requirement.span[0] : requirement.span[1]] == "-qUr req.txt"
    constraint = call.get("--constraint")
    assert code[constraint.value_span[0] : constraint.value_span[1]] == "constraints.txt"
    assert [o.value for o in call.get_all("--requirement")] == ["req.txt"]


def test_pip_option_value_errors():
    assert messages(only("pip install --no-cache-dir=1 x")) == [
        "pip: option --no-cache-dir does not take a value"]
    assert messages(only("pip install --cache-dir")) == ["pip: option --cache-dir requires a value"]
    assert messages(only("pip install --frobnicate x")) == ["pip: no such option: --frobnicate"]
    # optparse takes the next word as the value even when it looks like an option
    assert options(only("pip install --cache-dir --no-cache-dir x")) == [
        ("--cache-dir", "--no-cache-dir")]


def test_pip_values_keep_quotes_out_of_their_span():
    code = 'pip install --cache-dir="/c d" --target "/t t" x'
    call = only(code)
    assert [(o.value, code[o.value_span[0] : o.value_span[1]]) for o in call.options] == [
        ("/c d", "/c d"), ("/t t", '"/t t"')]


@pytest.mark.parametrize(("code", "subcommand", "expected"), [
    ("pip download -r req.txt -d /wheels", "download",
     [("--requirement", "req.txt"), ("--dest", "/wheels")]),
    ("pip install --no-index --find-links=/wheels -r req.txt", "install",
     [("--no-index", None), ("--find-links", "/wheels"), ("--requirement", "req.txt")]),
    ("pip wheel -w /w -e .", "wheel", [("--wheel-dir", "/w"), ("--editable", ".")]),
    ("pip uninstall -y -r req.txt", "uninstall", [("--yes", None), ("--requirement", "req.txt")]),
    ("pip install --user --target=/t --index-url https://i/simple x", "install",
     [("--user", None), ("--target", "/t"), ("--index-url", "https://i/simple")]),
    ("pip config set global.no-cache-dir true", "config", []),
    ("pip cache purge", "cache", []),
    ("pip freeze --all", "freeze", [("--all", None)]),
])
def test_pip_subcommands(code, subcommand, expected):
    call = only(code)
    assert (call.subcommand, options(call), call.errors) == (subcommand, expected, ())


def test_pip_unknown_subcommand():
    assert messages(only("pip instal x")) == ["pip: unknown command 'instal'"]


# --------------------------------------------------------------------------- other tools


@pytest.mark.parametrize(("code", "subcommand", "expected", "operands"), [
    ("uv pip install --no-cache -r requirements.txt", "pip install",
     [("--no-cache", None), ("--requirements", "requirements.txt")], []),
    ("uv pip install -n --system .", "pip install", [("--no-cache", None), ("--system", None)],
     ["."]),
    ("uv --no-cache-dir pip install x", "pip install", [("--no-cache", None)], ["x"]),
    ("uv pip --cache-dir /c install x", "pip install", [("--cache-dir", "/c")], ["x"]),
    ("uv sync --cache-dir=/root/.cache/uv --frozen --no-install-project", "sync",
     [("--cache-dir", "/root/.cache/uv"), ("--frozen", None), ("--no-install-project", None)], []),
    ("uv sync --locked --no-dev --extra gpu", "sync",
     [("--locked", None), ("--no-dev", None), ("--extra", "gpu")], []),
    ("uv add --dev pytest", "add", [("--dev", None)], ["pytest"]),
    ("uv tool install --with x ruff", "tool install", [("--with", "x")], ["ruff"]),
    ("uv pip compile pyproject.toml -o requirements.txt", "pip compile",
     [("--output-file", "requirements.txt")], ["pyproject.toml"]),
    ("uv venv /opt/venv --python 3.12", "venv", [("--python", "3.12")], ["/opt/venv"]),
    ("uv cache clean", "cache clean", [], []),
])
def test_uv(code, subcommand, expected, operands):
    call = only(code)
    assert (call.tool, call.subcommand, options(call), positionals(call), call.errors) == (
        "uv", subcommand, expected, operands, ())


def test_uv_has_no_abbreviations_and_no_dash_values():
    call = only("uv pip install --no-cach x")
    assert options(call) == [("--no-cach", None)]  # unknown to uv; not --no-cache
    assert messages(only("uv pip install --cache-dir --no-deps x")) == [
        "uv: option --cache-dir requires a value"]


def test_runners_start_another_installer():
    code = ("uv run --with x pip install -e . && poetry run pip install y"
            " && pipenv run pip install z")
    found = calls(code)
    assert [(c.tool, c.subcommand, positionals(c)) for c in found] == [
        ("uv", "run", ["pip", "install", "-e", "."]), ("pip", "install", []),
        ("poetry", "run", ["pip", "install", "y"]), ("pip", "install", ["y"]),
        ("pipenv", "run", ["pip", "install", "z"]), ("pip", "install", ["z"]),
    ]
    assert found[0].command is found[1].command


@pytest.mark.parametrize(("code", "subcommand", "expected", "errors"), [
    ("poetry install --no-root --only main --no-interaction", "install",
     [("--no-root", None), ("--only", "main"), ("--no-interaction", None)], []),
    ("poetry --no-cache install -n --sync", "install",
     [("--no-cache", None), ("--no-interaction", None), ("--sync", None)], []),
    ("poetry sync --without dev --no-directory", "sync",
     [("--without", "dev"), ("--no-directory", None)], []),
    ("poetry add -G dev pytest", "add", [("--group", "dev")], []),
    ("poetry config virtualenvs.create false", "config", [], []),
    ("poetry install --no-cache-dir", "install", [], ['poetry: no such option: --no-cache-dir']),
    ("poetry install --no-ro", "install", [], ["poetry: no such option: --no-ro"]),
])
def test_poetry(code, subcommand, expected, errors):
    call = only(code)
    assert (call.subcommand, options(call), messages(call)) == (subcommand, expected, errors)


@pytest.mark.parametrize(("code", "subcommand", "expected", "errors"), [
    ("pdm install --prod --no-self --frozen-lockfile", "install",
     [("--prod", None), ("--no-self", None), ("--frozen-lockfile", None)], []),
    ("pdm --no-cache sync -G web", "sync", [("--no-cache", None), ("--group", "web")], []),
    ("pdm install --no-se --froz", "install",
     [("--no-self", None), ("--frozen-lockfile", None)], []),
    ("pdm install --no-", "install", [], [
        "pdm: ambiguous option: --no- (--no-default, --no-editable, --no-isolation, "
        "--no-lock, --no-self)"]),
    ("pdm install --no-cache", "install", [], ["pdm: no such option: --no-cache"]),
    ("pdm add -G test pytest", "add", [("--group", "test")], []),
])
def test_pdm(code, subcommand, expected, errors):
    call = only(code)
    assert (call.subcommand, options(call), messages(call)) == (subcommand, expected, errors)


@pytest.mark.parametrize(("code", "subcommand", "expected", "errors"), [
    ("pipenv install --deploy --system", "install", [("--deploy", None), ("--system", None)], []),
    ("pipenv install --dep --sys", "install", [("--deploy", None), ("--system", None)], []),
    ("pipenv --python 3.12 sync --dev", "sync", [("--python", "3.12"), ("--dev", None)], []),
    ("pipenv install -r requirements.txt", "install", [("--requirements", "requirements.txt")], []),
    ("pipenv install --python --deploy", "install", [("--python", None), ("--deploy", None)],
     ["pipenv: option --python requires a value"]),
])
def test_pipenv(code, subcommand, expected, errors):
    call = only(code)
    assert (call.subcommand, options(call), messages(call)) == (subcommand, expected, errors)


def test_apt():
    code = ("apt-get update && apt-get -o Dir::Cache=/var/cache/apt install -y "
            "--no-install-recommends gcc && apt install -qq curl")
    update, install, apt = calls(code)
    assert (update.tool, update.subcommand, update.program) == ("apt", "update", "apt-get")
    assert options(install) == [("--option", "Dir::Cache=/var/cache/apt"), ("--assume-yes", None),
                                ("--no-install-recommends", None)]
    assert positionals(install) == ["gcc"]
    assert (apt.program, options(apt), positionals(apt)) == (
        "apt", [("--quiet", None), ("--quiet", None)], ["curl"])


# --------------------------------------------------------------------------- exec form


def test_exec_form_argv():
    call = installer_call_from_argv(["/opt/venv/bin/pip", "install", "--no-cache", "-r", "r.txt"])
    assert (call.program, options(call)) == (
        "/opt/venv/bin/pip", [("--no-cache-dir", None), ("--requirement", "r.txt")])
    code = "/opt/venv/bin/pip install --no-cache -r r.txt"
    assert code[call.options[1].span[0] : call.options[1].span[1]] == "-r r.txt"
    assert installer_call_from_argv(["echo", "pip"]) is None
    assert installer_call_from_argv(["sh", "-c", "pip install x"]) is None
    (nested,) = find_installer_calls(script_from_argv(["sh", "-c", "pip install x"]))
    assert positionals(nested) == ["x"]


# --------------------------------------------------------------------------- pip oracle
#
# pip 26.3 is installed in the test environment: its own parser is the reference.
# Options whose values pip validates (choices, numbers, callbacks) are left out: we
# read values, we do not check them.

_PIP_WORDS = [
    "install", "download", "wheel", "uninstall", "x", "req.txt", "/c", ".", "--", "-",
    "--no-cache", "--no-ca", "--no-c", "--cache", "--cache-dir", "--cache-dir=/d",
    "--no-cache-dir", "--no-cache-dir=1", "-r", "-rreq2.txt", "-qUr", "--req", "--requirement=r3",
    "-c", "-e", "-Ie", "--user", "--no-i", "--no-index", "--no", "-q", "-v", "-vv", "--target",
    "-t", "-f", "--find-links", "--index-url", "--isolated", "--log", "-d", "-w", "-y", "--pre",
    "--upgrade", "-U", "--no-deps", "--dest=/w", "--frobnicate", "-Z",
]


def pip_reference(argv):
    """What pip's own parser makes of `argv`: None on a usage error."""
    from pip._internal.cli.main_parser import parse_command
    from pip._internal.commands import create_command
    from pip._internal.exceptions import CommandError

    try:
        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
            name, args = parse_command(list(argv))
            parsed, operands = create_command(name).parse_args(args)
    except (SystemExit, CommandError):
        return None
    return name, parsed, operands


def replay(call, parser):
    """Apply our parsed options the way optparse's actions would."""
    values = {}
    for option in call.options:
        action = parser.get_option(option.canonical)
        if action.dest == "cache_dir" and action.action == "callback":
            values["cache_dir"] = False
        elif action.action == "append":
            values.setdefault(action.dest, []).append(option.value)
        elif action.action == "count":
            values[action.dest] = values.get(action.dest, 0) + 1
        elif action.action in ("store_true", "store_false"):
            values[action.dest] = action.action == "store_true"
        else:
            values[action.dest] = option.value
    return values


@pytest.fixture(scope="module")
def isolated_pip():
    saved = dict(os.environ)
    for key in [key for key in os.environ if key.startswith("PIP_")]:
        del os.environ[key]
    os.environ["PIP_CONFIG_FILE"] = os.devnull
    yield
    os.environ.clear()
    os.environ.update(saved)


@settings(max_examples=600, deadline=None)
@given(before=st.lists(st.sampled_from(_PIP_WORDS), max_size=3),
       subcommand=st.sampled_from(["install", "download", "wheel", "uninstall"]),
       after=st.lists(st.sampled_from(_PIP_WORDS), max_size=6))
def test_pip_options_match_pips_own_parser(isolated_pip, before, subcommand, after):
    argv = [*before, subcommand, *after]
    reference = pip_reference(argv)
    call = installer_call_from_argv(["pip", *argv])
    if reference is None:  # a usage error, or no subcommand left (pip prints its help)
        assert call.errors or not call.subcommand, argv
        return
    name, parsed, operands = reference
    assert not call.errors, argv
    assert call.subcommand == name
    assert [w.text for w in call.positionals] == operands
    from pip._internal.commands import create_command

    for dest, value in replay(call, create_command(name).parser).items():
        assert (dest, getattr(parsed, dest)) == (dest, value), argv
