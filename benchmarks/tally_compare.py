"""tally's cache-mount fixes beside dockerfix's, on the cases of tests/test_against_tally.py; run by hand.

    .venv/bin/pip install -e '.[bench]'          # tally-cli, pinned
    .venv/bin/python benchmarks/tally_compare.py [--tally PATH]

For each case: the directory the install caches in once its cache is on (from dockerfix's
analysis, which the e2e tests check in a builder), the RUN line `tally lint --fix --fix-unsafe --fix-rule
tally/prefer-package-cache-mounts` writes, the one `dockerfix --write --unsafe-fixes`
writes, and whether each mount is where the cache is and usable by the user. A tally
that no longer writes what the test module recorded is named, so the test's account of
tally can be brought up to date.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULE = "tally/prefer-package-cache-mounts"


def load_cases() -> list:  # type: ignore[type-arg]
    spec = importlib.util.spec_from_file_location("test_against_tally", ROOT / "tests" / "test_against_tally.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CASES  # type: ignore[no-any-return]


def fixed_by(command: list[str], text: str) -> str:
    """The Dockerfile after `command` ran on a copy of `text` (in a scratch folder)."""
    with tempfile.TemporaryDirectory(prefix="dockerfix-tally-") as scratch:
        path = Path(scratch) / "Dockerfile"
        path.write_text(text)
        subprocess.run([*command, str(path)], capture_output=True, check=False, cwd=scratch)
        return path.read_text()


def install_line(text: str) -> str:
    return next((line for line in reversed(text.splitlines()) if line.startswith("RUN")), "")


def verdict(line: str, cache: str, uid: int) -> str:
    """Whether the line's mount serves the cache: at its directory, usable by its user."""
    target = re.search(r"target=([^,\s]+)", line)
    if target is None:
        return "no mount"
    if target.group(1) != cache:
        return f"mount at {target.group(1)}, cache at {cache}"
    if uid and f"uid={uid}" not in line:
        return f"mount owned by root, user is uid {uid}"
    return "right"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tally", default=shutil.which("tally"), help="the tally binary (default: on PATH)")
    options = parser.parse_args()
    if not options.tally:
        parser.error("tally is not installed: pip install -e '.[bench]'")
    version = subprocess.run([options.tally, "version"], capture_output=True, text=True, check=False).stdout.strip()
    sys.path.insert(0, str(ROOT))
    from fixer.analysis import analyse
    from fixer.facts import Known
    from fixer.parser import parse
    from fixer.serving import uses

    tally = [options.tally, "lint", "--fix", "--fix-unsafe", "--fix-rule", RULE]
    dockerfix = [sys.executable, "-m", "fixer", "--write", "--unsafe-fixes"]
    print(f"tally: {version.splitlines()[0] if version else options.tally}\n")
    print("| case | cache directory | tally | dockerfix |")
    print("|---|---|---|---|")
    for case in load_cases():
        run = analyse(parse(case.text)).runs[-1]
        use = next(iter(uses(run)))  # judged with its cache switched on, as the cache rules judge it
        user = run.user.value.uid if isinstance(run.user, Known) else 0
        cache = use.on.cache.directory or "?"
        theirs, ours = fixed_by(tally, case.text), fixed_by(dockerfix, case.text)
        tally_line, our_line = install_line(theirs), install_line(ours)
        lost = [line for line in case.text.splitlines() if line.startswith("ENV") and line not in theirs.splitlines()]
        tally_cell = f"`{tally_line}`: {verdict(tally_line, cache, user or 0)}"
        if lost:
            tally_cell += f"; deletes `{'`, `'.join(lost)}`"
        if tally_line != case.tally:
            tally_cell += " (tally now writes this; the test recorded another line)"
        print(f"| {case.name} | {cache} | {tally_cell} | `{our_line}`: {verdict(our_line, cache, user or 0)} |")


if __name__ == "__main__":
    main()
