"""`dockerfix wheelhouse` end to end: the wheels downloaded from the local index for the
image (Debian bookworm's Python 3.11, not necessarily this machine's), the install
rewritten to the offline form, and a real build that installs from the wheelhouse alone:
the index serves it nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .builder import Builder
from .conftest import PackageIndex
from .test_cache_rules import REQUIREMENTS

DOCKERFILE = """\
FROM debian:bookworm
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
"""


def wheelhouse(context: Path, index: PackageIndex, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PIP_CONFIG_FILE": os.devnull, "PIP_TRUSTED_HOST": index.host}
    return subprocess.run([sys.executable, "-m", "fixer", "wheelhouse", ".", "--index-url", index.url, *args],
                          cwd=context, env=environment, capture_output=True, text=True, check=False, timeout=600)  # fmt: skip


def test_an_offline_build_installs_from_the_wheelhouse_alone(builder: Builder, package_index: PackageIndex, tmp_path: Path) -> None:
    context = tmp_path / "app"
    context.mkdir()
    (context / "requirements.txt").write_text(REQUIREMENTS)
    (context / "Dockerfile").write_text(DOCKERFILE)
    done = wheelhouse(context, package_index, "--platform", "linux/amd64" if os.uname().machine == "x86_64" else "linux/arm64")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "for CPython 3.11, glibc 2.36" in done.stdout and "Debian bookworm's python3" in done.stdout
    assert sorted(path.name for path in (context / "wheels").iterdir()) == sorted(package_index.files)

    rewritten = wheelhouse(context, package_index, "--rewrite", "offline", "--write")
    assert rewritten.returncode == 0, rewritten.stdout + rewritten.stderr
    assert (context / "Dockerfile").read_text() == DOCKERFILE.replace(
        "RUN pip install -r", "COPY wheels/ /wheels/\nRUN pip install --no-index --find-links=/wheels -r")

    served = sum(package_index.requests.values()) + sum(package_index.page_requests.values())
    build = builder.build_ok(context)
    assert sum(package_index.requests.values()) + sum(package_index.page_requests.values()) == served, "the index served the build nothing"
    assert "Successfully installed" in build.output and "Downloading" not in build.output, build.output
