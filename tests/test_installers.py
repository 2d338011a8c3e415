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


# --------------------------------------------------------------------------- pip versions


def notes(call):
    return [note.message for note in call.version_dependent]


@pytest.mark.parametrize(("code", "expected", "operands", "note"), [
    ("pip3 install --global-option=--foo x", [("--global-option", "--foo")], ["x"],
     "pip: no such option: --global-option, but pip <25.3 reads it as --global-option"),
    # a prefix of the removed option: older pips take `x` as its value
    ("pip install --global x", [("--global-option", "x")], [],
     "pip: no such option: --global, but pip <25.3 reads it as --global-option, "
     "taking the next word as its value"),
    ("pip install --install-option=--prefix=/p y", [("--install-option", "--prefix=/p")], ["y"],
     "pip: no such option: --install-option, but pip <23.1 reads it as --install-option"),
    # removed in 20.3, restored as a no-op in 20.3.1, removed again in 21.3
    ("pip install -b /tmp/b x", [("--build-dir", "/tmp/b")], ["x"],
     "pip: no such option: -b, but pip <20.3 or >=20.3.1,<21.3 reads it as --build-dir, "
     "taking the next word as its value"),
    ("pip wheel --no-use x", [("--no-use-pep517", None)], ["x"],
     "pip: no such option: --no-use, but pip >=19.0,<25.3 reads it as --no-use-pep517 "
     "and pip <10.0 as --no-use-wheel"),
    # ambiguous only since --no-proxy-env came (26.2)
    ("pip install --no-p x", [("--no-python-version-warning", None)], ["x"],
     "pip: ambiguous option: --no-p (--no-proxy-env, --no-python-version-warning), "
     "but pip >=20.0,<26.2 reads it as --no-python-version-warning"),
    ("pip uninstall --no-c x", [("--no-cache-dir", None)], ["x"],
     "pip: ambiguous option: --no-c (--no-cache-dir, --no-color), "
     "but pip <10.0 reads it as --no-cache-dir"),
    ("pip install --version", [("--version", None)], [],
     "pip: no such option: --version, but pip <26.3 reads it as --version"),
    ("pip config --venv list", [("--venv", None)], ["list"],
     "pip: no such option: --venv, but pip >=10.0,<19.3 reads it as --venv"),
])
def test_pip_options_only_older_versions_take(code, expected, operands, note):
    """The tables follow the newest pip; a word it rejects but an older pip takes is no
    certain error: it is read as that pip reads it, and the note says which versions."""
    call = only(code)
    assert (options(call), positionals(call), call.errors, notes(call)) == (
        expected, operands, (), [note])


def test_pip_version_note_points_at_its_word():
    code = "pip install --no-cache-dir --global=x y"
    (note,) = only(code).version_dependent
    assert code[note.offset :].startswith("--global=x")


@pytest.mark.parametrize(("code", "error"), [
    ("pip install --bogus x", "pip: no such option: --bogus"),
    ("pip install --no-c x",
     "pip: ambiguous option: --no-c (--no-cache-dir, --no-clean, --no-color, --no-compile)"),
    ("pip install -Z x", "pip: no such option: -Z"),
    # `pip lock` came in 25.1, after --build-dir had gone
    ("pip lock --build-dir /b", "pip: no such option: --build-dir"),
    ("pip --global install x", "pip: no such option: --global"),  # never a general option
])
def test_pip_errors_of_every_version_stay_errors(code, error):
    call = only(code)
    assert (messages(call), notes(call)) == ([error], [])


def test_pip_errors_an_older_reading_still_has():
    """An older pip's reading can fail too: then every version rejects the line."""
    call = only("pip install --egg=1 x")
    assert messages(call) == ["pip: option --egg does not take a value"]
    assert messages(only("pip install --global")) == ["pip: option --global requires a value"]


@pytest.mark.parametrize(("code", "expected"), [
    ("pip install --ver x", [("--verbose", None)]),  # ambiguous with --version until 26.3
    ("pip install --build /b x", [("--build-constraint", "/b")]),  # --build-dir until 21.3
    ("pip install --no-use x", [("--no-user", None)]),  # ambiguous in pip 19.0 to 25.2
])
def test_pip_words_the_newest_pip_takes_are_read_as_it_does(code, expected):
    """Older pips rejected these or read them otherwise; like any option that came
    later, they are read as the newest pip reads them, without a note."""
    call = only(code)
    assert (options(call), call.errors, notes(call)) == (expected, (), [])


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
# The test environment's own pip, whatever its version, is the reference. Options whose
# values pip validates (choices, numbers, callbacks) are left out: we read values, we
# do not check them. Words some versions reject (`--global`: until pip 25.3
# `--global-option`) are compared where that pip takes them; where it rejects them, the
# call must say so, as an error or a version-dependent note.

_PIP_WORDS = [
    "install", "download", "wheel", "uninstall", "x", "req.txt", "/c", ".", "--", "-",
    "--no-cache", "--no-ca", "--no-c", "--cache", "--cache-dir", "--cache-dir=/d",
    "--no-cache-dir", "--no-cache-dir=1", "-r", "-rreq2.txt", "-qUr", "--req", "--requirement=r3",
    "-c", "-e", "-Ie", "--user", "--no-i", "--no-index", "--no", "-q", "-v", "-vv", "--target",
    "-t", "-f", "--find-links", "--index-url", "--isolated", "--log", "-d", "-w", "-y", "--pre",
    "--upgrade", "-U", "--no-deps", "--dest=/w", "--frobnicate", "-Z",
    "--global", "--install-option=o", "-b",
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
        assert call.errors or call.version_dependent or not call.subcommand, argv
        return
    name, parsed, operands = reference
    assert not call.errors, argv
    assert call.subcommand == name
    assert [w.text for w in call.positionals] == operands
    from pip._internal.commands import create_command

    for dest, value in replay(call, create_command(name).parser).items():
        assert (dest, getattr(parsed, dest)) == (dest, value), argv
