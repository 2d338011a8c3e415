"""How many real Dockerfiles get a finding, before and after a change; run by hand.

    .venv/bin/python benchmarks/reach.py [BASE] [--sample N --seed S] [--no-contexts]
    .venv/bin/python benchmarks/reach.py --extract      # only extract the trees

Why: the tests say a rule is right on the files we wrote; they cannot say how many
real files it reaches, nor whether a new rule (DFX111 cache-mount-missing) changes how
often the others fire. This script answers that on a fixed corpus of public Python
Dockerfiles (`benchmarks/reach/manifest.tsv`, see `benchmarks/reach/README.md`),
with the same texts run through two versions of the code:

- BASE (default 3e31ec6, the commit before DFX111), from a temporary
  `git worktree add --detach` in /tmp, removed at the end;
- this checkout (its working tree, uncommitted edits included).

Each version runs in a process of its own (as `benchmarks/compare.py` does), with
`PYTHONPATH` pointing at its tree, and calls `fixer.engine.check_text` on every text
twice: with the default settings (what `--write` fixes) and with `--unsafe-fixes`.
Each file gets its real build context, the same for both versions: its repository's
tree at the manifest's commit, extracted once from the bare git snapshots under
`--mirrors` (default /work/.mirror) into `.cache/reach/repos/<owner>__<name>__<commit12>/`
(files over 1 MB left out, an empty `.git` at the root so that dockerfix's
`repository_root` stops there), and the context is the Dockerfile's folder in it, as
the CLI takes it. Extraction happens by itself for missing trees whose snapshot is
there, or alone with `--extract`. With `--no-contexts` (or no trees and no snapshots)
the rules get `build_context=None` and those that read the repository (COPY ordering,
the builder DFX111 trusts) see "unknown". A finding counts as *fixed safe* when the
default run fixes it, *fixed unsafe* when only the `--unsafe-fixes` run does, *no fix*
otherwise.

Texts come from `.cache/reach/files/` (git-ignored); a missing one is fetched from
raw.githubusercontent.com (short timeout) and kept there, and any text whose sha256
differs from the manifest's is counted as missing. Output: a markdown table on stdout,
everything per file and finding in `.cache/reach/results.json`, and with `--sample N`
N random files that got a DFX111 fix (else any fix) now, with the diff `dockerfix fix
--unsafe-fixes PATH` prints when run from the root of the file's tree (so the build
context and builder evidence apply), in `.cache/reach/sample.md`, for a human to judge.
Standard library only, plus the project itself.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import shutil
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "benchmarks" / "reach" / "manifest.tsv"
CACHE = ROOT / ".cache" / "reach"
FILES = CACHE / "files"
REPOS = CACHE / "repos"  # one extracted tree per repository and commit: the build contexts
MIRRORS = Path("/work/.mirror")  # bare git snapshots, one folder per owner+name
LARGEST = 1024 * 1024  # tree files over this size are left out (no rule reads such files)
RAW = "https://raw.githubusercontent.com/{repo}/{commit}/{path}"
DEFAULT_BASE = "3e31ec6"
CHILD_TIMEOUT = 600  # seconds for one version over the whole corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("base", nargs="?", default=DEFAULT_BASE, help=f"the earlier revision (default {DEFAULT_BASE})")
    parser.add_argument("--manifest", type=Path, default=MANIFEST, help="the corpus (repo, path, commit, sha256)")
    parser.add_argument("--sample", type=int, default=0, metavar="N", help="write N fixed files and their diffs to sample.md")
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="random seed for --sample (default 0)")
    parser.add_argument("--no-download", action="store_true", help="never fetch a missing text")
    parser.add_argument(
        "--contexts",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="give each file its repository's tree as build context (default: yes when the trees or the mirrors are there)",
    )
    parser.add_argument("--extract", action="store_true", help="only extract the missing trees from the mirrors, then stop")
    parser.add_argument("--mirrors", type=Path, default=MIRRORS, help=f"the bare git snapshots (default {MIRRORS})")
    parser.add_argument("--jobs", type=int, default=4, metavar="J", help="trees extracted at once (default 4)")
    options = parser.parse_args()
    started = time.perf_counter()

    rows = read_manifest(options.manifest)
    if options.extract:
        print(describe_extraction(extract_trees(rows, options.mirrors, options.jobs)))
        return
    texts, missing = load_texts(rows, download=not options.no_download)
    print(f"corpus: {len(rows)} files in the manifest, {len(texts)} loaded, {len(missing)} missing", file=sys.stderr)

    use_contexts = options.contexts
    if use_contexts is None:
        use_contexts = options.mirrors.is_dir() or (REPOS.is_dir() and any(REPOS.glob("*__*")))
    extraction = None
    if use_contexts:
        extraction = extract_trees([row for row, _ in texts], options.mirrors, options.jobs)
        print(describe_extraction(extraction), file=sys.stderr)
    contexts = {
        row["key"]: assign_context(row, extraction, "--no-contexts" if options.contexts is False else "no trees, no mirrors")
        for row, _ in texts
    }

    with tempfile.TemporaryDirectory(prefix="dockerfix-reach-") as scratch:
        texts_file = Path(scratch) / "texts.json"
        texts_file.write_text(
            json.dumps([[row["key"], row["path"], text, contexts[row["key"]][0]] for row, text in texts]),
            encoding="utf-8",
        )
        base_tree = Path(scratch) / "base"
        base_commit = _worktree_add(options.base, base_tree)
        try:
            outputs = {name: Path(scratch) / f"{name}.json" for name in ("base", "current")}
            children = {
                "base": _start_child(base_tree, texts_file, outputs["base"], diffs=False),
                "current": _start_child(ROOT, texts_file, outputs["current"], diffs=True),
            }
            results = {name: _finish_child(name, child, outputs[name]) for name, child in children.items()}
        finally:
            _worktree_remove(base_tree)

    head = _git("rev-parse", "HEAD").strip()
    dirty = bool(_git("status", "--porcelain", "--untracked-files=no").strip())
    files = []
    for row, text in texts:
        files.append(
            {
                **{k: row[k] for k in ("key", "repo", "path", "commit")},
                "cache": str((FILES / row["key"]).relative_to(ROOT)),
                "installers": installers(text),
                "context": _relative(contexts[row["key"]][0]),
                "tree": _relative(contexts[row["key"]][2]),
                "no_context": contexts[row["key"]][1],
                "base": results["base"][row["key"]],
                "current": results["current"][row["key"]],
            }
        )
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "base": {"revision": options.base, "commit": base_commit},
        "current": {"commit": head, "uncommitted_changes": dirty},
        "missing": missing,
        "contexts": {"used": bool(use_contexts), "extraction": _extraction_summary(extraction)},
        "files": files,
    }
    CACHE.mkdir(parents=True, exist_ok=True)
    (CACHE / "results.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(render(report, time.perf_counter() - started))
    if options.sample:
        sample_path = CACHE / "sample.md"
        chosen = choose_sample(report, options.sample, options.seed)
        runs = {file["key"]: _cli_diff(file) for file in chosen if file["context"]}
        sample_path.write_text(render_sample(report, chosen, runs, options.seed), encoding="utf-8")
        for file in chosen:
            run = runs.get(file["key"])
            if run and (run["stderr"].strip() or run["returncode"] not in (0, 1)):
                print(f"dockerfix CLI on {file['tree']}/{file['path']} (exit {run['returncode']}):\n{run['stderr'].rstrip()}")
        print(f"\nsample of {options.sample} (seed {options.seed}): {sample_path.relative_to(ROOT)}")


# --- the corpus -------------------------------------------------------------------


def cache_key(repo: str, path: str) -> str:
    owner, name = repo.split("/", 1)
    return f"{owner}__{name}__{path.replace('/', '__')}"


def read_manifest(manifest: Path) -> list[dict[str, str]]:
    rows = []
    lines = manifest.read_text(encoding="utf-8").splitlines()
    for line in lines[1:]:  # the header
        if not line.strip() or line.startswith("#"):
            continue
        repo, path, commit, sha256 = line.split("\t")
        rows.append({"repo": repo, "path": path, "commit": commit, "sha256": sha256, "key": cache_key(repo, path)})
    return rows


def load_texts(rows: list[dict[str, str]], download: bool) -> tuple[list[tuple[dict[str, str], str]], list[dict[str, str]]]:
    """Each row's text, from the cache or (once) from GitHub, checked against its sha256."""
    FILES.mkdir(parents=True, exist_ok=True)
    texts, missing = [], []
    for row in rows:
        file = FILES / row["key"]
        data, why = None, "not in the cache"
        if file.exists():
            data = file.read_bytes()
        elif download:
            data, why = _download(row)
            if data is not None and hashlib.sha256(data).hexdigest() == row["sha256"]:
                file.write_bytes(data)
        if data is not None and hashlib.sha256(data).hexdigest() != row["sha256"]:
            data, why = None, "sha256 differs from the manifest"
        if data is None:
            missing.append({"repo": row["repo"], "path": row["path"], "why": why})
            continue
        try:
            texts.append((row, data.decode("utf-8")))
        except UnicodeDecodeError:
            missing.append({"repo": row["repo"], "path": row["path"], "why": "not UTF-8"})
    return texts, missing


def _download(row: dict[str, str]) -> tuple[bytes | None, str]:
    url = RAW.format(repo=row["repo"], commit=row["commit"], path=urllib.request.quote(row["path"]))
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (a fixed https URL)
            return response.read(), ""
    except OSError as exc:
        return None, f"download failed ({exc})"


_INSTALLS = {
    "pip": re.compile(r"\bpip(?:3(?:\.\d+)?)?(?:\s+-{1,2}[\w-]+(?:[= ][^\s-]\S*)?)*\s+install\b|\bpython[\d.]*\s+-m\s+pip\s+install\b", re.I),
    "uv": re.compile(r"\buv\s+(?:pip\s+(?:install|sync)|sync|add|tool\s+install)\b", re.I),
    "poetry": re.compile(r"\bpoetry\s+(?:install|add|sync)\b", re.I),
    "pipenv": re.compile(r"\bpipenv\s+(?:install|sync)\b", re.I),
    "pdm": re.compile(r"\bpdm\s+(?:install|sync|add)\b", re.I),
}


def installers(text: str) -> list[str]:
    """The Python installers the RUN instructions call (continuations joined, comment lines
    dropped); the rule the corpus was selected by. `uv pip install` counts as uv only."""
    found: set[str] = set()
    lines = text.replace("\r\n", "\n").split("\n")
    index = 0
    while index < len(lines):
        if re.match(r"\s*RUN\b", lines[index], re.I):
            parts = [lines[index]]
            while parts[-1].rstrip().endswith("\\") and index + 1 < len(lines):
                index += 1
                parts.append(lines[index])
            heredoc = re.search(r"<<-?\s*['\"]?(\w+)['\"]?", "\n".join(parts))
            while heredoc and index + 1 < len(lines) and lines[index + 1].strip() != heredoc.group(1):
                index += 1
                parts.append(lines[index])
            body = "\n".join(part for part in parts if not part.lstrip().startswith("#"))
            for name, pattern in _INSTALLS.items():
                if pattern.search(re.sub(r"\buv\s+pip\b", "uv-pip", body) if name == "pip" else body):
                    found.add(name)
        index += 1
    return sorted(found)


# --- the build contexts -----------------------------------------------------------


def tree_name(row: dict[str, str]) -> str:
    owner, name = row["repo"].split("/", 1)
    return f"{owner}__{name}__{row['commit'][:12]}"


def mirror_git_dir(mirrors: Path, repo: str) -> Path | None:
    """The git directory of the repository's snapshot: `<owner>+<name>/repo` (bare) or
    `<owner>+<name>/repo/.git`, else any folder below holding HEAD and objects."""
    top = mirrors / repo.replace("/", "+")
    candidates = [top / "repo", top / "repo" / ".git", top]
    if top.is_dir():
        candidates += sorted(head.parent for head in top.glob("*/*/HEAD"))
    for candidate in candidates:
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return candidate
    return None


def extract_trees(rows: list[dict[str, str]], mirrors: Path, jobs: int) -> dict:
    """Every row's repository tree at its commit in `REPOS/<owner>__<name>__<commit12>/`,
    extracted once: a tree already there is kept. Each is written into `REPOS/.part/` and
    renamed into place when whole, so an interrupted or concurrent run never leaves half
    a tree under the final name. Returns, per tree name, how it went, and the totals."""
    from concurrent.futures import ThreadPoolExecutor

    started = time.perf_counter()
    (REPOS / ".part").mkdir(parents=True, exist_ok=True)
    _remove_stale_parts()
    wanted = {tree_name(row): row for row in rows}
    trees: dict[str, dict] = {}
    todo = []
    for name, row in wanted.items():
        if (REPOS / name).is_dir():
            trees[name] = {"status": "present", **_read_stats(name)}
        else:
            todo.append((name, row))
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for name, outcome in zip([name for name, _ in todo], pool.map(lambda item: _extract_one(*item, mirrors), todo)):
            trees[name] = outcome
    return {"trees": trees, "seconds": time.perf_counter() - started}


def _extract_one(name: str, row: dict[str, str], mirrors: Path) -> dict:
    if (REPOS / name).is_dir():  # a concurrent run has just put it there
        return {"status": "present", **_read_stats(name)}
    git_dir = mirror_git_dir(mirrors, row["repo"])
    if git_dir is None:
        return {"status": "failed", "why": f"no snapshot of {row['repo']} under {mirrors}"}
    part = REPOS / ".part" / f"{name}.{os.getpid()}.{threading.get_ident()}"
    shutil.rmtree(part, ignore_errors=True)
    try:
        stats = _write_tree(git_dir, row["commit"], part)
        (part / ".git").mkdir()  # an empty .git: dockerfix's repository_root stops here
        stats["disk"] = _disk_usage(part)
        (REPOS / ".part" / f"{part.name}.json").write_text(json.dumps(stats), encoding="utf-8")
        try:
            part.rename(REPOS / name)
        except OSError:  # another run put it there first: keep theirs
            if not (REPOS / name).is_dir():
                raise
            return {"status": "present", **_read_stats(name)}
        (REPOS / ".part" / f"{part.name}.json").replace(REPOS / f"{name}.json")
        return {"status": "extracted", **stats}
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        return {"status": "failed", "why": f"{type(exc).__name__}: {exc}"}
    finally:
        shutil.rmtree(part, ignore_errors=True)
        (REPOS / ".part" / f"{part.name}.json").unlink(missing_ok=True)


def _write_tree(git_dir: Path, commit: str, destination: Path) -> dict:
    """The files of `commit` under `destination`, read with `git ls-tree` and `git cat-file
    --batch` (not `git archive`, which stops at the first blob a snapshot lacks): files
    over LARGEST, submodules and blobs missing from the snapshot are left out, and so is
    a symbolic link that points out of the tree."""
    listing = subprocess.run(
        ["git", "--git-dir", str(git_dir), "ls-tree", "-r", "-l", "-z", "--full-tree", commit],
        capture_output=True,
        timeout=300,
    )
    if listing.returncode != 0:
        raise ValueError(f"git ls-tree {commit[:12]} failed: {listing.stderr.decode(errors='replace').strip()}")
    stats = {"files": 0, "bytes": 0, "large": 0, "absent": 0, "other": 0}
    entries = []
    for record in listing.stdout.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, object_id, size = meta.decode().split()
        path = raw_path.decode("utf-8", errors="surrogateescape")
        parts = path.split("/")
        if kind != "blob" or path.startswith("/") or any(part in ("", ".", "..", ".git") for part in parts):
            stats["other"] += 1  # a submodule, or a path no checkout would write
        elif not size.isdigit():  # "BAD": git could not read the blob, absent from the snapshot
            stats["absent"] += 1
        elif int(size) > LARGEST:
            stats["large"] += 1
        else:
            entries.append((mode, object_id, path))
    destination.mkdir(parents=True)
    batch = subprocess.Popen(
        ["git", "--git-dir", str(git_dir), "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert batch.stdin is not None and batch.stdout is not None
    try:
        for mode, object_id, path in entries:
            batch.stdin.write(object_id.encode() + b"\n")
            batch.stdin.flush()
            header = batch.stdout.readline().split()
            if len(header) != 3:  # "<id> missing": the snapshot lacks this blob
                stats["absent"] += 1
                continue
            data = batch.stdout.read(int(header[2]))
            batch.stdout.read(1)  # the newline after each object
            target = destination / path
            target.parent.mkdir(parents=True, exist_ok=True)
            if mode == "120000":
                link = os.path.normpath(os.path.join(os.path.dirname(path), os.fsdecode(data)))
                if os.path.isabs(os.fsdecode(data)) or link == ".." or link.startswith("../"):
                    stats["other"] += 1
                    continue
                os.symlink(os.fsdecode(data), target)
            else:
                target.write_bytes(data)
                if mode == "100755":
                    target.chmod(0o755)
            stats["files"] += 1
            stats["bytes"] += len(data)
    finally:
        batch.stdin.close()
        batch.wait(timeout=60)
    return stats


def _disk_usage(folder: Path) -> int:
    total = 0
    for directory, _, names in os.walk(folder):
        for name in names:
            try:
                total += os.lstat(os.path.join(directory, name)).st_blocks * 512
            except OSError:
                pass
    return total


def _read_stats(name: str) -> dict:
    try:
        return json.loads((REPOS / f"{name}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _remove_stale_parts() -> None:
    """Half-written trees of runs that are gone (their process id is in the name)."""
    for part in (REPOS / ".part").iterdir():
        try:
            pid = int(part.name.split(".")[-3 if part.suffix == ".json" else -2])
        except (ValueError, IndexError):
            continue
        if pid == os.getpid():
            continue
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            if part.is_dir():
                shutil.rmtree(part, ignore_errors=True)
            else:
                part.unlink(missing_ok=True)
        except OSError:
            pass


def describe_extraction(extraction: dict) -> str:
    summary = _extraction_summary(extraction)
    line = (
        f"trees: {summary['trees']} wanted, {summary['present']} already there, {summary['extracted']} extracted "
        f"in {summary['seconds']:.1f}s, {summary['failed']} failed; {summary['disk'] / 1e6:.0f} MB on disk in "
        f"{REPOS.relative_to(ROOT)}/ ({summary['files']} files; left out: {summary['large']} over "
        f"{LARGEST // 1024 // 1024} MB, {summary['absent']} absent from the snapshots, {summary['other']} submodules "
        "or links out of the tree)"
    )
    failed = [f"  - {name}: {tree['why']}" for name, tree in extraction["trees"].items() if tree["status"] == "failed"]
    return "\n".join([line, *failed])


def _extraction_summary(extraction: dict | None) -> dict | None:
    if extraction is None:
        return None
    trees = extraction["trees"].values()
    summary = {"trees": len(trees), "seconds": round(extraction["seconds"], 2)}
    for status in ("present", "extracted", "failed"):
        summary[status] = sum(tree["status"] == status for tree in trees)
    for field in ("disk", "files", "large", "absent", "other"):
        summary[field] = sum(tree.get(field, 0) for tree in trees)
    summary["failures"] = {name: tree["why"] for name, tree in extraction["trees"].items() if tree["status"] == "failed"}
    return summary


def assign_context(row: dict[str, str], extraction: dict | None, off: str) -> tuple[str | None, str, str | None]:
    """(build context, why there is none, tree): the Dockerfile's folder in its
    repository's tree, as the dockerfix CLI takes the file's parent directory; none
    when the tree is not there or its Dockerfile is not the manifest's text."""
    if extraction is None:
        return None, off, None
    name = tree_name(row)
    tree = extraction["trees"].get(name, {})
    if tree.get("status") not in ("present", "extracted") or not (REPOS / name).is_dir():
        return None, f"no tree ({tree.get('why', 'not extracted')})", None
    dockerfile = REPOS / name / row["path"]
    try:
        data = dockerfile.read_bytes()
    except OSError:
        return None, "the Dockerfile is not in its tree", None
    if hashlib.sha256(data).hexdigest() != row["sha256"]:
        return None, "the tree's Dockerfile differs from the manifest's", None
    return str(dockerfile.parent.resolve()), "", str(REPOS / name)


def _relative(path: str | None) -> str | None:
    return None if path is None else str(Path(path).relative_to(ROOT)) if Path(path).is_relative_to(ROOT) else path


# --- the two versions ------------------------------------------------------------


def _git(*args: str) -> str:
    done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"reach.py: git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def _worktree_add(revision: str, destination: Path) -> str:
    commit = _git("rev-parse", "--verify", f"{revision}^{{commit}}").strip()
    _git("worktree", "add", "--detach", "--quiet", str(destination), commit)
    return commit


def _worktree_remove(destination: Path) -> None:
    done = subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(destination)], capture_output=True, text=True
    )
    if done.returncode != 0:
        print(f"reach.py: could not remove the worktree {destination}: {done.stderr.strip()}", file=sys.stderr)
        subprocess.run(["git", "-C", str(ROOT), "worktree", "prune"], capture_output=True)


def _start_child(tree: Path, texts: Path, output: Path, diffs: bool) -> subprocess.Popen[str]:
    """This script's `_child` in a fresh interpreter that imports `fixer` from `tree`."""
    environment = dict(os.environ, PYTHONPATH=str(tree), PYTHONHASHSEED="0")
    argv = [sys.executable, __file__, "--child", str(tree), str(texts), str(output), "diffs" if diffs else "-"]
    return subprocess.Popen(argv, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish_child(name: str, child: subprocess.Popen[str], output: Path) -> dict[str, dict]:
    try:
        _, stderr = child.communicate(timeout=CHILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        child.kill()
        sys.exit(f"reach.py: the {name} run took more than {CHILD_TIMEOUT}s")
    if child.returncode != 0:
        sys.exit(f"reach.py: the {name} run failed:\n{stderr}")
    return json.loads(output.read_text(encoding="utf-8"))


def _child(tree: str, texts_file: str, output: str, mode: str) -> None:
    """In a fresh interpreter with `tree` first on the path: every text through
    `check_text`, default settings then `--unsafe-fixes`; a crash is recorded, not raised."""
    import traceback

    import fixer
    from fixer.engine import Settings, check_text
    from fixer.rules import ALL_RULES

    here = Path(fixer.__file__).resolve()
    assert Path(tree).resolve() in here.parents, f"fixer was imported from {here}, not from {tree}"
    try:
        from fixer.builders import builder_evidence  # not in every version
    except ImportError:
        builder_evidence = None
    safe, unsafe = Settings(), Settings(unsafe_fixes=True)
    results: dict[str, dict] = {}
    for key, name, text, context in json.loads(Path(texts_file).read_text(encoding="utf-8")):
        start = time.perf_counter()
        build_context = Path(context) if context else None
        try:
            results[key] = _check_one(name, text, check_text, ALL_RULES, safe, unsafe, mode == "diffs", build_context)
            if builder_evidence is not None and build_context is not None:
                evidence = builder_evidence(build_context)
                results[key]["builders"] = {
                    "rejecting": [[s.builder, str(s)] for s in evidence.rejecting[:3]],
                    "mounting": [[s.builder, str(s)] for s in evidence.mounting[:3]],
                }
        except Exception as exc:  # a crash of dockerfix on this file: a bug to report
            results[key] = {"status": "crash", "error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
        results[key]["seconds"] = round(time.perf_counter() - start, 4)
    Path(output).write_text(json.dumps(results), encoding="utf-8")


def _check_one(name, text, check_text, rules, safe, unsafe, diffs: bool, build_context: Path | None) -> dict:
    """One text's findings, each with how it is fixed: by `--write` ("safe"), only with
    `--unsafe-fixes` ("unsafe"), or not at all (None)."""
    default = check_text(name, text, rules, safe, build_context)
    if default.parse_errors:
        errors = [f"{e.line}:{e.column}: {e.message}" for e in default.parse_errors]
        return {"status": "parse-error", "error": "; ".join(errors)}
    with_unsafe = check_text(name, text, rules, unsafe, build_context)
    fixed_with_unsafe = {(d.code, d.span.start) for i, d in enumerate(with_unsafe.diagnostics) if i in with_unsafe.fixed}
    findings = []
    for index, diagnostic in enumerate(default.diagnostics):
        fix = default.fixed_later.get(index) or diagnostic.fix
        if index in default.fixed:
            fixed = "safe"
        elif (diagnostic.code, diagnostic.span.start) in fixed_with_unsafe:
            fixed = "unsafe"
        else:
            fixed = None
        findings.append(
            {
                "code": diagnostic.code,
                "name": diagnostic.name,
                "line": default.tree.position(diagnostic.span.start)[0],
                "message": diagnostic.message,
                "applicability": fix.applicability.value if fix is not None else "none",
                "fixed": fixed,
                "caveat": getattr(fix, "caveat", "") if fix is not None else "",
                "no_fix": getattr(diagnostic, "no_fix", None),  # not in every version
            }
        )
    entry = {
        "status": "ok",
        "findings": findings,
        "revealed": [d.code for d in with_unsafe.later],
        "changed_safe": default.changed,
        "changed_unsafe": with_unsafe.changed,
        "fix_error": default.error or with_unsafe.error,
    }
    if diffs and with_unsafe.changed:
        from fixer.output.diff import dry_run
        from fixer.output.model import file_report

        entry["diff_unsafe"] = dry_run(file_report(with_unsafe, unsafe))
    return entry


# --- output ----------------------------------------------------------------------


def render(report: dict, seconds: float) -> str:
    files = report["files"]
    versions = ("base", "current")
    codes = sorted({f["code"] for file in files for v in versions for f in file[v].get("findings", [])})
    names = {f["code"]: f["name"] for file in files for v in versions for f in file[v].get("findings", [])}
    base, now = report["base"], report["current"]
    out = [
        f"## Reach: {len(files)} Dockerfiles, {len({f['repo'] for f in files})} repositories",
        "",
        f"base = {base['revision']} ({base['commit'][:10]}); current = this checkout "
        f"({now['commit'][:10]}{', with uncommitted changes' if now['uncommitted_changes'] else ''}). "
        "Each cell: base → current.",
        "",
        _contexts_line(report),
        "",
        "| rule | files | findings | fixed safe | fixed unsafe | no fix |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]

    def cell(count) -> str:
        a, b = (count(v) for v in versions)
        return f"{a} → {b}"

    for code in codes:
        def of(version: str, fixed=...) -> list[dict]:
            return [
                f for file in files for f in file[version].get("findings", [])
                if f["code"] == code and (fixed is ... or f["fixed"] == fixed)
            ]

        def with_code(version: str) -> int:
            return sum(any(f["code"] == code for f in file[version].get("findings", [])) for file in files)

        out.append(
            f"| {code} {names[code]} | {cell(with_code)} | {cell(lambda v: len(of(v)))} "
            f"| {cell(lambda v: len(of(v, 'safe')))} | {cell(lambda v: len(of(v, 'unsafe')))} "
            f"| {cell(lambda v: len(of(v, None)))} |"
        )

    def files_where(test) -> str:
        return cell(lambda v: sum(bool(test(file[v])) for file in files))

    out += [
        f"| **any rule** | {files_where(lambda r: r.get('findings'))} "
        f"| {cell(lambda v: sum(len(file[v].get('findings', [])) for file in files))} "
        f"| {cell(lambda v: sum(f['fixed'] == 'safe' for file in files for f in file[v].get('findings', [])))} "
        f"| {cell(lambda v: sum(f['fixed'] == 'unsafe' for file in files for f in file[v].get('findings', [])))} "
        f"| {cell(lambda v: sum(f['fixed'] is None for file in files for f in file[v].get('findings', [])))} |",
        "",
        f"- files with any finding: {files_where(lambda r: r.get('findings'))}",
        f"- files `--write` changes: {files_where(lambda r: r.get('changed_safe'))}; "
        f"with `--unsafe-fixes`: {files_where(lambda r: r.get('changed_unsafe'))}",
        f"- findings revealed only once fixes are in (not counted above): "
        f"{cell(lambda v: sum(len(file[v].get('revealed', [])) for file in files))}",
        f"- files whose fixes did not hold up (left unchanged): {files_where(lambda r: r.get('fix_error'))}",
    ]
    for version in versions:
        out += [
            f"  - {version} `{file['cache']}`: {file[version]['fix_error']}"
            for file in files
            if file[version].get("fix_error")
        ]
    extraction = report["contexts"]["extraction"]
    if extraction is not None:
        out.append(
            f"- trees: {extraction['trees']} ({extraction['extracted']} extracted this run in {extraction['seconds']:.1f}s, "
            f"{extraction['failed']} failed), {extraction['disk'] / 1e6:.0f} MB on disk; left out of them: "
            f"{extraction['large']} files over 1 MB, {extraction['absent']} absent from the snapshots"
        )
    without = Counter(file["no_context"] for file in files if not file["context"])
    if without:
        out.append("- files without a build context: " + "; ".join(f"{n} {why}" for why, n in without.most_common()))
    by_installer = Counter(name for file in files for name in file["installers"])
    out.append("- corpus by installer (a file may use several): " + ", ".join(f"{k} {v}" for k, v in by_installer.most_common()))
    for version in versions:
        for status, label in (("parse-error", "did not parse"), ("crash", "CRASHED dockerfix")):
            bad = [file for file in files if file[version]["status"] == status]
            if bad:
                out.append(f"- {version}: {len(bad)} file(s) {label}:")
                out += [f"  - `{file['cache']}`: {file[version]['error']}" for file in bad]
    if report["missing"]:
        out.append(f"- missing texts: {len(report['missing'])}")
        out += [f"  - {m['repo']} {m['path']}: {m['why']}" for m in report["missing"]]
    slowest = max(files, key=lambda file: file["current"]["seconds"], default=None)
    if slowest is not None:
        total = sum(file["current"]["seconds"] for file in files)
        out.append(
            f"- time: {seconds:.1f}s in all; current checks {total:.1f}s, slowest `{slowest['cache']}` "
            f"{slowest['current']['seconds']:.2f}s"
        )
    out += render_dfx111(files)
    return "\n".join(out)


def _contexts_line(report: dict) -> str:
    files = report["files"]
    used = sum(bool(file["context"]) for file in files)
    if not report["contexts"]["used"]:
        return f"Build contexts: **none** (`build_context=None` for all {len(files)} files)."
    return (
        f"Build contexts: **used**, the same for both versions: the Dockerfile's folder in its repository's tree "
        f"at the manifest's commit, for {used} files; {len(files) - used} without."
    )


# What a DFX111 finding without a fix gives as its reason, by the reason's first words.
_NO_FIX_REASONS = (
    (r"kaniko builds this repository", "kaniko builds this repository"),
    (r"selects Docker's legacy builder", "selects Docker's legacy builder"),
    (r"keeps (\S+?)'s cache off", r"keeps \1's cache off"),
    (r"where (\S+) caches is not known", r"where \1 caches is not known"),
    (r"(\S+?)'s cache directory .*? cannot be written as a --mount target", r"\1's cache directory cannot be a mount target"),
    (r"the user (\S+) runs as is not known", r"the user \1 runs as is not known"),
)


def _first_words(text: str, count: int = 16) -> str:
    """The start of a reason: up to its first colon or comma, quotes and parentheses left out."""
    text = re.sub(r"\([^()]*\)|`[^`]*`", "", text)
    text = re.split(r"[:,;] ", text, maxsplit=1)[0]
    return " ".join(text.split()[:count])


def no_fix_reasons(no_fix: str) -> list[str]:
    """The kinds of reason a DFX111 `no_fix` sentence gives (it joins several with "; ",
    each after the call it is about)."""
    found = []
    for pattern, label in _NO_FIX_REASONS:
        found += dict.fromkeys(match.expand(label) for match in re.finditer(pattern, no_fix))
    if found or not no_fix:
        return found or ["(no reason given)"]
    head, colon, rest = no_fix.partition(": ")
    return [_first_words(rest if colon and len(head) <= 60 else no_fix)]


def render_dfx111(files: list[dict]) -> list[str]:
    """DFX111's decisions now: a safe fix, an unsafe one, or none (and why), split by
    whether the file had its build context."""
    groups = {"with context": [f for f in files if f["context"]], "without": [f for f in files if not f["context"]]}
    findings = {
        label: [(file, f) for file in group for f in file["current"].get("findings", []) if f["code"] == "DFX111"]
        for label, group in groups.items()
    }
    if not any(findings.values()):
        return []
    out = [
        "",
        "### DFX111 cache-mount-missing: the fix it offers now (current)",
        "",
        "| fix | " + " | ".join(f"{label} ({len(groups[label])} files)" for label in groups) + " |",
        "| --- | ---: | ---: |",
    ]
    for kind, label in (("safe", "safe"), ("unsafe", "unsafe"), ("none", "no fix")):
        counts = (str(sum(f["applicability"] == kind for _, f in findings[g])) for g in groups)
        out.append(f"| {label} | " + " | ".join(counts) + " |")
    out.append("| findings | " + " | ".join(str(len(findings[g])) for g in groups) + " |")
    out.append("")
    for group in groups:
        reasons = Counter(
            r for _, f in findings[group] if f["applicability"] == "none" for r in no_fix_reasons(f["no_fix"] or "")
        )
        if reasons:
            out.append(f"- no fix, {group}, by reason (a finding may give several): "
                       + "; ".join(f"{n} {why}" for why, n in reasons.most_common()))
        caveats = Counter(
            _first_words(piece) for _, f in findings[group] if f["applicability"] == "unsafe"
            for piece in dict.fromkeys((f["caveat"] or "(no caveat)").split("; "))
        )
        if caveats:
            out.append(f"- unsafe, {group}, by caveat: " + "; ".join(f"{n} {why}" for why, n in caveats.most_common()))
    evidence: Counter = Counter()
    for file in {id(file): file for file, _ in findings["with context"]}.values():
        builders = file["current"].get("builders") or {}
        found = [b for b, _ in builders.get("rejecting", [])] or [b for b, _ in builders.get("mounting", [])]
        evidence[found[0] if found else "none"] += 1
    if evidence:
        out.append("- files with a DFX111 finding and a context, by the builder their repository's build files name "
                   "first (rejecting ones first): " + "; ".join(f"{n} {b}" for b, n in evidence.most_common()))
    return out


def choose_sample(report: dict, count: int, seed: int) -> list[dict]:
    """`count` random files fixed now: first those with a DFX111 fix, then any fix."""
    files = [file for file in report["files"] if file["current"].get("diff_unsafe")]
    dfx111 = [f for f in files if any(x["code"] == "DFX111" and x["fixed"] for x in f["current"]["findings"])]
    rng = random.Random(seed)
    chosen = rng.sample(dfx111, min(count, len(dfx111)))
    others = [f for f in files if f not in dfx111]
    chosen += rng.sample(others, min(count - len(chosen), len(others)))
    return chosen


def _cli_diff(file: dict) -> dict:
    """What `dockerfix fix --unsafe-fixes PATH` (this checkout's) prints when run from the
    root of the file's extracted tree: its build context and builder evidence apply."""
    environment = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONHASHSEED="0")
    argv = [sys.executable, "-m", "fixer", "fix", "--unsafe-fixes", file["path"]]
    try:
        done = subprocess.run(argv, cwd=ROOT / file["tree"], env=environment, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        return {"returncode": None, "diff": "", "stderr": "timed out after 300s"}
    return {"returncode": done.returncode, "diff": done.stdout, "stderr": done.stderr}


def render_sample(report: dict, chosen: list[dict], runs: dict[str, dict], seed: int) -> str:
    dfx111 = sum(
        bool(f["current"].get("diff_unsafe")) and any(x["code"] == "DFX111" and x["fixed"] for x in f["current"]["findings"])
        for f in report["files"]
    )
    how = (
        "Each diff is what `dockerfix fix --unsafe-fixes PATH` prints when run from the root of the repository's "
        "tree at the commit (build context: the Dockerfile's folder; DFX111 reads the repository's build files); "
        "a file without a tree shows the dry run without context."
        if report["contexts"]["used"]
        else "Each diff is what `dockerfix fix --unsafe-fixes` prints for the file alone (no build context)."
    )
    out = [
        f"# Reach sample: {len(chosen)} files (seed {seed})",
        "",
        f"{dfx111} of {len(report['files'])} files get a DFX111 fix with `--unsafe-fixes` "
        f"(current = {report['current']['commit'][:10]}); drawn from those first. {how}",
    ]
    for number, file in enumerate(chosen, 1):
        raw = RAW.format(repo=file["repo"], commit=file["commit"], path=file["path"])
        marks = ", ".join(
            f"{f['code']} line {f['line']} ({f['fixed'] or 'no fix'})" for f in file["current"]["findings"]
        )
        run = runs.get(file["key"])
        diff = run["diff"] if run else file["current"]["diff_unsafe"]
        context = f"`{file['context']}`" if file["context"] else f"none ({file['no_context']})"
        out += [
            "",
            f"## {number}. {file['repo']} `{file['path']}`",
            "",
            f"- commit {file['commit']}; {raw}",
            f"- cache: `{file['cache']}`; installers: {', '.join(file['installers'])}",
            f"- build context: {context}",
            f"- findings now: {marks or 'none'}; before: "
            + (", ".join(f["code"] for f in file["base"].get("findings", [])) or "none"),
        ]
        for f in file["current"]["findings"]:
            if f["code"] == "DFX111" and (f["caveat"] or f["no_fix"]):
                why = f"caveat: {f['caveat']}" if f["caveat"] else f"no fix: {f['no_fix']}"
                out.append(f"- DFX111 line {f['line']}: {why}")
        if run:
            same = _diff_body(run["diff"]) == _diff_body(file["current"]["diff_unsafe"])
            out.append(f"- CLI exit {run['returncode']}; " + ("same edits as the in-process run" if same else
                       "**the edits differ from the in-process run's**"))
            if run["stderr"].strip():
                out += ["", "CLI stderr:", "", "```", run["stderr"].rstrip("\n"), "```"]
        out += ["", "```diff", diff.rstrip("\n"), "```"]
    return "\n".join(out) + "\n"


def _diff_body(diff: str) -> list[str]:
    """A diff's changed lines, without the file names of its header."""
    return [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
    else:
        main()
