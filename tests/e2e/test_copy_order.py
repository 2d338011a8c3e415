"""DFX105 in a real builder: after the fix, a source edit no longer reruns the install.

The project copies everything before `pip install -r requirements.txt`. dockerfix's fix
copies the requirements file first, installs, then copies the rest. Both versions are
built with layer caching on (`--layers`, like BuildKit's default), a source file is
edited, and both are built again: the builder's own step log must show the original
rerunning the install (pip collects packages again) and the fixed one taking the install
step from its layer cache (`Using cache`), with pip not running at all.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ORIGINAL = """\
FROM debian:bookworm
ARG PIP_INDEX_URL
ARG PIP_TRUSTED_HOST
WORKDIR /srv/app
COPY . .
RUN pip install -r requirements.txt
CMD ["python3", "-m", "app"]
"""

RESULTS = Path(__file__).resolve().parents[2] / ".cache" / "e2e" / "results" / "copy-order.json"
_PIP_RAN = re.compile(r"^(Collecting|Successfully installed) ", re.MULTILINE)
_STEP = re.compile(r"^STEP \d+/\d+: ", re.MULTILINE)


def install_step(output: str) -> str:
    """The builder's log of the `RUN pip install` step, from its STEP line to the next."""
    starts = [match.start() for match in _STEP.finditer(output)] + [len(output)]
    for start, end in zip(starts, starts[1:]):
        section = output[start:end]
        if section.split("\n", 1)[0].endswith("RUN pip install -r requirements.txt"):
            return section
    raise AssertionError(f"no install step in the build output:\n{output}")


def make_project(root: Path, packages: list[str]) -> Path:
    root.mkdir()
    (root / "requirements.txt").write_text("\n".join(packages) + "\n")
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "__main__.py").write_text("print('version 1')\n")
    (root / "Dockerfile").write_text(ORIGINAL)
    return root


def fixed_copy(original: Path) -> Path:
    fixed = original.with_name("fixed")
    shutil.copytree(original, fixed)
    result = subprocess.run(
        [sys.executable, "-m", "fixer", "--write", "--select", "DFX105", "Dockerfile"],
        cwd=fixed,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and "DFX105" in result.stdout, result.stdout + result.stderr
    return fixed


def test_the_fix_keeps_the_install_layer_across_a_source_edit(builder, package_index, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    original = make_project(tmp_path / "original", package_index.packages[:2])
    fixed = fixed_copy(original)
    text = (fixed / "Dockerfile").read_text()
    assert text.index("COPY requirements.txt") < text.index("RUN pip install") < text.index("COPY . .")

    steps = {}
    for project in (original, fixed):
        builder.build_ok(project, layers=True)
        (project / "app" / "__main__.py").write_text("print('version 2')\n")
        steps[project.name] = install_step(builder.build_ok(project, layers=True).output)

    summary = {
        name: {"layer_reused": "Using cache" in step, "pip_lines": len(_PIP_RAN.findall(step))}
        for name, step in steps.items()
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=2) + "\n")
    assert "Using cache" not in steps["original"]
    assert _PIP_RAN.search(steps["original"]), steps["original"]
    assert "Using cache" in steps["fixed"], steps["fixed"]
    assert not _PIP_RAN.search(steps["fixed"]), steps["fixed"]
