"""What each pip install of a Dockerfile asks for, found in the build context.

An install names requirement and constraint files (`-r`, `-c`; uv's `pip install` too)
where it runs, in the image; each is traced back through the stage's COPY instructions
to the build context: `COPY requirements.txt .` puts the context's file in the working
directory, `COPY . /app` the whole context under /app, `COPY reqs/ /tmp/reqs/` a
directory's contents. Named packages (`pip install flask==3.0`) are taken as they are;
local paths (`.`, `./pkg`, an archive) and `-e` installs are the project's own sources,
which a wheelhouse does not hold. What cannot be traced (a file from another stage or
image, a path a variable decides) is said, with the install's line.
"""

from __future__ import annotations

import posixpath
from pathlib import Path

from ..analysis import FileFacts, RunFacts, copy_destination
from ..installers import InstallerCall
from ..records import NamedTuple
from ..syntax import Instruction

_REQUIREMENT_OPTIONS = frozenset({"--requirement", "--requirements"})
_CONSTRAINT_OPTIONS = frozenset({"--constraint", "--constraints"})
_ARCHIVES = (".whl", ".tar.gz", ".zip", ".tgz", ".tar.bz2")


class Need(NamedTuple):
    """One install: its line, its stage's FROM (image and `--platform`), the context's
    requirement and constraint files it reads, the packages it names, what could not
    be traced, and the RUN and call themselves (for the rewrite)."""

    line: int
    image: str
    platform: str | None
    requirements: tuple[str, ...]
    constraints: tuple[str, ...]
    packages: tuple[str, ...]
    untraced: tuple[str, ...]
    run: RunFacts
    call: InstallerCall


def needs_of(facts: FileFacts, context: Path) -> list[Need]:
    """The pip installs (pip's and uv's `pip install`) of the file, in order."""
    found = []
    for run in facts.runs:
        for call in run.calls:
            if (call.tool, call.subcommand) not in (("pip", "install"), ("uv", "pip install")):
                continue
            requirements, constraints, untraced = [], [], []
            for option in call.options:
                if option.canonical in _REQUIREMENT_OPTIONS | _CONSTRAINT_OPTIONS and option.value:
                    traced = traced_path(option.value, run, facts, context)
                    if isinstance(traced, Path):
                        (requirements if option.canonical in _REQUIREMENT_OPTIONS else constraints).append(str(traced))
                    else:
                        untraced.append(f"{option.written} {option.value}: {traced}")
            packages = [word.text for word in call.positionals if _is_package(word.text, word.has_expansion)]
            if requirements or packages or untraced:
                found.append(Need(run.instruction.start_line, run.stage.base_name, _from_platform(run), tuple(requirements),
                                  tuple(constraints), tuple(packages), tuple(untraced), run, call))  # fmt: skip
    return found


def _is_package(text: str, has_expansion: bool) -> bool:
    """A requirement by name (`flask`, `flask[async]==3.0`), not a path, archive or URL."""
    return not has_expansion and not text.startswith((".", "/", "~")) and "/" not in text and not text.endswith(_ARCHIVES)


def _from_platform(run: RunFacts) -> str | None:
    flags = run.stage.instruction.flag_named("platform") if run.stage.instruction is not None else ()
    return flags[-1].value if flags else None


def traced_path(value: str, run: RunFacts, facts: FileFacts, context: Path) -> Path | str:
    """The context file an image path was copied from, or why it cannot be told."""
    if "$" in value:
        return "a variable decides the path"
    if "://" in value:
        return "a URL, read at build time"
    image_path = posixpath.normpath(posixpath.join(run.state.workdir.value, value))
    copies = [ins for ins in facts.tree.instructions if ins.keyword in ("COPY", "ADD")
              and facts.stages.stage_of.get(id(ins)) is run.stage and ins.start_line < run.instruction.start_line]  # fmt: skip
    for copy in reversed(copies):
        source = _source_of(copy, image_path, facts, context)
        if source is not None:
            return source if source.is_file() else f"{source.relative_to(context)} is not in the build context"
    return f"no COPY in its stage puts {image_path} in the image"


def _source_of(copy: Instruction, image_path: str, facts: FileFacts, context: Path) -> Path | None:
    """The context path `copy` wrote `image_path` from, if it wrote it."""
    if copy.flag_named("from") or len(copy.value) < 2:
        return None
    state = facts.stages.state(copy)
    destination = copy_destination(copy, state) if state is not None else None
    if destination is None:
        return None
    sources = copy.value[:-1]
    into_directory = (copy.value[-1].endswith("/") or copy.value[-1] in (".", "..") or len(sources) > 1
                      or destination == state.workdir.value)  # type: ignore[union-attr]  # fmt: skip
    for source in sources:
        local = context / source
        if source in (".", "./") or local.is_dir():
            relative = posixpath.relpath(image_path, destination)
            if not relative.startswith(".."):
                return (local / relative).resolve()
        elif (posixpath.join(destination, posixpath.basename(source)) if into_directory else destination) == image_path:
            return local.resolve()
    return None
