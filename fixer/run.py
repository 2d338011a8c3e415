"""One command-line run over many files: read, check, print or write, and the exit code.

Every file is processed even when another fails; a file's problem (unreadable, invalid,
a fix that did not hold up, a failed write, a crash of dockerfix itself) is reported
with its name and counts as an error (exit 2). Otherwise the exit code is 1 when
anything was found or would change, else 0; with `--write`, 1 only when findings are
left that it could not fix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from .discovery import find_dockerfiles
from .engine import FileResult, Settings, check_text, diagnose
from .report import dry_run, finding_lines
from .rules import ALL_RULES
from .sources import STDIN, SourceError, read_source
from .syntax import ParseError

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
Echo = Callable[..., None]


def parse_error_lines(name: str, errors: Iterable[ParseError]) -> list[str]:
    return [f"{name}:{error.line}:{error.column}: error: {error.message}" for error in errors]


def run_files(
    paths: tuple[str, ...],
    mode: str,
    select: frozenset[str],
    ignore: frozenset[str],
    unsafe_fixes: bool,
    build_args: Mapping[str, str],
    echo: Echo,
) -> int:
    from .writer import repository_root

    settings = Settings(select, ignore, unsafe_fixes, dict(build_args))
    root = repository_root(Path.cwd())
    status = EXIT_OK
    changed = 0
    for name in find_dockerfiles(paths):
        result = _check_file(name, settings, echo)
        if result is None:
            status = EXIT_ERROR
            continue
        outcome = _emit(name, result, mode, settings, root, echo)
        changed += result.changed
        status = max(status, outcome)
    if mode != "diff" and changed:
        verb = "fixed" if mode == "write" else "would fix"
        echo(f"dockerfix: {verb} {changed} file{'s' if changed != 1 else ''}", err=True)
    return status


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
    echo(render(source.name, tree, analyse(tree, build_args), findings), nl=False)
    for line in parse_error_lines(source.name, tree.errors):
        echo(line, err=True)
    return EXIT_ERROR if tree.errors else EXIT_OK


def _check_file(name: str, settings: Settings, echo: Echo) -> FileResult | None:
    try:
        source = read_source(name)
    except SourceError as exc:
        echo(f"dockerfix: error: {exc}", err=True)
        return None
    context = Path.cwd() if name == STDIN else Path(name).resolve().parent
    try:
        result = check_text(source.name, source.text, ALL_RULES, settings, context)
    except Exception as exc:  # a bug in dockerfix: this file fails, the others go on
        _report_internal_error(source.name, exc, echo)
        return None
    if result.parse_errors:
        for line in parse_error_lines(source.name, result.parse_errors):
            echo(line, err=True)
        return None
    if result.error:
        echo(f"{source.name}: error: {result.error}; the file is left unchanged", err=True)
        return None
    return result


def _report_internal_error(name: str, exc: Exception, echo: Echo) -> None:
    """A crash on one file is an error (exit 2), never a finding (1): `--check` in CI
    must not read a bug as a verdict. The traceback goes with it, for the bug report."""
    import traceback

    echo(f"{name}: error: dockerfix failed on this file ({type(exc).__name__}: {exc}); it is left unchanged.", err=True)
    echo("Please report this with the file and the traceback below.", err=True)
    echo("".join(traceback.format_exception(exc)).rstrip("\n"), err=True)


def _emit(name: str, result: FileResult, mode: str, settings: Settings, root: Path, echo: Echo) -> int:
    found = bool(result.diagnostics) or result.changed
    if mode == "diff":
        echo(dry_run(result, settings), nl=False)
        return EXIT_FINDINGS if found else EXIT_OK
    for line in finding_lines(result, settings):
        echo(line)
    if mode == "write" and result.changed:
        if name == STDIN:
            echo(result.output, nl=False)
        else:
            from .writer import WriteError, write_atomic  # tempfile is only for --write

            try:
                write_atomic(name, result.output, root)
            except WriteError as exc:
                echo(f"dockerfix: error: {exc}", err=True)
                return EXIT_ERROR
        return EXIT_FINDINGS if result.final else EXIT_OK
    return EXIT_FINDINGS if found else EXIT_OK
