"""The cache rules for uv (DFX101, DFX102, DFX104, DFX106), proven in a real builder.

As in test_cache_rules.py, for pip: for each scenario a realistic Dockerfile whose uv
cache mount does not work (or works badly), the fix the real dockerfix writes for it
(`python -m fixer --write --unsafe-fixes`, on a copy), and two builds of each, original and
fixed, with `--layers=false` and a fresh TMPDIR each (cold cache mounts). uv reaches the
local index through `ARG UV_DEFAULT_INDEX` (`--build-arg UV_DEFAULT_INDEX=<index>/simple`:
uv needs no trailing slash). What counts is what the index served and what uv printed:

- every first build that gets as far as uv is served every wheel (the cache starts empty);
- the original's second build is served every wheel again where uv's cache stayed in the
  layer, fails where uv cannot write its cache, and warns where uv cannot hard-link from
  the mount (it copies instead);
- every fixed build succeeds without uv's hard-link warning, and the fixed second build is
  served no wheel and prepares nothing: uv takes every package from the mount.

uv itself is not served by the index (it is a platform wheel, and the index's counts are
the requirements'): scripts/e2e-setup downloads the pinned wheel of tests/e2e/tools.txt
into `.cache/e2e/tools`, each context gets a copy, and the Dockerfile installs it with the
image's pip (INSTALL_UV). Note that uv fetches each wheel twice in a cold build (once for its
metadata, the index taking no range requests, once to install it), hence `wheels_served`
(distinct files) besides `file_responses` in the results.

The counts of every build go to `.cache/e2e/results/uv_cache.json` (and `.txt`) and to
pytest's terminal summary.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from .builder import Builder, BuildResult
from .conftest import PackageIndex, pinned, record_results, wheel_file
from .test_cache_rules import (
    assert_analysed_alike_without,
    assert_buildah_1_28_accepts,
    dockerfix,
    fixed_by_dockerfix,
    reported_codes,
    write_context,
)

# What the Dockerfiles declare so that the builder's --build-arg reaches uv.
UV_INDEX_ARG = "ARG UV_DEFAULT_INDEX\n"
# uv into the image: the pinned wheel from the build context, installed by the image's pip.
INSTALL_UV = "COPY uv-*.whl /tmp/\nRUN pip install /tmp/uv-*.whl\n"
HEAD = f"FROM debian:bookworm\n{UV_INDEX_ARG}{INSTALL_UV}"
# A non-root user with a virtual environment of its own, made by uv.
APP_VENV = """\
RUN useradd -m -u 1000 app
USER app
WORKDIR /home/app
RUN uv venv /home/app/venv
ENV VIRTUAL_ENV=/home/app/venv
COPY requirements.txt .
"""


@dataclass(frozen=True)
class UvScenario:
    id: str
    rules: tuple[str, ...]  # reported on the original with --unsafe-fixes, each fix applied
    dockerfile: str
    why: str
    unsafe: tuple[str, ...] = ()  # of those, the rules whose fix needs --unsafe-fixes
    rebuild_served: bool = True  # the original's second build is served every wheel again
    fails_with: str = ""  # the original fails: a regular expression for uv's error
    hardlink_fallback: bool = False  # the original's uv warns that it copies from the mount


SCENARIOS = [
    UvScenario(
        "uv-user-root-mount",
        ("DFX101", "DFX102", "DFX106"),
        f"""\
{HEAD}{APP_VENV}RUN --mount=type=cache,target=/root/.cache/uv \\
    uv pip install -r requirements.txt
""",
        why="USER app: uv caches in /home/app/.cache/uv, in the layer; DFX101 moves the mount there with "
        "uid/gid 1000, DFX102 adds --cache-dir, DFX106 --link-mode=copy",
        unsafe=("DFX101",),
    ),
    UvScenario(
        "uv-root-owned-home-mount",
        ("DFX104", "DFX102", "DFX106"),
        f"""\
{HEAD}{APP_VENV}RUN --mount=type=cache,target=/home/app/.cache/uv \\
    uv pip install -r requirements.txt
""",
        why="the mount is root's (0755): app cannot write it and uv stops; DFX104 gives it uid/gid 1000",
        fails_with=r'^error: Could not acquire lock\n  cause: Could not create temporary file\n'
        r'  cause: Permission denied \(os error 13\) at path "/home/app/\.cache/uv/\.tmp\w+"$',
    ),
    UvScenario(
        "uv-hardlink-fallback",
        ("DFX106",),
        f"""\
{HEAD}WORKDIR /app
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/uv \\
    uv pip install --system -r requirements.txt
""",
        why="root, the mount where uv caches: cached, but uv cannot hard-link across filesystems and warns; "
        "DFX106 adds --link-mode=copy",
        rebuild_served=False,
        hardlink_fallback=True,
    ),
    UvScenario(
        "uv-under-pip-mount",
        ("DFX101", "DFX106"),
        f"""\
{HEAD}WORKDIR /app
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip \\
    uv pip install --system -r requirements.txt
""",
        why="a pip cache mount over a uv install: uv caches in /root/.cache/uv, in the layer; DFX101 moves "
        "the mount there",
        unsafe=("DFX101",),
    ),
]


@pytest.fixture(scope="module")
def uv_wheel(e2e_prerequisites: None, e2e_cache: Path) -> Path:
    """The pinned uv wheel that scripts/e2e-setup downloaded (its absence skips or fails earlier)."""
    (requirement,) = [r for r in pinned("tools") if r.startswith("uv==")]
    found = wheel_file(e2e_cache / "tools", requirement)
    assert found is not None, f"{requirement} is not in {e2e_cache / 'tools'}"
    return found


def uv_context(directory: Path, dockerfile: str, uv: Path) -> Path:
    """A build context as test_cache_rules writes it, plus the uv wheel that INSTALL_UV copies."""
    context = write_context(directory, dockerfile)
    shutil.copy(uv, context / uv.name)
    return context


# ----------------------------------------------------------------------------- results
_ROWS: list[dict[str, object]] = []


@pytest.fixture(scope="module", autouse=True)
def results_table() -> Iterator[None]:
    yield
    if _ROWS:
        record_results("uv_cache", "e2e uv cache rules: second builds, original vs fixed", _ROWS, format_table(_ROWS))


def format_table(rows: list[dict[str, object]]) -> str:
    header = f"{'scenario':26} {'rules':22} {'original':18} {'fixed':18}"
    lines = [header, "-" * len(header)]
    for row in rows:
        builds = row["second_builds"]
        cells = [_cell(builds[name]) for name in ("original", "fixed")]  # type: ignore[index]
        rules = _marked(row["rules"], row["unsafe"])  # type: ignore[arg-type]
        lines.append(f"{row['scenario']:26} {rules:22} {cells[0]:18} {cells[1]:18}")
    lines.append(
        "Each cell: the second build's wheel files the index served / uv's `Prepared` count / its `Installed`"
        " count / its hard-link fallback warning; `fails` = the build failed (uv's error is in the json)."
        " * = the rule's fix needs --unsafe-fixes."
    )
    return "\n".join(lines)


def _marked(rules: list[str], unsafe: list[str]) -> str:
    return ",".join(code + ("*" if code in unsafe else "") for code in rules)


def _cell(summary: dict[str, object]) -> str:
    if summary["returncode"] != 0:
        return f"fails (exit {summary['returncode']})"
    warn = "warn" if summary["hardlink_fallback_warning"] else "-"
    return f"{summary['wheels_served']}/{summary['prepared']}/{summary['installed']}/{warn}"


# ------------------------------------------------------------------------------- tests
def _assert_original(scenario: UvScenario, builds: list[BuildResult], wheels: list[str], show: str) -> None:
    if scenario.fails_with:
        for result in builds:
            assert not result.ok, "the original should fail" + show + result.output
            assert re.fullmatch(scenario.fails_with, result.uv_error), "uv's error" + show + result.output
            assert result.index_downloads == {}, show + result.output
        return
    first, second = builds
    for result in builds:
        assert result.ok, show + result.output
        warned = result.uv_hardlink_fallback
        assert warned == scenario.hardlink_fallback, "uv's hard-link warning" + show + result.output
    assert sorted(first.index_downloads) == wheels, "a first build must be served every wheel" + show + first.output
    served = wheels if scenario.rebuild_served else []
    assert sorted(second.index_downloads) == served, "the original's rebuild" + show + second.output
    assert second.uv_prepared == len(served), show + second.output


def _assert_fixed(builds: list[BuildResult], wheels: list[str], show: str) -> None:
    first, second = builds
    for result in builds:
        assert result.ok, show + result.output
        assert result.uv_installed == len(wheels), show + result.output
        assert not result.uv_hardlink_fallback, "uv warned that it could not hard-link" + show + result.output
    assert sorted(first.index_downloads) == wheels, "a first build must be served every wheel" + show + first.output
    assert first.uv_prepared == len(wheels), show + first.output
    assert second.index_downloads == {}, f"the fixed rebuild was served {second.index_downloads}" + show + second.output
    assert second.uv_prepared == 0, "the fixed rebuild prepared packages: not from the cache" + show + second.output


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_fix_makes_the_uv_cache_mount_work(
    scenario: UvScenario, builder: Builder, package_index: PackageIndex, uv_wheel: Path, tmp_path: Path
) -> None:
    wheels = sorted(package_index.files)
    contexts = {name: uv_context(tmp_path / name, scenario.dockerfile, uv_wheel) for name in ("original", "fixed")}
    # With --unsafe-fixes every fix that --write applies is reported, also those an earlier
    # fix reveals; without, the markers say which fixes are safe.
    applied = dockerfix("--unsafe-fixes", "Dockerfile", cwd=contexts["fixed"]).stdout
    report, fixed = fixed_by_dockerfix(contexts["fixed"], unsafe=True)
    variants = {"original": scenario.dockerfile, "fixed": fixed}
    codes, safety = reported_codes(applied), reported_codes(report)
    assert {code: codes.get(code) for code in scenario.rules} == dict.fromkeys(scenario.rules, "[*]"), applied
    assert {code: safety.get(code) for code in scenario.unsafe} == dict.fromkeys(scenario.unsafe, "[unsafe]"), report
    assert fixed != scenario.dockerfile, f"dockerfix changed nothing:\n{applied}"

    builds: dict[str, list[BuildResult]] = {}
    for name, context in contexts.items():
        builder.fresh_tmpdir()  # cold cache mounts: the variants share nothing
        builds[name] = [builder.build(context, build_args={"UV_DEFAULT_INDEX": package_index.url}) for _ in range(2)]

    _ROWS.append({
        "scenario": scenario.id,
        "rules": list(scenario.rules),
        "unsafe": list(scenario.unsafe),
        "reported": codes,
        "reported_without_unsafe_fixes": safety,
        "why": scenario.why,
        "dockerfiles": variants,
        "first_builds": {name: results[0].uv_summary() for name, results in builds.items()},
        "second_builds": {name: results[1].uv_summary() for name, results in builds.items()},
    })  # fmt: skip

    for name, results in builds.items():
        show = f"\n--- {name} Dockerfile:\n{variants[name]}--- build output:\n"
        if name == "original":
            _assert_original(scenario, results, wheels, show)
        else:
            _assert_fixed(results, wheels, show)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_the_uv_index_build_arg_does_not_change_the_analysis(scenario: UvScenario, tmp_path: Path) -> None:
    """`ARG UV_DEFAULT_INDEX` (how uv reaches the local index) changes nothing dockerfix decides."""
    assert_analysed_alike_without(UV_INDEX_ARG, scenario.dockerfile, tmp_path, unsafe=True)


def test_uv_scenario_dockerfiles_avoid_what_buildah_1_28_rejects() -> None:
    for scenario in SCENARIOS:
        assert_buildah_1_28_accepts(scenario.dockerfile)
