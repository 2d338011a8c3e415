"""BuildKit's word lexer: quote removal, word splitting and `$VAR` expansion.

The Dockerfile frontend does not use a real shell for its own expansions (ENV, ARG,
`--mount` option values, WORKDIR, heredoc markers): it has a small lexer of its own
(`frontend/dockerfile/shell/lex.go` in moby/buildkit). Where it differs from POSIX sh,
BuildKit's behaviour is what a build does, so this module follows it rule for rule:
`${VAR:-x}`, `${VAR:+x}`, `${VAR-x}`, `${VAR?msg}`, `${VAR#pat}`, `${VAR%pat}`,
`${VAR/pat/repl}`, escapes, single and double quotes, and `<<` kept together with the
blanks after it (heredoc markers such as `<<  EOF`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .records import slots_repr

_EOF = ""
# A name is letters, digits and `_` not starting with a digit (longer forms go through
# the scanner: `$1`, `$@`, `${NAME:-x}`...). The lookahead keeps `$NAME` followed by a
# non-ASCII letter, which BuildKit reads as part of the name, out of the fast path.
_SIMPLE_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)(?![A-Za-z0-9_]|[^\x00-\x7f])")
_SPECIAL_PARAMS = frozenset("@*#?-$!0")
_GO_SPACE = frozenset("\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000") | frozenset(
    chr(c) for c in range(0x2000, 0x200B)
)


class LexError(ValueError):
    """The frontend would reject this word (an unterminated quote, `${}`...)."""


class Lexer:
    """One configuration of BuildKit's `shell.Lex`.

    `skip_unset` keeps `$NAME` of unknown variables as written, which is how BuildKit
    lexes lines when it only wants their shape (heredoc detection). `matched` and
    `unmatched` collect the names that were looked up and found or not (BuildKit's
    UndefinedVar check uses the latter; dockerfix uses both for provenance).
    """

    __slots__ = ("escape", "raw_quotes", "raw_escapes", "skip_unset", "skip_quotes", "matched", "unmatched")

    def __init__(
        self,
        escape: str = "\\",
        raw_quotes: bool = False,
        raw_escapes: bool = False,
        skip_unset: bool = False,
        skip_quotes: bool = False,
    ) -> None:
        self.escape = escape
        self.raw_quotes = raw_quotes
        self.raw_escapes = raw_escapes
        self.skip_unset = skip_unset
        self.skip_quotes = skip_quotes
        self.matched: set[str] = set()
        self.unmatched: set[str] = set()

    __repr__ = slots_repr

    def process_word(self, word: str, env: Mapping[str, str]) -> str:
        """Expand one word, keeping the blanks inside it (ENV values, mount options)."""
        if self.escape not in word and "'" not in word and word.count('"') % 2 == 0 and not (self.raw_quotes or self.skip_quotes):
            # Double quotes only group here: expanding each stretch between them and
            # dropping the quotes is what the scanner does, quote marks ending names.
            pieces = [self._simple_expansion(piece, env) for piece in word.split('"')]
            if None not in pieces:
                return "".join(pieces)  # type: ignore[arg-type]
        return _Scanner(self, word, env).process_stop_on(_EOF, self.raw_escapes)[0]

    def _simple_expansion(self, word: str, env: Mapping[str, str]) -> str | None:
        """`$NAME` and `${NAME}` without quotes or escapes, the common case, by regex.

        None when the word holds any other use of `$`, which the scanner then handles.
        """
        if "$" not in word:
            return word
        if word.count("$") != len(_SIMPLE_REFERENCE.findall(word)):
            return None

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1) or match.group(2)
            value = env.get(name)
            (self.unmatched if value is None else self.matched).add(name)
            if value is None:
                return match.group(0) if self.skip_unset else ""
            return value

        return _SIMPLE_REFERENCE.sub(substitute, word)

    def process_words(self, text: str, env: Mapping[str, str]) -> list[str]:
        """Expand and split on unquoted blanks (ARG, heredoc detection)."""
        return _Scanner(self, text, env).process_stop_on(_EOF, self.raw_escapes)[1]


class _Words:
    """Word splitting that happens after expansion, as BuildKit's `wordsStruct`."""

    __slots__ = ("buf", "words", "in_word")

    def __init__(self) -> None:
        self.buf: list[str] = []
        self.words: list[str] = []
        self.in_word = False

    def add_char(self, ch: str) -> None:
        if ch in _GO_SPACE:
            if self.in_word and self.buf:
                self.words.append("".join(self.buf))
                self.buf.clear()
                self.in_word = False
        else:
            self.add_raw(ch)

    def add_raw(self, text: str) -> None:
        self.buf.append(text)
        self.in_word = True

    def add_string(self, text: str) -> None:
        for ch in text:
            self.add_char(ch)

    def result(self) -> list[str]:
        if self.buf:
            self.words.append("".join(self.buf))
            self.buf.clear()
            self.in_word = False
        return self.words


class _Scanner:
    __slots__ = ("lex", "text", "pos", "env", "raw_escapes")

    def __init__(self, lex: Lexer, text: str, env: Mapping[str, str]) -> None:
        self.lex = lex
        self.text = text
        self.pos = 0
        self.env = env
        self.raw_escapes = lex.raw_escapes

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else _EOF

    def next(self) -> str:
        ch = self.peek()
        if ch:
            self.pos += 1
        return ch

    def get_env(self, name: str) -> str | None:
        value = self.env.get(name)
        (self.lex.unmatched if value is None else self.lex.matched).add(name)
        return value

    def process_stop_on(self, stop: str, raw_escapes: bool) -> tuple[str, list[str]]:
        saved, self.raw_escapes = self.raw_escapes, raw_escapes
        try:
            return self._stop_on(stop)
        finally:
            self.raw_escapes = saved

    def read_until(self, stop: str, raw_escapes: bool, missing: str) -> str:
        """The expanded text up to `stop`; `missing` is the error when the input ends first."""
        try:
            return self.process_stop_on(stop, raw_escapes)[0]
        except LexError:
            if self.peek() == _EOF:
                raise LexError(missing) from None
            raise

    def _stop_on(self, stop: str) -> tuple[str, list[str]]:
        result: list[str] = []
        words = _Words()
        quotes = not self.lex.skip_quotes
        while (ch := self.peek()) != _EOF:
            if stop and ch == stop:
                self.next()
                return "".join(result), words.result()
            if ch == "$":
                value = self.process_dollar()
                result.append(value)
                words.add_string(value)
            elif ch == "<":
                value = self.process_possible_heredoc()
                result.append(value)
                words.add_raw(value)
            elif quotes and ch == "'":
                value = self.process_single_quote()
                result.append(value)
                words.add_raw(value)
            elif quotes and ch == '"':
                value = self.process_double_quote()
                result.append(value)
                words.add_raw(value)
            else:
                ch = self.next()
                if ch == self.lex.escape:
                    if self.raw_escapes:
                        words.add_raw(ch)
                        result.append(ch)
                    ch = self.next()
                    if ch == _EOF:
                        break
                    words.add_raw(ch)
                else:
                    words.add_char(ch)
                result.append(ch)
        if stop:
            raise LexError(f"unexpected end of statement while looking for matching {stop}")
        return "".join(result), words.result()

    def process_single_quote(self) -> str:
        opening = self.next()
        out = [opening] if self.lex.raw_quotes else []
        while True:
            ch = self.next()
            if ch == _EOF:
                raise LexError("unexpected end of statement while looking for matching single-quote")
            if ch == "'":
                if self.lex.raw_quotes:
                    out.append(ch)
                return "".join(out)
            out.append(ch)

    def process_double_quote(self) -> str:
        opening = self.next()
        out = [opening] if self.lex.raw_quotes else []
        escape = self.lex.escape
        while True:
            ch = self.peek()
            if ch == _EOF:
                raise LexError("unexpected end of statement while looking for matching double-quote")
            if ch == '"':
                self.next()
                if self.lex.raw_quotes:
                    out.append(ch)
                return "".join(out)
            if ch == "$":
                out.append(self.process_dollar())
                continue
            ch = self.next()
            if ch == escape:
                if self.raw_escapes:
                    out.append(ch)
                following = self.peek()
                if following == _EOF:
                    continue
                if following in ('"', "$", escape):
                    ch = self.next()
            out.append(ch)

    def process_possible_heredoc(self) -> str:
        self.next()
        if self.peek() != "<":
            return "<"
        self.next()
        blanks = []
        while self.peek() in ("\t", "\r", " "):
            blanks.append(self.next())
        return "<<" + "".join(blanks)

    def process_name(self) -> str:
        name: list[str] = []
        while (ch := self.peek()) != _EOF:
            if not name and ch.isdecimal():
                while self.peek() != _EOF and self.peek().isdecimal():
                    name.append(self.next())
                return "".join(name)
            if not name and ch in _SPECIAL_PARAMS:
                return self.next()
            if not (ch.isalpha() or ch.isdecimal() or ch == "_"):
                break
            name.append(self.next())
        return "".join(name)

    def process_dollar(self) -> str:
        self.next()
        if self.peek() != "{":
            name = self.process_name()
            if not name:
                return "$"
            value = self.get_env(name)
            if value is None:
                return "$" + name if self.lex.skip_unset else ""
            return value
        self.next()
        first = self.peek()
        if first == _EOF:
            raise LexError("syntax error: missing '}'")
        if first in "{}:":
            raise LexError("syntax error: bad substitution")
        name = self.process_name()
        ch = self.next()
        if ch == "}":
            value = self.get_env(name)
            if value is None:
                return "${" + name + "}" if self.lex.skip_unset else ""
            return value
        if ch == "/":
            return self._substitute(name)
        modifier = ch
        null_is_unset = False
        if ch == ":":
            null_is_unset = True
            ch = self.next()
            modifier += ch
        if ch not in ("+", "-", "?", "#", "%"):
            raise LexError(f"unsupported modifier ({modifier}) in substitution")
        raw = ch in "#%"
        if null_is_unset and raw:
            raise LexError(f"unsupported modifier ({modifier}) in substitution")
        word = self.read_until("}", raw, "syntax error: missing '}'")
        value = self.get_env(name)
        if value is None and self.lex.skip_unset:
            return "${" + name + modifier + word + "}"
        unset = value is None or (null_is_unset and value == "")
        if ch == "-":
            return word if unset else (value or "")
        if ch == "+":
            return "" if unset else word
        if ch == "?":
            if value is None:
                raise LexError(f"{name}: {word or 'is not allowed to be unset'}")
            if null_is_unset and value == "":
                raise LexError(f"{name}: {word or 'is not allowed to be empty'}")
            return value
        greedy = word[:1] == ch
        if greedy:
            word = word[1:]
        if ch == "%":
            return _trim_suffix(word, value or "", greedy)
        return _trim_prefix(word, value or "", greedy)

    def _substitute(self, name: str) -> str:
        replace_all = self.peek() == "/"
        if replace_all:
            self.next()
        pattern = self.read_until("/", True, "syntax error: missing '/' in ${}")
        replacement = self.read_until("}", True, "syntax error: missing '}'")
        value = self.get_env(name)
        if value is None and self.lex.skip_unset:
            return "${" + name + "/" + pattern + "/" + replacement + "}"
        regex = _shell_pattern(pattern, greedy=True, anchored=False)
        return regex.sub(lambda _: replacement, value or "", count=0 if replace_all else 1)


def _shell_pattern(pattern: str, *, greedy: bool, anchored: bool) -> re.Pattern[str]:
    """A shell wildcard (`*`, `?`, escapes; no brackets) as a regex, like BuildKit's."""
    out = ["^"] if anchored else []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        i += 1
        if ch == "*":
            out.append(".*" if greedy else ".*?")
        elif ch == "?":
            out.append(".")
        elif ch == "\\":
            following = pattern[i : i + 1]
            if following in ("}", "/"):
                continue
            if following not in ("*", "?", "\\"):
                raise LexError(f"invalid pattern ({pattern}) in substitution: invalid escape '\\{following}'")
            out.append(re.escape(following))
            i += 1
        else:
            out.append(re.escape(ch))
    return re.compile("".join(out), re.DOTALL)


def _trim_prefix(pattern: str, value: str, greedy: bool) -> str:
    match = _shell_pattern(pattern, greedy=greedy, anchored=True).search(value)
    return value[match.end() :] if match else value


def _reverse_pattern(pattern: str) -> str:
    """Reverse a pattern keeping each `\\x` escape in front of its character."""
    tokens: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern[i] == "\\" and i + 1 < len(pattern):
            tokens.append(pattern[i : i + 2])
            i += 2
        else:
            tokens.append(pattern[i])
            i += 1
    return "".join(reversed(tokens))


def _trim_suffix(pattern: str, value: str, greedy: bool) -> str:
    return _trim_prefix(_reverse_pattern(pattern), value[::-1], greedy)[::-1]


def is_plain(word: str, escape: str) -> bool:
    """No `$`, escape character or quote: the lexer gives such a word back unchanged
    (and looks no variable up), so callers may skip it."""
    return "$" not in word and escape not in word and "'" not in word and '"' not in word


def is_go_space(ch: str) -> bool:
    """Go's `unicode.IsSpace`, which BuildKit uses and which differs from `str.isspace`."""
    return ch in _GO_SPACE


GO_SPACE = "".join(sorted(_GO_SPACE))
