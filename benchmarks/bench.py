"""Speed figures for the README and issue notes; run by hand, never from a test.

    .venv/bin/pip install -e '.[bench]' && .venv/bin/python benchmarks/bench.py

Measures, on one core: files per second for the parser over the valid 20-80 line
Dockerfiles in benchmarks/corpus/ and tests/corpus/ (the full dry run joins when the rules exist), the
time of a 20,000-line file (no quadratic path), and one file's whole command-line run
against hadolint's (the `bench` extra installs it; the file has no heredoc, which
hadolint cannot parse).
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TESTS_CORPUS = HERE.parent / "tests" / "corpus"
REALISTIC = HERE.parent / "tests" / "realistic"
sys.path.insert(0, str(HERE.parent))

from fixer.engine import Settings, check_text  # noqa: E402
from fixer.parser import parse  # noqa: E402
from fixer.report import dry_run  # noqa: E402
from fixer.rules import ALL_RULES  # noqa: E402


def full_dry_run(text: str) -> str:
    """Parse, analyse, run every rule, fix to a fixpoint, and render the diff."""
    settings = Settings()
    return dry_run(check_text("Dockerfile", text, ALL_RULES, settings), settings)


def per_second(function, texts: list[str], seconds: float = 2.0) -> float:
    """Files per second, the best of several rounds to dampen noise from the machine."""
    rates = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(rates) < 3:
        start = time.perf_counter()
        for text in texts:
            function(text)
        rates.append(len(texts) / (time.perf_counter() - start))
    return max(rates)


def command_time(argv: list[str], runs: int = 10) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    candidates = sorted((HERE / "corpus").glob("*.Dockerfile")) + sorted(TESTS_CORPUS.glob("*.Dockerfile"))
    texts = [path.read_text(encoding="utf-8") for path in candidates]
    texts = [text for text in texts if 20 <= text.count("\n") <= 80 and not parse(text).errors]
    lines = sum(text.count("\n") for text in texts) / len(texts)
    print(f"corpus: {len(texts)} files, {lines:.0f} lines on average")
    print(f"parse: {per_second(parse, texts):,.0f} files/s")
    print(f"full dry run (parse, analysis, all rules, fixes, diff): {per_second(full_dry_run, texts):,.0f} files/s")
    buggy = [path.read_text(encoding="utf-8") for path in sorted(REALISTIC.glob("*/Dockerfile"))]
    print(f"full dry run over {len(buggy)} realistic projects (half with bugs): {per_second(full_dry_run, buggy):,.0f} files/s")

    big = "".join(texts) * (20_000 // max(sum(t.count(chr(10)) for t in texts), 1) + 1)
    start = time.perf_counter()
    parse(big)
    print(f"parse of a {big.count(chr(10)):,}-line file: {time.perf_counter() - start:.3f} s")
    start = time.perf_counter()
    full_dry_run(big)
    print(f"full dry run of the same file: {time.perf_counter() - start:.3f} s")

    dockerfix = str(Path(sys.executable).with_name("dockerfix"))
    hadolint = str(Path(sys.executable).with_name("hadolint"))
    target = str(HERE / "corpus" / "no-heredoc.Dockerfile")
    print(f"dockerfix on one file: {command_time([dockerfix, target]) * 1000:.0f} ms (median of 10)")
    if Path(hadolint).exists():
        print(f"hadolint on the same file: {command_time([hadolint, target]) * 1000:.0f} ms (median of 10)")


if __name__ == "__main__":
    main()
