"""The shortcuts taken for speed give what the general code gives.

Each fast path (plain words, plain heredoc names, flags written without quotes, the
region-anchored diff, the set of taken edits, the light NamedTuple, lazily compiled
patterns) is compared here with the slow path it stands in for.
"""

from __future__ import annotations

import difflib
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
from fixer import arguments, mounts, parser, stages
from fixer.analysis import analyse
from fixer.diagnostics import Edit, apply_edits, track_changes
from fixer.engine import Settings, _touches_taken, check_text
from fixer.parser import parse, parse_heredoc_word
from fixer.patterns import compile_lazily
from fixer.records import NamedTuple
from fixer.report import split_lines, unified_diff
from fixer.rules import ALL_RULES
from fixer.words import LexError, Lexer, is_plain

ROOT = Path(__file__).resolve().parent.parent


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
    return result.returncode, result.stdout, result.stderr


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
