"""One command-line run over many files: find them, check each with its own settings,
write or print, sum up, and the exit code.

Every file is processed even when another fails; a file's problem (unreadable, invalid,
a fix that did not hold up, a failed write, a crash of dockerfix itself) is reported on
stderr with its name, goes into the machine formats as the file's problem, and counts
as an error (exit 2). Otherwise, as ruff's exit codes go: 1 when anything was found or
would change (with `--write`, only when findings are left that it could not fix, or,
with `--exit-non-zero-on-fix`, when it changed a file), else 0; `--exit-zero` makes
findings exit 0 (errors still exit 2).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING

from .config import ConfigError, Configs, Overrides
from .discovery import find_dockerfiles
from .engine import Settings, check_text, diagnose
from .output import STREAMED, render_document, render_file
from .output.model import FileReport, Position, Problem, failed_report, file_report
from .records import NamedTuple
from .rules import ALL_RULES
from .sources import STDIN, SourceError, read_source
from .syntax import ParseError

if TYPE_CHECKING:
    from .output.text import Style
    from .progress import Progress

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
Echo = Callable[..., None]


class RunOptions(NamedTuple):
    """How to run: `mode` is `diff` (the dry run), `check` or `write`; `output_format`
    None takes the default (`diff` for a dry run off a terminal, else `full`)."""

    mode: str = "diff"
    output_format: str | None = None
    overrides: Overrides = Overrides()
    force_exclude: bool = False
    exit_zero: bool = False
    exit_non_zero_on_fix: bool = False
    statistics: bool = False
    quiet: bool = False
    jobs: int = 1  # processes that check files at once
    output_file: str | None = None  # the format's output goes here instead of stdout


def parse_error_lines(name: str, errors: Iterable[ParseError]) -> list[str]:
    return [f"{name}:{error.line}:{error.column}: error: {error.message}" for error in errors]


def default_format(mode: str, stream: object) -> str:
    """`full` on a terminal; off one, the dry run's diff (it applies with `git apply`),
    and `full` for `--check` and `--write`."""
    isatty = getattr(stream, "isatty", None)
    return "full" if mode != "diff" or (isatty is not None and isatty()) else "diff"


def run_files(paths: tuple[str, ...], options: RunOptions, echo: Echo) -> int:
    started = perf_counter()
    try:
        jobs = _jobs(paths, options)
    except ConfigError as exc:
        echo(f"dockerfix: error: {exc}", err=True)
        return EXIT_ERROR
    names = [job.name for job in jobs]
    if options.output_file is None:
        to_stderr = options.mode == "write" and STDIN in names  # stdout carries the fixed text

        def write(text: str, colour: bool = False) -> None:
            echo(text, nl=False, err=to_stderr, color=colour or None)  # click keeps the colour we chose

        output_format = options.output_format or default_format(options.mode, sys.stdout)
        return _run(jobs, options, output_format, _style(output_format, sys.stdout), write, echo, started)
    try:
        with open(options.output_file, "w", encoding="utf-8", errors="surrogateescape", newline="") as handle:
            output_format = options.output_format or default_format(options.mode, handle)
            return _run(jobs, options, output_format, _style(output_format, handle), lambda text, colour=False: handle.write(text),
                        echo, started)  # fmt: skip
    except OSError as exc:
        echo(f"dockerfix: error: cannot write {options.output_file}: {exc.strerror or exc}", err=True)
        return EXIT_ERROR


def check_files(paths: tuple[str, ...], options: RunOptions) -> tuple[list[FileReport], list[str]]:
    """A run's reports and its messages for stderr, printed nowhere: for the commands
    that build on a run (`pr`). Raises `ConfigError`."""
    from .writer import repository_root

    checked = list(_checked(_jobs(paths, options), repository_root(Path.cwd()), options.jobs))
    return [one.report for one in checked], [message for one in checked for message in one.messages]


def _jobs(paths: tuple[str, ...], options: RunOptions) -> list[_Job]:
    """The files to check, each with its settings."""
    configs = Configs(options.overrides)
    names = find_dockerfiles(paths, configs, options.force_exclude)
    return [_Job(name, configs.settings_for(name), options.mode) for name in names]


def _run(
    jobs: list[_Job],
    options: RunOptions,
    output_format: str,
    style: Style | None,
    write: Callable[..., object],
    echo: Echo,
    started: float,
) -> int:
    """Check the files, `write` the format's output (streamed, or one document at the end),
    say the files' problems and the summary line on stderr; the exit code."""
    from .writer import repository_root

    progress = _progress(len(jobs))
    reports: list[FileReport] = []
    for checked in _checked(jobs, repository_root(Path.cwd()), options.jobs):
        progress.clear()
        for message in checked.messages:
            echo(message, err=True)
        if checked.stdout:
            echo(checked.stdout, nl=False)
        reports.append(checked.report)
        if output_format in STREAMED and not options.statistics:
            write(render_file(output_format, checked.report, style), style is not None and style.on)
        progress.advance()
    progress.clear()
    from .output.model import summarise
    from .output.text import statistics, summary_line

    summary = summarise(reports, perf_counter() - started)
    if options.statistics:
        write(statistics(reports, options.mode))
    elif output_format not in STREAMED:
        write(render_document(output_format, reports, summary, options.mode))
    if not options.quiet:
        echo(summary_line(summary, options.mode), err=True)
    return _exit_code(reports, options)


def _style(output_format: str, stream: object) -> Style | None:
    """The text formats' colours for `stream` (`output/text.py`); None for the other formats."""
    if output_format not in ("full", "concise"):
        return None
    from .output.text import Style, wants_colour

    return Style(wants_colour(stream))  # type: ignore[arg-type]


def _progress(total: int) -> Progress | _NoProgress:
    """A progress bar where one can show (`progress.py`), imported only there."""
    if total < 2 or not sys.stderr.isatty():
        return _NoProgress()
    from .progress import Progress

    return Progress(total, sys.stderr)


class _NoProgress:
    """No progress bar: stderr is not a terminal, or there is one file."""

    def advance(self) -> None:
        pass

    def clear(self) -> None:
        pass


class _Job(NamedTuple):
    """One file to check, with its settings (it may go to a worker process)."""

    name: str
    settings: Settings
    mode: str


class _Checked(NamedTuple):
    """A file's report, what to say about it on stderr, and the fixed text of stdin with --write."""

    report: FileReport
    messages: tuple[str, ...] = ()
    stdout: str = ""


def _checked(jobs: list[_Job], root: Path, processes: int) -> Iterator[_Checked]:
    """Each file checked, in the order given: here, or in `processes` worker processes
    (stdin is always read here, where it is)."""
    if processes <= 1 or len(jobs) < 2:
        yield from (_check_file(job, root) for job in jobs)
        return
    from concurrent.futures import ProcessPoolExecutor

    pooled = [job._replace(settings=job.settings._replace(build_args=dict(job.settings.build_args))) for job in jobs]
    with ProcessPoolExecutor(max_workers=processes) as pool:
        pending = iter(pool.map(_check_file, [job for job in pooled if job.name != STDIN], [root] * len(pooled),
                                chunksize=max(1, len(pooled) // (processes * 8))))  # fmt: skip
        for job in pooled:
            yield _check_file(job, root) if job.name == STDIN else next(pending)


def _exit_code(reports: list[FileReport], options: RunOptions) -> int:
    if any(report.failed for report in reports):
        return EXIT_ERROR
    if options.exit_zero:
        return EXIT_OK
    if options.mode != "write":
        found = any(report.findings or report.changed for report in reports)
    else:
        left = any(not finding.fixed for report in reports for finding in report.findings)
        found = left or (options.exit_non_zero_on_fix and any(report.changed for report in reports))
    return EXIT_FINDINGS if found else EXIT_OK


def explain_file(name: str, output_format: str, build_args: Mapping[str, str], echo: Echo) -> int:
    """`dockerfix explain`: the report on stdout (the analysis, and each finding with the
    reasoning behind it), parse errors on stderr."""
    from .analysis import analyse
    from .explain import explain_json, explain_text
    from .parser import parse

    try:
        source = read_source(name)
    except SourceError as exc:
        echo(f"dockerfix: error: {exc}", err=True)
        return EXIT_ERROR
    tree = parse(source.text)
    render = explain_json if output_format == "json" else explain_text
    findings: list = []
    if not tree.errors:
        context = Path.cwd() if name == STDIN else Path(name).resolve().parent
        rules = [rule() for rule in ALL_RULES]
        findings = diagnose(source.name, tree, rules, Settings(build_args=dict(build_args)), context)
    from .secrets import mask

    echo(mask(render(source.name, tree, analyse(tree, build_args), findings)), nl=False)
    for line in parse_error_lines(source.name, tree.errors):
        echo(mask(line), err=True)
    return EXIT_ERROR if tree.errors else EXIT_OK


def _check_file(job: _Job, root: Path) -> _Checked:
    """Check one file (and write it with `--write`); its problems go on stderr and into the report."""
    name, settings, mode = job
    try:
        source = read_source(name)
    except SourceError as exc:
        return _Checked(failed_report(name, "", (Problem(str(exc)),)), (f"dockerfix: error: {exc}",))
    context = Path.cwd() if name == STDIN else Path(name).resolve().parent
    try:
        result = check_text(source.name, source.text, ALL_RULES, settings, context)
    except Exception as exc:  # a bug in dockerfix: this file fails, the others go on
        problem = Problem(f"dockerfix failed on this file ({type(exc).__name__}: {exc})")
        return _Checked(failed_report(source.name, source.text, (problem,)), _internal_error(source.name, exc))
    if result.parse_errors:
        problems = tuple(Problem(e.message, Position(e.line, e.column)) for e in result.parse_errors)
        return _Checked(failed_report(source.name, source.text, problems), tuple(parse_error_lines(source.name, result.parse_errors)))
    if result.error:
        problem = Problem(f"{result.error}; the file is left unchanged")
        return _Checked(failed_report(source.name, source.text, (problem,)), (f"{source.name}: error: {problem.message}",))
    report = file_report(result, settings)
    if mode != "write" or not result.changed:
        return _Checked(report)
    if name == STDIN:
        return _Checked(report, stdout=report.output)
    from .writer import WriteError, write_atomic  # tempfile is only for --write

    try:
        write_atomic(name, report.output, root)
    except WriteError as exc:
        return _Checked(report._replace(problems=(Problem(str(exc)),)), (f"dockerfix: error: {exc}",))
    return _Checked(report)


def _internal_error(name: str, exc: Exception) -> tuple[str, ...]:
    """A crash on one file is an error (exit 2), never a finding (1): `--check` in CI
    must not read a bug as a verdict. The traceback goes with it, for the bug report."""
    import traceback

    return (
        f"{name}: error: dockerfix failed on this file ({type(exc).__name__}: {exc}); it is left unchanged.",
        "Please report this with the file and the traceback below.",
        "".join(traceback.format_exception(exc)).rstrip("\n"),
    )
