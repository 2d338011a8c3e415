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
from .installers import InstallerCall, find_installer_calls
from .records import NamedTuple
from .shell import Script, SimpleCommand

GLOBAL_FILE = "/etc/pip.conf"
# `config` as a whole word: between characters that end words, as the unquoted text has them.
_CONFIG_WORD = re.compile(r"(?:^|[\s;&|()<>`])config(?:[\s;&|()<>`]|\Z)")
_PRINTF_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'"}


class PipConfigWrites(NamedTuple):
    """Settings a RUN writes into pip config files, in order; `understood` is False when
    some write could not be read."""

    settings: tuple[PipSetting, ...]
    understood: bool


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
        for path, content, append in _file_writes(script, command, home):
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


def _file_writes(
    script: Script, command: SimpleCommand, home: str | None
) -> list[tuple[str | None, str | None, bool]]:
    """(path, content, appends) for each file `command` writes; path None when not static."""
    writes: list[tuple[str | None, str | None, bool]] = []
    heredoc = next((r.body_text(script.code) for r in command.redirects if r.op in ("<<", "<<-") and r.body), None)
    quoted = all(r.target is not None and r.target.quoted for r in command.redirects if r.op in ("<<", "<<-"))
    words = [word.text for word in command.effective_words]
    for redirect in command.redirects:
        if redirect.op in (">", ">>", ">|") and redirect.fd in (None, "1") and redirect.target is not None:
            path = _static_path(redirect.target.text, home)
            writes.append((path, _output(words, heredoc, quoted), redirect.op == ">>"))
    if words and words[0] == "tee":
        content = heredoc if heredoc is not None and (quoted or "$" not in heredoc) else None
        append = "-a" in words or "--append" in words
        writes.extend((_static_path(word, home), content, append) for word in words[1:] if not word.startswith("-"))
    return writes


def _static_path(text: str, home: str | None) -> str | None:
    """The written path; None only when it is not static and may be a pip config file."""
    if text.startswith("~/") and home is not None:
        text = posixpath.join(home, text[2:])
    elif text.startswith("$HOME/") and home is not None:
        text = posixpath.join(home, text[6:])
    if "$" in text or "`" in text:
        return None if "pip" in text.lower() else ""
    return text


def _output(words: list[str], heredoc: str | None, quoted: bool) -> str | None:
    """What `echo`, `printf` or `cat` (with a here-document) print, when static."""
    if not words:
        return None
    program, args = posixpath.basename(words[0]), words[1:]
    if any("$" in arg or "`" in arg for arg in args):
        return None
    if program == "echo":
        newline = "-n" not in args
        args = [arg for arg in args if arg not in ("-n", "-e", "-E")]
        text = " ".join(args)
        if "\\" in text:
            return None
        return text + ("\n" if newline else "")
    if program == "printf" and args:
        return _printf(args[0], args[1:])
    if program == "cat" and not args and heredoc is not None:
        return heredoc if quoted or "$" not in heredoc else None
    return None


def _printf(form: str, args: list[str]) -> str | None:
    """printf with `%s` and the common backslash escapes; anything else is not static."""
    pieces = iter(args)
    out: list[str] = []
    for match in re.finditer(r"\\(.)|%(.)|[^\\%]+", form):
        if match.group(1) is not None:
            escaped = _PRINTF_ESCAPES.get(match.group(1))
            if escaped is None:
                return None
            out.append(escaped)
        elif match.group(2) is not None:
            if match.group(2) == "%":
                out.append("%")
            elif match.group(2) == "s":
                out.append(next(pieces, ""))
            else:
                return None
        else:
            out.append(match.group())
    return "".join(out)
