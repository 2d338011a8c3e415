"""Speed figures for the README and issue notes; run by hand, never from a test.

    .venv/bin/pip install -e '.[bench]' && .venv/bin/python benchmarks/bench.py

Measures, on one core, against the budget in the developers' guide:
- files per second for the parser and for the full dry run (parse, analysis, all
  rules, fixes to a fixpoint, diff) over the valid 20-80 line Dockerfiles of
  tests/realistic/*/, examples/*/ and benchmarks/corpus/, each text once ("typical";
  budget: 2,500 files/s; the examples are copies of realistic projects), and the full
  dry run over all of tests/realistic/ (half of them have bugs to fix, most are shorter);
- a 20,000-line file (no quadratic path; budget: under 1 s), and a pathological one of
  the same length where 1,000 fixes apply (the fix loop, its self-check and the diff);
- one file's `dockerfix --check FILE` as a process against hadolint's on the same file
  (the `bench` extra installs it; the file has no heredoc, which hadolint cannot
  parse), the median of 21 runs each; budget: no slower than hadolint.

Bytecode is compiled first (as a regular install has it), even where the environment
sets PYTHONDONTWRITEBYTECODE; the command runs are then given the same environment.

`--phases` prints instead where one pass over a typical file goes (parse, stages, the
rest of the eager analysis, the facts the rules ask for, the rules) and how many passes
the fix loop makes per file.
"""

from __future__ import annotations

import compileall
import gc
import os
import statistics
import subprocess
import sys
import sysconfig
import time
from pathlib import Path
from unittest import mock

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "examples"
REALISTIC = HERE.parent / "tests" / "realistic"
sys.path.insert(0, str(HERE.parent))

from fixer import engine  # noqa: E402
from fixer.analysis import analyse  # noqa: E402
from fixer.engine import Settings, check_text  # noqa: E402
from fixer.parser import parse  # noqa: E402
from fixer.output.diff import dry_run  # noqa: E402
from fixer.output.model import file_report  # noqa: E402
from fixer.rules import ALL_RULES  # noqa: E402
from fixer.rules.base import Context  # noqa: E402
from fixer.stages import analyse_stages  # noqa: E402

# One stage of the pathological file: a cache mount that ENV HOME moves away from pip's
# cache (DFX101 fixes it), padded to 20 lines; 1,000 of them make 20,000 lines.
_BUGGY_STAGE = """FROM python:3.12-slim AS app{n}
ENV PYTHONDONTWRITEBYTECODE=1 \\
    PYTHONUNBUFFERED=1
WORKDIR /app
ENV HOME=/app
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip \\
    pip install -r requirements.txt
COPY . .
RUN python -m compileall -q .
EXPOSE 8000
USER nobody
CMD ["gunicorn", "app.wsgi:application", "--bind", "0.0.0.0:8000"]
"""


def full_dry_run(text: str) -> str:
    """Parse, analyse, run every rule, fix to a fixpoint, and render the diff."""
    settings = Settings()
    return dry_run(file_report(check_text("Dockerfile", text, ALL_RULES, settings), settings))


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


def best_time(function, text: str, rounds: int = 3) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function(text)
        times.append(time.perf_counter() - start)
    return min(times)


def command_time(argv: list[str], runs: int = 21) -> float:
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=environment, cwd=HERE.parent
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def typical_texts() -> list[str]:
    """The valid 20-80 line Dockerfiles of the realistic projects, the examples and
    benchmarks/corpus/, each distinct text once."""
    candidates = (
        sorted(REALISTIC.glob("*/Dockerfile*"))
        + sorted(EXAMPLES.glob("*/Dockerfile"))
        + sorted((HERE / "corpus").glob("*.Dockerfile"))
    )
    texts = dict.fromkeys(path.read_text(encoding="utf-8") for path in candidates)
    return [text for text in texts if 20 <= text.count("\n") <= 80 and not parse(text).errors]


def microseconds(function, items: list, rounds: int = 200) -> float:  # type: ignore[no-untyped-def]
    """Microseconds per item, the best of `rounds` passes over all of them."""
    best = float("inf")
    collecting = gc.isenabled()
    gc.disable()  # as check_text does
    try:
        for _ in range(rounds):
            start = time.perf_counter()
            for item in items:
                function(item)
            best = min(best, time.perf_counter() - start)
    finally:
        if collecting:
            gc.enable()
    return best / len(items) * 1e6


def phases(texts: list[str]) -> None:
    """Where one pass over a typical file goes, each phase timed on its own."""
    trees = [parse(text) for text in texts]
    rules = [rule() for rule in ALL_RULES]

    def with_facts(tree):  # type: ignore[no-untyped-def]
        return sum(len(run.installs) for run in analyse(tree).runs)  # what every rule asks for

    def diagnosed(tree):  # type: ignore[no-untyped-def]
        context = Context("Dockerfile", tree, analyse(tree))
        return [diagnostic for rule in rules for diagnostic in rule.check(context)]

    parsing = microseconds(parse, texts)
    stages = microseconds(analyse_stages, trees)
    eager = microseconds(analyse, trees)
    facts = microseconds(with_facts, trees)
    checked = microseconds(diagnosed, trees)
    full = microseconds(full_dry_run, texts, rounds=50)
    with mock.patch.object(engine, "diagnose", wraps=engine.diagnose) as counted:
        for text in texts:
            full_dry_run(text)
    passes = counted.call_count / len(texts)
    print(f"one pass over a typical file ({len(texts)} files), microseconds per file, each phase on its own:")
    print(f"  parse                          {parsing:6.0f}")
    print(f"  stages                         {stages:6.0f}")
    print(f"  rest of the eager analysis     {eager - stages:6.0f}   (RUN facts, pre-filters, shell parse, user replay)")
    print(f"  facts the rules ask for        {facts - eager:6.0f}   (installer calls, their caches, mounts)")
    print(f"  rules                          {checked - facts:6.0f}")
    print(f"  one pass                       {parsing + checked:6.0f}")
    print(f"full dry run: {full:.0f} microseconds per file, {passes:.2f} passes (the fix loop reads again what")
    print("a fix changed, re-checks the fixed file), plus fixes, self-check and diff")


def pathological_file() -> str:
    stage = _BUGGY_STAGE + "# padding\n" * (20 - _BUGGY_STAGE.count("\n"))
    return "".join(stage.format(n=n) for n in range(1000))


def main() -> None:
    for directory in (HERE.parent / "fixer", sysconfig.get_paths()["purelib"]):
        compileall.compile_dir(str(directory), quiet=1)
    texts = typical_texts()
    if "--phases" in sys.argv[1:]:
        phases(texts)
        return
    lines = sum(text.count("\n") for text in texts) / len(texts)
    buggy = [path.read_text(encoding="utf-8") for path in sorted(REALISTIC.glob("*/Dockerfile"))]
    print(f"typical corpus: {len(texts)} files, {lines:.0f} lines on average; realistic: {len(buggy)} projects")
    print(f"parse, typical:         {per_second(parse, texts):7,.0f} files/s")
    print(f"full dry run, typical:  {per_second(full_dry_run, texts):7,.0f} files/s   (budget 2,500)")
    print(f"full dry run, realistic:{per_second(full_dry_run, buggy):7,.0f} files/s")

    big = "".join(texts) * (20_000 // max(sum(t.count("\n") for t in texts), 1) + 1)
    print(f"parse of a {big.count(chr(10)):,}-line file:            {best_time(parse, big):.3f} s")
    print(f"full dry run of the same file:           {best_time(full_dry_run, big):.3f} s   (budget 1 s)")
    patho = pathological_file()
    fixes = len(check_text("Dockerfile", patho, ALL_RULES, Settings()).fixed)
    print(
        f"full dry run, {patho.count(chr(10)):,} lines with {fixes:,} fixes: "
        f"{best_time(full_dry_run, patho, rounds=2):.3f} s   (budget 1 s)"
    )

    dockerfix = Path(sys.executable).with_name("dockerfix")
    hadolint = str(Path(sys.executable).with_name("hadolint"))
    target = str(HERE / "corpus" / "no-heredoc.Dockerfile")
    module = [sys.executable, "-m", "fixer", "--check", target]  # this tree's code, whatever is installed
    print(f"python -m fixer --check, one file: {command_time(module) * 1000:5.1f} ms (median of 21)")
    if dockerfix.exists():
        print(f"dockerfix --check on one file: {command_time([str(dockerfix), '--check', target]) * 1000:5.1f} ms")
    if Path(hadolint).exists():
        print(f"hadolint on the same file:     {command_time([hadolint, target]) * 1000:5.1f} ms (median of 21)")
    python = [sys.executable, "-c", "pass"]
    print(f"(python -c pass:               {command_time(python) * 1000:5.1f} ms, the floor of any Python CLI)")


if __name__ == "__main__":
    main()
