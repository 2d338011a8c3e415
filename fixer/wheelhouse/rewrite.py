"""The installs rewritten to use the wheelhouse, in one of two forms.

- `offline`: `pip install --no-index --find-links=/wheels -r r.txt`: the build never asks
  the index, and fails when the wheelhouse lacks a package (a package with only
  sources, say).
- `fallback`: `{ pip install --no-index --find-links=/wheels -r r.txt || pip install -r
  r.txt; }`: the index only when the wheelhouse does not do, and the step still fails
  when both fail (the form DFX112 writes for a masked fallback). The braces keep an
  `&&` list around it meaning what it meant; a RUN that is the install alone needs none.

Before the stage's first rewritten install, `COPY wheels/ /wheels/` brings the folder in.
What is not rewritten, and why: an install that already names `--no-index` or
`--find-links`, one in an exec-form RUN or in a script another shell runs (`sh -c`),
where the words cannot be placed.
"""

from __future__ import annotations

from ..diagnostics import Edit
from ..edits import insert_argument_after, line_ending
from ..records import NamedTuple
from .needs import Need

FORMS = ("offline", "fallback")


class Rewrite(NamedTuple):
    """The edits, and the installs left alone with the reason (line, why)."""

    edits: tuple[Edit, ...]
    skipped: tuple[tuple[int, str], ...]


def rewrite(source: str, needs: list[Need], destination: str, form: str) -> Rewrite:
    """Edits that make the installs of `needs` read the wheelhouse at `/destination` in the image."""
    edits: list[Edit] = []
    skipped: list[tuple[int, str]] = []
    copied: set[int] = set()
    options = f"--no-index --find-links=/{destination}"
    for need in needs:
        call, run = need.call, need.run
        if call.get("--no-index", "--find-links") is not None:
            skipped.append((need.line, "it already names --no-index or --find-links"))
            continue
        script = run.script
        install = next((word for word in call.command.words if word.text == "install"), None)
        start, end = call.command.span
        command = script.source_span(start, end) if script.kind == "shell" else None
        if install is None or command is None or call.command.nested_level:
            skipped.append((need.line, "its words cannot be placed (an exec-form RUN, or a script another shell runs)"))
            continue
        inserted = insert_argument_after(script, source, (install.start, install.end), options)
        if inserted is None:
            skipped.append((need.line, "its words cannot be placed"))
            continue
        edits.append(inserted)
        if form == "fallback":
            original = source[command.start : command.end]
            alone = script.code.strip() == script.code[start:end]
            edits.append(Edit.insert(command.end, f" || {original}" if alone else f" || {original}; }}"))
            if not alone:
                edits.append(Edit.insert(command.start, "{ "))
        if id(run.stage) not in copied:
            copied.add(id(run.stage))
            start = run.instruction.span.start
            edits.append(Edit.insert(start, f"COPY {destination}/ /{destination}/{line_ending(source, start)}"))
    return Rewrite(tuple(edits), tuple(skipped))
