"""Dockerfile text -> lossless syntax tree, exact to BuildKit's parser.

The line handling follows moby/buildkit's `frontend/dockerfile/parser` step by step:
parser directives only at the top, the escape character (`\\` or a backtick) deciding
continuations, comment and empty lines dropped from inside continuations, the left
whitespace of the first line stripped but not that of continuation lines, heredoc bodies
read after the (joined) instruction line, and per-instruction argument parsing (JSON
form, whitespace lists, name=value pairs). Where current BuildKit differs from older
releases, the current behaviour is implemented and the difference is listed in
`docs/parser.md`.

`parse` never raises: input that BuildKit rejects still yields a complete tree (so it
round-trips) plus `ParseError`s naming line and column.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from itertools import accumulate
from types import MappingProxyType

from . import arguments

from .patterns import compile_lazily
from .records import NamedTuple, new_record
from .syntax import (
    Dockerfile,
    Flag,
    Heredoc,
    Instruction,
    LogicalText,
    MountOption,
    ParseError,
    Span,
    Trivia,
    line_column,
)
from .words import GO_SPACE, LexError, Lexer

BOM = "\ufeff"
MAX_LINE_BYTES = 64 * 1024 - 1
_VALID_DIRECTIVES = frozenset({"syntax", "escape", "check"})
_DIRECTIVE = re.compile(r"([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*\Z")
_HEREDOC_WORD = compile_lazily(r"(\d*)<<(-?)[\t\n\f\r ]*([^<]*)\Z")
_HEREDOC_KEYWORDS = frozenset({"RUN", "COPY", "ADD"})
_PLAIN_NAME = compile_lazily(r"[A-Za-z0-9_.-]+")
# The keyword and the blanks after it, as arguments.parse_instruction splits them.
_HEAD = re.compile(r"([^\t\v\f\r ]+)[\t\v\f\r ]+")


class _Directives:
    """BuildKit's DirectiveParser: directives count only until the first other line."""

    __slots__ = ("escape", "done", "seen")

    def __init__(self) -> None:
        self.escape = "\\"
        self.done = False
        self.seen: set[str] = set()

    def parse(self, line: str) -> tuple[str, str] | None:
        """The (name, value) of a directive on this left-stripped line, or None; may raise."""
        if self.done:
            return None
        if not line.startswith("#"):
            self.done = True
            return None
        match = _DIRECTIVE.match(line[1:].lstrip(GO_SPACE))
        if not match or match.group(1).lower() not in _VALID_DIRECTIVES:
            self.done = True
            return None
        name, value = match.group(1).lower(), match.group(2)
        if name in self.seen:
            raise ValueError(f"only one {name} parser directive can be used")
        self.seen.add(name)
        if name == "escape":
            if value not in ("\\", "`"):
                raise ValueError(f"invalid escape token '{value}' does not match ` or \\")
            self.escape = value
        return name, value


class _Builder:
    """Walks the lines once, building elements that tile the source.

    The lines are split once up front (start offsets, end offsets with the newline, and
    the text BuildKit sees after trimNewline); the walk then only slices and compares,
    which keeps the parser fast enough for pre-commit runs over monorepos.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        parts = source.split("\n")
        if parts[-1] == "":
            parts.pop()
        ends = list(accumulate([len(part) + 1 for part in parts]))
        starts = [0, *ends[:-1]] if ends else []
        if ends:
            ends[-1] = min(ends[-1], len(source))
        self.starts = starts
        self.ends = ends
        self.texts = [part.rstrip("\r") for part in parts]
        self.bom = source.startswith(BOM)
        if self.bom:
            starts[0] = 1
            self.texts[0] = self.texts[0][1:]
        self.line_starts = tuple(starts) or (0,)
        if self.bom:
            self.line_starts = (0, *self.line_starts[1:])
        self.index = 0
        self.elements: list[Instruction | Trivia] = []
        self.instructions: list[Instruction] = []
        self.errors: list[ParseError] = []
        self.directives = _Directives()
        self.check_lengths(parts)

    def check_lengths(self, parts: list[str]) -> None:
        """BuildKit's line scanner gives up on a line of 64 KiB or more."""
        if not parts or max(map(len, parts)) <= MAX_LINE_BYTES:
            return
        for number, part in enumerate(parts, 1):
            if len(part) > MAX_LINE_BYTES and len(encode(part)) > MAX_LINE_BYTES:
                self.error(number, 1, f"dockerfile line greater than max allowed size of {MAX_LINE_BYTES}")

    def error(self, line: int, column: int, message: str) -> None:
        self.errors.append(ParseError(line, column, message))

    def error_at(self, offset: int, message: str) -> None:
        line, column = line_column(self.line_starts, offset)
        self.errors.append(ParseError(line, column, message))

    def run(self) -> Dockerfile:
        if self.bom:
            self.elements.append(Trivia("bom", Span(0, 1)))
        count = len(self.texts)
        while self.index < count:
            self.line()
        if not self.instructions and not self.errors:
            self.error(max(count, 1), 1, "file with no instructions")
        return Dockerfile(
            source=self.source,
            elements=tuple(self.elements),
            instructions=tuple(self.instructions),
            escape=self.directives.escape,
            errors=tuple(self.errors),
            line_starts=self.line_starts,
        )

    def line(self) -> None:
        first = self.index
        text = self.texts[first]
        self.index += 1
        stripped = text.lstrip(GO_SPACE)
        if not self.directives.done:
            try:
                directive = self.directives.parse(stripped)
            except ValueError as exc:
                self.error(first + 1, 1, str(exc))
                directive = None
            if directive is not None:
                self.elements.append(Trivia("directive", Span(self.starts[first], self.ends[first]), *directive))
                return
        if not stripped or stripped[0] == "#":
            kind = "comment" if stripped else "blank"
            span = new_record(Span, (self.starts[first], self.ends[first]))
            self.elements.append(new_record(Trivia, (kind, span, "", "")))
            return
        escape = self.directives.escape
        origin = self.starts[first] + len(text) - len(stripped)
        if stripped.rstrip(" \t")[-1] != escape:  # not continued (the common line: no call)
            line, logical = stripped, None
        else:
            line, continued = _trim_continuation(stripped, escape)
            logical = self.join_continuation(line, origin, escape) if continued else None
            if logical is not None:
                line = logical.text
        if not self.plain_instruction(first, line, origin, logical):
            self.instruction(first, logical or LogicalText(line, (0,), (origin,)))

    def plain_instruction(self, first: int, line: str, origin: int, logical: LogicalText | None) -> bool:
        """The common instruction in one step: not ONBUILD, and accepted by BuildKit.

        It does what `instruction` does, without a draft in logical coordinates to map
        back afterwards. `line` is the instruction's logical line: joined from several
        (`logical` maps it to the source), or one that starts at offset `origin` of the
        source (`logical` is None: the common case, which then maps by adding `origin`).
        Returns False, having done nothing, for any other instruction.
        """
        head = _HEAD.match(line)
        if head is None:
            return False
        position = head.end()
        end = len(line.rstrip(GO_SPACE))
        if position >= end or line[0] in GO_SPACE:
            return False  # no arguments, or blanks BuildKit trims before it splits
        name = head.group(1)
        lower = name.lower()
        if lower == "onbuild":
            return False
        escape = self.directives.escape
        flags: tuple[Flag, ...] = ()
        if line.startswith("--", position):
            if logical is None:
                plain = arguments.plain_flags(line, position, end, origin, end)
            else:
                first_end = logical.starts[1] if len(logical.starts) > 1 else end
                plain = arguments.plain_flags(line, position, end, logical.origins[0], first_end)
            if plain is not None:
                position, flags = plain
            else:
                position, raw = arguments.extract_builder_flags(line, position, end, escape)
                if raw:
                    flags = arguments.freeze_flags(raw, logical or LogicalText(line, (0,), (origin,)))
        rest = line[position:end]
        args = rest.lstrip(GO_SPACE)
        position += len(rest) - len(args)
        if lower == "run" and args and args[0] != "[":
            json, value = False, (args,)  # dispatch's answer for a RUN in shell form, without the call
        else:
            try:
                json, value = arguments.dispatch(lower, args, escape)
            except arguments.ArgumentError:
                return False
        keyword = name.upper()
        heredocs: tuple[Heredoc, ...] = ()
        if not json and keyword in _HEREDOC_KEYWORDS and "<<" in line:
            heredocs = self.heredocs(first, line)
        if logical is None:
            keyword_span = new_record(Span, (origin, origin + len(name)))
            args_text = LogicalText(args, (0,), (origin + position,))
        else:
            keyword_span = logical.span(0, len(name))
            args_text = logical.slice(position, position + len(args))
        instruction = Instruction(
            keyword,
            keyword_span,
            new_record(Span, (self.starts[first], self.ends[self.index - 1])),
            first + 1,
            self.index,
            flags,
            json,
            value,
            heredocs,
            args_text,
        )
        self.elements.append(instruction)
        self.instructions.append(instruction)
        return True

    def join_continuation(self, piece: str, origin: int, escape: str) -> LogicalText:
        """Append continuation lines as BuildKit does: comments and blank lines dropped."""
        texts, starts, origins, length = [], [], [], 0
        if piece:
            texts.append(piece)
            starts.append(0)
            origins.append(origin)
            length = len(piece)
        continued = True
        count = len(self.texts)
        while continued and self.index < count:
            line_text = self.texts[self.index]
            line_start = self.starts[self.index]
            self.index += 1
            left = line_text.lstrip(GO_SPACE)
            if not left or left[0] == "#":
                continue
            piece, continued = _trim_continuation(line_text, escape)
            if piece:
                texts.append(piece)
                starts.append(length)
                origins.append(line_start)
                length += len(piece)
        return LogicalText("".join(texts), tuple(starts) or (0,), tuple(origins) or (origin,))

    def instruction(self, first: int, logical: LogicalText) -> None:
        draft = arguments.parse_instruction(logical.text, self.directives.escape)
        for problem in draft.errors:
            self.error_at(logical.to_source(problem.index), problem.message)
        heredocs: tuple[Heredoc, ...] = ()
        target = draft.target
        if "<<" in logical.text and target.keyword in _HEREDOC_KEYWORDS and not target.json:
            heredocs = self.heredocs(first, logical.text)
        span = Span(self.starts[first], self.ends[self.index - 1])
        instruction = _freeze(draft, logical, span, first + 1, self.index, heredocs)
        self.elements.append(instruction)
        self.instructions.append(instruction)

    def heredocs(self, first: int, line: str) -> tuple[Heredoc, ...]:
        """Read the bodies of the heredocs the line opens, each up to its terminator line."""
        try:
            markers = heredoc_markers(line)
        except LexError as exc:
            self.error(first + 1, 1, str(exc))
            return ()
        found = []
        count = len(self.texts)
        for name, fd, chomp, expand in markers:
            body_start = self.starts[self.index] if self.index < count else len(self.source)
            terminator: Span | None = None
            while self.index < count:
                line_text = self.texts[self.index]
                self.index += 1
                if (line_text.lstrip("\t") if chomp else line_text) == name:
                    terminator = Span(self.starts[self.index - 1], self.ends[self.index - 1])
                    break
            body = Span(body_start, terminator.start if terminator else len(self.source))
            found.append(Heredoc(name, fd, chomp, expand, body.text(self.source), body, terminator))
            if terminator is None:
                self.error(first + 1, 1, f"unterminated heredoc {name!r} (reached the end of the file)")
                break
        return tuple(found)


def _trim_continuation(text: str, escape: str) -> tuple[str, bool]:
    """BuildKit's trimContinuationCharacter without its regex.

    The escape character, then only blanks, ends a continued line, unless the escape
    character is itself escaped (`\\\\`); BuildKit's regex `([^\\])\\[ \t]*$|^\\[ \t]*$`
    says exactly this.
    """
    trimmed = text.rstrip(" \t")
    if not trimmed.endswith(escape):
        return text, False
    if len(trimmed) == 1:
        return "", True
    if trimmed[-2] == escape:
        return text, False
    return trimmed[:-1], True


_MARKER_LEXER = Lexer(raw_quotes=True, raw_escapes=True, skip_unset=True)
_BLANKS = "".join(sorted(set(GO_SPACE)))
_PLAIN_MARKER_WORDS = compile_lazily(
    "(?:<<[\t\r ]*|<(?!<)|[^<" + re.escape(_BLANKS) + "])+"
)


def heredoc_markers(line: str) -> list[HeredocMarker]:
    """The heredocs a RUN/COPY/ADD line opens, in order.

    BuildKit lexes the whole line with raw quotes and escapes, ignores lexing errors
    there (an unbalanced quote means no heredocs), then tries each word as a marker.
    """
    return [marker for word in marker_words(line) if (marker := parse_heredoc_word(word)) is not None]


def marker_words(line: str) -> list[str]:
    """The line's words as BuildKit's heredoc lexer sees them; none if it fails.

    Without quotes, `$` or backslashes the lexer only splits on blanks and keeps `<<`
    with the blanks after it, which a regex does far faster than the scanner.
    """
    if "'" not in line and '"' not in line and "$" not in line and "\\" not in line:
        return _PLAIN_MARKER_WORDS.findall(line)
    try:
        return _MARKER_LEXER.process_words(line, {})
    except LexError:
        return []


def parse_heredoc_word(word: str) -> HeredocMarker | None:
    """BuildKit's ParseHeredoc: `^(\\d*)<<(-?)\\s*([^<]*)$` and a name that lexes to one word.

    The name is quoted (no expansion of the body) when unquoting removed quotes.
    Raises LexError where BuildKit fails the build.
    """
    match = _HEREDOC_WORD.match(word)
    if not match or not match.group(3):
        return None
    rest = match.group(3)
    if _PLAIN_NAME.fullmatch(rest):  # both lexers give such a name back as it is
        return HeredocMarker(rest, int(match.group(1) or 0), match.group(2) == "-", True)
    plain = Lexer(skip_unset=True).process_words(rest, {})
    if len(plain) != 1:
        return None
    raw = Lexer(skip_unset=True, raw_quotes=True).process_words(rest, {})
    if len(raw) != 1:
        raise LexError(f"internal lexing of heredoc produced inconsistent results: {rest}")
    expand = plain[0].count("'") + plain[0].count('"') == raw[0].count("'") + raw[0].count('"')
    return HeredocMarker(plain[0], int(match.group(1) or 0), match.group(2) == "-", expand)


class HeredocMarker(NamedTuple):
    name: str
    fd: int
    chomp: bool
    expand: bool


def _freeze(
    draft: arguments.Draft,
    logical: LogicalText,
    span: Span,
    start_line: int,
    end_line: int,
    heredocs: tuple[Heredoc, ...],
) -> Instruction:
    """Turn a draft in logical-line coordinates into an instruction with source spans.

    Heredocs belong to the instruction that runs: ONBUILD's wrapped one, if any.
    """
    sub = None
    if draft.sub is not None:
        sub = _freeze(draft.sub, logical, span, start_line, end_line, heredocs)
        heredocs = ()
    flags = arguments.freeze_flags(draft.flags, logical) if draft.flags else ()
    if len(logical.starts) == 1:  # one line: logical offsets are source offsets, shifted
        origin = logical.origins[0]
        keyword_span = Span(origin + draft.keyword_start, origin + draft.keyword_end)
        args = LogicalText(logical.text[draft.args_start : draft.args_end], (0,), (origin + draft.args_start,))
    else:
        keyword_span = logical.span(draft.keyword_start, draft.keyword_end)
        args = logical.slice(draft.args_start, draft.args_end)
    return Instruction(
        draft.keyword, keyword_span, span, start_line, end_line, flags, draft.json, draft.value, heredocs, args, sub
    )


def parse(source: str) -> Dockerfile:
    """Parse Dockerfile text (already decoded) into a lossless tree; never raises."""
    return _Builder(source).run()


def reparse(old: Dockerfile, source: str, edits: Sequence[tuple[int, int, str]]) -> Dockerfile:
    """The tree of `source`, which is `old.source` with `edits` (start, end, text in old
    offsets) applied: the same tree as `parse(source)`, for less work.

    The fix loop parses a file again after every pass, but a fix changes a few
    instructions and leaves the rest. Only the elements an edit touches are read again,
    from the new text and with the directives of `old`; the elements before the first
    edit are kept as they are, and those after an edit are kept with their offsets and
    line numbers moved. Where that might differ from a full parse, it is one: `old` had
    errors, an edit reaches into the directives at the top, or a region read again does
    not end on the line where it began to (an edit that continues a line, or opens a
    heredoc, joins the next line to it). `tests/test_parser.py` holds it to `parse`.
    """
    ordered = sorted(edits)
    elements = old.elements
    top = next((i for i, e in enumerate(elements) if not (isinstance(e, Trivia) and e.kind in ("bom", "directive"))), None)
    if old.errors or not ordered or top is None or ordered[0][0] < elements[top].span.start:
        return parse(source)
    builder = _Builder(source)
    if builder.errors:
        return parse(source)
    builder.directives.escape, builder.directives.done = old.escape, True
    starts = [element.span.start for element in elements]
    position = 0  # the next old element to place
    moved: dict[int, Instruction] = {}
    chars = lines = 0  # how far the edits so far moved the old elements
    for first, last, group in _touched(elements, starts, ordered, top):
        _place(builder, elements[position:first], chars, lines, moved)
        old_start, old_end = elements[first].span.start, elements[last].span.end
        new_start = old_start + chars
        chars += sum(len(text) - (end - start) for start, end, text in group)
        new_end = old_end + chars
        begin, stop = _line_index(builder, new_start), _line_index(builder, new_end)
        if begin is None or stop is None:
            return parse(source)
        builder.index = begin
        while builder.index < stop:
            builder.line()
        if builder.index != stop or builder.errors:
            return parse(source)
        lines = stop - bisect_left(old.line_starts, old_end)  # lines before the region's end, new minus old
        position = last + 1
    _place(builder, elements[position:], chars, lines, moved)
    if not builder.instructions:
        return parse(source)
    return Dockerfile(source, tuple(builder.elements), tuple(builder.instructions), old.escape, (), builder.line_starts,
                      MappingProxyType(moved))  # fmt: skip


def _touched(
    elements: tuple[Instruction | Trivia, ...], starts: list[int], edits: list[tuple[int, int, str]], top: int
) -> Iterator[tuple[int, int, list[tuple[int, int, str]]]]:
    """(first, last, edits) for each run of elements the edits touch, in order. An edit
    touches the elements it overlaps, and both neighbours of a boundary it sits on, but
    never the directives above element `top`."""
    current: list[int] | None = None
    group: list[tuple[int, int, str]] = []
    for edit in edits:
        start, end, _ = edit
        first = max(bisect_right(starts, start) - 1, top)
        if first > top and starts[first] == start:
            first -= 1  # an insertion at a boundary may belong to the element before it
        last = max(bisect_right(starts, end) - 1, first)
        if current is not None and first <= current[1] + 1:
            current[1] = max(current[1], last)
            group.append(edit)
            continue
        if current is not None:
            yield current[0], current[1], group
        current, group = [first, last], [edit]
    if current is not None:
        yield current[0], current[1], group


def _line_index(builder: _Builder, offset: int) -> int | None:
    """The index of the line starting at `offset` (its count at the end), or None."""
    if offset >= len(builder.source):
        return len(builder.texts)
    index = bisect_right(builder.line_starts, offset) - 1
    return index if builder.line_starts[index] == offset else None


def _place(
    builder: _Builder, kept: Sequence[Instruction | Trivia], chars: int, lines: int, moved: dict[int, Instruction]
) -> None:
    """Append old elements to the tree being built, moved by `chars` and `lines` (an
    instruction moved is noted in `moved`: `Dockerfile.moved`)."""
    for element in kept:
        if isinstance(element, Instruction):
            if chars or lines:
                old, element = element, _moved_instruction(element, chars, lines)
                moved[id(element)] = old
            builder.instructions.append(element)
        elif chars:
            element = new_record(Trivia, (element.kind, _moved(element.span, chars), element.name, element.value))
        builder.elements.append(element)


def _moved(span: Span, chars: int) -> Span:
    return new_record(Span, (span.start + chars, span.end + chars))


def _moved_instruction(instruction: Instruction, chars: int, lines: int) -> Instruction:
    """The same instruction `chars` characters and `lines` lines further in the text."""
    args = instruction.args
    return Instruction(
        instruction.keyword,
        _moved(instruction.keyword_span, chars),
        _moved(instruction.span, chars),
        instruction.start_line + lines,
        instruction.end_line + lines,
        tuple(_moved_flag(flag, chars) for flag in instruction.flags),
        instruction.json,
        instruction.value,
        tuple(_moved_heredoc(heredoc, chars) for heredoc in instruction.heredocs),
        LogicalText(args.text, args.starts, tuple(origin + chars for origin in args.origins)),
        None if instruction.sub is None else _moved_instruction(instruction.sub, chars, lines),
    )


def _moved_flag(flag: Flag, chars: int) -> Flag:
    options = tuple(
        MountOption(option.key, option.value, _moved(option.key_span, chars),
                    None if option.value_span is None else _moved(option.value_span, chars))
        for option in flag.mount_options
    )  # fmt: skip
    value_span = None if flag.value_span is None else _moved(flag.value_span, chars)
    return Flag(flag.text, _moved(flag.span, chars), flag.name, flag.value, value_span, options)


def _moved_heredoc(heredoc: Heredoc, chars: int) -> Heredoc:
    terminator = None if heredoc.terminator_span is None else _moved(heredoc.terminator_span, chars)
    return heredoc._replace(body_span=_moved(heredoc.body_span, chars), terminator_span=terminator)


def decode(data: bytes) -> str:
    """Bytes -> text such that `encode(decode(b)) == b` for any bytes, valid UTF-8 or not."""
    return data.decode("utf-8", "surrogateescape")


def encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")
