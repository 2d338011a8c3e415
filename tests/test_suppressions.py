"""Suppression comments through the real command line: dockerfix's own (per instruction
and per file), hadolint's where they mean the same, BuildKit's never, and the report of
those that silence nothing."""

from __future__ import annotations

from pathlib import Path

from test_cli import dockerfix

MASKED = "FROM python:3.12\nRUN pip install x | tee log\nRUN pip install y || true\n"


def _found(tmp_path: Path, text: str, *args: str) -> list[tuple[int, str]]:
    (tmp_path / "Dockerfile").write_text(text)
    lines = dockerfix("--check", "--format", "concise", *args, cwd=tmp_path).stdout.splitlines()
    return [(int(line.split(":")[1]), line.split()[1]) for line in lines]


def test_ignore_file_silences_a_rule_everywhere(tmp_path: Path) -> None:
    assert _found(tmp_path, MASKED, "--select", "DFX112") == [(2, "DFX112"), (3, "DFX112")]
    assert _found(tmp_path, "# dockerfix: ignore-file=DFX112\n" + MASKED, "--select", "DFX112") == []


def test_hadolint_dl4006_silences_only_the_pipe(tmp_path: Path) -> None:
    text = "FROM python:3.12\n# hadolint ignore=DL4006\nRUN pip install x | tee log\n# hadolint ignore=DL4006\nRUN pip install y || true\n"
    assert _found(tmp_path, text, "--select", "DFX112") == [(5, "DFX112")]
    whole = "# hadolint global ignore=DL4006,DL3008\n" + MASKED
    assert _found(tmp_path, whole, "--select", "DFX112") == [(4, "DFX112")]


def test_other_linters_lines_that_mean_something_else_silence_nothing(tmp_path: Path) -> None:
    text = "# check=skip=all\nFROM python:3.12\n# hadolint ignore=DL3042\nRUN pip install flask\n"
    assert _found(tmp_path, text, "--select", "DFX111") == [(4, "DFX111")]


def test_unused_suppressions_are_reported_and_removed(tmp_path: Path) -> None:
    text = "FROM python:3.12\n# dockerfix: ignore=DFX101,DFX111\nRUN pip install flask\n"
    assert _found(tmp_path, text) == [], "DFX100 runs only when asked for"
    assert _found(tmp_path, text, "--report-unused-suppressions") == [(2, "DFX100")]
    dockerfix("--write", "--report-unused-suppressions", cwd=tmp_path)
    assert (tmp_path / "Dockerfile").read_text() == "FROM python:3.12\n# dockerfix: ignore=DFX111\nRUN pip install flask\n"


def test_a_suppression_that_keeps_a_fix_from_taking_in_a_rule_is_used(tmp_path: Path) -> None:
    # DFX111 adds the mount and would remove --no-cache-dir for DFX103: the comment stops that.
    text = ("# syntax=docker/dockerfile:1\nFROM python:3.12\n# dockerfix: ignore=DFX103\n"
            "RUN pip install --no-cache-dir flask\n")  # fmt: skip
    assert _found(tmp_path, text, "--report-unused-suppressions") == [(4, "DFX111")]
    dockerfix("--write", "--report-unused-suppressions", cwd=tmp_path)
    fixed = (tmp_path / "Dockerfile").read_text()
    assert "# dockerfix: ignore=DFX103\nRUN --mount=type=cache,target=/root/.cache/pip pip install --no-cache-dir flask\n" in fixed
