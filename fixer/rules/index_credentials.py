"""DFX113 credentials-in-image: a private index's credentials written where the image keeps them.

An image keeps more than its files: `docker history` shows each RUN's command line and
the build arguments it saw, and the image's configuration holds every ENV. A password
in any of them is readable by everyone who can pull the image, even when a later step
deletes the file it was written to.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..analysis import RunFacts
from ..diagnostics import Applicability, Diagnostic, Fix
from ..edits import continuation_escape, insert_flags, remove_word
from ..installers import InstallerCall, ParsedOption
from ..patterns import compile_lazily
from ..secrets import credentials
from ..syntax import Dockerfile, Instruction, Span
from .base import Context, Invalid, Rule, Valid

_SECRET_NAME = compile_lazily(r"[A-Za-z0-9_]*(?:PASSWORD|PASSWD|TOKEN|SECRET|API_KEY)", re.IGNORECASE)
_VARIABLE_IN_USERINFO = compile_lazily(r"://[^\s/@]*\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?[^\s/@]*@")
# The index options whose value may move to a secret, and the variable each tool reads instead.
_INDEX_VARIABLES = {
    ("pip", "--index-url"): "PIP_INDEX_URL",
    ("pip", "--extra-index-url"): "PIP_EXTRA_INDEX_URL",
    ("uv", "--index-url"): "UV_INDEX_URL",
    ("uv", "--extra-index-url"): "UV_EXTRA_INDEX_URL",
    ("uv", "--default-index"): "UV_DEFAULT_INDEX",
    ("uv", "--index"): "UV_INDEX",
}
_ADVICE = (
    "pass it as a build secret instead: `RUN --mount=type=secret,id=NAME,env=VARIABLE ...` with "
    "`docker build --secret id=NAME,env=VARIABLE` (or `target=/root/.netrc` for a .netrc file)"
)


class IndexCredentials(Rule):
    """A password or token in an ENV, an ARG or a RUN: the image keeps it.

    ## What it does
    Finds credentials the image keeps:
    - a URL with a password (`https://user:password@pypi.example.com/simple`) or a token
      as its user (`https://ghp_...@github.com`) in an `ENV` or `ARG` (`PIP_INDEX_URL`,
      `PIP_EXTRA_INDEX_URL`, `UV_INDEX_URL`, `UV_EXTRA_INDEX_URL`, or any other) or in a
      RUN (`--index-url`, `--extra-index-url`, `-i`, uv's `--index`, a requirement's URL,
      a `git clone`);
    - a `.netrc` line with a password, or `poetry config http-basic.<name> <user> <password>`,
      written by a RUN;
    - an `ENV` or `ARG` named as a secret (`POETRY_HTTP_BASIC_<NAME>_PASSWORD`,
      `UV_INDEX_<NAME>_PASSWORD`, `GITHUB_TOKEN`, anything ending in `PASSWORD`, `TOKEN`,
      `SECRET` or `API_KEY`) that a later RUN of its stage sees, and a build argument
      used as a URL's credentials (`https://${PAT}@...`).

    Every finding, diff and report of dockerfix shows a credential masked
    (`https://user:********@host`), keeping its length so that columns stay right.

    Not flagged: an index URL without credentials (`ARG PIP_INDEX_URL` for a mirror),
    credentials read from a secret mount (`RUN --mount=type=secret,...`).

    ## Why is this bad?
    `docker history` prints each RUN's command line and the build arguments it used, and
    `docker inspect` every ENV: anyone who can pull the image can read them, and a
    deleted file stays in the layer that wrote it. BuildKit's secret mounts exist for
    this: the secret is there while the RUN runs, and in no layer, history or config.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    COPY requirements.txt .
    RUN pip install --index-url https://ci:s3cret-token@pypi.example.com/simple -r requirements.txt
    ```
    Use instead:
    ```dockerfile
    FROM python:3.12-slim
    COPY requirements.txt .
    RUN --mount=type=secret,id=pip_index_url,env=PIP_INDEX_URL pip install -r requirements.txt
    ```
    built with `PIP_INDEX_URL=https://ci:...@pypi.example.com/simple docker build --secret
    id=pip_index_url,env=PIP_INDEX_URL .` (BuildKit's `env=` needs Dockerfile syntax 1.10
    or newer; a file secret, `--mount=type=secret,id=netrc,target=/root/.netrc`, works
    everywhere).

    ## Fix safety
    An index option of pip or uv on a RUN's command line is moved to a secret mount that
    sets the variable the tool reads instead (`PIP_INDEX_URL`, `PIP_EXTRA_INDEX_URL`,
    `UV_INDEX_URL`, `UV_EXTRA_INDEX_URL`, `UV_DEFAULT_INDEX`, `UV_INDEX`), when it is the
    only option of its kind in the call (a command-line option replaces the variable).
    The fix is unsafe: the build command must pass the secret from then on, or the
    install runs against the default index. The other findings have no fix: where the
    credential should come from is the project's choice, and the message says how.
    """

    code = "DFX113"
    name = "credentials-in-image"
    summary = "a password or token in an ENV, an ARG or a RUN, kept in the image's history or configuration"

    valid = (
        Valid(
            "FROM python:3.12-slim\n"
            "RUN --mount=type=secret,id=pip_index_url,env=PIP_INDEX_URL pip install -r requirements.txt\n",
        ),
        Valid(
            "FROM python:3.12-slim\n"
            "ARG PIP_INDEX_URL\n"
            "RUN pip install -r requirements.txt\n",
            note="a mirror's URL without credentials; one with a password passed so would leak, and cannot be seen here",
        ),
        Valid(
            "FROM python:3.12-slim\n"
            "ENV PIP_INDEX_URL=https://pypi.example.com/simple\n"
            "RUN --mount=type=secret,id=netrc,target=/root/.netrc pip install -r requirements.txt\n",
            note="the credentials come from a .netrc secret",
        ),
        Valid(
            "FROM python:3.12-slim\n"
            "RUN pip install https://files.example.com/packages/tool-1.0-py3-none-any.whl\n",
        ),
    )
    invalid = (
        Invalid(
            "FROM python:3.12-slim\n"
            "RUN pip install --index-url https://ci:s3cret-token@pypi.example.com/simple -r requirements.txt\n",
            fixed="FROM python:3.12-slim\n"
            "RUN --mount=type=secret,id=pip_index_url,env=PIP_INDEX_URL pip install -r requirements.txt\n",
            unsafe=True,
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/root/.cache/uv \\\n"
            "    uv pip install --system --extra-index-url=https://__token__:pypi-AgEIcHlwaS5vcmc@pypi.example.com/simple \\\n"
            "    -r requirements.txt\n",
            fixed="FROM python:3.12-slim\n"
            "RUN --mount=type=secret,id=uv_extra_index_url,env=UV_EXTRA_INDEX_URL --mount=type=cache,target=/root/.cache/uv \\\n"
            "    uv pip install --system \\\n"
            "    -r requirements.txt\n",
            unsafe=True,
            note="the option alone on its line's middle: the continuation stays",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "ENV PIP_INDEX_URL=https://ci:s3cret-token@pypi.example.com/simple\n"
            "RUN pip install -r requirements.txt\n",
            note="in the image's configuration: `docker inspect` shows it",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "ARG POETRY_HTTP_BASIC_PRIVATE_PASSWORD\n"
            "RUN poetry install --no-root\n",
            note="passed with --build-arg, the value is in the history of the RUN that sees it",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "RUN echo 'machine pypi.example.com login ci password s3cret' > /root/.netrc && \\\n"
            "    pip install -r requirements.txt && rm /root/.netrc\n",
            note="deleting the file does not take the command line out of the history",
        ),
        Invalid(
            "FROM python:3.12-slim\n"
            "ARG PAT\n"
            "RUN pip install git+https://${PAT}@github.com/example/private-lib.git\n",
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        tree, facts = context.tree, context.facts
        source = tree.source
        arguments: set[str] = set()
        for index, instruction in enumerate(tree.instructions):
            keyword = instruction.effective.keyword
            text = source[instruction.span.start : instruction.span.end]
            if keyword in ("ENV", "ARG"):
                yield from self._declared(instruction, keyword, text, tree.instructions[index + 1 :], context)
                if keyword == "ARG":
                    arguments.update(item.split("=", 1)[0] for item in instruction.effective.value)
            elif keyword == "RUN":
                found = list(credentials(text))
                run = facts.run(instruction) if found else None
                fixes = _index_fixes(run, source, tree) if run is not None else {}
                for start, end in found:
                    span = Span(instruction.span.start + start, instruction.span.start + end)
                    fix = next((fix for (low, high), fix in fixes.items() if low <= span.start and span.end <= high), None)
                    yield self.report(span, "a credential on a RUN's command line: `docker history` shows it", fix,
                                      "A RUN's command line is kept in the image's history, with everything it writes.",
                                      "" if fix else _ADVICE)  # fmt: skip
                for reference in _VARIABLE_IN_USERINFO.finditer(text):
                    if reference.group(1) in arguments:
                        span = Span(instruction.span.start + reference.start(1), instruction.span.start + reference.end(1))
                        yield self.report(span, f"build argument {reference.group(1)} as a URL's credentials: the image's "
                                          "history keeps its value", None, "", _ADVICE)  # fmt: skip

    def _declared(self, instruction: Instruction, keyword: str, text: str, later: tuple[Instruction, ...],
                  context: Context) -> Iterator[Diagnostic]:  # fmt: skip
        """An ENV's or ARG's credentials, and an ARG named as a secret that a later RUN of its stage sees."""
        start = instruction.span.start
        where = "the image's configuration (`docker inspect`)" if keyword == "ENV" else "the history of every RUN after it"
        for low, high in credentials(text):
            yield self.report(Span(start + low, start + high), f"a credential in an {keyword}: {where} keeps it",
                              None, "", _ADVICE)  # fmt: skip
        if keyword != "ARG":
            return
        stage = context.facts.stages.stage_of.get(id(instruction))
        seen = any(ins.effective.keyword == "RUN" and context.facts.stages.stage_of.get(id(ins)) is stage for ins in later)
        for item in instruction.effective.value:
            name = item.split("=", 1)[0]
            if _SECRET_NAME.fullmatch(name) and "=" not in item and seen:
                offset = start + text.index(name)
                yield self.report(Span(offset, offset + len(name)), f"build argument {name} is a secret: the history of "
                                  "every RUN after it keeps the value passed with --build-arg", None, "", _ADVICE)  # fmt: skip


def _index_fixes(run: RunFacts, source: str, tree: Dockerfile) -> dict[tuple[int, int], Fix]:
    """For each index option with credentials that can move to a secret: its span and the fix."""
    fixes: dict[tuple[int, int], Fix] = {}
    if run.script.kind != "shell":
        return fixes
    for call in run.calls:
        for option in call.options:
            variable = _INDEX_VARIABLES.get((call.tool, option.canonical))
            if variable is None or not option.value or not any(credentials(option.value)) or _repeated(call, option):
                continue
            span = run.script.source_span(*option.span)
            if span is None or call.command.nested_level:
                continue
            removal = remove_word(source, span, continuation_escape(tree, run.instruction, span.start))
            if not removal:
                continue
            secret = variable.lower()
            mount = insert_flags(source, run.instruction, f"--mount=type=secret,id={secret},env={variable}")
            fixes[(span.start, span.end)] = Fix(
                f"Pass {option.written} as the build secret {secret} ({variable})",
                (*removal, mount), Applicability.UNSAFE,
                f"build with --secret id={secret},env={variable}",
            )  # fmt: skip
    return fixes


def _repeated(call: InstallerCall, option: ParsedOption) -> bool:
    """Another option of the same kind: the variable would not replace both."""
    return len(call.get_all(option.canonical)) > 1

