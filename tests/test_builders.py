"""The builder evidence DFX111 reads in a repository: kaniko or the legacy builder rule a
cache mount out (a finding, no fix, and the file and line that say so); signs of BuildKit
make the fix safe; a Dockerfile that already uses BuildKit-only syntax decides for itself."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from fixer.builders import builder_evidence
from fixer.diagnostics import Applicability, Diagnostic
from fixer.engine import Settings, check_text
from fixer.rules import ALL_RULES

from test_cli import dockerfix

PLAIN = "FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n"
MOUNTED = (
    "FROM python:3.12-slim\n"
    "RUN --mount=type=bind,source=requirements.txt,target=/tmp/r.txt pip install -r /tmp/r.txt\n"
)
DIRECTIVE = "# syntax=docker/dockerfile:1\n" + PLAIN

KANIKO_GITLAB = (
    "build:\n"
    "  image:\n"
    "    name: gcr.io/kaniko-project/executor:debug\n"
    "  script:\n"
    "    - /kaniko/executor --context $CI_PROJECT_DIR/svc --dockerfile svc/Dockerfile\n"
)


def repository(tmp_path: Path, files: dict[str, str], dockerfile: str = PLAIN, where: str = "svc") -> Path:
    """A git work tree with `files` and a Dockerfile in `where`; the Dockerfile's folder."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    folder = tmp_path / where
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Dockerfile").write_text(dockerfile)
    return folder


def dfx111(folder: Path) -> Diagnostic:
    text = (folder / "Dockerfile").read_text()
    result = check_text("Dockerfile", text, ALL_RULES, Settings(unsafe_fixes=True), folder.resolve())
    return next(d for d in result.diagnostics if d.code == "DFX111")


def test_kaniko_in_gitlab_ci_rules_the_mount_out_and_says_where(tmp_path: Path) -> None:
    finding = dfx111(repository(tmp_path, {".gitlab-ci.yml": KANIKO_GITLAB}))
    assert finding.fix is None
    assert finding.no_fix.startswith("kaniko builds this repository (.gitlab-ci.yml:3: `name: gcr.io/kaniko-project/")
    assert "Unknown flag: mount" in finding.no_fix and "FF_KANIKO_RUN_MOUNT_CACHE=true" in finding.no_fix
    assert finding.no_fix in finding.detail


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("cloudbuild.yaml", "steps:\n- name: 'gcr.io/kaniko-project/executor:latest'\n  args: ['--dockerfile=svc/Dockerfile']\n"),
        (".tekton/build.yaml", "apiVersion: tekton.dev/v1\nkind: Task\nspec:\n  steps:\n    - image: gcr.io/kaniko-project/executor\n"),
        ("Jenkinsfile", "pipeline {\n  agent { kubernetes { yaml '''\n    containers:\n    - name: kaniko\n''' } }\n}\n"),
        ("svc/skaffold.yaml", "build:\n  cluster: {}\n  artifacts:\n  - image: app\n    kaniko: {}\n"),
        (".github/workflows/image.yml", "jobs:\n  build:\n    steps:\n      - uses: int128/kaniko-action@v1\n"),
        ("workflows/build.yaml", "kind: Workflow\nspec:\n  templates:\n  - container:\n      image: gcr.io/kaniko-project/executor\n"),
    ],
)
def test_kaniko_anywhere_builds_are_configured(tmp_path: Path, path: str, text: str) -> None:
    finding = dfx111(repository(tmp_path, {path: text}))
    assert finding.fix is None and finding.no_fix.startswith(f"kaniko builds this repository ({path}:")


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("svc/Makefile", "image:\n\tDOCKER_BUILDKIT=0 docker build -t app .\n"),
        ("Makefile", "export DOCKER_BUILDKIT = 0\nimage:\n\tdocker build svc\n"),
        ("svc/docker-compose.yml", "services:\n  app:\n    build: .\n    environment:\n      DOCKER_BUILDKIT: \"0\"\n"),
        (".github/workflows/ci.yml", "env:\n  DOCKER_BUILDKIT: false\njobs: {}\n"),
        ("svc/build.sh", "#!/bin/sh\nexport DOCKER_BUILDKIT=0\ndocker build .\n"),
    ],
)
def test_the_legacy_builder_rules_the_mount_out(tmp_path: Path, path: str, text: str) -> None:
    finding = dfx111(repository(tmp_path, {path: text}))
    assert finding.fix is None
    assert finding.no_fix.startswith(f"{path}:") and "selects Docker's legacy builder" in finding.no_fix


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (".gitlab-ci.yml", "# we used to build with kaniko here\nbuild:\n  script: docker build svc\n"),
        ("other/Makefile", "image:\n\tDOCKER_BUILDKIT=0 docker build .\n"),
        ("svc/notes.txt", "DOCKER_BUILDKIT=0\n"),
        ("Makefile", "image:\n\tDOCKER_BUILDKIT=01 docker build .\n"),
        (".github/workflows/ci.yml", "jobs:\n  image:\n    runs-on: self-hosted\n    steps:\n      - run: docker build svc\n"),
        ("Makefile", "image:\n\tdocker build svc\n"),
    ],
    ids=["a-comment", "a-sibling-folder", "not-a-build-file", "not-a-boolean", "self-hosted-runner",
         "docker-build-of-unknown-version"],
)
def test_what_is_not_evidence(tmp_path: Path, path: str, text: str) -> None:
    finding = dfx111(repository(tmp_path, {path: text}))
    assert finding.fix is not None and finding.fix.applicability is Applicability.UNSAFE
    assert "nothing in the Dockerfile or the repository's build files shows it is built with BuildKit" in finding.fix.caveat


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (".github/workflows/image.yml", "jobs:\n  b:\n    steps:\n      - uses: docker/build-push-action@v6\n"),
        ("Makefile", "image:\n\tdocker buildx build --load svc\n"),
        ("svc/Makefile", "image:\n\tDOCKER_BUILDKIT=1 docker build .\n"),
        (".gitlab-ci.yml", "build:\n  script: buildah bud -f svc/Dockerfile svc\n"),
        (".gitlab-ci.yml", KANIKO_GITLAB + "  variables:\n    FF_KANIKO_RUN_MOUNT_CACHE: \"true\"\n"),
        ("Makefile", "up:\n\tdocker compose up --build\n"),
        (".github/workflows/ci.yml", "jobs:\n  image:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker build svc\n"),
    ],
    ids=["build-push-action", "buildx", "DOCKER_BUILDKIT=1", "buildah", "kaniko-fork-with-cache-mounts",
         "compose-v2", "github-hosted-runner"],
)
def test_signs_of_a_builder_with_cache_mounts_make_the_fix_safe(tmp_path: Path, path: str, text: str) -> None:
    finding = dfx111(repository(tmp_path, {path: text}))
    assert finding.fix is not None and finding.fix.applicability is Applicability.SAFE, finding.fix


def test_a_file_that_already_uses_buildkit_syntax_decides_for_itself(tmp_path: Path) -> None:
    finding = dfx111(repository(tmp_path, {".gitlab-ci.yml": KANIKO_GITLAB}, dockerfile=MOUNTED))
    assert finding.fix is not None and finding.fix.applicability is Applicability.SAFE


def test_kaniko_ignores_a_syntax_line_so_its_evidence_wins(tmp_path: Path) -> None:
    finding = dfx111(repository(tmp_path, {".gitlab-ci.yml": KANIKO_GITLAB}, dockerfile=DIRECTIVE))
    assert finding.fix is None and finding.no_fix.startswith("kaniko builds this repository")


def test_outside_a_git_work_tree_only_the_dockerfiles_folder_is_read(tmp_path: Path) -> None:
    (tmp_path / ".gitlab-ci.yml").write_text(KANIKO_GITLAB)
    folder = tmp_path / "svc"
    folder.mkdir()
    (folder / "Makefile").write_text("image:\n\tDOCKER_BUILDKIT=0 docker build .\n")
    evidence = builder_evidence(folder.resolve())
    assert [(s.path, s.line, s.builder) for s in evidence.rejecting] == [("Makefile", 2, "legacy builder")]
    assert evidence.mounting == ()


def test_evidence_is_listed_in_the_order_read_with_paths_from_the_root(tmp_path: Path) -> None:
    folder = repository(
        tmp_path,
        {
            ".gitlab-ci.yml": KANIKO_GITLAB,
            ".github/workflows/image.yml": "steps:\n  - uses: docker/setup-buildx-action@v3\n",
            "svc/Makefile": "image:\n\tDOCKER_BUILDKIT=0 docker build .\n",
        },
    )
    evidence = builder_evidence(folder.resolve())
    assert [(s.path, s.line, s.builder) for s in evidence.rejecting] == [
        (".gitlab-ci.yml", 3, "kaniko"),
        (".gitlab-ci.yml", 5, "kaniko"),
        ("svc/Makefile", 2, "legacy builder"),
    ]
    assert [(s.path, s.line, s.builder) for s in evidence.mounting] == [(".github/workflows/image.yml", 2, "BuildKit")]


def test_the_dry_run_shows_why_there_is_no_fix(tmp_path: Path) -> None:
    folder = repository(tmp_path, {".gitlab-ci.yml": KANIKO_GITLAB})
    result = dockerfix("svc", cwd=tmp_path)
    assert result.returncode == 1 and (folder / "Dockerfile").read_text() == PLAIN
    assert "#   no fix: kaniko builds this repository (.gitlab-ci.yml:3:" in result.stdout
    assert "--- a/" not in result.stdout


def test_a_line_that_may_hold_a_credential_is_named_by_its_place_only(tmp_path: Path) -> None:
    login = (
        "build:\n  script:\n"
        '    - echo "{\\"auths\\":{\\"$CI_REGISTRY\\":{\\"auth\\":\\"s3cr3t\\"}}}" > /kaniko/.docker/config.json\n'
    )
    finding = dfx111(repository(tmp_path, {".gitlab-ci.yml": login}))
    assert finding.no_fix.startswith("kaniko builds this repository (.gitlab-ci.yml:3)")
    assert "s3cr3t" not in finding.no_fix + finding.detail + finding.message
