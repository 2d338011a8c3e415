"""`dockerfix pr --prove`: build each fixed Dockerfile twice before and twice after its
fixes with the image builder at hand, and put what the second builds downloaded per RUN
step into the pull request's body.

The builder: `docker buildx` with a reachable engine (what users build with), else
buildah, else podman. The layer cache is off in every build (`--no-cache`,
`--layers=false`), so every RUN runs and only the cache mounts carry over from the first
build to the second: the second is what a rebuild costs. buildah and podman keep cache
mounts under `$TMPDIR`, so each file's original and fixed builds get a TMPDIR of their
own and start cold; BuildKit keeps them in its daemon, keyed by target, where the user's
earlier builds may already have filled them (which the first builds' figures show).
Nothing is exported: BuildKit's output is `type=cacheonly`, and buildah's and podman's
image is removed after the build.

A build's context is the Dockerfile's directory; the build arguments are those of the
run (`--build-arg`, `build-args`). A build that fails is reported as not measured, with
its exit code, and the rest go on.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from ..buildlog.report import LogReport, report
from ..buildlog.steps import LogError, read_steps
from ..parser import parse
from ..records import NamedTuple
from ..secrets import mask

BUILD_TIMEOUT = 1800
PROBE_TIMEOUT = 20


class ImageBuilder(NamedTuple):
    """A builder found on the machine: its name and version as it prints them."""

    name: str
    version: str


class Measurement(NamedTuple):
    """One file's second builds, before and after the fixes (None: the build failed, see `failure`)."""

    path: str
    before: LogReport | None
    after: LogReport | None
    failure: str = ""


def find_builder(environ: Mapping[str, str]) -> ImageBuilder | None:
    """The first of docker buildx (with an engine), buildah and podman that answers."""
    path = environ.get("PATH", os.defpath)
    if shutil.which("docker", path=path):
        version = _answer(["docker", "buildx", "version"], environ)
        if version and _answer(["docker", "info", "--format", "{{.ServerVersion}}"], environ):
            return ImageBuilder("docker buildx", version)
    for name in ("buildah", "podman"):
        if shutil.which(name, path=path):
            version = _answer([name, "--version"], environ)
            if version:
                return ImageBuilder(name, version)
    return None


def _answer(argv: list[str], environ: Mapping[str, str]) -> str:
    """The first line a command prints, or "" when it fails."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, env=dict(environ), timeout=PROBE_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip().splitlines()[0] if done.returncode == 0 and done.stdout.strip() else ""


def build_command(builder: ImageBuilder, dockerfile: Path, context: Path, build_args: Mapping[str, str],
                  iidfile: Path) -> list[str]:  # fmt: skip
    """The build, with the layer cache off and nothing exported."""
    arguments = [f"--build-arg={name}={value}" for name, value in sorted(build_args.items())]
    if builder.name == "docker buildx":
        return ["docker", "buildx", "build", "--progress=plain", "--no-cache", "--output=type=cacheonly",
                f"--file={dockerfile}", *arguments, str(context)]  # fmt: skip
    return [builder.name, "build", "--layers=false", f"--iidfile={iidfile}", f"--file={dockerfile}", *arguments, str(context)]


def measure(builder: ImageBuilder, root: Path, files: Mapping[str, bytes], build_args: Mapping[str, str],
            environ: Mapping[str, str]) -> list[Measurement]:  # fmt: skip
    """Each fixed file's second builds before and after; `files` maps paths in `root` to the fixed texts."""
    measurements = []
    for path, fixed in files.items():
        original = root / path
        with tempfile.TemporaryDirectory(prefix="dockerfix-prove-") as scratch:
            fixed_file = Path(scratch) / "Dockerfile.fixed"
            fixed_file.write_bytes(fixed)
            before, failure = _second_build(builder, original, original.parent, build_args, environ,
                                            Path(scratch) / "before", "the original")  # fmt: skip
            after, failed_after = (None, "") if before is None else _second_build(
                builder, fixed_file, original.parent, build_args, environ, Path(scratch) / "after", "the fixed file")  # fmt: skip
        measurements.append(Measurement(path, before, after, failure or failed_after))
    return measurements


def _second_build(builder: ImageBuilder, dockerfile: Path, context: Path, build_args: Mapping[str, str],
                  environ: Mapping[str, str], scratch: Path, label: str) -> tuple[LogReport | None, str]:  # fmt: skip
    """Build twice over one cache; the second build's report, or why there is none
    (`label` says which file in the reason)."""
    scratch.mkdir()
    env = {**environ, "TMPDIR": str(scratch)}
    output = ""
    for attempt in (1, 2):
        iidfile = scratch / f"iid-{attempt}"
        command = build_command(builder, dockerfile, context, build_args, iidfile)
        try:
            done = subprocess.run(command, cwd=context, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT,
                                  check=False)  # fmt: skip
        except subprocess.TimeoutExpired:
            return None, f"{label}'s build took longer than {BUILD_TIMEOUT // 60} minutes"
        except OSError as exc:
            return None, f"{builder.name} did not start: {exc.strerror or exc}"
        _remove_image(builder, iidfile, env)
        if done.returncode != 0:
            return None, f"{label}'s build failed (exit {done.returncode}) with its directory as the context"
        output = done.stdout + done.stderr
    try:
        return report(*read_steps(output), parse(dockerfile.read_text(encoding="utf-8", errors="replace"))), ""
    except LogError as exc:
        return None, f"{label}'s build log could not be read: {exc}"


def _remove_image(builder: ImageBuilder, iidfile: Path, env: Mapping[str, str]) -> None:
    """buildah and podman leave the built image in their store: remove it."""
    if builder.name != "docker buildx" and iidfile.exists():
        subprocess.run([builder.name, "rmi", iidfile.read_text().strip()], env=dict(env), capture_output=True, check=False,
                       timeout=PROBE_TIMEOUT * 3)  # fmt: skip


def markdown(builder: ImageBuilder | None, measurements: list[Measurement]) -> str:
    """The body's section: what each RUN step downloaded on a rebuild, before and after."""
    if builder is None:
        return ("\n### Measured\n\nNot measured: no image builder (docker buildx with an engine, buildah or podman) "
                "where this pull request was made.\n")  # fmt: skip
    lines = ["", f"### Measured with {builder.version}", "",
             "Each file built twice before its fixes and twice after, the layer cache off, so that every RUN runs; "
             "the second build of each is what a rebuild costs.", ""]  # fmt: skip
    for one in measurements:
        lines.append(f"`{one.path}`:")
        lines.append("")
        if one.before is None or one.after is None:
            lines += [f"not measured: {one.failure}", ""]
            continue
        lines += ["| | RUN | downloaded | from the cache |", "|---|---|---:|---:|"]
        for label, result in (("before", one.before), ("after", one.after)):
            for step in result.steps:
                where = f"line {step.line}: " if step.line is not None else ""
                command = mask(" ".join(step.step.command.split()))
                shown = (command if len(command) <= 120 else command[:119] + "…").replace("|", "\\|")
                lines.append(f"| {label} | {where}`{shown}` | {step.activity.downloaded} | {step.activity.reused} |")
        lines += ["", f"before: {one.before.verdict}; after: {one.after.verdict}.", ""]
    return "\n".join(lines)
