"""Ground truth: what a real builder's RUN sees, against what `dockerfix explain` says.

Each situation is a small Dockerfile of USER/ENV/ARG/stage/pip-config instructions on the
local Debian image, ending in one probe RUN that prints the process's HOME, its uid and
the directory pip caches in (`pip cache dir`, or `disabled` when pip refuses because the
cache is off). The same file goes through `dockerfix explain --format json` with the same
build arguments, and the probe RUN's analysis must agree on all three. A situation may
name a field dockerfix honestly cannot know, with the reason: then it must say unknown
there (and agree on the rest), and the row counts as unknown, never as agreement.

The builder here is buildah (see docs/e2e.md), our users' is BuildKit. Both follow the
same OCI and runc rules for USER, HOME from /etc/passwd and `/` for a uid not in passwd,
and the same ENV/ARG scoping, with one known exception kept explicit below (`differs`):
an ARG after an ENV of the same name, where dockerfix follows BuildKit and the test
checks that buildah still shows the classic builder's value.
Results go to `.cache/e2e/results/ground-truth.json`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

PROBE = 'RUN echo "@@HOME=$HOME"; echo "@@UID=$(id -u)"; echo "@@PIP=$(pip cache dir 2>/dev/null || echo disabled)"\n'
BASE = "FROM debian:bookworm\n"
ADD_APP = "RUN useradd -m -u 1000 app\n"
RESULTS = Path(__file__).resolve().parents[2] / ".cache" / "e2e" / "results" / "ground-truth.json"


class Situation(NamedTuple):
    """A Dockerfile before the probe; `unknown` names the fields dockerfix may not know, and why."""

    name: str
    dockerfile: str
    build_args: dict[str, str] = {}
    unknown: dict[str, str] = {}
    # Where buildah is known to differ from BuildKit: field -> (BuildKit's value, buildah's).
    differs: dict[str, tuple[object, object]] = {}


SITUATIONS = [
    Situation("root-default", BASE),
    Situation("env-home", BASE + "ENV HOME=/app\n"),
    Situation("user-with-home", BASE + ADD_APP + "USER app\n"),
    Situation("user-by-uid-in-passwd", BASE + ADD_APP + "USER 1000\n"),
    Situation("user-uid-not-in-passwd", BASE + "USER 1234\n"),
    Situation("user-uid-gid-not-in-passwd", BASE + "USER 1234:1234\n"),
    Situation("user-then-root-again", BASE + ADD_APP + "USER app\nUSER root\n"),
    Situation("env-home-then-user", BASE + ADD_APP + "ENV HOME=/app\nUSER app\n"),
    Situation("user-then-env-home", BASE + ADD_APP + "USER app\nENV HOME=/srv\n"),
    Situation("useradd-custom-home", BASE + "RUN useradd -m -d /opt/svc svc\nUSER svc\n"),
    Situation("useradd-no-create-home", BASE + "RUN useradd -u 1500 nohome\nUSER nohome\n"),
    Situation(
        "useradd-system",
        BASE + "RUN useradd -r worker\nUSER worker\n",
        unknown={"uid": "system uids are allocated from the top of a range dockerfix does not track per image"},
    ),
    Situation("arg-home-default", BASE + "ARG HOME=/build\n"),
    Situation("arg-home-build-arg", BASE + "ARG HOME=/build\n", {"HOME": "/from-cli"}),
    Situation("global-arg-not-in-stage", "ARG HOME=/global\n" + BASE),
    Situation("global-arg-redeclared", "ARG HOME=/global\n" + BASE + "ARG HOME\n"),
    # BuildKit adds an ARG's value to the state's environment (`dispatchArg`: AddEnv),
    # so an ARG after an ENV of the same name wins; buildah keeps the classic builder's
    # "ENV beats ARG" (containers/podman#19803). dockerfix follows BuildKit.
    Situation(
        "arg-after-env-wins-in-buildkit",
        BASE + "ENV HOME=/env\nARG HOME=/arg\n",
        differs={"home": ("/arg", "/env"), "pip": ("/arg/.cache/pip", "/env/.cache/pip")},
    ),
    Situation("env-home-from-arg", BASE + "ARG APP_HOME=/srv/app\nENV HOME=$APP_HOME\n", {"APP_HOME": "/cli/app"}),
    Situation("xdg-cache-home", BASE + "ENV XDG_CACHE_HOME=/xdg\n"),
    Situation("pip-cache-dir-env", BASE + "ENV PIP_CACHE_DIR=/pc\n"),
    Situation("pip-cache-dir-beats-xdg", BASE + "ENV XDG_CACHE_HOME=/xdg PIP_CACHE_DIR=/pc\n"),
    Situation("pip-no-cache-dir-1", BASE + "ENV PIP_NO_CACHE_DIR=1\n"),
    Situation("pip-no-cache-dir-0", BASE + "ENV PIP_NO_CACHE_DIR=0\n"),
    Situation("pip-no-cache-dir-false", BASE + "ENV PIP_NO_CACHE_DIR=false\n"),
    Situation("parent-stage-env-home", BASE.replace("\n", " AS base\n") + "ENV HOME=/srv\nFROM base\n"),
    Situation("parent-stage-user", BASE.replace("\n", " AS base\n") + ADD_APP + "USER app\nFROM base\n"),
    Situation(
        "parent-stage-pip-no-cache-dir",
        BASE.replace("\n", " AS base\n") + "ENV PIP_NO_CACHE_DIR=1\nFROM base AS build\n",
    ),
    Situation(
        "child-overrides-parent-cache-dir",
        BASE.replace("\n", " AS base\n") + "ENV PIP_CACHE_DIR=/parent\nFROM base\nENV PIP_CACHE_DIR=/child\n",
    ),
    Situation("pip-config-user-cache-dir", BASE + "RUN pip config set global.cache-dir /from-config\n"),
    Situation("pip-config-global-no-cache", BASE + "RUN printf '[global]\\nno-cache-dir = true\\n' > /etc/pip.conf\n"),
    Situation(
        "pip-config-file-env",
        BASE + "RUN printf '[global]\\ncache-dir = /cfg-file\\n' > /opt/pip.conf\nENV PIP_CONFIG_FILE=/opt/pip.conf\n",
    ),
    Situation("workdir-does-not-move-home", BASE + ADD_APP + "WORKDIR /work\nUSER app\n"),
]


class Observed(NamedTuple):
    home: str
    uid: int
    pip: str


class Analysed(NamedTuple):
    home: str | None
    uid: int | None
    pip: str | None  # a directory, "disabled", or None when unknown


def observe(output: str) -> Observed:
    values = {}
    for line in output.splitlines():
        if line.startswith("@@") and "=" in line:
            key, _, value = line[2:].partition("=")
            values[key] = value
    return Observed(values["HOME"], int(values["UID"]), values["PIP"])


def analyse(context: Path, build_args: dict[str, str]) -> Analysed:
    arguments = [f"--build-arg={name}={value}" for name, value in build_args.items()]
    result = subprocess.run(
        [sys.executable, "-m", "fixer", "explain", "--format", "json", *arguments, "Dockerfile"],
        cwd=context,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout)["instructions"][-1]
    (install,) = [install for install in probe["installs"] if install["tool"] == "pip"]
    # The value for these build arguments ("certain" only says none could change it).
    pip = {"enabled": install["cache_dir"], "disabled": "disabled"}.get(install["cache"])
    return Analysed(probe["home"], probe["uid"], pip)


def _record(name: str, observed: Observed, analysed: Analysed, verdict: str) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    table = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    table[name] = {"observed": observed._asdict(), "analysed": analysed._asdict(), "verdict": verdict}
    RESULTS.write_text(json.dumps(table, indent=2, sort_keys=True) + "\n")


def test_there_are_enough_situations() -> None:
    assert len(SITUATIONS) >= 25
    assert len({situation.name for situation in SITUATIONS}) == len(SITUATIONS)


@pytest.mark.parametrize("situation", SITUATIONS, ids=lambda situation: situation.name)
def test_analysis_agrees_with_the_builder(situation: Situation, builder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    context = tmp_path / "context"
    context.mkdir()
    (context / "Dockerfile").write_text(situation.dockerfile + PROBE)
    analysed = analyse(context, situation.build_args)
    observed = observe(builder.build_ok(context, build_args=situation.build_args).output)
    unknown = [field for field, value in analysed._asdict().items() if value is None]
    verdict = "unknown: " + ", ".join(unknown) if unknown else "agrees"
    shown = observed._asdict()
    for field, (buildkit, buildah) in situation.differs.items():
        assert shown[field] == buildah, f"buildah no longer differs from BuildKit on {field}: {shown[field]!r}"
        shown[field] = buildkit
    disagreements = {
        field: (value, shown[field])
        for field, value in analysed._asdict().items()
        if value is not None and value != shown[field]
    }
    if disagreements:
        verdict = f"disagrees: {disagreements}"
    elif situation.differs:
        verdict += f" (with BuildKit's {', '.join(situation.differs)}; buildah differs there)"
    _record(situation.name, observed, analysed, verdict)
    assert not disagreements, f"dockerfix says, the builder shows: {disagreements}"
    assert unknown == sorted(situation.unknown), f"dockerfix says unknown for {unknown}; the builder shows {observed}"
