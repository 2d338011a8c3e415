"""DFX100: suppression comments that silence nothing."""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Diagnostic, Edit, Fix
from .base import Context, Invalid, Rule, Valid


class UnusedSuppression(Rule):
    """## What it does
    Finds codes in dockerfix's own suppression comments, `# dockerfix: ignore=...` and
    `# dockerfix: ignore-file=...`, that silence nothing: the rule they name found
    nothing in the instruction after the comment (or, for `ignore-file`, in the file).
    Only rules this run selects are judged: a comment for a rule that `--select` or
    `ignore` leaves out may still be needed by a run that checks it. `all` is unused
    when no rule found anything there. A comment that names DFX100 itself keeps its
    other codes. hadolint's comments are left alone: hadolint reads them too.

    This rule runs only when asked for: `--report-unused-suppressions`, or its code or
    name in `select` or `extend-select` (a prefix such as `DFX1` or `ALL` does not
    select it).

    ## Why is this bad?
    A suppression outlives the problem it was written for. Left in place, it silences
    the rule when the problem comes back, say when someone moves the cache mount or
    changes the user, and the build is slow again with nothing to say why.

    ## Example
    ```dockerfile
    FROM python:3.12
    # dockerfix: ignore=DFX101
    RUN pip install flask
    ```
    The RUN has no cache mount, so DFX101 (a mount in the wrong place) has nothing to
    find there. Use instead:
    ```dockerfile
    FROM python:3.12
    RUN pip install flask
    ```

    ## Fix safety
    Safe: it removes the unused codes from the comment, or the whole comment line when
    none is left. Removing a code changes no finding of this run.
    """

    code = "DFX100"
    name = "unused-suppression"
    summary = "A suppression comment that silences nothing"
    opt_in = True
    after_suppressions = True
    valid = (
        Valid(
            "FROM python:3.12\nENV HOME=/app\n# dockerfix: ignore=DFX101\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install flask\n",
            note="DFX101 finds the mount at /root while pip caches in /app: the comment silences it",
            together=("DFX101",),
        ),
        Valid(
            "FROM python:3.12\n# dockerfix: ignore=DFX101\nRUN pip install flask\n",
            note="DFX101 is not selected in this run: the comment is not judged",
        ),
        Valid(
            "FROM python:3.12\n# dockerfix: ignore=DFX101,DFX100\nRUN pip install flask\n",
            note="the comment silences DFX100 too: it is kept on purpose",
            together=("DFX101",),
        ),
        Valid(
            "FROM python:3.12\n# hadolint ignore=DL3013\nRUN pip install flask\n",
            note="hadolint's comments are hadolint's",
            together=("DFX101",),
        ),
    )
    invalid = (
        Invalid(
            "FROM python:3.12\n# dockerfix: ignore=DFX101\nRUN pip install flask\n",
            fixed="FROM python:3.12\nRUN pip install flask\n",
            together=("DFX101",),
        ),
        Invalid(
            "FROM python:3.12\nENV HOME=/app\n# dockerfix: ignore=DFX101, DFX103\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install flask\n",
            fixed="FROM python:3.12\nENV HOME=/app\n# dockerfix: ignore=DFX101\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install flask\n",
            together=("DFX101", "DFX103"),
            note="DFX103 (the cache switched off) finds nothing: only DFX101 stays",
        ),
        Invalid(
            "# dockerfix: ignore-file=DFX103\nFROM python:3.12\nRUN pip install flask\n",
            fixed="FROM python:3.12\nRUN pip install flask\n",
            together=("DFX103",),
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        suppressions = context.suppressions
        for index, entry in enumerate(suppressions.entries):
            if entry.origin != "dockerfix":
                continue
            judged = [code for code in entry.codes if code == "all" or _selected(code, context)]
            unused = [code for code in judged if (index, code) not in suppressions.used]
            if not unused:
                continue
            kept = [code for code in entry.codes if code not in unused]
            where = "in this file" if entry.start == 0 and entry.end == len(context.source) else "in the instruction after it"
            named = ", ".join(unused)
            message = f"the suppression of {named} silences nothing: {'it finds' if len(unused) == 1 else 'they find'} nothing {where}"
            if kept:
                fix = Fix(f"Remove {named} from the comment", (Edit.replace(entry.codes_at, ",".join(kept)),))
            else:
                fix = Fix("Remove the comment", (Edit.delete(entry.line),))
            yield self.report(entry.codes_at, message, fix)


def _selected(code: str, context: Context) -> bool:
    return any(code in (rule.code, rule.name) for rule in context.selected)
