"""An instruction's joined line -> keyword, flags and value, as BuildKit's line parsers.

`split_command`/`extract_builder_flags` and the per-keyword dispatch mirror
`split_command.go` and `line_parsers.go` in moby/buildkit, including their quirks:
unknown instructions keep one empty value, `ENV a b` (legacy form) keeps the raw rest,
JSON is tried first for RUN/CMD/ENTRYPOINT/SHELL/COPY/ADD/VOLUME and an array holding
something other than strings is an error. Positions are kept as offsets into the
logical line, so the parser can map every flag and mount option back to the source.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable, Sequence

from .records import NamedTuple, new_record, slots_repr
from .syntax import Flag, LogicalText, MountOption, Span
from .words import GO_SPACE, is_go_space

_WHITESPACE = re.compile(r"[\t\v\f\r ]+")
_KEYWORD = re.compile(r"[^\t\v\f\r ]*")
_FLAG_SPACE = frozenset(" \t\n\v\f\r\x85\xa0")
# Go's JSON decoder replaces unpaired surrogate escapes and invalid bytes with U+FFFD.
_SURROGATE = re.compile("[\ud800-\udfff]")
_GO_WORD = re.compile("[^" + re.escape(GO_SPACE) + "]+")
# A flag word without quotes or escape characters (the common case), after blanks.
_PLAIN_FLAG = re.compile(r"[ \t\n\v\f\r\x85\xa0]*(--[^ \t\n\v\f\r\x85\xa0'\"\\`]*)(?=[ \t\n\v\f\r\x85\xa0]|\Z)")
# parseWords' words when the text has no escape character: runs of plain characters and
# quoted strings (an unterminated quote runs to the end), quotes kept.
_QUOTED_WORD = re.compile(
    "(?:[^" + re.escape(GO_SPACE) + "'\"]+|\"[^\"]*(?:\"|\\Z)|'[^']*(?:'|\\Z))+"
)


class ArgumentError(ValueError):
    """BuildKit rejects the instruction; `index` is an offset into the logical line."""

    def __init__(self, message: str, index: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.index = index


class RawFlag(NamedTuple):
    """A flag word: its unquoted text and, per character, its offset in the logical line."""

    text: str
    start: int
    end: int
    origins: Sequence[int]


class Draft:
    """An instruction's parsed arguments in logical-line coordinates, before spans exist."""

    __slots__ = ("keyword", "keyword_start", "keyword_end", "flags", "json", "value", "args_start", "args_end",
                 "sub", "errors")

    def __init__(
        self,
        keyword: str,
        keyword_start: int,
        keyword_end: int,
        flags: list[RawFlag],
        json: bool,
        value: tuple[str, ...],
        args_start: int,
        args_end: int,
        sub: Draft | None,
        errors: list[ArgumentError],
    ) -> None:
        self.keyword = keyword
        self.keyword_start = keyword_start
        self.keyword_end = keyword_end
        self.flags = flags
        self.json = json
        self.value = value
        self.args_start = args_start
        self.args_end = args_end
        self.sub = sub
        self.errors = errors

    __repr__ = slots_repr

    @property
    def target(self) -> Draft:
        """The instruction that runs: ONBUILD's wrapped one, else this one."""
        return self.sub if self.sub is not None else self


def parse_instruction(line: str, escape: str, base: int = 0) -> Draft:
    """Split a joined instruction line and parse its arguments (BuildKit's newNodeFromLine).

    Errors are collected on the draft rather than raised, so the tree stays complete.
    """
    left = len(line) - len(line.lstrip(GO_SPACE))
    trimmed = line.strip(GO_SPACE)
    keyword = _KEYWORD.match(trimmed)
    assert keyword is not None  # the pattern matches the empty string
    keyword_end = keyword.end()
    flags: list[RawFlag] = []
    rest_start = left + len(trimmed)
    errors: list[ArgumentError] = []
    separator = _WHITESPACE.match(trimmed, keyword_end)
    if separator:
        rest_start, flags = extract_builder_flags(line, left + separator.end(), left + len(trimmed), escape)
    rest = line[rest_start : left + len(trimmed)]
    args = rest.lstrip(GO_SPACE)
    args_start = rest_start + len(rest) - len(args)
    args = args.rstrip(GO_SPACE)
    name = keyword.group()
    if base:
        flags = [RawFlag(f.text, base + f.start, base + f.end, [base + o for o in f.origins]) for f in flags]
    draft = Draft(name.upper(), base + left, base + left + keyword_end, flags, False, (), base + args_start,
                  base + args_start + len(args), None, errors)
    lower = name.lower()
    try:
        if lower == "onbuild":
            if args:
                draft.sub = parse_instruction(args, escape, base + args_start)
                errors.extend(draft.sub.errors)
        else:
            draft.json, draft.value = dispatch(lower, args, escape)
    except ArgumentError as exc:
        errors.append(ArgumentError(exc.message, base + args_start))
    return draft


def extract_builder_flags(line: str, pos: int, end: int, escape: str) -> tuple[int, list[RawFlag]]:
    """Leading `--flag` words of `line[pos:end]`, as BuildKit's extractBuilderFlags.

    Returns the offset where the arguments start and the flags. Quotes are removed and
    the escape character consumed inside flags; a lone `--` ends them.
    """
    flags: list[RawFlag] = []
    if not line.startswith("--", pos, end):
        return pos, flags
    if not line.isascii():
        return _extract_flags_bytewise(line, pos, end, escape)
    while True:
        match = _PLAIN_FLAG.match(line, pos, end)
        if match is None:
            break
        word = match.group(1)
        if word == "--":
            return match.end(), flags
        flags.append(RawFlag(word, match.start(1), match.end(), range(match.start(1), match.end())))
        pos = match.end()
    return _extract_quoted_flags(line, pos, end, escape, flags)


def plain_flags(line: str, pos: int, end: int, shift: int, first_piece_end: int) -> tuple[int, tuple[Flag, ...]] | None:
    """`extract_builder_flags` and `freeze_flags` in one step, for the common line: ASCII,
    every flag a plain word (no quotes or escape characters) on the first line of the
    instruction (up to `first_piece_end` of the logical line, which starts at source
    offset `shift`), so that each maps to the source by adding `shift`. None otherwise:
    the caller takes the general path."""
    if not line.isascii():
        return None
    flags = []
    while True:
        match = _PLAIN_FLAG.match(line, pos, end)
        if match is None:
            break
        if match.end() > first_piece_end:
            return None
        word = match.group(1)
        if word == "--":
            return match.end(), tuple(flags)
        flags.append(_straight_flag(word, shift + match.start(1)))
        pos = match.end()
    while pos < end and line[pos] in _FLAG_SPACE:
        pos += 1
    return None if line.startswith("--", pos, end) else (pos, tuple(flags))


def _extract_flags_bytewise(line: str, pos: int, end: int, escape: str) -> tuple[int, list[RawFlag]]:
    """BuildKit scans flags byte by byte and turns each byte into a character.

    So a non-ASCII flag comes out as its UTF-8 bytes read as Latin-1 (`données` becomes
    `donnÃ©es`), and bytes 0x85 and 0xA0 inside a character count as blanks. Reproduce
    that on a Latin-1 view of the bytes, then map offsets back to characters.
    """
    owner: list[int] = []
    for index, char in enumerate(line):
        owner.extend([index] * len(char.encode("utf-8", "surrogateescape")))
    owner.append(len(line))
    view = line.encode("utf-8", "surrogateescape").decode("latin-1")
    byte_of = {char: byte for byte, char in reversed(list(enumerate(owner)))}
    rest, raw = _extract_quoted_flags(view, byte_of[pos], byte_of[end], escape, [])
    flags = [RawFlag(f.text, owner[f.start], owner[f.end], [owner[o] for o in f.origins]) for f in raw]
    return owner[rest], flags


def _extract_quoted_flags(
    line: str, pos: int, end: int, escape: str, flags: list[RawFlag]
) -> tuple[int, list[RawFlag]]:
    """The general case of extract_builder_flags: flags with quotes or escape characters."""
    while True:
        while pos < end and line[pos] in _FLAG_SPACE:
            pos += 1
        if not line.startswith("--", pos, end):
            return pos, flags
        start = pos
        chars: list[str] = []
        origins: list[int] = []
        quote = ""
        blank_ok = False
        while pos < end:
            ch = line[pos]
            if quote:
                if ch == quote:
                    quote = ""
                    pos += 1
                    continue
                if ch == escape:
                    if pos + 1 == end:
                        quote = ""
                        pos += 1
                        continue
                    pos += 1
                    ch = line[pos]
            else:
                if ch in _FLAG_SPACE:
                    break
                if ch in ("'", '"'):
                    quote = ch
                    blank_ok = True
                    pos += 1
                    continue
                if ch == escape:
                    if pos + 1 == end:
                        pos += 1
                        continue
                    pos += 1
                    ch = line[pos]
            chars.append(ch)
            origins.append(pos)
            pos += 1
        text = "".join(chars)
        if text == "--":
            return (pos if pos < end else end), flags
        if blank_ok or text:
            flags.append(RawFlag(text, start, pos, origins))


def dispatch(keyword: str, rest: str, escape: str) -> tuple[bool, tuple[str, ...]]:
    """BuildKit's dispatch table: (is JSON form, node values) for one instruction."""
    if keyword in ("run", "cmd", "entrypoint", "shell"):
        return _maybe_json(rest)
    if keyword in ("add", "copy", "volume"):
        array = json_array(rest)
        if array is not None:
            return True, _strings(array)
        return False, _whitespace_list(rest)
    if keyword == "arg":
        return False, tuple(parse_words(rest, escape))
    if keyword in ("env", "label"):
        return False, _name_values(rest, keyword.upper(), escape)
    if keyword in ("expose", "from"):
        return False, _whitespace_list(rest)
    if keyword in ("maintainer", "stopsignal", "user", "workdir"):
        return False, (rest,) if rest else ()
    if keyword == "healthcheck":
        return _health_check(rest)
    return False, ("",)


def _maybe_json(rest: str) -> tuple[bool, tuple[str, ...]]:
    if not rest:
        return False, ()
    array = json_array(rest)
    if array is not None:
        return True, _strings(array)
    return False, (rest,)


def _strings(array: list[object]) -> tuple[str, ...]:
    if not all(isinstance(item, str) for item in array):
        raise ArgumentError("when using JSON array syntax, arrays must be comprised of strings only")
    return tuple(array)  # type: ignore[arg-type]


def _whitespace_list(rest: str) -> tuple[str, ...]:
    """`rest` (no blanks at either end) split at runs of BuildKit's blanks."""
    if rest.isascii() and rest.isprintable():
        return tuple(rest.split())  # only spaces separate: str.split's runs are BuildKit's
    return tuple(_WHITESPACE.split(rest)) if rest else ()


def _health_check(rest: str) -> tuple[bool, tuple[str, ...]]:
    separator = 0
    while separator < len(rest) and not is_go_space(rest[separator]):
        separator += 1
    if separator == 0:
        return False, ()
    command = rest[separator:].lstrip(GO_SPACE)
    is_json, values = _maybe_json(command)
    return is_json, (rest[:separator], *values)


def _name_values(rest: str, keyword: str, escape: str) -> tuple[str, ...]:
    """ENV and LABEL: legacy `KEY value` or `k=v ...`, with BuildKit's separator nodes."""
    words = parse_words(rest, escape)
    if not words:
        return ()
    if "=" not in words[0]:
        parts = _WHITESPACE.split(rest, maxsplit=1)
        if len(parts) < 2:
            raise ArgumentError(f"{keyword} must have two arguments")
        return parts[0], parts[1], ""
    values: list[str] = []
    for word in words:
        if "=" not in word:
            raise ArgumentError(
                f"Syntax error - can't find = in {json.dumps(word)}. Must be of the form: name=value"
            )
        key, value = word.split("=", 1)
        values.extend((key, value, "="))
    return tuple(values)


def parse_words(rest: str, escape: str) -> list[str]:
    """BuildKit's parseWords: split on blanks outside quotes, keeping quotes and escapes."""
    if escape not in rest:
        if "'" not in rest and '"' not in rest:
            return _GO_WORD.findall(rest)
        return _QUOTED_WORD.findall(rest)
    words: list[str] = []
    buf: list[str] = []
    in_word = False
    quote = ""
    blank_ok = False
    pos = 0
    while pos < len(rest):
        ch = rest[pos]
        pos += 1
        if not in_word and not quote:
            if is_go_space(ch):
                continue
            in_word = True
        if quote:
            if ch == quote:
                quote = ""
            elif ch == escape and quote != "'":
                if pos == len(rest):
                    quote = ""
                    continue
                buf.append(ch)
                ch = rest[pos]
                pos += 1
            buf.append(ch)
            continue
        if is_go_space(ch):
            in_word = False
            if blank_ok or buf:
                words.append("".join(buf))
            buf.clear()
            blank_ok = False
            continue
        if ch in ("'", '"'):
            quote = ch
            blank_ok = True
        if ch == escape:
            if pos == len(rest):
                continue
            buf.append(ch)
            ch = rest[pos]
            pos += 1
        buf.append(ch)
    if (in_word or quote) and (blank_ok or buf):
        words.append("".join(buf))
    return words


def _json_number(text: str) -> float:
    """Go decodes JSON numbers into float64 and fails on overflow; mimic that."""
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"number {text} out of range")
    return value


def _json_constant(name: str) -> float:
    raise ValueError(f"invalid JSON literal {name}")


# One decoder for every call: `json.loads` with hooks builds a new one (and its scanner) each time.
_JSON = json.JSONDecoder(parse_float=_json_number, parse_int=_json_number, parse_constant=_json_constant)


def json_array(text: str) -> list[object] | None:
    """`text` decoded as Go's json.Unmarshal into []any would, or None when that fails."""
    text = text.lstrip(GO_SPACE)
    if not text.startswith("["):
        return None
    try:
        value = _JSON.decode(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, list):
        return None
    return [_SURROGATE.sub("\ufffd", item) if isinstance(item, str) and not item.isascii() else item for item in value]


def freeze_flags(flags: list[RawFlag], logical: LogicalText) -> tuple[Flag, ...]:
    """Map raw flags to source spans and split `--mount` values into options."""
    return tuple(_freeze_flag(flag, logical) for flag in flags)


def _freeze_flag(flag: RawFlag, logical: LogicalText) -> Flag:
    shift = _straight_shift(flag, logical)
    if shift is not None:
        return _straight_flag(flag.text, shift)
    body = flag.text[2:]
    name, has_value, value = body.partition("=")
    value_start = 2 + len(name) + 1
    text_span: Callable[[int, int], Span] = lambda start, end: _text_span(flag, start, end, logical)
    value_span = text_span(value_start, len(flag.text)) if has_value else None
    options: tuple[MountOption, ...] = ()
    if name == "mount" and has_value:
        options = tuple(
            MountOption(
                key,
                option_value,
                text_span(value_start + key_start, value_start + key_end),
                text_span(value_start + v_start, value_start + v_end) if option_value is not None else None,
            )
            for key, option_value, key_start, key_end, v_start, v_end in csv_fields(value)
        )
    return Flag(flag.text, logical.span(flag.start, flag.end), name, value if has_value else None, value_span, options)


def _straight_flag(text: str, shift: int) -> Flag:
    """A flag whose text is the source itself, from offset `shift` on (the common case)."""
    name, has_value, value = text[2:].partition("=")
    end = shift + len(text)
    span = new_record(Span, (shift, end))
    if not has_value:
        return new_record(Flag, (text, span, name, None, None, ()))
    value_start = shift + len(name) + 3
    options: tuple[MountOption, ...] = ()
    if name == "mount":
        options = _csv_mount_options(value, value_start) if '"' in value else _plain_mount_options(value, value_start)
    return new_record(Flag, (text, span, name, value, new_record(Span, (value_start, end)), options))


def _csv_mount_options(value: str, shift: int) -> tuple[MountOption, ...]:
    """The options of a `--mount` value (`csv_fields`) whose text starts at source offset `shift`."""
    return tuple([
        new_record(MountOption, (
            key,
            option_value,
            new_record(Span, (shift + key_start, shift + max(key_start, key_end))),
            None if option_value is None else new_record(Span, (shift + v_start, shift + max(v_start, v_end))),
        ))
        for key, option_value, key_start, key_end, v_start, v_end in csv_fields(value)
    ])  # fmt: skip


def _plain_mount_options(value: str, shift: int) -> tuple[MountOption, ...]:
    """`_csv_mount_options` of a value without quotes: the fields are what lies between
    commas, each a key, or a key, `=` and a value."""
    options = []
    start = shift
    for field in value.split(","):
        key, has_value, option = field.partition("=")
        key_end = start + len(key)
        key_span = new_record(Span, (start, key_end))
        if has_value:
            value_span = new_record(Span, (key_end + 1, start + len(field)))
            options.append(new_record(MountOption, (key.lower(), option, key_span, value_span)))
        else:
            options.append(new_record(MountOption, (key.lower(), None, key_span, None)))
        start += len(field) + 1
    return tuple(options)


def _straight_shift(flag: RawFlag, logical: LogicalText) -> int | None:
    """Where `flag.text` starts in the source when it is the source itself (no quotes or
    escapes, not split by a continuation), the common case; None otherwise."""
    if not isinstance(flag.origins, range):
        return None
    starts = logical.starts
    piece = bisect_right(starts, flag.start) - 1 if len(starts) > 1 else 0
    if piece + 1 < len(starts) and flag.end > starts[piece + 1]:
        return None
    return logical.origins[piece] - starts[piece] + flag.start


def _text_span(flag: RawFlag, start: int, end: int, logical: LogicalText) -> Span:
    """Source span of `flag.text[start:end]`, through removed quotes and escapes.

    An empty range maps to the point just after the character before it.
    """
    if end > start:
        return Span(logical.to_source(flag.origins[start]), logical.to_source(flag.origins[end - 1]) + 1)
    point = logical.to_source(flag.origins[start - 1]) + 1 if start > 0 else logical.to_source(flag.start)
    return Span(point, point)


def csv_fields(value: str) -> list[tuple[str, str | None, int, int, int, int]]:
    """Split a `--mount` value into (key, value, key_start, key_end, value_start, value_end).

    BuildKit reads mount values as one CSV record; a field may be double-quoted, with
    `""` standing for a quote. Offsets index `value`; for quoted fields they cover the
    content between the quotes.
    """
    fields = []
    pos = 0
    while pos <= len(value):
        if value.startswith('"', pos):
            close = pos + 1
            parts = []
            while close < len(value):
                if value[close] == '"':
                    if value.startswith('""', close):
                        parts.append('"')
                        close += 2
                        continue
                    break
                parts.append(value[close])
                close += 1
            text, start, end = "".join(parts), pos + 1, close
            comma = value.find(",", close)
        else:
            comma = value.find(",", pos)
            end = len(value) if comma < 0 else comma
            text, start = value[pos:end], pos
        key, has_value, option = text.partition("=")
        key_end = start + len(key)
        if has_value:
            fields.append((key.lower(), option, start, key_end, key_end + 1, end))
        else:
            fields.append((key.lower(), None, start, key_end, key_end, key_end))
        if comma < 0:
            break
        pos = comma + 1
    return fields
