"""DFX114 unpinned-requirements: an install from requirement files whose entries are not pinned.

Which versions `pip install -r requirements.txt` installs depends on the day: with
`flask` or `requests>=2`, a new release changes what the step downloads, and the layer
cache, keyed on the file's text, keeps serving whatever the last build installed.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..diagnostics import Applicability, Diagnostic, Fix
from ..edits import insert_argument_after
from ..patterns import compile_lazily
from .base import Context, Invalid, Rule, Valid

if TYPE_CHECKING:
    from ..wheelhouse.needs import Need

_PINNED = compile_lazily(r"[^;]*?===?\s*[^\s,;*]+\s*(?:[,;].*)?")
# Locks a project may keep beside its requirements, with how an install uses each.
_LOCKS = (
    ("constraints.txt", "install with `-c constraints.txt`"),
    ("requirements.lock", "install from it: `-r requirements.lock`"),
    ("requirements-lock.txt", "install from it: `-r requirements-lock.txt`"),
    ("uv.lock", "`uv sync --locked` installs exactly what it pins"),
    ("poetry.lock", "`poetry install` installs exactly what it pins"),
    ("pdm.lock", "`pdm sync` installs exactly what it pins"),
    ("Pipfile.lock", "`pipenv sync` installs exactly what it pins"),
)


class UnpinnedRequirements(Rule):
    """Requirements without `==` pins, no hashes and no constraints: each build may install other versions.

    Only when asked for (`--extend-select DFX114`, or `extend-select = ["DFX114"]`): most
    projects install unpinned on purpose, and a finding on every one of them would bury
    the cache bugs the other rules find.

    ## What it does
    Reads the requirement files a pip install (`pip install -r`, `uv pip install -r`)
    takes from the build context, following nested `-r` includes, and reports the
    entries that are not pinned to one version (`flask`, `requests>=2`, `django~=5.0`,
    `numpy==1.*`), unless the install is constrained (`-c` on the command line or in a
    file) or hash-checked (`--hash`, which makes pip demand exact pins). Where a lock or
    constraints file is beside the requirements and the install ignores it
    (`constraints.txt`, `requirements.lock`, `requirements-lock.txt`, `uv.lock`,
    `poetry.lock`, `pdm.lock`, `Pipfile.lock`), the message says how to use it.

    ## Why is this bad?
    An unpinned install resolves against the index as it is on the day of the build: a
    release upstream changes what is downloaded and installed, so the installers' caches
    hit less (the new release is downloaded), and the layer cache, which only sees the
    requirement file's text, keeps an image with whatever the last uncached build got.
    Two builds of one commit can differ, and a rebuild that only needed a cache hit
    can break on a new release.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    COPY . /app
    WORKDIR /app
    RUN pip install -r requirements.txt
    ```
    with `requirements.txt` reading `flask` and `requests>=2`, and `constraints.txt`
    beside it. Use instead:
    ```dockerfile
    FROM python:3.12-slim
    COPY . /app
    WORKDIR /app
    RUN pip install -r requirements.txt -c constraints.txt
    ```

    ## Fix safety
    Only a `constraints.txt` next to the requirement file, already in the image (copied
    with it), gets a fix: `-c` after the `-r` option. It is unsafe: the versions
    installed become the constraints', which may differ from what builds got so far.
    The rest is reported with what to do: which lock to use, or how to pin (`pip-compile`
    or `uv pip compile` write pinned files).
    """

    code = "DFX114"
    name = "unpinned-requirements"
    opt_in = True  # most projects install unpinned on purpose: a check on every one would fail their builds' linting
    summary = "an install from requirement files with entries not pinned to one version, without constraints or hashes"

    valid = (
        Valid(
            "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n",
            context={"requirements.txt": "flask==3.0.3\nrequests[socks]==2.32.3 ; python_version >= '3.8'\n"},
        ),
        Valid(
            "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt constraints.txt .\n"
            "RUN pip install -r requirements.txt -c constraints.txt\n",
            context={"requirements.txt": "flask\n", "constraints.txt": "flask==3.0.3\n"},
            note="constrained: the constraints pin what installs",
        ),
        Valid(
            "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n",
            context={"requirements.txt": "flask==3.0.3 --hash=sha256:ceb27b0af3823ea2737928a4d99d125a06175b8512c445cbd9a9ce200ef76842\n"},
            note="hashes make pip require exact pins",
        ),
    )
    invalid = (
        Invalid(
            "FROM python:3.12-slim\nCOPY . /app\nWORKDIR /app\nRUN pip install -r requirements.txt\n",
            fixed="FROM python:3.12-slim\nCOPY . /app\nWORKDIR /app\nRUN pip install -r requirements.txt -c constraints.txt\n",
            unsafe=True,
            context={"requirements.txt": "flask\nrequests>=2\n", "constraints.txt": "flask==3.0.3\nrequests==2.32.3\n"},
        ),
        Invalid(
            "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n",
            context={"requirements.txt": "-r base.txt\ndjango~=5.0\n", "base.txt": "numpy==1.*\ncelery==5.4.0\n"},
            note="base.txt is read through the include; nothing locks them",
        ),
        Invalid(
            "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n",
            context={"requirements.txt": "fastapi\n", "uv.lock": "version = 1\n"},
            note="a uv.lock the install ignores: the message says `uv sync --locked`",
        ),
        Invalid(
            "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n",
            context={"requirements.txt": "-r missing.txt\nflask\n"},
            note="an include the context lacks adds nothing (the build fails on it); the rest is read",
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        if context.build_context is None:
            return
        from ..wheelhouse.needs import needs_of, traced_path  # an opt-in rule: loaded only when it runs

        root = context.build_context.resolve()
        for need in needs_of(context.facts, root):
            if need.constraints:
                continue
            for option in need.call.options:
                if option.canonical not in ("--requirement", "--requirements") or not option.value:
                    continue
                file = traced_path(option.value, need.run, context.facts, root)
                if isinstance(file, Path):
                    yield from self._file(need, option.span, option.value, file, root, context)

    def _file(self, need: Need, word: tuple[int, int], value: str, file: Path, root: Path,
              context: Context) -> Iterator[Diagnostic]:  # fmt: skip
        from ..python_inputs import read_requirements

        read = read_requirements(file)
        if read.constrained or read.hashed:
            return
        entries = read.specifiers
        loose = [entry for entry in entries if not _PINNED.fullmatch(entry)]
        if not loose:
            return
        shown = ", ".join(f"`{entry}`" for entry in loose[:3]) + (f" and {len(loose) - 3} more" if len(loose) > 3 else "")
        relative = file.relative_to(root).as_posix()
        message = f"{relative}: {len(loose)} of {len(entries)} requirements not pinned to one version ({shown})"
        span = need.run.script.source_span(*word) or need.run.instruction.keyword_span
        lock = next(((name, how) for name, how in _LOCKS if (file.parent / name).is_file()), None)
        detail = ("Each build installs what the index offers that day: the caches hit less and the layer cache keeps "
                  "whatever the last uncached build got.")  # fmt: skip
        if lock is None:
            advice = "pin them with == (pip-compile or `uv pip compile` write a pinned file), or install with `-c constraints.txt`"
            yield self.report(span, message, None, detail, advice)
            return
        name, how = lock
        fix = _constraints_fix(need, word, value, context, root) if name == "constraints.txt" else None
        yield self.report(span, f"{message}; {name} is beside it, unused", fix, detail, "" if fix else how)


def _constraints_fix(need: Need, word: tuple[int, int], value: str, context: Context, root: Path) -> Fix | None:
    """`-c constraints.txt` after the `-r`, when the constraints are in the image beside the requirements."""
    from ..wheelhouse.needs import traced_path

    beside = posixpath.join(posixpath.dirname(value), "constraints.txt")
    if not isinstance(traced_path(beside, need.run, context.facts, root), Path):
        return None
    edit = insert_argument_after(need.run.script, context.source, word, f"-c {beside}")
    if edit is None:
        return None
    return Fix(f"Install with -c {beside}", (edit,), Applicability.UNSAFE, "the constraints' versions install")

