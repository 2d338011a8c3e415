"""Output: findings as text, and fixes as a unified diff that `git apply` accepts.

The diff is computed on lines split at `\\n` only (so CRLF and stray `\\r` survive),
marks a missing final newline the way git does, and is preceded, per file, by comment
lines giving each change's reason; `git apply` ignores text before a patch's header.
"""

from __future__ import annotations

import re

from .diagnostics import Applicability, Diagnostic
from .engine import FileResult, Settings

_LINES = re.compile(r"[^\n]*\n|[^\n]+\Z")


def split_lines(text: str) -> list[str]:
    return _LINES.findall(text)


def unified_diff(name: str, before: str, after: str) -> str:
    """A unified diff from `a/name` to `b/name`; empty when nothing changes."""
    import difflib  # only files with changes need it

    lines = difflib.unified_diff(split_lines(before), split_lines(after), f"a/{name}", f"b/{name}", lineterm="\n")
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def marker(diagnostic: Diagnostic, settings: Settings) -> str:
    """`[*]` fixable now, `[unsafe]` fixable with --unsafe-fixes, empty otherwise."""
    fix = diagnostic.fix
    if fix is None or fix.applicability is Applicability.DISPLAY_ONLY:
        return ""
    if settings.allows(fix):
        return " [*]"
    return " [unsafe]"


def finding_lines(result: FileResult, settings: Settings) -> list[str]:
    """`path:line:col: CODE name[*] message` for each finding, in source order."""
    tree = result.tree
    lines = []
    for diagnostic in result.diagnostics:
        line, column = tree.position(diagnostic.span.start) if tree is not None else (1, 1)
        text = f"{result.name}:{line}:{column}: {diagnostic.code} {diagnostic.name}{marker(diagnostic, settings)} {diagnostic.message}"
        if diagnostic.fix is not None:
            text += f" (fix: {diagnostic.fix.title})"
        lines.append(text)
    return lines


def dry_run(result: FileResult, settings: Settings) -> str:
    """The reasons as comment lines, then the diff of the fixes."""
    findings = finding_lines(result, settings)
    if not findings and not result.changed:
        return ""
    comments = "".join(f"# {line}\n" for line in findings)
    return comments + unified_diff(result.name, result.source, result.output)
