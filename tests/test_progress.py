"""The progress bar: only on a terminal, never in CI, only for a run that takes a while,
and off the line before anything else is written there."""

from __future__ import annotations

import io
from pathlib import Path

from fixer.progress import Progress
from test_cli import dockerfix


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_bar_on_a_terminal_after_the_delay() -> None:
    stream = Terminal()
    progress = Progress(4, stream, environ={}, delay=0.0)
    progress.advance()
    assert stream.getvalue() == "\r[#######-----------------------] 1/4 files"
    progress.clear()
    assert stream.getvalue().endswith("\r\x1b[K")
    for _ in range(3):
        progress.advance()
    assert stream.getvalue().endswith("] 4/4 files"), "the last file is always drawn"


def test_no_bar_for_a_quick_run_in_ci_in_a_pipe_or_for_one_file() -> None:
    quick = Terminal()
    Progress(4, quick, environ={}, delay=60.0).advance()
    in_ci = Terminal()
    Progress(4, in_ci, environ={"CI": "true"}, delay=0.0).advance()
    dumb = Terminal()
    Progress(4, dumb, environ={"TERM": "dumb"}, delay=0.0).advance()
    piped = io.StringIO()
    Progress(4, piped, environ={}, delay=0.0).advance()
    single = Terminal()
    Progress(1, single, environ={}, delay=0.0).advance()
    assert [s.getvalue() for s in (quick, in_ci, dumb, piped, single)] == [""] * 5


def test_jobs_give_the_same_output_in_the_same_order(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parent.parent / "examples" / "combined-no-cache-dir-env-home" / "Dockerfile"
    for index in range(12):
        (tmp_path / f"svc{index:02}").mkdir()
        (tmp_path / f"svc{index:02}" / "Dockerfile").write_text(example.read_text() if index != 5 else "FROM a\nENV X\n")
    one = dockerfix("--check", "--format", "concise", "--quiet", cwd=tmp_path)
    two = dockerfix("--check", "--format", "concise", "--quiet", "-j", "2", cwd=tmp_path)
    assert one.returncode == two.returncode == 2
    assert one.stdout == two.stdout and one.stdout.count("\n") == 33
    assert one.stderr == two.stderr == "svc05/Dockerfile:2:5: error: ENV must have two arguments\n"
    assert "\r" not in one.stderr, "no progress bar in a pipe"
