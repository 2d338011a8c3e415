"""Suppression comments, the findings they silence, and those that silence nothing.

Dockerfiles have no trailing comments, so a suppression is a whole comment line:
- `# dockerfix: ignore=CODE[,CODE]` right before an instruction (several such lines add
  up) silences those rules for that instruction; `ignore=all` silences every rule;
- `# dockerfix: ignore-file=CODE[,CODE]` anywhere silences them in the whole file.

Users of hadolint already have `# hadolint ignore=DL...` lines (and `# hadolint global
ignore=...` for the file). Such a line silences a dockerfix finding only where a
hadolint rule means the same thing as the finding (`HADOLINT_EQUIVALENTS`, documented
in docs/rules/README.md): hadolint's DL4006 (a pipe without `pipefail`) is DFX112's
finding of an install piped without `pipefail`, and nothing else. BuildKit's `# check=skip=`
directive names BuildKit's own build checks, none of which means what a dockerfix rule
means, so it silences nothing here.

The engine drops the findings a suppression silences, and a fix that takes in what
other rules would fix (`rules.followers`) leaves out what they silence too. Each
silencing is recorded, so that `--report-unused-suppressions` (rule DFX100) can report
the codes of dockerfix's own comments that silenced nothing.
"""

from __future__ import annotations

from .diagnostics import Diagnostic
from .patterns import compile_lazily
from .records import NamedTuple
from .syntax import Dockerfile, Instruction, Span

_DOCKERFIX = compile_lazily(r"\s*#\s*dockerfix:\s*(ignore|ignore-file)\s*=\s*([\w,\s-]+?)\s*$")
_HADOLINT = compile_lazily(r"\s*#\s*hadolint\s+(global\s+)?ignore\s*=\s*([\w,\s-]+?)\s*$")

# hadolint's rules whose meaning a dockerfix finding shares: code -> `RULE/kind`, the
# dockerfix rule and the kind of its findings (`Diagnostic.kind`) that mean the same.
HADOLINT_EQUIVALENTS = {"DL4006": "DFX112/pipe"}


class Suppression(NamedTuple):
    """One comment line: the offsets it covers (an instruction, or the whole file), the
    codes it names (rule codes or names, `all`, or `RULE/kind` from another linter), the
    line itself, and whose comment it is (`dockerfix` or `hadolint`)."""

    start: int
    end: int
    codes: tuple[str, ...]
    line: Span
    origin: str
    codes_at: Span  # where the codes are written in the line


class Suppressions:
    """A file's suppressions, and which of their codes silenced something."""

    __slots__ = ("entries", "used")

    def __init__(self, entries: tuple[Suppression, ...] = ()) -> None:
        self.entries = entries
        self.used: set[tuple[int, str]] = set()  # (index of the entry, code)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def silences(self, diagnostic: Diagnostic) -> bool:
        """Whether a suppression covering the finding names its rule (and records that it did)."""
        names = {diagnostic.code, diagnostic.name, "all", f"{diagnostic.code}/{diagnostic.kind}"}
        silenced = False
        at = diagnostic.span.start
        for index, entry in enumerate(self.entries):
            if entry.start <= at < entry.end or entry.line.start <= at < entry.line.end:  # its instruction, or itself
                for code in names.intersection(entry.codes):
                    self.used.add((index, code))
                    silenced = True
        return silenced


NONE = Suppressions()


def find(tree: Dockerfile) -> Suppressions:
    """The suppressions of a file."""
    source = tree.source
    if "dockerfix" not in source and "hadolint" not in source:
        return NONE  # most files: no need to look at each line
    found: list[Suppression] = []
    pending: list[tuple[tuple[str, ...], Span, str, Span]] = []
    for element in tree.elements:
        if isinstance(element, Instruction):
            found += [Suppression(element.span.start, element.span.end, *entry) for entry in pending]
            pending = []
            continue
        if element.kind != "comment":
            continue
        text = element.span.text(source)
        match = _DOCKERFIX.match(text)
        if match is not None:
            codes, origin, whole_file = _codes(match.group(2)), "dockerfix", match.group(1) == "ignore-file"
        else:
            match = _HADOLINT.match(text)
            if match is None:
                continue
            codes = tuple(HADOLINT_EQUIVALENTS[c] for c in _codes(match.group(2)) if c in HADOLINT_EQUIVALENTS)
            origin, whole_file = "hadolint", match.group(1) is not None
        start = element.span.start
        codes_at = Span(start + match.start(2), start + match.end(2))
        if whole_file:
            found.append(Suppression(0, len(source), codes, element.span, origin, codes_at))
        else:
            pending.append((codes, element.span, origin, codes_at))
    return Suppressions(tuple(found)) if found else NONE


def _codes(text: str) -> tuple[str, ...]:
    return tuple(code.strip() for code in text.split(",") if code.strip())
