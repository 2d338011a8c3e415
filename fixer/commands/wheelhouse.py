"""`dockerfix wheelhouse [PATH]`: download the wheels the Dockerfile's pip installs need,
for each stage's image, into a folder of the build context.

Exit 0 when every requirement has its wheels; 1 when some have no wheel for the image
(they are named: pip would build them in the image, from the index); 2 when the image's
Python or platform cannot be told (the message names the flag), the Dockerfile cannot
be read, or pip fails.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from ..records import NamedTuple
from ..run import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK

Echo = Callable[..., None]


class WheelhouseOptions(NamedTuple):
    """Where the wheels go (relative to the context), the target flags, and pip's index options."""

    destination: str = "wheels"
    python: str | None = None
    libc: str | None = None
    platform: str | None = None
    index_options: tuple[str, ...] = ()
    rewrite: str | None = None  # `offline` or `fallback`: the installs rewritten to read the wheelhouse
    write: bool = False  # write the rewrite instead of printing its diff


def run_wheelhouse(path: str, dockerfile: str | None, options: WheelhouseOptions, build_args: Mapping[str, str],
                   echo: Echo) -> int:  # fmt: skip
    from ..analysis import analyse
    from ..parser import decode, parse
    from ..python_inputs import read_requirements
    from ..secrets import mask
    from ..wheelhouse.download import PipError, download
    from ..wheelhouse.needs import needs_of
    from ..wheelhouse.target import Target, TargetError, target_of

    context = Path(path) if Path(path).is_dir() else Path(path).parent
    file = Path(dockerfile) if dockerfile else (context / "Dockerfile" if Path(path).is_dir() else Path(path))
    try:
        tree = parse(decode(file.read_bytes()))
    except OSError as exc:
        echo(f"dockerfix wheelhouse: error: {file}: {exc.strerror or exc}", err=True)
        return EXIT_ERROR
    if tree.errors:
        for error in tree.errors:
            echo(f"{file}:{error.line}:{error.column}: error: {error.message}", err=True)
        return EXIT_ERROR
    needs = needs_of(analyse(tree, build_args), context.resolve())
    if not needs:
        echo(f"{file}: no pip install reads requirement files or names packages: nothing to download")
        return EXIT_OK
    groups: dict[Target, list[str]] = {}
    constraints: dict[Target, list[Path]] = {}
    for need in needs:
        for reason in need.untraced:
            echo(mask(f"{file}:{need.line}: warning: {reason}: not in the wheelhouse"), err=True)
        try:
            target = target_of(need.image, need.platform, options.python, options.libc, options.platform)
        except TargetError as exc:
            echo(f"{file}:{need.line}: error: {exc}", err=True)
            return EXIT_ERROR
        specifiers = groups.setdefault(target, [])
        for requirement_file in need.requirements:
            specifiers += read_requirements(Path(requirement_file)).specifiers
        specifiers += need.packages
        constraints.setdefault(target, []).extend(Path(name) for name in need.constraints)
    destination = context / options.destination
    incomplete = False
    for target, specifiers in groups.items():
        unique = list(dict.fromkeys(specifiers))
        echo(f"{file}: {len(unique)} requirement{'s' if len(unique) != 1 else ''} for {target.described}")
        try:
            result = download(target, unique, list(dict.fromkeys(constraints[target])), destination, options.index_options)
        except PipError as exc:
            echo(f"dockerfix wheelhouse: error: {exc}", err=True)
            return EXIT_ERROR
        echo(f"  {len(result.files)} new file{'s' if len(result.files) != 1 else ''} in {destination}")
        for name in result.files:
            echo(f"    {name}")
        for missing in result.missing:
            incomplete = True
            needed = "" if missing.package == missing.requirement else f" (for {missing.requirement})"
            echo(f"  no wheel for this image: {missing.package}{needed}: the build needs the index for it "
                 f"(pip: {missing.reason})")  # fmt: skip
    if options.rewrite is None:
        echo(_advice(options.destination, incomplete))
    elif not _rewritten(file, tree.source, needs, options, incomplete, echo):
        return EXIT_ERROR
    return EXIT_FINDINGS if incomplete else EXIT_OK


def _rewritten(file: Path, source: str, needs: list, options: WheelhouseOptions, incomplete: bool, echo: Echo) -> bool:  # type: ignore[type-arg]
    """Print (or `--write`) the installs rewritten to the wheelhouse; False when the
    rewritten file would not parse or cannot be written."""
    from ..diagnostics import apply_edits
    from ..output.diff import unified_diff
    from ..parser import parse
    from ..secrets import mask
    from ..wheelhouse.rewrite import rewrite
    from ..writer import WriteError, repository_root, write_atomic

    if options.rewrite == "offline" and incomplete:
        echo(f"{file}: not rewritten to the offline form: packages without a wheel would fail the build; "
             "--rewrite fallback takes them from the index", err=True)  # fmt: skip
        return True
    result = rewrite(source, needs, options.destination, options.rewrite or "offline")
    for line, why in result.skipped:
        echo(f"{file}:{line}: note: not rewritten: {why}", err=True)
    if not result.edits:
        return True
    after = apply_edits(source, result.edits)
    errors = parse(after).errors
    if errors:
        echo(f"{file}: error: the rewrite would not parse ({errors[0].message}, line {errors[0].line}): not written", err=True)
        return False
    if not options.write:
        echo(mask(unified_diff(str(file), source, after)), nl=False)
        return True
    try:
        write_atomic(str(file), after, repository_root(file.resolve().parent))
    except WriteError as exc:
        echo(f"dockerfix wheelhouse: error: {exc}", err=True)
        return False
    echo(f"{file}: rewritten to the {options.rewrite} form")
    return True


def _advice(destination: str, incomplete: bool) -> str:
    """How a Dockerfile installs from the wheelhouse."""
    offline = f"pip install --no-index --find-links=/{destination} -r requirements.txt"
    lines = [
        "",
        f"To install from it: `COPY {destination}/ /{destination}/` before the install, then",
        f"  offline: `{offline}`" + (" (fails: some packages have no wheel)" if incomplete else ""),
        f"  or, using the index only when the wheelhouse lacks a package: `{offline} || pip install -r requirements.txt`",
    ]
    return "\n".join(lines)


def index_options(index_url: str | None, extra_index_urls: Sequence[str], find_links: Sequence[str], no_index: bool) -> tuple[str, ...]:
    """pip's index options from the command's flags."""
    options = [f"--index-url={index_url}"] if index_url else []
    options += [f"--extra-index-url={url}" for url in extra_index_urls]
    options += [f"--find-links={link}" for link in find_links]
    return (*options, "--no-index") if no_index else tuple(options)
