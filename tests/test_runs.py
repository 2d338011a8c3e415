"""What a RUN hands to the container: the four shapes of BuildKit's dispatchRun."""

from __future__ import annotations

from fixer.parser import parse
from fixer.runs import run_script


def script_of(text: str):
    tree = parse(text)
    assert not tree.errors
    return tree.instructions[-1], run_script(tree.instructions[-1])


def test_shell_form_code_maps_back_through_continuations() -> None:
    text = "FROM a\nRUN pip install \\\n    # comment\n    requests\n"
    _, script = script_of(text)
    assert script.kind == "shell"
    assert script.code == "pip install     requests"
    start = script.code.index("requests")
    span = script.code_map.span(start, start + len("requests"))
    assert text[span.start : span.end] == "requests"


def test_single_heredoc_body_is_the_script() -> None:
    text = "FROM a\nRUN <<EOF\npip install x\nEOF\n"
    _, script = script_of(text)
    assert (script.kind, script.code) == ("shell", "pip install x\n")
    assert text[script.code_map.to_source(0) :].startswith("pip install x")


def test_chomped_heredoc_body_loses_leading_tabs_and_keeps_its_map() -> None:
    text = "FROM a\nRUN <<-EOF\n\t\tpip install x\n\tEOF\n"
    _, script = script_of(text)
    assert script.code == "pip install x\n"
    assert text[script.code_map.to_source(4) :].startswith("install x")


def test_shebang_body_runs_as_a_file() -> None:
    _, script = script_of("FROM a\nRUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n")
    assert script.kind == "shebang"


def test_heredoc_with_a_command_is_reconstituted_for_the_shell() -> None:
    text = "FROM a\nRUN <<EOF bash -ex\npip install x\nEOF\n"
    _, script = script_of(text)
    assert script.code == "<<EOF bash -ex\npip install x\nEOF"
    start = script.code.index("pip")
    assert text[script.code_map.to_source(start) :].startswith("pip install x\nEOF")


def test_exec_form_keeps_argv_and_string_spans() -> None:
    text = 'FROM a\nRUN ["pip", "install", "--no-cache-dir", "x"]\n'
    _, script = script_of(text)
    assert script.kind == "exec"
    assert script.argv == ("pip", "install", "--no-cache-dir", "x")
    assert [text[a:b] for a, b in script.argv_spans] == list(script.argv)


def test_onbuild_run_is_the_wrapped_script() -> None:
    _, script = script_of("FROM a\nONBUILD RUN pip install x\n")
    assert (script.kind, script.code) == ("shell", "pip install x")
