"""The engine's contract, with small rules made for the test: fixes as text edits, one
per instruction per pass, a fixpoint, and a self-check that refuses damaging fixes."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest

from fixer.diagnostics import Applicability, Diagnostic, Edit, Fix
from fixer import engine
from fixer.engine import MAX_PASSES, Settings, check_text
from fixer.output.diff import unified_diff
from fixer.rules.base import Context, Rule
from fixer.syntax import Span
from fixer.writer import WriteError, write_atomic


class DropNoCacheDir(Rule):
    """Removes one ` --no-cache-dir` per RUN per finding (a toy rule)."""

    code = "DFX901"
    name = "drop-no-cache-dir"

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for match in re.finditer(r" --no-cache-dir", context.source):
            span = Span(match.start(), match.end())
            yield self.report(span, "no cache", Fix("drop it", (Edit.delete(span),)))


class Unsafe(DropNoCacheDir):
    code = "DFX902"
    name = "unsafe-drop"

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for diagnostic in super().check(context):
            fix = diagnostic.fix
            yield self.report(diagnostic.span, "maybe", Fix(fix.title, fix.edits, Applicability.UNSAFE))


class NeverDone(Rule):
    code = "DFX903"
    name = "never-done"

    def check(self, context: Context) -> Iterator[Diagnostic]:
        yield self.report(Span(0, 0), "again", Fix("add", (Edit.insert(len(context.source), "# more\n"),)))


class Breaks(Rule):
    code = "DFX904"
    name = "breaks"

    def check(self, context: Context) -> Iterator[Diagnostic]:
        if "<<EOF" not in context.source:
            end = context.tree.instructions[-1].span.end
            yield self.report(Span(0, 0), "break", Fix("break", (Edit.insert(end, "RUN <<EOF\n"),)))


TEXT = "FROM python:3.12\nRUN pip install --no-cache-dir a && pip install --no-cache-dir b\r\nRUN pip install --no-cache-dir c"


def test_fixes_are_applied_to_a_fixpoint_one_per_instruction_per_pass() -> None:
    result = check_text("Dockerfile", TEXT, [DropNoCacheDir], Settings())
    assert result.error is None
    assert result.output == "FROM python:3.12\nRUN pip install a && pip install b\r\nRUN pip install c"
    assert len(result.diagnostics) == 3 and result.fixed == {0, 1, 2}
    assert result.later == (), "a first finding fixed in a later pass is not a new one"


class AddLineBefore(Rule):
    """Inserts a whole instruction before every RUN that lacks one (a toy rule)."""

    code = "DFX905"
    name = "add-line-before"

    def check(self, context: Context) -> Iterator[Diagnostic]:
        instructions = context.tree.instructions
        for before, run in zip(instructions, instructions[1:]):
            if run.keyword == "RUN" and before.keyword != "LABEL":
                fix = Fix("add a line", (Edit.insert(run.span.start, "LABEL x=1\n"),))
                yield self.report(run.keyword_span, "no label", fix)


def test_a_new_instruction_before_another_joins_that_ones_own_fix_in_one_pass() -> None:
    """A fix that only inserts whole lines before an instruction leaves its text alone: the
    instruction's own fix goes in the same pass (as DFX108's docker-clean line beside
    DFX110's edit), and so does the next instruction's, but two such insertions at one
    place do not."""
    text = "FROM python:3.12\nRUN pip install --no-cache-dir a\nRUN pip install --no-cache-dir b\n"
    passes = []
    with mock.patch.object(engine, "diagnose", wraps=engine.diagnose) as counted:
        result = check_text("Dockerfile", text, [DropNoCacheDir, AddLineBefore], Settings())
        passes.append(counted.call_count)
    assert result.output == "FROM python:3.12\nLABEL x=1\nRUN pip install a\nLABEL x=1\nRUN pip install b\n"
    assert passes == [2], "one pass with all four fixes, and one that finds nothing left"
    twice = [AddLineBefore, type("AddLineBeforeToo", (AddLineBefore,), {"code": "DFX906"})]
    result = check_text("Dockerfile", "FROM python:3.12\nRUN a\n", twice, Settings())
    assert result.output == "FROM python:3.12\nLABEL x=1\nRUN a\n"


class DropInTwo(Rule):
    """One fix that removes the first two ` --no-cache-dir`s of the file, in two
    instructions (a toy rule)."""

    code = "DFX900"  # first in the order of findings at one place
    name = "drop-in-two"

    def check(self, context: Context) -> Iterator[Diagnostic]:
        spans = [Span(m.start(), m.end()) for m in re.finditer(r" --no-cache-dir", context.source)][:2]
        if len(spans) == 2:
            yield self.report(spans[0], "two", Fix("drop both", tuple(Edit.delete(span) for span in spans)))


def test_a_fix_takes_every_instruction_its_edits_are_in() -> None:
    """A fix that edits two instructions keeps other fixes off both in its pass (DFX111's
    fix takes in DFX108's line before the RUN): here the toy rule's fix of the second
    RUN waits for the next pass, and fixes what is left there."""
    text = "FROM python:3.12\nRUN pip install --no-cache-dir a\nRUN pip install --no-cache-dir b --no-cache-dir\n"
    result = check_text("Dockerfile", text, [DropInTwo, DropNoCacheDir], Settings())
    assert result.output == "FROM python:3.12\nRUN pip install a\nRUN pip install b\n"
    first = engine._choose(result.tree, list(result.diagnostics), Settings())
    assert [d.code for d in first] == ["DFX900"], "the toy fix at the end of line 3 must wait: DFX900's edits line 3"


def test_unsafe_fixes_need_the_flag() -> None:
    assert check_text("Dockerfile", TEXT, [Unsafe], Settings()).output == TEXT
    assert "--no-cache-dir" not in check_text("Dockerfile", TEXT, [Unsafe], Settings(unsafe_fixes=True)).output


def test_select_and_ignore() -> None:
    assert check_text("Dockerfile", TEXT, [DropNoCacheDir], Settings(ignore=frozenset({"DFX901"}))).output == TEXT
    assert check_text("Dockerfile", TEXT, [DropNoCacheDir], Settings(select=frozenset({"DFX9"}))).changed
    assert check_text("Dockerfile", TEXT, [DropNoCacheDir], Settings(select=frozenset({"DFX1"}))).output == TEXT


def test_fixes_that_never_converge_leave_the_file_untouched() -> None:
    result = check_text("Dockerfile", TEXT, [NeverDone], Settings())
    assert result.output == TEXT
    assert f"did not converge after {MAX_PASSES} passes (DFX903)" in result.error


def test_fixes_that_break_the_file_leave_it_untouched() -> None:
    result = check_text("Dockerfile", TEXT, [Breaks], Settings())
    assert result.output == TEXT
    assert "DFX904" in result.error and "does not parse" in result.error


def test_files_that_do_not_parse_are_reported_not_fixed() -> None:
    result = check_text("Dockerfile", "FROM a\nENV X\n", [DropNoCacheDir], Settings())
    assert result.parse_errors and result.output == "FROM a\nENV X\n"


def test_the_diff_applies_with_git_apply(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_bytes(TEXT.encode())
    fixed = check_text("Dockerfile", TEXT, [DropNoCacheDir], Settings()).output
    patch = "# reasons may come first\n" + unified_diff("Dockerfile", TEXT, fixed)
    assert "\\ No newline at end of file" in patch
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "apply", "-"], cwd=tmp_path, input=patch.encode(), check=True)
    assert (tmp_path / "Dockerfile").read_bytes() == fixed.encode()


def test_write_keeps_the_mode_and_replaces_atomically(tmp_path: Path) -> None:
    target = tmp_path / "Dockerfile"
    target.write_text("old")
    target.chmod(0o640)
    write_atomic(str(target), "new\udcff", tmp_path)
    assert target.read_bytes() == b"new\xff"
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["Dockerfile"]


def test_write_refuses_a_symlink_that_leaves_the_repository(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Dockerfile").write_text("old")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "Dockerfile").symlink_to(outside / "Dockerfile")
    with pytest.raises(WriteError, match="outside"):
        write_atomic(str(repo / "Dockerfile"), "new", repo)
    assert (outside / "Dockerfile").read_text() == "old"


def test_a_comment_line_suppresses_rules_for_the_next_instruction() -> None:
    text = (
        "FROM python:3.12\n# dockerfix: ignore=DFX901\nRUN pip install --no-cache-dir a\n"
        "# dockerfix: ignore=all\nRUN pip install --no-cache-dir b\nRUN pip install --no-cache-dir c\n"
    )
    result = check_text("Dockerfile", text, [DropNoCacheDir], Settings())
    assert len(result.diagnostics) == 1
    assert result.output.endswith("RUN pip install c\n")
    assert "--no-cache-dir a" in result.output and "--no-cache-dir b" in result.output


def test_findings_a_fix_reveals_are_kept_with_their_place_in_the_fixed_file() -> None:
    from fixer.rules import ALL_RULES

    text = "FROM python:3.12\nENV HOME=/app\nRUN --mount=type=cache,target=/root/.cache/pip pip install x\n"
    result = check_text("Dockerfile", text, ALL_RULES, Settings())
    assert [d.code for d in result.diagnostics] == ["DFX101"]
    (revealed,) = result.later
    assert revealed.code == "DFX102" and revealed.fix is not None
    assert result.output[revealed.span.start :].startswith("install --cache-dir=/app/.cache/pip x")
    assert result.output_tree is not None and result.output_tree.position(revealed.span.start)[0] == 3
    assert result.final == () and result.later_fixed(revealed)


class AfterTheDrop(Rule):
    """Reports the last RUN, until lowercased, once no `--no-cache-dir` is left, with an
    unsafe fix (a toy rule)."""

    code = "DFX905"
    name = "after-the-drop"

    def check(self, context: Context) -> Iterator[Diagnostic]:
        span = context.tree.instructions[-1].keyword_span
        if "--no-cache-dir" not in context.source and span.text(context.source) == "RUN":
            yield self.report(span, "revealed", Fix("lowercase", (Edit.replace(span, "run"),), Applicability.UNSAFE))


def test_a_revealed_finding_whose_fix_may_not_be_written_remains() -> None:
    result = check_text("Dockerfile", TEXT, [DropNoCacheDir, AfterTheDrop], Settings())
    assert result.output == "FROM python:3.12\nRUN pip install a && pip install b\r\nRUN pip install c"
    (revealed,) = result.later
    assert revealed.code == "DFX905" and result.output_tree.position(revealed.span.start) == (3, 1)
    assert [d.code for d in result.final] == ["DFX905"] and not result.later_fixed(revealed)
    unsafe = check_text("Dockerfile", TEXT, [DropNoCacheDir, AfterTheDrop], Settings(unsafe_fixes=True))
    assert unsafe.output.endswith("run pip install c") and unsafe.final == ()


class OnceDropped(Rule):
    """Reports the last RUN's keyword from the start, but offers its fix (lowercase it)
    only once no `--no-cache-dir` is left: a finding that waits for another fix (a toy
    rule, as DFX103 waits for DFX101)."""

    code = "DFX906"
    name = "once-dropped"

    def check(self, context: Context) -> Iterator[Diagnostic]:
        span = context.tree.instructions[-1].keyword_span
        if span.text(context.source) == "RUN":
            ready = "--no-cache-dir" not in context.source
            yield self.report(span, "waits", Fix("lowercase", (Edit.replace(span, "run"),)) if ready else None)


def test_a_finding_fixed_in_a_later_pass_counts_as_fixed_and_says_how() -> None:
    result = check_text("Dockerfile", TEXT, [DropNoCacheDir, OnceDropped], Settings())
    assert result.output.endswith("run pip install c")
    waiting = next(index for index, d in enumerate(result.diagnostics) if d.code == "DFX906")
    assert result.diagnostics[waiting].fix is None and waiting in result.fixed
    assert result.fixed_later[waiting].title == "lowercase"
    assert result.later == () and result.final == ()


def test_offset_map_agrees_with_applying_the_edits() -> None:
    from fixer.diagnostics import OffsetMap, apply_edits

    source = "0123456789abcdef"
    edits = [Edit(2, 4, "XYZW"), Edit(6, 6, "++"), Edit(9, 12, "")]
    output = apply_edits(source, edits)
    moved = OffsetMap.of_edits(edits)
    for offset, char in enumerate(source):
        inside = any(edit.start < offset < edit.end for edit in edits)
        if not inside and not any(edit.start == offset < edit.end for edit in edits):
            assert output[moved(offset)] == char, offset
    assert moved(3) == 2 and moved(6) == 10 and moved(10) == 13 and moved(len(source)) == len(output)
