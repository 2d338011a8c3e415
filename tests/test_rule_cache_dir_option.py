"""DFX102 cache-dir-option: its documented examples, and the edge cases of inserting
`--cache-dir` into a command: where the subcommand is, exec-form separators, JSON
escapes, shebang heredocs, and which HOMEs count as out of view."""

from __future__ import annotations


import pytest

from fixer.diagnostics import Applicability, Diagnostic
from fixer.engine import Settings, check_text
from fixer.rules import ALL_RULES
from fixer.rules.cache_dir_option import CacheDirOption

RULE = CacheDirOption
UNSAFE = Settings(unsafe_fixes=True)
OFF = "FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\n"
MOUNT = "RUN --mount=type=cache,target=/root/.cache/pip "


def findings(text: str) -> tuple[Diagnostic, ...]:
    return check_text("Dockerfile", text, [RULE], Settings()).diagnostics


def fix(run: str, head: str = OFF) -> str:
    """The RUN line(s) after DFX102's fixes (unsafe ones included)."""
    result = check_text("Dockerfile", head + run, [RULE], UNSAFE)
    assert result.error is None, result.error
    return result.output[len(head) :]


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        ("pip --no-input install x\n", "pip --no-input install --cache-dir=/root/.cache/pip x\n"),
        ("pip install\n", "pip install --cache-dir=/root/.cache/pip\n"),
        ('pip "install" x\n', 'pip "install" --cache-dir=/root/.cache/pip x\n'),
        ("pip3.12 download -d /tmp/d x\n", "pip3.12 download --cache-dir=/root/.cache/pip -d /tmp/d x\n"),
        ("env A=1 /opt/venv/bin/pip install x\n", "env A=1 /opt/venv/bin/pip install --cache-dir=/root/.cache/pip x\n"),
        ("pip --log=install install x\n", "pip --log=install install --cache-dir=/root/.cache/pip x\n"),
        ("pip install \\\n    x\n", "pip install --cache-dir=/root/.cache/pip \\\n    x\n"),
        ('bash -c "pip install x"\n', 'bash -c "pip install --cache-dir=/root/.cache/pip x"\n'),
    ],
)
def test_the_flag_goes_right_after_the_subcommand(run: str, expected: str) -> None:
    assert fix(MOUNT + run) == MOUNT + expected


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ('["pip","install","x"]', '["pip","install","--cache-dir=/root/.cache/pip","x"]'),
        ('["pip", "install"]', '["pip", "install", "--cache-dir=/root/.cache/pip"]'),
        ('[ "pip" ,  "install" , "x" ]', '[ "pip" ,  "install" , "--cache-dir=/root/.cache/pip" , "x" ]'),
        ('["sh", "-c", "pip install x"]', '["sh", "-c", "pip install --cache-dir=/root/.cache/pip x"]'),
    ],
)
def test_exec_form_gets_an_argument_in_its_own_style(argv: str, expected: str) -> None:
    assert fix(MOUNT + argv + "\n") == MOUNT + expected + "\n"


def test_a_subcommand_word_pip_reads_as_an_option_value_is_not_guessed() -> None:
    text = OFF + MOUNT + "pip --log install install x\n"  # pip drops the first `install`, --log eats the second
    (diagnostic,) = findings(text)
    assert diagnostic.fix is None


def test_json_escapes_before_the_word_leave_it_unfixed() -> None:
    text = OFF + MOUNT + '["sh", "-c", "echo \\"hi\\" && pip install x"]\n'
    (diagnostic,) = findings(text)
    assert diagnostic.fix is None
    assert check_text("Dockerfile", text, [RULE], UNSAFE).output == text


def test_shebang_heredoc_maps_past_its_first_line() -> None:
    run = MOUNT + "<<EOF\n#!/bin/bash\nset -e\npip install x\nEOF\n"
    assert fix(run) == run.replace("pip install x", "pip install --cache-dir=/root/.cache/pip x")


def test_config_file_written_by_a_copy_heredoc() -> None:
    head = "FROM python:3.12\nCOPY <<EOF /etc/pip.conf\n[global]\nno-cache-dir = true\nEOF\n"
    (diagnostic,) = findings(head + MOUNT + "pip install x\n")
    assert diagnostic.message.startswith("no-cache-dir in a pip config file (line 2) switches pip's cache off")
    assert "no-cache-dir = true in /etc/pip.conf" in diagnostic.detail
    assert "only a command-line --cache-dir overrides it" in diagnostic.detail
    assert fix(MOUNT + "pip install x\n", head) == MOUNT + "pip install --cache-dir=/root/.cache/pip x\n"


def test_a_mount_pip_cannot_write_is_left_to_dfx104() -> None:
    """The flag turns the cache on; DFX104 then gives the mount back to root."""
    run = "RUN --mount=type=cache,target=/root/.cache/pip,uid=1000 pip install x\n"
    (diagnostic,) = findings(OFF + run)
    assert diagnostic.fix is not None and diagnostic.fix.applicability is Applicability.SAFE
    result = check_text("Dockerfile", OFF + run, list(ALL_RULES), Settings())
    assert result.output == OFF + run.replace("uid=1000 pip install", "uid=0 pip install --cache-dir=/root/.cache/pip")
    assert result.final == ()


def test_a_home_target_is_moved_first_then_named() -> None:
    """`$HOME` is no ENV here: BuildKit mounts /.cache/pip. DFX101 moves the mount to where
    pip caches with its cache on, then the flag names it."""
    run = "RUN --mount=type=cache,target=$HOME/.cache/pip pip install x\n"
    (diagnostic,) = findings(OFF + run)
    assert diagnostic.fix is None and "DFX101 moves the mount first" in diagnostic.no_fix
    result = check_text("Dockerfile", OFF + run, list(ALL_RULES), Settings())
    assert result.output == OFF + "RUN --mount=type=cache,target=/root/.cache/pip pip install --cache-dir=/root/.cache/pip x\n"


def test_an_arg_home_is_pinned() -> None:
    text = "FROM python:3.12\nARG HOME=/build\nRUN --mount=type=cache,target=/build/.cache/pip pip install x\n"
    (diagnostic,) = findings(text)
    assert diagnostic.message == "pip's cache is on its mount only through ARG HOME (line 2); a --build-arg moves it"
    assert "a build argument decides HOME" in diagnostic.detail
    assert diagnostic.fix is not None and diagnostic.fix.applicability is Applicability.SAFE


def test_a_user_from_a_build_argument_gets_the_pin() -> None:
    text = (
        "FROM python:3.12\nARG APP_USER=app\nRUN useradd -m -u 1000 app\nUSER ${APP_USER}\n"
        "RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1000 pip install --user x\n"
    )
    (diagnostic,) = findings(text)
    assert "a build argument decides HOME" in diagnostic.detail
    # The flag keeps pip on the mount whoever runs it; whether that user may write the
    # mount is DFX104's question.
    assert diagnostic.fix is not None and diagnostic.fix.applicability is Applicability.SAFE


def test_xdg_cache_home_from_a_build_argument() -> None:
    text = (
        "FROM python:3.12 AS base\nARG XDG_CACHE_HOME=/var/cache\nFROM base\n"
        "RUN --mount=type=cache,target=/var/cache/pip pip install x\n"
    )
    (diagnostic,) = findings(text)
    assert "a build argument decides XDG_CACHE_HOME" in diagnostic.detail
    assert diagnostic.fix is not None and diagnostic.fix.title == "Run pip with --cache-dir=/var/cache/pip"


@pytest.mark.parametrize(
    "head",
    [
        "FROM python:3.12\nENV XDG_CACHE_HOME=/var/cache\n",
        "FROM python:3.12 AS base\nENV XDG_CACHE_HOME=/var/cache\nFROM base\n",
        "FROM python:3.12\nRUN useradd -m app\nUSER app\nUSER root\nENV XDG_CACHE_HOME=/var/cache\n",
    ],
)
def test_an_xdg_cache_home_set_in_the_dockerfile_is_on_purpose(head: str) -> None:
    assert findings(head + "RUN --mount=type=cache,target=/var/cache/pip pip install x\n") == ()


@pytest.mark.parametrize(
    ("head", "directory", "owner", "why"),
    [
        ("FROM python:3.12\nENV HOME=/app\n", "/app", "", "a later `ENV HOME`, or an edit of this one, moves it"),
        ("FROM python:3.12 AS base\nENV HOME=/srv\nFROM base\n", "/srv", "", "an edit of this one"),
        (
            "FROM python:3.12\nRUN useradd -m -u 1000 app\nUSER app\n",
            "/home/app",
            ",uid=1000",
            "a change of `USER`, or of the home of app (uid 1000), moves it",
        ),
        ("FROM python:3.12\nUSER 1234\n", "", ",uid=1234", "a change of `USER`, or of the home of uid 1234, moves it"),
        ("FROM quay.io/jupyter/minimal-notebook:2024-07-08\n", "/home/jovyan", ",uid=1000,gid=100", "another base image"),
        (
            "FROM quay.io/jupyter/minimal-notebook:2024-07-08 AS notebook\nFROM notebook\n",
            "/home/jovyan",
            ",uid=1000,gid=100",
            "another base image",
        ),
        ("FROM python:3.12\nENV HOME=/root/work\n", "/root/work", "", "a later `ENV HOME`"),
    ],
)
def test_a_home_something_else_can_move_is_pinned(head: str, directory: str, owner: str, why: str) -> None:
    run = f"RUN --mount=type=cache,target={directory}/.cache/pip{owner} pip install x\n"
    (diagnostic,) = findings(head + run)
    assert why in diagnostic.detail
    assert f"--cache-dir={directory}/.cache/pip keeps it on the mount" in diagnostic.detail
    assert fix(run, head) == run.replace("install x", f"install --cache-dir={directory}/.cache/pip x")


@pytest.mark.parametrize(
    "head",
    [
        "FROM python:3.12\n",
        "FROM python:3.12\nENV HOME=/root\n",
        "FROM python:3.12\nRUN useradd -m app\nUSER app\nUSER root\n",
        "FROM python:3.12 AS base\nRUN useradd -m app\nUSER app\nFROM base\nUSER 0\n",
    ],
)
def test_roots_own_home_is_stable(head: str) -> None:
    assert findings(head + MOUNT + "pip install x\n") == ()


def test_a_home_set_on_the_command_is_in_view() -> None:
    assert findings("FROM python:3.12\nRUN --mount=type=cache,target=/app/.cache/pip HOME=/app pip install x\n") == ()


def test_one_diagnostic_per_run_fixes_every_call_in_one_pass() -> None:
    run = MOUNT + "pip install a && pip install b && pip download -d /d c\n"
    (diagnostic,) = findings(OFF + run)
    assert diagnostic.message.startswith("3 pip calls: ")
    assert diagnostic.fix is not None and len(diagnostic.fix.edits) == 3
    assert fix(run).count("--cache-dir=/root/.cache/pip") == 3


def test_uv_pip_is_not_pip() -> None:
    assert findings(OFF + MOUNT + "uv pip install --system x\n") == ()


def test_a_mount_named_for_a_tool_the_run_does_not_run_waits_for_its_move() -> None:
    """A pipenv mount over a pip call is meant for pip: DFX101 moves it, then the flag names it."""
    (finding,) = findings(OFF + "RUN --mount=type=cache,target=/root/.cache/pipenv pip install x\n")
    assert finding.fix is None and "DFX101 moves the mount first" in finding.no_fix
    result = check_text("Dockerfile", OFF + "RUN --mount=type=cache,target=/root/.cache/pipenv pip install x\n",
                        list(ALL_RULES), Settings())
    assert result.output == OFF + "RUN --mount=type=cache,target=/root/.cache/pip pip install --cache-dir=/root/.cache/pip x\n"
    assert result.final == ()


def test_a_call_beside_one_that_uses_the_mount_gets_that_directory() -> None:
    run = "RUN --mount=type=cache,target=/root/.cache pip install a && pip install --cache-dir /tmp/b b\n"
    assert fix(run, "FROM python:3.12\n") == run.replace("/tmp/b", "/root/.cache/pip")
    run = "RUN --mount=type=cache,target=/root/.cache pip install --cache-dir=/root/.cache/pip a && pip install b\n"
    assert fix(run) == run.replace("install b", "install --cache-dir=/root/.cache/pip b")
