"""`dockerfix log` on logs written by hand from the builders' and installers' documented
output (moby/buildkit's plain printer, buildah's executor, moby's legacy builder; pip's,
uv's, poetry's and apt's messages; docs/design-notes.md, "Build logs"). Real buildah
logs are read in tests/e2e/test_build_log.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fixer.buildlog.activity import read_activity
from fixer.buildlog.report import report
from fixer.buildlog.steps import BUILDAH, BUILDKIT, LEGACY, LogError, clean_lines, read_steps
from fixer.parser import parse

PIP_COLD = """\
Collecting fastapi==0.110.0 (from -r requirements.txt (line 1))
  Downloading fastapi-0.110.0-py3-none-any.whl.metadata (25 kB)
Collecting starlette<0.37.0,>=0.36.3 (from fastapi==0.110.0->-r requirements.txt (line 1))
  Downloading starlette-0.36.3-py3-none-any.whl.metadata (5.9 kB)
Downloading fastapi-0.110.0-py3-none-any.whl (92 kB)
Downloading starlette-0.36.3-py3-none-any.whl (71 kB)
Installing collected packages: starlette, fastapi
Successfully installed fastapi-0.110.0 starlette-0.36.3"""

MULTISTAGE = """\
# syntax=docker/dockerfile:1
FROM python:3.12-slim AS builder
ARG PIP_INDEX_URL
WORKDIR /src
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip \\
    pip wheel -r requirements.txt -w /wheels
FROM python:3.12-slim
ENV HOME=/app
COPY --from=builder /wheels /wheels
RUN --mount=type=cache,target=/root/.cache/pip pip install /wheels/*
RUN apt-get update && apt-get install -y curl
"""

# BuildKit, composed from printer.go's formats: a stage name, the index padded to the
# total's width, a step interrupted (`#8 ...`) and resumed with its header again, status
# lines, a cached step, a failed one with clipped output, buildx's `#0` line.
BUILDKIT_LOG = """\
#0 building with "default" instance using docker driver

#1 [internal] load build definition from Dockerfile
#1 transferring dockerfile: 412B done
#1 DONE 0.0s

#4 [builder 1/4] FROM docker.io/library/python:3.12-slim@sha256:ab12
#4 resolve docker.io/library/python:3.12-slim@sha256:ab12 0.0s done
#4 sha256:cd34 12.58MB / 29.13MB 0.6s
#4 DONE 1.9s

#6 [builder 3/4] COPY requirements.txt .
#6 CACHED

#8 [builder 4/4] RUN --mount=type=cache,target=/root/.cache/pip     pip wheel -r requirements.txt -w /wheels
""" + "\n".join(f"#8 {0.5 + n / 10:.3f} {line}" for n, line in enumerate(PIP_COLD.splitlines()[:3])) + """
#8 ...

#9 [stage-1 2/4] COPY --from=builder /wheels /wheels
#9 DONE 0.1s

#8 [builder 4/4] RUN --mount=type=cache,target=/root/.cache/pip     pip wheel -r requirements.txt -w /wheels
""" + "\n".join(f"#8 {12.5 + n:.2f} {line}" for n, line in enumerate(PIP_COLD.splitlines()[3:])) + """
#8 DONE 14.2s

#10 [stage-1 3/4] RUN --mount=type=cache,target=/root/.cache/pip pip install /wheels/*
#10 0.912 Processing /wheels/fastapi-0.110.0-py3-none-any.whl
#10 1.020 Successfully installed fastapi-0.110.0 starlette-0.36.3
#10 DONE 1.4s

#11 [stage-1 4/4] RUN apt-get update && apt-get install -y curl
#11 0.311 Get:1 http://deb.debian.org/debian bookworm InRelease [151 kB]
#11 1.204 Get:2 http://deb.debian.org/debian bookworm/main amd64 curl amd64 7.88.1-10+deb12u8 [315 kB]
#11 1.300 Get:3 http://deb.debian.org/debian bookworm/main amd64 libcurl4 amd64 7.88.1-10+deb12u8 [390 kB]
#11 2.100 Setting up libcurl4:amd64 (7.88.1-10+deb12u8) ...
#11 2.200 Setting up curl (7.88.1-10+deb12u8) ...
#11 2.300 Setting up libnghttp2-14:amd64 (1.52.0-1+deb12u2) ...
#11 58.21 [output clipped, log limit 2MiB reached]
#11 ERROR: process "/bin/sh -c apt-get update && apt-get install -y curl" did not complete successfully: exit code: 100
------
 > [stage-1 4/4] RUN apt-get update && apt-get install -y curl:
1.204 Get:2 http://deb.debian.org/debian bookworm/main amd64 curl amd64 7.88.1-10+deb12u8 [315 kB]
------
ERROR: failed to build: failed to solve: process "/bin/sh -c apt-get update" did not complete successfully: exit code: 100
"""


def test_buildkit_steps_are_whole_across_interruptions_and_end_as_the_log_says() -> None:
    builder, steps = read_steps(BUILDKIT_LOG)
    assert builder == BUILDKIT
    assert [(step.label, step.keyword, step.state) for step in steps] == [
        ("#4 [builder 1/4]", "FROM", "ran"), ("#6 [builder 3/4]", "COPY", "cached"), ("#8 [builder 4/4]", "RUN", "ran"),
        ("#9 [stage-1 2/4]", "COPY", "ran"), ("#10 [stage-1 3/4]", "RUN", "ran"), ("#11 [stage-1 4/4]", "RUN", "failed"),
    ]  # fmt: skip
    wheel = steps[2]
    assert wheel.lines == tuple(PIP_COLD.splitlines()), "the step's lines from both of its stretches, times removed"
    assert (wheel.stage, wheel.index, wheel.total, wheel.seconds) == ("builder", 4, 4, 14.2)
    assert wheel.command == "RUN --mount=type=cache,target=/root/.cache/pip     pip wheel -r requirements.txt -w /wheels"


def test_buildkit_headers_with_padding_platforms_and_one_stage() -> None:
    log = ("#3 [linux/arm64 builder  7/12] RUN pip install x\n#3 0.1 Successfully installed x-1\n#3 DONE 0.2s\n\n"
           "#4 [ 2/12] RUN true\n#4 DONE 0.0s\n")  # fmt: skip
    _, steps = read_steps(log)
    assert [(step.stage, step.index, step.total, step.command) for step in steps] == [
        ("builder", 7, 12, "RUN pip install x"), ("", 2, 12, "RUN true")]  # fmt: skip


def test_the_report_places_buildkit_steps_on_their_instructions_and_reads_the_installers() -> None:
    dockerfile = parse(MULTISTAGE)
    builder, steps = read_steps(BUILDKIT_LOG)
    result = report(builder, steps, dockerfile)
    assert [(one.step.label, one.line) for one in result.steps] == [
        ("#8 [builder 4/4]", 6), ("#10 [stage-1 3/4]", 11), ("#11 [stage-1 4/4]", 12)]  # fmt: skip
    wheel, install, apt = (one.activity for one in result.steps)
    [pip] = wheel.tools
    assert pip.downloaded == ("fastapi-0.110.0-py3-none-any.whl", "starlette-0.36.3-py3-none-any.whl"), "not the .metadata"
    assert (pip.reused_count, pip.installed) == (0, 2)
    assert [(tool.name, tool.downloaded_count, tool.installed) for tool in install.tools] == [("pip", 0, 2)]
    [apt_tool] = apt.tools
    assert apt_tool.downloaded == ("curl", "libcurl4") and (apt_tool.reused_count, apt_tool.installed) == (1, 3)
    assert result.totals._asdict() == {"ran": 3, "cached": 0, "downloaded": 4, "reused": 1, "built": 0}
    assert result.verdict == "1 of 5 came from the installers' caches, 4 downloaded"


BUILDAH_LOG = """\
[1/2] STEP 1/6: FROM python:3.12-slim AS builder
[1/2] STEP 2/6: ARG PIP_INDEX_URL
[1/2] STEP 3/6: WORKDIR /src
[1/2] STEP 4/6: COPY requirements.txt .
--> Using cache 3f1c0a9e2b7d4c5e8f6a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6a
--> 3f1c0a9e2b7d
[1/2] STEP 5/6: RUN --mount=type=cache,target=/root/.cache/pip     pip wheel -r requirements.txt -w /wheels
--> Using cache 9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b
--> 9a8b7c6d5e4f
[2/2] STEP 1/5: FROM python:3.12-slim
[2/2] STEP 2/5: ENV HOME=/app
[2/2] STEP 3/5: COPY --from=builder /wheels /wheels
[2/2] STEP 4/5: RUN --mount=type=cache,target=/root/.cache/pip pip install /wheels/*
Processing /wheels/fastapi-0.110.0-py3-none-any.whl
WARNING: The directory '/app/.cache/pip' or its parent directory is not owned or is not writable by the current user. \
The cache has been disabled. Check the permissions and owner of that directory. If executing pip with sudo, you should use sudo's -H flag.
Successfully installed fastapi-0.110.0 starlette-0.36.3
[2/2] STEP 5/5: RUN apt-get update && apt-get install -y curl
E: Unable to locate package curl
Error: building at STEP "RUN apt-get update && apt-get install -y curl": while running runtime: exit status 100
"""


def test_buildah_steps_stages_cache_hits_and_failure() -> None:
    builder, steps = read_steps(BUILDAH_LOG)
    assert builder == BUILDAH
    runs = [step for step in steps if step.keyword == "RUN"]
    assert [(step.label, step.stage, step.index, step.state) for step in runs] == [
        ("[1/2] STEP 5/6", "1", 5, "cached"), ("[2/2] STEP 4/5", "2", 4, "ran"), ("[2/2] STEP 5/5", "2", 5, "failed")]  # fmt: skip
    assert runs[2].lines == ("E: Unable to locate package curl",)
    result = report(builder, steps, parse(MULTISTAGE))
    assert [one.line for one in result.steps] == [6, 11, 12]
    assert result.steps[1].activity.warnings == (
        "pip's cache is disabled: it cannot write /app/.cache/pip (a cache mount the user does not own?)",)
    assert result.verdict == "an installer's cache is disabled in 1 step: it downloads everything on every build"


LEGACY_LOG = """\
Sending build context to Docker daemon  3.072kB\r
Step 1/6 : FROM python:3.12-slim
 ---> 1a2b3c4d5e6f
Step 2/6 : ENV HOME=/app
 ---> Running in 11aa22bb33cc
 ---> Removed intermediate container 11aa22bb33cc
 ---> 2b3c4d5e6f70
Step 3/6 : COPY requirements.txt .
 ---> Using cache
 ---> 0f5945d98666
Step 4/6 : RUN pip install -r requirements.txt
 ---> Running in 38d7c34c2178
Collecting mypkg==0.1 (from -r requirements.txt (line 1))
  Using cached mypkg-0.1-py3-none-any.whl
Successfully built mypkg
Successfully installed mypkg-0.1
Removing intermediate container 38d7c34c2178
 ---> 7c0dbc45111d
Step 5/6 : RUN pip install -r requirements.txt
 ---> Using cache
 ---> 8d1eac56222e
Step 6/6 : RUN false
 ---> Running in 629620285d4c
The command '/bin/sh -c false' returned a non-zero code: 1
"""


def test_legacy_builder_steps_keep_pips_own_successfully_lines() -> None:
    builder, steps = read_steps(LEGACY_LOG)
    assert builder == LEGACY
    runs = [step for step in steps if step.keyword == "RUN"]
    assert [(step.label, step.state) for step in runs] == [("Step 4/6", "ran"), ("Step 5/6", "cached"), ("Step 6/6", "failed")]
    assert runs[0].lines[-2:] == ("Successfully built mypkg", "Successfully installed mypkg-0.1")
    [pip] = read_activity(runs[0].lines).tools
    assert pip.reused == ("mypkg-0.1-py3-none-any.whl",), "a wheel from the wheel cache has no size"
    dockerfile = parse("FROM python:3.12-slim\nENV HOME=/app\nCOPY requirements.txt .\n"
                       "RUN pip install -r requirements.txt\nRUN pip install -r requirements.txt\nRUN false\n")  # fmt: skip
    assert [one.line for one in report(builder, steps, dockerfile).steps] == [4, 5, 6]


def test_a_log_of_another_version_of_the_file_is_placed_by_text() -> None:
    _, steps = read_steps("Step 2/2 : RUN pip install -r requirements.txt\n ---> Running in 1\n")
    dockerfile = parse("FROM python:3.12\n# a comment\nCOPY . .\nRUN pip install \\\n    -r requirements.txt\n")
    assert [one.line for one in report(LEGACY, steps, dockerfile).steps] == [4]


def test_uv_counts_poetry_says_nothing_of_its_cache_and_uv_warns() -> None:
    cold = read_activity("""\
Resolved 12 packages in 310ms
Downloading numpy (15.8MiB)
   Building mypkg==0.1
 Downloaded numpy
      Built mypkg==0.1
Prepared 3 packages in 2.41s
warning: Failed to hardlink files; falling back to full copy. This may lead to degraded performance.
         If the cache and target directories are on different filesystems, hardlinking may not be supported.
Installed 12 packages in 85ms
 + numpy==1.26.4""".splitlines())
    [uv] = cold.tools
    assert (uv.name, uv.downloaded_count, uv.reused_count, uv.built, uv.installed) == ("uv", 3, 9, ("mypkg==0.1",), 12)
    assert cold.warnings[0].startswith("uv copies out of its cache instead of hard-linking")
    [warm] = read_activity(["Resolved 12 packages in 5ms", "Installed 12 packages in 40ms"]).tools
    assert (warm.downloaded_count, warm.reused_count) == (0, 12), "no Prepared line: all from the cache"
    [poetry] = read_activity(["Package operations: 3 installs, 0 updates, 0 removals", "  - Installing idna (3.7)"]).tools
    assert (poetry.name, poetry.installed, poetry.reuse_visible) == ("poetry", 3, False)


def test_old_pip_names_urls_and_the_metadata_fetch_is_not_a_download() -> None:
    activity = read_activity([
        "  Downloading http://127.0.0.1:8080/files/six-1.16.0-py2.py3-none-any.whl (11 kB)",
        "  Using cached https://files.example/packages/ab/idna-3.10-py3-none-any.whl#sha256=12 (70 kB)",
        "  Downloading requests-2.32.3-py3-none-any.whl.metadata (4.6 kB)",
        "  Using cached numpy-2.0.whl.metadata (60 kB)",
    ])  # fmt: skip
    [pip] = activity.tools
    assert (pip.downloaded, pip.reused) == (("six-1.16.0-py2.py3-none-any.whl",), ("idna-3.10-py3-none-any.whl",))


def test_lines_lose_colour_overwritten_progress_and_ci_timestamps() -> None:
    assert clean_lines("2026-12-07T10:00:01.1234567Z #8 0.5 \x1b[1mCollecting x\x1b[0m\r\nold\rnew\n") == [
        "#8 0.5 Collecting x", "new", ""]  # fmt: skip


@pytest.mark.parametrize(
    ("log", "verdict"),
    [
        ("#1 [1/2] FROM a\n#1 DONE 0.1s\n", "the log has no RUN step"),
        ("#2 [2/2] RUN pip install x\n#2 CACHED\n", "every RUN step (1) came from the layer cache: nothing ran, nothing was downloaded"),
        ("#2 [2/2] RUN pip install -q x\n#2 DONE 1.0s\n", "the RUN steps that ran show no installer output (a quiet installer, pip -q, says nothing)"),
        ("#2 [2/2] RUN poetry install\n#2 0.1 Package operations: 3 installs, 0 updates, 0 removals\n#2 DONE 1.0s\n",
         "the installers do not say what came from their caches (poetry says nothing of it without a terminal)"),
        ("#2 [2/2] RUN pip install x\n#2 0.1 Using cached x-1-py3-none-any.whl (1 kB)\n#2 DONE 1.0s\n",
         "every package came from the installers' caches (1 reused, nothing downloaded)"),
        ("#2 [2/2] RUN pip install x\n#2 0.1 Downloading x-1-py3-none-any.whl (1 kB)\n#2 DONE 1.0s\n",
         "nothing came from the installers' caches: 1 downloaded; right on a first build, on a rebuild the caches are not reused"),
    ],
    ids=["no RUN", "layer cache", "quiet", "poetry", "all reused", "all downloaded"],
)
def test_the_verdict(log: str, verdict: str) -> None:
    assert report(*read_steps(log)).verdict == verdict


def test_text_that_is_no_build_log_is_refused() -> None:
    with pytest.raises(LogError, match="no build steps found: dockerfix reads BuildKit's plain progress"):
        read_steps("hello\nworld\n")


def _log(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fixer", "log", *args], cwd=cwd, input=stdin, capture_output=True,
                          text=True, check=False)  # fmt: skip


def test_the_command_reads_a_file_or_stdin_with_the_dockerfile_and_writes_text_or_json(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(MULTISTAGE)
    (tmp_path / "build.log").write_text(BUILDKIT_LOG)
    shown = _log("build.log", "--dockerfile", "Dockerfile", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("build log (BuildKit): 3 RUN steps\n\n#8 [builder 4/4] RUN --mount=type=cache,")
    assert "pip wheel -r requirements.txt -w /wheels  (Dockerfile:6)\n    ran in 14.2 s\n    pip: 2 downloaded, 0 from the cache, 2 installed\n" in shown.stdout
    assert "    DFX101 cache-mount-target (line 11): " in shown.stdout, "ENV HOME moved pip's cache off the mount"
    assert "#11 [stage-1 4/4] RUN apt-get update && apt-get install -y curl  (Dockerfile:12)\n    failed\n" in shown.stdout
    assert shown.stdout.endswith("verdict: 1 of 5 came from the installers' caches, 4 downloaded (DFX111 at line 12 says why)\n"), (
        "the rule on a step that downloaded: apt's, without a cache mount; DFX101's step installed local wheels")
    document = json.loads(_log("-", "--format", "json", cwd=tmp_path, stdin=BUILDKIT_LOG).stdout)
    assert document["version"] == 1 and document["builder"] == "buildkit" and document["dockerfile"] is None
    assert [step["line"] for step in document["steps"]] == [None, None, None]
    assert document["steps"][0]["tools"][0]["downloaded_files"] == ["fastapi-0.110.0-py3-none-any.whl", "starlette-0.36.3-py3-none-any.whl"]


def test_an_unreadable_log_is_an_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a log\n")
    refused = _log("notes.txt", cwd=tmp_path)
    assert refused.returncode == 2 and refused.stderr.startswith("dockerfix log: error: notes.txt: no build steps found")
    missing = _log("missing.log", cwd=tmp_path)
    assert missing.returncode == 2 and "dockerfix log: error: missing.log: No such file or directory" in missing.stderr
