"""Run the rules on one Dockerfile, apply their fixes to a fixpoint, and check the result.

One pass: parse, analyse, run every selected rule, then apply at most one fix per
instruction, never two fixes whose edits overlap or touch. Passes repeat until no
applicable fix is left, at most `MAX_PASSES` times (ruff's fix loop). The result must
then hold up: it parses without errors, every original instruction is still there in
order, and running the rules once more changes nothing (black's `assert_stable`).
If any of that fails, the file is left as it was and the failure names the rules
involved: a fixer that damages a Dockerfile is a bug, never a result.
"""

from __future__ import annotations

import gc
from bisect import bisect_right, insort
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

from . import suppressions
from .analysis import PassMemo, analyse
from .diagnostics import Applicability, Change, Diagnostic, Edit, Fix, OffsetMap, apply_edits, track_changes
from .parser import parse, reparse
from .records import NamedTuple
from .rules.base import Context, Rule
from .syntax import Dockerfile, ParseError

MAX_PASSES = 10


class Settings(NamedTuple):
    """What the user asked for: which rules, whether unsafe fixes may be written, build args.

    `select` empty means every rule; `extend_select` adds rules to it, `ignore` takes
    rules away. Each holds rule codes, prefixes of codes (`DFX1`) or rule names.
    """

    select: frozenset[str] = frozenset()
    ignore: frozenset[str] = frozenset()
    unsafe_fixes: bool = False
    build_args: Mapping[str, str] = MappingProxyType({})
    extend_select: frozenset[str] = frozenset()

    def selects(self, rule: type[Rule]) -> bool:
        if rule.opt_in:
            named = {rule.code, rule.name}
            return bool(named & (self.select | self.extend_select)) and not named_by(rule, self.ignore)
        if not self.select and not self.ignore:
            return True  # the default: every rule, and no set to build for each file and rule
        chosen = not self.select or named_by(rule, self.select) or named_by(rule, self.extend_select)
        return chosen and not named_by(rule, self.ignore)

    def allows(self, fix: Fix) -> bool:
        if fix.applicability is Applicability.SAFE:
            return True
        return fix.applicability is Applicability.UNSAFE and self.unsafe_fixes


def named_by(rule: type[Rule], selectors: frozenset[str]) -> bool:
    """Whether one of `selectors` is the rule's name, its code or a prefix of its code."""
    return rule.name in selectors or any(rule.code.startswith(selector) for selector in selectors)


class FileResult(NamedTuple):
    """The outcome for one file.

    `diagnostics` are the findings on the original text, `fixed` says which of them
    the written fixes resolve (in whichever pass: a finding may get its fix only once
    another fix is in), `later` the findings that only appear once earlier fixes are in
    (fixed in a later pass, or left for the user), with spans in `output` and its tree
    `output_tree`, and `final` the findings left in `output`. `fixed_later` gives, for a
    first finding that had no fix until another fix was in, the fix a later pass wrote
    for it (its edits apply to that pass's text, not to `source`). `output` is the fixed
    text (equal to the input when nothing changes), and `error` explains a failure, in
    which case `output` is the input, untouched. `changes` are the regions the fixes
    changed, as (start, end) in `source` then in `output`; outside them the two texts
    are the same.
    """

    name: str
    source: str
    output: str
    diagnostics: tuple[Diagnostic, ...]
    fixed: frozenset[int]
    parse_errors: tuple[ParseError, ...] = ()
    error: str | None = None
    tree: Dockerfile | None = None
    changes: tuple[Change, ...] = ()
    later: tuple[Diagnostic, ...] = ()
    output_tree: Dockerfile | None = None
    final: tuple[Diagnostic, ...] = ()
    fixed_later: Mapping[int, Fix] = MappingProxyType({})

    @property
    def changed(self) -> bool:
        return self.output != self.source

    def later_fixed(self, diagnostic: Diagnostic) -> bool:
        """Whether a finding of `later` is gone from the fixed text (a later pass fixed it)."""
        return all((d.code, d.span.start) != (diagnostic.code, diagnostic.span.start) for d in self.final)


class FixError(Exception):
    """The fixes did not hold up; the message names the rules."""


def check_text(
    name: str,
    source: str,
    rules: Sequence[type[Rule]],
    settings: Settings,
    build_context: Path | None = None,
) -> FileResult:
    """Diagnose `source` and compute its fixed text.

    The cyclic garbage collector is paused meanwhile: checking a file allocates many
    objects but no reference cycles (reference counting frees them all), and on a large
    file the collector's passes over them took a quarter of the time.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _check(name, source, rules, settings, build_context)
    finally:
        if collecting:
            gc.enable()


def _check(
    name: str, source: str, rules: Sequence[type[Rule]], settings: Settings, build_context: Path | None
) -> FileResult:
    selected = [rule() for rule in rules if settings.selects(rule)]
    tree = parse(source)
    if tree.errors:
        return FileResult(name, source, source, (), frozenset(), tree.errors, tree=tree)
    memo = PassMemo()
    diagnostics = diagnose(name, tree, selected, settings, build_context, memo)
    try:
        fixpoint = _fix_to_fixpoint(name, tree, diagnostics, selected, settings, build_context, memo)
    except FixError as exc:
        return FileResult(
            name, source, source, tuple(diagnostics), frozenset(), error=str(exc), tree=tree, final=tuple(diagnostics)
        )
    finally:
        memo.clear()
    return FileResult(
        name,
        source,
        fixpoint.tree.source,
        tuple(diagnostics),
        frozenset(fixpoint.fixed),
        tree=tree,
        changes=fixpoint.changes,
        later=fixpoint.later,
        output_tree=fixpoint.tree,
        final=fixpoint.final,
        fixed_later=MappingProxyType(fixpoint.fixed_later),
    )


def diagnose(
    name: str,
    tree: Dockerfile,
    rules: Iterable[Rule],
    settings: Settings,
    build_context: Path | None,
    memo: PassMemo | None = None,
) -> list[Diagnostic]:
    """The findings of `rules` in a parsed Dockerfile, suppressions applied, in source
    order. `memo` carries what the passes over one file share (`PassMemo`)."""
    rules = tuple(rules)
    found_suppressions = suppressions.find(tree)
    followers = tuple(rule for rule in rules if rule.about_cache_mounts)
    facts = analyse(tree, settings.build_args, memo)
    context = Context(name, tree, facts, build_context, followers, found_suppressions, settings.unsafe_fixes, rules)
    found = [diagnostic for rule in rules if not rule.after_suppressions for diagnostic in rule.check(context)]
    if found_suppressions:
        found = [d for d in found if not found_suppressions.silences(d)]
        later = [diagnostic for rule in rules if rule.after_suppressions for diagnostic in rule.check(context)]
        found += [d for d in later if not found_suppressions.silences(d)]
    return sorted(found, key=lambda d: (d.span.start, d.code))


class _Fixpoint(NamedTuple):
    tree: Dockerfile  # of the fixed text
    fixed: set[int]  # indexes of the first diagnostics that the fixes resolve
    changes: tuple[Change, ...]
    later: tuple[Diagnostic, ...]
    final: tuple[Diagnostic, ...]  # the findings left in the fixed text
    fixed_later: dict[int, Fix]  # first findings without a fix that a later pass fixed


def _fix_to_fixpoint(
    name: str,
    tree: Dockerfile,
    first: list[Diagnostic],
    rules: list[Rule],
    settings: Settings,
    build_context: Path | None,
    memo: PassMemo,
) -> _Fixpoint:
    """Apply fixes pass after pass, and keep what each later pass found.

    A fix can reveal a finding (DFX101 moves a mount that the user then cannot write:
    DFX104), so the findings chosen in later passes, and the new ones left in the fixed
    text, are reported too: the dry run must give a reason for every line it changes.
    And a finding may get its fix only once another fix is in (DFX103 removes a
    `--no-cache-dir` once DFX101 has moved the mount), so a first finding counts as
    fixed when the fixed text no longer has it, whichever pass fixed it.
    """
    original_keywords = [i.keyword for i in tree.instructions]
    diagnostics, current, passes = first, tree, 0
    fixed_later: dict[int, Fix] = {}
    applied_codes: set[str] = set()
    changes: tuple[Change, ...] = ()
    later: list[Diagnostic] = []
    while True:
        chosen = _choose(current, diagnostics, settings)
        if not chosen:
            later += _revealed(diagnostics, first, changes)
            fixed = _gone(first, diagnostics, changes)
            ordered = tuple(sorted(later, key=lambda d: (d.span.start, d.code)))
            return _Fixpoint(current, fixed, changes, ordered, tuple(diagnostics), fixed_later)
        passes += 1
        applied_codes.update(d.code for d in chosen)
        if passes > MAX_PASSES:
            raise FixError(f"fixes did not converge after {MAX_PASSES} passes ({_codes(applied_codes)})")
        edits = [edit for d in chosen for edit in d.fix.edits]  # type: ignore[union-attr]
        if passes > 1:
            later += _revealed(chosen, first, changes)
            found_again = {place: index for index, place in enumerate(_places(first, changes))}
            for d in chosen:
                index = found_again.get((d.code, d.span.start))
                if index is not None and first[index].fix is None:
                    fixed_later[index] = d.fix  # type: ignore[assignment]
        if later:
            moved = OffsetMap.of_edits(edits)
            later = [d._replace(span=moved.span(d.span)) for d in later]
        text = apply_edits(current.source, edits)
        changes = track_changes(changes, edits)
        current = reparse(current, text, edits)
        if current.errors:
            problem = current.errors[0]
            raise FixError(
                f"the fixes of {_codes(d.code for d in chosen)} produced a Dockerfile that does not parse "
                f"(line {problem.line}: {problem.message})"
            )
        if not _is_subsequence(original_keywords, [i.keyword for i in current.instructions]):
            raise FixError(f"the fixes of {_codes(d.code for d in chosen)} removed or reordered instructions")
        diagnostics = diagnose(name, current, rules, settings, build_context, memo)


def _revealed(found: list[Diagnostic], first: list[Diagnostic], changes: tuple[Change, ...]) -> list[Diagnostic]:
    """The findings of a later pass that are not first findings found again.

    A first finding is found again at its place, moved by the edits before it (its
    message may differ: line numbers move); anything else the fixes revealed.
    """
    if not changes:
        return []
    again = set(_places(first, changes))
    return [d for d in found if (d.code, d.span.start) not in again]


def _gone(first: list[Diagnostic], last: list[Diagnostic], changes: tuple[Change, ...]) -> set[int]:
    """The indexes of the first findings that the last pass no longer finds at their place."""
    left = {(d.code, d.span.start) for d in last}
    return {index for index, place in enumerate(_places(first, changes)) if place not in left}


def _places(found: list[Diagnostic], changes: tuple[Change, ...]) -> list[tuple[str, int]]:
    """(code, start) of each finding, its start moved into the text the changes made."""
    if not changes:
        return [(d.code, d.span.start) for d in found]
    to_output = OffsetMap((start, end, out_end - out_start) for start, end, out_start, out_end in changes)
    return [(d.code, to_output(d.span.start)) for d in found]


def _choose(tree: Dockerfile, diagnostics: list[Diagnostic], settings: Settings) -> list[Diagnostic]:
    """At most one fix per instruction; edits of chosen fixes may neither overlap nor touch."""
    chosen: list[Diagnostic] = []
    taken_instructions: set[int | tuple[str, int]] = set()
    taken: list[tuple[int, int]] = []  # (start, end) of the chosen edits, sorted, apart from each other
    starts = [instruction.span.start for instruction in tree.instructions]
    for diagnostic in diagnostics:
        fix = diagnostic.fix
        if fix is None or not fix.edits or not settings.allows(fix):
            continue
        instructions = {_instruction_of(edit, starts) for edit in fix.edits}
        if not instructions.isdisjoint(taken_instructions):
            continue
        if any(_touches_taken(edit, taken) for edit in fix.edits):
            continue
        chosen.append(diagnostic)
        taken_instructions |= instructions
        for edit in fix.edits:
            insort(taken, (edit.start, edit.end))
    return chosen


def _instruction_of(edit: Edit, starts: list[int]) -> int | tuple[str, int]:
    """The instruction an edit belongs to: the index of the instruction it edits, or, for
    whole lines inserted before an instruction (a new instruction, such as DFX108's `RUN
    rm -f .../docker-clean`), a place of its own before that one. Such an edit leaves the
    instruction's text alone, so a fix of the instruction itself may join it in the same
    pass. A fix takes every instruction its edits belong to."""
    index = bisect_right(starts, edit.start) - 1
    if index >= 0 and edit.start == edit.end == starts[index] and edit.text.endswith("\n"):
        return ("before", index)
    return index


def _touches_taken(edit: Edit, taken: list[tuple[int, int]]) -> bool:
    """Whether `edit` overlaps or touches one of `taken`. They are sorted and apart, so the
    last one starting at or before the edit's end is the only one that can."""
    index = bisect_right(taken, edit.end, key=_start)
    return index > 0 and taken[index - 1][1] >= edit.start


def _start(span: tuple[int, int]) -> int:
    return span[0]


def _is_subsequence(needle: list[str], haystack: list[str]) -> bool:
    remaining = iter(haystack)
    return all(any(item == candidate for candidate in remaining) for item in needle)


def _codes(codes: Iterable[str]) -> str:
    return ", ".join(sorted(set(codes)))
