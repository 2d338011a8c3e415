"""What installs read from the build context: requirement includes, projects, setup.py, .dockerignore."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixer import python_inputs
from fixer.installers import InstallerCall, find_installer_calls
from fixer.python_inputs import (
    BuildContext,
    DockerIgnore,
    Inputs,
    SetupReads,
    Undetermined,
    install_inputs,
    names_requirement_files,
    reads_dependency_files,
    setup_py_reads,
)
from fixer.shell import parse_script


def call(command: str) -> InstallerCall:
    return find_installer_calls(parse_script(command))[-1]


def context(tmp_path: Path, files: dict[str, str], target: str = "/app", ignore: str = "") -> BuildContext:
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    return BuildContext(tmp_path, target, (DockerIgnore.parse(ignore),))


def inputs(tmp_path: Path, command: str, files: dict[str, str], cwd: str = "/app", **options) -> Inputs | Undetermined:  # type: ignore[no-untyped-def]
    ignore = options.pop("ignore", "")
    return install_inputs(call(command), context(tmp_path, files, ignore=ignore), cwd, **options)


# --------------------------------------------------------------------------- requirement files


def test_nested_includes_are_relative_to_the_including_file(tmp_path: Path) -> None:
    files = {
        "requirements/prod.txt": "-r base.txt\n--constraint=../constraints.txt\ngunicorn  # server\n",
        "requirements/base.txt": "# shared\nflask>=3 \\\n  --hash=sha256:abc\n-r ./base.txt\n",
        "constraints.txt": "flask==3.0.3\n",
    }
    found = inputs(tmp_path, "pip install -r requirements/prod.txt", files)
    assert found == Inputs(frozenset({"requirements/prod.txt", "requirements/base.txt", "constraints.txt"}))


def test_command_line_constraints_abbreviations_and_uv_options(tmp_path: Path) -> None:
    files = {"req.txt": "--requirem other.txt\n--req ambiguous.txt\n", "other.txt": "x\n", "c.txt": "", "o.txt": ""}
    assert inputs(tmp_path, "pip install --requirement req.txt -c c.txt", files) == Inputs(
        frozenset({"req.txt", "other.txt", "c.txt"})
    )
    assert inputs(tmp_path, "uv pip install -r req.txt --overrides o.txt", files) == Inputs(
        frozenset({"req.txt", "other.txt", "o.txt"})
    )
    assert inputs(tmp_path, "uv pip sync req.txt", files) == Inputs(frozenset({"req.txt", "other.txt"}))


def test_remote_includes_and_package_urls_are_not_context_files(tmp_path: Path) -> None:
    files = {
        "r.txt": "-r https://example.com/r.txt\npkg @ https://example.com/pkg.whl\n-e git+https://x/y#egg=y\n"
        "git+git@github.com:org/lib.git\n"
    }
    assert inputs(tmp_path, "pip install -r r.txt", files) == Inputs(frozenset({"r.txt"}))
    file_url = inputs(tmp_path, "pip install 'pkg @ file:///app/pkg'", files)
    assert isinstance(file_url, Undetermined) and "file URL" in file_url.reason


def test_paths_map_through_the_copy_destination_and_working_directory(tmp_path: Path) -> None:
    files = {"requirements.txt": "x\n", "sub/.keep": ""}
    assert inputs(tmp_path, "pip install -r ../requirements.txt", files, cwd="/app/sub") == Inputs(
        frozenset({"requirements.txt"})
    )
    assert inputs(tmp_path, "pip install -r /app/requirements.txt", files, cwd="/") == Inputs(
        frozenset({"requirements.txt"})
    )


def test_missing_excluded_and_outside_files_are_undetermined(tmp_path: Path) -> None:
    missing = inputs(tmp_path, "pip install -r requirements.txt", {})
    assert isinstance(missing, Undetermined) and "not in the build context" in missing.reason
    excluded = inputs(tmp_path, "pip install -r r.txt", {"r.txt": ""}, ignore="*.txt\n")
    assert isinstance(excluded, Undetermined) and "excluded by .dockerignore" in excluded.reason
    outside = inputs(tmp_path, "pip install -r /tmp/r.txt", {})
    assert isinstance(outside, Undetermined) and "/tmp/r.txt" in outside.reason


def test_variables_expand_only_when_known(tmp_path: Path) -> None:
    files = {"r.txt": "-r ${EXTRA}/more.txt\n", "extra/more.txt": ""}
    assert inputs(tmp_path, "pip install -r $APP/r.txt", files, variables={"APP": "/app", "EXTRA": "extra"}) == Inputs(
        frozenset({"r.txt", "extra/more.txt"})
    )
    unknown = inputs(tmp_path, "pip install -r $APP/r.txt", files)
    assert isinstance(unknown, Undetermined) and "environment" in unknown.reason


def test_local_archives_are_inputs_and_other_stages_files_are_not(tmp_path: Path) -> None:
    files = {"dist/app-1.0-py3-none-any.whl": ""}
    assert inputs(tmp_path, "pip install dist/app-1.0-py3-none-any.whl /wheels/*.whl", files) == Inputs(
        frozenset({"dist/app-1.0-py3-none-any.whl"})
    )
    local_links = inputs(tmp_path, "pip install --find-links ./wheels x", {"wheels/a.whl": ""})
    assert isinstance(local_links, Undetermined)


def test_a_local_directory_is_a_project_with_its_metadata(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": '[project]\nname = "a"\nreadme = {file = "README.rst"}\nlicense = {file = "LICENSE"}\n'
        '[tool.setuptools.dynamic]\nversion = {file = "VERSION"}\n',
        "README.rst": "",
        "LICENSE": "",
        "VERSION": "1.0\n",
        "src/a/__init__.py": "",
    }
    found = inputs(tmp_path, "pip install -e .", files)
    assert isinstance(found, Inputs)
    assert found.files == {"pyproject.toml", "README.rst", "LICENSE", "VERSION"}
    assert found.project is not None and found.split is None and found.dependencies
    no_deps = inputs(tmp_path, "pip install --no-deps .", files)
    assert isinstance(no_deps, Inputs) and not no_deps.dependencies


def test_setup_cfg_file_directives(tmp_path: Path) -> None:
    files = {
        "setup.cfg": "[metadata]\nlong_description = file: README.md, CHANGES.md\n[options]\npackages = find:\n",
        "README.md": "",
        "CHANGES.md": "",
    }
    found = inputs(tmp_path, "pip install .", files)
    assert isinstance(found, Inputs)
    assert found.files == {"setup.cfg", "README.md", "CHANGES.md"}
    assert found.project is not None and "packages = find:" in found.project


def test_requirement_line_naming_the_project(tmp_path: Path) -> None:
    files = {"requirements.txt": "flask\n-e .\n", "setup.py": "from setuptools import setup\nsetup()\n"}
    found = inputs(tmp_path, "pip install -r requirements.txt", files)
    assert isinstance(found, Inputs) and found.project is not None
    assert found.files == {"requirements.txt", "setup.py"}


# --------------------------------------------------------------------------- project managers

PYPROJECT = '[project]\nname = "a"\nversion = "1"\nreadme = "README.md"\ndependencies = ["x"]\n'
BUILD_SYSTEM = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'


def test_uv_sync_installs_a_packaged_project_unless_told_not_to(tmp_path: Path) -> None:
    files = {"pyproject.toml": PYPROJECT + BUILD_SYSTEM, "uv.lock": "", "README.md": "", ".python-version": "3.12\n"}
    found = inputs(tmp_path, "uv sync --locked", files)
    assert isinstance(found, Inputs)
    assert found.split == "--no-install-project" and found.project is not None
    assert found.files == {"pyproject.toml", "uv.lock", ".python-version", "README.md"}
    dependencies = inputs(tmp_path, "uv sync --locked", files, without_project=True)
    assert dependencies == Inputs(frozenset({"pyproject.toml", "uv.lock", ".python-version"}))
    assert inputs(tmp_path, "uv sync --no-install-project", files) == dependencies


def test_uv_sync_of_a_virtual_project_reads_only_its_files(tmp_path: Path) -> None:
    found = inputs(tmp_path, "uv sync", {"pyproject.toml": PYPROJECT, "uv.lock": ""})
    assert found == Inputs(frozenset({"pyproject.toml", "uv.lock"}))


def test_uv_sync_finds_the_project_above_the_working_directory(tmp_path: Path) -> None:
    found = inputs(tmp_path, "uv sync", {"pyproject.toml": PYPROJECT, "pkg/x.py": ""}, cwd="/app/pkg")
    assert found == Inputs(frozenset({"pyproject.toml"}))
    moved = inputs(tmp_path, "uv --directory pkg sync", {"pkg/pyproject.toml": PYPROJECT})
    assert moved == Inputs(frozenset({"pkg/pyproject.toml"}))


@pytest.mark.parametrize(
    "extra",
    ['[tool.uv.workspace]\nmembers = ["libs/*"]\n', '[tool.uv.sources]\nlib = { path = "libs/lib" }\n'],
)
def test_uv_workspaces_and_path_sources_are_undetermined(tmp_path: Path, extra: str) -> None:
    assert isinstance(inputs(tmp_path, "uv sync", {"pyproject.toml": PYPROJECT + extra}), Undetermined)


def test_uv_pip_reads_uv_configuration_only_when_present(tmp_path: Path) -> None:
    plain = inputs(tmp_path, "uv pip install -r r.txt", {"r.txt": "", "pyproject.toml": PYPROJECT})
    assert plain == Inputs(frozenset({"r.txt"}))
    configured = inputs(
        tmp_path, "uv pip install -r r.txt", {"pyproject.toml": PYPROJECT + "[tool.uv]\nindex-url = 'x'\n"}
    )
    assert configured == Inputs(frozenset({"r.txt", "pyproject.toml"}))


POETRY = '[tool.poetry]\nname = "a"\nreadme = "README.md"\n[tool.poetry.dependencies]\npython = "^3.12"\n'


def test_poetry_install_and_its_options(tmp_path: Path) -> None:
    files = {"pyproject.toml": POETRY, "poetry.lock": "", "poetry.toml": "", "README.md": ""}
    found = inputs(tmp_path, "poetry install --only main", files)
    assert isinstance(found, Inputs) and found.split == "--no-root" and "README.md" in found.files
    assert inputs(tmp_path, "poetry install --no-root", files) == Inputs(
        frozenset({"pyproject.toml", "poetry.lock", "poetry.toml"})
    )
    only_root = inputs(tmp_path, "poetry install --only-root", files)
    assert isinstance(only_root, Inputs) and not only_root.dependencies


def test_poetry_without_package_mode_and_with_path_dependencies(tmp_path: Path) -> None:
    files = {"pyproject.toml": POETRY.replace('readme = "README.md"\n', "package-mode = false\n")}
    assert inputs(tmp_path, "poetry install", files) == Inputs(frozenset({"pyproject.toml"}))
    path = {"pyproject.toml": POETRY + 'lib = { path = "libs/lib", develop = true }\n'}
    assert isinstance(inputs(tmp_path / "p", "poetry install --no-root", path), Undetermined)
    assert isinstance(inputs(tmp_path / "q", "poetry install --no-root --no-directory", path), Inputs)


def test_pdm_and_pipenv(tmp_path: Path) -> None:
    files = {"pyproject.toml": PYPROJECT + BUILD_SYSTEM, "pdm.lock": "", "README.md": ""}
    pdm = inputs(tmp_path, "pdm install --prod", files)
    assert isinstance(pdm, Inputs) and pdm.split == "--no-self"
    assert inputs(tmp_path, "pdm sync --no-self", files) == Inputs(frozenset({"pyproject.toml", "pdm.lock"}))
    pipfile = {"Pipfile": '[packages]\nflask = "*"\n', "Pipfile.lock": "{}"}
    assert inputs(tmp_path, "pipenv install --deploy --system", pipfile) == Inputs(
        frozenset({"Pipfile", "Pipfile.lock"})
    )
    editable = {"Pipfile": '[packages]\napp = {path = ".", editable = true}\n'}
    found = inputs(tmp_path / "e", "pipenv sync", editable)
    assert isinstance(found, Inputs) and found.project is not None and found.split is None


def test_toml_needs_tomllib_or_tomli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(python_inputs, "_toml_loads", lambda: None)
    found = inputs(tmp_path, "uv sync", {"pyproject.toml": PYPROJECT})
    assert isinstance(found, Undetermined) and "tomli" in found.reason


def test_which_calls_are_dependency_steps() -> None:
    assert names_requirement_files(call("pip install -r r.txt"))
    assert not names_requirement_files(call("pip install ."))
    assert reads_dependency_files(call("uv sync --no-install-project"))
    assert reads_dependency_files(call("poetry install --no-root"))
    assert not reads_dependency_files(call("pip install --upgrade pip"))
    assert not reads_dependency_files(call("pip config set global.timeout 60"))


# --------------------------------------------------------------------------- setup.py


def test_setup_py_literal_reads_and_find_packages() -> None:
    source = (
        "from setuptools import setup, find_packages\n"
        "exec(open('src/app/version.py').read())\n"
        "with open('README.md', encoding='utf-8') as f:\n    long_description = f.read()\n"
        "setup(packages=find_packages('src'), long_description=long_description)\n"
    )
    assert setup_py_reads(source) == SetupReads(
        frozenset({"src/app/version.py", "README.md"}), "setup.py calls find_packages()"
    )


def test_setup_py_paths_built_from_file() -> None:
    source = (
        "import io, os, pathlib\n"
        "here = os.path.abspath(os.path.dirname(__file__))\n"
        "root = pathlib.Path(__file__).resolve().parent\n"
        "io.open(os.path.join(here, 'CHANGES.rst'))\n"
        "(root / 'docs' / 'intro.md').read_text()\n"
        "pathlib.Path(f'{here}/VERSION').read_text()\n"
        "NAME = 'requirements.txt'\n"
        "open(NAME)\n"
        "open('/etc/os-release')\n"
    )
    reads = setup_py_reads(source)
    assert isinstance(reads, SetupReads)
    assert reads.files == {"CHANGES.rst", "docs/intro.md", "VERSION", "requirements.txt"}


def test_setup_py_helper_function_resolved_at_each_call_site() -> None:
    source = (
        "import os\n"
        "def read(fname):\n    return open(os.path.join(os.path.dirname(__file__), fname)).read()\n"
        "setup(long_description=read('README.md') + read(fname='HISTORY.md'))\n"
    )
    reads = setup_py_reads(source)
    assert isinstance(reads, SetupReads) and reads.files == {"README.md", "HISTORY.md"}


def test_setup_py_unknown_paths_and_bad_syntax_are_undetermined() -> None:
    unknown = setup_py_reads("import sys\nopen(sys.argv[1])\n")
    assert isinstance(unknown, Undetermined) and "open(sys.argv[1])" in unknown.reason
    assert isinstance(setup_py_reads("def (:\n"), Undetermined)


def test_setup_py_that_cannot_be_read_still_marks_the_project(tmp_path: Path) -> None:
    found = inputs(tmp_path, "pip install .", {"setup.py": "import sys\nopen(sys.argv[1])\nsetup()\n"})
    assert isinstance(found, Inputs) and found.project is not None and "cannot work out" in found.project


# --------------------------------------------------------------------------- .dockerignore

# moby/patternmatcher TestMatches (MatchesOrParentMatches), non-Windows cases.
MATCHES = [
    ("**", "file", True), ("**", "file/", True), ("**/", "file", True), ("**/", "file/", True),
    ("**", "dir/file", True), ("**/", "dir/file", True), ("**/**", "dir/file", True),
    ("dir/**", "dir/file", True), ("dir/**", "dir/dir2/file/", True), ("**/dir", "dir", True),
    ("**/dir", "dir/file", True), ("**/dir2/*", "dir/dir2/file", True), ("**/dir2/*", "dir/dir2/file/", True),
    ("**/dir2/**", "dir/dir2/dir3/file", True), ("**file", "file", True), ("**file", "dir/file", True),
    ("**/file", "dir/dir/file", True), ("**/file*", "dir/dir/file.txt", True),
    ("**/file*.txt*", "dir/dir/file.txt", True), ("**/**/*.txt", "dir/dir/file.txt", True),
    ("**/**/*.txt2", "dir/dir/file.txt", False), ("**/*.txt", "file.txt", True), ("a**/*.txt", "a/dir/file.txt", True),
    ("a/*.txt", "a/dir/file.txt", False), ("a/*.txt", "a/file.txt", True), ("a/*.txt**", "a/file.txt", True),
    ("a[b-d]e", "ae", False), ("a[b-d]e", "ace", True), ("a[^b-d]e", "aze", True), (".*", ".foo", True),
    (".*", "foo", False), ("abc.def", "abcdef", False), ("abc?def", "abcZdef", True), ("abc?def", "abcdef", False),
    ("**/foo/bar", "foo/bar", True), ("**/foo/bar", "dir/dir2/foo/bar", True), ("abc/**", "abc", False),
    ("abc/**", "abc/def/ghi", True), ("**/.foo", ".foo", True), ("**/.foo", "bar.foo", False),
    ("a(b)c/def", "a(b)c/def", True), ("a(b)c/def", "a(b)c/xyz", False), ("a.|)$(}+{bc", "a.|)$(}+{bc", True),
    ("dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", True), ("a\\\\", "a\\", True),
    ("a\\*b", "a*b", True),
]  # fmt: skip


@pytest.mark.parametrize(("pattern", "path", "excluded"), MATCHES)
def test_dockerignore_patterns_match_like_patternmatcher(pattern: str, path: str, excluded: bool) -> None:
    assert DockerIgnore.from_patterns([pattern]).excludes(path) is excluded


@pytest.mark.parametrize(
    ("patterns", "path", "excluded"),
    [
        (["**", "!util/docker/web"], "util/docker/web/foo", False),
        (["**", "!util/docker/web", "util/docker/web/foo"], "util/docker/web/foo", True),
        (["**", "!dist/*.whl"], "dist/a-1.0-py3-none-any.whl", False),
        (["docs", "!docs/README.md"], "docs/README.md", False),
        (["*.go", "!fileutils.go"], "fileutils.go", False),
        (["!fileutils.go", "*.go"], "fileutils.go", True),
    ],
)
def test_dockerignore_exceptions_last_match_wins(patterns: list[str], path: str, excluded: bool) -> None:
    assert DockerIgnore.from_patterns(patterns).excludes(path) is excluded


def test_dockerignore_file_syntax() -> None:
    ignore = DockerIgnore.parse("\ufeff# comment\n  /build/  \n !build/keep.txt\n\n#*.md\n./docs/../notes\n!\n")
    assert ignore.excludes("build/x") and not ignore.excludes("build/keep.txt")
    assert ignore.excludes("notes/a") and not ignore.excludes("README.md")
    assert not ignore.excludes("src/build/x")  # patterns start at the context root


def test_dockerfile_specific_ignore_file_wins(tmp_path: Path) -> None:
    (tmp_path / ".dockerignore").write_text("a.txt\n")
    assert DockerIgnore.load(tmp_path, "Dockerfile").excludes("a.txt")
    (tmp_path / "prod.Dockerfile.dockerignore").write_text("b.txt\n")
    specific = DockerIgnore.load(tmp_path, "docker/prod.Dockerfile")
    assert specific.excludes("b.txt") and not specific.excludes("a.txt")
    assert DockerIgnore.load(tmp_path / "missing").patterns == ()


def test_build_context_finds_unignored_virtual_environments(tmp_path: Path) -> None:
    build = context(tmp_path, {".venv/pyvenv.cfg": "", "env/pyvenv.cfg": "", "src/a.py": ""}, ignore="env\n")
    assert build.virtual_environments() == [".venv"]
