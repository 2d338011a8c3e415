"""Which image builder a repository's Dockerfiles are built with, as its build files tell.

A cache mount needs BuildKit (Docker's default builder since Engine 23.0, `docker
buildx`), or buildah and podman. Google's kaniko stops at `RUN --mount` ("Unknown flag:
mount", GoogleContainerTools/kaniko#1568), and so does Docker's legacy builder
(`DOCKER_BUILDKIT=0`); the kaniko fork osscontainertools/kaniko has cache mounts behind
`FF_KANIKO_RUN_MOUNT_CACHE=true`. DFX111 must not add a mount that breaks the build, so
before it does it looks where builds are configured:

- the CI files at the repository's root (`.gitlab-ci.yml`, `cloudbuild.yaml`,
  `Jenkinsfile`, `.travis.yml`, `azure-pipelines.yml`...) and in its CI folders
  (`.github/workflows`, `.gitlab`, `.tekton`, `tekton`, `.circleci`, `.buildkite`, `ci`,
  Argo's `workflows`, `pipelines`, `build`, `scripts`...);
- the build files beside the Dockerfile and in every folder above it up to the root:
  Makefiles, compose files, Jenkinsfiles, Cloud Build and Skaffold files, shell scripts.

Only lines that are not comments count. What is found is a `Sighting`: the file and line,
kept for the finding's message, so a user can see (and correct) what dockerfix read.
The evidence is per repository, not per Dockerfile: a repository where kaniko builds
one image usually builds the others the same way, and a wrong guess costs a fix, never
a broken build. A Dockerfile that already uses what only BuildKit builds is not asked
about: whatever builds it handles mounts (the rule decides that from the file).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from .patterns import compile_lazily
from .records import NamedTuple

# Build configuration at the repository's root, by name.
_ROOT_FILES = (
    ".gitlab-ci.yml",
    ".gitlab-ci.yaml",
    "Jenkinsfile",
    ".travis.yml",
    "azure-pipelines.yml",
    "azure-pipelines.yaml",
    "bitbucket-pipelines.yml",
    ".drone.yml",
    ".woodpecker.yml",
    "buildspec.yml",
)
# Folders of CI configuration below the root; their files are read, not their subfolders'.
_ROOT_FOLDERS = (
    ".github/workflows",
    ".gitlab",
    ".gitlab/ci",
    ".tekton",
    "tekton",
    ".circleci",
    ".buildkite",
    ".woodpecker",
    "ci",
    ".ci",
    "workflows",
    "workflow-templates",
    "argo",
    ".argo",
    "pipelines",
    ".pipelines",
    "build",
    "scripts",
)
# Build files that may sit beside a Dockerfile or in any folder above it.
_NEARBY = compile_lazily(
    r"(?i:makefile|gnumakefile|.*\.mk|(docker-)?compose.*\.ya?ml|jenkinsfile.*|.*\.jenkinsfile|"
    r"cloudbuild.*\.(ya?ml|json)|skaffold.*\.ya?ml|\.gitlab-ci\.ya?ml|.*\.sh)"
)
_CI_FILE = compile_lazily(r"(?i:.*\.(ya?ml|json|sh|groovy)|jenkinsfile.*|makefile)")
# Bigger files are not build configuration; reading them would only cost time.
_LARGEST = 512 * 1024
# A quick test before looking at lines: most files name none of these.
_WORDS = compile_lazily(r"(?i:kaniko|buildkit|buildx|build-push-action|buildctl|buildah|podman|docker\s+(compose|build))")
# A line that may hold a credential is named by its place only: findings end up in CI logs
# and pull requests (kaniko's registry login is written in the same files).
_SENSITIVE = compile_lazily(r"(?i)pass|token|secret|auth|credential|key")
_KANIKO = compile_lazily(r"(?i)\bkaniko\b")
_KANIKO_MOUNTS = compile_lazily(r"(?i)\bFF_KANIKO_RUN_MOUNT_CACHE\b\W{1,3}(true|1)\b")
# The docker CLI reads DOCKER_BUILDKIT as a Go boolean.
_LEGACY = compile_lazily(r"(?i)\bDOCKER_BUILDKIT\b[\"']?\s*[:=]\s*[\"']?(0|false|f)\b")
# Compose v2 (`docker compose`, the CLI plugin) builds with BuildKit unless told not to.
_BUILDKIT = compile_lazily(
    r"(?i)\bDOCKER_BUILDKIT\b[\"']?\s*[:=]\s*[\"']?(1|true|t)\b|\bbuildx\b|docker/build-push-action|"
    r"docker/setup-buildx-action|\bbuildctl\b|\bbuildah\b|\bpodman\s+(build|compose)\b|\bdocker\s+compose\b"
)
# `docker build` on a GitHub-hosted Ubuntu runner: its Docker (23.0 and later for years)
# builds with BuildKit by default. On a self-hosted runner, or elsewhere, the version is
# not known.
_DOCKER_BUILD = compile_lazily(r"(?i)\bdocker\s+build\b")
_HOSTED_UBUNTU = compile_lazily(r"(?m)^\s*runs-on:\s*\[?\s*[\"']?ubuntu-")


class Sighting(NamedTuple):
    """A line of a build file that names a builder: `path` is relative to the repository;
    `text`, the line as shown (empty where it may hold a credential)."""

    path: str
    line: int
    builder: str
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: `{self.text}`" if self.text else f"{self.path}:{self.line}"


class BuilderEvidence(NamedTuple):
    """What a repository's build files say: builders that reject cache mounts, and
    builders that have them. Each list in the order the files were read."""

    rejecting: tuple[Sighting, ...] = ()
    mounting: tuple[Sighting, ...] = ()


NO_EVIDENCE = BuilderEvidence()


@lru_cache(maxsize=256)
def builder_evidence(directory: Path) -> BuilderEvidence:
    """The evidence for a Dockerfile in `directory` (an absolute path): its repository's
    CI files, and the build files from `directory` up to the repository's root. Read
    once per run and folder: the fix loop asks again on every pass."""
    from .writer import repository_root

    root = repository_root(directory)
    files = [*_root_files(root), *_nearby_files(directory, root)]
    rejecting: list[Sighting] = []
    mounting: list[Sighting] = []
    for path in dict.fromkeys(files):
        found = _sightings(path, root)
        for sighting in found:
            (rejecting if sighting.builder in ("kaniko", "legacy builder") else mounting).append(sighting)
    return BuilderEvidence(tuple(rejecting), tuple(mounting))


@lru_cache(maxsize=64)
def _root_files(root: Path) -> tuple[Path, ...]:
    """The CI files of the repository at `root`; read once per run."""
    found = [root / name for name in _ROOT_FILES if (root / name).is_file()]
    for folder in _ROOT_FOLDERS:
        found.extend(root / folder / name for name in _files_in(root / folder) if _CI_FILE.fullmatch(name))
    return tuple(found)


@lru_cache(maxsize=1024)
def _nearby_files(directory: Path, root: Path) -> tuple[Path, ...]:
    """The build files in `directory` and each folder above it, up to `root`."""
    found = [directory / name for name in _files_in(directory) if _NEARBY.fullmatch(name)]
    if directory != root and directory.parent != directory and root in directory.parents:
        found.extend(_nearby_files(directory.parent, root))
    return tuple(found)


def _files_in(folder: Path) -> list[str]:
    """The names of the regular files in `folder`, sorted; none if it cannot be read."""
    try:
        with os.scandir(folder) as entries:
            return sorted(entry.name for entry in entries if entry.is_file())
    except OSError:
        return []


@lru_cache(maxsize=1024)
def _sightings(path: Path, root: Path) -> tuple[Sighting, ...]:
    """The lines of `path` that name a builder, comments left out."""
    try:
        if path.stat().st_size > _LARGEST:
            return ()
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ()
    if not _WORDS.search(text):
        return ()
    relative = path.relative_to(root).as_posix() if root in path.parents else path.name
    kaniko_mounts = bool(_KANIKO_MOUNTS.search(text))
    hosted = relative.startswith(".github/workflows/") and bool(_HOSTED_UBUNTU.search(text))
    found: list[Sighting] = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "//")) or not _WORDS.search(stripped):
            continue
        shown = "" if _SENSITIVE.search(stripped) else stripped if len(stripped) <= 80 else stripped[:77] + "..."
        if _LEGACY.search(stripped):
            found.append(Sighting(relative, number, "legacy builder", shown))
        elif _KANIKO.search(stripped):
            found.append(Sighting(relative, number, "kaniko with cache mounts" if kaniko_mounts else "kaniko", shown))
        elif _BUILDKIT.search(stripped):
            found.append(Sighting(relative, number, "BuildKit", shown))
        elif hosted and _DOCKER_BUILD.search(stripped):
            found.append(Sighting(relative, number, "BuildKit (a GitHub-hosted runner's Docker)", shown))
    return tuple(found)
