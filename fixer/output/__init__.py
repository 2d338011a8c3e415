"""The output formats, chosen with `--format`.

Text formats (`full`, `concise`, `diff`) and `github` are written file by file, as the
files are checked; the others (`json`, `sarif`, `gitlab`, `markdown`) are one document
for the whole run, written at the end. Each format's module is imported only when it
is used, and this one imports nothing, so the command line can list the formats
without loading the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import FileReport
    from .model import Summary
    from .text import Style

FORMATS = ("full", "concise", "diff", "json", "sarif", "github", "gitlab", "markdown")
STREAMED = frozenset({"full", "concise", "diff", "github"})


def render_file(output_format: str, report: FileReport, style: Style | None) -> str:
    """What a streamed format writes for one file (`style`: the text formats' colours),
    credentials masked (`model.masked`)."""
    from .model import masked

    report = masked(report)
    if output_format == "diff":
        from .diff import dry_run

        return dry_run(report)
    if output_format == "github":
        from .github import annotations

        return annotations(report)
    from . import text

    assert style is not None, "the text formats are given their colours"
    return text.full(report, style) if output_format == "full" else text.concise(report, style)


def render_document(output_format: str, reports: list[FileReport], summary: Summary, mode: str) -> str:
    """What a document format writes for the whole run, credentials masked."""
    from .model import masked

    reports = [masked(report) for report in reports]
    if output_format == "json":
        from .json_report import document

        return document(reports, summary)
    if output_format == "sarif":
        from .sarif import document as sarif

        return sarif(reports)
    if output_format == "gitlab":
        from .gitlab import document as gitlab

        return gitlab(reports)
    from .markdown import document as markdown

    return markdown(reports, summary, mode)
