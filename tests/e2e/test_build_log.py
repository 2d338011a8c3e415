"""`dockerfix log` on real build logs: buildah's output of real builds, read by the real
command line, against what the local index served (the ground truth of downloads) and
the e2e builder's own reading of pip's lines.

- A Dockerfile whose pip cache mount misses (ENV HOME) and dockerfix's fix of it, each
  built twice over one cache: the original downloads every wheel both times, and the
  log's verdict names DFX101 at the RUN's line; the fixed one's second build takes every
  wheel from the cache.
- Two builds with the layer cache on: the second's RUN did not run.
- A build that fails in pip: the step is `failed`.
- `dockerfix pr --prove` on a checkout of the broken file: buildah builds it and its fix
  twice each, and the pull request's body shows the rebuild's downloads, before and after.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .builder import Builder, BuildResult
from .conftest import PackageIndex
from .test_cache_rules import SCENARIOS, dockerfix, write_context

# ENV HOME=/app moves pip's cache off the /root mount (test_cache_rules' first scenario).
BROKEN = next(scenario.dockerfile for scenario in SCENARIOS if scenario.id == "env-home-root-mount")
RUN_LINE = 7


def read_log(build: BuildResult, context: Path) -> dict:  # type: ignore[type-arg]
    """`dockerfix log --format json --dockerfile Dockerfile` on the build's output."""
    (context / "build.log").write_text(build.output)
    done = dockerfix("log", "build.log", "--dockerfile", "Dockerfile", "--format", "json", cwd=context)
    assert done.returncode == 0, done.stderr + build.output
    return json.loads(done.stdout)


def _pip(log: dict) -> dict:  # type: ignore[type-arg]
    [step] = log["steps"]
    [pip] = [tool for tool in step["tools"] if tool["name"] == "pip"]
    return pip


def test_the_log_says_what_pip_downloaded_and_reused_and_why(builder: Builder, package_index: PackageIndex, tmp_path: Path) -> None:
    wheels = sorted(package_index.files)
    original = write_context(tmp_path / "original", BROKEN)
    fixed = write_context(tmp_path / "fixed", BROKEN)
    assert dockerfix("--write", "Dockerfile", cwd=fixed).returncode in (0, 1)
    logs: dict[str, list[tuple[BuildResult, dict]]] = {}  # type: ignore[type-arg]
    for name, context in (("original", original), ("fixed", fixed)):
        builder.fresh_tmpdir()
        builds = [builder.build_ok(context) for _ in range(2)]
        logs[name] = [(build, read_log(build, context)) for build in builds]
    for name, pairs in logs.items():
        for build, log in pairs:
            show = f"\n{name}: {json.dumps(log, indent=1)}\n{build.output}"
            assert log["builder"] == "buildah", show
            pip = _pip(log)
            assert sorted(pip["downloaded_files"]) == sorted(build.index_downloads), "what the index served" + show
            assert pip["downloaded_files"] == build.downloading and pip["reused_files"] == build.using_cached, show
            assert pip["installed"] == len(wheels), show
            assert log["steps"][0]["line"] == RUN_LINE and log["steps"][0]["state"] == "ran", show

    (_, first), (_, second) = logs["original"]
    for log in (first, second):
        assert _pip(log)["downloaded"] == len(wheels) and _pip(log)["reused"] == 0
        assert [finding["code"] for finding in log["steps"][0]["findings"]][:1] == ["DFX101"]
        assert log["verdict"].startswith(f"nothing came from the installers' caches: {len(wheels)} downloaded")
        assert log["verdict"].endswith(f"(DFX101 at line {RUN_LINE} says why)")
    (_, cold), (_, warm) = logs["fixed"]
    assert _pip(cold)["downloaded"] == len(wheels)
    assert _pip(warm)["downloaded"] == 0 and _pip(warm)["reused"] == len(wheels)
    assert warm["verdict"] == f"every package came from the installers' caches ({len(wheels)} reused, nothing downloaded)"
    assert warm["steps"][0]["findings"] == []

    text = subprocess.run([sys.executable, "-m", "fixer", "log", "-", "--dockerfile", "Dockerfile"], cwd=fixed,
                          input=logs["fixed"][1][0].output, capture_output=True, text=True, check=False)  # fmt: skip
    assert text.returncode == 0 and f"pip: 0 downloaded, {len(wheels)} from the cache, {len(wheels)} installed" in text.stdout


def test_a_step_from_the_layer_cache_did_not_run(builder: Builder, tmp_path: Path) -> None:
    context = write_context(tmp_path / "layers", BROKEN)
    first, second = builder.build_ok(context, layers=True), builder.build_ok(context, layers=True)
    assert read_log(first, context)["steps"][0]["state"] == "ran"
    log = read_log(second, context)
    assert log["steps"][0]["state"] == "cached", second.output
    assert log["verdict"] == "every RUN step (1) came from the layer cache: nothing ran, nothing was downloaded"


def test_a_failed_install_is_a_failed_step(builder: Builder, tmp_path: Path) -> None:
    context = write_context(tmp_path / "failing", BROKEN)
    (context / "requirements.txt").write_text("no-such-package-dockerfix==1.0\n")
    build = builder.build(context)
    assert build.returncode != 0
    log = read_log(build, context)
    assert log["steps"][0]["state"] == "failed", build.output


def test_pr_prove_measures_the_rebuilds_before_and_after(builder: Builder, package_index: PackageIndex, tmp_path: Path) -> None:
    context = write_context(tmp_path / "repo", BROKEN)
    settings = ["-c", "user.name=Dev", "-c", "user.email=dev@example.com"]
    for command in (["init", "--quiet", "--initial-branch=main"], ["add", "--all"], ["commit", "--quiet", "-m", "start"]):
        subprocess.run(["git", *settings, *command], cwd=context, check=True, capture_output=True)
    environment = {key: value for key, value in os.environ.items() if not key.startswith("BUILDAH_")}
    environment["BUILDAH_ISOLATION"] = "chroot"  # as the e2e builder builds (docs/e2e.md)
    command = [sys.executable, "-m", "fixer", "pr", "--dry-run", "--prove",
               "--build-arg", f"PIP_INDEX_URL={package_index.url}", "--build-arg", f"PIP_TRUSTED_HOST={package_index.host}"]
    with builder.exclusive():  # the image store's lock, as every e2e build takes it
        done = subprocess.run(command, cwd=context, env=environment, capture_output=True, text=True, check=False, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    wheels = len(package_index.files)
    assert "dockerfix pr: measuring with buildah version 1." in done.stderr
    assert "### Measured with buildah version" in done.stdout
    run = "line 7: `RUN --mount=type=cache,target={} pip install"
    assert f"| before | {run.format('/root/.cache/pip')} -r requirements.txt` | {wheels} | 0 |" in done.stdout, done.stdout
    assert f"| after | {run.format('/app/.cache/pip')} --cache-dir=/app/.cache/pip -r requirements.txt` | 0 | {wheels} |" in done.stdout
    assert "after: every package came from the installers' caches" in done.stdout
