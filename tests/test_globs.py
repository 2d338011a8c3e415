"""`exclude` and `per-file-ignores` patterns mean what the same lines mean in a
`.gitignore`: each case is checked against git itself on a real tree."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from fixer.globs import PatternError, compile_pattern, compile_patterns, matches

FILES = (
    "foo.txt", "a/foo.txt", "a/b/foo.txt", "build/x", "a/build/y", "docs/a.md", "a/b/c.md", "x.log", "a/keep.log",
    "Dockerfile", "svc/Dockerfile.prod", "svc/legacy/Dockerfile", "weird name/Dockerfile", "a/[x]/Dockerfile",
)  # fmt: skip
CASES = (
    ["foo.txt"], ["/foo.txt"], ["a/foo.txt"], ["build/"], ["*.md"], ["a/**/foo.txt"], ["**/b"], ["a/*.txt"],
    ["*.log", "!a/keep.log"], ["docs/**"], ["f?o.txt"], ["[fb]oo.txt"], ["[!f]oo.txt"], ["svc/"], ["svc/*"],
    ["legacy/"], ["**/legacy/**"], ["Dockerfile*"], ["/svc/legacy"], ["weird name/"], ["a/\\[x\\]/"],
    ["*.txt", "!foo.txt"], ["a/", "!a/foo.txt"], ["**/Dockerfile"], ["svc/**/Dockerfile"],
)  # fmt: skip


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path_factory.mktemp("globs")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    for name in FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x\n")
    return root


def _git_ignored(root: Path, lines: list[str]) -> set[str]:
    (root / ".gitignore").write_text("".join(line + "\n" for line in lines))
    listed = subprocess.run(
        ["git", "ls-files", "--others", "--ignored", "--exclude-standard", "-z"],
        cwd=root, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return {name for name in listed.split("\0") if name}


@pytest.mark.parametrize("lines", CASES, ids=[" ".join(case) for case in CASES])
def test_patterns_match_what_git_ignores(tree: Path, lines: list[str]) -> None:
    patterns = compile_patterns(lines)
    ours = {name for name in FILES if matches(patterns, name, is_directory=False)}
    assert ours == _git_ignored(tree, lines)


def test_a_directory_pattern_matches_the_directory_itself() -> None:
    (pattern,) = compile_patterns(["build/"])
    assert matches((pattern,), "build", is_directory=True)
    assert not matches((pattern,), "build", is_directory=False)


@pytest.mark.parametrize("text", ["/", "!", "a[b"])
def test_a_pattern_that_cannot_work_is_an_error_naming_it(text: str) -> None:
    with pytest.raises(PatternError, match=repr(text).replace("[", r"\[")):
        compile_pattern(text)
