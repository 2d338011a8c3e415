"""The shortcuts taken for speed give what the general code gives.

Each fast path (plain words, plain heredoc names, flags written without quotes, plain
instructions, flat shell scripts, the pre-filters that spare a RUN its shell parse, the
region-anchored diff, the set of taken edits, the light NamedTuple, lazily compiled
patterns...) is compared here with the slow path it stands in for.
"""

from __future__ import annotations

import difflib
import gc
import json
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple as TypingNamedTuple
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dockerfile_strategies import dockerfiles
from fixer import analysis, arguments, caches, engine, images, installers, mounts, parser, pipconf, shell, stages, users
from fixer.analysis import analyse
from fixer.facts import Known, Origin
from fixer.diagnostics import Edit, apply_edits, track_changes
from fixer.engine import Settings, _touches_taken, check_text
from fixer.parser import parse, parse_heredoc_word
from fixer.patterns import compile_lazily
from fixer.records import NamedTuple
from fixer.output.diff import _grouped, dry_run, split_lines, unified_diff
from fixer.output.model import file_report
from fixer.rules import ALL_RULES
from fixer.words import LexError, Lexer, is_plain
from variants import VARIANTS

ROOT = Path(__file__).resolve().parent.parent
CORPORA = sorted(
    path
    for pattern in ("tests/corpus/*.Dockerfile", "tests/realistic/*/Dockerfile*", "examples/*/Dockerfile*", "benchmarks/corpus/*")
    for path in ROOT.glob(pattern)
)


# --------------------------------------------------------------------------- words and the parser


@given(st.text(alphabet="ab$`'\"\\ {}<-:=/_", max_size=16), st.sampled_from(["\\", "`"]))
def test_a_plain_word_is_what_the_lexer_makes_of_it(word: str, escape: str) -> None:
    if not is_plain(word, escape):
        return
    for lexer in (Lexer(escape=escape), Lexer(escape=escape, raw_quotes=True, skip_unset=True)):
        assert lexer.process_word(word, {"a": "x"}) == word
        assert not lexer.matched and not lexer.unmatched


@given(st.text(alphabet="Ab0_.-'\"$\\ <\t", max_size=10), st.sampled_from(["<<", "<<-", "2<<", "10<<-"]))
def test_plain_heredoc_names_need_no_lexer(name: str, opener: str) -> None:
    word = opener + name
    with mock.patch.object(parser, "_PLAIN_NAME", re.compile(r"(?!)")):
        try:
            slow: object = parse_heredoc_word(word)
        except LexError as exc:
            slow = exc.args
    try:
        fast: object = parse_heredoc_word(word)
    except LexError as exc:
        fast = exc.args
    assert fast == slow


def _trees_without_fast_paths(text: str) -> object:
    with mock.patch.object(arguments, "_straight_shift", lambda flag, logical: None), mock.patch.object(
        stages, "is_plain", lambda word, escape: False
    ), mock.patch.object(mounts, "is_plain", lambda word, escape: False):
        return _facts(text)


def _facts(text: str) -> object:
    tree = parse(text)
    facts = analyse(tree, {"UID": "1000"})
    return (
        [(i.keyword_span, i.flags, i.args.text, i.args.starts, i.args.origins) for i in tree.instructions],
        [(run.state.env, run.state.user, run.state.workdir, run.mounts) for run in facts.runs],
    )


@settings(max_examples=200, deadline=None)
@given(dockerfiles(invalid=False))
def test_flag_spans_and_expansions_of_the_fast_paths_are_the_general_ones(text: str) -> None:
    fast, slow = _facts(text), _trees_without_fast_paths(text)
    assert repr(fast) == repr(slow)


def _parsed_generally(text: str) -> object:
    with mock.patch.object(parser._Builder, "plain_instruction", lambda self, first, line, origin, logical: False):
        return parse(text)


@settings(max_examples=300, deadline=None)
@given(dockerfiles())
def test_plain_instructions_are_built_as_the_general_path_builds_them(text: str) -> None:
    assert repr(parse(text)) == repr(_parsed_generally(text))


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_plain_instructions_of_the_corpora_are_built_as_the_general_path_builds_them(variant: str) -> None:
    for path in CORPORA:
        text = VARIANTS[variant](path.read_text(encoding="utf-8"))
        assert repr(parse(text)) == repr(_parsed_generally(text)), path


def _json_array_with_loads(text: str) -> object:
    """`arguments.json_array` as it was: `json.loads` with the hooks, every string cleaned."""
    text = text.lstrip(" \t\n\v\f\r")
    if not text.startswith("["):
        return None
    try:
        value = json.loads(
            text,
            parse_float=arguments._json_number,
            parse_int=arguments._json_number,
            parse_constant=arguments._json_constant,
        )
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, list):
        return None
    return [arguments._SURROGATE.sub("\ufffd", item) if isinstance(item, str) else item for item in value]


_JSON_VALUES = st.one_of(st.text(), st.integers(), st.floats(), st.booleans(), st.none())


@given(st.lists(_JSON_VALUES, max_size=4).map(json.dumps) | st.text(alphabet='[]",\\ud800 1eE+-.0NaIn{}', max_size=14))
def test_one_json_decoder_reads_arrays_as_json_loads_does(text: str) -> None:
    assert repr(arguments.json_array(text)) == repr(_json_array_with_loads(text))


@given(st.text(alphabet="ab=,/.-_ é", max_size=24))
def test_mount_values_without_quotes_split_as_csv_does(value: str) -> None:
    assert arguments._plain_mount_options(value, 17) == arguments._csv_mount_options(value, 17)


# --------------------------------------------------------------------------- shell scripts and pre-filters

_SHELL_PIECES = [
    "a", "pip", "install", "-r", "x.txt", "/usr/bin/", " ", "\t", "\n", "\r", "&&", "||", ";", ";;", ";&", "|", "&",
    "#", "# c", "$", "'", '"', "\\", "(", ")", "<", ">", "X=1", "=", "sudo", "sh", "-c", "env", "if", "then", "fi",
    "{", "}", "!", "[[", "done", "`", "~", "*",
]  # fmt: skip


def _parsed_slowly(code: str) -> shell.Script:
    slow = shell._Parser(code, shell._Scope(None, False), 0, 0, None)
    slow.run()
    return slow.script()


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_SHELL_PIECES), max_size=25).map("".join))
def test_a_flat_script_is_what_the_parser_makes_of_it(code: str) -> None:
    flat = shell._flat_script(code)
    if flat is not None:
        assert flat == _parsed_slowly(code)


def _run_codes() -> list[str]:
    codes = []
    for path in CORPORA:
        tree = parse(path.read_text(encoding="utf-8"))
        if not tree.errors:
            codes += [run.text for run in analyse(tree).runs]
    return codes


def test_the_flat_scripts_of_the_corpora_are_what_the_parser_makes_of_them() -> None:
    codes = _run_codes()
    flat = [code for code in codes if shell._flat_script(code) is not None]
    assert len(flat) > len(codes) / 2  # the fast path is the common one
    for code in flat:
        assert shell._flat_script(code) == _parsed_slowly(code), code


# Words the pre-filters look for, words that change what they mean, and the characters
# that make unquoted text differ from a word's text.
_CODE_PIECES = [
    "useradd", "adduser", "usermod", "userdel", "groupadd", "groupdel", "delgroup", "newusers", "mkdir", "-p",
    "chown", "app:app", "install", "-d", "-o", "rm", "-rf", "-r", "find", "-exec", "{}", "+", "xargs", "rpm", "-i",
    "apt-get", "apt", "aptitude", "dpkg", "apk", "add", "dnf", "tdnf", "yum", "zypper", "sh", "bash", "dash", "x.sh",
    ".", "./", "source", "eval", "/etc/passwd", "/etc/group", "/home/app", "/home/*", "echo", "pip", "pip3.12",
    "python3", "-m", "-mpip", "-muv", "uv", "poetry", "pdm", "pipenv", "config", "set", "--global", "--site",
    "global.no-cache-dir", "true", "pip.conf", "/etc/pip.conf", "~/", "$HOME/", "$PIP", "PIP_CONFIG", "tee", "cat",
    "<<EOF", "<<'EOF'", "EOF", "sudo", "-u", "app", "env", "gosu", "su", "-c", "busybox", " ", " ", " ", "\n",
    "\\\n", "\\", "'", '"', "$", "`", ";", "&&", "|", "(", ")", "#", "/", "-", "=", ">", ">>", "u", "s", "e",
    "p", "i",
]  # fmt: skip
_ORIGIN = Origin("RUN at line 2", 2)


def _passwds() -> list[tuple[users.Passwd, str | None]]:
    debian, alpine = images.lookup("python:3.12-slim"), images.lookup("python:3.12-alpine")
    complete = users.Passwd((users.Account("root", 0, 0, "/root", True, 0, _ORIGIN),), True, True, True)
    return [
        (users.Passwd(), None),
        (users.Passwd.from_image(debian, _ORIGIN), "debian"),
        (users.Passwd.from_image(alpine, _ORIGIN), "alpine"),
        (complete, "rhel"),
    ]


def _assert_nothing_for_the_passed_over(code: str, script: shell.Script) -> None:
    """What each pre-filter answering "no" promises, checked against the slow path."""
    rest = shell.unquoted(code)
    if not installers.may_call_installer(rest):
        assert installers.find_installer_calls(script) == ()
    if not users.may_change_accounts(code, rest):
        for passwd, family in _passwds():
            for run_uid in (0, 1000, None):
                changed = users.apply_user_commands(
                    passwd, script, family, _ORIGIN, env={"U": "app"}, workdir="/home/app", run_uid=run_uid
                )
                assert changed == passwd
    if not pipconf.may_write_pip_config(code, rest):
        for home in (None, "/root", "/$pip", "/x`pip"):
            assert pipconf.pip_config_writes(script, home, _ORIGIN) == pipconf.PipConfigWrites((), True)


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_CODE_PIECES), max_size=30).map("".join))
def test_what_the_prefilters_pass_over_has_nothing_for_them(code: str) -> None:
    _assert_nothing_for_the_passed_over(code, shell.parse_script(code))
    argv = code.split(" ")  # the exec form: each argument one word, the code their join
    _assert_nothing_for_the_passed_over(" ".join(argv), shell.script_from_argv(argv))


# Scripts in which the slow path finds something, however the names are spelled.
_INSTALLS = [
    "pip install x", "/opt/venv/bin/pip3.12 install x", "python3 -mpip install x", "python -I -m uv pip install x",
    "p'i'p install x", 'pi""p install x', "p\\ip install x", "$'pip' install x", "pi\\\np install x",
    "sh -c 'u\\v sync'", "`poetry install`", "sudo -u app pdm install", "apt-get update", "uv run pipenv install",
]  # fmt: skip
_ACCOUNT_CHANGES = [
    "useradd bob", "/usr/sbin/useradd -m bob", "user''add bob", "use\\\nradd bob", "apt-get install -y x",
    "dpkg -i x.deb", "rpm -i x.rpm", "tdnf install x", "newusers u.txt", "xargs usermod -d /x < u", "find / -exec delgroup {} +",
    "echo 'a:x:1000:1000::/a:/bin/sh' >> /etc/passwd", "sed -i s/a/b/ /etc/group", ". ./env.sh", "$'.' ./x",
    "./setup.sh", "curl x | bash", "eval x", "rm -rf /home/*", "mkdir -p /home/ghost",
]  # fmt: skip
_PIP_CONFIG_WRITES = [
    "pip config set global.no-cache-dir true", "pip3.12 --isolated config set global.x 1", "pip\tconfig\tset g.x 1",
    "echo x > /etc/pip.conf",
    "tee ~/.config/pip/pip.conf <<EOF\n[global]\nno-cache-dir = 1\nEOF", 'echo x > "$PIP_CONF"', "echo x > `pipdir`/a",
]  # fmt: skip


@pytest.mark.parametrize("code", _INSTALLS)
def test_the_installer_prefilter_keeps_every_spelling_of_a_call(code: str) -> None:
    assert installers.find_installer_calls(shell.parse_script(code))
    assert installers.may_call_installer(shell.unquoted(code))


@pytest.mark.parametrize("code", _ACCOUNT_CHANGES)
def test_the_account_prefilter_keeps_every_command_that_changes_accounts(code: str) -> None:
    root = users.Account("root", 0, 0, "/root", True, 0, _ORIGIN)
    app = users.Account("app", 1000, 1000, "/home/app", True, 1000, _ORIGIN)
    ghost = users.Account("ghost", 1001, 1001, "/home/ghost", False, None, _ORIGIN)
    passwd = users.Passwd((root, app, ghost), True, True, True, frozenset({1002}))
    script = shell.parse_script(code)
    assert users.apply_user_commands(passwd, script, "debian", _ORIGIN, workdir="/", run_uid=0) != passwd
    assert users.may_change_accounts(code, shell.unquoted(code))


@pytest.mark.parametrize("code", _PIP_CONFIG_WRITES)
def test_the_pip_config_prefilter_keeps_every_write(code: str) -> None:
    assert pipconf.pip_config_writes(shell.parse_script(code), "/root", _ORIGIN) != pipconf.PipConfigWrites((), True)
    assert pipconf.may_write_pip_config(code, shell.unquoted(code))


def test_what_the_prefilters_pass_over_in_the_corpora_has_nothing_for_them() -> None:
    codes = _run_codes()
    for code in codes:
        _assert_nothing_for_the_passed_over(code, shell.parse_script(code))
    assert any(not installers.may_call_installer(shell.unquoted(code)) for code in codes)
    assert any(not users.may_change_accounts(code, shell.unquoted(code)) for code in codes)


def _run_facts(text: str) -> list[str]:
    facts = analyse(parse(text), {"UID": "1000"})
    return [
        repr((run.filesystem, run.user, run.home, run.home_writable, run.installs, run.mounts, run.shell))
        for run in facts.runs
    ]


def test_the_prefiltered_analysis_of_the_corpora_is_the_full_one() -> None:
    """Every RUN in tests/corpus, tests/realistic, examples/ and benchmarks/corpus: with
    the pre-filters answering "may" everywhere, the analysis is the same."""
    for path in CORPORA:
        text = path.read_text(encoding="utf-8")
        if parse(text).errors:
            continue
        prefiltered = _run_facts(text)
        with mock.patch.object(analysis, "may_call_installer", lambda rest: True), mock.patch.object(
            users, "may_change_accounts", lambda code, rest: True
        ), mock.patch.object(pipconf, "may_write_pip_config", lambda code, rest: True):
            assert prefiltered == _run_facts(text), path


def _matches_by_parts(home: str, target: str, below: bool, above: bool) -> bool:
    """Whether `target` matches `home`, the path rules of users.py spelled out once more."""
    if not re.search(r"[*?\[]", target):
        return home == target or (below and _inside(home, target)) or (above and _inside(target, home))
    home_parts = [p for p in home.split("/") if p]
    target_parts = [p for p in target.split("/") if p]
    if (len(home_parts) > len(target_parts) and not below) or (len(home_parts) < len(target_parts) and not above):
        return False
    return all(re.fullmatch(_glob_regex(t), h) is not None for h, t in zip(home_parts, target_parts))


def _inside(inner: str, outer: str) -> bool:
    return inner == outer or outer == "/" or inner.startswith(outer + "/")


def _glob_regex(part: str) -> str:
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in part)


_PATHS = st.lists(st.sampled_from(["", "home", "app", "root", "a", "*", "?", "a*", "/"]), max_size=5).map("/".join)


@given(_PATHS.filter(lambda path: "*" not in path and "?" not in path), _PATHS, st.booleans(), st.booleans())
def test_home_matchers_follow_the_path_rules(home: str, target: str, below: bool, above: bool) -> None:
    home = "/" + home.strip("/")
    assert users._matcher(target, below=below, above=above)(home) == _matches_by_parts(home, target, below, above)


def test_apt_keeps_its_files_where_the_general_reading_of_its_defaults_puts_them() -> None:
    call = installers.installer_call_from_argv(["apt-get", "install", "-y", "x"])
    assert call is not None
    context = caches._Context(call, caches.EnvView(), "/root", "", "/app", False)
    unrelated = {"apt::other": Known("1", _ORIGIN)}  # read, but moves nothing
    for chain, decision in caches._APT_DEFAULT_DIRECTORIES.items():
        assert caches._apt_directory(context, chain, {}, unrelated) == decision


@pytest.mark.parametrize(
    "argv", [["pip", "install", "x"], ["/opt/venv/bin/pip", "install", "--isolated", "x"], ["pip3", "download", "x"]]
)
@pytest.mark.parametrize("known", [True, False])
def test_pip_without_known_settings_needs_no_list_of_its_config_files(argv: list[str], known: bool) -> None:
    call = installers.installer_call_from_argv(argv)
    assert call is not None
    unrelated = (caches.PipSetting("/etc/pip.conf", "global", "timeout", "60", _ORIGIN),)
    for variables in ({}, {"PIP_CONFIG_FILE": "/etc/x.conf"}, {"XDG_CONFIG_DIRS": "/a:/b", "XDG_CONFIG_HOME": "/c"}):
        env = caches.EnvView({name: Known(value, _ORIGIN) for name, value in variables.items()})
        for home in ("/root", None):
            without = caches.resolve_cache(call, env, home, "", "/", True, caches.PipConfigView((), known))
            with_one = caches.resolve_cache(call, env, home, "", "/", True, caches.PipConfigView(unrelated, known))
            assert without == with_one


# --------------------------------------------------------------------------- engine and diff


def _random_edits(rng: random.Random, text: str) -> list[Edit]:
    words = ["RUN x\n", "FROM a\n", "\n", "COPY . .\n", "x", "\r\n", "y z\n", ""]
    points = sorted(rng.randint(0, len(text)) for _ in range(2 * rng.randint(0, 3)))
    edits, last = [], -1
    for start, end in zip(points[::2], points[1::2]):
        if start > last:
            edits.append(Edit(start, end, "".join(rng.choice(words) for _ in range(rng.randint(0, 2)))))
            last = end
    return edits


def _apply_patch(before: str, patch: str) -> str:
    """A strict applier of our unified diffs: context and removed lines must match."""
    old, out, position = split_lines(before), [], 0
    lines = split_lines(patch)[2:]
    index = 0
    while index < len(lines):
        header = re.match(r"@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@\n", lines[index])
        assert header, lines[index]
        start = int(header.group(1)) - (1 if header.group(2) != "0" else 0)
        out.extend(old[position:start])
        position = start
        index += 1
        while index < len(lines) and not lines[index].startswith("@@"):
            tag, line = lines[index][0], lines[index][1:]
            if index + 1 < len(lines) and lines[index + 1] == "\\ No newline at end of file\n":
                line = line[:-1]
                index += 1
            if tag in " -":
                assert old[position] == line
                position += 1
            if tag in " +":
                out.append(line)
            index += 1
    return "".join(out + old[position:])


def test_tracked_changes_and_the_anchored_diff() -> None:
    rng = random.Random(7)
    words = ["RUN x\n", "FROM a\n", "\n", "COPY . .\n", "ENV A=1\n", "x", "\r\n", "y z\n"]
    for _ in range(3000):
        source = "".join(rng.choice(words) for _ in range(rng.randint(0, 25)))
        text, changes = source, ()
        for _ in range(rng.randint(1, 3)):
            edits = _random_edits(rng, text)
            text, changes = apply_edits(text, edits), track_changes(changes, edits)
        before = after = 0
        for start, end, out_start, out_end in changes:  # outside the regions, the texts agree
            assert source[before:start] == text[after:out_start]
            before, after = end, out_end
        assert source[before:] == text[after:]
        for patch in (unified_diff("D", source, text, changes), unified_diff("D", source, text)):
            assert (patch == "") == (source == text)
            if patch:
                assert _apply_patch(source, patch) == text


def test_the_anchored_diff_is_difflibs_on_real_fixes() -> None:
    files = sorted(ROOT.glob("tests/realistic/*/Dockerfile")) + sorted(ROOT.glob("examples/*/Dockerfile"))
    compared = 0
    for path in files:
        for unsafe in (False, True):
            result = check_text("D", path.read_text(encoding="utf-8"), ALL_RULES, Settings(unsafe_fixes=unsafe), path.parent)
            if not result.changed:
                continue
            lines = difflib.unified_diff(split_lines(result.source), split_lines(result.output), "a/D", "b/D", lineterm="\n")
            expected = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
            assert unified_diff("D", result.source, result.output, result.changes) == expected, path
            compared += 1
    assert compared > 20


def test_hunks_are_grouped_as_difflib_groups_them() -> None:
    rng = random.Random(11)
    for _ in range(3000):
        old = [rng.choice("abc\n") for _ in range(rng.randint(0, 30))]
        new = [rng.choice("abc\n") for _ in range(rng.randint(0, 30))]
        matcher = difflib.SequenceMatcher(None, old, new)
        for n in (0, 1, 3):
            expected = list(matcher.get_grouped_opcodes(n))
            assert list(_grouped(matcher.get_opcodes(), n)) == expected, (old, new, n)


def test_taken_edits_are_found_as_a_scan_would() -> None:
    rng = random.Random(3)
    for _ in range(5000):
        taken: list[tuple[int, int]] = []
        position = 0
        while position < 40:
            start = position + rng.randint(0, 3)
            end = start + rng.randint(0, 3)
            if rng.random() < 0.5:
                taken.append((start, end))
            position = end
        edit = Edit(rng.randint(0, 45), 0, "")
        edit = edit._replace(end=edit.start + rng.randint(0, 4))
        scan = any(edit.start <= end and start <= edit.end for start, end in taken)
        assert _touches_taken(edit, taken) == scan


# --------------------------------------------------------------------------- the fix loop's memo


def _reported(text: str, memo: bool) -> str:
    """All a check of `text` reports (findings, fixes, what later passes found, the
    fixed text), with the fix loop's `PassMemo` or without one."""
    diagnose = engine.diagnose
    forgetting = lambda *arguments: diagnose(*arguments[:5], None)  # each pass on its own  # noqa: E731
    with mock.patch.object(engine, "diagnose", diagnose if memo else forgetting):
        result = check_text("Dockerfile", text, ALL_RULES, Settings(unsafe_fixes=True), None)
    return repr((result.output, result.diagnostics, sorted(result.fixed), result.parse_errors, result.error,
                 result.changes, result.later, result.final, sorted(result.fixed_later.items())))  # fmt: skip


def test_what_the_passes_share_changes_nothing_in_the_corpora() -> None:
    """Every file of tests/corpus, tests/realistic, examples/ and benchmarks/corpus, in
    every variant (CRLF, BOM, ...): what a check reports is the same whether the fix
    loop's passes take again what an earlier pass worked out or work it all out anew."""
    for path in CORPORA:
        for variant in VARIANTS.values():
            text = variant(path.read_text(encoding="utf-8"))
            assert _reported(text, memo=True) == _reported(text, memo=False), path


def test_a_check_and_its_diff_leave_no_reference_cycles() -> None:
    """check_text pauses the cyclic garbage collector because nothing it makes needs it:
    reference counting frees its objects (a cycle, such as the RUN facts that `PassMemo`
    keeps referring back to it, or a class made per diff, would stay in memory until the
    collector runs). The standard library's configparser, which reads a pip.conf, makes
    cycles of its own: those are left to the collector."""
    settings = Settings(unsafe_fixes=True)
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for path in CORPORA:
            dry_run(file_report(check_text("Dockerfile", path.read_text(encoding="utf-8"), ALL_RULES, settings), settings))
            gc.collect()
            ours = [o for o in gc.garbage if isinstance(o, type) or type(o).__module__.startswith(("fixer", "difflib"))]
            assert not ours, path
            gc.garbage.clear()
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


@settings(max_examples=150, deadline=None)
@given(dockerfiles())
def test_what_the_passes_share_changes_nothing_in_generated_files(text: str) -> None:
    assert _reported(text, memo=True) == _reported(text, memo=False)


# --------------------------------------------------------------------------- records and patterns


class Light(NamedTuple):
    """A light record."""

    name: str
    size: int = 0

    def double(self) -> int:
        return 2 * self.size


class Typed(TypingNamedTuple):
    """A light record."""

    name: str
    size: int = 0


def test_the_light_named_tuple_is_a_named_tuple() -> None:
    light, typed = Light("a", 2), Typed("a", 2)
    assert tuple(light) == tuple(typed) and light._fields == typed._fields
    assert Light._field_defaults == Typed._field_defaults == {"size": 0}
    assert repr(light) == "Light(name='a', size=2)" and Light.__doc__ == "A light record."
    assert light._replace(size=3) == Light("a", 3) and Light("b").size == 0 and light.double() == 4
    assert list(Light.__annotations__) == ["name", "size"]
    with pytest.raises(TypeError):
        type("Bad", (NamedTuple,), {"__module__": __name__, "__annotations__": {"a": "int", "b": "int"}, "a": 1})


def test_lazy_patterns_behave_as_compiled_ones() -> None:
    lazy, compiled = compile_lazily(r"(a+)(b)?", re.IGNORECASE), re.compile(r"(a+)(b)?", re.IGNORECASE)
    assert lazy.pattern == compiled.pattern and lazy.flags == re.IGNORECASE
    assert lazy.match("AAb").groups() == compiled.match("AAb").groups()
    assert lazy.findall("ab aa") == compiled.findall("ab aa") and lazy.sub("x", "aab") == compiled.sub("x", "aab")
    assert lazy.groups == compiled.groups


# --------------------------------------------------------------------------- the command line without click


def _run(args: list[str], cwd: Path, via_click: bool, stdin: str | None = None) -> tuple[int, str, str]:
    program = "from fixer.cli import main; main()" if via_click else "from fixer.entry import main; main()"
    result = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.argv[0] = 'dockerfix'; {program}", *args],
        cwd=cwd, input=stdin, capture_output=True, text=True, check=False,
    )
    stderr = re.sub(r" checked in \d+\.\d\d s:", " checked in (time) s:", result.stderr)  # the summary line's time
    return result.returncode, result.stdout, stderr


@pytest.mark.parametrize(
    "args",
    [
        [], ["Dockerfile"], ["--check", "Dockerfile"], ["Dockerfile", "--check"], ["--write", "--unsafe-fixes", "Dockerfile"],
        ["--diff", "."], ["ansi.Dockerfile"], ["--check", "missing/Dockerfile"], ["bad.Dockerfile", "Dockerfile"],
        ["--check", "--check", "Dockerfile"], ["--unsafe-fixes", "--unsafe-fixes", "Dockerfile"], ["-"],
        ["--select", "DFX101", "Dockerfile"], ["--help"], ["fix", "Dockerfile"], ["--nope"], ["-x"],
    ],
)
def test_the_fast_command_line_does_what_click_does(tmp_path: Path, args: list[str]) -> None:
    outcomes = []
    for via_click in (True, False):
        project = tmp_path / ("click" if via_click else "fast")
        project.mkdir()
        (project / "Dockerfile").write_text(
            "FROM python:3.12\nENV HOME=/app\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r r.txt\n"
        )
        (project / "ansi.Dockerfile").write_text("FROM python:3.12\n# \x1b[31mred\x1b[0m\nENV HOME=/app\n"
                                                 "RUN --mount=type=cache,target=/root/.cache/pip pip install x\n")
        (project / "bad.Dockerfile").write_text("FROM a\nENV X\n")
        outcomes.append((_run(args, project, via_click, stdin="FROM a\nRUN pip install --no-cache-dir x\n"),
                         sorted(path.read_text() for path in project.iterdir())))
    assert outcomes[0] == outcomes[1]
