"""What the cache-mount rules would find in RUNs once a fix has added cache mounts, and
how their fixes join that fix.

A mount added where a RUN had none makes the rules about cache mounts look at the RUN:
the `--no-cache-dir` that now turns the mount off (DFX103), the stage's
`PIP_NO_CACHE_DIR` (DFX102), uv's hard links across the mount (DFX106), docker-clean,
which empties apt's mount (DFX108), a cleanup that deletes what the mount keeps (DFX110).
A fix that left those for the fix loop's next pass would write a mount that does nothing
until then, and each such pass costs a full check of the file. So the fix asks those
rules (`Context.followers`: the selected ones) what they would find with its mounts in,
on a view of the analysis where the RUNs have them (`FileFacts.with_runs`,
`RunFacts.with_mounts`), and takes their fixes in (`joined`).

The view holds the mounts of every fix that is at least as safe as the one asking:
whenever that fix is written, so are they, so what the rules say about other RUNs (the
first of a stage's apt steps removes docker-clean for all of them) holds when the fixes
are written together. (A safe fix that its followers make unsafe, `joined`, may then
be left out while the others are written: the fix loop's next pass sees the file as it
is and asks again.) Only fixes the run may write ask (safe ones, and unsafe ones under
`--unsafe-fixes`): asking costs about what checking the RUN once more does.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..analysis import RunFacts
from ..diagnostics import Applicability, Diagnostic, Fix
from ..mounts import Mount
from ..records import NamedTuple
from .base import Context


def findings_with_mounts(context: Context, added: Mapping[int, tuple[RunFacts, tuple[Mount, ...]]]) -> dict[int, list[Diagnostic]]:
    """What the followers find in the RUNs of `added` (by the id of their instruction:
    the RUN's facts and the mounts a fix adds to it) once those mounts are in, by the
    id of the RUN's instruction, in source order; findings that a suppression silences
    are left out."""
    if not context.followers or not added:
        return {}
    replaced = {key: run.with_mounts(mounts) for key, (run, mounts) in added.items()}
    spans = [(run.instruction.span.start, run.instruction.span.end, key) for key, (run, _) in added.items()]
    found = _by_run(context._replace(facts=context.facts.with_runs(replaced)), spans)
    mounted = [span for span in spans if added[span[2]][0].cache_mounts]
    if mounted:  # what a RUN's own mounts already show is not the new mounts' doing
        before = {(d.code, d.span.start) for found_before in _by_run(context, mounted).values() for d in found_before}
        found = {key: [d for d in found_here if (d.code, d.span.start) not in before] for key, found_here in found.items()}
    return found


def _by_run(context: Context, spans: list[tuple[int, int, int]]) -> dict[int, list[Diagnostic]]:
    """The followers' findings within the (start, end) of each of `spans`, by its key,
    in source order, without those a suppression silences."""
    found: dict[int, list[Diagnostic]] = {}
    for rule in context.followers:
        for diagnostic in rule.check(context):
            key = next((key for start, end, key in spans if start <= diagnostic.span.start < end), None)
            if key is not None and not context.suppressions.silences(diagnostic):
                found.setdefault(key, []).append(diagnostic)
    for diagnostics in found.values():
        diagnostics.sort(key=lambda d: (d.span.start, d.code))
    return found


class Joined(NamedTuple):
    """A fix with the followers' fixes it took in (`taken`), and the followers' findings
    it leaves (`left`: the fix loop's next pass reveals them)."""

    fix: Fix
    taken: list[Diagnostic]
    left: list[Diagnostic]


def joined(fix: Fix, followers: list[Diagnostic]) -> Joined:
    """`fix` with the fixes of the followers' findings that can join it.

    A fix joins when it is as safe as `fix` and none of its edits overlaps or touches
    another's (an edit of a mount that is not in the text yet lands on its insertion;
    two cleanups side by side, `apt-get clean && rm -rf /var/lib/apt/lists/*`: the
    second waits for the next pass). A safe fix that would leave behind a finding that
    only an unsafe fix mends is not safe: the problem is its own doing (poetry's
    virtualenv lands on the new mount and leaves the image). It becomes unsafe, says
    why, and takes in the unsafe fixes too. A finding without a fix stays for the next
    pass to report, if it is still there (a later apt step's docker-clean, which the
    line before the first one removes).
    """
    taken, left = _partition(fix, followers, fix.applicability)
    applicability, why = fix.applicability, []
    mendable = [d for d in left if _usable(d.fix) and d.fix.applicability is Applicability.UNSAFE]  # type: ignore[union-attr]
    if mendable and applicability is Applicability.SAFE:
        applicability = Applicability.UNSAFE
        why = [f"with the mount in, {d.message} ({d.code})" for d in mendable]
        taken, left = _partition(fix, followers, applicability)
    if not taken and not why:
        return Joined(fix, taken, left)
    title = fix.title + "".join(f"; {d.fix.title[0].lower()}{d.fix.title[1:]} ({d.code})" for d in taken)  # type: ignore[union-attr]
    caveats = [fix.caveat, *why, *(d.fix.caveat for d in taken)]  # type: ignore[union-attr]
    caveat = "; ".join(dict.fromkeys(c for c in caveats if c))
    edits = fix.edits + tuple(edit for d in taken for edit in d.fix.edits)  # type: ignore[union-attr]
    return Joined(Fix(title, edits, applicability, caveat), taken, left)


def _partition(fix: Fix, followers: list[Diagnostic], level: Applicability) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """The findings whose fixes join `fix` at `level` of safety, in order, and the rest."""
    edits = list(fix.edits)
    taken: list[Diagnostic] = []
    left: list[Diagnostic] = []
    for diagnostic in followers:
        other = diagnostic.fix
        if not _usable(other) or (other.applicability is Applicability.UNSAFE and level is Applicability.SAFE):  # type: ignore[union-attr]
            left.append(diagnostic)
        elif any(edit.start <= near.end and near.start <= edit.end for edit in other.edits for near in edits):  # type: ignore[union-attr]
            left.append(diagnostic)
        else:
            edits += other.edits  # type: ignore[union-attr]
            taken.append(diagnostic)
    return taken, left


def _usable(fix: Fix | None) -> bool:
    return fix is not None and bool(fix.edits) and fix.applicability is not Applicability.DISPLAY_ONLY
