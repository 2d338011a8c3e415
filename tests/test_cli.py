"""The command line, run as users run it: a real process, real files, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def dockerfix(*args: str, cwd: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fixer", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "Dockerfile").write_text(
        "# syntax=docker/dockerfile:1\nFROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip \\\n"
        "    pip install -r requirements.txt\nCOPY <<EOF /app/settings.py\nDEBUG = False\nEOF\n"
    )
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "api.Dockerfile").write_text("FROM python:3.12\nENV HOME\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "Dockerfile").write_text("not searched\n")
    return tmp_path


def test_explain_json_lists_instructions_with_lines_flags_and_heredocs(project: Path) -> None:
    result = dockerfix("explain", "--format", "json", "Dockerfile", cwd=project)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    keywords = [(i["keyword"], i["start_line"], i["end_line"]) for i in document["instructions"]]
    assert keywords == [("FROM", 2, 2), ("RUN", 3, 4), ("COPY", 5, 7)]
    run, copy = document["instructions"][1:]
    assert run["flags"] == ["--mount=type=cache,target=/root/.cache/pip"]
    assert copy["heredocs"] == ["EOF"]
    assert document["directives"] == {"syntax": "docker/dockerfile:1"}


def test_explain_text_is_a_compact_per_run_table(project: Path) -> None:
    result = dockerfix("explain", "Dockerfile", cwd=project)
    assert result.returncode == 0
    assert "RUN line 3-4  stage 0  user root (uid 0)" in result.stdout
    assert "HOME /root" in result.stdout
    assert "cache /root/.cache/pip" in result.stdout
    assert "served by the cache mount at /root/.cache/pip" in result.stdout


def test_parse_errors_name_file_line_and_column_and_exit_2(project: Path) -> None:
    result = dockerfix("explain", "services/api.Dockerfile", cwd=project)
    assert result.returncode == 2
    assert "services/api.Dockerfile:2:5: error: ENV must have two arguments" in result.stderr


def test_directory_run_reports_bad_files_and_goes_on(project: Path) -> None:
    result = dockerfix(".", cwd=project)
    assert result.returncode == 2
    assert "api.Dockerfile:2:5: error" in result.stderr
    assert ".git" not in result.stderr


def test_missing_file_is_an_error_that_names_it(tmp_path: Path) -> None:
    result = dockerfix("explain", "nope/Dockerfile", cwd=tmp_path)
    assert result.returncode == 2
    assert "nope/Dockerfile" in result.stderr


def test_stdin(project: Path) -> None:
    result = dockerfix("explain", "--format", "json", "-", stdin="FROM a\nRUN x\n")
    assert result.returncode == 0
    assert json.loads(result.stdout)["file"] == "<stdin>"


def test_explain_json_adds_the_analysis_to_each_run(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.13-slim\nWORKDIR /app\nENV HOME=/app\n"
        "RUN --mount=type=cache,target=/root/.cache/pip pip install -e .\n"
    )
    result = dockerfix("explain", "--format", "json", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    run = json.loads(result.stdout)["instructions"][-1]
    assert (run["stage"], run["user"], run["home"]) == ("0", "root (uid 0)", "/app")
    (install,) = run["installs"]
    assert (install["tool"], install["cache"], install["cache_dir"]) == ("pip", "enabled", "/app/.cache/pip")
    assert install["mount_status"] == "miss"
    assert run["mounts"] == [
        {"type": "cache", "target": "/root/.cache/pip", "id": "/root/.cache/pip", "uid": 0, "gid": 0,
         "mode": "0755", "sharing": "shared"}
    ]
    (finding,) = run["findings"]
    assert (finding["code"], finding["line"], finding["docs"]) == ("DFX101", 4, "https://github.com/dockerfix/dockerfix/blob/main/docs/rules/DFX101.md")
    assert finding["fix"] == {
        "title": "Move the cache mount to /app/.cache/pip",
        "caveat": "its cache id becomes /app/.cache/pip: the cache starts empty once",
        "applicability": "safe",
    }
    assert "changes the cache id from /root/.cache/pip to /app/.cache/pip" in finding["detail"]


def test_explain_text_gives_each_finding_its_reasoning(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.12\nENV HOME=/app\nRUN --mount=type=cache,target=/root/.cache/pip pip install --no-cache-dir x\n"
    )
    lines = dockerfix("explain", "Dockerfile", cwd=tmp_path).stdout.splitlines()
    assert "    DFX101 at 3:31: cache mount at /root/.cache/pip, but pip caches in /app/.cache/pip" in "\n".join(lines)
    reason = lines.index(next(line for line in lines if line.startswith("    DFX103 at 3:")))
    assert lines[reason + 1].startswith("        no fix: it stays until a mount is at /app/.cache/pip")
    assert "(DFX101 moves the mount)" in " ".join(lines[reason + 1 : reason + 3])
    assert lines[reason + 3].startswith("        why: `--no-cache-dir` on the command line disables pip's cache")


def test_the_dry_run_says_why_a_finding_has_no_fix(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.12\nENV UV_NO_CACHE=1\nRUN --mount=type=cache,target=/root/.cache/uv uv pip install --system x\n"
    )
    lines = dockerfix("Dockerfile", cwd=tmp_path).stdout.splitlines()
    finding = lines.index(next(line for line in lines if " DFX103 " in line))
    assert lines[finding + 1].startswith("#   no fix: uv has no option that turns its cache back on")


def test_explain_build_arg_changes_the_analysis(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM python:3.13-slim\nARG HOME\nRUN pip install x\n")
    result = dockerfix("explain", "--format", "json", "--build-arg", "HOME=/srv", "Dockerfile", cwd=tmp_path)
    assert json.loads(result.stdout)["instructions"][-1]["home"] == "/srv"
    bad = dockerfix("explain", "--build-arg", "HOME", "Dockerfile", cwd=tmp_path)
    assert bad.returncode == 2 and "NAME=VALUE" in bad.stderr


BUGGY = "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install --no-cache-dir flask\n"
FIXED = "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask\n"


def test_check_write_and_exit_codes(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(BUGGY)
    (tmp_path / "bad.Dockerfile").write_text("FROM a\nENV X\n")
    check = dockerfix("--check", ".", cwd=tmp_path)
    assert check.returncode == 2, "a file that does not parse is an error, and the others are still checked"
    assert "DFX103" in check.stdout and "bad.Dockerfile:2:5: error" in check.stderr
    assert (tmp_path / "Dockerfile").read_text() == BUGGY
    assert dockerfix("--check", "Dockerfile", cwd=tmp_path).returncode == 1
    assert dockerfix("--select", "DFX101", "Dockerfile", cwd=tmp_path).returncode == 0
    written = dockerfix("--write", "Dockerfile", cwd=tmp_path)
    assert written.returncode == 0, written.stdout + written.stderr
    assert (tmp_path / "Dockerfile").read_text() == FIXED
    assert dockerfix("--check", "Dockerfile", cwd=tmp_path).returncode == 0


def test_stdin_dry_run_and_write(tmp_path: Path) -> None:
    diff = dockerfix("-", cwd=tmp_path, stdin=BUGGY)
    assert diff.returncode == 1 and "-RUN --mount" in diff.stdout
    written = dockerfix("--write", "-", cwd=tmp_path, stdin=BUGGY)
    assert FIXED in written.stdout


def test_directories_skip_what_gitignore_ignores(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / ".gitignore").write_text("build/\n")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "Dockerfile").write_text(BUGGY)
    (tmp_path / "Dockerfile").write_text(FIXED)
    assert dockerfix("--check", cwd=tmp_path).returncode == 0


def test_the_dry_run_gives_a_reason_for_what_a_fix_reveals(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.12\nENV HOME=/app\nRUN --mount=type=cache,target=/root/.cache/pip pip install x\n"
    )
    run = dockerfix("Dockerfile", cwd=tmp_path)
    assert run.returncode == 1
    lines = run.stdout.splitlines()
    reasons = [line for line in lines if line.startswith("# Dockerfile:")]
    assert reasons[0].startswith("# Dockerfile:3:31: DFX101 [*] ")
    assert reasons[1].startswith("# Dockerfile:3:51: DFX102 [*] ")
    assert lines[lines.index(reasons[1]) + 1] == "#   note: line 3 of the fixed file: an earlier fix reveals it"
    assert "#   docs: https://github.com/dockerfix/dockerfix/blob/main/docs/rules/DFX102.md" in lines
    assert "+RUN --mount=type=cache,target=/app/.cache/pip pip install --cache-dir=/app/.cache/pip x" in run.stdout


def test_a_crash_on_one_file_is_an_error_and_the_others_go_on(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from fixer import run as run_module
    from fixer.rules.base import Rule

    class Crashes(Rule):
        code, name = "DFX999", "crashes"

        def check(self, context):  # type: ignore[no-untyped-def]
            if "boom" in context.source:
                raise RuntimeError("boom")
            return iter(())

    (tmp_path / "a.Dockerfile").write_text("FROM python:3.12\n# boom\n")
    (tmp_path / "b.Dockerfile").write_text(
        "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip pip install --no-cache-dir x\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(run_module, "ALL_RULES", [*run_module.ALL_RULES, Crashes])
    lines: list[tuple[str, bool]] = []
    status = run_module.run_files(
        ("a.Dockerfile", "b.Dockerfile"), run_module.RunOptions("check", "concise"),
        lambda message="", nl=True, err=False, color=None: lines.append((message, err)),
    )  # fmt: skip
    errors = "\n".join(message for message, err in lines if err)
    assert status == 2
    assert "a.Dockerfile: error: dockerfix failed on this file (RuntimeError: boom)" in errors
    assert "Traceback" in errors
    assert not any(message.startswith("b.Dockerfile") for message, err in lines if err)
    assert any(message.startswith("b.Dockerfile:2:") and " DFX103 " in message for message, err in lines if not err)
