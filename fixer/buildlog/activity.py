"""What the installers say they did, read from one step's output.

- **pip** (pypa/pip `network/download.py`, `operations/prepare.py`, `wheel_builder.py`):
  `Downloading <file> (<size>)` fetched a file; `Using cached <file> (<size>)` took it
  from the HTTP cache; `Using cached <wheel>` without a size took a wheel pip built
  before from its wheel cache; `Created wheel for <name>: ...` built one. A `.metadata`
  file (PEP 658) is not a package: pip fetches the package itself later, and says so.
  Old pips name the URL instead of the file: its last part is the file.
  `The cache has been disabled` is pip giving up on a cache directory it cannot write.
- **uv** (astral-sh/uv `pip/loggers.rs`, `reporters.rs`): it never names a cache hit.
  `Prepared N packages` counts what it fetched or built, `Installed M packages` all it
  installed, so M - N came from its cache (no `Prepared` line: all of them). Its
  `Downloading <name> (<size>)` names a package, not a file, and only over 1 MiB, so the
  count comes from `Prepared`; `Built <name>` lines count builds. `Failed to hardlink
  files; falling back to full copy` is uv copying out of a cache on another filesystem,
  a cache mount's, which `--link-mode=copy` says is meant.
- **poetry** (python-poetry `installation/executor.py`): without a terminal it prints
  `Package operations: N installs` and one line a package, the same whether the package
  came from its cache or not: what it reused is not in the log, and the report says so.
- **apt** (apt 2.6, dpkg): `Get:<n> <uri> <suite>/<component> <arch> <name> <arch>
  <version> [<size>]` is a package downloaded (an index has fewer fields); dpkg's
  `Setting up <name> (<version>) ...` is one installed, so those not downloaded came
  from apt's archive cache.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..records import NamedTuple

_ARCHIVE = re.compile(r".*\.(?:whl|tar\.gz|tgz|zip|tar\.bz2|tar\.xz|egg)")
_PIP_DOWNLOAD = re.compile(r"\s*Downloading (\S+)(?: \([^)]*\))?")
_PIP_CACHED = re.compile(r"\s*Using cached (\S+)( \([^)]*\))?")
_PIP_BUILT = re.compile(r"\s*Created wheel for ([^:]+): .*")
_PIP_INSTALLED = re.compile(r"Successfully installed (.+)")
_PIP_DISABLED = re.compile(r".*The directory '([^']*)' or its parent directory is not owned or is not writable .*The cache has been disabled.*")
_UV_SUMMARY = re.compile(r"(Resolved|Prepared|Installed|Checked|Audited) (\d+) packages? (?:in |without )")
_UV_BUILT = re.compile(r"\s+Built (\S+)")
_UV_HARDLINK = re.compile(r".*Failed to hardlink files; falling back to full copy.*")
_UV_CACHE_ERROR = re.compile(r"error: (?:Failed to initialize cache|Could not acquire lock).*")
_POETRY_OPERATIONS = re.compile(r"Package operations: (\d+) installs?, .*")
_APT_GET = re.compile(r"(Get|Hit):\d+ \S+ ([^\[]*?)(?: \[[^\]]*\])?")
_APT_SETUP = re.compile(r"Setting up (\S+) \(.*")
_APT_PACKAGE_FIELDS = 5


class Tool(NamedTuple):
    """One installer's work in one step: the packages (or files) it downloaded, took from
    its cache and built, by name where the log names them, with the counts (uv only
    counts), and how many it installed where it says. `reuse_visible` is false when
    the log cannot tell what came from the cache (poetry)."""

    name: str
    downloaded: tuple[str, ...] = ()
    reused: tuple[str, ...] = ()
    built: tuple[str, ...] = ()
    downloaded_count: int = 0
    reused_count: int = 0
    installed: int = 0
    reuse_visible: bool = True


class Activity(NamedTuple):
    """A step's installers and the warnings they gave about their caches."""

    tools: tuple[Tool, ...]
    warnings: tuple[str, ...]

    @property
    def downloaded(self) -> int:
        return sum(tool.downloaded_count for tool in self.tools)

    @property
    def reused(self) -> int:
        return sum(tool.reused_count for tool in self.tools)

    @property
    def built(self) -> int:
        return sum(len(tool.built) for tool in self.tools)


def read_activity(lines: Iterable[str]) -> Activity:
    """The installers' work in a step's output lines."""
    pip_downloaded: list[str] = []
    pip_reused: list[str] = []
    pip_built: list[str] = []
    pip_installed = 0
    uv: dict[str, int] = {}
    uv_built: list[str] = []
    poetry: int | None = None
    apt_downloaded: list[str] = []
    apt_installed = 0
    warnings: list[str] = []
    for line in lines:
        if matched := _PIP_DOWNLOAD.fullmatch(line):
            name = _file_name(matched.group(1))
            if _ARCHIVE.fullmatch(name):
                pip_downloaded.append(name)
        elif matched := _PIP_CACHED.fullmatch(line):
            name = _file_name(matched.group(1))
            if _ARCHIVE.fullmatch(name):
                pip_reused.append(name)
        elif matched := _PIP_BUILT.fullmatch(line):
            pip_built.append(matched.group(1))
        elif matched := _PIP_INSTALLED.fullmatch(line):
            pip_installed += len(matched.group(1).split())
        elif matched := _PIP_DISABLED.fullmatch(line):
            warnings.append(f"pip's cache is disabled: it cannot write {matched.group(1)} (a cache mount the user does not own?)")
        elif matched := _UV_SUMMARY.match(line):
            uv[matched.group(1)] = int(matched.group(2))
        elif matched := _UV_BUILT.fullmatch(line):
            uv_built.append(matched.group(1))
        elif _UV_HARDLINK.fullmatch(line):
            warnings.append("uv copies out of its cache instead of hard-linking (a cache mount is another filesystem): "
                            "--link-mode=copy says that is meant")  # fmt: skip
        elif _UV_CACHE_ERROR.fullmatch(line):
            warnings.append(f"uv cannot use its cache: {line.removeprefix('error: ')}")
        elif matched := _POETRY_OPERATIONS.fullmatch(line):
            poetry = int(matched.group(1))
        elif matched := _APT_GET.fullmatch(line):
            fields = matched.group(2).split()
            if matched.group(1) == "Get" and len(fields) == _APT_PACKAGE_FIELDS:
                apt_downloaded.append(fields[2])
        elif _APT_SETUP.fullmatch(line):
            apt_installed += 1
    tools = []
    if pip_downloaded or pip_reused or pip_built or pip_installed:
        tools.append(Tool("pip", tuple(pip_downloaded), tuple(pip_reused), tuple(pip_built),
                          len(pip_downloaded), len(pip_reused), pip_installed))  # fmt: skip
    if "Installed" in uv or "Prepared" in uv:
        prepared, installed = uv.get("Prepared", 0), uv.get("Installed", uv.get("Prepared", 0))
        tools.append(Tool("uv", built=tuple(uv_built), downloaded_count=prepared,
                          reused_count=max(installed - prepared, 0), installed=installed))  # fmt: skip
    if poetry:
        tools.append(Tool("poetry", installed=poetry, reuse_visible=False))
    if apt_downloaded or apt_installed:
        tools.append(Tool("apt", tuple(apt_downloaded), downloaded_count=len(apt_downloaded),
                          reused_count=max(apt_installed - len(apt_downloaded), 0), installed=apt_installed))  # fmt: skip
    return Activity(tuple(tools), tuple(dict.fromkeys(warnings)))


def _file_name(shown: str) -> str:
    """The file pip names: itself, or the last part of the URL old pips show."""
    return shown.rsplit("/", 1)[-1].split("#", 1)[0]
