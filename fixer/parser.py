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

from . import arguments
from bisect import bisect_right

from .syntax import Dockerfile, Heredoc, Instruction, LogicalText, ParseError, Span, Trivia
from .words import GO_SPACE, LexError, Lexer

BOM = "\ufeff"
MAX_LINE_BYTES = 64 * 1024 - 1
_VALID_DIRECTIVES = frozenset({"syntax", "escape", "check"})
_DIRECTIVE = re.compile(r"([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*\Z")
_CONTINUATION = {
    "\\": re.compile(r"([^\\])\\[ \t]*\Z|^\\[ \t]*\Z"),
    "`": re.compile(r"([^`])`[ \t]*\Z|^`[ \t]*\Z"),
}
_KEYWORD = re.compile(r"[^\t\v\f\r ]*")
_AFTER_KEYWORD = re.compile(r"[\t\v\f\r ]+")
_HEREDOC_WORD = re.compile(r"(\d*)<<(-?)[\t\n\f\r ]*([^<]*)\Z")
_HEREDOC_KEYWORDS = frozenset({"RUN", "COPY", "ADD"})
_LINE = re.compile(r"[^\n]*\n?")


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
    """Walks the lines once, building elements that tile the source."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines = [m.span() for m in _LINE.finditer(source) if m.end() > m.start()]
        self.line_starts = tuple(start for start, _ in self.lines) or (0,)
        self.index = 0
        self.elements: list[Instruction | Trivia] = []
        self.instructions: list[Instruction] = []
        self.errors: list[ParseError] = []
        self.directives = _Directives()
        self.body_start = 0

    def error(self, line: int, column: int, message: str) -> None:
        self.errors.append(ParseError(line, column, message))

    def error_at(self, offset: int, message: str) -> None:
        line, column = _position(self.line_starts, offset)
        self.errors.append(ParseError(line, column, message))

    def content(self, index: int) -> tuple[int, str]:
        """Start offset and text of a line without its line ending (BuildKit's trimNewline)."""
        start, end = self.lines[index]
        if index == 0 and self.source.startswith(BOM):
            start += 1
        return start, self.source[start:end].rstrip("\r\n")

    def run(self) -> Dockerfile:
        if self.source.startswith(BOM):
            self.elements.append(Trivia("bom", Span(0, 1)))
        while self.index < len(self.lines):
            self.line()
        if not self.instructions and not self.errors:
            self.error(max(len(self.lines), 1), 1, "file with no instructions")
        return Dockerfile(
            source=self.source,
            elements=tuple(self.elements),
            instructions=tuple(self.instructions),
            escape=self.directives.escape,
            errors=tuple(self.errors),
            line_starts=self.line_starts,
        )

    def line_span(self, first: int, last: int) -> Span:
        start = 1 if first == 0 and self.source.startswith(BOM) else self.lines[first][0]
        return Span(start, self.lines[last][1])

    def check_length(self, index: int) -> None:
        """BuildKit's line scanner gives up on a line of 64 KiB or more."""
        start, end = self.lines[index]
        if end - start > MAX_LINE_BYTES and len(encode(self.source[start:end].removesuffix("\n"))) > MAX_LINE_BYTES:
            self.error(index + 1, 1, f"dockerfile line greater than max allowed size of {MAX_LINE_BYTES}")

    def line(self) -> None:
        first = self.index
        self.check_length(first)
        start, text = self.content(first)
        stripped = text.lstrip(GO_SPACE)
        try:
            directive = self.directives.parse(stripped)
        except ValueError as exc:
            self.error(first + 1, 1, str(exc))
            directive = None
        self.index += 1
        if directive is not None:
            self.elements.append(Trivia("directive", self.line_span(first, first), *directive))
            return
        token = "" if stripped.startswith("#") else stripped
        continuation = _CONTINUATION[self.directives.escape]
        match = continuation.search(token)
        if match is None and not token:
            kind = "comment" if stripped else "blank"
            self.elements.append(Trivia(kind, self.line_span(first, first)))
            return
        offset = start + len(text) - len(stripped)
        texts: list[str] = []
        starts: list[int] = []
        origins: list[int] = []
        length = 0

        def add(piece: str, origin: int) -> None:
            nonlocal length
            if piece:
                texts.append(piece)
                starts.append(length)
                origins.append(origin)
                length += len(piece)

        add(token[: match.start() + len(match.group(1) or "")] if match else token, offset)
        while match is not None and self.index < len(self.lines):
            self.check_length(self.index)
            line_start, line_text = self.content(self.index)
            self.index += 1
            left = line_text.lstrip(GO_SPACE)
            if left.startswith("#") or not left:
                continue
            match = continuation.search(line_text)
            add(line_text[: match.start() + len(match.group(1) or "")] if match else line_text, line_start)
        logical = LogicalText("".join(texts), tuple(starts) or (0,), tuple(origins) or (offset,))
        self.instruction(first, logical)

    def instruction(self, first: int, logical: LogicalText) -> None:
        draft = arguments.parse_instruction(logical.text, self.directives.escape)
        for problem in draft.errors:
            self.error_at(logical.to_source(problem.index), problem.message)
        heredocs: tuple[Heredoc, ...] = ()
        target = draft.target
        if target.keyword in _HEREDOC_KEYWORDS and not target.json and "<<" in logical.text:
            heredocs = self.heredocs(first, logical.text)
        span = self.line_span(first, self.index - 1)
        instruction = _freeze(draft, logical, span, first + 1, self.index, heredocs)
        self.elements.append(instruction)
        self.instructions.append(instruction)

    def heredocs(self, first: int, line: str) -> tuple[Heredoc, ...]:
        try:
            markers = heredoc_markers(line)
        except LexError as exc:
            self.error(first + 1, 1, str(exc))
            return ()
        found = []
        for name, fd, chomp, expand in markers:
            body_start = self.lines[self.index][0] if self.index < len(self.lines) else len(self.source)
            terminator: Span | None = None
            while self.index < len(self.lines):
                self.check_length(self.index)
                line_start, line_text = self.content(self.index)
                self.index += 1
                candidate = line_text.lstrip("\t") if chomp else line_text
                if candidate == name:
                    terminator = Span(line_start, self.lines[self.index - 1][1])
                    break
            body_end = terminator.start if terminator else len(self.source)
            if terminator is None:
                self.error(first + 1, 1, f"unterminated heredoc {name!r} (reached the end of the file)")
            body = Span(body_start, body_end)
            found.append(Heredoc(name, fd, chomp, expand, body.text(self.source), body, terminator))
            if terminator is None:
                break
        return tuple(found)


_MARKER_LEXER = Lexer(raw_quotes=True, raw_escapes=True, skip_unset=True)


def heredoc_markers(line: str) -> list[tuple[str, int, bool, bool]]:
    """The heredocs a RUN/COPY/ADD line opens: (name, fd, chomp, expand) in order.

    BuildKit lexes the whole line with raw quotes and escapes, ignores lexing errors
    there (an unbalanced quote means no heredocs), then matches each word against
    `^(\\d*)<<(-?)\\s*([^<]*)$` and lexes the rest again to unquote the name.
    """
    try:
        words = _MARKER_LEXER.process_words(line, {})
    except LexError:
        return []
    markers = []
    for word in words:
        match = _HEREDOC_WORD.match(word)
        if not match or not match.group(3):
            continue
        rest = match.group(3)
        plain = Lexer(skip_unset=True).process_words(rest, {})
        if len(plain) != 1:
            continue
        raw = Lexer(skip_unset=True, raw_quotes=True).process_words(rest, {})
        if len(raw) != 1:
            raise LexError(f"internal lexing of heredoc produced inconsistent results: {rest}")
        quotes = plain[0].count("'") + plain[0].count('"')
        raw_quotes = raw[0].count("'") + raw[0].count('"')
        fd = int(match.group(1)) if match.group(1) else 0
        markers.append((plain[0], fd, match.group(2) == "-", quotes == raw_quotes))
    return markers


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
    return Instruction(
        keyword=draft.keyword,
        keyword_span=logical.span(draft.keyword_start, draft.keyword_end),
        span=span,
        start_line=start_line,
        end_line=end_line,
        flags=arguments.freeze_flags(draft.flags, logical),
        json=draft.json,
        value=draft.value,
        heredocs=heredocs,
        args=logical.slice(draft.args_start, draft.args_end),
        sub=sub,
    )


def parse(source: str) -> Dockerfile:
    """Parse Dockerfile text (already decoded) into a lossless tree; never raises."""
    return _Builder(source).run()


def _position(line_starts: tuple[int, ...], offset: int) -> tuple[int, int]:
    line = bisect_right(line_starts, offset)
    return line, offset - line_starts[line - 1] + 1


def decode(data: bytes) -> str:
    """Bytes -> text such that `encode(decode(b)) == b` for any bytes, valid UTF-8 or not."""
    return data.decode("utf-8", "surrogateescape")


def encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")
