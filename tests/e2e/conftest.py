"""Fixtures for the end-to-end tests: a local package index and a buildah builder.

Every test in this folder is marked `e2e`. The fixtures need what `scripts/e2e-setup`
prepares: buildah, root, the local base image `docker.io/library/debian:bookworm`, the
pinned wheels in `<repo>/.cache/e2e/wheels`, the pinned tools (uv) in
`<repo>/.cache/e2e/tools` and poetry's wheels in `<repo>/.cache/e2e/poetry`. Without them a test that uses a fixture is
skipped with the reason, except when `CI=true` and `DOCKERFIX_E2E=required` (what
`.ci/run` sets after a successful setup): then it fails, so CI cannot pass by skipping.

- `package_index` (session): a PEP 503 index on 127.0.0.1 over the wheels; `.url`
  (`http://127.0.0.1:PORT/simple`), `.host`, `.requests` (downloads per file name),
  `.packages` (the pinned `name==version` strings it serves).
- `builder` (per test): `build(context, dockerfile="Dockerfile", *, layers=False,
  tag=None, build_args=None) -> BuildResult(returncode, output)`, `build_ok(...)`
  (asserts success), `fresh_tmpdir()` (cold cache mounts for the following builds).
- `e2e_cache`: the work directory (`<repo>/.cache/e2e`, or `$E2E_CACHE`).
- `record_results(stem, title, rows, text)`: a test module's table, kept in
  `.cache/e2e/results/<stem>.json` and `.txt` and printed in pytest's terminal summary.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import summary_tables

from .builder import BASE_IMAGE, Builder
from .index_server import IndexServer, normalize

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SETUP = "scripts/e2e-setup"


def e2e_cache_dir() -> Path:
    return Path(os.environ.get("E2E_CACHE") or REPO / ".cache" / "e2e")


# What scripts/e2e-setup downloads, by list: the index's pure-Python wheels, and the tools
# and poetry's wheels the tests copy into build contexts (never served by the index, so
# never counted).
PINNED = {"wheels": "wheels.txt", "tools": "tools.txt", "poetry": "poetry.txt"}


def pinned(kind: str) -> list[str]:
    """The `name==version` lines of tests/e2e/wheels.txt, tools.txt or poetry.txt (`kind`: a PINNED key)."""
    lines = (HERE / PINNED[kind]).read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def wheel_file(wheel_dir: Path, requirement: str) -> Path | None:
    """The wheel of `name==version` in `wheel_dir`, if scripts/e2e-setup downloaded it."""
    name, version = requirement.split("==")
    for path in wheel_dir.glob("*.whl"):
        parts = path.name.split("-")
        if normalize(parts[0]) == normalize(name) and parts[1] == version:
            return path
    return None


def missing_prerequisites() -> list[str]:
    """What the e2e fixtures need and this machine lacks, one phrase each."""
    missing = []
    if shutil.which("buildah") is None:
        missing.append("buildah is not installed")
    if os.geteuid() != 0:
        missing.append("not running as root (buildah --isolation chroot needs root)")
    if not missing:
        found = subprocess.run(
            ["buildah", "inspect", "--type", "image", "--format", "{{.FromImageID}}", BASE_IMAGE],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if found.returncode != 0:
            missing.append(f"the base image {BASE_IMAGE} is not in buildah's store")
    for kind in PINNED:
        directory = e2e_cache_dir() / kind
        absent = [r for r in pinned(kind) if wheel_file(directory, r) is None]
        if absent:
            missing.append(f"{kind} missing in {directory}: {', '.join(absent)}")
    return missing


def e2e_required() -> bool:
    return os.environ.get("CI") == "true" and os.environ.get("DOCKERFIX_E2E") == "required"


# ------------------------------------------------------------------------------ marking
@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own, which reads the group into the test's id
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark this folder's tests `e2e`, and keep them in one pytest-xdist group: one
    process runs the builds one after another (they share the builder's storage and the
    machine's cores) while the other processes run the rest of the suite."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.xdist_group("e2e"))


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="session")
def e2e_prerequisites() -> None:
    """Skip (or, when CI requires the e2e tests, fail) without what scripts/e2e-setup prepares."""
    missing = missing_prerequisites()
    if not missing:
        return
    message = f"e2e prerequisites missing: {'; '.join(missing)}. Run `sudo {SETUP}` (see docs/e2e.md)."
    if e2e_required():
        pytest.fail(message + " CI=true and DOCKERFIX_E2E=required: the e2e tests may not be skipped.")
    pytest.skip(message)


@pytest.fixture(scope="session")
def e2e_cache() -> Path:
    path = e2e_cache_dir()
    path.mkdir(parents=True, exist_ok=True)
    return path


class PackageIndex(IndexServer):
    """The index server, with the pinned requirement strings it serves."""

    def __init__(self, wheel_dir: Path, packages: list[str]) -> None:
        super().__init__(wheel_dir)
        self.packages = packages


@pytest.fixture(scope="session")
def package_index(e2e_prerequisites: None, e2e_cache: Path) -> Iterator[PackageIndex]:
    index = PackageIndex(e2e_cache / "wheels", pinned("wheels"))
    try:
        yield index
    finally:
        index.close()


@pytest.fixture
def builder(
    e2e_prerequisites: None, package_index: PackageIndex, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Builder]:
    # Not under the test's tmp_path: that is where tests write build contexts, and buildah
    # must not find its own cache directory inside a context it sends.
    workdir = tmp_path_factory.mktemp("buildah")
    built = Builder(workdir, package_index)
    try:
        yield built
    finally:
        built.cleanup()


# ----------------------------------------------------------------------------- reports
def add_report(title: str, text: str) -> None:
    """A table to print in pytest's terminal summary (it is also kept in files by callers)."""
    summary_tables.TABLES.append((title, text))


def record_results(stem: str, title: str, rows: list[dict[str, object]], text: str) -> None:
    """Keep a module's measurements where a person reads them after the run, and show them."""
    results = e2e_cache_dir() / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / f"{stem}.json").write_text(json.dumps(rows, indent=2) + "\n")
    (results / f"{stem}.txt").write_text(text + "\n")
    add_report(title, text)
