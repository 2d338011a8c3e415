"""Every output format, through the real command line on real example files: what each
shows, that machine formats validate and their edits reproduce the fixed text, and
the run's summary, statistics and exit codes."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from fixer.catalog import page
from fixer.diagnostics import Edit, apply_edits
from fixer.rules import ALL_RULES
from test_cli import dockerfix

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "combined-no-cache-dir-env-home" / "Dockerfile"
URL = "https://github.com/dockerfix/dockerfix/blob/main/docs/rules/"
BROKEN = "FROM a\nENV X\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(EXAMPLE, tmp_path / "Dockerfile")
    (tmp_path / "requirements.txt").write_text("flask\n")
    return tmp_path


def _offsets(text: str, position: dict[str, int]) -> int:
    starts = [0] + [match.end() for match in re.finditer("\n", text)]
    return starts[position["line"] - 1] + position["column"] - 1


def test_json_document_with_positions_fixes_and_the_whole_files_edits(project: Path) -> None:
    (project / "bad.Dockerfile").write_text(BROKEN)
    result = dockerfix("--format", "json", ".", cwd=project)
    assert result.returncode == 2, "a file that does not parse is an error"
    document = json.loads(result.stdout)
    _validate_against_the_documented_schema(document)
    assert document["version"] == 1 and document["tool"]["name"] == "dockerfix"
    files = {entry["path"]: entry for entry in document["files"]}
    assert files["bad.Dockerfile"]["problems"] == [
        {"message": "ENV must have two arguments", "start": {"line": 2, "column": 5}}
    ]
    entry = files["Dockerfile"]
    source = (project / "Dockerfile").read_text()
    fixed = apply_edits(source, [Edit(_offsets(source, e["start"]), _offsets(source, e["end"]), e["content"])
                                 for e in entry["edits"]])  # fmt: skip
    assert entry["changed"] and fixed == _written(project, source)
    first = entry["findings"][0]
    assert set(first) == {"code", "name", "message", "detail", "url", "start", "end", "in_fixed_text", "fixed",
                          "fix", "no_fix"}  # fmt: skip
    assert first["url"] == URL + first["code"] + ".md"
    for finding in entry["findings"]:
        fix = finding["fix"]
        if fix and fix["edits"]:  # a fix of the checked text: its edits give the text that fix alone makes
            start = _offsets(source, finding["start"])
            assert 0 <= start <= len(source) and fix["applicability"] in ("safe", "unsafe")
    assert document["summary"]["files"] == 2 and document["summary"]["errors"] == 1


def _validate_against_the_documented_schema(document: dict) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "docs" / "schemas" / "report-v1.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    errors = [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(document)]
    assert not errors, errors


def _written(project: Path, source: str) -> str:
    """What `--write` makes of the file (then the file is put back)."""
    dockerfix("--write", "Dockerfile", cwd=project)
    written = (project / "Dockerfile").read_text()
    (project / "Dockerfile").write_text(source)
    return written


def test_sarif_validates_against_the_oasis_schema_and_its_fixes_apply(project: Path) -> None:
    sarif_schema = pytest.importorskip("sarif_schema")
    (project / "bad.Dockerfile").write_text(BROKEN)
    (project / "with space.Dockerfile").write_text(EXAMPLE.read_text())
    result = dockerfix("--format", "sarif", ".", cwd=project)
    log = json.loads(result.stdout)
    sarif_schema.validate_sarif(log)
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [rule.code for rule in ALL_RULES]
    assert all(rule["helpUri"] == URL + rule["id"] + ".md" and rule["shortDescription"]["text"] for rule in rules)
    assert run["invocations"][0]["executionSuccessful"] is False
    uris = {result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for result in run["results"]}
    assert uris == {"Dockerfile", "with%20space.Dockerfile"}
    source = EXAMPLE.read_text()
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        for fix in result.get("fixes", []):
            (change,) = fix["artifactChanges"]
            edits = [Edit(r["deletedRegion"]["charOffset"], r["deletedRegion"]["charOffset"] + r["deletedRegion"]["charLength"],
                          r["insertedContent"]["text"]) for r in change["replacements"]]  # fmt: skip
            assert apply_edits(source, edits) != source


def test_github_annotations_escape_and_name_the_rule(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.12\nRUN pip install 'a%b,c'\n"  # a message with % and , in it
    )
    result = dockerfix("--format", "github", cwd=tmp_path)
    (line,) = result.stdout.splitlines()
    assert line.startswith("::error file=Dockerfile,line=2,endLine=2,col=5,endColumn=7,title=DFX111 (cache-mount-missing)::")
    message = line.split("::", 2)[2]
    assert "a%25b,c" in message and "\n" not in message and "%0Adocs: " + URL + "DFX111.md" in message


def test_gitlab_fingerprints_survive_lines_moving_and_differ_between_findings(tmp_path: Path) -> None:
    text = "FROM python:3.12\nRUN pip install a\nRUN pip install a\n"
    (tmp_path / "Dockerfile").write_text(text)
    before = json.loads(dockerfix("--format", "gitlab", cwd=tmp_path).stdout)
    (tmp_path / "Dockerfile").write_text(text.replace("\n", "\n# a comment\n", 1))
    after = json.loads(dockerfix("--format", "gitlab", cwd=tmp_path).stdout)
    assert [issue["fingerprint"] for issue in before] == [issue["fingerprint"] for issue in after]
    assert len({issue["fingerprint"] for issue in before}) == 2
    assert [issue["location"]["lines"]["begin"] for issue in after] == [3, 4]
    assert all(set(issue) == {"description", "check_name", "fingerprint", "severity", "location", "content"}
               for issue in after)  # fmt: skip
    assert all(f"]({URL}DFX111.md)" in issue["content"]["body"] for issue in after)


def test_markdown_summary_for_a_pull_request(project: Path) -> None:
    result = dockerfix("--format", "markdown", cwd=project)
    text = result.stdout
    assert text.startswith("## dockerfix\n\n1 Dockerfile checked: 1 with findings, dockerfix can fix 1.\n")
    assert "### `Dockerfile`" in text and f"]({URL}DFX" in text
    assert "<details><summary>The diff</summary>" in text and "```diff\n--- a/Dockerfile\n+++ b/Dockerfile\n" in text
    assert text.endswith("</details>\n")


def test_full_shows_the_source_the_span_and_the_fix(project: Path) -> None:
    result = dockerfix("--check", "--format", "full", cwd=project)
    blocks = result.stdout.split("\n\n")
    first = blocks[0].splitlines()
    assert re.match(r"Dockerfile:\d+:\d+: DFX\d{3} \[\*\] ", first[0])
    assert any(re.match(r"\s*\| +\^+ DFX\d{3}$", line) for line in first)
    assert any(line.startswith("  safe fix:") for line in first) and first[-1].startswith(f"  docs: {URL}")
    assert "\x1b[" not in result.stdout, "no colour in a pipe"


def test_colour_follows_force_color_and_no_color(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in dockerfix("--check", "--format", "concise", cwd=project).stdout
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in dockerfix("--check", "--format", "concise", cwd=project).stdout
    monkeypatch.delenv("NO_COLOR")
    assert "\x1b[" not in dockerfix("--format", "json", cwd=project).stdout, "machine formats never colour"


def test_concise_is_a_line_a_finding_with_its_page(project: Path) -> None:
    lines = dockerfix("--check", "--format", "concise", cwd=project).stdout.splitlines()
    assert lines and all(re.match(rf"Dockerfile:\d+:\d+: DFX\d{{3}} .* \({re.escape(URL)}DFX\d{{3}}\.md\)$", line)
                         for line in lines)  # fmt: skip


def test_the_summary_line_statistics_and_quiet(project: Path) -> None:
    (project / "clean.Dockerfile").write_text("FROM python:3.12\nCMD [\"python\"]\n")
    result = dockerfix("--check", ".", cwd=project)
    assert re.fullmatch(r"dockerfix: 2 files checked in \d+\.\d\d s: 1 with findings, 1 fixable\n", result.stderr)
    stats = dockerfix("--check", "--statistics", ".", cwd=project)
    rows = stats.stdout.splitlines()
    assert rows and all(re.fullmatch(r"\d+  DFX\d{3}  [a-z-]+(  \(\d+ fixable\))?", row) for row in rows)
    assert sum(int(row.split()[0]) for row in rows) == len(dockerfix("--check", "--format", "concise", ".", cwd=project).stdout.splitlines())
    assert dockerfix("--check", "--quiet", ".", cwd=project).stderr == ""


def test_exit_codes_as_ruff_has_them(project: Path) -> None:
    assert dockerfix("--check", cwd=project).returncode == 1
    assert dockerfix("--check", "--exit-zero", cwd=project).returncode == 0
    (project / "bad.Dockerfile").write_text(BROKEN)
    assert dockerfix("--check", "--exit-zero", ".", cwd=project).returncode == 2, "errors are never zero"
    (project / "bad.Dockerfile").unlink()
    source = (project / "Dockerfile").read_text()
    assert dockerfix("--write", "--exit-non-zero-on-fix", cwd=project).returncode == 1
    (project / "Dockerfile").write_text(source)
    assert dockerfix("--write", cwd=project).returncode == 0, "everything it found, it fixed"
    assert dockerfix("--write", "--exit-non-zero-on-fix", cwd=project).returncode == 0, "nothing left to change"


def test_stdin_with_write_keeps_stdout_for_the_fixed_text(project: Path) -> None:
    source = (project / "Dockerfile").read_text()
    result = dockerfix("--write", "--format", "concise", "-", cwd=project, stdin=source)
    assert result.stdout == _written(project, source)
    assert " DFX" in result.stderr


def test_rules_lists_every_rule_and_prints_a_page(tmp_path: Path) -> None:
    listed = dockerfix("rules", cwd=tmp_path).stdout.splitlines()
    assert listed[0].split() == ["code", "name", "fix", "safety", "finds"]
    for rule, line in zip(ALL_RULES, listed[1:]):
        assert line.startswith(rule.code) and rule.name in line and rule.summary in line
    assert any("DFX111" in line and "sometimes" in line and "safe or unsafe" in line for line in listed)
    assert any("DFX109" in line and "always" in line and " safe " in line for line in listed)
    shown = dockerfix("rules", "dfx101", cwd=tmp_path)
    assert shown.stdout == (ROOT / "docs" / "rules" / "DFX101.md").read_text() + f"\n{URL}DFX101.md\n"
    assert dockerfix("rules", "cache-mount-missing", cwd=tmp_path).stdout.startswith(page(ALL_RULES[10])[:20])
    unknown = dockerfix("rules", "DFX999", cwd=tmp_path)
    assert unknown.returncode == 2 and "names no rule" in unknown.stderr


def test_every_finding_has_a_fix_or_says_why_not() -> None:
    result = dockerfix("--format", "json", "--quiet", "examples", "tests/realistic", cwd=ROOT)
    findings = [(entry["path"], f) for entry in json.loads(result.stdout)["files"] for f in entry["findings"]]
    assert len(findings) > 100
    unexplained = [(path, f["code"], f["message"]) for path, f in findings if f["fix"] is None and not f["no_fix"]]
    assert not unexplained
