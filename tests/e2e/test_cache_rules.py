"""The cache rules (DFX101-DFX104), proven in a real builder.

For each scenario: a realistic Dockerfile whose pip cache mount does not work, the fix
the real dockerfix writes for it (`python -m fixer --write`, on a copy), and two builds
of each, original and fixed, with `--layers=false` (every RUN runs again; cache mounts
persist in the builder's TMPDIR) and a fresh TMPDIR for each of the two, so they share
no cache. What counts is what the builder printed and what the local index served:

- the first build of each downloads every wheel (the cache mounts start empty);
- the original's second build downloads every wheel again (the mount did not help), and
  where the scenario is about a cache pip cannot use, pip says the cache is disabled;
- the fixed second build prints `Using cached` for every wheel, no `Downloading`
  line, no warning, and the index serves it no wheel.

The counts of every second build go to `.cache/e2e/results/cache_rules.json` (and
`.txt`) and to pytest's terminal summary.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .builder import Builder, BuildResult
from .conftest import PackageIndex, record_results

# Two top-level requirements; the index serves them and their five dependencies.
REQUIREMENTS = "requests==2.32.3\npython-dateutil==2.9.0.post0\n"
# What the test Dockerfiles declare so that the builder's --build-arg reach pip.
INDEX_ARGS = "ARG PIP_INDEX_URL\nARG PIP_TRUSTED_HOST\n"
# Where a scenario's private base image (`Scenario.base`) is tagged: its own name.
PRIVATE_BASE = "localhost/dockerfix-e2e/{}:1"


@dataclass(frozen=True)
class Scenario:
    id: str
    rules: tuple[str, ...]  # reported on the original, each with a fix that is applied
    dockerfile: str
    unsafe: bool = False  # the fix needs --unsafe-fixes
    warns: bool = False  # the original's pip warns that its cache is disabled
    build_args: dict[str, str] = field(default_factory=dict)
    why: str = ""
    # The rules whose fixes alone must make the mount work (`--select`); default: `rules`
    # with a fix. The full run may add other rules' edits (say DFX102's --cache-dir).
    only: tuple[str, ...] = ()
    # A private base image's Dockerfile, built first and tagged as the scenario's FROM
    # names it (PRIVATE_BASE): an image dockerfix knows nothing of, whose USER and HOME
    # it cannot read.
    base: str = ""


SCENARIOS = [
    Scenario(
        "env-home-root-mount",
        ("DFX101",),
        f"""\
FROM debian:bookworm
{INDEX_ARGS}WORKDIR /app
ENV HOME=/app
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip \\
    pip install -r requirements.txt
COPY . .
""",
        why="ENV HOME=/app: pip caches in /app/.cache/pip, in the layer",
    ),
    Scenario(
        "useradd-user-root-mount",
        ("DFX101",),
        f"""\
FROM debian:bookworm
{INDEX_ARGS}RUN useradd -m -u 1000 app
USER app
WORKDIR /home/app
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip \\
    pip install --user -r requirements.txt
""",
        why="USER app: pip caches in /home/app/.cache/pip; DFX101 moves the mount there and gives it uid/gid 1000",
    ),
    Scenario(
        "useradd-user-root-mount-with-uid",
        ("DFX101",),
        f"""\
FROM debian:bookworm
{INDEX_ARGS}RUN useradd -m -u 1000 app
USER app
WORKDIR /home/app
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip,uid=1000,gid=1000 \\
    pip install --user -r requirements.txt
""",
        why="USER app, a mount already given to uid 1000 but at root's cache: a safe move",
    ),
    Scenario(
        "uid-not-in-passwd-root-mount",
        ("DFX101",),
        f"""\
FROM debian:bookworm
{INDEX_ARGS}RUN python3 -m venv /opt/venv && chown -R 1234:1234 /opt/venv
ENV PATH=/opt/venv/bin:$PATH
USER 1234:1234
COPY requirements.txt /tmp/
RUN --mount=type=cache,target=/root/.cache/pip \\
    pip install -r /tmp/requirements.txt
""",
        unsafe=True,
        warns=True,
        why="USER 1234 (not in passwd): HOME=/; DFX101 moves the mount to /.cache/pip and gives it uid/gid 1234",
    ),
    Scenario(
        "nonroot-mount-without-uid",
        ("DFX104",),
        f"""\
FROM debian:bookworm
{INDEX_ARGS}RUN useradd -m -u 1000 app
USER app
WORKDIR /home/app
COPY requirements.txt .
RUN --mount=type=cache,target=/home/app/.cache/pip \\
    pip install --user -r requirements.txt
""",
        warns=True,
        why="the mount is root's (0755): app cannot write it, pip disables its cache",
    ),
    Scenario(
        "no-cache-dir-under-mount",
        ("DFX103",),
        f"""\
FROM debian:bookworm
{INDEX_ARGS}WORKDIR /app
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip \\
    pip install --no-cache-dir -r requirements.txt
""",
        why="--no-cache-dir: pip neither reads nor writes the mount",
    ),
    Scenario(
        "inherited-pip-no-cache-dir",
        ("DFX102",),
        f"""\
FROM debian:bookworm AS base
ENV PIP_NO_CACHE_DIR=1 \\
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

FROM base AS build
{INDEX_ARGS}COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip \\
    pip install -r requirements.txt
""",
        why="PIP_NO_CACHE_DIR=1 from the parent stage: one finding, DFX102's, which adds --cache-dir",
    ),
    Scenario(
        "inherited-pip-no-cache-dir-off",
        ("DFX102",),
        f"""\
FROM debian:bookworm AS base
ENV PIP_NO_CACHE_DIR=off
WORKDIR /app

FROM base AS build
{INDEX_ARGS}COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip \\
    pip install -r requirements.txt
""",
        why="PIP_NO_CACHE_DIR=off disables the cache too (pip's _handle_no_cache_dir)",
    ),
    Scenario(
        "home-variable-in-target",
        ("DFX101",),
        f"""\
FROM debian:bookworm
{INDEX_ARGS}WORKDIR /app
COPY requirements.txt .
RUN --mount=type=cache,target=$HOME/.cache/pip \\
    pip install -r requirements.txt
""",
        why="no ENV HOME: $HOME in the mount expands to '', the mount is /.cache/pip; pip uses /root/.cache/pip",
    ),
    Scenario(
        "home-variable-in-target-nonroot",
        ("DFX101",),
        f"""\
FROM debian:bookworm
{INDEX_ARGS}RUN useradd -m -u 1000 app
USER app
WORKDIR /home/app
COPY requirements.txt .
RUN --mount=type=cache,target=${{HOME}}/.cache/pip,uid=1000,gid=1000 \\
    pip install --user -r requirements.txt
""",
        why="USER app, no ENV HOME: the mount is /.cache/pip; pip uses /home/app/.cache/pip",
    ),
    Scenario(
        "pip-config-no-cache-dir",
        ("DFX102",),
        f"""\
FROM debian:bookworm
{INDEX_ARGS}RUN printf '[global]\\nno-cache-dir = true\\n' > /etc/pip.conf
WORKDIR /app
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip \\
    pip install -r requirements.txt
""",
        why="no-cache-dir in /etc/pip.conf: only a command-line --cache-dir overrides it (DFX102)",
    ),
    Scenario(
        "home-from-build-arg",
        ("DFX102",),
        f"""\
FROM debian:bookworm
{INDEX_ARGS}ARG APP_HOME=/app
ENV HOME=${{APP_HOME}}
WORKDIR ${{APP_HOME}}
COPY requirements.txt .
RUN --mount=type=cache,target=/app/.cache/pip \\
    pip install -r requirements.txt
""",
        build_args={"APP_HOME": "/srv"},
        why="HOME from a build argument: built with --build-arg APP_HOME=/srv, pip leaves /app/.cache/pip",
    ),
    Scenario(
        "no-cache-dir-and-env-home",
        ("DFX101", "DFX103"),
        f"""\
FROM debian:bookworm
{INDEX_ARGS}WORKDIR /app
ENV HOME=/app
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip \\
    pip install --no-cache-dir -r requirements.txt
""",
        why="switched off and misplaced at once: DFX101 moves the mount, then DFX103 removes the switch",
    ),
    Scenario(
        "parent-cache-mount-nonroot",
        ("DFX101",),
        f"""\
FROM debian:bookworm
{INDEX_ARGS}RUN useradd -m -u 1000 user
USER user
WORKDIR /home/user
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache \\
    pip install --user -r requirements.txt
""",
        why="a /root/.cache mount for a non-root user: misplaced and root-owned, moved and given to the user",
    ),
    Scenario(
        "uid-from-build-arg",
        ("DFX104",),
        f"""\
FROM debian:bookworm
{INDEX_ARGS}ARG UID=1000
RUN useradd -m -u ${{UID}} app
USER app
WORKDIR /home/app
COPY requirements.txt .
RUN --mount=type=cache,target=/home/app/.cache/pip \\
    pip install --user -r requirements.txt
""",
        build_args={"UID": "1234"},
        warns=True,
        why="the fix writes uid=${UID}: built with --build-arg UID=1234, the mount still belongs to app",
    ),
    Scenario(
        "home-arg-target-follows",
        ("DFX101",),
        f"""\
FROM debian:bookworm
{INDEX_ARGS}ARG HOME=/build
WORKDIR /build
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip \\
    pip install -r requirements.txt
""",
        build_args={"HOME": "/other"},
        why="the fix writes target=${HOME}/.cache/pip: built with --build-arg HOME=/other, the mount follows pip",
    ),
    Scenario(
        "home-dir-from-build-arg",
        ("DFX101",),
        f"""\
FROM debian:bookworm
{INDEX_ARGS}ARG APP_HOME=/srv/app
RUN useradd --create-home --home-dir "$APP_HOME" --uid 1000 app
USER app
WORKDIR $APP_HOME
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip \\
    pip install --user -r requirements.txt
""",
        build_args={"APP_HOME": "/opt/other"},
        why="the user's home follows ARG APP_HOME, its ids do not: the fix writes target=${APP_HOME}/.cache/pip "
        "with uid=1000,gid=1000; built with --build-arg APP_HOME=/opt/other",
    ),
    Scenario(
        "private-base-nonroot-root-mount",
        ("DFX104",),
        f"""\
FROM {PRIVATE_BASE.format("worker-base")}
{INDEX_ARGS}RUN useradd --create-home --uid 1000 worker
USER worker
WORKDIR /home/worker/app
COPY --chown=worker requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip \\
    pip install --user -r requirements.txt
""",
        base="FROM debian:bookworm\nENV PYTHONDONTWRITEBYTECODE=1\n",
        unsafe=True,
        why="a base image dockerfix cannot read (HOME unknown): the /root mount is closed to worker wherever pip "
        "caches; moved to worker's home's cache and given to worker",
    ),
    Scenario(
        "private-base-uid-root-owned-mount",
        ("DFX104",),
        f"""\
FROM {PRIVATE_BASE.format("app-base")}
{INDEX_ARGS}USER 1001
WORKDIR /home/app
COPY requirements.txt .
RUN --mount=type=cache,target=/home/app/.cache/pip,sharing=locked \\
    pip install --user -r requirements.txt
""",
        base="FROM debian:bookworm\nRUN useradd --create-home --uid 1001 app\nUSER app\n",
        unsafe=True,
        warns=True,
        why="the base image makes app (uid 1001, HOME /home/app), which dockerfix cannot see: the root-owned "
        "mount is closed to uid 1001 wherever pip caches; given to uid 1001",
    ),
]


def dockerfix(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The real command line, from this checkout (a crash fails the test: it exits 1 too)."""
    done = subprocess.run(
        [sys.executable, "-m", "fixer", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=120
    )
    assert "Traceback" not in done.stderr, f"dockerfix {' '.join(args)} crashed:\n{done.stderr}"
    return done


def write_context(directory: Path, dockerfile: str) -> Path:
    directory.mkdir(parents=True)
    (directory / "requirements.txt").write_text(REQUIREMENTS)
    (directory / "Dockerfile").write_text(dockerfile)
    return directory


def fixed_by_dockerfix(directory: Path, *, unsafe: bool, select: tuple[str, ...] = ()) -> tuple[str, str]:
    """(the report of a dry run on the original, the Dockerfile that --write leaves).

    The dry run is without --unsafe-fixes, so its markers say which fixes are safe; the
    write adds --unsafe-fixes when `unsafe` (the scenario needs it). The Dockerfile is
    analysed as written, with its default build arguments (a scenario's build_args are
    for the builds: they show what the fix protects against).
    """
    selection = ["--select", ",".join(select)] if select else []
    report = dockerfix(*selection, "Dockerfile", cwd=directory)
    assert report.returncode == 1 and reported_codes(report.stdout), (
        f"dockerfix found nothing to do (exit {report.returncode}):\n{report.stdout}{report.stderr}"
    )
    unsafe_fixes = ["--unsafe-fixes"] if unsafe else []
    written = dockerfix("--write", *unsafe_fixes, *selection, "Dockerfile", cwd=directory)
    assert written.returncode in (0, 1), f"dockerfix --write failed:\n{written.stdout}{written.stderr}"
    return report.stdout, (directory / "Dockerfile").read_text()


def reported_codes(report: str) -> dict[str, str]:
    """Code -> fix marker ('[*]', '[unsafe]' or '') of every diagnostic line in a report."""
    codes = {}
    for match in re.finditer(r"^# \S+: (DFX\d+) (\[\*\]|\[unsafe\])?", report, re.MULTILINE):
        codes.setdefault(match.group(1), match.group(2) or "")
    return codes


# ----------------------------------------------------------------------------- results
_ROWS: list[dict[str, object]] = []


@pytest.fixture(scope="module", autouse=True)
def results_table() -> Iterator[None]:
    yield
    if _ROWS:
        record_results("cache_rules", "e2e cache rules: second builds, original vs fixed", _ROWS, format_table(_ROWS))


def format_table(rows: list[dict[str, object]]) -> str:
    columns = ["original", "fixed (all rules)", "fixed (--select)"]
    header = f"{'scenario':34} {'rules':15} " + " ".join(f"{c:18}" for c in columns)
    lines = [header, "-" * len(header)]
    for row in rows:
        rules = ",".join(row["rules"]) + ("*" if row["unsafe"] else "")  # type: ignore[arg-type]
        builds = row["second_builds"]
        cells = [_cells(builds.get(key)) for key in ("original", "fixed")]  # type: ignore[union-attr]
        cells.append(_cells(builds["selected"]) if "selected" in builds else "same file")  # type: ignore[index,operator]
        lines.append(f"{row['scenario']:34} {rules:15} " + " ".join(f"{c:18}" for c in cells))
    lines.append(
        "Each cell: the second build's `Downloading` lines / `Using cached` lines / pip's cache-disabled"
        " warning / wheel files the index served. * = with --unsafe-fixes. --select = only the rules"
        " named in `only` (default: the scenario's rules); 'same file' = identical to the all-rules fix."
    )
    return "\n".join(lines)


def _cells(summary: object) -> str:
    if not isinstance(summary, dict):
        return "-"
    warn = "warn" if summary.get("cache_disabled_warning") else "-"
    return f"{summary.get('downloading')}/{summary.get('using_cached')}/{warn}/{summary.get('index_downloads')}"


# ------------------------------------------------------------------------------- tests
def _assert_rebuild_downloads(result: BuildResult, wheels: list[str], warns: bool, show: str) -> None:
    assert sorted(result.downloading) == wheels, "the original's rebuild should download every wheel" + show
    assert sorted(result.index_downloads) == wheels, f"the index served {result.index_downloads}" + show
    assert result.using_cached == [], show
    assert result.cache_disabled == warns, f"pip's cache-disabled warning expected: {warns}" + show


def _assert_rebuild_cached(result: BuildResult, wheels: list[str], show: str) -> None:
    assert result.downloading == [], "the fixed rebuild downloaded" + show
    assert sorted(result.using_cached) == wheels, "the fixed rebuild should use the cache for every wheel" + show
    assert result.index_downloads == {}, f"the index served {result.index_downloads}" + show
    assert not result.cache_disabled, "pip warned that its cache is disabled" + show


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_fix_makes_the_cache_mount_work(
    scenario: Scenario, builder: Builder, package_index: PackageIndex, tmp_path: Path
) -> None:
    wheels = sorted(package_index.files)
    variants: dict[str, str] = {"original": scenario.dockerfile}
    contexts = {"original": write_context(tmp_path / "original", scenario.dockerfile)}

    # dockerfix as a user runs it, all rules.
    contexts["fixed"] = write_context(tmp_path / "fixed", scenario.dockerfile)
    report, variants["fixed"] = fixed_by_dockerfix(contexts["fixed"], unsafe=scenario.unsafe)
    assert variants["fixed"] != scenario.dockerfile, f"dockerfix changed nothing:\n{report}"
    codes = reported_codes(report)
    for code in scenario.rules:
        assert code in codes, f"{code} not reported:\n{report}"
    fixing = tuple(code for code in scenario.rules if codes[code])
    assert fixing, f"none of {scenario.rules} has a fix:\n{report}"
    expected_marker = "[unsafe]" if scenario.unsafe else "[*]"
    assert all(codes[c] == expected_marker for c in fixing), f"expected {expected_marker} fixes:\n{report}"

    # Only the named rules' fixes: the proof is the rule's, not a neighbour's.
    contexts["selected"] = write_context(tmp_path / "selected", scenario.dockerfile)
    _, variants["selected"] = fixed_by_dockerfix(
        contexts["selected"], unsafe=scenario.unsafe, select=scenario.only or fixing
    )
    assert variants["selected"] != scenario.dockerfile

    if scenario.base:
        base = write_context(tmp_path / "base", scenario.base)
        builder.build_ok(base, tag=scenario.dockerfile.split("\n", 1)[0].removeprefix("FROM "))

    builds: dict[str, list[BuildResult]] = {}
    for name, context in contexts.items():
        if name == "selected" and variants["selected"] == variants["fixed"]:
            continue  # the same file: its builds would prove nothing new
        builder.fresh_tmpdir()  # cold cache mounts: the variants share nothing
        builds[name] = [builder.build_ok(context, build_args=scenario.build_args) for _ in range(2)]

    _ROWS.append({
        "scenario": scenario.id,
        "rules": list(scenario.rules),
        "selected": list(scenario.only or fixing),
        "unsafe": scenario.unsafe,
        "why": scenario.why,
        "build_args": scenario.build_args,
        "dockerfiles": variants,
        "first_builds": {name: results[0].summary() for name, results in builds.items()},
        "second_builds": {name: results[1].summary() for name, results in builds.items()},
    })  # fmt: skip

    for name, (first, second) in builds.items():
        show = f"\n--- {name} Dockerfile:\n{variants[name]}--- build output:\n"
        assert sorted(first.downloading) == wheels, "a first build must download every wheel" + show + first.output
        assert sorted(first.index_downloads) == wheels, show + first.output
        if name == "original":
            _assert_rebuild_downloads(second, wheels, scenario.warns, show + second.output)
        else:
            _assert_rebuild_cached(second, wheels, show + second.output)


def test_a_working_cache_mount_is_left_alone_and_works(builder: Builder, package_index: PackageIndex, tmp_path: Path) -> None:
    """The control: root, mount at /root/.cache/pip. dockerfix has nothing to do; the rebuild is cached."""
    dockerfile = f"FROM debian:bookworm\n{INDEX_ARGS}COPY requirements.txt /tmp/\n" \
        "RUN --mount=type=cache,target=/root/.cache/pip \\\n    pip install -r /tmp/requirements.txt\n"  # fmt: skip
    context = write_context(tmp_path / "ctx", dockerfile)
    report = dockerfix("--check", "Dockerfile", cwd=context)
    assert report.returncode == 0, report.stdout + report.stderr
    first, second = builder.build_ok(context), builder.build_ok(context)
    wheels = sorted(package_index.files)
    assert sorted(first.downloading) == wheels, first.output
    assert second.downloading == [] and sorted(second.using_cached) == wheels, second.output
    assert second.index_downloads == {}, second.output


def assert_analysed_alike_without(lines: str, dockerfile: str, directory: Path, *, unsafe: bool) -> None:
    """The index's ARG `lines` (how the builds reach the local index) change nothing dockerfix
    decides: the same findings, and the same fix, as the Dockerfile without them."""
    assert lines in dockerfile
    with_lines = write_context(directory / "with", dockerfile)
    without = write_context(directory / "without", dockerfile.replace(lines, ""))
    report_with, fixed_with = fixed_by_dockerfix(with_lines, unsafe=unsafe)
    report_without, fixed_without = fixed_by_dockerfix(without, unsafe=unsafe)
    assert reported_codes(report_with) == reported_codes(report_without)
    assert fixed_with.replace(lines, "") == fixed_without


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_index_build_args_do_not_change_the_analysis(scenario: Scenario, tmp_path: Path) -> None:
    """`ARG PIP_INDEX_URL` / `ARG PIP_TRUSTED_HOST` change nothing dockerfix decides."""
    assert_analysed_alike_without(INDEX_ARGS, scenario.dockerfile, tmp_path, unsafe=scenario.unsafe)


def assert_buildah_1_28_accepts(dockerfile: str) -> None:
    """buildah 1.28 rejects heredocs and sharing=private and ignores `# syntax=` (docs/e2e.md)."""
    assert "<<" not in dockerfile and "sharing=private" not in dockerfile
    assert "# syntax=" not in dockerfile


def test_scenario_dockerfiles_avoid_what_buildah_1_28_rejects() -> None:
    for scenario in SCENARIOS:
        assert_buildah_1_28_accepts(scenario.dockerfile)

