"""The `dockerfix` program: the everyday invocations without importing click.

Importing click costs about 20 ms (it pulls in `inspect`, `typing`, `gettext`, `uuid`,
`datetime`...), which is as long as a whole check of a typical Dockerfile and would keep
`dockerfix --check FILE` slower than hadolint. So `main` reads the argument vectors that
pre-commit hooks and CI jobs pass, `[--check|--write|--diff] [--unsafe-fixes] [PATH...]`
in any order, itself, and hands everything else (`--help`, `--select`, `explain`, a
path that starts with `-`, a repeated flag, shell completion, Windows) to the click
command in `cli.py`, which stays the definition of the command line.

What the fast path does is exactly what click does for those vectors: the same call of
`run_files`, paths checked the way `click.Path()` checks them (an existing path that
cannot be read is a usage error, so click reports it), and output written the way
`click.echo` writes it. Wherever `click.echo` would do more than write and flush (ANSI
codes to strip, an ASCII-configured stream to re-wrap), the message goes through
`click.echo` itself.

Importing dockerfix makes tens of thousands of objects that live as long as the process
(classes, compiled patterns, option tables). The cyclic garbage collector's passes over
them, while importing and once more at exit, found nothing and took some 8 ms, so
collection is off during the imports, and what they made is frozen out of later passes
(`gc.freeze`).
"""

from __future__ import annotations

import gc
import os
import sys

_MODES = {"--check": "check", "--write": "write", "--diff": "diff"}
_COMMANDS = frozenset({"fix", "explain", "rules", "config", "pr", "log", "wheelhouse"})  # cli.py's commands, which click runs


def main() -> None:
    """Run the command line; exits with the exit code."""
    gc.disable()
    plain = _plain_fix_arguments(sys.argv[1:])
    if plain is None:
        from .cli import main as click_main

        _collect_from_now_on()
        click_main()
        return
    mode, unsafe_fixes, paths = plain
    from .config import Overrides
    from .run import RunOptions, run_files

    _collect_from_now_on()
    options = RunOptions(mode, overrides=Overrides(unsafe_fixes=True if unsafe_fixes else None))
    try:
        status = run_files(paths or (".",), options, echo)
    except (EOFError, KeyboardInterrupt):
        echo("", err=True)  # click closes the terminal's ^C echo with a blank line
        echo("Aborted!", err=True)
        sys.exit(1)
    except BrokenPipeError:
        # click's answer to a closed pipe: exit 1, and nothing more is written.
        _silence_standard_streams()
        sys.exit(1)
    sys.exit(status)


def _collect_from_now_on() -> None:
    """Leave what the imports made to live forever, and collect what comes after."""
    gc.freeze()
    gc.enable()


def _plain_fix_arguments(args: list[str]) -> tuple[str, bool, tuple[str, ...]] | None:
    """(mode, unsafe_fixes, paths) when click would run `fix` with just these; else None."""
    if os.name == "nt" or any(name.startswith("_") and name.endswith("_COMPLETE") for name in os.environ):
        return None  # Windows argument expansion and shell completion are click's
    if args and args[0] in _COMMANDS:
        return None
    mode = None
    unsafe_fixes = False
    paths = []
    for arg in args:
        if arg in _MODES and mode is None:
            mode = _MODES[arg]
        elif arg == "--unsafe-fixes" and not unsafe_fixes:
            unsafe_fixes = True
        elif arg == "-" or (arg and not arg.startswith("-") and _readable_or_missing(arg)):
            paths.append(arg)
        else:
            return None
    return mode or "diff", unsafe_fixes, tuple(paths)


def _readable_or_missing(path: str) -> bool:
    """What `click.Path()` accepts: anything but an existing path that cannot be read."""
    try:
        os.stat(path)
    except OSError:
        return True
    return os.access(path, os.R_OK)


def echo(message: str, nl: bool = True, err: bool = False, color: bool | None = None) -> None:
    """`click.echo` for text: write and flush, through click when it would do more."""
    stream = sys.stderr if err else sys.stdout
    if stream is None:
        return
    if "\x1b" in message or not _plain_text_stream(stream):
        import click

        click.echo(message, nl=nl, err=err, color=color)
        return
    out = message + "\n" if nl else message
    if out:
        stream.write(out)
    stream.flush()


def _plain_text_stream(stream: object) -> bool:
    """A text stream click writes to unchanged: encoding and errors set, not ASCII."""
    import codecs
    import io

    if not isinstance(stream, io.TextIOBase):
        return False
    encoding = getattr(stream, "encoding", None)
    if not encoding or getattr(stream, "errors", None) is None:
        return False
    try:
        return codecs.lookup(encoding).name != "ascii"
    except LookupError:
        return True


def _silence_standard_streams() -> None:
    """Point stdout and stderr at /dev/null so flushing at exit cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        try:
            os.dup2(devnull, stream.fileno())
        except (AttributeError, OSError, ValueError):
            pass
