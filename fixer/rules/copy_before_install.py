"""DFX105 copy-before-install: `COPY . .` ahead of a dependency install in the same stage.

Design (kept here, the user-facing part is the class docstring):
- The install RUN never moves and is never rewritten: other rules fix its mounts and
  options, and leaving it in place lets their fixes land in the same pass. Instead the
  broad COPY is replaced by a COPY of exactly the files the install reads and is
  re-inserted verbatim right after the RUN. The engine's self-check wants the original
  keyword sequence as a subsequence of the result; the narrow COPY stands where the
  broad one stood, so `COPY, RUN` becomes `COPY, RUN, COPY` and the check holds.
- An install that reads nothing from the build context (`pip install gunicorn`) would
  need a pure reordering, which that check forbids: it gets a DISPLAY_ONLY fix. Such
  installs are passed over when looking for the install to fix, since the broad COPY
  can move below them too.
- A project install (`uv sync`, `poetry install`) keeps its place after the sources; a
  copy of its RUN with the tool's dependencies-only option goes before the broad COPY.
- Idempotent: afterwards the install comes before the broad COPY, or an earlier
  dependency step in the stage makes the project install after it the intended one.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Sequence

from ..analysis import RunFacts
from .. import edits
from ..diagnostics import Applicability, Diagnostic, Edit, Fix
from ..installers import InstallerCall, describe_call
from ..patterns import compile_lazily
from ..python_inputs import (
    BuildContext,
    DockerIgnore,
    Inputs,
    Undetermined,
    install_inputs,
    is_dependency_install,
    names_requirement_files,
    reads_dependency_files,
)
from ..records import NamedTuple
from ..shell import SimpleCommand
from ..stages import expand
from ..syntax import Instruction, Span
from .base import Context, Invalid, Rule, Valid, safety

# Instructions that neither read the sources nor change what a RUN or a COPY does.
_NEUTRAL = frozenset({"LABEL", "EXPOSE", "STOPSIGNAL", "HEALTHCHECK", "CMD", "ENTRYPOINT", "MAINTAINER", "ONBUILD"})
# Instructions a COPY moves past unchanged unless its words use variables (ENV, ARG).
_RUN_STATE = frozenset({"ENV", "ARG", "USER", "SHELL"})
# Commands that touch no file but their redirections, and commands that touch only the
# files named among their words (checked against the copied files).
_NO_FILES = frozenset({"true", ":", "echo", "printf", "set", "export", "cd"})
_NAMED_FILES = frozenset({
    "rm", "mkdir", "chmod", "chown", "chgrp", "ln", "touch", "cp", "mv", "useradd", "groupadd", "adduser",
    "addgroup", "usermod", "ldconfig", "update-ca-certificates", "apk", "yum", "dnf", "microdnf",
})  # fmt: skip
# Installer calls that read no project files (apt is checked like _NAMED_FILES).
_PLAIN_CALLS = frozenset({("pip", "config"), ("poetry", "config"), ("pdm", "config"), ("uv", "venv"), ("pip", "list"),
                          ("pip", "freeze"), ("pip", "check"), ("pip", "cache"), ("uv", "cache clean")})  # fmt: skip
_PYTHON = re.compile(r"python(?:\d+(?:\.\d+)*)?")
# File names and destinations written without quoting; anything else is not fixed.
_PLAIN_PATH = compile_lazily(r"[A-Za-z0-9._@+=,:~/-]+")
_PLAIN_DESTINATION = compile_lazily(r"[A-Za-z0-9._@+=,:~/${}-]+")
_COPIED_FLAGS = ("chown", "chmod", "link", "exclude")
_UNWRITABLE = "a file name or the destination would need quoting, or ADD would unpack an input"
# Local files ADD unpacks (tar, possibly compressed): an ADD of the inputs must not hold one.
_TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tbz2", ".tar.xz", ".txz")

# Each install call with the image directory it runs in and what it reads.
_Results = list[tuple[InstallerCall, str, Inputs]]


class _Layer(NamedTuple):
    """A broad COPY, the install RUN after it, and what stands between them.

    `results` are the calls' inputs, or why they cannot be known; `blocker` says why
    the broad COPY may not move below the RUN.
    """

    copy: Instruction
    run: RunFacts
    calls: tuple[InstallerCall, ...]
    results: _Results | str
    between: tuple[Instruction, ...]
    blocker: str | None

    @property
    def idle(self) -> bool:
        """The install reads nothing the COPY brings (`pip install gunicorn`)."""
        return not isinstance(self.results, str) and not any(i.files or i.project for _, _, i in self.results)


class _Outcome(NamedTuple):
    """How a finding ends: the advice closing its reasoning, and the fix if there is one."""

    advice: str
    fix: Fix | None = None


class CopyBeforeInstall(Rule):
    """## What it does
    Finds a `COPY . .` (also `ADD . .`, `COPY . /app`, `COPY ./ ./`, with any `--chown`,
    `--chmod`, `--link` or `--exclude`) that comes before a Python dependency install in
    the same stage: pip, `uv pip`, `uv sync`, poetry, pdm or pipenv.

    ## Why is this bad?
    A layer's cache depends on every file copied before it. After `COPY . .`, editing any
    source file invalidates the layers that follow, so the dependency install runs and
    downloads again on every build. The install reads only a few files: requirements
    files and those they include with `-r`/`-c`, or pyproject.toml and a lock file. Copy
    those first, install, then copy the sources.

    ## Example
    ```Dockerfile
    FROM python:3.13-slim
    COPY . .
    RUN pip install -r requirements.txt
    ```

    Use instead:
    ```Dockerfile
    FROM python:3.13-slim
    COPY requirements.txt ./
    RUN pip install -r requirements.txt
    COPY . .
    ```

    ## How the fix works
    dockerfix reads the build context (the Dockerfile's directory), honouring
    `.dockerignore`, to find exactly what the install reads: requirement files and their
    nested `-r`/`-c` includes, pyproject.toml, lock files (uv.lock, poetry.lock,
    pdm.lock, Pipfile.lock), the tools' own configuration files when present.
    - When the install reads only such files (`pip install -r requirements.txt`,
      `uv sync --no-install-project`, `poetry install --no-root`, `pipenv install
      --deploy`), the broad COPY is replaced by a COPY of exactly those files (one per
      directory, with the same `--chown`, `--chmod`, `--link` and `--exclude` flags, to
      the same destination; `ADD . .` gives an ADD, not fixed when an input is a tar
      archive ADD would unpack) and the broad COPY moves right below the install RUN. The RUN
      itself stays as written, mounts and all. Instructions between the two stay where
      they are; that is allowed only for those the COPY does not affect: LABEL, EXPOSE,
      CMD, ENTRYPOINT and the like, USER, SHELL, ENV and ARG (when the COPY uses no
      variables), RUNs whose commands (apt-get, rm, mkdir...) name no copied file, and
      installs that read nothing from the build context.
    - When the install also builds the project itself (`uv sync`, `poetry install`,
      `pdm install`), it needs the sources and stays after `COPY . .`. A dependency step
      goes before the broad COPY: a COPY of the dependency files and a copy of the RUN
      with the tool's dependencies-only option (`uv sync --no-install-project`, uv's
      documented recipe; `poetry install --no-root`; `pdm install --no-self`).
    - An install that reads nothing from the build context is shown the move as a
      suggestion only: with nothing to copy first, the fix would only reorder
      instructions, which dockerfix never does on its own.
    A project install after `COPY . .` is not reported when an earlier step of the stage
    already installs dependencies from project files (the usual two-step recipe).

    ## Fix safety
    The fix is safe when every file the install reads was found in the build context and
    is sent to the builder. It is unsafe when the COPY's destination depends on a build
    argument, or when the build context holds a virtual environment (`pyvenv.cfg`) that
    `.dockerignore` does not exclude: copied after the install, it would overwrite what
    the install wrote. Without a fix: `pip install .` or `-e .` (pip cannot install a
    project's dependencies without the project); inputs that cannot be determined (a
    missing or excluded file, a variable in a path, a uv workspace, a local path
    dependency, a setup.py read dockerfix cannot follow, no build context); an
    instruction between the COPY and the install that may use the sources; a RUN that
    also runs other commands that may; file names that would need quoting.
    """

    code = "DFX105"
    name = "copy-before-install"
    summary = "The whole source copied before an install that reads only a few files"

    valid = (
        Valid(
            "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
            'COPY . .\nCMD ["python", "app.py"]\n',
            note="the dependency layer comes first already",
        ),
        Valid(
            "FROM python:3.12-slim\nWORKDIR /app\nCOPY pyproject.toml uv.lock ./\n"
            "RUN --mount=type=cache,target=/root/.cache/uv uv sync --locked --no-install-project\n"
            "COPY . .\nRUN --mount=type=cache,target=/root/.cache/uv uv sync --locked\n",
            note="uv's documented two-step recipe",
        ),
        Valid(
            "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
            "COPY . .\nRUN pip install --no-deps -e .\n",
            note="the project alone is installed after the sources",
        ),
        Valid(
            "FROM python:3.12 AS build\nCOPY . /src\nRUN python -m compileall /src\n"
            "FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n",
            note="the broad COPY is in another stage than the install",
        ),
        Valid("FROM python:3.12-slim\nCOPY --from=build /app /app\nRUN pip install -r /app/requirements.txt\n"),
    )
    invalid = (
        Invalid(
            "FROM python:3.13-slim\nCOPY . .\nRUN pip install -r requirements.txt\n",
            "FROM python:3.13-slim\nCOPY requirements.txt ./\nRUN pip install -r requirements.txt\nCOPY . .\n",
            context={"requirements.txt": "flask==3.0.3\n"},
            note="problem.md 1d",
        ),
        Invalid(
            "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n"
            'RUN pip install -r requirements/prod.txt -c constraints.txt\nCMD ["gunicorn", "app:app"]\n',
            "FROM python:3.12-slim\nWORKDIR /app\nCOPY constraints.txt ./\n"
            "COPY requirements/base.txt requirements/prod.txt ./requirements/\n"
            "RUN pip install -r requirements/prod.txt -c constraints.txt\nCOPY . .\n"
            'CMD ["gunicorn", "app:app"]\n',
            context={
                "requirements/prod.txt": "-r base.txt\ngunicorn==22.0.0  # server\n",
                "requirements/base.txt": "flask>=3\n",
                "constraints.txt": "flask==3.0.3\n",
                "app.py": "",
            },
            note="nested -r include and a constraints file; one COPY per directory keeps the layout",
        ),
        Invalid(
            "FROM python:3.12-slim\nRUN useradd -m app\nWORKDIR /home/app/src\nCOPY --chown=app:app . .\nUSER app\n"
            "RUN pip install --user -r requirements.txt\n",
            "FROM python:3.12-slim\nRUN useradd -m app\nWORKDIR /home/app/src\n"
            "COPY --chown=app:app requirements.txt ./\nUSER app\nRUN pip install --user -r requirements.txt\n"
            "COPY --chown=app:app . .\n",
            context={"requirements.txt": "requests\n"},
            note="WORKDIR with COPY . ., --chown kept, USER between them stays",
        ),
        Invalid(
            "FROM python:3.12-slim\nCOPY . /app\nENV PIP_DISABLE_PIP_VERSION_CHECK=1\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*\n"
            "RUN pip install --no-cache-dir -r /app/requirements.txt\nWORKDIR /app\n",
            "FROM python:3.12-slim\nCOPY requirements.txt /app/\nENV PIP_DISABLE_PIP_VERSION_CHECK=1\n"
            "RUN apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*\n"
            "RUN pip install --no-cache-dir -r /app/requirements.txt\nCOPY . /app\nWORKDIR /app\n",
            context={"requirements.txt": "psycopg2==2.9.9\n"},
            note="absolute destination; ENV and an apt RUN in between read no copied file",
        ),
        Invalid(
            "FROM python:3.12-slim\nCOPY --from=ghcr.io/astral-sh/uv:0.5 /uv /bin/uv\nWORKDIR /app\nCOPY . .\n"
            "RUN --mount=type=cache,target=/root/.cache/uv \\\n    uv sync --locked\n",
            "FROM python:3.12-slim\nCOPY --from=ghcr.io/astral-sh/uv:0.5 /uv /bin/uv\nWORKDIR /app\n"
            "COPY .python-version pyproject.toml uv.lock ./\n"
            "RUN --mount=type=cache,target=/root/.cache/uv \\\n    uv sync --no-install-project --locked\n"
            "COPY . .\nRUN --mount=type=cache,target=/root/.cache/uv \\\n    uv sync --locked\n",
            context={
                "pyproject.toml": '[project]\nname = "app"\nversion = "0.1.0"\nreadme = "README.md"\n'
                'dependencies = ["fastapi>=0.110"]\n\n[build-system]\nrequires = ["hatchling"]\n'
                'build-backend = "hatchling.build"\n',
                "uv.lock": "version = 1\n",
                ".python-version": "3.12\n",
                "README.md": "# app\n",
            },
            note="uv sync installs the project: split with --no-install-project (uv's recipe)",
        ),
        Invalid(
            "FROM python:3.12-slim\nENV POETRY_VIRTUALENVS_CREATE=false\nRUN pip install poetry==1.8.3\n"
            "WORKDIR /app\nCOPY . .\nRUN poetry install --only main --no-interaction\n",
            "FROM python:3.12-slim\nENV POETRY_VIRTUALENVS_CREATE=false\nRUN pip install poetry==1.8.3\n"
            "WORKDIR /app\nCOPY poetry.lock pyproject.toml ./\n"
            "RUN poetry install --no-root --only main --no-interaction\n"
            "COPY . .\nRUN poetry install --only main --no-interaction\n",
            context={
                "pyproject.toml": '[tool.poetry]\nname = "app"\nversion = "0.1.0"\ndescription = ""\n'
                'authors = []\nreadme = "README.md"\n\n[tool.poetry.dependencies]\npython = "^3.12"\n'
                'django = "^5.0"\n',
                "poetry.lock": "# lock\n",
                "README.md": "# app\n",
            },
            note="poetry installs the root package: split with --no-root (poetry's FAQ)",
        ),
        Invalid(
            "FROM python:3.12 AS build\nWORKDIR /src\nCOPY . .\n"
            "RUN pip wheel --wheel-dir /wheels -r requirements.txt\n\n"
            "FROM python:3.12-slim\nCOPY --from=build /wheels /wheels\nCOPY . /app\n"
            "RUN pip install --no-index --find-links=/wheels -r /app/requirements.txt\n",
            "FROM python:3.12 AS build\nWORKDIR /src\nCOPY requirements.txt ./\n"
            "RUN pip wheel --wheel-dir /wheels -r requirements.txt\nCOPY . .\n\n"
            "FROM python:3.12-slim\nCOPY --from=build /wheels /wheels\nCOPY requirements.txt /app/\n"
            "RUN pip install --no-index --find-links=/wheels -r /app/requirements.txt\nCOPY . /app\n",
            context={"requirements.txt": "flask\n"},
            note="multi-stage: each stage on its own; /wheels comes from another stage, not the context",
        ),
        Invalid(
            "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install gunicorn==22.0.0\n",
            note="reads nothing from the build context: the move is shown, never written (it would only reorder)",
        ),
        Invalid(
            "FROM python:3.12-slim\nCOPY --from=ghcr.io/astral-sh/uv:0.5 /uv /bin/uv\nWORKDIR /app\nCOPY . .\n"
            "RUN uv pip install --system -r requirements.txt\n",
            "FROM python:3.12-slim\nCOPY --from=ghcr.io/astral-sh/uv:0.5 /uv /bin/uv\nWORKDIR /app\n"
            "COPY requirements.txt ./\nRUN uv pip install --system -r requirements.txt\nCOPY . .\n",
            context={
                "requirements.txt": "httpx\n",
                ".python-version": "3.12\n",
                ".venv/pyvenv.cfg": "home = /usr/bin\n",
                ".dockerignore": "# local state\n.venv/\n.python-version\n",
            },
            note=".dockerignore excludes .python-version (uv would read it) and the local virtual environment",
        ),
        Invalid(
            "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n",
            "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt ./\nRUN pip install -r requirements.txt\n"
            "COPY . .\n",
            unsafe=True,
            context={"requirements.txt": "flask\n", ".venv/pyvenv.cfg": "home = /usr/bin\n"},
            note="a virtual environment in the context would be copied over the installed files",
        ),
        Invalid(
            "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install --upgrade pip\n"
            "RUN pip install -r requirements.txt\n",
            "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt ./\nRUN pip install --upgrade pip\n"
            "RUN pip install -r requirements.txt\nCOPY . .\n",
            context={"requirements.txt": "flask\n"},
            note="an install reading nothing from the context is passed over",
        ),
        Invalid(
            "FROM pipenv-base\nWORKDIR /app\nADD --chmod=644 . .\nRUN pipenv install --system --deploy\n",
            "FROM pipenv-base\nWORKDIR /app\nADD --chmod=644 Pipfile Pipfile.lock ./\n"
            "RUN pipenv install --system --deploy\nADD --chmod=644 . .\n",
            context={"Pipfile": '[packages]\nflask = "*"\n', "Pipfile.lock": "{}\n"},
            note="ADD . . with --chmod: pipenv reads Pipfile and Pipfile.lock",
        ),
        Invalid(
            'FROM python:3.13-slim AS build-base\nRUN python -m venv /opt/venv\nENV PATH="/opt/venv/bin:$PATH"\n'
            "RUN pip install --no-cache-dir --upgrade pip\nFROM python:3.13-slim AS app-image\n"
            'ENV PATH="/opt/venv/bin:$PATH"\nCOPY --from=build-base /opt/venv /opt/venv\nWORKDIR /app\n'
            "ENV HOME=/app\nCOPY . .\n"
            "RUN --mount=type=cache,mode=0755,target=/root/.cache/pip \\\n    pip install -e .\n",
            context={
                "setup.py": "from setuptools import setup, find_packages\n"
                'setup(name="app", long_description=open("README.md").read(), packages=find_packages())\n',
                "README.md": "# app\n",
            },
            note="problem.md 1a: pip install -e . needs the sources; pip has no dependencies-only mode",
        ),
        Invalid(
            "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN python manage.py collectstatic --noinput\n"
            "RUN pip install -r requirements.txt\n",
            context={"requirements.txt": "django\n", "manage.py": ""},
            note="a RUN between them may use the sources",
        ),
        Invalid(
            "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements-dev.txt\n",
            context={"requirements-dev.txt": "pytest\n", ".dockerignore": "requirements-dev.txt\n"},
            note="the install reads a file .dockerignore excludes: nothing to copy first",
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for stage in context.facts.stages.stages:
            for index, instruction in enumerate(stage.instructions):
                if _is_broad_copy(instruction):
                    diagnostic = self._check_copy(context, stage.instructions, index)
                    if diagnostic is not None:
                        yield diagnostic

    def _check_copy(self, context: Context, instructions: Sequence[Instruction], index: int) -> Diagnostic | None:
        copy = instructions[index]
        placed = _place(context, copy)
        build = placed[0] if isinstance(placed, tuple) else None
        layer = _find_layer(context, instructions, index, build)
        if layer is None or _split_already(context, instructions[:index], layer):
            return None
        if isinstance(placed, str):
            outcome: _Outcome | None = _cannot(placed)
        else:
            outcome = _plan(context, layer, *placed)
        if outcome is None:
            return None
        run = layer.run.instruction
        message = (
            f"`{copy.keyword} {' '.join(copy.value)}` before the install at line {run.start_line}: "
            "every source change reruns it"
        )
        detail = (
            f"`{copy.keyword} {' '.join(copy.value)}` at line {copy.start_line} copies every source file before "
            f"`{describe_call(layer.calls[0])}` at line {run.start_line}, so any source change reruns the install; "
            f"{outcome.advice}."
        )
        no_fix = "" if outcome.fix is not None else outcome.advice  # every finding without a fix says why
        return self.report(_first_line(context.source, copy), message, outcome.fix, detail, no_fix)


# --------------------------------------------------------------------------- finding the layer


def _is_broad_copy(instruction: Instruction) -> bool:
    """`COPY . dest` / `ADD . dest` from the build context."""
    return (
        instruction.keyword in ("COPY", "ADD")
        and len(instruction.value) == 2
        and not instruction.heredocs
        and posixpath.normpath(instruction.value[0]) == "."
        and not instruction.flag_named("from")
    )


def _place(context: Context, copy: Instruction) -> tuple[BuildContext, bool] | str:
    """Where the COPY puts the build context, and whether that is certain; or why it is unknown."""
    state = context.facts.stages.state(copy)
    if context.build_context is None or state is None:
        return "the build context is not known"
    destination = expand(copy.value[1], state.env, state.values(), context.tree.escape)
    if destination.error:
        return f"the COPY's destination does not expand ({destination.error})"
    relative = not destination.value.startswith("/")
    target = posixpath.normpath(posixpath.join("/", state.workdir.value if relative else "/", destination.value))
    excludes = DockerIgnore.from_patterns(flag.value for flag in copy.flag_named("exclude") if flag.value)
    ignores = (DockerIgnore.load(context.build_context, context.name), excludes)
    certain = destination.certain and (state.workdir.certain or not relative)
    return BuildContext(context.build_context, target, ignores), certain


def _find_layer(
    context: Context, instructions: Sequence[Instruction], index: int, build: BuildContext | None
) -> _Layer | None:
    """The first install after the broad COPY that reads copied files (else the first install at all)."""
    copy = instructions[index]
    variables = "$" in context.source[copy.span.start : copy.span.end]
    between: list[Instruction] = []
    blocker, idle = None, None
    for instruction in instructions[index + 1 :]:
        if _is_broad_copy(instruction):
            break
        run = context.facts.run(instruction) if instruction.keyword == "RUN" else None
        calls = tuple(call for call in run.calls if is_dependency_install(call)) if run is not None else ()
        if run is not None and calls:
            results = _inputs(run, calls, build) if build is not None else "the build context is not known"
            layer = _Layer(copy, run, calls, results, tuple(between), blocker)
            if not layer.idle or _source_command(run, calls, build) is not None:
                return layer
            idle = idle or layer
        else:
            blocker = blocker or _blocker(instruction, run, variables, build)
        between.append(instruction)
    return idle


def _inputs(run: RunFacts, calls: tuple[InstallerCall, ...], build: BuildContext) -> _Results | str:
    """Each call's inputs, or the first reason they cannot be known."""
    results = []
    for call in calls:
        cwd = _directory(run, call.command)
        if cwd is None:
            return "the install's working directory depends on the environment"
        inputs = install_inputs(call, build, cwd, _variables(run, call.command))
        if isinstance(inputs, Undetermined):
            return inputs.reason
        results.append((call, cwd, inputs))
    return results


def _blocker(instruction: Instruction, run: RunFacts | None, variables: bool, build: BuildContext | None) -> str | None:
    """Why the broad COPY may not move below this instruction, None when it may."""
    keyword = instruction.keyword
    where = f"`{keyword}` at line {instruction.start_line}"
    if keyword in _NEUTRAL or keyword in _RUN_STATE and not (variables and keyword in ("ENV", "ARG")):
        return None
    if keyword in ("ENV", "ARG"):
        return f"{where} may change the variables the COPY uses"
    if run is None:
        return f"{where} stands between them, and dockerfix does not move a COPY past it"
    command = _source_command(run, (), build) if build is not None else "its commands"
    return None if command is None else f"{where} runs `{command}`, which may use the copied sources"


def _split_already(context: Context, earlier: Sequence[Instruction], layer: _Layer) -> bool:
    """An earlier step of the stage installs dependencies from project files: the install
    after the broad COPY is the intended project step, unless it names requirement files."""
    if any(names_requirement_files(call) for call in layer.calls):
        return False
    runs = (context.facts.run(instruction) for instruction in earlier if instruction.keyword == "RUN")
    return any(reads_dependency_files(call) for run in runs if run is not None for call in run.calls)


# --------------------------------------------------------------------------- commands


def _directory(run: RunFacts, command: SimpleCommand) -> str | None:
    """The image directory a command runs in (WORKDIR, then `cd`s), None when it depends on the environment."""
    script = run.shell
    if script is None:
        return None
    cwd = run.state.workdir.value
    for directory in script.context_of(command).directories:
        if "$" in directory or directory.startswith(("~", "-")):
            return None
        cwd = posixpath.normpath(posixpath.join(cwd, directory))
    return cwd


def _variables(run: RunFacts, command: SimpleCommand) -> dict[str, str]:
    """The ENV/ARG values a command certainly sees: no build argument sets them, the script leaves them alone."""
    script = run.shell
    context = script.context_of(command) if script is not None else None
    return {
        name: variable.value
        for name, variable in run.state.env.items()
        if variable.certain and context is not None and context.lookup(name) is None
    }


def _source_command(run: RunFacts, installs: tuple[InstallerCall, ...], build: BuildContext | None) -> str | None:
    """The first command of the RUN, other than `installs`, that may use the copied files."""
    script = run.shell
    if script is None or build is None:
        return "its script"
    launchers = {command.launcher for command in script.commands if command.launcher is not None}
    handled = {call.command.index for call in installs}
    calls: dict[int, list[InstallerCall]] = {}
    for call in run.calls:
        calls.setdefault(call.command.index, []).append(call)
    for command in script.commands:
        if command.index in launchers or command.index in handled:
            continue
        if not _plain(command, calls.get(command.index, []), _directory(run, command), build):
            return " ".join(word.text for word in command.effective_words)[:60]
    return None


def _plain(command: SimpleCommand, calls: list[InstallerCall], cwd: str | None, build: BuildContext) -> bool:
    """Whether a command leaves the copied files alone: a known command naming none of them."""
    words = command.effective_words
    name = command.name or ""
    if calls:
        known = all(call.tool == "apt" or (call.tool, call.subcommand) in _PLAIN_CALLS for call in calls)
    else:
        venv = _PYTHON.fullmatch(name) is not None and [word.text for word in words[1:3]] == ["-m", "venv"]
        known = name in _NO_FILES or name in _NAMED_FILES or venv
    named = [] if name in _NO_FILES else [word.text for word in words[1:]]
    named += [redirect.target.text for redirect in command.redirects if redirect.target is not None]
    return known and cwd is not None and not any(_names_copied_file(text, cwd, build) for text in named)


def _names_copied_file(text: str, cwd: str, build: BuildContext) -> bool:
    """Whether a word may name a file the broad COPY brings (or the copy's root)."""
    if text.startswith("-"):
        text = text.partition("=")[2]
        if not text:
            return False
    if "$" in text or "`" in text or text.startswith("~"):
        return True
    stem = re.split(r"[*?\[]", text, maxsplit=1)[0]
    relative = build.locate(posixpath.normpath(posixpath.join(cwd, stem or ".")))
    if relative is None:
        return False
    return relative == "." or stem != text or build.holds(relative) or build.holds_directory(relative)


# --------------------------------------------------------------------------- fixes


def _cannot(reason: str) -> _Outcome:
    return _Outcome(f"dockerfix cannot fix it: {reason}")


def _plan(context: Context, layer: _Layer, build: BuildContext, certain: bool) -> _Outcome | None:
    """What to do about a layer: move the broad COPY, split the install, or explain."""
    results = layer.results
    if isinstance(results, str):
        return _cannot(results)
    projects = [inputs for _, _, inputs in results if inputs.project]
    if projects and len(projects) == len(results) and not any(inputs.dependencies for inputs in projects):
        return None  # the project alone: nothing could be installed before the sources
    command = _source_command(layer.run, layer.calls, build)
    if command is not None:
        return _cannot(f"the RUN also runs `{command}`, which may use the copied sources")
    if not projects:
        return _move(context, layer, results, build, certain)
    return _split(context, layer, results, build, certain)


def _move(context: Context, layer: _Layer, results: _Results, build: BuildContext, certain: bool) -> _Outcome:
    """Copy the inputs where the broad COPY was, and the broad COPY below the install."""
    if layer.blocker is not None:
        return _cannot(layer.blocker)
    files = sorted(set().union(*(inputs.files for _, _, inputs in results)))
    lines = _copy_lines(context.source, layer.copy, files)
    if lines is None:
        return _cannot(_UNWRITABLE)
    moved = edits.move_instruction_after(context.source, layer.copy, layer.run.instruction, lines)
    if not files:
        advice = "it reads nothing from the build context, so the sources can be copied after it"
        return _Outcome(advice, Fix("Copy the sources after the install", moved, Applicability.DISPLAY_ONLY))
    names = ", ".join(files)
    unsafe = _unsafe(build, certain, venvs=True)
    advice = f"copy {names} before it and the sources after it" + (f" (unsafe: {unsafe})" if unsafe else "")
    title = f"Copy {names} before the install and the sources after it"
    return _Outcome(advice, Fix(title, moved, safety([unsafe or ""]), unsafe or ""))


def _split(context: Context, layer: _Layer, results: _Results, build: BuildContext, certain: bool) -> _Outcome:
    """Insert a dependencies-only copy of the install before the broad COPY."""
    projects = [(call, inputs) for call, _, inputs in results if inputs.project]
    for call, inputs in projects:
        if inputs.split is None:
            pip_like = call.tool == "pip" or call.subcommand.startswith("pip ")
            return _Outcome(
                f"`{describe_call(call)}` {inputs.project}, and {call.tool} cannot install its dependencies without it: "
                "install them in a step before the COPY (from a requirements or lock file) and the project after it"
                + (" with `--no-deps`" if pip_like else "")
            )
    stranded = next((i for i in layer.between if i.keyword not in _NEUTRAL), None)
    if stranded is not None:
        where = f"`{stranded.keyword}` at line {stranded.start_line}"
        return _cannot(f"{where} would not apply to a dependency step placed before the COPY")
    files: set[str] = set()
    for call, cwd, _ in results:
        dependencies = install_inputs(call, build, cwd, _variables(layer.run, call.command), without_project=True)
        if isinstance(dependencies, Undetermined):
            return _cannot(dependencies.reason)
        files |= dependencies.files
    lines = _copy_lines(context.source, layer.copy, sorted(files))
    run_text = _split_run(context.source, layer.run, projects)
    if lines is None:
        return _cannot(_UNWRITABLE)
    if run_text is None:
        return _cannot("dockerfix cannot find where to add the option in this RUN")
    options = ", ".join(sorted({f"`{call.tool} {call.subcommand} {inputs.split}`" for call, inputs in projects}))
    unsafe = _unsafe(build, certain, venvs=False)
    advice = f"install the dependencies before it with {options}" + (f" (unsafe: {unsafe})" if unsafe else "")
    fix = Fix(
        f"Install the dependencies with {options} before copying the sources",
        (Edit.insert(layer.copy.span.start, lines + run_text),),
        safety([unsafe or ""]),
        unsafe or "",
    )
    return _Outcome(advice, fix)


def _unsafe(build: BuildContext, certain: bool, venvs: bool) -> str | None:
    """Why the fix is not certain to keep the build's result, None when it is."""
    if not certain:
        return "the COPY's destination depends on a build argument"
    found = build.virtual_environments() if venvs else []
    if found:
        return (
            f"the build context's {found[0]}/ is a virtual environment not in .dockerignore; "
            "copied after the install, it would overwrite what the install wrote"
        )
    return None


def _copy_lines(source: str, copy: Instruction, files: Sequence[str]) -> str | None:
    """COPY lines for `files`, one per directory so each lands where the broad COPY puts it.

    The keyword is the broad instruction's, as written: the engine's self-check keeps
    `ADD` before the RUN, and ADD of local files other than tar archives copies them.
    """
    destination = copy.value[1]
    if not _PLAIN_DESTINATION.fullmatch(destination) or not all(_PLAIN_PATH.fullmatch(name) for name in files):
        return None
    if copy.keyword == "ADD" and any(name.endswith(_TAR_SUFFIXES) for name in files):
        return None
    keyword = source[copy.keyword_span.start : copy.keyword_span.end]
    flags = [source[flag.span.start : flag.span.end] for flag in copy.flags if flag.name in _COPIED_FLAGS]
    groups: dict[str, list[str]] = {}
    for name in files:
        groups.setdefault(posixpath.dirname(name), []).append(name)
    lines = []
    for directory in sorted(groups, key=lambda d: (d != "", d)):
        target = (posixpath.join(destination, directory) if directory else destination).rstrip("/") + "/"
        lines.append(" ".join([keyword, *flags, *groups[directory], target]))
    return edits.instruction_lines(source, copy, lines)


def _split_run(source: str, run: RunFacts, projects: list[tuple[InstallerCall, Inputs]]) -> str | None:
    """The RUN's text with each project install's dependencies-only option after its subcommand."""
    span = run.instruction.span
    insertions = []
    for call, inputs in projects:
        last = call.subcommand.split()[-1]
        words = call.command.effective_words[len(call.program.split()) :]
        word = next((word for word in words if word.text == last), None)
        edit = edits.insert_argument_after(run.script, source, (word.start, word.end), inputs.split) if word else None
        if edit is None:
            return None
        insertions.append(edit)
    text = edits.apply_within(source, span, insertions)
    return text if text.endswith("\n") else text + edits.line_ending(source, span.start)


def _first_line(source: str, instruction: Instruction) -> Span:
    """Where a finding points: the instruction's first line, without its line ending."""
    end = source.find("\n", instruction.keyword_span.start, instruction.span.end)
    end = instruction.span.end if end < 0 else end
    return Span(instruction.keyword_span.start, end - 1 if end > 0 and source[end - 1] == "\r" else end)
