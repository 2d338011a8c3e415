"""The files a shell command writes, and what it writes there, read without running it.

Dockerfiles write configuration files in a few recognisable ways: `echo ... > FILE`,
`printf ... > FILE`, `cat > FILE <<EOF ... EOF`, `tee FILE <<EOF` (`>>` and `tee -a`
append). pip's and apt's configuration readers (`pipconf`, `aptconf`) both need them;
a path or content that is not static is said to be so, never guessed.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable

from .shell import Script, SimpleCommand

__all__ = ["file_writes"]

_PRINTF_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'"}


def file_writes(
    script: Script, command: SimpleCommand, home: str | None, concerns: Callable[[str], bool]
) -> list[tuple[str | None, str | None, bool]]:
    """(path, content, appends) for each file `command` writes; content None when not
    static. A path that is not static is None when `concerns(path)` says it may be a file
    the caller reads, else "" (`~/` and `$HOME/` take `home`)."""
    writes: list[tuple[str | None, str | None, bool]] = []
    heredoc = next((r.body_text(script.code) for r in command.redirects if r.op in ("<<", "<<-") and r.body), None)
    quoted = all(r.target is not None and r.target.quoted for r in command.redirects if r.op in ("<<", "<<-"))
    words = [word.text for word in command.effective_words]
    for redirect in command.redirects:
        if redirect.op in (">", ">>", ">|") and redirect.fd in (None, "1") and redirect.target is not None:
            path = _static_path(redirect.target.text, home, concerns)
            writes.append((path, _output(words, heredoc, quoted), redirect.op == ">>"))
    if words and words[0] == "tee":
        content = heredoc if heredoc is not None and (quoted or "$" not in heredoc) else None
        append = "-a" in words or "--append" in words
        writes.extend((_static_path(word, home, concerns), content, append) for word in words[1:] if not word.startswith("-"))
    return writes


def _static_path(text: str, home: str | None, concerns: Callable[[str], bool]) -> str | None:
    """The written path; None only when it is not static and may concern the caller."""
    if text.startswith("~/") and home is not None:
        text = posixpath.join(home, text[2:])
    elif text.startswith("$HOME/") and home is not None:
        text = posixpath.join(home, text[6:])
    if "$" in text or "`" in text:
        return None if concerns(text) else ""
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
