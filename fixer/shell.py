"""POSIX shell code -> simple commands with source spans and the context each runs in.

A RUN step is shell code, and the facts dockerfix needs live at the level of simple
commands: is there a `pip install` anywhere (after `&&`, in a subshell, inside
`sh -c '...'`), which environment does it see (`export`, `HOME=/x`, `env -i`), and
which user runs it (`su app -c`, `gosu`)? This module answers that without running
anything: it tokenizes the script the way sh does (quotes, escapes, `$( )`,
backquotes, here-documents, comments, line continuations) and flattens every command
list into `Script.commands`, each word keeping offsets into the code so that a fix
can rewrite one word in place. Scripts run by another shell (`sh -c '...'`,
`su app -c '...'`, `bash <<EOF` as BuildKit writes `RUN <<EOF bash -ex`) are parsed
too, their offsets mapped back to the enclosing code.

Only the shape of the script is interpreted: expansions stay as written (`$HOME/x`),
and reading the code never fails: problems go to `Script.errors` and parsing goes on.
Where sh and bash disagree, bash wins (`&>`, `<(...)`, `$'...'`), because scripts
that use those forms are written for bash.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from operator import itemgetter

from .records import NamedTuple, new_record

__all__ = [
    "Assignment",
    "CommandContext",
    "Diagnostic",
    "EnvChange",
    "Redirect",
    "Script",
    "SimpleCommand",
    "Span",
    "UserSwitch",
    "Word",
    "parse_script",
    "script_from_argv",
    "unquoted",
]

Span = tuple[int, int]
_first = itemgetter(0)


# --------------------------------------------------------------------------- results


class Word(NamedTuple):
    """One shell word: where it is in the code and what it means after quote removal.

    `code[start:end]` is the word as written, quotes included. `text` is the word after
    quote removal with expansions left as written, so `"$HOME"/x` has the text
    `$HOME/x`. `segments` maps `text` back to the code: `(text_index, code_offset)`
    where a verbatim run begins, or None when `text == code[start:end]`; a rewrite of
    part of a word (an option's value, a nested `sh -c` script) needs it because
    quotes and escapes make the two drift apart.
    """

    start: int
    end: int
    text: str
    quoted: bool = False
    has_expansion: bool = False
    segments: tuple[tuple[int, int], ...] | None = None

    def offset_of(self, index: int) -> int:
        """Code offset of `text[index]`; `index == len(text)` gives the offset just past it."""
        segments = self.segments
        if segments is None:
            return self.start + index
        if not segments:
            return self.start
        text_index, offset = segments[max(bisect_right(segments, index, key=_first) - 1, 0)]
        return offset + index - text_index

    def span_of(self, start: int, end: int) -> Span:
        """The tightest code span holding `text[start:end]` (quotes around it excluded)."""
        if end <= start:
            point = self.offset_of(start)
            return point, point
        return self.offset_of(start), self.offset_of(end - 1) + 1

    def sub(self, start: int, end: int | None = None) -> Word:
        """The part `text[start:end]` as a word of its own, e.g. the value of `--opt=value`.

        Its span covers exactly those characters, so replacing it keeps the quoting
        around it (`--cache-dir="/a b"` -> the value span is `/a b`).
        """
        end = len(self.text) if end is None else end
        if start == 0 and end == len(self.text):
            return self
        piece = self.text[start:end]
        segments: list[tuple[int, int]] = []
        index = 0
        for offset, length in self._runs(start, end):
            _append_run(segments, index, offset)
            index += length
        first, last = self.span_of(start, end)
        expansion = self.has_expansion and ("$" in piece or "`" in piece)
        return _make_word(first, last, piece, self.quoted and self.segments is not None,
                          expansion, segments)

    def _runs(self, start: int, end: int) -> Iterator[tuple[int, int]]:
        """Yield `(code_offset, length)` for each verbatim run of `text[start:end]`."""
        segments = self.segments
        if segments is None:
            if end > start:
                yield self.start + start, end - start
            return
        for i, (text_index, offset) in enumerate(segments):
            stop = segments[i + 1][0] if i + 1 < len(segments) else len(self.text)
            low, high = max(text_index, start), min(stop, end)
            if low < high:
                yield offset + low - text_index, high - low


class Assignment(NamedTuple):
    """A `NAME=value` word before the command name (or making up the whole command)."""

    name: str
    value: Word
    span: Span


class Redirect(NamedTuple):
    """A redirection such as `>file`, `2>&1` or `<<EOF`: not an argument of the command.

    For a here-document, `target` is the delimiter word and `body` the span of the
    lines it reads (they are not commands); `target.quoted` says whether the shell
    expands `$` in them.
    """

    op: str
    fd: str | None
    target: Word | None
    span: Span
    body: Span | None = None

    def body_text(self, code: str) -> str | None:
        """The here-document's content as the command reads it (`<<-` strips leading tabs)."""
        if self.body is None:
            return None
        text = code[self.body[0] : self.body[1]]
        return re.sub(r"(?m)^\t+", "", text) if self.op == "<<-" else text


class EnvChange(NamedTuple):
    """One change to the environment of a command, in the order the shell applies them.

    `kind` is `set` (`value` as written, expansions kept), `unset` (`name == "*"`:
    everything, as `env -i` or `su -`), `home-of` (HOME becomes the passwd home of
    the user in `value`, as `su`/`gosu` do), or `unknown` (sudo: depends on
    sudoers). `exported` says whether children see it: always for prefixes, `export`
    and wrappers; for a plain `NAME=value` only if the script exported NAME before,
    so the caller decides for inherited variables (HOME, PATH, anything from ENV is
    already exported, a new name is not).
    """

    name: str
    value: str | None
    kind: str
    exported: bool
    origin: str


class UserSwitch(NamedTuple):
    """A wrapper that runs the command as another user (`su`, `gosu`, `sudo -u`...).

    `user` is as written (a name, a uid, `user:group`, or `root` by default); HOME
    effects are recorded separately as `EnvChange`s because they differ by tool.
    """

    tool: str
    user: str


class Diagnostic(NamedTuple):
    """Something the shell would reject or that could not be understood, at an offset."""

    message: str
    offset: int


class SimpleCommand(NamedTuple):
    """One simple command, wherever it sits in the script.

    `connector` is the operator before it (`''` first in a list). `depth` counts the
    enclosing subshells, groups and substitutions. `shell` identifies the shell
    process that runs it as the chain of process ids from the script's shell: a
    command sees the `export`/`cd` of another one only if that one's chain is a
    prefix of its own. `nested_level` counts the scripts around it that another shell
    runs (`sh -c '...'`, `su -c '...'`, `bash <<EOF`) and `launcher` is the index
    of the command that runs the innermost one. `effective_start` skips wrappers such as
    `env X=1`, `sudo -u app` or `nohup`, whose environment and user changes are in
    `effects` (prefix assignments first).
    """

    index: int
    span: Span
    words: tuple[Word, ...]
    assignments: tuple[Assignment, ...]
    redirects: tuple[Redirect, ...]
    connector: str
    depth: int
    shell: tuple[int, ...]
    nested_level: int
    launcher: int | None
    effective_start: int
    effects: tuple[EnvChange | UserSwitch, ...]

    @property
    def in_subshell(self) -> bool:
        """Runs in a child process, so its `export`/`cd` do not reach later commands."""
        return len(self.shell) > 1

    @property
    def effective_words(self) -> tuple[Word, ...]:
        """The program that really runs and its arguments, wrappers removed."""
        return self.words[self.effective_start :]

    @property
    def name(self) -> str | None:
        """The base name of the program that really runs (`/opt/venv/bin/pip` -> `pip`)."""
        words = self.effective_words
        return _basename(words[0]) if words else None


class CommandContext(NamedTuple):
    """What a command inherits from the script before it: environment, user, directory.

    `env` lists the changes in effect, oldest first (statements of the enclosing
    shells, then the launching commands' wrappers, then the command's own); the last
    entry naming a variable, or `*`, decides it. `directories` are the `cd` targets
    in effect, relative to the step's WORKDIR, as written.
    """

    env: tuple[EnvChange, ...]
    user: UserSwitch | None
    directories: tuple[str, ...]

    def lookup(self, name: str) -> EnvChange | None:
        """The change that decides `name`, or None when the script leaves it as inherited."""
        for change in reversed(self.env):
            if change.name == name or change.name == "*":
                return change
        return None


class Script:
    """A parsed script: its commands in source order and what went wrong reading it.

    Compared and hashed by code, commands and errors; `_contexts` is a cache.
    """

    __slots__ = ("code", "commands", "errors", "_contexts")

    def __init__(self, code: str, commands: tuple[SimpleCommand, ...], errors: tuple[Diagnostic, ...]) -> None:
        self.code = code
        self.commands = commands
        self.errors = errors
        self._contexts: dict[int, CommandContext] = {}

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (self.code, self.commands, self.errors) == (other.code, other.commands, other.errors)  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((self.code, self.commands, self.errors))

    def __repr__(self) -> str:
        return f"Script(code={self.code!r}, commands={self.commands!r}, errors={self.errors!r})"

    def context_of(self, command: SimpleCommand) -> CommandContext:
        """The environment, user and directory `command` runs with (computed once, on demand)."""
        context = self._contexts.get(command.index)
        if context is None:
            context = self._contexts[command.index] = _context(self.commands, command)
        return context


def parse_script(code: str) -> Script:
    """Parse shell code; never raises, problems are in `Script.errors`."""
    flat = _flat_script(code)
    if flat is not None:
        return flat
    parser = _Parser(code, _Scope(None, False), 0, 0, None)
    parser.run()
    return parser.script()


def _flat_script(code: str) -> Script | None:
    """A flat script read in one scan, or None for any other (the parser reads it).

    Flat: commands of plain words (no quotes, escapes, `$`, redirections, pipes or
    parentheses) joined by `&&`, `||`, `;` and newlines, with comments; none starts
    with an assignment, a wrapper (`sudo`, `sh`, `env`...) or a reserved word. Most RUN
    steps are such lists (`apt-get update && apt-get install -y ... && rm -rf ...`),
    and for them the parser's result is simply this: each command in the script's own
    shell, at depth 0, with the operator before it as its connector.
    """
    if _NOT_FLAT.search(code):
        return None  # found at once, before reading the commands up to it
    commands: list[SimpleCommand] = []
    words: list[Word] = []
    connector, seen, position = "", False, 0
    for match in _FLAT_TOKEN.finditer(code):
        if match.start() != position:
            return None  # a character only the parser reads
        position = match.end()
        kind = match.lastindex
        if kind == 1:  # a word
            text = match.group(1)
            if not words:
                start = match.start(1)
                if text in _CLOSERS or text in _COMPOUNDS or text.rpartition("/")[2] in _WRAPPERS or (
                    "=" in text and _ASSIGNMENT.match(text)
                ):
                    return None
            words.append(new_record(Word, (match.start(1), position, text, False, False, None)))
            continue
        if words:
            commands.append(_flat_command(len(commands), start, words, connector))
            words, connector, seen = [], "", True
        if kind == 2 and (seen or match.group(2) not in (";", "\n")):  # a separator
            connector = match.group(2)
    if code[position:].strip(" \t"):
        return None
    if words:
        commands.append(_flat_command(len(commands), start, words, connector))
    return Script(code, tuple(commands), ())


def _flat_command(index: int, start: int, words: list[Word], connector: str) -> SimpleCommand:
    return new_record(SimpleCommand, (index, (start, words[-1].end), tuple(words), (), (), connector, 0, (0,), 0, None, 0, ()))


def script_from_argv(argv: Sequence[str]) -> Script:
    """A one-command script for an exec-form RUN (`RUN ["sh", "-c", "..."]`).

    No shell parses the arguments, so each string is one word. Offsets are into
    `" ".join(argv)` (`Script.code`); a `sh -c` string is parsed as a nested script.
    """
    words, offset = [], 0
    for arg in argv:
        words.append(Word(offset, offset + len(arg), arg))
        offset += len(arg) + 1
    code = " ".join(argv)
    parser = _Parser(code, _Scope(None, False), 0, 0, None)
    draft = _Draft(parser, "", 0)
    draft.words, draft.end = words, len(code)
    parser.drafts.append(draft)
    parser.finish(draft)
    return parser.script()


def unquoted(code: str) -> str | None:
    """`code` without quote characters, backslashes and dollar signs, for pre-filters
    that look for command names without parsing; None when no such text stands for it.

    Every word's text (`Word.text`), in this script and in the scripts it runs (`sh -c
    '...'`, backquotes, here-documents read by a shell, exec-form arguments), is code
    characters in order with at most quotes, backslashes and the `$` of `$'...'` taken
    out, and it never reaches across a blank or an operator. So a command name (what
    follows the last `/` of its word) is a stretch of the unquoted text, between
    characters that are not part of it. A backslash-newline breaks that: it joins two
    lines into one word, unless the backslash is itself escaped or in a comment, which
    only a parse can tell.
    """
    if "\\\n" in code:
        return None
    return code.replace("'", "").replace('"', "").replace("\\", "").replace("$", "")


# --------------------------------------------------------------------------- lexing

_WORD, _OP, _REDIR, _EOF = range(4)
_DELIMITERS = " \t\n|&;<>()"
_OPERATOR_START = "\n|&;()<>"
_BLANKS = re.compile(r"(?:[ \t]+|\\\n)*")
_BLANKS_AND_COMMENT = re.compile(r"(?:[ \t]+|\\\n)*(?:#[^\n]*)?")
_PLAIN = re.compile(r"[^ \t\n|&;<>()$`\\\"']+")
_DQ_PLAIN = re.compile(r'[^"\\$`]+')
# After blanks, a plain word (no quotes, escapes, `$`) not followed by `<`/`>` (then it
# could be an fd: `2>&1`); `_COMMON_TOKEN` also reads a control operator.
_PLAIN_WORD_AFTER_BLANKS = (
    r"[ \t]*(?:\\\n[ \t]*)*([^ \t\n|&;<>()$`\\\"'#][^ \t\n|&;<>()$`\\\"']*)(?=[ \t\n|&;()]|\Z)"
)
_PLAIN_ARGUMENT = re.compile(_PLAIN_WORD_AFTER_BLANKS)
_COMMON_TOKEN = re.compile(
    rf"{_PLAIN_WORD_AFTER_BLANKS}|[ \t]*(?:\\\n[ \t]*)*(&&|\|\||;;&|;;|;&|\|&|[;|\n]|&(?!>))"
)
_OPERATOR = re.compile(r"&&|\|\||;;&|;;|;&|\|&|&>>|&>|<<<|<<-|<<|<>|<&|>&|>>|>\||[|&;()<>]")
_REDIRECTIONS = frozenset({"<", ">", ">>", "<>", ">|", "<&", ">&", "&>", "&>>", "<<", "<<-", "<<<"})
_PARAMETER = re.compile(r"\$(?:[A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])")
_ESCAPED_BODY = {q: re.compile(rf"(?:[^{q}\\]|\\.)*", re.S) for q in ("'", "`")}
_BACKQUOTE_ESCAPE = re.compile(r"\\([\\`$])")
_ANSI_ESCAPE = re.compile(r"\\(.)", re.S)
_ANSI_DECODED = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "e": "\x1b",
                 "E": "\x1b", "f": "\f", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}
_BALANCE = {"(": re.compile(r"""[()\\'"]"""), "{": re.compile(r"""[{}\\'"]""")}
_CLOSE = {"(": ")", "{": "}"}
_DQ_END = re.compile(r'(?:[^"\\]|\\.)*"', re.S)
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
# One token of a flat script (`_flat_script`) after blanks: a plain word, an operator
# that separates commands, or a comment.
# Characters no flat script holds (the commonest reasons it is not flat).
_NOT_FLAT = re.compile(r"[<>()$`\\\"']")
_FLAT_TOKEN = re.compile(
    r"[ \t]*(?:([^ \t\n|&;<>()$`\\\"'#][^ \t\n|&;<>()$`\\\"']*)|(&&|\|\||;(?![;&])|\n)|#[^\n]*)"
)
_CLOSERS = frozenset({"then", "elif", "else", "fi", "do", "done", "esac", "}"})
_NO_STOP: frozenset[str] = frozenset()
_STOP_PAREN = frozenset({")"})
_SEPARATORS = frozenset({";", "&", "\n"})
_STOP_THEN = frozenset({"then"})
_STOP_IF_BODY = frozenset({"elif", "else", "fi"})
_STOP_FI = frozenset({"fi"})
_STOP_DO = frozenset({"do"})
_STOP_DONE = frozenset({"done"})
_STOP_BRACE = frozenset({"}"})
_STOP_CASE_ARM = frozenset({";;", ";&", ";;&", "esac"})


def _make_word(start: int, end: int, text: str, quoted: bool, expansion: bool,
               segments: list[tuple[int, int]]) -> Word:
    """Build a word, dropping `segments` when the text is the raw code itself."""
    if len(segments) == 1 and segments[0] == (0, start) and end - start == len(text):
        return Word(start, end, text, quoted, expansion, None)
    return Word(start, end, text, quoted, expansion, tuple(segments))


def _append_run(segments: list[tuple[int, int]], text_index: int, offset: int) -> None:
    """Record that `text[text_index:]` continues at `offset`, unless it already does."""
    if segments:
        last_index, last_offset = segments[-1]
        if last_offset + text_index - last_index == offset:
            return
    segments.append((text_index, offset))


def _plain_word(start: int, end: int, text: str) -> Word:
    """A word whose text is the code itself (no quotes, escapes or expansions)."""
    return Word(start, end, text, False, False, None)


class _Builder:
    """Accumulates a complex word's text and its map to the code."""

    __slots__ = ("start", "parts", "segments", "length", "next", "quoted", "expansion")

    def __init__(self, start: int) -> None:
        self.start = start
        self.parts: list[str] = []
        self.segments: list[tuple[int, int]] = []
        self.length = 0
        self.next = -1
        self.quoted = False
        self.expansion = False

    def add(self, text: str, at: int) -> None:
        if text:
            if at != self.next:
                self.segments.append((self.length, at))
            self.parts.append(text)
            self.length += len(text)
            self.next = at + len(text)

    def word(self, end: int) -> Word:
        return _make_word(self.start, end, "".join(self.parts), self.quoted, self.expansion,
                          self.segments)


class _Scope:
    """A shell process in the making: a subshell, or a pipeline element that may fork.

    Pipeline elements and and-or lists get a scope before we know whether they fork
    (a `|` or `&` may follow); `forks` is set once we do.
    """

    __slots__ = ("parent", "forks")

    def __init__(self, parent: _Scope | None, forks: bool) -> None:
        self.parent = parent
        self.forks = forks


class _Draft:
    """A simple command while it is being read; frozen into `SimpleCommand` at the end."""

    __slots__ = ("scope", "depth", "nested_level", "launcher", "connector", "start", "end",
                 "words", "assignments", "redirects", "effective_start", "effects", "index")

    def __init__(self, parser: _Parser, connector: str, start: int) -> None:
        self.scope = parser.scope
        self.depth = parser.depth
        self.nested_level = parser.nested_level
        self.launcher = parser.launcher
        self.connector = connector
        self.start = self.end = start
        self.words: Sequence[Word] = []
        self.assignments: list[Assignment] = []
        self.redirects: list[Redirect | None] = []
        # `effective_start` and `effects` are set by `_Parser.finish`, `index` by `script`.
        self.effective_start: int
        self.effects: tuple[EnvChange | UserSwitch, ...]
        self.index: int

    def remap(self, outer: Word, code: str) -> None:
        """Move this command from a nested script's offsets to those of `code`, which
        holds the nested script as the word `outer`."""
        shift = _straight_shift(outer, code)
        if shift is None:
            def move_word(word: Word) -> Word:
                return _remap_word(word, outer, code)

            def move_span(span: Span) -> Span:
                return _remap_span(span, outer, code)
        else:
            def move_word(word: Word) -> Word:
                return _shift_word(word, shift)

            def move_span(span: Span) -> Span:
                return span[0] + shift, span[1] + shift
        self.words = tuple(map(move_word, self.words))
        self.assignments = [Assignment(a.name, move_word(a.value), move_span(a.span))
                            for a in self.assignments]
        self.redirects = [Redirect(r.op, r.fd, r.target and move_word(r.target),
                                   move_span(r.span), r.body and move_span(r.body))
                          for r in self.redirects]
        self.start, self.end = move_span((self.start, self.end))

    def freeze(self, chains: dict[_Scope, tuple[int, ...]]) -> SimpleCommand:
        shell = chains.get(self.scope) or _shell_chain(self.scope, chains)
        launcher = None if self.launcher is None else self.launcher.index
        return SimpleCommand(
            self.index, (self.start, self.end), tuple(self.words), tuple(self.assignments),
            tuple(self.redirects), self.connector, self.depth, shell, self.nested_level,
            launcher, self.effective_start, self.effects,
        )


def _shell_chain(scope: _Scope, chains: dict[_Scope, tuple[int, ...]]) -> tuple[int, ...]:
    """The ids of the processes from the script's shell down to `scope` (memoised).

    A scope's id is the number of scopes seen before it, so ids are unique and the
    root, the script's own shell, is 0.
    """
    unseen = []
    while scope is not None and scope not in chains:
        unseen.append(scope)
        scope = scope.parent
    chain = () if scope is None else chains[scope]
    for scope in reversed(unseen):
        if scope.forks or scope.parent is None:
            chain = (*chain, len(chains))
        chains[scope] = chain
    return chain


def _straight_shift(outer: Word, code: str) -> int | None:
    """How far a nested script moves when `outer` spells it verbatim, in one run
    (`sh -c 'pip install x'`), so remapping is adding this; None otherwise."""
    segments = outer.segments
    if segments is None:
        return outer.start
    if len(segments) == 1:
        offset = segments[0][1]
        if offset == 0 or code[offset - 1] != "\\":  # not an escaped first character
            return offset
    return None


def _shift_word(word: Word, shift: int) -> Word:
    segments = word.segments
    if segments is not None:
        segments = tuple((index, offset + shift) for index, offset in segments)
    return Word(word.start + shift, word.end + shift, word.text, word.quoted,
                     word.has_expansion, segments)


def _remap_span(span: Span, outer: Word, code: str) -> Span:
    """A nested script's span in the enclosing code.

    It starts at the escape of its first character if that has one, so the nested
    word `"a b"` in `sh -c "pip install \\"a b\\""` spans `\\"a b\\"`, all of it.
    """
    start, end = outer.span_of(*span)
    if start > outer.start and code[start - 1] == "\\" and (
        span[0] == 0 or outer.offset_of(span[0] - 1) != start - 1
    ):
        start -= 1
    return start, end


def _remap_word(word: Word, outer: Word, code: str) -> Word:
    """`word` of a nested script whose code is `outer.text`, re-expressed in `code`."""
    segments: list[tuple[int, int]] = []
    index = 0
    for inner_offset, length in word._runs(0, len(word.text)):
        for offset, piece in outer._runs(inner_offset, inner_offset + length):
            _append_run(segments, index, offset)
            index += piece
    start, end = _remap_span((word.start, word.end), outer, code)
    return _make_word(start, end, word.text, word.quoted, word.has_expansion, segments)


def _draft_start(draft: _Draft) -> int:
    return draft.start


class _Parser:
    """Recursive descent over one piece of code (the script, or a nested `sh -c` string)."""

    __slots__ = ("code", "n", "pos", "pushed", "drafts", "errors", "heredocs", "scope",
                 "depth", "nested_level", "launcher", "stdin_scripts")

    def __init__(self, code: str, scope: _Scope, depth: int, nested_level: int,
                 launcher: _Draft | None) -> None:
        self.code = code
        self.n = len(code)
        self.pos = 0
        self.pushed: tuple | None = None
        self.drafts: list[_Draft] = []
        self.errors: list[Diagnostic] = []
        self.heredocs: list[tuple[list, int, str, str | None, Word, int]] = []
        self.scope = scope
        self.depth = depth
        self.nested_level = nested_level
        self.launcher = launcher
        self.stdin_scripts: list[_Draft] = []

    def run(self) -> None:
        self._parse_list(_NO_STOP)
        self._read_heredocs()  # here-documents still waiting for a newline get no body
        for draft in self.stdin_scripts:
            self._parse_stdin(draft)

    def _parse_stdin(self, draft: _Draft) -> None:
        """A shell reading its script from a here-document or here-string: parse that."""
        for redirect in reversed(draft.redirects):
            if redirect is None or redirect.fd not in (None, "0"):
                continue
            if redirect.body is not None:
                start, end = redirect.body
                self.embedded(_plain_word(start, end, self.code[start:end]), draft)
                return
            if redirect.op == "<<<" and redirect.target is not None:
                self.embedded(redirect.target, draft)
                return
            if redirect.op in ("<", "<&"):
                return  # a file: not ours to read

    def script(self) -> Script:
        chains: dict[_Scope, tuple[int, ...]] = {}
        # Nested scripts are parsed when their command ends; put them in source order.
        self.drafts.sort(key=_draft_start)
        for index, draft in enumerate(self.drafts):
            draft.index = index
        commands = tuple(draft.freeze(chains) for draft in self.drafts)
        return Script(self.code, commands, tuple(sorted(self.errors, key=lambda e: e.offset)))

    def _error(self, message: str, offset: int) -> None:
        self.errors.append(Diagnostic(message, offset))

    # -- tokens

    def _token(self) -> tuple:
        """The next token: `(kind, value, offset)`; a word's value is a `Word`.

        Most tokens are a plain word or a control operator after blanks: one match of
        `_COMMON_TOKEN` reads them; everything else goes through `_other_token`.
        """
        if self.pushed is not None:
            token, self.pushed = self.pushed, None
            return token
        match = _COMMON_TOKEN.match(self.code, self.pos)
        if match is None:
            return self._other_token()
        end = self.pos = match.end()
        if match.lastindex == 1:
            start = match.start(1)
            return _WORD, _plain_word(start, end, match.group(1)), start
        if self.heredocs and match.group(2) == "\n":
            self._read_heredocs()
        return _OP, match.group(2), match.start(2)

    def _plain_arguments(self) -> list[Word]:
        """The run of plain words that follows, read by one regex scanner (the common case)."""
        if self.code[self.pos : self.pos + 1] not in (" ", "\t", "\\"):
            return []  # an operator, a quote or the end follows: no plain argument
        scanner = _PLAIN_ARGUMENT.scanner(self.code, self.pos)
        words = [new_record(Word, (*match.span(1), match.group(1), False, False, None))
                 for match in iter(scanner.match, None)]
        if words:
            self.pos = words[-1].end
        return words

    def _other_token(self) -> tuple:
        """Comments, end of input, parentheses, redirections and words needing the full lexer."""
        code = self.code
        pos = _BLANKS_AND_COMMENT.match(code, self.pos).end()
        if pos >= self.n:
            self.pos = pos
            return _EOF, "", pos
        char = code[pos]
        if char in _OPERATOR_START and not (char in "<>" and code.startswith("(", pos + 1)):
            if char == "\n":
                self.pos = pos + 1
                self._read_heredocs()
                return _OP, "\n", pos
            op = _OPERATOR.match(code, pos).group()
            self.pos = pos + len(op)
            if op in _REDIRECTIONS:
                return _REDIR, (op, None), pos
            return _OP, op, pos
        word = self._word(pos)
        end = word.end
        if end < self.n and code[end] in "<>" and word.segments is None and word.text.isdigit():
            op = _OPERATOR.match(code, end).group()
            if op in _REDIRECTIONS:
                self.pos = end + len(op)
                return _REDIR, (op, word.text), pos
        return _WORD, word, pos

    def _word(self, start: int) -> Word:
        """Read the word at `start`: plain words take one regex match, others the slow path."""
        code = self.code
        match = _PLAIN.match(code, start)
        if match is not None:
            end = match.end()
            if end == self.n or code[end] in _DELIMITERS:
                self.pos = end
                return _plain_word(start, end, match.group())
        builder = _Builder(start)
        pos = start
        if code[pos] in "<>":  # bash process substitution <(...) / >(...)
            pos = self._substitution(pos, pos + 2)
            builder.add(code[start:pos], start)
            builder.expansion = True
        while pos < self.n:
            char = code[pos]
            if char in _DELIMITERS:
                break
            if char == "\\":
                pos = self._escape(pos, builder)
            elif char == "'":
                pos = self._single_quotes(pos, builder)
            elif char == '"':
                pos = self._double_quotes(pos, builder)
            elif char == "$":
                pos = self._dollar(pos, builder, False)
            elif char == "`":
                pos = self._backquotes(pos, builder)
            else:
                match = _PLAIN.match(code, pos)
                builder.add(match.group(), pos)
                pos = match.end()
        self.pos = pos
        return builder.word(pos)

    def _escape(self, pos: int, builder: _Builder) -> int:
        if pos + 1 >= self.n:
            builder.add("\\", pos)
            return pos + 1
        if self.code[pos + 1] != "\n":  # a backslash-newline just disappears
            builder.add(self.code[pos + 1], pos + 1)
            builder.quoted = True
        return pos + 2

    def _single_quotes(self, pos: int, builder: _Builder) -> int:
        close = self.code.find("'", pos + 1)
        if close < 0:
            self._error("unterminated single quote", pos)
            close = self.n
        builder.add(self.code[pos + 1 : close], pos + 1)
        builder.quoted = True
        return min(close + 1, self.n)

    def _double_quotes(self, pos: int, builder: _Builder) -> int:
        code, opening = self.code, pos
        builder.quoted = True
        pos += 1
        while True:
            match = _DQ_PLAIN.match(code, pos)
            if match is not None:
                builder.add(match.group(), pos)
                pos = match.end()
            if pos >= self.n:
                self._error("unterminated double quote", opening)
                return self.n
            char = code[pos]
            if char == '"':
                return pos + 1
            if char == "\\":
                following = code[pos + 1 : pos + 2]
                if following == "\n":
                    pos += 2
                elif following and following in '$`"\\':
                    builder.add(following, pos + 1)
                    pos += 2
                else:
                    builder.add("\\", pos)
                    pos += 1
            elif char == "$":
                pos = self._dollar(pos, builder, True)
            else:
                pos = self._backquotes(pos, builder)

    def _dollar(self, pos: int, builder: _Builder, in_double_quotes: bool) -> int:
        """`$name`, `${...}`, `$(...)`, `$((...))`, `$'...'`, `$"..."` or a literal `$`."""
        code = self.code
        following = code[pos + 1 : pos + 2]
        if following == "(":
            if code.startswith("(", pos + 2):
                end = self._skip_balanced(pos + 3, "(", 2)
            else:
                end = self._substitution(pos, pos + 2)
        elif following == "{":
            end = self._skip_balanced(pos + 2, "{", 1)
        elif following == "'" and not in_double_quotes:
            return self._ansi_c(pos, builder)
        elif following == '"' and not in_double_quotes:
            return self._double_quotes(pos + 1, builder)
        else:
            match = _PARAMETER.match(code, pos)
            if match is None:
                builder.add("$", pos)
                return pos + 1
            end = match.end()
        builder.add(code[pos:end], pos)
        builder.expansion = True
        return end

    def _ansi_c(self, pos: int, builder: _Builder) -> int:
        """bash `$'...'`: backslash escapes decoded, each mapped to its backslash."""
        body_start = pos + 2
        body_end = _ESCAPED_BODY["'"].match(self.code, body_start).end()
        cursor = body_start
        for match in _ANSI_ESCAPE.finditer(self.code, body_start, body_end):
            builder.add(self.code[cursor : match.start()], cursor)
            decoded = _ANSI_DECODED.get(match.group(1))
            builder.add(decoded or match.group(), match.start())
            cursor = match.end()
        builder.add(self.code[cursor:body_end], cursor)
        builder.quoted = True
        if body_end >= self.n:
            self._error("unterminated $'...' string", pos)
            return self.n
        return body_end + 1

    def _backquotes(self, pos: int, builder: _Builder) -> int:
        """`` `cmd` ``: the body, `\\`, `` \\` `` and `\\$` unescaped, is a nested script."""
        code = self.code
        body_end = _ESCAPED_BODY["`"].match(code, pos + 1).end()
        body = _Builder(pos + 1)
        cursor = pos + 1
        for match in _BACKQUOTE_ESCAPE.finditer(code, pos + 1, body_end):
            body.add(code[cursor : match.start()], cursor)
            body.add(match.group(1), match.start(1))
            cursor = match.end()
        body.add(code[cursor:body_end], cursor)
        self.embedded(body.word(body_end), None)
        end = body_end + 1
        if body_end >= self.n:
            self._error("unterminated backquote", pos)
            end = self.n
        builder.add(code[pos:end], pos)
        builder.expansion = True
        return end

    def _substitution(self, opening: int, body: int) -> int:
        """`$(...)`, `<(...)`, `>(...)`: commands in a child shell, parsed in place."""
        outer_scope = self.scope
        self.scope = _Scope(outer_scope, True)
        self.depth += 1
        self.pos = body
        stop = self._parse_list(_STOP_PAREN)
        self.depth -= 1
        self.scope = outer_scope
        if stop != ")":
            self._error("unterminated command substitution", opening)
        return self.pos

    def _skip_balanced(self, pos: int, opener: str, depth: int) -> int:
        """Skip `${...}` or `$((...))` text, minding quotes; no commands are looked for."""
        code, closer, pattern = self.code, _CLOSE[opener], _BALANCE[opener]
        start = pos
        while depth:
            match = pattern.search(code, pos)
            if match is None:
                self._error(f"unterminated {opener}...{closer}", start)
                return self.n
            char, pos = match.group(), match.end()
            if char == opener:
                depth += 1
            elif char == closer:
                depth -= 1
            elif char == "\\":
                pos += 1
            elif char == "'":
                pos = code.find("'", pos) + 1 or self.n
            else:
                end = _DQ_END.match(code, pos)
                pos = end.end() if end else self.n
        return pos

    # -- here-documents and redirections

    def _redirect(self, op: str, fd: str | None, start: int, into: list) -> int:
        """Read a redirection's target; a here-document's body comes after the next newline."""
        pos = _BLANKS.match(self.code, self.pos).end()
        if pos >= self.n or self.code[pos] in "\n|&;()" or (
            self.code[pos] in "<>" and not self.code.startswith("(", pos + 1)
        ):
            self.pos = pos
            self._error(f"missing target after {op!r}", start)
            into.append(Redirect(op, fd, None, (start, pos)))
            return pos
        word = self._word(pos)
        if op in ("<<", "<<-"):
            self.heredocs.append((into, len(into), op, fd, word, start))
            into.append(None)
        else:
            into.append(Redirect(op, fd, word, (start, word.end)))
        return word.end

    def _read_heredocs(self) -> None:
        """At a newline: each pending here-document takes the lines up to its delimiter."""
        for into, index, op, fd, word, start in self.heredocs:
            tabs = r"\t*" if op == "<<-" else ""
            delimiter = re.compile(rf"^{tabs}{re.escape(word.text)}$", re.M)
            match = delimiter.search(self.code, self.pos)
            if match is None:
                self._error(f"here-document {word.text!r} is not terminated", start)
                body, self.pos = (self.pos, self.n), self.n
            else:
                body, self.pos = (self.pos, match.start()), min(match.end() + 1, self.n)
            into[index] = Redirect(op, fd, word, (start, word.end), body)
        self.heredocs = []

    # -- grammar

    def _parse_list(self, stop: frozenset[str], connector: str = "") -> str:
        """Parse commands until a token in `stop` at command position; return it ('' at EOF).

        Unexpected closers (`fi` without `if`, a stray `)`) are reported and skipped,
        so one mistake does not hide the commands after it.
        """
        outer = self.scope
        and_or: _Scope | None = None
        pipe: _Scope | None = None
        seen = False  # a leading newline or `;` separates nothing
        try:
            while True:
                kind, value, at = self._token()
                if kind == _EOF:
                    return ""
                if kind == _WORD and not value.quoted and value.text in _CLOSERS:
                    if value.text in stop:
                        return value.text
                    self._error(f"unexpected {value.text!r}", at)
                    continue
                if kind == _OP and value != "(":
                    if value in stop:
                        return value
                    if value in _SEPARATORS:
                        if value == "&" and and_or is not None:
                            and_or.forks = True
                        and_or = pipe = None
                        connector = value if seen else connector
                    elif value in ("&&", "||"):
                        pipe, connector = None, value
                    elif value in ("|", "|&"):
                        and_or = and_or or _Scope(outer, False)
                        if pipe is not None:
                            pipe.forks = True
                        pipe, connector = _Scope(and_or, True), "|"
                    else:
                        self._error(f"unexpected {value!r}", at)
                    continue
                # A pipeline element; the connector carries over only past `!`.
                and_or = and_or or _Scope(outer, False)
                pipe = self.scope = pipe or _Scope(and_or, False)
                if kind == _WORD and not value.quoted and value.text in _COMPOUNDS:
                    connector = _COMPOUNDS[value.text](self, at, connector)
                elif kind == _OP:
                    connector = self._subshell(at, connector)
                else:
                    self._simple(kind, value, at, connector)
                    connector = ""
                self.scope = outer
                seen = True
        finally:
            self.scope = outer

    def _simple(self, kind: int, value, at: int, connector: str) -> None:
        """Read words, assignments and redirections up to an operator into one command."""
        draft = _Draft(self, connector, at)
        self.drafts.append(draft)
        words: list[Word] = []
        while True:
            if kind == _WORD:
                assignment = None if words else _assignment(value)
                if assignment is None:
                    words.append(value)
                    words.extend(self._plain_arguments())
                    draft.end = words[-1].end
                else:
                    draft.assignments.append(assignment)
                    draft.end = value.end
            elif kind == _REDIR:
                draft.end = self._redirect(*value, at, draft.redirects)
            elif kind == _OP and value == "(" and len(words) == 1 and not draft.assignments:
                self._function_definition(draft)
                return
            else:
                self.pushed = (kind, value, at)
                break
            kind, value, at = self._token()
        draft.words = words
        self.finish(draft)

    def finish(self, draft: _Draft) -> None:
        """Work out the real program behind wrappers and parse any `sh -c` string it runs."""
        words = draft.words = tuple(draft.words)
        draft.effective_start, draft.effects = 0, ()
        if not words or (not draft.assignments and _basename(words[0]) not in _WRAPPERS):
            return  # the common case: an ordinary program without prefix assignments
        effects: list[EnvChange | UserSwitch] = [
            EnvChange(a.name, a.value.text, "set", True, "prefix") for a in draft.assignments
        ]
        draft.effective_start, code = _unwrap(words, effects)
        draft.effects = tuple(effects)
        if code is _STDIN:
            self.stdin_scripts.append(draft)
        elif code is not None:
            self.embedded(code, draft)

    def embedded(self, code: Word, launcher: _Draft | None) -> None:
        """Parse `code.text` as a script run by a child shell, mapping it back through `code`.

        `launcher` is the command that runs it (`sh -c`); None for a backquoted body,
        which belongs to the command being read.
        """
        if launcher is None:
            scope, depth, nested_level = self.scope, self.depth, self.nested_level
        else:
            scope, depth, nested_level = launcher.scope, launcher.depth, launcher.nested_level + 1
        parser = _Parser(code.text, _Scope(scope, True), depth + 1, nested_level,
                         launcher or self.launcher)
        parser.run()
        for draft in parser.drafts:
            draft.remap(code, self.code)
            self.drafts.append(draft)
        self.errors.extend(Diagnostic(e.message, code.offset_of(e.offset)) for e in parser.errors)

    def _function_definition(self, draft: _Draft) -> None:
        """`name() body`: the name is not a command; the body is parsed next as usual."""
        self.drafts.remove(draft)
        kind, value, at = self._token()
        if (kind, value) != (_OP, ")"):
            self._error("expected ')' in function definition", at)
            self.pushed = (kind, value, at)

    def _trailing_redirects(self) -> None:
        """Redirections after a compound command (`done < file`) belong to no simple command."""
        while True:
            kind, value, at = self._token()
            if kind != _REDIR:
                self.pushed = (kind, value, at)
                return
            self._redirect(*value, at, [])

    def _nested_list(self, stop: frozenset[str], connector: str, scope: _Scope | None) -> str:
        """A list one level deeper (group or subshell), in `scope` if it is a new process."""
        outer = self.scope
        self.scope = scope or outer
        self.depth += 1
        found = self._parse_list(stop, connector)
        self.depth -= 1
        self.scope = outer
        return found

    def _subshell(self, at: int, connector: str) -> str:
        if self.code.startswith("(", self.pos):  # bash arithmetic command ((...))
            self.pos = self._skip_balanced(self.pos + 1, "(", 2)
            return ""
        closed = self._nested_list(_STOP_PAREN, connector, _Scope(self.scope, True)) == ")"
        self._end_compound(closed, "unterminated subshell", at)
        return ""

    def _group(self, at: int, connector: str) -> str:
        closed = self._nested_list(_STOP_BRACE, connector, None) == "}"
        self._end_compound(closed, "unterminated { group", at)
        return ""

    def _if(self, at: int, connector: str) -> str:
        found = self._parse_list(_STOP_THEN, connector)
        while found == "then":
            found = self._parse_list(_STOP_IF_BODY)
            if found == "elif":
                found = self._parse_list(_STOP_THEN)
            elif found == "else":
                found = self._parse_list(_STOP_FI)
        self._end_compound(found == "fi", "unterminated if", at)
        return ""

    def _loop(self, at: int, connector: str) -> str:
        """`while`/`until`: condition list, then `do ... done`."""
        if self._parse_list(_STOP_DO, connector) == "do":
            self._do_body(at)
        else:
            self._error("expected 'do'", at)
        return ""

    def _for(self, at: int, connector: str) -> str:
        """`for NAME [in WORDS]; do ... done` (also `select`); the words are not commands."""
        del connector
        kind, value, _ = self._token()
        if (kind, value) == (_OP, "("):  # bash for ((...; ...; ...))
            self.pos = self._skip_balanced(self.pos, "(", 1)
        if self._keyword("in"):
            while kind != _EOF and not (kind == _OP and value in (";", "\n")):
                kind, value, _ = self._token()
        if self._keyword("do"):
            self._do_body(at)
        else:
            self._error("expected 'do'", at)
        return ""

    def _do_body(self, at: int) -> None:
        self._end_compound(self._parse_list(_STOP_DONE) == "done", "unterminated loop", at)

    def _case(self, at: int, connector: str) -> str:
        """`case WORD in PATTERN) LIST ;; ... esac`: patterns are not commands."""
        del connector
        self._token()  # the subject
        if not self._keyword("in"):
            self._error("expected 'in'", at)
        found = ";;"
        while found in (";;", ";&", ";;&"):
            kind, value, here = self._skip_newlines()
            if kind == _WORD and value.text == "esac":
                found = "esac"
                break
            while kind != _EOF and (kind, value) not in ((_OP, ")"), (_OP, "\n")):
                kind, value, here = self._token()
            if (kind, value) != (_OP, ")"):
                self._error("expected ')' after case pattern", here)
            found = self._parse_list(_STOP_CASE_ARM)
        self._end_compound(found == "esac", "unterminated case", at)
        return ""

    def _end_compound(self, closed: bool, message: str, at: int) -> None:
        """After a compound command: report a missing closer, else take its redirections."""
        if closed:
            self._trailing_redirects()
        else:
            self._error(message, at)

    def _conditional(self, at: int, connector: str) -> str:
        """bash `[[ ... ]]` is a keyword, not a command; `&&`, `<` inside it are operands."""
        del connector
        kind, value, here = self._token()
        while not (kind == _WORD and value.text == "]]"):
            if kind == _EOF or (kind, value) == (_OP, "\n"):
                self._error("unterminated [[", at)
                self.pushed = (kind, value, here)
                return ""
            kind, value, here = self._token()
        self._trailing_redirects()
        return ""

    def _bang(self, at: int, connector: str) -> str:
        """`! pipeline`: the negation does not change what runs."""
        del at
        return connector

    def _function_keyword(self, at: int, connector: str) -> str:
        """bash `function name [()] body`: skip the name, the body follows."""
        del at, connector
        self._token()
        kind, value, here = self._token()
        if (kind, value) == (_OP, "("):
            self._token()
        else:
            self.pushed = (kind, value, here)
        return ""

    def _skip_newlines(self) -> tuple:
        while True:
            token = self._token()
            if token[:2] != (_OP, "\n"):
                return token

    def _keyword(self, keyword: str) -> bool:
        """Consume `keyword` (after newlines and a `;`) if it comes next."""
        kind, value, at = self._skip_newlines()
        if kind == _OP and value == ";":
            kind, value, at = self._skip_newlines()
        if kind == _WORD and not value.quoted and value.text == keyword:
            return True
        self.pushed = (kind, value, at)
        return False


_COMPOUNDS = {
    "if": _Parser._if,
    "while": _Parser._loop,
    "until": _Parser._loop,
    "for": _Parser._for,
    "select": _Parser._for,
    "case": _Parser._case,
    "{": _Parser._group,
    "[[": _Parser._conditional,
    "!": _Parser._bang,
    "function": _Parser._function_keyword,
}


def _assignment(word: Word) -> Assignment | None:
    """`NAME=value` if the name and `=` are unquoted literal text, as the shell requires."""
    match = _ASSIGNMENT.match(word.text) if "=" in word.text else None
    if match is None:
        return None
    length = match.end()
    segments = word.segments
    if segments is not None and not (
        segments[0] == (0, word.start) and (len(segments) == 1 or segments[1][0] >= length)
    ):
        return None
    return Assignment(word.text[: length - 1], word.sub(length), (word.start, word.end))


# --------------------------------------------------------------------------- wrappers
#
# A wrapper runs another program given in its arguments. Each handler reads the
# wrapper's options, appends what it changes (environment, user) to `effects`, and
# returns `(index of the wrapped program or None, script)`, where the script is the
# word of a `-c` string, `_STDIN` for a shell reading standard input, or None.

def _basename(word: Word) -> str | None:
    """The program name a word invokes, or None if it is computed (`$PIP`)."""
    return None if word.has_expansion else word.text.rpartition("/")[2]


def _scan_options(words: Sequence[Word], i: int, with_value: frozenset[str],
                  plus: bool = False) -> tuple[int, list[tuple[str, Word | None]]]:
    """getopt-style options from `words[i]` up to the first operand or `--`.

    Short clusters (`-lc`) give one entry per letter; a letter or long option in
    `with_value` takes the rest of its word or the next word. `plus` also accepts
    `+o`-style options, as shells do.
    """
    found: list[tuple[str, Word | None]] = []
    while i < len(words):
        word = words[i]
        text = word.text
        if text == "--":
            return i + 1, found
        if len(text) < 2 or not (text[0] == "-" or (plus and text[0] == "+")):
            break
        if text.startswith("--"):
            name, equals, _ = text.partition("=")
            if equals:
                found.append((name, word.sub(len(name) + 1)))
            elif name in with_value and i + 1 < len(words):
                i += 1
                found.append((name, words[i]))
            else:
                found.append((name, None))
        else:
            for k in range(1, len(text)):
                letter = text[0] + text[k]
                if letter not in with_value:
                    found.append((letter, None))
                    continue
                if k + 1 < len(text):
                    found.append((letter, word.sub(k + 1)))
                elif i + 1 < len(words):
                    i += 1
                    found.append((letter, words[i]))
                break
        i += 1
    return i, found


def _option_value(options: list[tuple[str, Word | None]], names: tuple[str, ...]) -> str | None:
    """The last value given to any of `names`."""
    values = [value.text for name, value in options if name in names and value is not None]
    return values[-1] if values else None


def _clear(origin: str, kind: str = "unset") -> EnvChange:
    return EnvChange("*", None, kind, True, origin)


def _home_of(user: str, origin: str) -> EnvChange:
    """HOME becomes the passwd home of `user` (the user part of `user:group`)."""
    return EnvChange("HOME", user.partition(":")[0], "home-of", True, origin)


class _Plain(NamedTuple):
    """A wrapper that keeps user and environment (`nohup`, `timeout 10`; `exec -c` clears it)."""

    with_value: frozenset[str]
    operands: int = 0  # operands before the wrapped program (timeout's duration)
    queries: frozenset[str] = frozenset()  # options that mean no program runs (`command -v`)
    clears: frozenset[str] = frozenset()  # options that empty the environment (`exec -c`)


_PLAIN_WRAPPERS = {
    "nohup": _Plain(frozenset()),
    "busybox": _Plain(frozenset()),
    "exec": _Plain(frozenset({"-a"}), clears=frozenset({"-c"})),
    "command": _Plain(frozenset(), queries=frozenset({"-v", "-V"})),
    "time": _Plain(frozenset({"-f", "--format", "-o", "--output"})),
    "nice": _Plain(frozenset({"-n", "--adjustment"})),
    "stdbuf": _Plain(frozenset({"-i", "-o", "-e", "--input", "--output", "--error"})),
    "timeout": _Plain(frozenset({"-s", "--signal", "-k", "--kill-after"}), operands=1),
    "xargs": _Plain(frozenset({"-a", "--arg-file", "-d", "--delimiter", "-E", "-I", "-L", "-n",
                               "--max-args", "-P", "--max-procs", "-s", "--max-chars",
                               "--process-slot-var"})),
}


def _wrap_plain(spec: _Plain, words: Sequence[Word], i: int, effects: list):
    i, options = _scan_options(words, i, spec.with_value)
    names = {name for name, _ in options}
    if names & spec.queries:
        return None, None
    if names & spec.clears:
        effects.append(_clear("exec"))
    return i + spec.operands, None


_ENV_VALUES = frozenset({"-u", "--unset", "-C", "--chdir", "-S", "--split-string"})


def _wrap_env(words: Sequence[Word], i: int, effects: list):
    """`env [-i] [-u NAME] [NAME=value]... program`: the environment is edited in that order."""
    i, options = _scan_options(words, i, _ENV_VALUES)
    names = {name for name, _ in options}
    if names & {"-S", "--split-string"}:
        return None, None  # the program is inside a string env splits itself
    if i < len(words) and words[i].text == "-":
        names.add("-i")
        i += 1
    if names & {"-i", "--ignore-environment"}:
        effects.append(_clear("env"))
    effects.extend(EnvChange(value.text, None, "unset", True, "env")
                   for name, value in options if name in ("-u", "--unset") and value)
    while i < len(words) and "=" in words[i].text[1:]:
        name, _, value = words[i].text.partition("=")
        effects.append(EnvChange(name, value, "set", True, "env"))
        i += 1
    return i, None


_SU_VALUES = frozenset({"-c", "--command", "--session-command", "-s", "--shell", "-g", "--group",
                        "-G", "--supp-group", "-w", "--whitelist-environment", "-u", "--user"})


def _wrap_su(tool: str, words: Sequence[Word], i: int, effects: list):
    """`su [-] [-m] USER -c CODE`, and runuser, which also has `-u USER program`.

    Without `-m`/`-p`, su sets HOME to the target's home; `-`/`-l` also empties the
    environment (util-linux su(1)). Options may follow the user (getopt permutes).
    """
    user, code, login, preserve, direct = None, None, False, False, False
    while True:
        i, options = _scan_options(words, i, _SU_VALUES)
        for name, value in options:
            if name in ("-c", "--command", "--session-command"):
                code = value
            elif name in ("-l", "--login"):
                login = True
            elif name in ("-m", "-p", "--preserve-environment"):
                preserve = True
            elif name in ("-u", "--user") and tool == "runuser" and value is not None:
                user, direct = value.text, True
        if i < len(words) and words[i].text == "-":
            login, i = True, i + 1
        elif direct or user is not None or i >= len(words):
            break
        else:
            user, i = words[i].text, i + 1
    user = user or "root"
    if login:
        effects.append(_clear(tool))
    if login or not preserve:
        effects.append(_home_of(user, tool))
    effects.append(UserSwitch(tool, user))
    return (i, None) if direct else (None, code or _STDIN)


def _wrap_set_user(tool: str, words: Sequence[Word], i: int, effects: list):
    """`gosu USER program` / `su-exec USER program`: both set HOME to the user's home."""
    if i >= len(words) or words[i].text.startswith("-"):
        return None, None
    user = words[i].text
    effects.extend((_home_of(user, tool), UserSwitch(tool, user)))
    return i + 1, None


_SUDO_VALUES = frozenset({"-u", "--user", "-g", "--group", "-C", "--close-from", "-D", "--chdir",
                          "--host", "-p", "--prompt", "-r", "--role", "-t", "--type", "-T",
                          "--command-timeout", "-U", "--other-user", "-R", "--chroot"})
_SUDO_QUERIES = frozenset({"-l", "--list", "-v", "--validate", "-V", "--version", "-e", "--edit",
                           "-k", "--reset-timestamp", "-K", "--remove-timestamp", "-h", "--help"})


def _wrap_sudo(words: Sequence[Word], i: int, effects: list):
    """`sudo [-u USER] program`: what survives of the environment and HOME depends on
    sudoers (`env_reset`, `always_set_home`), so it is `unknown` unless -i/-H/-E say."""
    i, options = _scan_options(words, i, _SUDO_VALUES)
    names = {name for name, _ in options}
    if names & _SUDO_QUERIES and i >= len(words):
        return None, None
    user = _option_value(options, ("-u", "--user")) or "root"
    login = bool(names & {"-i", "--login"})
    if login:
        effects.append(_clear("sudo"))
    elif not names & {"-E", "--preserve-env"}:
        effects.append(_clear("sudo", "unknown"))
    if login or names & {"-H", "--set-home"}:
        effects.append(_home_of(user, "sudo"))
    else:
        effects.append(EnvChange("HOME", None, "unknown", True, "sudo"))
    effects.append(UserSwitch("sudo", user))
    return i, None


_SETPRIV_VALUES = frozenset({"--reuid", "--regid", "--ruid", "--euid", "--rgid", "--egid",
                             "--groups", "--inh-caps", "--ambient-caps", "--bounding-set",
                             "--securebits", "--pdeathsig", "--selinux-label",
                             "--apparmor-profile", "--landlock-access", "--landlock-rule"})


def _wrap_setpriv(words: Sequence[Word], i: int, effects: list):
    """`setpriv --reuid=U ... program` keeps HOME, unless `--reset-env`."""
    i, options = _scan_options(words, i, _SETPRIV_VALUES)
    user = _option_value(options, ("--reuid", "--ruid", "--euid"))
    if any(name == "--reset-env" for name, _ in options):
        effects.extend((_clear("setpriv"), _home_of(user or "root", "setpriv")))
    if user is not None:
        effects.append(UserSwitch("setpriv", user))
    return i, None


# What a wrapper returns instead of a code word when the shell reads its script from stdin.
_STDIN = Word(-1, -1, "")

_SHELL_VALUES = frozenset({"-o", "+o", "-O", "+O", "--rcfile", "--init-file"})
_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh"})


def _wrap_shell(words: Sequence[Word], i: int, effects: list):
    """`sh -c CODE`, `bash -lc CODE`, `bash -eo pipefail -c CODE`: CODE is a script.

    Without `-c` and a script file (or with `-s`), the shell reads its script from
    standard input, as in `RUN <<EOF bash -ex`.
    """
    del effects
    i, options = _scan_options(words, i, _SHELL_VALUES, plus=True)
    if ("-c", None) in options:
        return None, words[i] if i < len(words) else None
    if i >= len(words) or ("-s", None) in options:
        return None, _STDIN
    return None, None


def _bind(function, *args):
    return lambda words, i, effects: function(*args, words, i, effects)


_WRAPPERS = {
    **{name: _bind(_wrap_plain, spec) for name, spec in _PLAIN_WRAPPERS.items()},
    **dict.fromkeys(_SHELLS, _wrap_shell),
    "env": _wrap_env,
    "su": _bind(_wrap_su, "su"),
    "runuser": _bind(_wrap_su, "runuser"),
    "gosu": _bind(_wrap_set_user, "gosu"),
    "su-exec": _bind(_wrap_set_user, "su-exec"),
    "sudo": _wrap_sudo,
    "setpriv": _wrap_setpriv,
}


def _unwrap(words: Sequence[Word], effects: list) -> tuple[int, Word | None]:
    """Index of the real program in `words`, and the shell string it runs, if any."""
    i = 0
    while i < len(words):
        handler = _WRAPPERS.get(_basename(words[i]) or "")
        if handler is None:
            break
        wrapped, code = handler(words, i + 1, effects)
        if code is not None:
            return i, code
        if wrapped is None or wrapped >= len(words):
            break
        i = wrapped
    return i, None


# --------------------------------------------------------------------------- context

_DECLARATIONS = frozenset({"export", "readonly", "declare", "typeset"})


def _context(commands: tuple[SimpleCommand, ...], command: SimpleCommand) -> CommandContext:
    """Replay, in order, what earlier commands of the same or enclosing shells changed."""
    launchers: list[SimpleCommand] = []
    launcher = command.launcher
    while launcher is not None:
        launchers.append(commands[launcher])
        launcher = commands[launcher].launcher
    env: list[EnvChange] = []
    exported: set[str] = set()
    directories: list[str] = []
    user = None
    launcher_indices = {launcher.index for launcher in launchers}
    for earlier in commands[: command.index]:
        if earlier.index in launcher_indices:
            user = _apply_effects(earlier.effects, env, user)
        elif _runs_before(earlier, command, launchers):
            _apply_statement(earlier, env, exported, directories)
    user = _apply_effects(command.effects, env, user)
    return CommandContext(tuple(env), user, tuple(directories))


def _runs_before(earlier: SimpleCommand, command: SimpleCommand,
                 launchers: list[SimpleCommand]) -> bool:
    """Whether `earlier`, which comes first in the code, affects `command`'s shell.

    It must run in that shell or an enclosing one, and before the shell forked:
    a script handed to `sh -c` or read from a here-document starts when its
    launcher runs, so a statement after the launcher (`bash <<EOF && export X=1`)
    comes too late even though its text comes before the script's.
    """
    shell = earlier.shell
    if command.shell[: len(shell)] != shell:
        return False
    return all(earlier.index < launcher.index
               for launcher in launchers if launcher.shell[: len(shell)] == shell)


def _apply_effects(effects: tuple, env: list[EnvChange], user: UserSwitch | None):
    for effect in effects:
        if isinstance(effect, UserSwitch):
            user = effect
        else:
            env.append(effect)
    return user


def _apply_statement(command: SimpleCommand, env: list[EnvChange], exported: set[str],
                     directories: list[str]) -> None:
    """The lasting effect of a statement: `X=1`, `export`, `unset`, `cd`."""
    if not command.words:
        env.extend(EnvChange(a.name, a.value.text, "set", a.name in exported, "assign")
                   for a in command.assignments)
        return
    name, arguments = command.words[0].text, command.words[1:]
    if name in _DECLARATIONS:
        _declare(name, arguments, env, exported)
    elif name == "unset":
        i, options = _scan_options(arguments, 0, frozenset())
        if ("-f", None) not in options:
            env.extend(EnvChange(w.text, None, "unset", True, "unset") for w in arguments[i:])
    elif name in ("cd", "pushd"):
        i, _ = _scan_options(arguments, 0, frozenset())
        directories.append(arguments[i].text if i < len(arguments) else "~")


def _declare(name: str, arguments: Sequence[Word], env: list[EnvChange], exported: set[str]):
    """`export A=1 B`, `declare -x A=1`, `readonly A=1`: set and/or export variables."""
    i, options = _scan_options(arguments, 0, frozenset())
    flags = {option for option, _ in options}
    if flags & {"-n", "-f", "-p", "+x"}:
        return
    exporting = name == "export" or "-x" in flags
    for word in arguments[i:]:
        variable, equals, value = word.text.partition("=")
        if exporting:
            exported.add(variable)
        if equals:
            env.append(EnvChange(variable, value, "set", variable in exported, name))
        elif exporting:
            _export_shell_value(variable, env)


def _export_shell_value(variable: str, env: list[EnvChange]) -> None:
    """`export NAME` after a plain `NAME=value`: that value now reaches children."""
    for change in reversed(env):
        if change.name == variable:
            if change.kind == "set" and not change.exported:
                env.append(EnvChange(variable, change.value, "set", True, "export"))
            return
