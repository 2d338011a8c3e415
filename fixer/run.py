"""One command-line run over many files: read, check, print or write, and the exit code.

Every file is processed even when another fails; a file's problem (unreadable, invalid,
a fix that did not hold up, a failed write) is reported with its name and counts as an
error (exit 2). Otherwise the exit code is 1 when anything was found or would change,
else 0.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from .discovery import find_dockerfiles
from .engine import FileResult, Settings, check_text
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
    """`dockerfix explain`: the report on stdout, parse errors on stderr."""
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
    echo(render(source.name, tree, analyse(tree, build_args)), nl=False)
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
    result = check_text(source.name, source.text, ALL_RULES, settings, context)
    if result.parse_errors:
        for line in parse_error_lines(source.name, result.parse_errors):
            echo(line, err=True)
        return None
    if result.error:
        echo(f"{source.name}: error: {result.error}; the file is left unchanged", err=True)
        return None
    return result


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
        remaining = [d for i, d in enumerate(result.diagnostics) if i not in result.fixed]
        return EXIT_FINDINGS if remaining else EXIT_OK
    return EXIT_FINDINGS if found else EXIT_OK
