"""DFX103 cache-disabled-under-mount: its documented examples, and the edge cases of
removing a word from a RUN without disturbing the layout around it."""

from __future__ import annotations


import pytest

from fixer.diagnostics import Applicability
from fixer.engine import Settings, check_text
from fixer.rules import ALL_RULES
from fixer.rules.cache_disabled_under_mount import CacheDisabledUnderMount

RULE = CacheDisabledUnderMount
MOUNT = "RUN --mount=type=cache,target=/root/.cache/pip "
UV_MOUNT = "RUN --mount=type=cache,target=/root/.cache/uv "


def fix(run: str, head: str = "FROM python:3.12\n") -> str:
    """The Dockerfile `head + run` after DFX103's fixes (unsafe ones included)."""
    result = check_text("Dockerfile", head + run, [RULE], Settings(unsafe_fixes=True))
    assert result.error is None, result.error
    return result.output[len(head) :]


def findings(text: str) -> list:  # type: ignore[type-arg]
    return list(check_text("Dockerfile", text, [RULE], Settings()).diagnostics)


@pytest.mark.parametrize(
    ("run", "fixed"),
    [
        # the word and the blanks after it, when code follows on the line
        (MOUNT + "pip install --no-cache-dir flask\n", MOUNT + "pip install flask\n"),
        (MOUNT + "pip install\t--no-cache-dir  flask\n", MOUNT + "pip install\tflask\n"),
        # the blanks before it, when it ends the line or precedes a continuation
        (MOUNT + "pip install flask --no-cache-dir\n", MOUNT + "pip install flask\n"),
        (MOUNT + "pip install flask --no-cache-dir \\\n  && echo ok\n", MOUNT + "pip install flask \\\n  && echo ok\n"),
        (MOUNT + "\\\n    pip install --no-cache-dir \\\n    flask\n", MOUNT + "\\\n    pip install \\\n    flask\n"),
        # alone on its line: the line goes, comments stay
        (MOUNT + "\\\n  pip install \\\n  # cache\n  --no-cache-dir \\\n  flask\n", MOUNT + "\\\n  pip install \\\n  # cache\n  flask\n"),
        # alone on the last line: the continuation before it goes too
        (MOUNT + "\\\n  pip install flask \\\n  --no-cache-dir\nCMD [\"x\"]\n", MOUNT + "\\\n  pip install flask\nCMD [\"x\"]\n"),
        (MOUNT + "\\\n  pip install flask \\\n  # why\n  --no-cache-dir\n", MOUNT + "\\\n  pip install flask\n  # why\n"),
        (MOUNT + "\\\n  pip install flask \\\n  --no-cache-dir", MOUNT + "\\\n  pip install flask"),
        # abbreviations and spellings pip accepts
        (MOUNT + "pip install --no-cache flask\n", MOUNT + "pip install flask\n"),
        (MOUNT + "pip install --no-ca flask\n", MOUNT + "pip install flask\n"),
        (MOUNT + "python3 -m pip --no-cache-dir install flask\n", MOUNT + "python3 -m pip install flask\n"),
        (MOUNT + "/usr/local/bin/pip3 install flask '--no-cache-dir'\n", MOUNT + "/usr/local/bin/pip3 install flask\n"),
        # each occurrence, pass after pass
        (MOUNT + "pip install --no-cache-dir flask --no-cache-dir\n", MOUNT + "pip install flask\n"),
        # exec form: the last element takes the comma before it
        (MOUNT + '["pip", "install", "flask", "--no-cache-dir"]\n', MOUNT + '["pip", "install", "flask"]\n'),
        (MOUNT + '["pip", "install", \\\n     "--no-cache-dir", \\\n     "flask"]\n', MOUNT + '["pip", "install", \\\n     "flask"]\n'),
        (MOUNT + '["sh", "-c", "pip install --no-cache-dir flask"]\n', MOUNT + '["sh", "-c", "pip install flask"]\n'),
        # heredoc scripts run by their shebang or by the shell named after the marker
        (MOUNT + "<<EOF\n#!/bin/sh\nset -e\npip install --no-cache-dir flask\nEOF\n", MOUNT + "<<EOF\n#!/bin/sh\nset -e\npip install flask\nEOF\n"),
        (MOUNT + "<<EOF bash -ex\npip install --no-cache-dir flask\nEOF\n", MOUNT + "<<EOF bash -ex\npip install flask\nEOF\n"),
        # variables set for the command, or exported before it
        (MOUNT + "env PIP_NO_CACHE_DIR=0 pip install flask\n", MOUNT + "env pip install flask\n"),
        (MOUNT + "PIP_NO_CACHE_DIR=false \\\n    pip install flask\n", MOUNT + "\\\n    pip install flask\n"),
        (MOUNT + "\\\n    PIP_NO_CACHE_DIR=false \\\n    pip install flask\n", MOUNT + "\\\n    pip install flask\n"),
        (MOUNT + "export LANG=C.UTF-8 PIP_NO_CACHE_DIR=1 && pip install flask\n", MOUNT + "export LANG=C.UTF-8 && pip install flask\n"),
        (MOUNT + "set -e; export PIP_NO_CACHE_DIR=1; pip install flask\n", MOUNT + "set -e; pip install flask\n"),
        (MOUNT + "PIP_NO_CACHE_DIR=1 sh -c 'pip install flask'\n", MOUNT + "sh -c 'pip install flask'\n"),
        # uv
        (UV_MOUNT + "uv pip install --system --no-cache flask\n", UV_MOUNT + "uv pip install --system flask\n"),
        (UV_MOUNT + "uv pip install --system -nq flask\n", UV_MOUNT + "uv pip install --system -q flask\n"),
        (UV_MOUNT + "UV_NO_CACHE=1 uv sync --frozen\n", UV_MOUNT + "uv sync --frozen\n"),
        # root may write a uv cache that another uid owns
        (
            "RUN --mount=type=cache,target=/root/.cache/uv,uid=1000 uv sync --no-cache\n",
            "RUN --mount=type=cache,target=/root/.cache/uv,uid=1000 uv sync\n",
        ),
    ],
)
def test_removal_keeps_the_layout(run: str, fixed: str) -> None:
    assert fix(run) == fixed


def test_the_last_line_goes_with_crlf() -> None:
    run = MOUNT + "\\\r\n  pip install flask \\\r\n  --no-cache-dir\r\nCMD [\"x\"]\r\n"
    assert fix(run, "FROM python:3.12\r\n") == MOUNT + "\\\r\n  pip install flask\r\nCMD [\"x\"]\r\n"


def test_an_option_that_cannot_be_mapped_is_reported_without_a_fix() -> None:
    (finding,) = findings("FROM python:3.12\n" + MOUNT + '["sh", "-c", "pip install --no-cache-dir \\"flask\\""]\n')
    assert finding.fix is None


def test_heredoc_continuations_use_the_shell_escape() -> None:
    head = "# escape=`\nFROM python:3.12\n"
    run = MOUNT + "<<EOF\npip install flask \\\n  --no-cache-dir\nEOF\n"
    assert fix(run, head) == MOUNT + "<<EOF\npip install flask\nEOF\n"


def test_an_option_at_the_end_of_a_line_before_a_backtick() -> None:
    head = "# escape=`\nFROM python:3.12\n"
    assert fix(MOUNT + "`\n  pip install --no-cache-dir `\n  flask\n", head) == MOUNT + "`\n  pip install `\n  flask\n"


@pytest.mark.parametrize(
    "setting", ["ENV PIP_NO_CACHE_DIR=1\n", "RUN pip config set global.no-cache-dir false\n"], ids=["env", "config"]
)
def test_a_stage_wide_pip_switch_is_dfx102s_alone(setting: str) -> None:
    """One problem, one finding: only DFX102's `--cache-dir` overrides it for this RUN."""
    text = "FROM python:3.12\n" + setting + MOUNT + "pip install flask\n"
    assert findings(text) == []
    (finding,) = check_text("Dockerfile", text, list(ALL_RULES), Settings()).diagnostics
    assert finding.code == "DFX102" and finding.fix is not None


def test_the_option_goes_and_the_stage_setting_is_named() -> None:
    text = "FROM python:3.12\nENV PIP_NO_CACHE_DIR=1\n" + MOUNT + "pip install --no-cache-dir flask\n"
    (finding,) = findings(text)
    assert finding.fix is not None and "PIP_NO_CACHE_DIR=1 from ENV PIP_NO_CACHE_DIR (line 2) also" in finding.detail
    fixed = check_text("Dockerfile", text, list(ALL_RULES), Settings()).output
    assert fixed.endswith(MOUNT + "pip install --cache-dir=/root/.cache/pip flask\n")


def test_an_export_reaching_a_call_without_a_mount_is_unsafe() -> None:
    run = MOUNT + "export PIP_NO_CACHE_DIR=1 && pip install flask && HOME=/tmp pip install gunicorn\n"
    first, second = findings("FROM python:3.12\n" + run)
    assert first.fix is not None and first.fix.applicability is Applicability.UNSAFE
    assert "no cache mount serves" in first.fix.caveat
    assert second.fix is None and "/tmp/.cache/pip" in second.no_fix


def test_uv_keeps_its_switch_until_it_may_write_the_mount() -> None:
    text = "FROM python:3.12\nRUN useradd -m -u 1000 app\nUSER app\n"
    text += "RUN --mount=type=cache,target=/home/app/.cache/uv uv pip install --system --no-cache flask\n"
    (finding,) = findings(text)
    assert finding.fix is None and "DFX104" in finding.no_fix
    fixed = check_text("Dockerfile", text, list(ALL_RULES), Settings(unsafe_fixes=True)).output
    assert fixed.endswith("target=/home/app/.cache/uv,uid=1000,gid=1000 uv pip install --link-mode=copy --cache-dir=/home/app/.cache/uv --system flask\n")


@pytest.mark.parametrize(
    ("run", "fixed"),
    [
        (
            "RUN --mount=type=cache,target=/tmp/pip pip install --no-cache-dir flask\n",
            "RUN --mount=type=cache,target=/root/.cache/pip pip install flask\n",
        ),
        (
            "RUN --mount=type=cache,target=/root/.cache/pip HOME=/srv pip install --no-cache-dir flask\n",
            "RUN --mount=type=cache,target=/srv/.cache/pip HOME=/srv pip install flask\n",
        ),
    ],
    ids=["mount-elsewhere", "home-changed"],
)
def test_a_switch_under_a_misplaced_mount_waits_for_the_move(run: str, fixed: str) -> None:
    """Removed first, the cache would land in the image: DFX101 moves the mount, then the switch goes."""
    (finding,) = findings("FROM python:3.12\n" + run)
    assert finding.fix is None and "DFX101 moves the mount" in finding.no_fix
    result = check_text("Dockerfile", "FROM python:3.12\n" + run, list(ALL_RULES), Settings(unsafe_fixes=True))
    assert result.output == "FROM python:3.12\n" + fixed
    assert result.final == ()


@pytest.mark.parametrize(
    "text",
    [
        "FROM python:3.12\nRUN --mount=type=cache,target=/var/cache/apt pip install --no-cache-dir flask\n",
        "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pipenv install --system\n",
        "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip PIP_NO_CACHE_DIR= pip install flask\n",
        "FROM python:3.12\nONBUILD RUN --mount=type=cache,target=/root/.cache/pip pip install --no-cache-dir flask\n",
    ],
    ids=["another-tools-mount", "pipenv", "empty-value", "onbuild"],
)
def test_near_misses(text: str) -> None:
    assert findings(text) == []
