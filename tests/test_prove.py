"""`dockerfix pr --prove` without a builder at hand, and its builds' commands; the builds
themselves run in tests/e2e/test_build_log.py (buildah)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from fixer.commands.prove import ImageBuilder, Measurement, build_command, find_builder, markdown
from samples import BROKEN

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def _only(tmp_path: Path, *programs: str, scripts: dict[str, str] | None = None) -> str:
    """A PATH with only these programs (the machine's), and the given scripts."""
    directory = tmp_path / "bin"
    directory.mkdir()
    for program in programs:
        (directory / program).symlink_to(shutil.which(program))  # type: ignore[arg-type]
    for name, text in (scripts or {}).items():
        (directory / name).write_text(f"#!/bin/sh\n{text}\n")
        (directory / name).chmod(stat.S_IRWXU)
    return str(directory)


def test_no_builder_is_said_in_one_line_and_in_the_body(tmp_path: Path) -> None:
    repository = tmp_path / "repo"
    repository.mkdir()
    (repository / "Dockerfile").write_text(BROKEN)
    settings = ["-c", "user.name=Dev", "-c", "user.email=dev@example.com"]
    for command in (["init", "--quiet", "--initial-branch=main"], ["add", "--all"], ["commit", "--quiet", "-m", "start"]):
        subprocess.run(["git", *settings, *command], cwd=repository, check=True, capture_output=True)
    environment = {**os.environ, "PATH": _only(tmp_path, "git")}
    done = subprocess.run([sys.executable, "-m", "fixer", "pr", "--dry-run", "--prove"], cwd=repository, env=environment,
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "dockerfix pr: not measured: no image builder (docker buildx with an engine, buildah or podman)\n" in done.stderr
    assert "    ### Measured\n\n    Not measured: no image builder (docker buildx with an engine, buildah or podman) " \
           "where this pull request was made.\n" in done.stdout  # fmt: skip


def test_docker_counts_only_with_buildx_and_an_engine(tmp_path: Path) -> None:
    no_engine = _only(tmp_path, scripts={"docker": 'case "$1" in buildx) echo "github.com/docker/buildx v0.30.0";; *) exit 1;; esac',
                                         "podman": "echo podman version 5.4.2"})  # fmt: skip
    assert find_builder({"PATH": no_engine}) == ImageBuilder("podman", "podman version 5.4.2")
    engine = tmp_path / "engine"
    engine.mkdir()
    (engine / "docker").write_text('#!/bin/sh\ncase "$1" in buildx) echo "github.com/docker/buildx v0.30.0";; info) echo 28.0.1;; esac\n')
    (engine / "docker").chmod(stat.S_IRWXU)
    assert find_builder({"PATH": str(engine)}) == ImageBuilder("docker buildx", "github.com/docker/buildx v0.30.0")
    assert find_builder({"PATH": str(tmp_path / "nowhere")}) is None


def test_builds_run_every_step_and_export_nothing(tmp_path: Path) -> None:
    args = {"PIP_INDEX_URL": "http://127.0.0.1:1/simple"}
    file, context, iid = tmp_path / "Dockerfile.fixed", tmp_path / "app", tmp_path / "iid"
    assert build_command(ImageBuilder("docker buildx", "v0.30"), file, context, args, iid) == [
        "docker", "buildx", "build", "--progress=plain", "--no-cache", "--output=type=cacheonly", f"--file={file}",
        "--build-arg=PIP_INDEX_URL=http://127.0.0.1:1/simple", str(context)]  # fmt: skip
    assert build_command(ImageBuilder("buildah", "1.28"), file, context, {}, iid) == [
        "buildah", "build", "--layers=false", f"--iidfile={iid}", f"--file={file}", str(context)]  # fmt: skip


def test_a_file_that_did_not_build_is_not_measured_and_says_why() -> None:
    text = markdown(ImageBuilder("buildah", "buildah version 1.28.2"),
                    [Measurement("svc/Dockerfile", None, None, "the original's build failed (exit 1) with its directory as the context")])  # fmt: skip
    assert "### Measured with buildah version 1.28.2" in text
    assert "`svc/Dockerfile`:\n\nnot measured: the original's build failed (exit 1) with its directory as the context\n" in text
