"""Unit tests of the parser, one BuildKit rule at a time.

Each case states the rule and where BuildKit implements it (moby/buildkit
`frontend/dockerfile/parser/*.go`); the differential tests then check the same rules
against BuildKit's own parser over a corpus and generated files.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixer.parser import decode, encode, parse
from fixer.syntax import Trivia


def only_run(text: str):
    runs = [i for i in parse(text).instructions if i.keyword == "RUN"]
    assert len(runs) == 1
    return runs[0]


def test_elements_tile_the_source_exactly() -> None:
    text = "\ufeff# syntax=docker/dockerfile:1\n\nFROM python:3.12\r\n# note\nRUN pip \\\n  # inside\n\n  install x\nCMD [\"x\"]"
    tree = parse(text)
    position = 0
    for element in tree.elements:
        assert element.span.start == position
        position = element.span.end
    assert position == len(text)
    assert tree.render() == text
    assert [e.kind for e in tree.elements if isinstance(e, Trivia)] == ["bom", "directive", "blank", "comment"]


def test_invalid_utf8_round_trips_through_decode_and_encode() -> None:
    data = b"FROM a\nRUN echo \xff\xfe\n"
    assert encode(parse(decode(data)).render()) == data


@pytest.mark.parametrize(
    ("text", "escape", "names"),
    [
        ("# escape=`\nFROM a\n", "`", ["escape"]),
        ("#ESCAPE = ` \nFROM a\n", "`", ["escape"]),
        ("  # escape=`\nFROM a\n", "`", ["escape"]),
        ("# syntax=docker/dockerfile:1\n# check=skip=all\n# escape=`\nFROM a\n", "`", ["syntax", "check", "escape"]),
        # A comment or a blank line ends the directives: later ones are comments.
        ("# hello\n# escape=`\nFROM a\n", "\\", []),
        ("\n# escape=`\nFROM a\n", "\\", []),
        ("FROM a\n# escape=`\n", "\\", []),
        # Unknown keys end the directives too.
        ("# foo=bar\n# escape=`\nFROM a\n", "\\", []),
    ],
)
def test_parser_directives_count_only_at_the_top(text: str, escape: str, names: list[str]) -> None:
    tree = parse(text)
    assert tree.escape == escape
    assert [d.name for d in tree.directives] == names
    assert not tree.errors


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# syntax=a\n# syntax=b\nFROM a\n", "only one syntax parser directive can be used"),
        ("# escape=x\nFROM a\n", "invalid escape token 'x' does not match ` or \\"),
    ],
)
def test_bad_directives_are_errors_with_a_line(text: str, message: str) -> None:
    (error,) = parse(text).errors
    assert error.message == message
    assert error.line in (1, 2)


def test_backtick_escape_makes_backslash_literal() -> None:
    tree = parse("# escape=`\nFROM a\nRUN dir c:\\ `\n  && echo ok\nRUN echo \\\n")
    first, second = tree.instructions[1:]
    assert first.value == ("dir c:\\   && echo ok",)
    assert (first.start_line, first.end_line) == (3, 4)
    assert second.value == ("echo \\",)


def test_continuation_skips_comments_and_empty_lines_and_keeps_indent() -> None:
    run = only_run("FROM a\nRUN pip install \\\n    # a comment\n\n   \n    x  \\  \t\n    y\n")
    assert run.value == ("pip install     x      y",)
    assert (run.start_line, run.end_line) == (2, 7)


def test_escaped_escape_at_end_of_line_is_not_a_continuation() -> None:
    tree = parse("FROM a\nRUN echo a\\\\\nRUN b\n")
    assert [i.value for i in tree.instructions[1:]] == [("echo a\\\\",), ("b",)]


def test_line_of_only_the_escape_char_starts_an_empty_continuation() -> None:
    tree = parse("FROM a\n\\\nRUN x\n")
    assert [i.keyword for i in tree.instructions] == ["FROM", "RUN"]
    assert tree.instructions[1].start_line == 2


def test_crlf_and_stray_cr_are_trimmed_like_buildkit() -> None:
    run = only_run("FROM a\r\nRUN a \\\r\n  b\r\r\n")
    assert run.value == ("a   b",)


def test_bom_is_trivia_and_does_not_shift_lines() -> None:
    tree = parse("\ufeff# escape=`\nFROM a\n")
    assert tree.escape == "`"
    assert tree.instructions[0].start_line == 2
    assert tree.elements[0] == Trivia("bom", tree.elements[0].span)


def test_no_final_newline() -> None:
    run = only_run("FROM a\nRUN x \\")
    assert run.value == ("x",)
    assert parse("FROM a\nRUN x \\").render() == "FROM a\nRUN x \\"


@pytest.mark.parametrize(
    ("line", "is_json", "value"),
    [
        ('RUN ["pip", "install", "x"]', True, ("pip", "install", "x")),
        ("RUN []", True, ()),
        ('RUN ["a\\u00e9\\n"]', True, ("a\u00e9\n",)),
        ('RUN ["bad json', False, ('["bad json',)),
        ("RUN [NaN]", False, ("[NaN]",)),
        # Current BuildKit decodes with json.Unmarshal: trailing text means shell form.
        ('RUN ["a"] b', False, ('["a"] b',)),
        ('COPY ["a b", "/c"]', True, ("a b", "/c")),
        ("COPY a  b\t/c", False, ("a", "b", "/c")),
        ('HEALTHCHECK --interval=5s CMD ["curl", "-f", "x"]', True, ("CMD", "curl", "-f", "x")),
        ("HEALTHCHECK NONE", False, ("NONE",)),
    ],
)
def test_json_form(line: str, is_json: bool, value: tuple[str, ...]) -> None:
    instruction = parse(f"FROM a\n{line}\n").instructions[1]
    assert (instruction.json, instruction.value) == (is_json, value)


def test_json_array_of_non_strings_is_an_error() -> None:
    (error,) = parse("FROM a\nRUN [1]\n").errors
    assert error.message == "when using JSON array syntax, arrays must be comprised of strings only"
    assert (error.line, error.column) == (2, 5)


def test_lowercase_and_unknown_instructions() -> None:
    tree = parse("from a\nrun echo\nFOO bar baz\n")
    assert [i.keyword for i in tree.instructions] == ["FROM", "RUN", "FOO"]
    assert tree.instructions[2].value == ("",)
    assert tree.instructions[1].keyword_span.text(tree.source) == "run"


def test_flags_are_unquoted_and_stop_at_the_first_other_word() -> None:
    text = 'FROM a\nRUN --mount="type=cache,target=/x y" --network=none echo --not-a-flag\n'
    run = only_run(text)
    assert [f.text for f in run.flags] == ["--mount=type=cache,target=/x y", "--network=none"]
    assert run.flags[0].span.text(text) == '--mount="type=cache,target=/x y"'
    assert run.value == ("echo --not-a-flag",)


def test_lone_double_dash_ends_flags() -> None:
    run = only_run("FROM a\nRUN --network=none -- --version\n")
    assert [f.text for f in run.flags] == ["--network=none"]
    assert run.value == ("--version",)


def test_mount_options_have_key_and_value_spans_across_continuations() -> None:
    text = "FROM a\nRUN --mount=type=cache,\\\nTarget=/root/.cache/pip,uid=1000 pip install x\n"
    run = only_run(text)
    (mount,) = run.flag_named("mount")
    options = {o.key: o for o in mount.mount_options}
    assert options["target"].key_span.text(text) == "Target"
    assert options["target"].value_span.text(text) == "/root/.cache/pip"
    assert options["uid"].value == "1000"
    assert text[options["uid"].span.start : options["uid"].span.end] == "uid=1000"


def test_mount_option_spans_skip_removed_quotes() -> None:
    text = 'FROM a\nRUN --mount=type=cache,"target=/a b",ro echo\n'
    (mount,) = only_run(text).flag_named("mount")
    target = mount.mount_options[1]
    assert (target.value, target.value_span.text(text)) == ("/a b", "/a b")
    assert mount.mount_options[2].value is None


def test_flag_split_by_continuation_ends_at_the_joined_blank() -> None:
    run = only_run("FROM a\nRUN --mount=type=cache, \\\n  target=/x echo\n")
    assert [f.text for f in run.flags] == ["--mount=type=cache,"]


@pytest.mark.parametrize(
    ("text", "names", "content"),
    [
        ("FROM a\nRUN <<EOF\npip install x\nEOF\n", ["EOF"], "pip install x\n"),
        ("FROM a\nRUN <<-EOT bash\n\tset -e\n\tEOT\n", ["EOT"], "\tset -e\n"),
        ("FROM a\nRUN <<'EOF'\n$HOME\nEOF\n", ["EOF"], "$HOME\n"),
        ('FROM a\nRUN <<"EOF"\nx\nEOF\n', ["EOF"], "x\n"),
        ('FROM a\nCOPY <<EO"F" /x\nhi\nEOF\n', ["EOF"], "hi\n"),
        ("FROM a\nRUN 3<<EOF cat\nx\nEOF\n", ["EOF"], "x\n"),
        ("FROM a\nRUN <<EOF\r\nbody\r\nEOF\r\n", ["EOF"], "body\r\n"),
        # Since 2025 BuildKit allows blanks between << and the word.
        ("FROM a\nRUN << EOF\nx\nEOF\n", ["EOF"], "x\n"),
    ],
)
def test_heredocs(text: str, names: list[str], content: str) -> None:
    run = [i for i in parse(text).instructions if i.keyword in ("RUN", "COPY")][0]
    assert [h.name for h in run.heredocs] == names
    assert run.heredocs[0].content == content
    assert run.heredocs[0].body_span.text(text) == content
    assert run.end_line == text.count("\n")


def test_quoted_heredoc_does_not_expand() -> None:
    run = only_run("FROM a\nRUN <<'EOF'\nx\nEOF\n")
    assert run.heredocs[0].expand is False
    assert only_run("FROM a\nRUN <<EOF\nx\nEOF\n").heredocs[0].expand is True


def test_several_heredocs_on_one_line_are_read_in_order() -> None:
    text = "FROM a\nCOPY <<A <<B /dst/\nfirst\nA\nsecond\nB\nRUN ls\n"
    copy = parse(text).instructions[1]
    assert [(h.name, h.content) for h in copy.heredocs] == [("A", "first\n"), ("B", "second\n")]
    assert (copy.start_line, copy.end_line) == (2, 6)


def test_heredoc_marker_in_quotes_or_json_is_not_a_heredoc() -> None:
    assert not only_run('FROM a\nRUN echo "<<EOF"\n').heredocs
    assert not only_run('FROM a\nRUN ["cat", "<<EOF"]\n').heredocs
    assert not only_run("FROM a\nRUN echo '<<EOF\n").heredocs


def test_unterminated_heredoc_is_an_error_and_still_round_trips() -> None:
    text = "FROM a\nRUN <<EOF\npip install x\n"
    tree = parse(text)
    assert tree.render() == text
    (error,) = tree.errors
    assert "unterminated heredoc" in error.message and error.line == 2


def test_onbuild_wraps_an_instruction_with_its_own_flags_and_heredocs() -> None:
    text = "FROM a\nONBUILD RUN --mount=type=cache,target=/c <<EOF\nx\nEOF\n"
    onbuild = parse(text).instructions[1]
    assert onbuild.keyword == "ONBUILD"
    assert onbuild.sub is not None and onbuild.sub.keyword == "RUN"
    assert [f.text for f in onbuild.sub.flags] == ["--mount=type=cache,target=/c"]
    assert [h.name for h in onbuild.effective.heredocs] == ["EOF"]


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ('ENV A=1 B="two words"', ("A", "1", "=", "B", '"two words"', "=")),
        ("ENV A one two", ("A", "one two", "")),
        ("LABEL a=b", ("a", "b", "=")),
        ('ARG V="a b" W', ('V="a b"', "W")),
        ("USER app:app", ("app:app",)),
        ("FROM python:3.12 AS build", ("python:3.12", "AS", "build")),
    ],
)
def test_argument_forms(line: str, value: tuple[str, ...]) -> None:
    assert parse(f"FROM a\n{line}\n").instructions[-1].value == value


@pytest.mark.parametrize(
    "text",
    ["", "# only a comment\n", "\n\n"],
)
def test_a_file_without_instructions_is_an_error(text: str) -> None:
    (error,) = parse(text).errors
    assert error.message == "file with no instructions"


def test_env_without_value_error_names_line_and_column() -> None:
    (error,) = parse("FROM a\n  ENV PATH\n").errors
    assert (error.line, error.column, error.message) == (2, 7, "ENV must have two arguments")


def test_positions_are_one_based() -> None:
    tree = parse("FROM a\nRUN x\n")
    assert tree.position(tree.instructions[1].keyword_span.start) == (2, 1)


@given(st.text(alphabet="ab<- \t\r\u00a0=", max_size=24))
def test_heredoc_word_fast_path_matches_the_lexer(line: str) -> None:
    from fixer.parser import _MARKER_LEXER, marker_words

    assert marker_words(line) == _MARKER_LEXER.process_words(line, {})
