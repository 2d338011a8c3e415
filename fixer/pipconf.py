"""pip configuration files that the build itself writes.

A `no-cache-dir = true` written into `/etc/pip.conf` switches off every later pip's
cache, and a cache mount can then do nothing (semantics.md §3.2: only a command-line
`--cache-dir` re-enables it). Dockerfiles write these files in a few recognisable ways,
read here without running anything:
- `pip config [--global|--user|--site] set section.key value`;
- `echo ... > FILE`, `printf ... > FILE`, `cat > FILE <<EOF ... EOF`, `tee FILE <<EOF`
  in a RUN's shell code (`>>` appends);
- `COPY <<EOF /etc/pip.conf` heredocs (read by the caller with `parse_ini`).
A write whose content or target cannot be read statically makes the result not
`understood`, so the analysis treats pip's configuration as unknown instead of guessing.
"""

from __future__ import annotations

import posixpath
import re

from .caches import PipSetting, prefix_of
from .facts import Origin
from .filewrites import file_writes
from .installers import InstallerCall, find_installer_calls
from .records import NamedTuple
from .shell import Script

GLOBAL_FILE = "/etc/pip.conf"
# `config` as a whole word: between characters that end words, as the unquoted text has them.
_CONFIG_WORD = re.compile(r"(?:^|[\s;&|()<>`])config(?:[\s;&|()<>`]|\Z)")


class PipConfigWrites(NamedTuple):
    """Settings a RUN writes into pip config files, in order; `understood` is False when
    some write could not be read."""

    settings: tuple[PipSetting, ...]
    understood: bool


def _may_be_pip_config(text: str) -> bool:
    """Whether a written path that is not static (`$DIR/x`) may be a pip config file."""
    return "pip" in text.lower()


def is_pip_config_path(path: str) -> bool:
    return posixpath.basename(path) == "pip.conf"


def parse_ini(text: str, path: str, origin: Origin) -> tuple[PipSetting, ...] | None:
    """The settings of a pip config file's text, or None when it is not valid INI."""
    import configparser  # only files the build writes need it

    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    return tuple(
        PipSetting(path, section, key, value, origin)
        for section in parser.sections()
        for key, value in parser.items(section)
    )


def may_write_pip_config(code: str, unquoted: str | None) -> bool:
    """Whether `pip_config_writes` can find a write in a script of this code
    (`unquoted` is `shell.unquoted(code)`).

    False means it finds none and everything is understood: the script has no `pip ...
    config` call (pip named "pip...", its subcommand the word `config`), and no file
    write (a `>` redirection or `tee`) to a file named pip.conf or to a path that both
    names pip and holds a `$` or backquote (only such a path is not understood). A path
    starting `~/` or `$HOME/` takes the RUN's HOME, which this text does not show: a
    write there may.
    """
    if unquoted is None:
        return True
    if "pip" in unquoted and _CONFIG_WORD.search(unquoted):
        return True
    if ">" not in code and "tee" not in unquoted:
        return False
    if "pip.conf" in unquoted or "~/" in unquoted or "HOME/" in unquoted:
        return True
    return "pip" in unquoted.lower() and ("$" in code or "`" in code)


def pip_config_writes(
    script: Script, home: str | None, origin: Origin, calls: tuple[InstallerCall, ...] | None = None
) -> PipConfigWrites:
    """The pip config settings one RUN writes; `home` resolves `~` and `--user` files.

    `calls` are the script's installer calls when the caller has them already.
    """
    settings: list[PipSetting] = []
    understood = True
    for call in find_installer_calls(script) if calls is None else calls:
        if call.tool == "pip" and call.subcommand == "config":
            found = _pip_config_set(call, home, origin)
            understood = understood and found is not None
            settings.extend(found or ())
    contents: dict[str, str | None] = {}
    for command in script.commands:
        for path, content, append in file_writes(script, command, home, _may_be_pip_config):
            if path is None:
                understood = False
            elif is_pip_config_path(path):
                before = contents.get(path, "") if append else ""
                contents[path] = None if before is None or content is None else before + content
    for path, content in contents.items():
        found = None if content is None else parse_ini(content, path, origin)
        understood = understood and found is not None
        settings.extend(found or ())
    return PipConfigWrites(tuple(settings), understood)


def _pip_config_set(call, home: str | None, origin: Origin) -> tuple[PipSetting, ...] | None:  # type: ignore[no-untyped-def]
    """`pip config set name value` (the only edit modelled; `unset`/`edit` are unknown)."""
    words = [word.text for word in call.positionals]
    if not words or words[0] in ("list", "get", "debug"):
        return ()
    if words[0] != "set" or len(words) != 3 or any("$" in word for word in words[1:]):
        return None
    section, _, key = words[1].partition(".")
    if not key:
        return None
    if call.get("--global"):
        path = GLOBAL_FILE
    elif call.get("--site"):
        prefix = prefix_of(call.program)
        if prefix is None:
            return None
        path = posixpath.join(prefix, "pip.conf")
    elif home is not None:
        path = posixpath.join(home, ".config", "pip", "pip.conf")
    else:
        return None
    return (PipSetting(path, section, key, words[2], origin),)
