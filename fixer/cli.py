"""The `dockerfix` command line: flags to calls, results to exit codes; no logic here.

Exit codes: 0 nothing to do, 1 findings or changes, 2 errors (unreadable or invalid
input). Payload goes to stdout, diagnostics to stderr. Everything behind a command is
imported when it runs, so `--help` and start-up stay fast. The `dockerfix` program
(`entry.py`) runs the plainest argument vectors without importing this module.
"""

from __future__ import annotations

import sys

from typing import TYPE_CHECKING, Any

import click

from . import __version__
from .output import FORMATS

if TYPE_CHECKING:
    from .config import Overrides


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


def _codes(_ctx: click.Context, param: click.Parameter, value: str | None) -> frozenset[str] | None:
    """A comma-separated list of rule selectors, each checked; None when the flag is not given."""
    if value is None:
        return None
    from .config import selector_problem

    codes = frozenset(code.strip() for code in value.split(",") if code.strip())
    for code in codes:
        problem = selector_problem(code, allow_all=param.name == "select")
        if problem:
            raise click.BadParameter(problem)
    return codes


def _settings_options(command):  # type: ignore[no-untyped-def]
    """The options that decide a file's settings, shared by `fix` and `config` (which
    shows what they make of the configuration)."""
    options = [
        click.option("--select", callback=_codes, metavar="CODES",
                     help="Only these rules (codes, prefixes or names, comma-separated; ALL for every rule)."),
        click.option("--extend-select", callback=_codes, metavar="CODES", help="These rules as well as the selected ones."),
        click.option("--ignore", callback=_codes, metavar="CODES", help="Not these rules."),
        click.option("--unsafe-fixes/--no-unsafe-fixes", default=None, help="Also apply fixes whose facts are not certain."),
        build_arg_option,
        click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False),
                     help="Use this configuration file for every Dockerfile."),
        click.option("--isolated", is_flag=True, help="Read no configuration file."),
    ]  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command


def _overrides(settings: dict[str, Any], also_select: frozenset[str] = frozenset()) -> Overrides:
    """What the settings options (`_settings_options`, as click passes them) say."""
    from pathlib import Path

    from .config import Overrides

    config_file = settings["config_file"]
    return Overrides(
        settings["select"],
        (settings["extend_select"] or frozenset()) | also_select,
        settings["ignore"],
        settings["unsafe_fixes"],
        settings["build_args"],
        Path(config_file) if config_file else None,
        settings["isolated"],
    )


@main.command("fix")
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option("--write", "mode", flag_value="write", help="Apply the fixes to the files.")
@click.option("--check", "mode", flag_value="check", help="Only report; exit 1 when anything would change.")
@click.option("--diff", "mode", flag_value="diff", default=True, help="Dry run: report, and show the fixes (default).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    help="How to print the findings (default: `full` on a terminal; off one, `diff` for a dry run and `full` "
    "with --check or --write).",
)
@click.option(
    "-o", "--output-file", type=click.Path(dir_okay=False, writable=True),
    help="Write the format's output to this file instead of stdout (a SARIF file to upload, a summary to post).",
)  # fmt: skip
@_settings_options
@click.option("--force-exclude", is_flag=True, help="Apply `exclude` to files named on the command line too (as pre-commit passes them).")
@click.option(
    "--report-unused-suppressions", is_flag=True,
    help="Report suppression comments that silence nothing (rule DFX100), with a fix that removes them.",
)  # fmt: skip
@click.option("--statistics", is_flag=True, help="Print the number of findings per rule instead of the findings.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings (errors still exit 2).")
@click.option("--exit-non-zero-on-fix", is_flag=True, help="With --write, exit 1 when a file was changed, even if nothing is left.")
@click.option("-q", "--quiet", is_flag=True, help="No summary line on stderr.")
@click.option(
    "-j", "--jobs", type=click.IntRange(min=0), default=1, show_default=True,
    help="Check files in this many processes at once (0: one per CPU); the output keeps the files' order.",
)  # fmt: skip
def fix_command(
    paths: tuple[str, ...],
    mode: str,
    output_format: str | None,
    output_file: str | None,
    force_exclude: bool,
    report_unused_suppressions: bool,
    statistics: bool,
    exit_zero: bool,
    exit_non_zero_on_fix: bool,
    quiet: bool,
    jobs: int,
    **settings: Any,
) -> None:
    """Find Dockerfiles under PATHS and report and fix what slows or breaks their installs."""
    import os

    from .run import RunOptions, run_files

    unused = frozenset({"DFX100"}) if report_unused_suppressions else frozenset()
    overrides = _overrides(settings, unused)
    options = RunOptions(
        mode, output_format, overrides, force_exclude, exit_zero, exit_non_zero_on_fix, statistics, quiet,
        jobs or os.cpu_count() or 1, output_file,
    )  # fmt: skip
    sys.exit(run_files(paths or (".",), options, click.echo))


@main.command("config")
@click.argument("path", default=".", type=click.Path(exists=True))
@_settings_options
def config_command(path: str, **settings: Any) -> None:
    """Show the settings in force for PATH (a Dockerfile or a directory) and where each came from."""
    from .config import ConfigError, Configs, describe

    overrides = _overrides(settings)
    try:
        lines = describe(path, Configs(overrides), overrides)
    except ConfigError as exc:
        click.echo(f"dockerfix: error: {exc}", err=True)
        sys.exit(2)
    click.echo("\n".join(lines))


@main.command("pr")
@click.argument("path", default=".", type=click.Path(exists=True))
@click.option("--branch", help="The branch the fixes go to (default: [pr] branch in the configuration, else dockerfix/cache-fixes).")
@click.option("--remote", help="The remote to push the branch to (default: [pr] remote, else origin).")
@click.option("--author", metavar="'NAME <EMAIL>'", help="The commit's author and committer (default: [pr] author, else git's).")
@click.option("--repository", metavar="OWNER/NAME", help="The repository on GitHub (default: from the remote's URL).")
@click.option("--dry-run", is_flag=True, help="Print the branch, commit and pull request it would make; touch nothing.")
@click.option("--prove", is_flag=True,
              help="Build each fixed file twice before and after (docker buildx, buildah or podman) and put the "
                   "downloads per RUN step in the pull request.")
@_settings_options
def pr_command(
    path: str, branch: str | None, remote: str | None, author: str | None, repository: str | None, dry_run: bool,
    prove: bool, **settings: Any,
) -> None:
    """Commit the fixes of the git checkout at PATH to a branch of their own, push it, and
    open or update its pull request (closed when nothing is left to fix).

    The token comes from GITHUB_TOKEN or GH_TOKEN, the API from GITHUB_API_URL (GitHub
    Enterprise Server); opening pull requests needs `pip install 'dockerfix[pr]'`.
    """
    from .commands.pr import PrOptions, run_pr
    from .run import RunOptions

    options = RunOptions("diff", overrides=_overrides(settings), quiet=True)
    pr_options = PrOptions(branch or "", remote or "", author or "", repository, dry_run, prove)
    sys.exit(run_pr(path, options, pr_options, click.echo))


@main.command("rules")
@click.argument("code", required=False)
def rules_command(code: str | None) -> None:
    """List the rules (code, name, fix, default safety), or print one rule's page."""
    from .catalog import rule_lines, rule_page_text

    if code is None:
        click.echo("\n".join(rule_lines()))
        return
    page = rule_page_text(code)
    if page is None:
        from .config import selector_problem

        click.echo(f"dockerfix: error: {selector_problem(code, allow_all=False) or f'{code!r} is not one rule'}", err=True)
        sys.exit(2)
    click.echo(page, nl=False)


@main.command("log")
@click.argument("file", type=click.Path(allow_dash=True))
@click.option("--dockerfile", type=click.Path(exists=True, dir_okay=False),
              help="The Dockerfile the log is of: each step is placed on its instruction, with what dockerfix finds there.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_settings_options
def log_command(file: str, dockerfile: str | None, output_format: str, **settings: Any) -> None:
    """Read a build log (FILE, or - for stdin) and say, per RUN step, what pip, uv, poetry and
    apt downloaded, took from their caches and built, with a verdict.

    Reads BuildKit's plain progress (docker build --progress=plain), buildah's and
    podman's output, and the legacy builder's.
    """
    from .commands.log import run_log
    from .run import RunOptions

    options = RunOptions("check", overrides=_overrides(settings), quiet=True)
    sys.exit(run_log(file, dockerfile, output_format, options, click.echo))


@main.command("wheelhouse")
@click.argument("path", default=".", type=click.Path(exists=True))
@click.option("--dockerfile", type=click.Path(exists=True, dir_okay=False), help="The Dockerfile (default: PATH/Dockerfile).")
@click.option("--dest", "destination", default="wheels", show_default=True, help="The folder, in the build context.")
@click.option("--python-version", "python", metavar="3.X", help="The image's Python, when its FROM does not say.")
@click.option("--libc", metavar="glibc-2.N|musl", help="The image's C library, when its FROM does not say.")
@click.option("--platform", metavar="linux/ARCH", help="The image's platform (default: the FROM's --platform, else this machine's).")
@click.option("--index-url", help="pip's --index-url.")
@click.option("--extra-index-url", "extra_index_urls", multiple=True, help="pip's --extra-index-url.")
@click.option("--find-links", multiple=True, help="pip's --find-links.")
@click.option("--no-index", is_flag=True, help="pip's --no-index.")
@click.option("--rewrite", type=click.Choice(["offline", "fallback"]),
              help="Rewrite the installs to read the wheelhouse: offline (--no-index), or fallback (the index only "
                   "when the wheelhouse lacks a package); a diff unless --write.")
@click.option("--write", is_flag=True, help="Write the --rewrite to the Dockerfile.")
@build_arg_option
def wheelhouse_command(path: str, dockerfile: str | None, destination: str, python: str | None, libc: str | None,
                       platform: str | None, index_url: str | None, extra_index_urls: tuple[str, ...],
                       find_links: tuple[str, ...], no_index: bool, rewrite: str | None, write: bool,
                       build_args: dict[str, str]) -> None:  # fmt: skip
    """Download the wheels PATH's Dockerfile's pip installs need, for its image's Python,
    platform and ABI (from each stage's FROM, or the flags), into a folder of the build
    context (PATH, or the Dockerfile's directory); name the packages that have no wheel."""
    from .commands.wheelhouse import WheelhouseOptions, index_options, run_wheelhouse

    options = WheelhouseOptions(destination, python, libc, platform,
                                index_options(index_url, extra_index_urls, find_links, no_index), rewrite, write)
    sys.exit(run_wheelhouse(path, dockerfile, options, build_args, click.echo))


@main.command("explain")
@click.argument("file", type=click.Path(allow_dash=True))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@build_arg_option
def explain_command(file: str, output_format: str, build_args: dict[str, str]) -> None:
    """Show the instructions of FILE and, for every RUN, its user, HOME, caches and mounts."""
    from .run import explain_file

    sys.exit(explain_file(file, output_format, build_args, click.echo))
