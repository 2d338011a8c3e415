"""The edit builders, once, on every layout a Dockerfile can have.

Each case is a whole Dockerfile and the exact text after the edit; every result must
parse (with our parser, and BuildKit's where its bindings are installed) and keep the
instruction count. The LF cases also run in CRLF and with a BOM (`variants.py`), so
line endings and offsets are checked everywhere without a second list.
"""

from __future__ import annotations

import pytest

from fixer import edits
from fixer.diagnostics import apply_edits
from fixer.parser import parse
from fixer.runs import RunScript, run_script
from fixer.shell import parse_script, script_from_argv
from fixer.syntax import Dockerfile, Instruction, Span
from variants import VARIANTS


def _run(tree: Dockerfile) -> tuple[Instruction, RunScript]:
    instruction = next(i for i in tree.instructions if i.keyword == "RUN")
    return instruction, run_script(instruction)


def _word(script: RunScript, text: str, occurrence: int = 0) -> tuple[tuple[int, int], str]:
    """The code span and text (quotes removed) of the `occurrence`-th word `text`."""
    parsed = script_from_argv(script.argv) if script.kind == "exec" else parse_script(script.code)
    words = [w for command in parsed.commands for w in command.words if w.text == text]
    return (words[occurrence].start, words[occurrence].end), words[occurrence].text


def _check(before: str, after: str, make, variant: str, added: int = 0) -> None:  # type: ignore[no-untyped-def]
    convert = VARIANTS[variant]
    tree = parse(convert(before))
    result = apply_edits(tree.source, make(tree))
    assert result == convert(after)
    fixed = parse(result)
    assert not fixed.errors
    assert len(fixed.instructions) == len(tree.instructions) + added
    try:
        import dockerfile
    except ImportError:  # BuildKit's bindings ship for x86-64 only
        return
    dockerfile.parse_string(result)


def _removing(text: str):  # type: ignore[no-untyped-def]
    def make(tree: Dockerfile):  # type: ignore[no-untyped-def]
        instruction, script = _run(tree)
        span, _ = _word(script, text)
        located = script.source_span(*span)
        assert located is not None
        return edits.remove_word(tree.source, located, edits.continuation_escape(tree, instruction, located.start))

    return make


REMOVE_WORD = [
    ("FROM a\nRUN pip install --no-cache-dir flask\n", "FROM a\nRUN pip install flask\n"),
    ("FROM a\nRUN pip install flask --no-cache-dir\n", "FROM a\nRUN pip install flask\n"),
    (
        "FROM a\nRUN pip install --no-cache-dir \\\n    flask\n",
        "FROM a\nRUN pip install \\\n    flask\n",
    ),
    (  # alone on its line inside the continuation: the line goes
        "FROM a\nRUN pip install \\\n    --no-cache-dir \\\n    flask\n",
        "FROM a\nRUN pip install \\\n    flask\n",
    ),
    (  # alone on the last line: the continuation before it goes too, comments stay
        "FROM a\nRUN pip install flask \\\n    # no cache in the image\n    --no-cache-dir\nCMD x\n",
        "FROM a\nRUN pip install flask\n    # no cache in the image\nCMD x\n",
    ),
    (  # the last line of a file without a final newline
        "FROM a\nRUN pip install flask \\\n    --no-cache-dir",
        "FROM a\nRUN pip install flask",
    ),
    (
        "# escape=`\nFROM a\nRUN pip install `\n    --no-cache-dir `\n    flask\n",
        "# escape=`\nFROM a\nRUN pip install `\n    flask\n",
    ),
    (  # escape=`: a trailing backslash is literal, not a continuation
        "# escape=`\nFROM a\nRUN pip install --no-cache-dir flask\n",
        "# escape=`\nFROM a\nRUN pip install flask\n",
    ),
    (  # in a heredoc body the shell's backslash continues lines, whatever the escape
        "# escape=`\nFROM a\nRUN <<EOF\npip install \\\n  --no-cache-dir \\\n  flask\nEOF\n",
        "# escape=`\nFROM a\nRUN <<EOF\npip install \\\n  flask\nEOF\n",
    ),
    (
        "FROM a\nRUN <<EOF\nset -e\npip install --no-cache-dir flask\nEOF\n",
        "FROM a\nRUN <<EOF\nset -e\npip install flask\nEOF\n",
    ),
    (  # trailing blanks after the escape still continue the line
        "FROM a\nRUN pip install \\  \n    --no-cache-dir \\ \n    flask\n",
        "FROM a\nRUN pip install \\  \n    flask\n",
    ),
]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize(("before", "after"), REMOVE_WORD)
def test_remove_word(before: str, after: str, variant: str) -> None:
    _check(before, after, _removing("--no-cache-dir"), variant)


def test_remove_word_without_a_line_to_join_is_empty() -> None:
    tree = parse("FROM a\nRUN <<EOF\npip install flask\n--no-cache-dir\nEOF\n")
    instruction, script = _run(tree)
    span = script.source_span(*_word(script, "--no-cache-dir")[0])
    assert span is not None
    assert edits.remove_word(tree.source, span, edits.continuation_escape(tree, instruction, span.start)) == ()


def _option(text: str, written: str):  # type: ignore[no-untyped-def]
    def make(tree: Dockerfile):  # type: ignore[no-untyped-def]
        instruction, script = _run(tree)
        span, word_text = _word(script, text)
        return edits.remove_option(tree, instruction, script, span, word_text, written)

    return make


REMOVE_OPTION = [
    (
        'FROM a\nRUN ["pip", "install", "--no-cache-dir", "flask"]\n',
        "--no-cache-dir",
        "--no-cache-dir",
        'FROM a\nRUN ["pip", "install", "flask"]\n',
    ),
    (  # the last element takes the comma before it
        'FROM a\nRUN ["pip","install","flask","--no-cache-dir"]\n',
        "--no-cache-dir",
        "--no-cache-dir",
        'FROM a\nRUN ["pip","install","flask"]\n',
    ),
    (  # a word of a script inside an element
        'FROM a\nRUN ["sh", "-c", "pip install --no-cache-dir flask"]\n',
        "--no-cache-dir",
        "--no-cache-dir",
        'FROM a\nRUN ["sh", "-c", "pip install flask"]\n',
    ),
    ("FROM a\nRUN uv pip install -nq flask\n", "-nq", "-n", "FROM a\nRUN uv pip install -q flask\n"),
    ("FROM a\nRUN uv pip install -qn flask\n", "-qn", "-n", "FROM a\nRUN uv pip install -q flask\n"),
    (
        "FROM a\nRUN pip install \\\n    --no-cache \\\n    flask\n",
        "--no-cache",
        "--no-cache",
        "FROM a\nRUN pip install \\\n    flask\n",
    ),
]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize(("before", "word", "written", "after"), REMOVE_OPTION)
def test_remove_option(before: str, word: str, written: str, after: str, variant: str) -> None:
    _check(before, after, _option(word, written), variant)


@pytest.mark.parametrize(
    ("source", "written"),
    [("FROM a\nRUN uv pip install '-nq' flask\n", "-n"), ("FROM a\nRUN pip install --cache-dir=/x\n", "--cache-dir")],
)
def test_remove_option_leaves_what_it_cannot_cut(source: str, written: str) -> None:
    tree = parse(source)
    instruction, script = _run(tree)
    word = next(w for w in parse_script(script.code).commands[0].words if w.text.startswith("-"))
    assert edits.remove_option(tree, instruction, script, (word.start, word.end), word.text, written) == ()


REMOVE_STATEMENT = [
    ("FROM a\nRUN pip install flask && pip cache purge\n", "FROM a\nRUN pip install flask\n"),
    ("FROM a\nRUN pip install flask; pip cache purge\n", "FROM a\nRUN pip install flask\n"),
    (
        "FROM a\nRUN pip install flask \\\n    && pip cache purge\n",
        "FROM a\nRUN pip install flask\n",
    ),
    (
        "# escape=`\nFROM a\nRUN pip install flask `\n    # a comment line\n    && pip cache purge\n",
        "# escape=`\nFROM a\nRUN pip install flask\n",
    ),
    (
        "FROM a\nRUN pip install flask && pip cache purge && echo done\n",
        "FROM a\nRUN pip install flask && echo done\n",
    ),
    (
        "FROM a\nRUN export PIP_NO_CACHE_DIR=1 && pip install flask\n",
        "FROM a\nRUN pip install flask\n",
    ),
    ("FROM a\nRUN PIP_NO_CACHE_DIR=1; pip install flask\n", "FROM a\nRUN pip install flask\n"),
    (
        "FROM a\nRUN export PIP_NO_CACHE_DIR=off && \\\n    pip install flask\n",
        "FROM a\nRUN pip install flask\n",
    ),
    (
        "FROM a\nRUN <<EOF\nexport PIP_NO_CACHE_DIR=1\npip install flask\nEOF\n",
        "FROM a\nRUN <<EOF\npip install flask\nEOF\n",
    ),
    # The line before ends in a continuation with no blank before it: the `\` must go too,
    # or it would continue the RUN into the next instruction.
    (
        "FROM a\nRUN pip install \\\n    flask\\\n    && pip cache purge\n\nCOPY . .\n",
        "FROM a\nRUN pip install \\\n    flask\n\nCOPY . .\n",
    ),
]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize(("before", "after"), REMOVE_STATEMENT)
def test_remove_statement(before: str, after: str, variant: str) -> None:
    def make(tree: Dockerfile):  # type: ignore[no-untyped-def]
        _, script = _run(tree)
        commands = parse_script(script.code).commands
        statement = next((c for c in commands if c.words and c.words[-1].text == "purge"), commands[0])
        previous = commands[statement.index - 1].span[1] if statement.index else None
        return edits.remove_statement(script, script.code, statement.span, previous)

    _check(before, after, make, variant)


INSERT_ARGUMENT = [
    ("FROM a\nRUN pip install flask\n", "FROM a\nRUN pip install --cache-dir=/c flask\n"),
    (
        "FROM a\nRUN python3 -m pip --disable-pip-version-check install \\\n    flask\n",
        "FROM a\nRUN python3 -m pip --disable-pip-version-check install --cache-dir=/c \\\n    flask\n",
    ),
    ('FROM a\nRUN ["pip", "install", "flask"]\n', 'FROM a\nRUN ["pip", "install", "--cache-dir=/c", "flask"]\n'),
    ('FROM a\nRUN ["pip","install","flask"]\n', 'FROM a\nRUN ["pip","install","--cache-dir=/c","flask"]\n'),
    ('FROM a\nRUN ["pip", "install"]\n', 'FROM a\nRUN ["pip", "install", "--cache-dir=/c"]\n'),
    (
        'FROM a\nRUN ["sh", "-c", "pip install flask"]\n',
        'FROM a\nRUN ["sh", "-c", "pip install --cache-dir=/c flask"]\n',
    ),
    (
        "FROM a\nRUN <<EOF\npip install flask\nEOF\n",
        "FROM a\nRUN <<EOF\npip install --cache-dir=/c flask\nEOF\n",
    ),
    (
        "# escape=`\nFROM a\nRUN pip `\n    # a comment line\n    install flask\n",
        "# escape=`\nFROM a\nRUN pip `\n    # a comment line\n    install --cache-dir=/c flask\n",
    ),
]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize(("before", "after"), INSERT_ARGUMENT)
def test_insert_argument_after(before: str, after: str, variant: str) -> None:
    def make(tree: Dockerfile):  # type: ignore[no-untyped-def]
        _, script = _run(tree)
        span, _ = _word(script, "install")
        edit = edits.insert_argument_after(script, tree.source, span, "--cache-dir=/c")
        assert edit is not None
        return [edit]

    _check(before, after, make, variant)


INSERT_PREFIX = [
    ("FROM a\nRUN poetry install\n", "FROM a\nRUN X=1 poetry install\n"),
    ("FROM a\nRUN cd /app && poetry install --no-root\n", "FROM a\nRUN cd /app && X=1 poetry install --no-root\n"),
    ("FROM a\nRUN pip install poetry \\\n    && poetry install\n", "FROM a\nRUN pip install poetry \\\n    && X=1 poetry install\n"),
    ("FROM a\nRUN <<EOF\nset -e\npoetry install\nEOF\n", "FROM a\nRUN <<EOF\nset -e\nX=1 poetry install\nEOF\n"),
    ('FROM a\nRUN ["sh", "-c", "poetry install"]\n', 'FROM a\nRUN ["sh", "-c", "X=1 poetry install"]\n'),
    ("# escape=`\nFROM a\nRUN cd /app `\n    # a comment line\n    && poetry install\n",
     "# escape=`\nFROM a\nRUN cd /app `\n    # a comment line\n    && X=1 poetry install\n"),
]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize(("before", "after"), INSERT_PREFIX)
def test_insert_before_command(before: str, after: str, variant: str) -> None:
    def make(tree: Dockerfile):  # type: ignore[no-untyped-def]
        _, script = _run(tree)
        edit = edits.insert_before_command(script, _word(script, "poetry", -1)[0], "X=1 ")
        assert edit is not None
        return [edit]

    _check(before, after, make, variant)


def test_no_prefix_where_no_shell_reads_it() -> None:
    tree = parse('FROM a\nRUN ["poetry", "install"]\n')
    _, script = _run(tree)
    assert edits.insert_before_command(script, _word(script, "poetry")[0], "X=1 ") is None


def test_an_exec_form_argument_is_json_escaped() -> None:
    tree = parse('FROM a\nRUN ["pip", "install"]\n')
    _, script = _run(tree)
    edit = edits.insert_argument_after(script, tree.source, _word(script, "install")[0], 'a"b\\c')
    assert edit is not None
    result = apply_edits(tree.source, [edit])
    assert result == 'FROM a\nRUN ["pip", "install", "a\\"b\\\\c"]\n'
    assert parse(result).instructions[1].value == ("pip", "install", 'a"b\\c')


SET_MOUNT_OPTIONS = [
    (
        "FROM a\nRUN --mount=type=cache,target=/c pip install x\n",
        {"uid": "1000", "gid": "1000"},
        "FROM a\nRUN --mount=type=cache,target=/c,uid=1000,gid=1000 pip install x\n",
    ),
    (  # shell quotes around the whole value: inside them
        'FROM a\nRUN --mount="type=cache,target=/c" pip install x\n',
        {"uid": "1000"},
        'FROM a\nRUN --mount="type=cache,target=/c,uid=1000" pip install x\n',
    ),
    (  # a CSV-quoted last value is not split: after the last option a comma follows
        "FROM a\nRUN --mount='type=cache,\"target=/c,d\"' pip install x\n",
        {"uid": "1000"},
        "FROM a\nRUN --mount='type=cache,uid=1000,\"target=/c,d\"' pip install x\n",
    ),
    (  # a wrong value is replaced in place, a missing one added
        "FROM a\nRUN --mount=type=cache,uid=1001,target=/c \\\n    # old ids\n    pip install x\n",
        {"uid": "1000", "gid": "1000"},
        "FROM a\nRUN --mount=type=cache,uid=1000,target=/c,gid=1000 \\\n    # old ids\n    pip install x\n",
    ),
    (
        "# escape=`\nFROM a\nRUN --mount=type=cache,target=/c `\n    pip install x\n",
        {"target": "/d"},
        "# escape=`\nFROM a\nRUN --mount=type=cache,target=/d `\n    pip install x\n",
    ),
    (  # a value written with a build argument
        "FROM a\nARG UID=1000\nRUN --mount=type=cache,target=/c pip install x\n",
        {"uid": "${UID}", "gid": "${UID}"},
        "FROM a\nARG UID=1000\nRUN --mount=type=cache,target=/c,uid=${UID},gid=${UID} pip install x\n",
    ),
    (
        "FROM a\nRUN --mount=type=cache,target=/c <<EOF\npip install x\nEOF\n",
        {"uid": "1000"},
        "FROM a\nRUN --mount=type=cache,target=/c,uid=1000 <<EOF\npip install x\nEOF\n",
    ),
]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize(("before", "values", "after"), SET_MOUNT_OPTIONS)
def test_set_mount_options(before: str, values: dict[str, str], after: str, variant: str) -> None:
    def make(tree: Dockerfile):  # type: ignore[no-untyped-def]
        instruction, _ = _run(tree)
        found = edits.set_mount_options(tree.source, instruction.flags[0], values)
        assert found is not None
        return found

    _check(before, after, make, variant)


@pytest.mark.parametrize(
    "source", ["FROM a\nRUN --mount=type=cache,target=/c,uid=$U pip install x\n", "FROM a\nRUN --mount='\"target=/c,d\"' x\n"]
)
def test_set_mount_options_refuses_to_hide_a_variable_or_split_a_quote(source: str) -> None:
    tree = parse(source)
    instruction, _ = _run(tree)
    assert edits.set_mount_options(tree.source, instruction.flags[0], {"uid": "1000"}) is None


def test_set_mount_options_with_nothing_to_change_is_empty() -> None:
    tree = parse("FROM a\nRUN --mount=type=cache,target=/c,uid=1000 x\n")
    instruction, _ = _run(tree)
    assert edits.set_mount_options(tree.source, instruction.flags[0], {"uid": "1000"}) == ()


@pytest.mark.parametrize("variant", VARIANTS)
def test_instruction_lines_and_move(variant: str) -> None:
    before = "FROM a\n  COPY . .\nRUN pip install -r requirements.txt\n"
    after = "FROM a\n  COPY requirements.txt ./\nRUN pip install -r requirements.txt\n  COPY . .\n"

    def make(tree: Dockerfile):  # type: ignore[no-untyped-def]
        copy, run = tree.instructions[1], tree.instructions[2]
        lines = edits.instruction_lines(tree.source, copy, ["COPY requirements.txt ./"])
        return edits.move_instruction_after(tree.source, copy, run, lines)

    _check(before, after, make, variant, added=1)


def test_move_after_a_last_line_without_newline() -> None:
    tree = parse("FROM a\r\nCOPY . .\r\nRUN pip install -r r.txt")
    copy, run = tree.instructions[1], tree.instructions[2]
    result = apply_edits(tree.source, edits.move_instruction_after(tree.source, copy, run))
    assert result == "FROM a\r\nRUN pip install -r r.txt\r\nCOPY . ."


def test_apply_within_and_line_ending() -> None:
    source = "FROM a\r\nRUN pip install x\r\n"
    tree = parse(source)
    instruction, script = _run(tree)
    edit = edits.insert_argument_after(script, source, _word(script, "install")[0], "--no-deps")
    assert edit is not None
    assert edits.apply_within(source, instruction.span, [edit]) == "RUN pip install --no-deps x\r\n"
    assert edits.line_ending(source, 0) == "\r\n"
    assert edits.line_ending("FROM a\nRUN x", 7) == "\n"
    assert edits.continuation_escape(tree, instruction, instruction.span.start) == "\\"


def test_spans_are_offsets_of_the_whole_source() -> None:
    tree = parse("\ufeffFROM a\nRUN pip install --no-cache-dir x\n")
    instruction, script = _run(tree)
    span, _ = _word(script, "--no-cache-dir")
    located = script.source_span(*span)
    assert located == Span(tree.source.index("--no"), tree.source.index("--no") + len("--no-cache-dir"))
