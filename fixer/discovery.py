"""Which files are Dockerfiles: explicit paths as given, directories searched by name.

Names follow the conventions Docker, Podman and editors use: `Dockerfile`,
`Dockerfile.<anything>`, `<anything>.Dockerfile` / `.dockerfile`, `Containerfile`
and `Containerfile.<anything>`. What the configuration excludes is not searched (by
default version-control and virtual-environment folders: they never hold a project's
Dockerfiles and can be huge). Inside a git work tree, files that `.gitignore` ignores
are skipped (asked of git itself, so every ignore rule git knows applies); explicit file
paths are taken as given, unless `--force-exclude`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from .config import Config, Configs
from .sources import STDIN

_DEFAULTS = Config()


def is_dockerfile_name(name: str) -> bool:
    lowered = name.lower()
    return (
        lowered in ("dockerfile", "containerfile")
        or lowered.startswith(("dockerfile.", "containerfile."))
        or lowered.endswith(".dockerfile")
    )


def find_dockerfiles(paths: tuple[str, ...], configs: Configs | None = None, force_exclude: bool = False) -> Iterator[str]:
    """Explicit files (and `-`) in the order given, then each directory's Dockerfiles sorted.

    A directory walk leaves out what each directory's configuration excludes
    (`exclude`, `extend-exclude`; by default version control and virtual environments);
    an explicit file is taken as given unless `force_exclude` (pre-commit passes every
    changed file by name, so its hooks ask for exclusions to apply to them too).
    """
    for path in paths:
        if path == STDIN or not os.path.isdir(path):
            if path == STDIN or not (force_exclude and _config(configs, path).excluded(path, False)):
                yield path
            continue
        found = [
            os.path.normpath(os.path.join(root, name))  # `./a/Dockerfile` is shown as `a/Dockerfile`
            for root, config, files in _walk(path, configs)
            for name in sorted(files)
            if is_dockerfile_name(name) and not config.excluded(os.path.join(root, name), False)
        ]
        ignored = _git_ignored(path, found)
        yield from (name for name in found if name not in ignored)


def _walk(path: str, configs: Configs | None) -> Iterator[tuple[str, Config, list[str]]]:
    """(directory, its configuration, its files), pruning the directories it excludes."""
    for root, dirs, files in os.walk(path):
        config = _config(configs, root)
        dirs[:] = sorted(d for d in dirs if not config.excluded(os.path.join(root, d), True))
        yield root, config, files


def _config(configs: Configs | None, path: str) -> Config:
    return configs.for_path(path) if configs is not None else _DEFAULTS


def _git_ignored(directory: str, names: list[str]) -> set[str]:
    """The names git ignores; none when git or a work tree is not there."""
    if not names:
        return set()
    import subprocess  # only directory walks need git; keep it off the start-up path

    try:
        result = subprocess.run(
            ["git", "-C", directory, "check-ignore", "--stdin", "-z"],
            input="\0".join(os.path.relpath(name, directory) for name in names) + "\0",
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return set()
    if result.returncode not in (0, 1):
        return set()
    ignored = {os.path.normpath(os.path.join(directory, name)) for name in result.stdout.split("\0") if name}
    return {name for name in names if os.path.normpath(name) in ignored}
