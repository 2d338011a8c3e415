"""This checkout's full dry run against an earlier commit's, on the same files; run by hand.

    .venv/bin/python benchmarks/compare.py 9a5328d [--rounds 5] [--instructions] [--reach] [--split]

An issue's "no slower than before" compares two versions of the code on one machine.
Both run the earlier commit's typical files (its `bench.typical_texts()`): the work
both can do, whatever files were added since. With `--reach` they run instead the
20-80 line files of the reach corpus that the earlier commit parses (real public
Dockerfiles, fetched into `.cache/reach/files/` by `benchmarks/reach.py`): the typical
files were written to show bugs, most of them get fixes; real files mostly have no
sign of BuildKit, so few of their fixes are safe. Each version runs in processes of its
own, with its own `benchmarks/bench.py` (`full_dry_run`, `per_second`), bytecode
compiled first; the earlier one from a copy of the commit (`git archive`) in a
temporary directory, removed afterwards.

- Files per second: the two alternate (earlier, this, earlier, ...) for `--rounds`
  rounds, each the best of several passes through the files; the median round is
  reported with the spread. On a shared machine the spread is several per cent, so a
  difference smaller than that says nothing.
- `--instructions` (needs valgrind): the instructions one pass through the files
  executes, counted by callgrind, which does not depend on the machine's load. The
  count of three passes minus that of one, halved, so that start-up and imports drop
  out; the hash seed is fixed, so the count repeats to within a few thousand.
- `--split`: where each version's time per file goes, the best of several passes:
  the first look at the file (parse and the first check), and the rest (choosing and
  applying fixes, reading and checking the fixed text again until nothing changes,
  the diff). A file that gets a fix is checked at least twice; one that does not, once.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REACH_FILES = ROOT / ".cache" / "reach" / "files"  # `benchmarks/reach.py` keeps the corpus's texts here


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("base", help="the earlier commit (any git revision)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved wall-clock rounds (default 5)")
    parser.add_argument("--instructions", action="store_true", help="count instructions with valgrind's callgrind")
    parser.add_argument("--reach", action="store_true", help="run the reach corpus's typical files instead")
    parser.add_argument("--split", action="store_true", help="split each version's time: first look, and the rest")
    options = parser.parse_args()
    if options.instructions and shutil.which("valgrind") is None:
        parser.error("--instructions needs valgrind on PATH")
    with tempfile.TemporaryDirectory(prefix="dockerfix-compare-") as scratch:
        base = Path(scratch) / "base"
        _export(options.base, base)
        texts = Path(scratch) / "texts.json"
        if options.reach and not any(REACH_FILES.glob("*")):
            parser.error(f"--reach needs the corpus in {REACH_FILES}: run benchmarks/reach.py first")
        texts.write_text(_run_child(base, REACH_FILES if options.reach else None, "texts"), encoding="utf-8")
        count = len(json.loads(texts.read_text(encoding="utf-8")))
        trees = {options.base: base, "this checkout": ROOT}
        which = f"typical files of the reach corpus, as {options.base} parses them" if options.reach else \
            f"typical files of {options.base}"  # fmt: skip
        print(f"the {count} {which}, full dry run (parse, analysis, rules, fixes, diff)")
        rates: dict[str, list[float]] = {name: [] for name in trees}
        for _ in range(options.rounds):
            for name, tree in trees.items():
                rates[name].append(float(_run_child(tree, texts, "rate")))
        _report("files per second, median of the interleaved rounds (lowest-highest)", rates, larger_is_better=True)
        if options.instructions:
            counts = {name: [_instructions(tree, texts)] for name, tree in trees.items()}
            _report("instructions per pass through the files (callgrind)", counts, larger_is_better=False)
        if options.split:
            _report_split({name: json.loads(_run_child(tree, texts, "split")) for name, tree in trees.items()})


def _export(revision: str, destination: Path) -> None:
    """The files of `revision` in `destination`, without touching the checkout."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", revision], capture_output=True)
    if archive.returncode != 0:
        sys.exit(f"compare.py: cannot export {revision}: {archive.stderr.decode(errors='replace').strip()}")
    destination.mkdir()
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        if hasattr(tarfile, "data_filter"):  # Python 3.11.4 and later
            tar.extractall(destination, filter="data")
        else:
            tar.extractall(destination)  # noqa: S202 (our own repository's archive)


def _run_child(tree: Path, texts: Path | None, mode: str, prefix: list[str] | None = None) -> str:
    """Run `_child` of this script in a fresh interpreter for `tree`, and give back what it prints."""
    argv = [*(prefix or []), sys.executable, "-X", "frozen_modules=off", __file__, "--child", str(tree), str(texts), mode]
    environment = dict(os.environ, PYTHONHASHSEED="0") if prefix else dict(os.environ)
    done = subprocess.run(argv, capture_output=True, text=True, env=environment)
    if done.returncode != 0:
        sys.exit(f"compare.py: measuring {tree} failed:\n{done.stderr}")
    return done.stdout


def _instructions(tree: Path, texts: Path) -> float:
    """Instructions of one pass through the texts: (three passes - one pass) / 2."""
    counts = []
    for passes in (1, 3):
        with tempfile.NamedTemporaryFile(prefix="callgrind-") as out:
            prefix = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out.name}"]
            _run_child(tree, texts, str(passes), prefix)
            totals = re.search(r"^totals: (\d+)", Path(out.name).read_text(encoding="utf-8"), re.MULTILINE)
            assert totals is not None, "callgrind wrote no totals"
            counts.append(int(totals.group(1)))
    return (counts[1] - counts[0]) / 2


def _report(title: str, values: dict[str, list[float]], *, larger_is_better: bool) -> None:
    print(title)
    (base_name, base), (name, now) = values.items()
    before, after = statistics.median(base), statistics.median(now)
    for label, series, middle in ((base_name, base, before), (name, now, after)):
        spread = f"  ({min(series):,.0f}-{max(series):,.0f})" if len(series) > 1 else ""
        print(f"  {label:16} {middle:14,.0f}{spread}")
    change = (after / before - 1) * 100
    better = change > 0 if larger_is_better else change < 0
    print(f"  this checkout is {abs(change):.1f}% {'faster' if better else 'slower'}" if change else "  the same")


def _report_split(splits: dict[str, dict[str, float]]) -> None:
    print("microseconds per file: first look (parse, first check), the rest (fixes, later checks, diff)")
    for name, split in splits.items():
        first, rest = split["first"], split["total"] - split["first"]
        print(f"  {name:16} {first:8,.0f} + {rest:8,.0f} = {split['total']:8,.0f}   {split['passes']:.2f} checks a file")


def _split(bench, texts: list[str], rounds: int = 20) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Microseconds per file of the whole dry run and of its first look (`engine.parse`
    and the first `engine.diagnose` of each file), the best of `rounds`; and checks a file."""
    from time import perf_counter

    engine = bench.engine
    first, checks = [0.0], [0, 0]  # time of the first looks; checks in this round, in this file

    def timed(function, is_check: bool):  # type: ignore[no-untyped-def]
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            if is_check:
                checks[0] += 1
                checks[1] += 1
                if checks[1] > 1:
                    return function(*args, **kwargs)
            start = perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                first[0] += perf_counter() - start

        return wrapper

    engine.parse, engine.diagnose = timed(engine.parse, False), timed(engine.diagnose, True)
    best_total, best_first = float("inf"), float("inf")
    for _ in range(rounds):
        first[0], checks[0] = 0.0, 0
        start = perf_counter()
        for text in texts:
            checks[1] = 0
            bench.full_dry_run(text)
        total = perf_counter() - start
        if total < best_total:
            best_total, best_first = total, first[0]
    count = len(texts)
    return {"first": best_first / count * 1e6, "total": best_total / count * 1e6, "passes": checks[0] / count}


def _child(tree: Path, texts_file: str, mode: str) -> None:
    """In a fresh interpreter: the tree's typical texts (`texts`; with a folder for
    `texts_file`, those of the folder's files that are typical for the tree's parser),
    its files per second (`rate`), where its time goes (`split`), or that many passes of its full dry run through the
    texts (a number)."""
    import compileall

    compileall.compile_dir(str(tree / "fixer"), quiet=1)
    spec = importlib.util.spec_from_file_location("bench", tree / "benchmarks" / "bench.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)  # puts the tree first on sys.path: its own fixer
    if mode == "texts":
        if texts_file == "None":
            print(json.dumps(bench.typical_texts()))
            return
        candidates = (path.read_text(encoding="utf-8", errors="replace") for path in sorted(Path(texts_file).iterdir()))
        texts = dict.fromkeys(candidates)
        print(json.dumps([t for t in texts if 20 <= t.count("\n") <= 80 and not bench.parse(t).errors]))
        return
    texts = json.loads(Path(texts_file).read_text(encoding="utf-8"))
    if mode == "rate":
        print(bench.per_second(bench.full_dry_run, texts, 2.0))
        return
    if mode == "split":
        print(json.dumps(_split(bench, texts)))
        return
    for _ in range(int(mode)):
        for text in texts:
            bench.full_dry_run(text)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(Path(sys.argv[2]), sys.argv[3], sys.argv[4])
    else:
        main()
