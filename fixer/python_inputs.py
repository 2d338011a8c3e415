"""What a Python dependency install reads from the build context.

DFX105 moves `COPY . .` below an install that reads only a few files, and needs to know
exactly which files those are, or why that cannot be known. Paths are worked out where
the install runs, in the image (its working directory, `-r` values, nested includes),
then mapped back to the build context through the broad COPY's destination: with
`COPY . /app`, `WORKDIR /app/sub` and `-r ../requirements.txt`, the install reads the
context's `requirements.txt`.

What each install reads, besides the packages it downloads:
- pip `install`/`wheel`/`download`, `uv pip install`/`uv pip sync`, `pipenv install -r`:
  the requirement and constraint files (`-r`, `-c`; uv also `--overrides`,
  `--build-constraints`, `uv pip sync`'s operands; `--group` reads pyproject.toml),
  following `-r`/`-c` lines inside them relative to the including file, as pip does.
  Local paths among the requirements are relative to the working directory (pip's rule
  too): a directory is a project built from its sources, an archive is an input file.
  uv also reads its configuration (`uv.toml`, a pyproject.toml with `[tool.uv]`,
  `.python-version`) in the working directory and above.
- `uv sync`: pyproject.toml, uv.lock, uv.toml, .python-version; the project itself
  unless `--no-install-project` (or `--no-install-workspace`, `--only-group`,
  `--only-dev`) or the project is virtual (no build system, or `tool.uv.package = false`).
- `poetry install`/`sync`: pyproject.toml, poetry.lock, poetry.toml; the project unless
  `--no-root` or `package-mode = false`.
- `pdm install`/`sync`: pyproject.toml, pdm.lock (or `--lockfile`), pdm.toml,
  .pdm-python; the project unless `--no-self` or it is not a distribution.
- `pipenv install`/`sync`: Pipfile, Pipfile.lock; a `path` entry is a project.
Optional files are listed only when the context has them. Listing an unneeded file
costs a cache miss when it changes; missing a needed one breaks the build, so when in
doubt a file is listed.

Installing a project also reads its metadata: pyproject.toml, setup.py, setup.cfg,
MANIFEST.in, the readme and license files they declare, files named by setuptools'
`file:` directives, and the files setup.py opens (read statically with libcst, imported
only when a setup.py is read). It needs the sources as well (`find_packages()` finds
them there), so such an install cannot run before `COPY . .`; tools that can install
the dependencies alone say with which option (`Inputs.split`).

`.dockerignore` (or `<Dockerfile>.dockerignore` next to the Dockerfile) follows
moby/patternmatcher, which BuildKit uses: lines starting with `#` are comments, patterns
are cleaned like Go's `filepath.Clean` with a leading `/` dropped, `*` and `?` stop at
`/`, `**` spans directories, `[...]` classes and `\\` escapes work, `!` re-includes,
the last matching pattern wins, and a pattern matching a parent directory matches
everything under it. Limits: a malformed pattern is skipped (BuildKit fails the build).

Limits: requirement files outside the broad COPY's destination are not followed, a
local `--find-links` directory is not modelled, pip's environment variables in
requirement files are not expanded, uv workspaces and local path dependencies are not
followed (all Undetermined, with the reason). TOML files need `tomllib` (Python 3.11+)
or the `tomli` package; without either, installs that depend on their contents are
Undetermined.
"""

from __future__ import annotations

import posixpath
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from .installers import InstallerCall
from .patterns import compile_lazily
from .records import NamedTuple, slots_repr

__all__ = [
    "BuildContext",
    "DockerIgnore",
    "Inputs",
    "SetupReads",
    "Undetermined",
    "install_inputs",
    "is_dependency_install",
    "names_requirement_files",
    "reads_dependency_files",
    "setup_py_reads",
]


class Undetermined(NamedTuple):
    """What an install reads cannot be known statically; `reason` says why."""

    reason: str


class Inputs(NamedTuple):
    """What an install reads from the build context.

    `files` are context-relative POSIX paths, each present and sent to the builder.
    `project` is None when the install reads nothing else; otherwise it says which
    local project the install builds from its sources (all of them). `split` is the
    option that makes the same command leave that project out (`--no-install-project`),
    None when the tool has none. `dependencies` is False when the install resolves no
    dependencies at all (`pip install --no-deps .`): nothing could be installed earlier.
    """

    files: frozenset[str]
    project: str | None = None
    split: str | None = None
    dependencies: bool = True


class SetupReads(NamedTuple):
    """What a setup.py reads: files relative to its directory, and why it needs the package
    sources (`find_packages()`), None when it does not say (setuptools then finds them itself)."""

    files: frozenset[str]
    sources: str | None


class _Unknown(Exception):
    """Raised deep in the readers; becomes `Undetermined(reason)` at the top."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --------------------------------------------------------------------------- .dockerignore


class _Pattern(NamedTuple):
    """One compiled pattern, matched the way moby/patternmatcher's `Pattern.match` does."""

    exclusion: bool
    kind: str  # exact, prefix, suffix or regexp, as patternmatcher decides
    text: str
    regex: re.Pattern[str] | None = None

    def matches(self, path: str) -> bool:
        if self.kind == "exact":
            return path == self.text
        if self.kind == "prefix":
            return path.startswith(self.text[:-2])
        if self.kind == "suffix":
            suffix = self.text[2:]
            return path.endswith(suffix) or (suffix.startswith("/") and path == suffix[1:])
        return self.regex is not None and self.regex.match(path) is not None


def _compile(text: str, exclusion: bool) -> _Pattern | None:
    """patternmatcher's `Pattern.compile`: a regexp, or a cheaper kind when it suffices."""
    regex, kind, i, iteration = "^", "exact", 0, 0
    while i < len(text):
        ch = text[i]
        i += 1
        if ch == "*" and text[i : i + 1] == "*":
            i += 2 if text[i + 1 : i + 2] == "/" else 1
            if i < len(text):
                regex, kind = regex + "(.*/)?", "regexp"
            elif kind == "exact":
                kind = "prefix"
            else:
                regex, kind = regex + ".*", "regexp"
            kind = "suffix" if iteration == 0 else kind
        elif ch == "*":
            regex, kind = regex + "[^/]*", "regexp"
        elif ch == "?":
            regex, kind = regex + "[^/]", "regexp"
        elif ch in ".+()|{}$":
            regex += "\\" + ch
        elif ch == "\\" and i < len(text):
            regex, kind, i = regex + re.escape(text[i]), "regexp", i + 1
        elif ch in "[]":
            regex, kind = regex + ch, "regexp"
        else:
            regex += re.escape(ch) if ch == "\\" else ch
        iteration += 1
    if kind != "regexp":
        return _Pattern(exclusion, kind, text)
    try:
        return _Pattern(exclusion, kind, text, re.compile(regex + "$"))
    except re.error:
        return None


def _clean(path: str) -> str:
    """Go's `filepath.Clean` for slash paths (normpath keeps a leading `//`, Go does not)."""
    cleaned = posixpath.normpath(path)
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


class DockerIgnore(NamedTuple):
    """The patterns of a `.dockerignore` file (or of `COPY --exclude` flags)."""

    patterns: tuple[_Pattern, ...] = ()

    @classmethod
    def parse(cls, text: str) -> DockerIgnore:
        """patternmatcher's `ignorefile.ReadAll`, then `New`."""
        return cls.from_patterns(text.removeprefix("\ufeff").splitlines())

    @classmethod
    def from_patterns(cls, lines: Iterable[str]) -> DockerIgnore:
        patterns = []
        for line in lines:
            line = "" if line.startswith("#") else line.strip()
            exclusion = line.startswith("!")
            line = line[1:].strip() if exclusion else line
            if not line:
                continue  # a lone `!` is an error for BuildKit; skipped here
            line = _clean(line)
            pattern = _compile(line[1:] if len(line) > 1 and line.startswith("/") else line, exclusion)
            if pattern is not None:
                patterns.append(pattern)
        return cls(tuple(patterns))

    @classmethod
    def load(cls, root: Path, dockerfile: str = "Dockerfile") -> DockerIgnore:
        """`<Dockerfile name>.dockerignore` in the context if present (it wins), else `.dockerignore`."""
        for name in (Path(dockerfile).name + ".dockerignore", ".dockerignore"):
            try:
                return cls.parse((root / name).read_text(encoding="utf-8", errors="replace"))
            except OSError:
                continue
        return cls()

    def excludes(self, path: str) -> bool:
        """Whether BuildKit leaves the context-relative `path` out (`MatchesOrParentMatches`)."""
        parents = path.split("/")[:-1]
        prefixes = ["/".join(parents[: i + 1]) for i in range(len(parents))]
        matched = False
        for pattern in self.patterns:
            if pattern.exclusion != matched:
                continue
            if pattern.matches(path) or any(pattern.matches(prefix) for prefix in prefixes):
                matched = not pattern.exclusion
        return matched


# --------------------------------------------------------------------------- build context


class BuildContext(NamedTuple):
    """The build-context directory, and where a broad `COPY . <target>` puts it in the image.

    `ignores` are applied together: `.dockerignore` and the COPY's `--exclude` patterns
    each leave files out, and a `!` in one cannot bring back what another excluded.
    """

    root: Path
    target: str
    ignores: tuple[DockerIgnore, ...] = ()

    def locate(self, image_path: str) -> str | None:
        """The context path an absolute image path was copied from; None outside `target`."""
        relative = posixpath.relpath(image_path, self.target)
        return None if relative == ".." or relative.startswith("../") else relative

    def excluded(self, relative: str) -> bool:
        return any(ignore.excludes(relative) for ignore in self.ignores)

    def holds(self, relative: str) -> bool:
        """Whether the COPY brings this file: it is in the context and not excluded."""
        return (self.root / relative).is_file() and not self.excluded(relative)

    def holds_directory(self, relative: str) -> bool:
        return (self.root / relative).is_dir() and (relative == "." or not self.excluded(relative))

    def read(self, relative: str) -> str:
        return (self.root / relative).read_text(encoding="utf-8", errors="replace")

    def virtual_environments(self) -> list[str]:
        """Top-level directories holding a virtual environment (`pyvenv.cfg`) that the COPY sends."""
        found = []
        for entry in sorted(self.root.iterdir()):
            if (entry / "pyvenv.cfg").is_file() and not self.excluded(f"{entry.name}/pyvenv.cfg"):
                found.append(entry.name)
        return found


# --------------------------------------------------------------------------- requirement files

_VARIABLE = compile_lazily(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")
# Fetched from elsewhere: URLs (but `file:`, a local path) and VCS requirements (`git+ssh://`, `git+git@...`).
_REMOTE = compile_lazily(r"^(?!file:)[A-Za-z][A-Za-z0-9+.-]*://|^(?:git|hg|svn|bzr)\+")
_ARCHIVES = (".whl", ".zip", ".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tbz", ".tar.xz", ".txz")
_COMMENT = compile_lazily(r"(^|\s+)#.*$")
# The options pip accepts inside requirement files (req_file.py SUPPORTED_OPTIONS*),
# long forms for resolving optparse abbreviations.
_FILE_OPTIONS = (
    "--index-url", "--pypi-url", "--extra-index-url", "--no-index", "--constraint", "--requirement",
    "--editable", "--find-links", "--no-binary", "--only-binary", "--prefer-binary",
    "--require-hashes", "--pre", "--trusted-host", "--use-feature", "--global-option", "--hash",
    "--config-settings",
)  # fmt: skip
_FILE_SHORT = {
    "-r": "--requirement",
    "-c": "--constraint",
    "-e": "--editable",
    "-f": "--find-links",
    "-i": "--index-url",
}
_FILE_VALUED = frozenset({"--requirement", "--constraint", "--editable", "--find-links", "--index-url", "--pypi-url",
                          "--extra-index-url", "--no-binary", "--only-binary", "--trusted-host", "--use-feature",
                          "--global-option", "--hash", "--config-settings"})  # fmt: skip
# Command-line options whose value is a requirement-format file (pip, uv pip, pipenv).
_REQUIREMENT_OPTIONS = frozenset({"--requirement", "--constraint", "--requirements", "--constraints",
                                  "--overrides", "--build-constraints", "--build-constraint"})  # fmt: skip


def _requirement_lines(text: str) -> Iterator[str]:
    """Logical lines as pip reads them: continuations joined, comments and blanks dropped."""
    pending: list[str] = []
    for line in (*text.splitlines(), ""):  # the empty line ends a continuation left open at the end
        if line.endswith("\\") and not _COMMENT.match(line):
            pending.append(line.rstrip("\\"))
            continue
        joined = "".join(pending) + (" " + line if _COMMENT.match(line) else line)
        pending = []
        stripped = _COMMENT.sub("", joined).strip()
        if stripped:
            yield stripped


class Requirements(NamedTuple):
    """What a requirement file and its `-r` includes ask for: the requirements by name
    (`flask==3.0`, `x[extra]>=1`; paths, URLs, `-e` lines and options left out), and
    whether a line constrains them (`-c`) or pins them by hash (`--hash`)."""

    specifiers: tuple[str, ...] = ()
    constrained: bool = False
    hashed: bool = False


def read_requirements(path: Path, seen: frozenset[Path] = frozenset()) -> Requirements:
    """A requirement file read as pip reads it, following its `-r` includes relative to
    it; a file that cannot be read adds nothing (the build reports it)."""
    path = path.resolve()
    if path in seen or not path.is_file():
        return Requirements()
    found: list[str] = []
    constrained = hashed = False
    for line in _requirement_lines(path.read_text(encoding="utf-8", errors="replace")):
        requirement, options = _split_requirement_line(line)
        for name, value in _line_options(options):
            if name == "--requirement" and value and not _REMOTE.match(value):
                included = read_requirements(path.parent / value, seen | {path})
                found += included.specifiers
                constrained, hashed = constrained or included.constrained, hashed or included.hashed
            constrained = constrained or name == "--constraint"
            hashed = hashed or name == "--hash"
        requirement = requirement.strip()
        if requirement and not _looks_like_path(requirement) and not _REMOTE.match(requirement) \
                and not requirement.endswith(_ARCHIVES):  # fmt: skip
            found.append(requirement)
    return Requirements(tuple(found), constrained, hashed)


def _line_options(text: str) -> Iterator[tuple[str, str | None]]:
    """(long option, value) pairs of a requirement line's options part (optparse rules)."""
    words = text.split()
    i = 0
    while i < len(words):
        word = words[i]
        i += 1
        name, equals, value = word.partition("=")
        if name.startswith("--"):
            matches = [option for option in _FILE_OPTIONS if option.startswith(name)]
            name = name if name in _FILE_OPTIONS else matches[0] if len(matches) == 1 else name
        elif name[:2] in _FILE_SHORT:
            name, value, equals = _FILE_SHORT[word[:2]], word[2:], word[2:]
        if name in _FILE_VALUED and not equals:
            value = words[i] if i < len(words) else None
            i += 1
        yield name, value or None


def _split_requirement_line(line: str) -> tuple[str, str]:
    """pip's `break_args_options`: the requirement before the first `-` word, options after."""
    words = line.split(" ")
    for index, word in enumerate(words):
        if word.startswith("-"):
            return " ".join(words[:index]), " ".join(words[index:])
    return line, ""


def _looks_like_path(text: str) -> bool:
    return "/" in text or text.startswith(".")


def _strip_extras(text: str) -> str:
    return re.sub(r"\[[^\]]*\]$", "", text.strip())


# --------------------------------------------------------------------------- TOML


def _toml_loads() -> Callable[[str], dict[str, Any]] | None:
    """tomllib on Python 3.11+, else tomli when installed, else None (TOML stays opaque)."""
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib.loads
    try:
        import tomli  # type: ignore[import-not-found]
    except ImportError:
        return None
    return tomli.loads  # type: ignore[no-any-return]


def _parse_toml(context: BuildContext, relative: str) -> dict[str, Any]:
    loads = _toml_loads()
    if loads is None:
        raise _Unknown(f"reading {relative} needs Python 3.11 or the tomli package")
    try:
        return loads(context.read(relative))
    except ValueError as exc:
        raise _Unknown(f"{relative} is not valid TOML ({exc})") from None


def _table(data: Any, *keys: str) -> dict[str, Any]:
    """`data[k1][k2]...` as a dict, {} where a level is missing or not a table."""
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _declared_files(data: dict[str, Any]) -> list[str]:
    """Files pyproject.toml names for a build: readme, license, dynamic `file =` values, hatch's version file."""
    project = _table(data, "project")
    readme, license_ = project.get("readme"), project.get("license")
    files = _strings(readme) + _strings(_table(data, "tool", "poetry").get("readme"))
    for table in (readme, license_, *_table(data, "tool", "setuptools", "dynamic").values()):
        files += _strings(table.get("file")) if isinstance(table, dict) else []
    return files + _strings(_table(data, "tool", "hatch", "version").get("path"))


def _local_dependencies(data: dict[str, Any]) -> str | None:
    """The first local path dependency of a pyproject/Pipfile-style table tree, as written."""
    poetry = _table(data, "tool", "poetry")
    tables = [_table(poetry, "dependencies"), _table(poetry, "dev-dependencies")]
    tables += [_table(group, "dependencies") for group in _table(poetry, "group").values()]
    for table in tables:
        for name, spec in table.items():
            if isinstance(spec, dict) and "path" in spec:
                return f"{name} = {{ path = {spec['path']!r} }}"
    project = _table(data, "project")
    requirements = _strings(project.get("dependencies"))
    for group in (*_table(project, "optional-dependencies").values(), *_table(data, "dependency-groups").values()):
        requirements += _strings(group)
    return next((requirement for requirement in requirements if "file:" in requirement), None)


# --------------------------------------------------------------------------- the collector


class _Collector:
    """Gathers what one install reads; raises `_Unknown` at the first thing it cannot know.

    Paths are image paths until `file`/`optional` map them to the context. `variables`
    are the environment values known for certain (`$NAME` and `${NAME}` expand to them).
    """

    __slots__ = ("context", "cwd", "variables", "files", "projects", "dependencies", "_followed")

    def __init__(self, context: BuildContext, cwd: str, variables: Mapping[str, str]) -> None:
        self.context = context
        self.cwd = cwd
        self.variables = variables
        self.files: set[str] = set()
        self.projects: list[str] = []
        self.dependencies = True
        self._followed: set[str] = set()

    __repr__ = slots_repr

    def expand(self, written: str, what: str) -> str:
        """`written` with its known variables expanded; a reference to another is Unknown."""
        expanded = _VARIABLE.sub(lambda match: self.variables.get(match[1] or match[2], match[0]), written)
        if "$" in expanded or expanded.startswith("~"):
            raise _Unknown(f"the {what} `{written}` depends on the environment")
        return expanded

    def path(self, written: str, base: str | None = None) -> str:
        """An image path from one written relative to `base` (the working directory by default)."""
        if written.startswith("file:"):
            raise _Unknown(f"`{written}` is a file URL, which dockerfix does not follow")
        return posixpath.normpath(posixpath.join(base or self.cwd, self.expand(written, "path")))

    def relative(self, image_path: str, what: str) -> str:
        relative = self.context.locate(image_path)
        if relative is None:
            raise _Unknown(f"{what} {image_path} is not among the files the COPY puts in {self.context.target}")
        return relative

    def file(self, image_path: str, what: str) -> str:
        """A file the install cannot do without: it must be in the context and sent."""
        relative = self.relative(image_path, what)
        if self.context.excluded(relative):
            raise _Unknown(
                f"{what} {relative} is excluded by .dockerignore or --exclude, so the install cannot read it"
            )
        if not (self.context.root / relative).is_file():
            raise _Unknown(f"{what} {relative} is not in the build context {self.context.root}")
        self.files.add(relative)
        return relative

    def optional(self, image_path: str) -> None:
        """A file the tool reads when present."""
        relative = self.context.locate(image_path)
        if relative is not None and self.context.holds(relative):
            self.files.add(relative)

    def toml(self, image_path: str, what: str) -> dict[str, Any]:
        """A TOML file the install cannot do without, parsed."""
        return _parse_toml(self.context, self.file(image_path, what))

    def upwards(self, name: str) -> Iterator[tuple[str, str]]:
        """(image directory, context path of `name` there), from the working directory up to the copy's root."""
        directory = self.cwd
        while (relative := self.context.locate(posixpath.join(directory, name))) is not None:
            yield directory, relative
            if directory == "/":
                return
            directory = posixpath.dirname(directory)

    def find_upwards(self, name: str) -> str:
        """The image directory holding `name`: the working directory or the nearest parent (how the tools search)."""
        for directory, relative in self.upwards(name):
            if self.context.holds(relative):
                return directory
        raise _Unknown(f"no {name} in {self.cwd} or above it among the copied files")

    # -- requirements

    def requirements_file(self, image_path: str, pyproject_allowed: bool = False) -> None:
        """A requirements file and, recursively, the files its `-r`/`-c` lines name."""
        if pyproject_allowed and posixpath.basename(image_path) == "pyproject.toml":
            data = self.toml(image_path, "requirements source")
            if "dependencies" in _strings(_table(data, "project").get("dynamic")):
                raise _Unknown("pyproject.toml's dependencies are dynamic: uv builds the project to read them")
            return
        if pyproject_allowed and posixpath.basename(image_path) in ("setup.py", "setup.cfg"):
            raise _Unknown(f"uv builds the project to read the requirements of {posixpath.basename(image_path)}")
        relative = self.file(image_path, "requirements file")
        if relative in self._followed:
            return
        self._followed.add(relative)
        for line in _requirement_lines(self.context.read(relative)):
            self._requirement_line(line, posixpath.dirname(image_path))

    def _requirement_line(self, line: str, directory: str) -> None:
        requirement, options = _split_requirement_line(line)
        if requirement:
            self.requirement(requirement)
        for name, value in _line_options(options):
            if value is None:
                continue
            if name in ("--requirement", "--constraint") and not _REMOTE.match(value):
                self.requirements_file(self.path(value, directory))
            elif name == "--editable":
                self.requirement(value, editable=True)
            elif name == "--find-links":
                self.find_links(value)

    def requirement(self, text: str, editable: bool = False) -> None:
        """A requirement as pip reads it: a name, a URL, or a local path (from the working directory)."""
        spec = self.expand(text, "requirement").split(";")[0].strip()
        name, at, url = spec.partition("@")
        if _REMOTE.match(spec):
            return
        if at and not _looks_like_path(name.strip()):
            spec = url.strip()  # PEP 508 `name @ url`
        elif not (editable or _looks_like_path(spec) or spec.endswith(_ARCHIVES)):
            return  # a package name with its version and extras
        if not _REMOTE.match(spec):
            self.local(self.path(_strip_extras(spec)))

    def local(self, image_path: str) -> None:
        """A local path to install: a project directory, or an archive that is an input file.

        A path the COPY does not write (a wheel copied from another stage) is not an input.
        """
        relative = self.context.locate(image_path)
        if relative is None:
            return
        if self.context.holds_directory(relative):
            self.project(relative)
        else:
            self.file(image_path, "package file")

    def find_links(self, value: str) -> None:
        if not _REMOTE.match(value) and self.context.locate(self.path(value)) is not None:
            raise _Unknown(f"`--find-links {value}` reads a local directory, which dockerfix does not model")

    def group(self, value: str) -> None:
        """pip's `--group [path:]name` reads a pyproject.toml."""
        path, colon, _ = value.rpartition(":")
        self.file(self.path(path if colon else "pyproject.toml"), "dependency groups file")

    # -- projects

    def project(self, relative: str) -> None:
        """A local project built from its sources; its metadata files are read too (best effort)."""
        display = "the project in the build context" if relative == "." else f"the project in {relative}/"
        try:
            detail = _project_metadata(self, relative)
        except _Unknown as exc:
            detail = exc.reason
        self.projects.append(f"builds {display} from its sources ({detail})")


def _project_metadata(collector: _Collector, relative: str) -> str:
    """Add a project's metadata files; return why the project needs its sources."""
    context = collector.context
    image_dir = posixpath.join(context.target, relative)
    for name in ("pyproject.toml", "setup.py", "setup.cfg", "MANIFEST.in"):
        collector.optional(posixpath.join(image_dir, name))
    path = {
        name: posixpath.normpath(posixpath.join(relative, name)) for name in ("pyproject.toml", "setup.py", "setup.cfg")
    }
    if not any(context.holds(relative_path) for relative_path in path.values()):
        return "it has neither pyproject.toml nor setup.py"
    declared: list[str] = []
    sources = "the build backend collects the package files"
    if context.holds(path["pyproject.toml"]):
        declared += _declared_files(_parse_toml(context, path["pyproject.toml"]))
    if context.holds(path["setup.cfg"]):
        files, reason = _setup_cfg(context.read(path["setup.cfg"]))
        declared, sources = declared + files, reason or sources
    if context.holds(path["setup.py"]):
        reads = setup_py_reads(context.read(path["setup.py"]))
        if isinstance(reads, Undetermined):
            raise _Unknown(reads.reason)
        declared, sources = declared + sorted(reads.files), reads.sources or sources
    for name in declared:
        collector.optional(posixpath.normpath(posixpath.join(image_dir, name)))
    return sources


def _setup_cfg(text: str) -> tuple[list[str], str | None]:
    """Files setup.cfg's `file:` directives name, and whether `attr:`/`find:` need the sources."""
    import configparser  # only projects with a setup.cfg need it

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        raise _Unknown(f"setup.cfg does not parse ({exc.message})") from None
    files: list[str] = []
    reason = None
    for section in parser.sections():
        for key, value in parser.items(section):
            value = value.strip()
            if value.startswith("file:"):
                files += [name.strip() for name in value[5:].split(",") if name.strip()]
            elif value.startswith(("attr:", "find:", "find_namespace:")):
                reason = f"setup.cfg's {key} = {value.split(':')[0]}: reads the package sources"
    return files, reason


# --------------------------------------------------------------------------- tools


def _pip(collector: _Collector, call: InstallerCall, without_project: bool) -> str | None:
    """pip install/wheel/download, uv pip install/sync, and pipenv's requirement options."""
    is_uv = call.tool == "uv"
    for option in call.options:
        if option.value is None:
            continue
        if option.canonical in _REQUIREMENT_OPTIONS:
            collector.requirements_file(collector.path(option.value), pyproject_allowed=is_uv)
        elif option.canonical == "--editable":
            collector.requirement(option.value, editable=True)
        elif option.canonical == "--find-links":
            collector.find_links(option.value)
        elif option.canonical == "--group":
            collector.group(option.value)
        elif option.canonical == "--requirements-from-script":
            raise _Unknown("`--requirements-from-script` runs a script to find the requirements")
    for word in call.positionals:
        if call.subcommand == "pip sync":
            collector.requirements_file(collector.path(word.text), pyproject_allowed=True)
        else:
            collector.requirement(word.text)
    if is_uv:
        _uv_configuration(collector)
    collector.dependencies = call.get("--no-deps") is None
    return None


def _uv_configuration(collector: _Collector) -> None:
    """uv reads uv.toml, `[tool.uv]` in pyproject.toml and .python-version from the working directory up."""
    for directory, relative in collector.upwards("pyproject.toml"):
        for name in ("uv.toml", ".python-version"):
            collector.optional(posixpath.join(directory, name))
        if collector.context.holds(relative) and _table(_parse_toml(collector.context, relative), "tool", "uv"):
            collector.files.add(relative)


def _uv_sync(collector: _Collector, call: InstallerCall, without_project: bool) -> str:
    if call.get("--package", "--all-packages") is not None:
        raise _Unknown("`--package`/`--all-packages` install workspace members, which dockerfix does not follow")
    directory = collector.find_upwards("pyproject.toml")
    data = collector.toml(posixpath.join(directory, "pyproject.toml"), "project file")
    uv = _table(data, "tool", "uv")
    if "workspace" in uv:
        raise _Unknown("the project is a uv workspace, whose members dockerfix does not follow")
    for name, source in _table(uv, "sources").items():
        if isinstance(source, dict) and ("path" in source or source.get("workspace")):
            raise _Unknown(f"tool.uv.sources.{name} is a local path, which dockerfix does not follow")
    if "dependencies" in _strings(_table(data, "project").get("dynamic")):
        raise _Unknown("the project's dependencies are dynamic: uv builds the project to read them")
    for name in ("uv.lock", "uv.toml", ".python-version"):
        collector.optional(posixpath.join(directory, name))
    skips = call.get("--no-install-project", "--no-install-workspace", "--only-group", "--only-dev") is not None
    packaged = uv.get("package") if isinstance(uv.get("package"), bool) else "build-system" in data
    if packaged and not (skips or without_project):
        collector.project(collector.relative(directory, "project"))
    return "--no-install-project"


def _poetry(collector: _Collector, call: InstallerCall, without_project: bool) -> str:
    directory = collector.find_upwards("pyproject.toml")
    data = collector.toml(posixpath.join(directory, "pyproject.toml"), "project file")
    local = _local_dependencies(data)
    if local is not None and call.get("--no-directory") is None:
        raise _Unknown(f"the path dependency `{local}` needs its sources")
    for name in ("poetry.lock", "poetry.toml"):
        collector.optional(posixpath.join(directory, name))
    collector.dependencies = call.get("--only-root") is None
    packaged = _table(data, "tool", "poetry").get("package-mode", True) is not False
    if packaged and call.get("--no-root") is None and not without_project:
        collector.project(collector.relative(directory, "project"))
    return "--no-root"


def _pdm(collector: _Collector, call: InstallerCall, without_project: bool) -> str:
    directory = collector.find_upwards("pyproject.toml")
    data = collector.toml(posixpath.join(directory, "pyproject.toml"), "project file")
    local = _local_dependencies(data)
    if local is not None:
        raise _Unknown(f"the path dependency `{local}` needs its sources")
    lockfile = call.get("--lockfile")
    if lockfile is not None and lockfile.value:
        collector.file(collector.path(lockfile.value), "lock file")
    else:
        collector.optional(posixpath.join(directory, "pdm.lock"))
    for name in ("pdm.toml", ".pdm-python"):
        collector.optional(posixpath.join(directory, name))
    distribution = _table(data, "tool", "pdm").get("distribution")
    packaged = distribution if isinstance(distribution, bool) else "build-system" in data
    if packaged and call.get("--no-self") is None and not without_project:
        collector.project(collector.relative(directory, "project"))
    return "--no-self"


def _pipenv(collector: _Collector, call: InstallerCall, without_project: bool) -> None:
    directory = collector.find_upwards("Pipfile")
    data = collector.toml(posixpath.join(directory, "Pipfile"), "Pipfile")
    collector.optional(posixpath.join(directory, "Pipfile.lock"))
    for section, table in data.items():
        if section in ("source", "requires", "scripts", "pipenv") or not isinstance(table, dict):
            continue
        for spec in table.values():
            if isinstance(spec, dict) and isinstance(spec.get("path"), str):
                collector.local(collector.path(spec["path"], directory))
    return _pip(collector, call, without_project)


_Reader = Callable[[_Collector, InstallerCall, bool], "str | None"]
_READERS: dict[tuple[str, str], _Reader] = {
    ("pip", "install"): _pip,
    ("pip", "wheel"): _pip,
    ("pip", "download"): _pip,
    ("uv", "pip install"): _pip,
    ("uv", "pip sync"): _pip,
    ("uv", "sync"): _uv_sync,
    ("poetry", "install"): _poetry,
    ("poetry", "sync"): _poetry,
    ("pdm", "install"): _pdm,
    ("pdm", "sync"): _pdm,
    ("pipenv", "install"): _pipenv,
    ("pipenv", "sync"): _pipenv,
}
# Options that move a tool to another project directory before it looks for its files.
_DIRECTORY_OPTIONS = ("--directory", "--project")


def is_dependency_install(call: InstallerCall) -> bool:
    """Whether the call installs Python packages (the calls `install_inputs` understands)."""
    return (call.tool, call.subcommand) in _READERS


def names_requirement_files(call: InstallerCall) -> bool:
    """Whether the call installs from requirement files it names (`-r`, `-c`, `uv pip sync FILE`)."""
    return is_dependency_install(call) and (
        call.subcommand == "pip sync" or any(option.canonical in _REQUIREMENT_OPTIONS for option in call.options)
    )


def reads_dependency_files(call: InstallerCall) -> bool:
    """Whether the call installs dependencies declared in project files: a dependency step."""
    return (
        names_requirement_files(call)
        or (call.tool, call.subcommand) in _READERS
        and call.tool != "pip"
        and not call.subcommand.startswith("pip ")
    )


def install_inputs(
    call: InstallerCall,
    context: BuildContext,
    cwd: str,
    variables: Mapping[str, str] | None = None,
    *,
    without_project: bool = False,
) -> Inputs | Undetermined:
    """What `call`, run in the image directory `cwd`, reads from the files `context` puts there.

    `variables` are the environment values the call certainly sees, for `$NAME` in
    paths. With `without_project`, as if the tool's dependencies-only option were given
    (what the dependency step of a split install reads).
    """
    try:
        collector = _Collector(context, cwd, variables or {})
        for option in call.options:
            if option.canonical in _DIRECTORY_OPTIONS and option.value:
                collector.cwd = collector.path(option.value)
        split = _READERS[(call.tool, call.subcommand)](collector, call, without_project)
    except _Unknown as exc:
        return Undetermined(exc.reason)
    project = "; ".join(collector.projects) or None
    return Inputs(frozenset(collector.files), project, split if project else None, collector.dependencies)


# --------------------------------------------------------------------------- setup.py

_OPENERS = frozenset({"open", "io.open", "codecs.open", "builtins.open", "runpy.run_path"})
_PATH_READS = frozenset({"read_text", "read_bytes"})
_FINDERS = ("find_packages", "find_namespace_packages")
_JOINS = frozenset({"os.path.join", "path.join", "join", "Path", "pathlib.Path", "PurePath", "pathlib.PurePath"})
_PARENTS = frozenset({"os.path.dirname", "path.dirname", "dirname"})
_SAME_PATH = frozenset({"os.path.abspath", "os.path.realpath", "os.path.normpath", "path.abspath",
                        "path.realpath", "abspath", "realpath", "str", "os.fspath"})  # fmt: skip


def setup_py_reads(source: str) -> SetupReads | Undetermined:
    """The files a setup.py reads (relative to its directory), found without running it.

    Recognised: `open`/`io.open`/`codecs.open`/`runpy.run_path` of a path, and
    `Path.read_text()`/`read_bytes()`/`open()`, where the path is built from string
    literals, `__file__` (its `dirname`, `.parent`, `abspath`, `resolve()`), `os.path.join`,
    `Path(...)` and `/`, f-strings, module or function-level names, and parameters of a
    helper such as `def read(name): return open(os.path.join(HERE, name)).read()`
    (resolved at each call site). Absolute paths are not build-context files and are
    skipped. A read whose path cannot be worked out makes the answer Undetermined.
    """
    try:
        import libcst
    except ImportError:
        return Undetermined("reading setup.py needs libcst, which is not installed")
    try:
        module = libcst.parse_module(source)
    except libcst.ParserSyntaxError as exc:
        return Undetermined(f"setup.py does not parse ({exc.message})")
    try:
        return _SetupScan(libcst, module).result()
    except _Unknown as exc:
        return Undetermined(exc.reason)


class _SetupScan:
    """One pass collecting assignments, helper functions and calls; then path evaluation."""

    def __init__(self, cst: Any, module: Any) -> None:
        self.cst = cst
        self.module = module
        self.assigned: dict[tuple[str | None, str], Any] = {}
        self.functions: dict[str, Any] = {}
        self.calls: list[tuple[Any, str | None]] = []
        self._collect(module, None)

    def _collect(self, node: Any, scope: str | None) -> None:
        cst = self.cst
        if isinstance(node, cst.FunctionDef):
            self.functions[node.name.value] = node
            scope = node.name.value
        elif isinstance(node, cst.Assign) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            self.assigned.setdefault((scope, node.targets[0].target.value), node.value)
        elif isinstance(node, cst.Call):
            self.calls.append((node, scope))
        for child in node.children:
            self._collect(child, scope)

    def result(self) -> SetupReads:
        files: set[str] = set()
        finder = None
        for call, scope in self.calls:
            name = _dotted(self.cst, call.func)
            if name.rpartition(".")[2] in _FINDERS:
                finder = finder or name.rpartition(".")[2]
            target = self._read_target(call, name)
            if target is not None:
                files.update(path for path in self._paths(target, scope, call) if not path.startswith("/"))
        return SetupReads(frozenset(files), f"setup.py calls {finder}()" if finder else None)

    def _read_target(self, call: Any, name: str) -> Any:
        """The path expression a call reads, if it reads a file."""
        cst = self.cst
        if name in _OPENERS:
            first = next((arg.value for arg in call.args if arg.keyword is None or arg.keyword.value == "file"), None)
            return first
        if isinstance(call.func, cst.Attribute) and call.func.attr.value in _PATH_READS | {"open"}:
            base = call.func.value
            is_path = call.func.attr.value in _PATH_READS or self._value(base, None, {}) is not None
            return base if is_path else None
        return None

    def _paths(self, target: Any, scope: str | None, call: Any) -> set[str]:
        """The values of a read's path: directly, or once per call site of the enclosing helper."""
        value = self._value(target, scope, {})
        if value is not None:
            return {posixpath.normpath(value)}
        function = self.functions.get(scope) if scope else None
        sites = [site for site, _ in self.calls if function is not None and _dotted(self.cst, site.func) == scope]
        values = {self._value(target, scope, self._bind(function, site)) for site in sites}
        if not values or None in values:
            raise _Unknown(f"setup.py reads `{self.module.code_for_node(call)}`, whose path dockerfix cannot work out")
        return {posixpath.normpath(value) for value in values if value is not None}

    def _bind(self, function: Any, site: Any) -> dict[str, str]:
        """A helper's parameters bound to a call site's literal arguments."""
        parameters = [param.name.value for param in function.params.params]
        bound: dict[str, str] = {}
        for index, arg in enumerate(site.args):
            name = (
                arg.keyword.value if arg.keyword is not None else parameters[index] if index < len(parameters) else None
            )
            value = self._value(arg.value, None, {}) if not arg.star else None
            if name is not None and value is not None:
                bound[name] = value
        return bound

    def _value(self, node: Any, scope: str | None, bindings: dict[str, str], depth: int = 0) -> str | None:
        """A path expression's value relative to setup.py's directory, None if unknown."""
        cst = self.cst
        if depth > 25:
            return None
        if isinstance(node, cst.SimpleString):
            value = node.evaluated_value
            return value if isinstance(value, str) else None
        if isinstance(node, cst.ConcatenatedString):
            return self._join_text([node.left, node.right], scope, bindings, depth)
        if isinstance(node, cst.FormattedString):
            return self._formatted(node, scope, bindings, depth)
        if isinstance(node, cst.Name):
            return self._name(node.value, scope, bindings, depth)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
            return self._join([node.left, node.right], scope, bindings, depth)
        if isinstance(node, cst.Attribute) and node.attr.value == "parent":
            base = self._value(node.value, scope, bindings, depth + 1)
            return None if base is None else posixpath.normpath(posixpath.join(base, ".."))
        if isinstance(node, cst.Call):
            return self._call_value(node, scope, bindings, depth)
        return None

    def _name(self, name: str, scope: str | None, bindings: dict[str, str], depth: int) -> str | None:
        if name == "__file__":
            return "setup.py"
        if name in bindings:
            return bindings[name]
        for key in ((scope, name), (None, name)):
            if key in self.assigned:
                return self._value(self.assigned[key], key[0], bindings if key[0] == scope else {}, depth + 1)
        return None

    def _call_value(self, node: Any, scope: str | None, bindings: dict[str, str], depth: int) -> str | None:
        cst = self.cst
        name = _dotted(cst, node.func)
        args = [arg.value for arg in node.args if arg.keyword is None and not arg.star]
        if len(args) != len(node.args):
            return None
        if name in _JOINS:
            return self._join(args, scope, bindings, depth) if args else "."
        if name in _PARENTS | _SAME_PATH and len(args) == 1:
            value = self._value(args[0], scope, bindings, depth + 1)
            parent = name in _PARENTS and value is not None
            return posixpath.normpath(posixpath.join(value, "..")) if parent else value  # type: ignore[arg-type]
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in ("resolve", "absolute") and not args:
            return self._value(node.func.value, scope, bindings, depth + 1)
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "joinpath":
            return self._join([node.func.value, *args], scope, bindings, depth)
        return None

    def _join(self, parts: list[Any], scope: str | None, bindings: dict[str, str], depth: int) -> str | None:
        values = [self._value(part, scope, bindings, depth + 1) for part in parts]
        return None if None in values else posixpath.join(*values)  # type: ignore[arg-type]

    def _join_text(self, parts: list[Any], scope: str | None, bindings: dict[str, str], depth: int) -> str | None:
        values = [self._value(part, scope, bindings, depth + 1) for part in parts]
        return None if None in values else "".join(values)  # type: ignore[arg-type]

    def _formatted(self, node: Any, scope: str | None, bindings: dict[str, str], depth: int) -> str | None:
        pieces = []
        for part in node.parts:
            if isinstance(part, self.cst.FormattedStringText):
                pieces.append(part.value)
            elif part.conversion is None and part.format_spec is None:
                value = self._value(part.expression, scope, bindings, depth + 1)
                if value is None:
                    return None
                pieces.append(value)
            else:
                return None
        return "".join(pieces)


def _dotted(cst: Any, node: Any) -> str:
    """`os.path.join` for an attribute chain of names, '' for anything else."""
    if isinstance(node, cst.Name):
        return str(node.value)
    if isinstance(node, cst.Attribute):
        base = _dotted(cst, node.value)
        return f"{base}.{node.attr.value}" if base else ""
    return ""
