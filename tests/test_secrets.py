"""Credentials never leave dockerfix unmasked: known secrets fed through every output
format, the dry-run diff, `explain`, `dockerfix log`, the wheelhouse rewrite's diff and
the PR body, and grepped for; while the files dockerfix writes keep the user's text."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fixer.output import FORMATS
from fixer.secrets import credentials, mask

SECRETS = ("S3cretOne", "S3cretTwo", "S3cretThree", "ghp_S3cretFourXXXXXXXXXXXXXX", "S3cretFive", "S3cretSix")
DOCKERFILE = f"""\
FROM python:3.12-slim
ENV PIP_EXTRA_INDEX_URL=https://ci:{SECRETS[0]}@pypi.example.com/simple
ARG GITHUB_TOKEN
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir --index-url https://ci:{SECRETS[1]}@pypi.example.com/simple -r requirements.txt
RUN echo 'machine pypi.example.com login ci password {SECRETS[2]}' > /root/.netrc && \\
    pip install git+https://{SECRETS[3]}@github.com/example/lib.git
RUN poetry config http-basic.private ci {SECRETS[4]} && POETRY_HTTP_BASIC_PRIVATE_PASSWORD={SECRETS[5]} poetry install
"""


def _run(*args: str, cwd: Path, stdin: str | None = None) -> str:
    done = subprocess.run([sys.executable, "-m", "fixer", *args], cwd=cwd, input=stdin, capture_output=True, text=True,
                          check=False, env={**os.environ, "PIP_CONFIG_FILE": os.devnull})  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout + done.stderr


def _assert_masked(text: str) -> None:
    leaked = [secret for secret in SECRETS if secret in text]
    assert not leaked, f"{leaked} printed:\n{text}"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / "requirements.txt").write_text("flask\n")
    return tmp_path


def test_the_rule_finds_every_credential(project: Path) -> None:
    output = _run("--format", "concise", "--select", "DFX113", cwd=project)
    assert output.count("DFX113") >= 7, output
    _assert_masked(output)


@pytest.mark.parametrize("output_format", FORMATS)
@pytest.mark.parametrize("fixes", [(), ("--unsafe-fixes",)], ids=["safe", "unsafe"])
def test_no_format_prints_a_credential(project: Path, output_format: str, fixes: tuple[str, ...]) -> None:
    output = _run("--format", output_format, *fixes, cwd=project)
    _assert_masked(output)
    assert "DFX113" in output
    if output_format == "full" or (output_format in ("diff", "markdown") and fixes):
        assert "ci:*********@pypi.example.com" in output, "the source is shown, masked"


def test_write_keeps_the_users_text_and_check_reports_masked(project: Path) -> None:
    _assert_masked(_run("--check", "--unsafe-fixes", cwd=project))
    _run("--write", "--unsafe-fixes", cwd=project)
    written = (project / "Dockerfile").read_text()
    assert SECRETS[0] in written, "an ENV without a fix stays as the user wrote it"
    assert SECRETS[1] not in written and "--mount=type=secret,id=pip_index_url,env=PIP_INDEX_URL" in written


def test_explain_log_wheelhouse_and_pr_mask_them_too(project: Path) -> None:
    _assert_masked(_run("explain", "Dockerfile", cwd=project))
    _assert_masked(_run("explain", "--format", "json", "Dockerfile", cwd=project))
    log = (f"#8 [3/4] RUN pip install --index-url https://ci:{SECRETS[1]}@pypi.example.com/simple -r requirements.txt\n"
           "#8 0.5 Looking in indexes: https://ci:****@pypi.example.com/simple\n#8 DONE 1.0s\n")  # fmt: skip
    for args in (("log", "-"), ("log", "-", "--format", "json"), ("log", "-", "--dockerfile", "Dockerfile")):
        _assert_masked(_run(*args, cwd=project, stdin=log))
    _assert_masked(_run("wheelhouse", ".", "--no-index", "--python-version", "3.12", "--rewrite", "fallback", cwd=project))
    settings = ["-c", "user.name=Dev", "-c", "user.email=dev@example.com"]
    for command in (["init", "--quiet", "--initial-branch=main"], ["add", "--all"], ["commit", "--quiet", "-m", "start"]):
        subprocess.run(["git", *settings, *command], cwd=project, check=True, capture_output=True)
    body = _run("pr", "--dry-run", "--unsafe-fixes", cwd=project)
    _assert_masked(body)
    assert "### `Dockerfile`" in body and "DFX113" in body


def test_masking_keeps_the_length_and_leaves_prose_alone() -> None:
    text = "RUN pip install -i https://u:pw@h/simple x && git clone https://ghp_0123456789abcdefghij@github.com/o/r"
    masked = mask(text)
    assert len(masked) == len(text)
    assert masked == f"RUN pip install -i https://u:**@h/simple x && git clone https://{'*' * 24}@github.com/o/r"
    prose = "the password stays in the history; a token as the URL's user; https://pypi.org/simple; ${TOKEN}@host"
    assert mask(prose) == prose and list(credentials("ENV A_TOKEN=$FROM_ARG")) == []
    assert mask("ENV GITHUB_TOKEN=abc123") == "ENV GITHUB_TOKEN=******"
