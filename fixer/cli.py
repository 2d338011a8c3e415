"""The `dockerfix` command line: flags to calls, results to exit codes; no logic here.

Exit codes: 0 nothing to do, 1 findings or changes, 2 errors (unreadable or invalid
input). Payload goes to stdout, diagnostics to stderr. Everything behind a command is
imported when it runs, so `--help` and start-up stay fast. The `dockerfix` program
(`entry.py`) runs the plainest argument vectors without importing this module.
"""

from __future__ import annotations

import sys

import click

from . import __version__


class _DefaultToFix(click.Group):
    """`dockerfix PATH...` runs the fixer; `dockerfix explain FILE` and other verbs dispatch."""

    default_command = "fix"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


@click.group(cls=_DefaultToFix, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dockerfix")
def main() -> None:
    """Make Python dependency installs in Docker builds fast and correct.

    `dockerfix [PATH...]` (the `fix` command, the default) prints a unified diff of
    its fixes (dry run); add --write to apply them or --check for CI. `dockerfix
    explain FILE` shows what it understood of a Dockerfile. Exit codes: 0 nothing to
    do, 1 findings or changes, 2 errors.
    """


def _parse_build_args(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> dict[str, str]:
    build_args = {}
    for value in values:
        name, has_value, text = value.partition("=")
        if not name or not has_value:
            raise click.BadParameter(f"{value!r} is not NAME=VALUE")
        build_args[name] = text
    return build_args


build_arg_option = click.option(
    "--build-arg",
    "build_args",
    multiple=True,
    metavar="NAME=VALUE",
    callback=_parse_build_args,
    help="A build argument, as given to `docker build` (repeatable).",
)


def _codes(_ctx: click.Context, _param: click.Parameter, value: str | None) -> frozenset[str]:
    return frozenset(code.strip() for code in (value or "").split(",") if code.strip())


@main.command("fix")
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option("--write", "mode", flag_value="write", help="Apply the fixes to the files.")
@click.option("--check", "mode", flag_value="check", help="Only report; exit 1 when anything would change.")
@click.option("--diff", "mode", flag_value="diff", default=True, help="Print the fixes as a unified diff (default).")
@click.option("--select", callback=_codes, metavar="CODES", help="Only these rules (codes, prefixes or names, comma-separated).")
@click.option("--ignore", callback=_codes, metavar="CODES", help="Not these rules.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply fixes whose facts are not certain.")
@build_arg_option
def fix_command(
    paths: tuple[str, ...],
    mode: str,
    select: frozenset[str],
    ignore: frozenset[str],
    unsafe_fixes: bool,
    build_args: dict[str, str],
) -> None:
    """Find Dockerfiles under PATHS and print the fixes as a unified diff."""
    from .run import run_files

    sys.exit(run_files(paths or (".",), mode, select, ignore, unsafe_fixes, build_args, click.echo))


@main.command("explain")
@click.argument("file", type=click.Path(allow_dash=True))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@build_arg_option
def explain_command(file: str, output_format: str, build_args: dict[str, str]) -> None:
    """Show the instructions of FILE and, for every RUN, its user, HOME, caches and mounts."""
    from .run import explain_file

    sys.exit(explain_file(file, output_format, build_args, click.echo))
