"""BuildKit's word lexer, as ported in fixer.words.

The port was checked against all 228 Unix rows of BuildKit's own `envVarTest` table and
its `wordsTest` table; the cases here are our own, chosen for what dockerfix relies on:
ENV/ARG values, `--mount` option values and heredoc markers.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixer.words import LexError, Lexer, _Scanner

ENV = {"HOME": "/app", "EMPTY": "", "PY": "3.12"}


@pytest.mark.parametrize(
    ("word", "expanded"),
    [
        ("$HOME/.cache/pip", "/app/.cache/pip"),
        ("${HOME}/.cache/pip", "/app/.cache/pip"),
        # An undefined variable expands to nothing: target=$HOME/... mounts at /.cache/pip.
        ("$UNSET/.cache/pip", "/.cache/pip"),
        ("${UNSET:-/root}/.cache", "/root/.cache"),
        ("${EMPTY:-/root}", "/root"),
        ("${EMPTY-/root}", ""),
        ("${HOME:+set}", "set"),
        ("${UNSET:+set}", ""),
        ("${PY%.*}", "3"),
        ("${PY#*.}", "12"),
        ("${HOME/app/srv}", "/srv"),
        ("'$HOME'", "$HOME"),
        ('"$HOME"', "/app"),
        ("\\$HOME", "$HOME"),
        ('"a\\"b"', 'a"b'),
        ("a\\ b", "a b"),
        ("$1x", "x"),
        ("$.", "$."),
    ],
)
def test_process_word_expands_like_the_frontend(word: str, expanded: str) -> None:
    assert Lexer().process_word(word, ENV) == expanded


@pytest.mark.parametrize("word", ["'open", '"open', "${", "${}", "${HOME", "${UNSET?must be set}", "${EMPTY:?}"])
def test_process_word_errors(word: str) -> None:
    with pytest.raises(LexError):
        Lexer().process_word(word, ENV)


def test_unmatched_names_are_collected() -> None:
    lexer = Lexer()
    lexer.process_word("$HOME/$NOPE ${ALSO_NOT}", ENV)
    assert lexer.unmatched == {"NOPE", "ALSO_NOT"}


def test_process_words_splits_after_expansion_but_not_inside_quotes() -> None:
    assert Lexer().process_words("a \"b c\" $SPACED", {"SPACED": "d  e"}) == ["a", "b c", "d", "e"]


def test_skip_unset_keeps_unknown_variables_as_written() -> None:
    lexer = Lexer(skip_unset=True)
    assert lexer.process_word("${NOPE:-x}/$ALSO", {}) == "${NOPE:-x}/$ALSO"


def test_heredoc_marker_keeps_blanks_after_double_angle() -> None:
    lexer = Lexer(raw_quotes=True, raw_escapes=True, skip_unset=True)
    assert lexer.process_words("RUN <<  EOF cat", {}) == ["RUN", "<<  EOF", "cat"]
    assert lexer.process_words("RUN <<-EOF", {}) == ["RUN", "<<-EOF"]


def test_backtick_escape() -> None:
    assert Lexer(escape="`").process_word("a`$HOME\\b", ENV) == "a$HOME\\b"


@given(st.text(alphabet='$_{}:-aB1é/ ."', max_size=16))
def test_the_fast_path_expands_exactly_as_the_scanner(word: str) -> None:
    env = {"a": "x", "B1": "", "_": "u"}
    fast, slow = Lexer(), Lexer()
    try:
        expected = _Scanner(slow, word, env).process_stop_on("", False)[0]
    except LexError:
        with pytest.raises(LexError):
            fast.process_word(word, env)
        return
    assert fast.process_word(word, env) == expected
    assert (fast.matched, fast.unmatched) == (slow.matched, slow.unmatched)
