"""DFX105's edge cases (its documented examples and docs page are checked in test_rules.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixer.diagnostics import Applicability
from fixer.engine import Settings, check_text
from fixer.rules.copy_before_install import CopyBeforeInstall

def test_no_build_context_reports_without_a_fix() -> None:
    source = "FROM python:3.12\nCOPY . .\nRUN pip install -r requirements.txt\n"
    result = check_text("Dockerfile", source, [CopyBeforeInstall], Settings(unsafe_fixes=True), None)
    assert [d.fix for d in result.diagnostics] == [None]
    assert "the build context is not known" in result.diagnostics[0].detail


CONTEXT = {
    "requirements.txt": "flask\n",
    "sub/requirements.txt": "django\n",
    "pyproject.toml": '[project]\nname = "a"\nversion = "1"\ndependencies = []\n'
    '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n',
    "uv.lock": "version = 1\n",
}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (  # no final newline: the moved COPY gets the file's line ending and keeps the file's ending
            "FROM x\nCOPY . .\nRUN pip install -r requirements.txt",
            "FROM x\nCOPY requirements.txt ./\nRUN pip install -r requirements.txt\nCOPY . .",
        ),
        (
            "from x\ncopy . .\nrun pip install -r requirements.txt\n",
            "from x\ncopy requirements.txt ./\nrun pip install -r requirements.txt\ncopy . .\n",
        ),
        (
            'FROM x\nCOPY . .\nRUN ["pip", "install", "-r", "requirements.txt"]\n',
            'FROM x\nCOPY requirements.txt ./\nRUN ["pip", "install", "-r", "requirements.txt"]\nCOPY . .\n',
        ),
        (
            "FROM x\nWORKDIR /app\nCOPY . .\nRUN cd sub && pip install -r requirements.txt\n",
            "FROM x\nWORKDIR /app\nCOPY sub/requirements.txt ./sub/\nRUN cd sub && pip install -r requirements.txt\n"
            "COPY . .\n",
        ),
        (
            "FROM x\nENV APP=/srv/app\nCOPY . $APP\nRUN pip install -r $APP/requirements.txt\n",
            "FROM x\nENV APP=/srv/app\nCOPY requirements.txt $APP/\nRUN pip install -r $APP/requirements.txt\n"
            "COPY . $APP\n",
        ),
        (
            "FROM x\nCOPY . .\nRUN <<EOF\n#!/bin/bash\nuv sync --frozen\nEOF\n",
            "FROM x\nCOPY pyproject.toml uv.lock ./\n"
            "RUN <<EOF\n#!/bin/bash\nuv sync --no-install-project --frozen\nEOF\n"
            "COPY . .\nRUN <<EOF\n#!/bin/bash\nuv sync --frozen\nEOF\n",
        ),
        (  # exec form: the option is a JSON string of its own
            'FROM x\nCOPY . .\nRUN ["uv", "sync"]\n',
            'FROM x\nCOPY pyproject.toml uv.lock ./\nRUN ["uv", "sync", "--no-install-project"]\nCOPY . .\nRUN ["uv", "sync"]\n',
        ),
        ("FROM x\nCOPY . .\nRUN pip install -r requirements.txt && python -m compileall .\n", None),
        ("FROM x\nARG DIR=/app\nCOPY . $DIR\nRUN pip install -r $DIR/requirements.txt\n", None),
    ],
)
def test_edge_cases(source: str, expected: str | None, tmp_path: Path) -> None:
    for name, content in CONTEXT.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    result = check_text("Dockerfile", source, [CopyBeforeInstall], Settings(), tmp_path)
    assert result.error is None and len(result.diagnostics) == 1
    assert result.output == (source if expected is None else expected)


def test_a_destination_from_a_build_argument_makes_the_fix_unsafe(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("flask\n")
    source = "FROM x\nARG DIR=/app\nCOPY . $DIR\nRUN pip install -r /app/requirements.txt\n"
    (diagnostic,) = check_text("Dockerfile", source, [CopyBeforeInstall], Settings(), tmp_path).diagnostics
    assert diagnostic.fix is not None and diagnostic.fix.applicability is Applicability.UNSAFE
    assert "build argument" in diagnostic.fix.caveat and "build argument" in diagnostic.detail
