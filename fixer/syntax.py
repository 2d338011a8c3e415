"""The lossless Dockerfile syntax tree.

Every node carries a `Span` into the source text, and the top-level elements of a
`Dockerfile` tile the source exactly: printing the tree is joining the elements' text,
which gives back the input byte for byte. A fix therefore replaces the smallest span
it needs and never re-emits an instruction (the way dockerfile-parse does, which loses
continuations, comments and CRLF).

Nodes are named tuples, or plain slotted classes where identity matters (instructions
are keys of the analysis' per-instruction tables), rather than frozen dataclasses:
building a frozen dataclass costs about five times as much, and the parser builds
thousands per second. Treat them all as immutable: fixes are text edits, never node
mutations.

Values (`Instruction.value`, `Flag.text`, heredoc names and bodies) are what BuildKit's
own parser produces for the same input; `tests/test_differential.py` holds us to that.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from types import MappingProxyType

from .records import NamedTuple, slots_repr


class Span(NamedTuple):
    """A half-open range `[start, end)` of character offsets into the source text."""

    start: int
    end: int

    def text(self, source: str) -> str:
        return source[self.start : self.end]


class LogicalText:
    """A line as BuildKit sees it after joining continuations, with a map back to the source.

    BuildKit joins a continued instruction into one string, dropping the escape
    characters, comment lines and empty lines in between. Each run of characters copied
    verbatim from the source starts at `starts[i]` in `text` and at `origins[i]` in the
    source, so any offset into `text` maps back to the source in O(log n).
    """

    __slots__ = ("text", "starts", "origins")

    def __init__(self, text: str, starts: tuple[int, ...], origins: tuple[int, ...]) -> None:
        self.text = text
        self.starts = starts
        self.origins = origins

    __repr__ = slots_repr

    def to_source(self, index: int) -> int:
        """Source offset of the character at `index`, or just past the last one for the end."""
        if len(self.starts) == 1:
            return self.origins[0] + index
        if index >= len(self.text) > 0:
            return self.to_source(len(self.text) - 1) + 1
        piece = max(bisect_right(self.starts, index) - 1, 0)
        return self.origins[piece] + index - self.starts[piece]

    def span(self, start: int, end: int) -> Span:
        """The source span covering logical characters `[start, end)`."""
        if end <= start:
            point = self.to_source(start)
            return Span(point, point)
        return Span(self.to_source(start), self.to_source(end - 1) + 1)

    def slice(self, start: int, end: int) -> LogicalText:
        """The logical text `[start, end)` keeping its map to the source."""
        if len(self.starts) == 1:
            return LogicalText(self.text[start:end], (0,), (self.origins[0] + start,))
        first = max(bisect_right(self.starts, start) - 1, 0)
        starts = [0]
        origins = [self.origins[first] + start - self.starts[first]]
        for i in range(first + 1, len(self.starts)):
            if self.starts[i] >= end:
                break
            starts.append(self.starts[i] - start)
            origins.append(self.origins[i])
        return LogicalText(self.text[start:end], tuple(starts), tuple(origins))


class Trivia(NamedTuple):
    """A source line that is not part of an instruction.

    `kind` is one of `bom`, `directive`, `comment`, `blank`. Directives are parser
    directives that BuildKit honoured (`# syntax=`, `# escape=`, `# check=`); a
    directive-looking comment that came too late is a plain `comment`.
    """

    kind: str
    span: Span
    name: str = ""
    value: str = ""


class MountOption(NamedTuple):
    """One `key=value` (or bare `key`) of a `--mount` flag, with the spans of both parts."""

    key: str
    value: str | None
    key_span: Span
    value_span: Span | None

    @property
    def span(self) -> Span:
        end = self.value_span.end if self.value_span else self.key_span.end
        return Span(self.key_span.start, end)


class Flag(NamedTuple):
    """A builder flag such as `--mount=type=cache,target=/root/.cache/pip`.

    `text` is the flag as BuildKit reports it (quotes removed, escapes consumed);
    `span` is the flag word as written in the source. `mount_options` is filled for
    `--mount` flags only.
    """

    text: str
    span: Span
    name: str
    value: str | None
    value_span: Span | None
    mount_options: tuple[MountOption, ...] = ()


class Heredoc(NamedTuple):
    """A here-document attached to RUN, COPY or ADD.

    `content` is the body exactly as in the source (line endings kept, tabs not yet
    chomped), which is also what BuildKit's parser reports. `body_span` covers the
    body lines and `terminator_span` the closing line, newline included.
    """

    name: str
    fd: int
    chomp: bool
    expand: bool
    content: str
    body_span: Span
    terminator_span: Span | None


class Instruction:
    """One Dockerfile instruction, continuation lines, comments inside it and heredocs included.

    `span` runs from the start of its first line to the end of its last line, newline
    included, so instructions and trivia tile the file. `keyword` is upper-cased;
    `keyword_span` points at the word as written. `value` is BuildKit's node chain for
    the arguments. `args` is the argument text after the flags, as one logical line
    with a map back to the source. `sub` is the instruction an ONBUILD wraps.
    Compared by identity.
    """

    __slots__ = ("keyword", "keyword_span", "span", "start_line", "end_line", "flags", "json", "value",
                 "heredocs", "args", "sub")

    def __init__(
        self,
        keyword: str,
        keyword_span: Span,
        span: Span,
        start_line: int,
        end_line: int,
        flags: tuple[Flag, ...],
        json: bool,
        value: tuple[str, ...],
        heredocs: tuple[Heredoc, ...],
        args: LogicalText,
        sub: Instruction | None = None,
    ) -> None:
        self.keyword = keyword
        self.keyword_span = keyword_span
        self.span = span
        self.start_line = start_line
        self.end_line = end_line
        self.flags = flags
        self.json = json
        self.value = value
        self.heredocs = heredocs
        self.args = args
        self.sub = sub

    __repr__ = slots_repr

    @property
    def effective(self) -> Instruction:
        """The instruction that runs: the wrapped one for ONBUILD, else itself."""
        return self.sub if self.sub is not None else self

    def flag_named(self, name: str) -> tuple[Flag, ...]:
        return tuple(flag for flag in self.flags if flag.name == name)


def line_column(line_starts: tuple[int, ...], offset: int) -> tuple[int, int]:
    """1-based (line, column) of `offset`, given the start offset of every line."""
    line = bisect_right(line_starts, offset)
    return line, offset - line_starts[line - 1] + 1


class ParseError(NamedTuple):
    """A problem BuildKit would reject the file for, at a 1-based line and column."""

    line: int
    column: int
    message: str


class Dockerfile(NamedTuple):
    """A parsed Dockerfile: the source, its elements in order, and what was wrong with it.

    `moved` is for a tree that `parser.reparse` made from another: for each instruction
    it only moved (the same text at other offsets), by its id, the instruction of the
    other tree it stands for (those it kept are the very same objects). The fix loop's
    next pass takes again what it worked out for them (`analysis.PassMemo`).
    """

    source: str
    elements: tuple[Instruction | Trivia, ...]
    instructions: tuple[Instruction, ...]
    escape: str
    errors: tuple[ParseError, ...]
    line_starts: tuple[int, ...] = ()
    moved: Mapping[int, Instruction] = MappingProxyType({})

    def render(self) -> str:
        """The source text rebuilt from the elements; equal to `source` by construction."""
        return "".join(self.source[e.span.start : e.span.end] for e in self.elements)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a source offset."""
        return line_column(self.line_starts, offset)

    @property
    def directives(self) -> tuple[Trivia, ...]:
        return tuple(e for e in self.elements if isinstance(e, Trivia) and e.kind == "directive")
