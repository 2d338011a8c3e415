"""What `-j/--jobs` buys on a repository of many Dockerfiles; run by hand.

    .venv/bin/python benchmarks/jobs.py [--copies 3] [--jobs 1 2 4]

The repository is the reach corpus's real public Dockerfiles (`.cache/reach/files`,
fetched by `benchmarks/reach.py`; without it, the project's own examples and realistic
projects), each copied `--copies` times into a scratch directory, as a monorepo with
many services would have them. Each `-j` value runs `dockerfix --check --quiet` over it
in a fresh process (start-up included, as a user or CI sees it), the best of three;
the output must be the same for every value.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REACH_FILES = ROOT / ".cache" / "reach" / "files"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=3)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    options = parser.parse_args()
    sources = sorted(REACH_FILES.iterdir()) if REACH_FILES.is_dir() else sorted(
        [*ROOT.glob("examples/*/Dockerfile"), *ROOT.glob("tests/realistic/*/Dockerfile*")]
    )  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="dockerfix-jobs-") as scratch:
        for copy in range(options.copies):
            for index, source in enumerate(sources):
                target = Path(scratch) / f"copy{copy}" / f"svc{index}" / "Dockerfile"
                target.parent.mkdir(parents=True)
                shutil.copyfile(source, target)
        count = len(sources) * options.copies
        print(f"{count} Dockerfiles ({len(sources)} distinct), {os.cpu_count()} CPUs, `dockerfix --check --quiet -j N`:")
        outputs = set()
        for jobs in options.jobs:
            best, output = _best_run(jobs, Path(scratch))
            outputs.add(output)
            print(f"  -j {jobs}: {best:6.2f} s   {count / best:6.0f} files/s")
        assert len(outputs) == 1, "the output differs between -j values"


def _best_run(jobs: int, directory: Path) -> tuple[float, str]:
    program = [sys.executable, "-m", "fixer", "--check", "--quiet", "--format", "concise", "-j", str(jobs), "."]
    times, output = [], ""
    for _ in range(3):
        started = time.perf_counter()
        done = subprocess.run(program, cwd=directory, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - started)
        output = done.stdout
    return min(times), output


if __name__ == "__main__":
    main()
