"""Edit builders: the text surgery every fix needs, done once, right on every layout.

Rules decide what to change; this module decides how the bytes change. Each builder
takes plain values (the source, spans, a flag of the syntax tree, a RUN's script) and
returns `Edit`s, so that a word removed from a continued line never leaves an empty
`\\` line behind, an option added to a quoted `--mount="..."` lands inside the quotes,
and an argument added to an exec-form RUN becomes a JSON string of its own. Every
builder is tested once on every layout (continuations, comment lines inside them,
`# escape=`` ` ``, CRLF, heredocs, JSON form, quoted flags) in `tests/test_edits.py`,
instead of once per rule. (ruff's `fix/edits.rs` and LibCST's codemod helpers play the
same part.)

Nothing here knows about caches or installers, and no rule is imported: rules import
this module, never each other.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence

from .diagnostics import Edit, apply_edits
from .patterns import compile_lazily
from .runs import RunScript
from .syntax import Dockerfile, Flag, Instruction, Span

__all__ = [
    "apply_within",
    "continuation_escape",
    "insert_argument_after",
    "insert_before_command",
    "instruction_lines",
    "line_ending",
    "move_instruction_after",
    "remove_exec_element",
    "remove_option",
    "remove_statement",
    "remove_word",
    "set_mount_options",
]

# After a statement: its connector and the blanks up to the next command.
_STATEMENT_END = compile_lazily(r"[ \t]*(?:&&|;|\n)[ \t\n]*")


# --------------------------------------------------------------------------- lines


def insert_flags(source: str, instruction: Instruction, text: str) -> Edit:
    """Flags (`--mount=...`) right after the instruction's keyword; where a file aligns
    its arguments in a column (`RUN         set -ex`), after the blanks, so the flags
    start that column."""
    end = instruction.keyword_span.end
    column = blanks_after(source, end)
    if column - end > 1 and column < len(source) and source[column] not in "\r\n":
        return Edit.insert(column, f"{text} ")
    return Edit.insert(end, f" {text}")


def line_ending(source: str, offset: int) -> str:
    """The line ending of the line at `offset`, so inserted lines match their neighbours."""
    end = source.find("\n", offset)
    return "\r\n" if end > 0 and source[end - 1] == "\r" else "\n"


def continuation_escape(tree: Dockerfile, instruction: Instruction, offset: int) -> str:
    """The character that continues a line at `offset`: the shell's `\\` inside a
    heredoc body (the shell reads it), else the Dockerfile's escape character."""
    bodies = (heredoc.body_span for heredoc in instruction.effective.heredocs)
    return "\\" if any(start <= offset < end for start, end in bodies) else tree.escape


def apply_within(source: str, span: Span, edits: Iterable[Edit]) -> str:
    """The text of `span` with `edits` (offsets into `source`, inside `span`) applied.

    For a fix that writes a changed copy of an instruction somewhere else.
    """
    local = [Edit(edit.start - span.start, edit.end - span.start, edit.text) for edit in edits]
    return apply_edits(source[span.start : span.end], local)


# --------------------------------------------------------------------------- removing


def remove_word(source: str, span: Span, escape: str) -> tuple[Edit, ...]:
    """Delete a word and one adjacent separator, keeping the layout of the lines.

    A word sharing its line loses the blanks after it (when code follows on the line) or
    before it (when it ends the line or precedes a continuation). A word alone on its
    line loses the line; if the command ended there, the line before it loses its
    continuation so the next line does not join the command. Comment lines stay.
    Empty when the line before cannot be found (the caller then has no fix).
    """
    start, end = span
    after, before = blanks_after(source, end), _blanks_before(source, start)
    line_start = source.rfind("\n", 0, start) + 1
    ends_line = _ends_line(source, after, escape)
    if after > end and not ends_line:
        return (Edit(start, after, ""),)
    if before > line_start or not ends_line:
        return (Edit(before, end, ""),)
    line_end = source.find("\n", after)
    if _continues(source, after, escape):
        return (Edit(line_start, line_end + 1, ""),)
    continuation = _previous_continuation(source, line_start, escape)
    if continuation is None:
        return ()
    if line_end >= 0:
        return (continuation, Edit(line_start, line_end + 1, ""))
    # The last line of a file without a final newline: take the line break before it.
    line_break = 2 if source[line_start - 2 : line_start] == "\r\n" else 1
    return (continuation, Edit(line_start - line_break, len(source), ""))


def remove_exec_element(script: RunScript, index: int) -> Edit:
    """Delete one JSON string of an exec-form RUN with the comma after it (before it,
    for the last one)."""
    spans = script.argv_spans
    if index + 1 < len(spans):
        return Edit(spans[index][0] - 1, spans[index + 1][0] - 1, "")
    return Edit(spans[index - 1][1] + 1, spans[index][1] + 1, "")


def remove_statement(
    script: RunScript, code: str, statement: tuple[int, int], previous_end: int | None = None
) -> tuple[Edit, ...]:
    """Delete a whole shell statement with its connector (`export X=1 && `, `X=1;`, a
    line of a heredoc script); `statement` is its span in `code`, the RUN's parsed code.
    The last statement of a list has no connector after it: given where the statement
    before it ends (`previous_end`), the connector before it goes instead (`a && b`
    becomes `a`)."""
    end = _STATEMENT_END.match(code, statement[1])
    if end is not None:
        span = script.source_span(statement[0], end.end())
    elif previous_end is not None and previous_end > 0 and not code[statement[1] :].strip():
        # From the end of the previous statement's last character: where the code joins
        # a continuation line right after it (`gcc\`), its own offset is past the line
        # break, and deleting from there would leave the `\` to continue into the next
        # instruction.
        last = script.source_span(previous_end - 1, previous_end)
        after = script.source_span(statement[0], statement[1])
        span = Span(last.end, after.end) if last is not None and after is not None else None
    else:
        span = None
    return (Edit.delete(span),) if span else ()


def remove_option(
    tree: Dockerfile, instruction: Instruction, script: RunScript, word: tuple[int, int], text: str, written: str
) -> tuple[Edit, ...]:
    """Delete the option `written` held by the word at `word` (a span in the script's
    code, whose text after quote removal is `text`).

    An exec-form element that is the option goes as a JSON string; otherwise (shell
    code, or a script inside an element: `["sh", "-c", "pip ..."]`) a word that is the
    option goes with one separator (`remove_word`), and a short option in an unquoted
    cluster (`-nq`) loses its letter. Empty when none applies (an option glued to its
    value, a quoted cluster).
    """
    span = script.source_span(*word)
    if span is None:
        return ()
    if script.kind == "exec":
        offsets = _argv_offsets(script)
        if word in offsets:
            return (remove_exec_element(script, offsets.index(word)),)
    source = tree.source
    if text == written:
        return remove_word(source, span, continuation_escape(tree, instruction, span.start))
    if len(written) == 2 and written[0] == "-" and text == span.text(source) and text.startswith("-"):
        letter = span.start + text.index(written[1], 1)
        return (Edit(letter, letter + 1, ""),)
    return ()


def _argv_offsets(script: RunScript) -> list[tuple[int, int]]:
    """The span of each exec-form argument in the argv joined by spaces (the code the
    analysis reads an exec-form RUN as)."""
    offsets, offset = [], 0
    for argument in script.argv:
        offsets.append((offset, offset + len(argument)))
        offset += len(argument) + 1
    return offsets


def blanks_after(source: str, index: int) -> int:
    """The end of the spaces and tabs starting at `index`."""
    while index < len(source) and source[index] in " \t":
        index += 1
    return index


def _blanks_before(source: str, index: int) -> int:
    """The start of the spaces and tabs ending at `index`."""
    while index > 0 and source[index - 1] in " \t":
        index -= 1
    return index


def _continues(source: str, index: int, escape: str) -> bool:
    """An escape character at `index` with only blanks after it on its line (BuildKit
    allows trailing blanks after the escape)."""
    return source.startswith(escape, index) and _ends_line(source, blanks_after(source, index + len(escape)), "")


def _ends_line(source: str, index: int, escape: str) -> bool:
    """Whether nothing but the end of the line (or a continuation, when `escape` is
    given) is at `index`."""
    return index >= len(source) or source[index] in "\r\n" or bool(escape) and _continues(source, index, escape)


def _previous_continuation(source: str, line_start: int, escape: str) -> Edit | None:
    """The edit deleting the continuation that ends the last code line before `line_start`
    (comment and blank lines are skipped, as BuildKit does)."""
    end = line_start - 1
    while end > 0:
        start = source.rfind("\n", 0, end) + 1
        line = source[start:end].rstrip("\r")
        if line.strip() and not line.lstrip().startswith("#"):
            code = line.rstrip(" \t")
            if not code.endswith(escape):
                return None
            cut = _blanks_before(source, start + len(code) - len(escape))
            return Edit(cut, start + len(line), "")
        end = start - 1
    return None


# --------------------------------------------------------------------------- adding


def insert_argument_after(script: RunScript, source: str, word: tuple[int, int], text: str) -> Edit | None:
    """Add the argument `text` right after the word at `word` (a span in the script's code).

    In shell code it becomes a word of its own after a blank; the caller makes sure it
    needs no shell quoting. When the word is a whole element of an exec-form RUN, the
    argument becomes a JSON string of its own, separated as the RUN's other elements
    are; inside an element's script (`["sh", "-c", "pip install x"]`) it is a word of
    that script, escaped for the JSON string. None when the word is not in the source.
    """
    span = script.source_span(*word)
    if span is None:
        return None
    if script.kind != "exec":
        return Edit.insert(span.end, f" {text}")
    spans = script.argv_spans
    if (span.start, span.end) in spans:
        index = spans.index((span.start, span.end))
        element = json.dumps(text, ensure_ascii=False)[:-1]  # its opening quote; the old closing one ends it
        return Edit.insert(span.end, f'"{_separator(spans, index, source)}{element}')
    return Edit.insert(span.end, json.dumps(f" {text}", ensure_ascii=False)[1:-1])


def insert_before_command(script: RunScript, word: tuple[int, int], text: str) -> Edit | None:
    """Put `text` (`NAME=value `, a prefix assignment) right before the command whose
    first word is at `word` (a span in the script's code). The caller makes sure it
    needs no quoting. None in an exec-form RUN whose elements are the command itself
    (no shell reads a prefix there), or when the word is not in the source."""
    span = script.source_span(*word)
    if span is None or (script.kind == "exec" and (span.start, span.end) in script.argv_spans):
        return None
    return Edit.insert(span.start, text)


def _separator(spans: Sequence[tuple[int, int]], index: int, source: str) -> str:
    """What separates exec-form elements in this RUN (`, ` or `,`), kept for a new one."""
    if index + 1 < len(spans):
        between = source[spans[index][1] + 1 : spans[index + 1][0] - 1]
        if "\n" not in between and "\r" not in between:
            return between
    return ", "


def set_mount_options(source: str, flag: Flag, values: Mapping[str, str]) -> tuple[Edit, ...] | None:
    """Give a `--mount` flag these option values: a written value that differs is
    replaced in place (its quotes kept), a missing key is added after the last option.

    Added options go inside the shell quotes of `--mount="..."`, and before a CSV quote
    that closes a value (`"target=/a,b"`) is never split: they then follow the last
    option that a comma follows. None when a value to change is a variable (the fix
    would hide what the Dockerfile says) or there is no place to add one.
    """
    edits, added = [], []
    for key, wanted in values.items():
        option = next((o for o in reversed(flag.mount_options) if o.key == key), None)
        if option is None:
            added.append(f"{key}={wanted}")
        elif option.value != wanted:
            if option.value_span is None or "$" in (option.value or ""):
                return None
            edits.append(Edit.replace(option.value_span, wanted))
    if added:
        point = _option_insertion_point(source, flag)
        if point is None:
            return None
        edits.append(Edit.insert(point, "," + ",".join(added)))
    return tuple(edits)


def _option_insertion_point(source: str, flag: Flag) -> int | None:
    """Where `,key=value` can go: after the last option, unless a CSV quote closes it;
    then after the last option a comma follows. Shell quotes around the whole value
    (`--mount="..."`) are fine: the text lands inside them."""
    options = flag.mount_options
    if options and not flag.text.endswith(('"', "'")):
        return options[-1].span.end
    return next((o.span.end for o in reversed(options) if source.startswith(",", o.span.end)), None)


def instruction_lines(source: str, instruction: Instruction, lines: Sequence[str]) -> str:
    """Whole lines to insert before `instruction`, indented like it, with its line ending."""
    indent = source[instruction.span.start : instruction.keyword_span.start]
    newline = line_ending(source, instruction.span.start)
    return "".join(indent + line + newline for line in lines)


def move_instruction_after(source: str, moved: Instruction, anchor: Instruction, replacement: str = "") -> tuple[Edit, Edit]:
    """Edits that put `moved` (with its comment and continuation lines) right after
    `anchor`, which follows it, and `replacement` where it was. A last line without a
    newline gets one in between."""
    text = source[moved.span.start : moved.span.end]
    if not source[anchor.span.start : anchor.span.end].endswith("\n"):
        text = line_ending(source, moved.span.start) + text.rstrip("\r\n")
    return Edit.replace(moved.span, replacement), Edit.insert(anchor.span.end, text)
