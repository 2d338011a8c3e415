"""A poetry cache mount in the wrong place (DFX101), proven in a real builder.

As in test_uv_cache.py for uv: a project whose poetry cache mount does not work, the fix
the real dockerfix writes for it (`python -m fixer --write --unsafe-fixes`, on a copy),
and two builds of each, original and fixed, with `--layers=false` and a fresh TMPDIR each
(cold cache mounts). What counts is what the local index served:

- every first build is served every wheel of the lock file (the cache starts empty);
- the original's second build is served every wheel again (poetry's cache was in the layer);
- the fixed second build is served none: poetry takes them from the mount.

poetry itself is not served by the index: scripts/e2e-setup downloads the wheels of
tests/e2e/poetry.txt (poetry 2.5.1 and its dependencies) into `.cache/e2e/poetry`, each
context gets a copy, and the Dockerfile installs poetry with the image's pip. The project
is a `pyproject.toml` whose only source is the local index and a `poetry.lock` locked by
that poetry against it (`poetry_lock`: the index's port changes every session, and the
lock names the source's URL). The counts go to `.cache/e2e/results/poetry_cache.json`
(and `.txt`) and to pytest's terminal summary.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .builder import Builder, BuildResult
from .conftest import PackageIndex, pinned, record_results
from .test_cache_rules import (
    REQUIREMENTS,
    assert_buildah_1_28_accepts,
    dockerfix,
    fixed_by_dockerfix,
    reported_codes,
    write_context,
)

(POETRY,) = [pin for pin in pinned("poetry") if pin.startswith("poetry==")]
# poetry into the image: its pinned wheels from the build context, installed by the image's pip.
INSTALL_POETRY = (
    "COPY poetry-wheels /tmp/poetry-wheels\n"
    f"RUN pip install --no-index --find-links=/tmp/poetry-wheels --no-compile {POETRY}\n"
)
DOCKERFILE = f"""\
FROM debian:bookworm
{INSTALL_POETRY}WORKDIR /app
ENV HOME=/app \\
    POETRY_VIRTUALENVS_IN_PROJECT=true
COPY pyproject.toml poetry.lock ./
RUN --mount=type=cache,target=/root/.cache/pypoetry \\
    poetry install --no-root
"""
WHY = "ENV HOME=/app: poetry caches in /app/.cache/pypoetry, in the layer; DFX101 moves the mount there"
# Between these lines, the lock build prints the poetry.lock it wrote.
LOCK_BEGIN, LOCK_END = "@@poetry.lock", "@@end"


def pyproject(index_url: str) -> str:
    """The project: test_cache_rules' requirements, from the local index alone."""
    dependencies = ", ".join(f'"{line}"' for line in REQUIREMENTS.split())
    return f"""\
[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = [{dependencies}]

[tool.poetry]
package-mode = false

[[tool.poetry.source]]
name = "local"
url = "{index_url}"
priority = "primary"
"""


def poetry_context(directory: Path, dockerfile: str, wheels: Path, files: dict[str, str]) -> Path:
    """A build context as test_cache_rules writes it, plus poetry's wheels and the project's `files`."""
    context = write_context(directory, dockerfile)
    shutil.copytree(wheels, context / "poetry-wheels")
    for name, text in files.items():
        (context / name).write_text(text)
    return context


@pytest.fixture(scope="module")
def poetry_wheels(e2e_prerequisites: None, e2e_cache: Path) -> Path:
    """The wheels scripts/e2e-setup downloaded (their absence skips or fails earlier)."""
    return e2e_cache / "poetry"


@pytest.fixture(scope="module")
def poetry_project(
    poetry_wheels: Path, package_index: PackageIndex, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """pyproject.toml and the poetry.lock that the image's poetry writes for it, in a build."""
    files = {"pyproject.toml": pyproject(package_index.url)}
    dockerfile = (
        f"FROM debian:bookworm\n{INSTALL_POETRY}WORKDIR /app\nCOPY pyproject.toml ./\n"
        f"RUN poetry lock && echo {LOCK_BEGIN} && cat poetry.lock && echo {LOCK_END}\n"
    )
    context = poetry_context(tmp_path_factory.mktemp("poetry-lock") / "ctx", dockerfile, poetry_wheels, files)
    builder = Builder(tmp_path_factory.mktemp("buildah"), package_index)
    try:
        output = builder.build_ok(context).output
    finally:
        builder.cleanup()
    lines = output.splitlines()
    lock = lines[lines.index(LOCK_BEGIN) + 1 : lines.index(LOCK_END)]
    return files | {"poetry.lock": "\n".join(lock) + "\n"}


# ----------------------------------------------------------------------------- results
_ROWS: list[dict[str, Any]] = []


@pytest.fixture(scope="module", autouse=True)
def results_table() -> Iterator[None]:
    yield
    if _ROWS:
        record_results("poetry_cache", "e2e poetry cache rules: second builds, original vs fixed", _ROWS,
                       format_table(_ROWS))  # fmt: skip


def format_table(rows: list[dict[str, Any]]) -> str:
    header = f"{'scenario':34} {'rules':8} {'original':10} {'fixed':10}"
    lines = [header, "-" * len(header)]
    for row in rows:
        cells = [_cell(row["second_builds"][name]) for name in ("original", "fixed")]
        lines.append(f"{row['scenario']:34} {','.join(row['rules']):8} {cells[0]:10} {cells[1]:10}")
    lines.append("Each cell: the second build's wheel files the index served / poetry's installs. * = --unsafe-fixes.")
    return "\n".join(lines)


def _cell(summary: dict[str, Any]) -> str:
    if summary["returncode"] != 0:
        return f"fails (exit {summary['returncode']})"
    return f"{summary['wheels_served']} / {summary['installs']}"


# ------------------------------------------------------------------------------- tests
def test_fix_makes_the_poetry_cache_mount_work(
    builder: Builder, package_index: PackageIndex, poetry_wheels: Path, poetry_project: dict[str, str], tmp_path: Path
) -> None:
    wheels = sorted(package_index.files)
    variants = ("original", "fixed")
    contexts = {name: poetry_context(tmp_path / name, DOCKERFILE, poetry_wheels, poetry_project) for name in variants}
    applied = dockerfix("--unsafe-fixes", "Dockerfile", cwd=contexts["fixed"]).stdout
    report, fixed = fixed_by_dockerfix(contexts["fixed"], unsafe=True)
    assert reported_codes(applied) == {"DFX101": "[*]"}, applied
    assert reported_codes(report) == {"DFX101": "[unsafe]"}, report
    assert "target=/app/.cache/pypoetry" in fixed, fixed
    dockerfiles = {"original": DOCKERFILE, "fixed": fixed}

    builds: dict[str, list[BuildResult]] = {}
    for name, context in contexts.items():
        builder.fresh_tmpdir()  # cold cache mounts: the variants share nothing
        builds[name] = [builder.build(context) for _ in range(2)]
    _ROWS.append({
        "scenario": "poetry-env-home-root-mount",
        "rules": ["DFX101*"],
        "why": WHY,
        "dockerfiles": dockerfiles,
        "first_builds": {name: results[0].poetry_summary() for name, results in builds.items()},
        "second_builds": {name: results[1].poetry_summary() for name, results in builds.items()},
    })  # fmt: skip

    for name, (first, second) in builds.items():
        show = f"\n--- {name} Dockerfile:\n{dockerfiles[name]}--- build output:\n"
        for result in (first, second):
            assert result.ok, show + result.output
            assert result.poetry_installs == len(wheels), show + result.output
        assert sorted(first.index_downloads) == wheels, "a first build must be served every wheel" + show + first.output
        served = wheels if name == "original" else []
        assert sorted(second.index_downloads) == served, f"the {name} rebuild" + show + second.output


def test_poetry_dockerfile_avoids_what_buildah_1_28_rejects() -> None:
    assert_buildah_1_28_accepts(DOCKERFILE)
