"""What a RUN instruction executes, as BuildKit hands it to the container.

BuildKit's `dispatchRun` (moby/buildkit `frontend/dockerfile/dockerfile2llb/convert.go`)
decides between four shapes, and so does `run_script`:
- shell form: the argument text goes to the SHELL (default `/bin/sh -c`);
- exec (JSON) form: the argv runs without a shell;
- a RUN whose whole argument is one heredoc marker (`RUN <<EOF`): the body (tabs
  chomped for `<<-`) is the shell script, or, when it starts with `#!`, a file that runs
  by its shebang;
- any other heredoc RUN (`RUN <<EOF bash -ex`, several heredocs): the line, a newline,
  then each body and terminator, all handed to the shell, which reads the heredocs.
Every shape keeps a `LogicalText` from code offsets back to the Dockerfile source, so a
fix found in shell code lands on the right bytes.
"""

from __future__ import annotations

import re

from .parser import parse_heredoc_word
from .patterns import compile_lazily
from .records import slots_repr
from .syntax import Heredoc, Instruction, LogicalText, Span
from .words import LexError

_JSON_STRING = compile_lazily(r'"((?:[^"\\]|\\.)*)"')
_LEADING_TABS = compile_lazily(r"^\t+", re.MULTILINE)


class RunScript:
    """The program a RUN executes.

    `kind` is `shell` (run `code` with the stage's SHELL), `exec` (run `argv` directly),
    or `shebang` (a heredoc body run as a file by its `#!` interpreter; `code` is the
    body). `code_map` maps offsets into `code` back to the source; for `exec`,
    `argv_spans` holds the source span of each JSON string's content.
    """

    __slots__ = ("kind", "code", "code_map", "argv", "argv_spans")

    def __init__(
        self,
        kind: str,
        code: str,
        code_map: LogicalText | None,
        argv: tuple[str, ...] = (),
        argv_spans: tuple[tuple[int, int], ...] = (),
    ) -> None:
        self.kind = kind
        self.code = code
        self.code_map = code_map
        self.argv = argv
        self.argv_spans = argv_spans

    __repr__ = slots_repr

    def source_span(self, start: int, end: int) -> Span | None:
        """Where `[start, end)` of the parsed script is in the Dockerfile; None if it cannot map.

        Shell code maps through `code_map`; a shebang script is parsed without its `#!`
        line; exec-form offsets index the argv joined by spaces and map character by
        character only inside JSON strings without escapes (else only whole strings map).
        """
        if self.kind == "exec":
            return self._argv_span(start, end)
        if self.code_map is None:
            return None
        shift = self.code.index("\n") + 1 if self.kind == "shebang" else 0
        return self.code_map.span(start + shift, end + shift)

    def _argv_span(self, start: int, end: int) -> Span | None:
        offset = 0
        for argument, (first, last) in zip(self.argv, self.argv_spans):
            if offset <= start and end <= offset + len(argument):
                if last - first == len(argument):
                    return Span(first + start - offset, first + end - offset)
                return Span(first, last) if (start, end) == (offset, offset + len(argument)) else None
            offset += len(argument) + 1
        return None


def run_script(instruction: Instruction) -> RunScript:
    """The script of a RUN (or of the RUN an ONBUILD wraps)."""
    run = instruction.effective
    if run.json:
        return RunScript("exec", "", None, run.value, _argv_spans(run))
    if not run.heredocs:
        return RunScript("shell", run.args.text, run.args)
    if _is_single_marker(run.args.text):
        body = run.heredocs[0]
        code, code_map = _heredoc_body(body)
        return RunScript("shebang" if code.startswith("#!") else "shell", code, code_map)
    return _reconstituted(run)


def _is_single_marker(args: str) -> bool:
    """BuildKit's `MustParseHeredoc(args)`: the whole argument is one heredoc word."""
    try:
        return parse_heredoc_word(args) is not None
    except LexError:
        return False


def _heredoc_body(heredoc: Heredoc) -> tuple[str, LogicalText]:
    """The body as the script BuildKit runs: leading tabs removed for `<<-`."""
    if not heredoc.chomp:
        return heredoc.content, LogicalText(heredoc.content, (0,), (heredoc.body_span.start,))
    texts, starts, origins, length = [], [], [], 0
    for line in re.finditer(r"[^\n]*\n?", heredoc.content):
        if not line.group():
            continue
        tabs = len(line.group()) - len(line.group().lstrip("\t"))
        piece = line.group()[tabs:]
        if piece:
            texts.append(piece)
            starts.append(length)
            origins.append(heredoc.body_span.start + line.start() + tabs)
            length += len(piece)
    return "".join(texts), LogicalText("".join(texts), tuple(starts) or (0,), tuple(origins) or (heredoc.body_span.start,))


def _reconstituted(run: Instruction) -> RunScript:
    """`args`, then for each heredoc a newline, its body and its name, as one shell script."""
    texts = [run.args.text]
    starts = list(run.args.starts)
    origins = list(run.args.origins)
    length = len(run.args.text)
    for heredoc in run.heredocs:
        newline_origin = heredoc.body_span.start - 1 if heredoc.body_span.start else 0
        for piece, origin in (
            ("\n", newline_origin),
            (heredoc.content, heredoc.body_span.start),
            (heredoc.name, heredoc.terminator_span.start if heredoc.terminator_span else heredoc.body_span.end),
        ):
            if piece:
                texts.append(piece)
                starts.append(length)
                origins.append(origin)
                length += len(piece)
    code = "".join(texts)
    return RunScript("shell", code, LogicalText(code, tuple(starts), tuple(origins)))


def _argv_spans(run: Instruction) -> tuple[tuple[int, int], ...]:
    """Source spans of the JSON strings' contents, in argv order."""
    spans = []
    for match in _JSON_STRING.finditer(run.args.text):
        span = run.args.span(match.start(1), match.end(1))
        spans.append((span.start, span.end))
    return tuple(spans) if len(spans) == len(run.value) else ()
