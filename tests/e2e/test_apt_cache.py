"""The apt rules (DFX108, DFX109, DFX110), proven in a real builder.

As in test_cache_rules.py for pip: for each scenario a Dockerfile whose apt cache mounts
do not keep what apt downloads, the fix the real dockerfix writes for it (`python -m
fixer --write`, on a copy; every fix here is safe), and two builds of each, original and
fixed, with `--layers=false` and a fresh TMPDIR each (cold cache mounts). apt fetches
from the Debian mirror in the image's sources.list (the one scripts/e2e-setup
debootstrapped from); the local package index plays no part. What counts is what apt
printed (builder.BuildResult's `apt_*`):

- every first build downloads the package (`Get:` of a .deb) and the package lists;
- the original's second build downloads the package again, and its lists too where the
  original deletes them;
- the fixed second build downloads no package (apt says `Need to get 0 B/...`) and no
  package list: only the release file, which apt always asks for (`Hit:` when the server
  answers If-Modified-Since with 304, `Get:` from a mirror that does not).

DFX109 (sharing=locked) is about builds that use one cache at the same time: proven with
two builds over one cache, one of them held inside its `apt-get update`
(`test_locked_apt_mounts_wait_for_each_other`). The counts go to
`.cache/e2e/results/apt_cache.json` (and `.txt`) and to pytest's terminal summary.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .builder import Builder, BuildResult
from .conftest import record_results
from .test_cache_rules import assert_buildah_1_28_accepts, dockerfix, fixed_by_dockerfix, reported_codes, write_context

# One small package with no dependencies the image lacks: one .deb of 53 kB.
PACKAGE = "hello"
INSTALL = f"apt-get install -y --no-install-recommends {PACKAGE}"
# apt's two caches, as Docker's documentation mounts them.
LOCKED_MOUNTS = """\
    --mount=type=cache,target=/var/cache/apt,sharing=locked \\
    --mount=type=cache,target=/var/lib/apt,sharing=locked \\
"""
UNLOCKED_MOUNTS = LOCKED_MOUNTS.replace(",sharing=locked", "")
# The official image's hook removed, as DFX108's fix does it.
NO_HOOK = "RUN rm -f /etc/apt/apt.conf.d/docker-clean\n"


def apt_step(command: str, mounts: str = LOCKED_MOUNTS) -> str:
    """A RUN of `command` under apt's cache mounts."""
    return f"RUN {mounts.lstrip()}    {command}\n"


@dataclass(frozen=True)
class AptScenario:
    id: str
    rules: tuple[str, ...]  # what dockerfix reports on the original, each with a safe fix
    dockerfile: str
    why: str
    lists_deleted: bool = False  # the original deletes apt's lists: its rebuild fetches them again


SCENARIOS = [
    AptScenario(
        "apt-docker-clean",
        ("DFX108",),
        f"FROM debian:bookworm\n{apt_step(f'apt-get update && {INSTALL}')}",
        why="the image's docker-clean deletes /var/cache/apt/archives/*.deb after the install; DFX108 removes "
        "the hook in a step before",
    ),
    AptScenario(
        "apt-binary",
        ("DFX108",),
        f"FROM debian:bookworm\n{NO_HOOK}{apt_step(f'apt update && apt install -y {PACKAGE}')}",
        why="`apt install` deletes what it downloaded (Binary::apt::APT::Keep-Downloaded-Packages is false); "
        "DFX108 runs apt-get instead",
    ),
    AptScenario(
        "apt-clean-under-mount",
        ("DFX110",),
        f"FROM debian:bookworm\n{NO_HOOK}"
        + apt_step(f"apt-get update && {INSTALL} && apt-get clean && rm -rf /var/lib/apt/lists/*"),
        why="`apt-get clean` empties the archives and `rm -rf /var/lib/apt/lists/*` the lists, both on the "
        "mounts; DFX110 removes both",
        lists_deleted=True,
    ),
]

# Docker's documented recipe (the Dockerfile reference, RUN --mount=type=cache), with
# `hello` for `gcc`: the hook removed, apt told to keep its packages, locked mounts.
DOCUMENTED = (
    "FROM debian:bookworm\n"
    "RUN rm -f /etc/apt/apt.conf.d/docker-clean; "
    """echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' > /etc/apt/apt.conf.d/keep-cache\n"""
    + apt_step(f"apt update && apt-get --no-install-recommends install -y {PACKAGE}")
)

# Two builds of this at once on one builder share its cache mounts (DFX109).
UNLOCKED = f"FROM debian:bookworm\n{NO_HOOK}{apt_step(f'apt-get update && {INSTALL}', UNLOCKED_MOUNTS)}"

# /etc/apt/apt.conf.d/docker-clean of the official image, as `apt-config dump` prints it.
DOCKER_CLEAN_CLEANUP = (
    '"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"'
)
DOCKER_CLEAN_SETTINGS = (
    f"DPkg::Post-Invoke:: {DOCKER_CLEAN_CLEANUP};",
    f"APT::Update::Post-Invoke:: {DOCKER_CLEAN_CLEANUP};",
    'Dir::Cache::pkgcache "";',
    'Dir::Cache::srcpkgcache "";',
)

# apt-get's words when another apt holds its lists (apt 2.6):
#   E: Could not get lock /var/lib/apt/lists/lock. It is held by process 18351 (apt-get)
APT_LISTS_LOCKED = re.compile(r"^E: Could not get lock /var/lib/apt/lists/lock\. It is held by process \d+", re.M)
# How long the held build waits for the test at most (its shell loop: 0.2 s steps).
HOLD_SECONDS = 120


# ----------------------------------------------------------------------------- results
_ROWS: list[dict[str, Any]] = []


@pytest.fixture(scope="module", autouse=True)
def results_table() -> Iterator[None]:
    yield
    if _ROWS:
        record_results("apt_cache", "e2e apt cache rules: second builds, original vs fixed", _ROWS, format_table(_ROWS))


def record(scenario: str, rules: tuple[str, ...], why: str, variants: dict[str, str], builds: dict[str, Any]) -> None:
    """One row of the results: each variant's Dockerfile, and its builds' summaries by role
    (`first`, `second`; for DFX109 `held`, `other`)."""
    _ROWS.append({"scenario": scenario, "rules": list(rules), "why": why, "dockerfiles": variants, "builds": builds})


def format_table(rows: list[dict[str, Any]]) -> str:
    header = f"{'scenario':26} {'rules':7} {'original':32} {'fixed':32}"
    lines = [header, "-" * len(header)]
    for row in rows:
        cells = [_cell(row["builds"].get(name)) for name in ("original", "fixed")]
        lines.append(f"{row['scenario']:26} {','.join(row['rules']) or '-':7} {cells[0]:32} {cells[1]:32}")
    lines.append(
        "Each cell: the second build's packages downloaded (.deb `Get:` lines) / package lists downloaded /"
        " the release file (`Get`, or `Hit` when the server said unchanged) / apt's `Need to get`."
        " control: Docker's documented recipe, left alone. apt-concurrent-builds (DFX109): the build started"
        " while another held apt's lock over the same cache mounts."
    )
    return "\n".join(lines)


def _cell(builds: dict[str, dict[str, Any]] | None) -> str:
    if builds is None:
        return "left alone"
    if "other" in builds:  # DFX109's concurrent builds
        other = builds["other"]
        if other["returncode"] != 0:
            return f"fails (exit {other['returncode']}): apt's lock"
        return "waited, then ok" if other["waited"] else "ok, did not wait"
    second = builds["second"]
    release = "Hit" if second["indexes_unchanged"] else "Get"
    need = ",".join(second["need_to_get"])
    return f"{len(second['packages_fetched'])} / {len(second['lists_fetched'])} / {release} / {need}"


# ------------------------------------------------------------------------------- tests
def _assert_cold(first: BuildResult, show: str) -> None:
    assert first.ok, show + first.output
    assert first.apt_packages_fetched == [PACKAGE], "a first build must download the package" + show + first.output
    assert first.apt_lists_fetched, "a first build must download the package lists" + show + first.output


def _assert_rebuild_downloads(second: BuildResult, lists_deleted: bool, show: str) -> None:
    assert second.ok, show + second.output
    assert second.apt_packages_fetched == [PACKAGE], (
        "the original's rebuild should download the package again (is docker-clean in the base image?"
        " see scripts/e2e-setup)" + show + second.output
    )
    lists = second.apt_lists_fetched
    assert bool(lists) == lists_deleted, f"the original's rebuild downloaded lists: {lists}" + show + second.output


def _assert_rebuild_cached(second: BuildResult, show: str) -> None:
    assert second.ok, show + second.output
    assert second.apt_packages_fetched == [], "the fixed rebuild downloaded the package" + show + second.output
    assert second.apt_need_to_get and all(need.startswith("0 B/") for need in second.apt_need_to_get), (
        "apt should need nothing from the mirror" + show + second.output
    )
    assert second.apt_lists_fetched == [], "the fixed rebuild downloaded package lists" + show + second.output


def build_twice(builder: Builder, context: Path) -> list[BuildResult]:
    """Two builds in a fresh TMPDIR: the first with cold cache mounts, the second with what it left."""
    builder.fresh_tmpdir()
    return [builder.build(context) for _ in range(2)]


def test_the_base_image_deletes_packages_as_the_official_one_does(builder: Builder, tmp_path: Path) -> None:
    """scripts/e2e-setup writes the official image's docker-clean: DFX108 is about that hook."""
    context = write_context(tmp_path / "ctx", "FROM debian:bookworm\nRUN apt-config dump\n")
    output = builder.build_ok(context).output
    missing = [setting for setting in DOCKER_CLEAN_SETTINGS if setting not in output.splitlines()]
    assert not missing, f"apt-config dump lacks {missing}: re-run scripts/e2e-setup\n{output}"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_fix_makes_the_apt_cache_mounts_work(scenario: AptScenario, builder: Builder, tmp_path: Path) -> None:
    contexts = {name: write_context(tmp_path / name, scenario.dockerfile) for name in ("original", "fixed")}
    report, fixed = fixed_by_dockerfix(contexts["fixed"], unsafe=False)
    assert reported_codes(report) == dict.fromkeys(scenario.rules, "[*]"), report
    assert fixed != scenario.dockerfile, f"dockerfix changed nothing:\n{report}"
    variants = {"original": scenario.dockerfile, "fixed": fixed}

    builds = {name: build_twice(builder, context) for name, context in contexts.items()}
    summaries = {name: {"first": first.apt_summary(), "second": second.apt_summary()}
                 for name, (first, second) in builds.items()}  # fmt: skip
    record(scenario.id, scenario.rules, scenario.why, variants, summaries)

    for name, (first, second) in builds.items():
        show = f"\n--- {name} Dockerfile:\n{variants[name]}--- build output:\n"
        _assert_cold(first, show)
        if name == "original":
            _assert_rebuild_downloads(second, scenario.lists_deleted, show)
        else:
            _assert_rebuild_cached(second, show)


def test_docker_documented_apt_recipe_is_left_alone_and_works(builder: Builder, tmp_path: Path) -> None:
    """The control: Docker's recipe. dockerfix has nothing to do; the rebuild downloads nothing."""
    context = write_context(tmp_path / "ctx", DOCUMENTED)
    report = dockerfix("--check", "Dockerfile", cwd=context)
    assert report.returncode == 0, report.stdout + report.stderr
    first, second = build_twice(builder, context)
    builds = {"original": {"first": first.apt_summary(), "second": second.apt_summary()}}
    record("control", (), "Docker's documented recipe: dockerfix --check exits 0", {"original": DOCUMENTED}, builds)
    show = f"\n--- Dockerfile:\n{DOCUMENTED}--- build output:\n"
    _assert_cold(first, show)
    _assert_rebuild_cached(second, show)


# ------------------------------------------------------------------------ DFX109, locks
def held(dockerfile: str) -> str:
    """The Dockerfile with its `apt-get update` held while apt holds its lists' lock: an
    `APT::Update::Pre-Invoke` hook (run after apt took the lock, before it fetches) marks
    `e2e-held` on the /var/lib/apt mount and waits there for `e2e-release`."""
    hook = (
        "APT::Update::Pre-Invoke::=touch /var/lib/apt/e2e-held; "
        f"for i in $(seq {HOLD_SECONDS * 5}); do [ -e /var/lib/apt/e2e-release ] && break; sleep 0.2; done"
    )
    assert dockerfile.count("apt-get update") == 1
    return dockerfile.replace("apt-get update", f"apt-get -o '{hook}' update")


def someone_waits_for(lockfiles: list[Path]) -> bool:
    """Whether a process waits to lock one of `lockfiles`: a blocked request in /proc/locks,

        3: -> POSIX  ADVISORY  WRITE 18688 fe:00:2401231 0 EOF

    matched by inode number alone (the device's numbering there need not be stat's)."""
    inodes = {str(path.stat().st_ino) for path in lockfiles}
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if len(fields) > 6 and fields[1] == "->" and fields[6].rsplit(":", 1)[-1] in inodes:
            return True
    return False


def wait_until(condition: Callable[[], bool], what: str, timeout: float = HOLD_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"waited {timeout} s for {what}"
        time.sleep(0.1)


def build_against_held(builder: Builder, context: Path, holder: Path) -> tuple[BuildResult, BuildResult, bool]:
    """(the held build, the other build, whether the other waited for a lock).

    The held build starts first, over a fresh TMPDIR; once its apt-get holds the lists'
    lock, the other starts over the same cache mounts. The held one is let go when the
    other has ended, or is seen waiting for buildah's lock on a `sharing=locked` mount
    (`/proc/locks`): no timing is guessed, the order is the same on every run."""
    cache = builder.fresh_tmpdir() / "buildah-cache"
    apt_lib = cache / "var/lib/apt"
    with builder.exclusive():
        holding = builder.start(holder)
        try:
            wait_until(lambda: (apt_lib / "e2e-held").exists() or holding.done, "apt-get to hold its lock")
            assert not holding.done, "the held build ended early:\n" + holding.wait().output
            other = builder.start(context)
            lockfiles = sorted(cache.rglob("buildah-cache-lockfile"))
            wait_until(lambda: other.done or someone_waits_for(lockfiles), "the other build to end or wait")
            waited = not other.done
        finally:
            if apt_lib.is_dir():
                (apt_lib / "e2e-release").touch()
        return holding.wait(), other.wait(), waited


def test_locked_apt_mounts_wait_for_each_other(builder: Builder, tmp_path: Path) -> None:
    """DFX109: two builds over one apt cache. Unlocked, the second's apt-get update fails on
    apt's lock; with the sharing=locked that dockerfix writes, it waits and succeeds."""
    contexts = {name: write_context(tmp_path / name, UNLOCKED) for name in ("original", "fixed")}
    report, fixed = fixed_by_dockerfix(contexts["fixed"], unsafe=False)
    assert reported_codes(report) == {"DFX109": "[*]"}, report
    variants = {"original": UNLOCKED, "fixed": fixed}
    holders = {name: write_context(tmp_path / f"{name}-held", held(text)) for name, text in variants.items()}

    outcomes = {name: build_against_held(builder, contexts[name], holders[name]) for name in variants}
    summaries = {name: {"held": holding.apt_summary(), "other": other.apt_summary() | {"waited": waited}}
                 for name, (holding, other, waited) in outcomes.items()}  # fmt: skip
    record("apt-concurrent-builds", ("DFX109",), "one build held in apt-get update, another started", variants,
           summaries)  # fmt: skip

    for name, (holding, other, waited) in outcomes.items():
        show = f"\n--- {name} Dockerfile:\n{variants[name]}--- build output:\n"
        assert holding.ok, "the held build" + show + holding.output
        if name == "original":
            assert not other.ok and not waited, "the unlocked build should fail on apt's lock" + show + other.output
            assert APT_LISTS_LOCKED.search(other.output), show + other.output
        else:
            assert waited, "the locked build did not wait for the held one" + show + other.output
            assert other.ok and not APT_LISTS_LOCKED.search(other.output), show + other.output


def test_apt_scenario_dockerfiles_avoid_what_buildah_1_28_rejects() -> None:
    for dockerfile in [*(s.dockerfile for s in SCENARIOS), DOCUMENTED, UNLOCKED]:
        assert_buildah_1_28_accepts(dockerfile)
