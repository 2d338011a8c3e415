"""The PR bot's workflows (workflows/): the scheduled one for one repository and the
campaign over a list of repositories. GitHub Actions cannot run here, so the tests check
what can be checked of the files (triggers, permissions, the matrix wiring, no expression
spliced into a script), run every `run:` step in bash as the runner would, and run the
action's `pr` mode on a checkout against the fake GitHub."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from fake_github import FakeGitHub
from test_action import _outputs
from test_pr import TOKEN, checkout, github  # noqa: F401  (fixtures)

yaml = pytest.importorskip("yaml")  # PyYAML comes with pre-commit in the test extra
ROOT = Path(__file__).resolve().parent.parent
ONE = ROOT / "workflows" / "dockerfix-pr.yml"
CAMPAIGN = ROOT / "workflows" / "dockerfix-campaign.yml"


def _load(path: Path) -> dict[str, Any]:
    workflow = yaml.safe_load(path.read_text())
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads the key `on` as true
    return workflow


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def _run(script: str, env: dict[str, str], cwd: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    """One `run:` step as the runner runs it (bash -e, with GITHUB_OUTPUT), and its outputs."""
    output = cwd / "github-output"
    output.write_text("")
    environment = {**os.environ, **env, "GITHUB_OUTPUT": str(output)}
    done = subprocess.run(["bash", "-e", "-c", script], cwd=cwd, env=environment, capture_output=True, text=True, check=False)
    return done, _outputs(output.read_text())


VALIDATOR = "@action-validator/cli@0.6.0"


@pytest.fixture(scope="module")
def action_validator() -> Path:
    """action-validator (npm; it checks a workflow or an action against SchemaStore's
    schemas), installed once into the git-ignored .cache/."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("needs npm to install action-validator")
    prefix = ROOT / ".cache" / "action-validator"
    program = prefix / "node_modules" / ".bin" / "action-validator"
    if not program.exists():
        prefix.mkdir(parents=True, exist_ok=True)
        subprocess.run([npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(prefix), VALIDATOR],
                       check=True, capture_output=True, timeout=300)  # fmt: skip
    return program


@pytest.mark.xdist_group("action-validator")  # one process installs it
@pytest.mark.parametrize("path", [ONE, CAMPAIGN, ROOT / "action.yml"], ids=["one repository", "campaign", "action"])
def test_the_workflows_and_the_action_are_valid_for_github(path: Path, action_validator: Path) -> None:
    done = subprocess.run([str(action_validator), str(path)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.xdist_group("action-validator")
def test_the_validator_catches_a_misspelt_permission(tmp_path: Path, action_validator: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(ONE.read_text().replace("pull-requests: write", "pull-request: write"))
    done = subprocess.run([str(action_validator), str(broken)], capture_output=True, text=True, check=False)
    assert done.returncode != 0 and "Additional property 'pull-request' is not allowed" in done.stdout + done.stderr


@pytest.mark.parametrize("path", [ONE, CAMPAIGN], ids=["one repository", "campaign"])
def test_the_workflows_are_scheduled_and_splice_no_expression_into_a_script(path: Path) -> None:
    workflow = _load(path)
    assert workflow["on"]["schedule"][0]["cron"] and "workflow_dispatch" in workflow["on"]
    for step in _steps(workflow):
        assert "${{" not in step.get("run", ""), "values reach scripts as variables only"
    [action] = [step for step in _steps(workflow) if step.get("uses", "").startswith("dockerfix/dockerfix@")]
    assert action["with"]["mode"] == "pr"


def test_the_one_repository_workflow_may_push_and_open_pull_requests() -> None:
    workflow = _load(ONE)
    assert workflow["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert workflow["concurrency"]["cancel-in-progress"] is False, "two runs never race on the branch"


def test_the_campaign_runs_one_job_per_listed_repository_with_its_own_token() -> None:
    workflow = _load(CAMPAIGN)
    pr = workflow["jobs"]["pr"]
    assert pr["needs"] == "repositories"
    assert pr["strategy"]["matrix"]["repository"] == "${{ fromJSON(needs.repositories.outputs.list) }}"
    assert pr["strategy"]["fail-fast"] is False and 1 <= pr["strategy"]["max-parallel"] <= 8
    steps = {step.get("id") or step["uses"]: step for step in pr["steps"]}
    assert steps["app"]["with"]["repositories"] == "${{ steps.split.outputs.name }}", "a token for that repository only"
    checkout_step = next(step for step in pr["steps"] if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout_step["with"]["repository"] == "${{ matrix.repository }}"
    assert checkout_step["with"]["token"] == steps["dockerfix"]["with"]["token"]


def test_the_campaign_list_step_reads_the_repositories_file(tmp_path: Path) -> None:
    [step] = [step for step in _load(CAMPAIGN)["jobs"]["repositories"]["steps"] if step.get("id") == "list"]
    (tmp_path / "repositories.txt").write_text("# the services\nocto/api\n\nocto/worker  # the queue\nocto/api\nother-org/site.io\n")
    done, outputs = _run(step["run"], {}, tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(outputs["list"]) == ["octo/api", "octo/worker", "other-org/site.io"]
    (tmp_path / "repositories.txt").write_text("octo/api\nhttps://github.com/octo/web\n")
    bad, _ = _run(step["run"], {}, tmp_path)
    assert bad.returncode != 0 and "repositories.txt: not OWNER/NAME: https://github.com/octo/web" in bad.stderr


def test_the_campaign_split_step_gives_the_owner_and_the_name(tmp_path: Path) -> None:
    [step] = [step for step in _load(CAMPAIGN)["jobs"]["pr"]["steps"] if step.get("id") == "split"]
    done, outputs = _run(step["run"], {"REPOSITORY": "octo/my.api"}, tmp_path)
    assert done.returncode == 0 and outputs == {"owner": "octo", "name": "my.api"}


def test_the_actions_pr_mode_opens_the_pull_request_and_gives_its_address(checkout: Path, github: FakeGitHub) -> None:  # noqa: F811
    runner = checkout.parent / "runner"
    runner.mkdir()
    (runner / "output").write_text("")
    (runner / "summary").write_text("")
    action = _load(ROOT / "action.yml")
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("GITHUB_", "DOCKERFIX_", "GH_"))}
    environment |= {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_OUTPUT": str(runner / "output"),
        "GITHUB_STEP_SUMMARY": str(runner / "summary"),
        "RUNNER_TEMP": str(runner),
        "GITHUB_API_URL": github.url,
        "DOCKERFIX_MODE": "pr",
        "DOCKERFIX_PATHS": ".",
        "DOCKERFIX_TOKEN": TOKEN,
        "DOCKERFIX_AUTHOR": action["inputs"]["author"]["default"],
    }
    done = subprocess.run(["bash", str(ROOT / "action" / "run.sh")], cwd=checkout, env=environment, capture_output=True,
                          text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert TOKEN not in done.stdout + done.stderr + (runner / "output").read_text() + (runner / "summary").read_text()
    outputs = _outputs((runner / "output").read_text())
    assert outputs == {"exit-code": "0", "pull-request": "https://github.example/o/r/pull/1"}
    assert (runner / "summary").read_text() == "dockerfix: the fixes are in https://github.example/o/r/pull/1\n"
    log = subprocess.run(["git", "log", "-1", "--format=%an <%ae>", "origin/dockerfix/cache-fixes"], cwd=checkout,
                         capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    assert log == "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>"
    assert re.fullmatch(r"\$\{\{ github\.token \}\}", action["inputs"]["token"]["default"])
