"""The GitHub Action (action.yml): its metadata, and its scripts run as the runner runs
them, with a fake GITHUB_* environment in a scratch repository."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from samples import BROKEN, FIXED_RUN

yaml = pytest.importorskip("yaml")  # PyYAML comes with pre-commit in the test extra

ROOT = Path(__file__).resolve().parent.parent


def test_the_action_is_composite_and_its_outputs_come_from_the_run_step() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    run_script = (ROOT / "action" / "run.sh").read_text()
    for name, output in action["outputs"].items():
        assert output["value"] == f"${{{{ steps.run.outputs.{name} }}}}"
        assert re.search(rf'echo "{re.escape(name)}(=|<<)', run_script), f"run.sh never sets {name}"
    used = set(re.findall(r"inputs\.([a-z-]+)", (ROOT / "action.yml").read_text()))
    assert used == set(action["inputs"]), "every input is used, and only inputs that exist"
    for step in action["runs"]["steps"]:
        for value in step.get("env", {}).values():
            assert re.fullmatch(r"\$\{\{ inputs\.[a-z-]+ \}\}", value), "inputs reach the scripts as variables only"
        assert "${{ inputs." not in step.get("run", ""), "no input is spliced into a script"


def _runner(tmp_path: Path) -> dict[str, str]:
    """A scratch repository with a broken Dockerfile, and the environment a runner gives a step."""
    repo = tmp_path / "repo"
    repo.mkdir(parents=True)
    (repo / "Dockerfile").write_text(BROKEN)
    (repo / "requirements.txt").write_text("flask\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "start"], cwd=repo, check=True)
    runner = tmp_path / "runner"
    runner.mkdir()
    (runner / "output").write_text("")
    (runner / "summary").write_text("")
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("GITHUB_", "DOCKERFIX_"))}
    return environment | {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",  # where this checkout's dockerfix is
        "GITHUB_OUTPUT": str(runner / "output"),
        "GITHUB_STEP_SUMMARY": str(runner / "summary"),
        "RUNNER_TEMP": str(runner),
        "GITHUB_ACTION_PATH": str(ROOT),
        "REPO": str(repo),
    }


def _run_step(environment: dict[str, str], **inputs: str) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    environment = environment | {f"DOCKERFIX_{key.upper()}": value for key, value in inputs.items()}
    done = subprocess.run(["bash", str(ROOT / "action" / "run.sh")], cwd=environment["REPO"], env=environment,
                          capture_output=True, text=True, check=False)  # fmt: skip
    return done, _outputs(Path(environment["GITHUB_OUTPUT"]).read_text())


def _outputs(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT as the runner reads it: `name=value` lines and `name<<DELIMITER` blocks."""
    outputs, lines = {}, iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            outputs[name] = "\n".join(iter(lambda: next(lines), delimiter))
        else:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs


def test_check_mode_annotates_summarises_and_reports_the_exit_code(tmp_path: Path) -> None:
    environment = _runner(tmp_path)
    done, outputs = _run_step(environment, mode="check")
    assert done.returncode == 0, done.stderr
    assert outputs["exit-code"] == "1" and outputs["changed"] == "false" and outputs["sarif-file"] == ""
    assert "::error file=Dockerfile,line=6,endLine=6,col=31" in done.stdout
    summary = Path(environment["GITHUB_STEP_SUMMARY"]).read_text()
    assert summary.startswith("## dockerfix\n") and "dockerfix can fix 1" in summary
    assert outputs["markdown"] == summary.rstrip("\n") == Path(outputs["markdown-file"]).read_text().rstrip("\n")
    assert (Path(environment["REPO"]) / "Dockerfile").read_text() == BROKEN, "check mode never writes"


def test_fix_mode_writes_the_fixes_and_reports_what_is_left_as_sarif(tmp_path: Path) -> None:
    environment = _runner(tmp_path)
    done, outputs = _run_step(environment, mode="fix", sarif="true", annotations="false")
    assert done.returncode == 0, done.stderr
    assert outputs["exit-code"] == "0" and outputs["changed"] == "true"
    assert (Path(environment["REPO"]) / "Dockerfile").read_text().endswith(FIXED_RUN + "\n")
    assert "dockerfix fixed 1" in outputs["markdown"] and "::error" not in done.stdout
    log = json.loads(Path(outputs["sarif-file"]).read_text())
    assert log["runs"][0]["results"] == [], "nothing is left to report"
    sarif_schema = pytest.importorskip("sarif_schema")
    sarif_schema.validate_sarif(log)


def test_inputs_are_words_never_shell_code(tmp_path: Path) -> None:
    environment = _runner(tmp_path)
    done, outputs = _run_step(environment, mode="check", args="--select DFX101;touch${IFS}pwned $(touch pwned)")
    assert outputs["exit-code"] == "2", "the words reach dockerfix as they are, and it rejects them"
    assert not list(Path(environment["REPO"]).glob("pwned*")) and not (tmp_path / "pwned").exists()
    bad, outputs = _run_step(_runner(tmp_path / "again"), mode="lint")
    assert outputs == {"exit-code": "2"} and "mode must be check, fix or pr" in bad.stderr


def test_install_puts_the_actions_own_source_on_path_with_the_pr_extra_in_pr_mode(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    environment = _runner(tmp_path)
    path_file = tmp_path / "runner" / "path"
    environment |= {"GITHUB_PATH": str(path_file), "DOCKERFIX_VERSION": "1.0; rm -rf /"}
    refused = subprocess.run(["bash", str(ROOT / "action" / "install.sh")], env=environment, capture_output=True,
                             text=True, check=False)  # fmt: skip
    assert refused.returncode == 2 and "is not a release number" in refused.stderr
    environment |= {"DOCKERFIX_VERSION": "", "DOCKERFIX_MODE": "pr"}
    done = subprocess.run(["bash", str(ROOT / "action" / "install.sh")], env=environment, capture_output=True,
                          text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    (bin_directory,) = path_file.read_text().splitlines()
    assert Path(bin_directory, "dockerfix").exists() and done.stdout.startswith("dockerfix, version ")
    client = subprocess.run([str(Path(bin_directory, "python")), "-c", "import githubkit"], capture_output=True, check=False)
    assert client.returncode == 0, "pr mode installs the GitHub client"
