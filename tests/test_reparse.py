"""`parser.reparse`: reading again only what edits touched gives exactly `parse`'s tree.

The fix loop uses `reparse` after every pass, so any difference would be a wrong tree
under every later rule. Checked three ways: on the edits the rules really make (every
corpus, realistic and example file through the whole fix loop, each reparse compared
with a full parse as it happens), on edits that change an instruction's shape (a new
continuation, a heredoc opened, lines inserted or removed, CRLF, `# escape=`` ` ``), and
on generated Dockerfiles with generated edits.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dockerfile_strategies import dockerfiles
from fixer import engine
from fixer.diagnostics import Edit, apply_edits
from fixer.engine import Settings, check_text
from fixer.parser import decode, parse, reparse
from fixer.rules import ALL_RULES
from fixer.syntax import Dockerfile, Instruction, LogicalText

ROOT = Path(__file__).resolve().parents[1]


def shape(value: object) -> object:
    """A tree as nested tuples of plain values, so two trees compare field by field
    (instructions compare by identity, and a reparsed tree reuses some of them). A
    tree's `moved` says where its instructions came from, not what the tree is."""
    if isinstance(value, Dockerfile):
        return ("Dockerfile", *(shape(getattr(value, name)) for name in Dockerfile._fields if name != "moved"))
    if isinstance(value, Instruction):
        return ("Instruction", *(shape(getattr(value, name)) for name in Instruction.__slots__))
    if isinstance(value, LogicalText):
        return ("LogicalText", value.text, value.starts, value.origins)
    if isinstance(value, tuple):
        return (type(value).__name__, *(shape(item) for item in value))
    return value


def same_tree(source: str, tree: Dockerfile) -> None:
    expected = parse(source)
    assert tree.render() == source
    assert shape(tree) == shape(expected)


def check_reparse(source: str, edits: list[Edit]) -> None:
    old = parse(source)
    new = apply_edits(source, edits)
    tree = reparse(old, new, edits)
    same_tree(new, tree)
    same_instructions_as_before(old, tree)


def same_instructions_as_before(old: Dockerfile, tree: Dockerfile) -> None:
    """What `moved` says an instruction came from is the old tree's instruction of the
    same text (the fix loop's next pass takes again what it worked out for it)."""
    olds = {id(instruction): instruction for instruction in old.instructions}
    for instruction in tree.instructions:
        before = tree.moved.get(id(instruction), instruction)
        if before is instruction:
            continue
        assert olds.get(id(before)) is before
        assert instruction.span.text(tree.source) == before.span.text(old.source)
        assert (instruction.keyword, instruction.value, instruction.json) == (before.keyword, before.value, before.json)


FILES = sorted(
    [*ROOT.glob("tests/corpus/*.Dockerfile"), *ROOT.glob("tests/realistic/*/Dockerfile*"), *ROOT.glob("examples/*/Dockerfile")]
)


@pytest.mark.parametrize("path", FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_the_fix_loop_reparses_exactly(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def checked(old: Dockerfile, source: str, edits: list[Edit]) -> Dockerfile:
        tree = reparse(old, source, edits)
        same_tree(source, tree)
        same_instructions_as_before(old, tree)
        calls.append(1)
        return tree

    monkeypatch.setattr(engine, "reparse", checked)
    text = decode(path.read_bytes())
    result = check_text(path.name, text, ALL_RULES, Settings(unsafe_fixes=True), path.parent)
    assert result.error is None
    assert bool(calls) == result.changed


SOURCE = (
    "# syntax=docker/dockerfile:1\n"
    "FROM python:3.12 AS base\n"
    "ENV HOME=/app\n"
    "# a comment\n"
    "RUN --mount=type=cache,target=/root/.cache/pip \\\n"
    "    # inside\n"
    "    pip install --no-cache-dir flask\n"
    "COPY . .\n"
    "\n"
    "RUN <<EOF\n"
    "pip install x\n"
    "EOF\n"
    "CMD [\"python\"]"
)


def at(text: str, needle: str, offset: int = 0) -> int:
    return SOURCE.index(needle) + offset if text is SOURCE else text.index(needle) + offset


@pytest.mark.parametrize(
    "edits",
    [
        [Edit(at(SOURCE, "/root"), at(SOURCE, "/root", 16), "/app/.cache/pip")],
        [Edit(at(SOURCE, " --no-cache-dir"), at(SOURCE, " --no-cache-dir", 15), "")],
        # a new continuation joins the next line: the region does not end where it began
        [Edit(at(SOURCE, "COPY . .", 8), at(SOURCE, "COPY . .", 8), " \\")],
        # a heredoc opened on a line reads the lines after it
        [Edit(at(SOURCE, "ENV HOME=/app", 13), at(SOURCE, "ENV HOME=/app", 13), "\nRUN <<X cat\n")],
        # lines inserted before an instruction, and at the end of the file
        [Edit(at(SOURCE, "COPY"), at(SOURCE, "COPY"), "COPY requirements.txt ./\nRUN a\n")],
        [Edit(len(SOURCE), len(SOURCE), "\nCOPY . .\n")],
        # a line removed, two regions apart, and a heredoc body changed
        [Edit(at(SOURCE, "# a comment\n"), at(SOURCE, "# a comment\n", 12), ""),
         Edit(at(SOURCE, "pip install x"), at(SOURCE, "pip install x", 13), "pip install y z")],
        # the first instruction after the directives
        [Edit(at(SOURCE, "FROM"), at(SOURCE, "FROM"), "ARG V=1\n")],
        # the directives themselves: a full parse
        [Edit(0, 0, "# escape=`\n")],
    ],
    ids=["target", "option", "continuation", "heredoc", "insert", "append", "two-regions", "top", "directive"],
)
def test_shapes(edits: list[Edit]) -> None:
    check_reparse(SOURCE, edits)


@pytest.mark.parametrize("variant", ["crlf", "escape"])
def test_crlf_and_backtick(variant: str) -> None:
    source = SOURCE.replace("\n", "\r\n") if variant == "crlf" else "# escape=`\n" + SOURCE.replace(" \\\n", " `\n")
    start = source.index("--no-cache-dir")
    check_reparse(source, [Edit(start, start + len("--no-cache-dir"), "--cache-dir=/x `\r\n  y" if variant == "crlf" else "a")])


_SNIPPETS = st.sampled_from(["", "x", " \\", "\\\n", "\n", "\r\n", "<<EOF", "\nEOF\n", "# c\n", "RUN y\n", "`", "\"", "--mount=type=cache,target=/c "])


@st.composite
def edited(draw):  # type: ignore[no-untyped-def]
    source = draw(dockerfiles(invalid=False))
    count = draw(st.integers(1, 3))
    points = sorted(draw(st.lists(st.integers(0, len(source)), min_size=count * 2, max_size=count * 2)))
    edits = [Edit(points[i], points[i + 1], draw(_SNIPPETS)) for i in range(0, len(points), 2)]
    return source, [edit for n, edit in enumerate(edits) if n == 0 or edits[n - 1].end < edit.start]


@given(edited())
def test_generated_files_and_edits(case: tuple[str, list[Edit]]) -> None:
    source, edits = case
    check_reparse(source, edits)
