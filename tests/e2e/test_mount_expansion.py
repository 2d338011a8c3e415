"""Variables in `RUN --mount=type=cache,...` options: what a real builder expands, and from what.

dockerfix wants to write mounts such as
`--mount=type=cache,target=${APP_HOME}/.cache/pip,uid=${UID},gid=${UID}` whose values come
from ARG/ENV, so that the fix stays right under `--build-arg UID=...`. That is only correct
if the builder expands those variables in those keys. These builds show it from inside
the RUN: the RUN reads `/proc/self/mountinfo`, finds every cache mount (buildah bind-mounts
`$TMPDIR/buildah-cache/<id>`), and prints its id, where it is mounted, its owner and mode
(`stat -c '%u:%g %a'`) and what is in it. Each mount has its own `id=`, so that a line
can be traced to its `--mount` whatever its target became.

The builder here is Debian bookworm's buildah 1.28.2, built against Debian's
openshift/imagebuilder 1.2.3, whose RUN dispatcher expands the *whole* `--mount=...` flag
as one shell word (`dispatchers.go` `run`: `ProcessWord(flag, mergeEnv(envMapAsSlice(b.Args),
b.Env))`) before buildah splits it at commas. BuildKit expands each value after splitting
(`instructions/commands_runmount.go` `parseMount`, called from `RunCommand.Expand`) with
the stage's LLB environment (image config Env, ENV, and the values of ARGs declared in the
stage or in a parent stage). Where the two differ, the test asserts buildah's behaviour
and `BUILDKIT` says what BuildKit does instead (from its source; see docs/e2e.md). The
observed table goes to `.cache/e2e/results/mount-expansion.json`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import NamedTuple

import pytest

from .builder import BuildResult
from .conftest import add_report

pytestmark = pytest.mark.e2e

RESULTS = Path(__file__).resolve().parents[2] / ".cache" / "e2e" / "results" / "mount-expansion.json"

# Prints, for every cache mount the RUN sees: "@@<step>|<id>|<mount point>|<uid:gid>|<mode>|<entries>",
# then "@@<step>|HOME|<the RUN's $HOME>". The RUN's text is not expanded by the Dockerfile
# frontend (neither buildah's nor BuildKit's), so `$4`, `$id` and `$HOME` are the shell's.
REPORT = (
    r"""awk '$4 ~ /buildah-cache\// { id = $4; sub(/.*buildah-cache\//, "", id); print id, $5 }' /proc/self/mountinfo"""
    r""" | while read id dir; do echo "@@STEP|$id|$dir|$(stat -c '%u:%g|%a' "$dir")|$(ls -A "$dir" | tr '\n' ' ')"; done;"""
    r""" echo "@@STEP|HOME|$HOME" """
)


def report(step: str) -> str:
    return REPORT.replace("STEP", step)


# One Dockerfile, two builds (defaults, then CLI_ARGS), each in a fresh TMPDIR (cold caches:
# buildah 1.28 applies uid/gid/mode only when it creates a cache directory).
MAIN = (
    """\
ARG GLOBAL_DIR=/global-default
ARG GLOBAL_REDECLARED=1600
FROM debian:bookworm AS parent
ARG PARENT_DIR=/from-parent
FROM parent
ARG GLOBAL_REDECLARED
ARG UID=1000
ARG MODE=0750
ARG APP_HOME=/srv/app
ARG APP_UID="${APP_UID:-6972}"
ARG CACHE_ID=from-arg
ARG SHARING=locked
ARG COMMA=/c,uid=4242
ENV CACHE_ROOT=/var/cache/x
ENV SHADOW=/env
ARG SHADOW=/arg
RUN --mount=type=cache,id=uid,target=/cache,uid=${UID},gid=${UID},mode=${MODE} \\
    --mount=type=cache,id=apphome,target=${APP_HOME}/.cache/pip \\
    --mount=type=cache,id=env,target=${CACHE_ROOT}/pip \\
    --mount=type=cache,id=home,target=$HOME/.cache/pip \\
    --mount=type=cache,id=appuid,target=/probe/appuid,uid=${APP_UID},gid=${APP_UID} \\
    --mount=type=cache,id=redeclared,target=/probe/redeclared,uid=${GLOBAL_REDECLARED},gid=${GLOBAL_REDECLARED} \\
    --mount=type=cache,id=global,target=/probe/global${GLOBAL_DIR} \\
    --mount=type=cache,id=undeclared,target=/probe/undeclared${UNDECLARED} \\
    --mount=type=cache,id=parent,target=/probe/parent${PARENT_DIR} \\
    --mount=type=cache,id=shadow,target=/probe/shadow${SHADOW} \\
    --mount=type=cache,id=${CACHE_ID},target=/probe/id \\
    --mount=type=cache,id=sharing,target=/probe/sharing,sharing=${SHARING} \\
    --mount=type=cache,id=comma,target=/probe/comma${COMMA} \\
    """
    + report("1")
    + """
RUN --mount=type=cache,id=uid,target=/again,uid=4321,gid=4321 """
    + report("2")
    + "\n"
)

# Nothing declares UNDECLARED; GLOBAL_DIR is a global ARG that the stage does not redeclare;
# PARENT_DIR is declared in the parent stage only; SHADOW is an ARG after an ENV of that name.
CLI_ARGS = {
    "UID": "1234",
    "MODE": "0700",
    "APP_HOME": "/opt/other",
    "APP_UID": "2345",
    "GLOBAL_REDECLARED": "1700",
    "GLOBAL_DIR": "/cli-global",
    "UNDECLARED": "/cli-undeclared",
    "PARENT_DIR": "/cli-parent",
    "SHADOW": "/cli-shadow",
    "CACHE_ID": "from-cli",
}


class Mount(NamedTuple):
    target: str
    owner: str  # uid:gid
    mode: str  # octal, as stat prints it
    entries: str = ""


class Case(NamedTuple):
    """What buildah 1.28 shows (key: step and mount id) with defaults and with CLI_ARGS."""

    key: tuple[str, str]
    default: Mount
    cli: Mount
    cli_key: tuple[str, str] | None = None  # when the id itself comes from a variable
    buildkit: str = ""  # what BuildKit does instead, when it differs


CASES = [
    Case(("1", "uid"), Mount("/cache", "1000:1000", "750"), Mount("/cache", "1234:1234", "700")),
    Case(("1", "apphome"), Mount("/srv/app/.cache/pip", "0:0", "755"), Mount("/opt/other/.cache/pip", "0:0", "755")),
    Case(("1", "env"), Mount("/var/cache/x/pip", "0:0", "755"), Mount("/var/cache/x/pip", "0:0", "755")),
    # No ENV/ARG HOME (the image config has none): $HOME is empty for the frontend, while
    # the RUN's HOME is /root (checked separately). BuildKit: the same, plus an
    # UndefinedVar warning.
    Case(("1", "home"), Mount("/.cache/pip", "0:0", "755"), Mount("/.cache/pip", "0:0", "755")),
    # ARG APP_UID="${APP_UID:-6972}": the default refers to the unset APP_UID, so 6972;
    # a --build-arg replaces the whole default. BuildKit: the same.
    Case(("1", "appuid"), Mount("/probe/appuid", "6972:6972", "755"), Mount("/probe/appuid", "2345:2345", "755")),
    Case(("1", "redeclared"), Mount("/probe/redeclared", "1600:1600", "755"), Mount("/probe/redeclared", "1700:1700", "755")),
    Case(
        ("1", "global"),
        Mount("/probe/global", "0:0", "755"),
        Mount("/probe/global/cli-global", "0:0", "755"),
        buildkit="/probe/global in both builds: a global ARG is not in the stage's environment unless redeclared",
    ),
    Case(
        ("1", "undeclared"),
        Mount("/probe/undeclared", "0:0", "755"),
        Mount("/probe/undeclared/cli-undeclared", "0:0", "755"),
        buildkit="/probe/undeclared in both builds: a build argument no ARG declares is never expanded",
    ),
    Case(
        ("1", "parent"),
        Mount("/probe/parent", "0:0", "755"),
        Mount("/probe/parent/cli-parent", "0:0", "755"),
        buildkit="/probe/parent/from-parent, then /probe/parent/cli-parent: a stage inherits its parent stage's ARG values",
    ),
    Case(
        ("1", "shadow"),
        Mount("/probe/shadow/env", "0:0", "755"),
        Mount("/probe/shadow/env", "0:0", "755"),
        buildkit="/probe/shadow/arg, then /probe/shadow/cli-shadow: an ARG after an ENV of the same name wins",
    ),
    Case(("1", "from-arg"), Mount("/probe/id", "0:0", "755"), Mount("/probe/id", "0:0", "755"), cli_key=("1", "from-cli")),
    # sharing=${SHARING} -> locked: buildah 1.28 puts its lock file in the cache directory.
    Case(
        ("1", "sharing"),
        Mount("/probe/sharing", "0:0", "755", "buildah-cache-lockfile"),
        Mount("/probe/sharing", "0:0", "755", "buildah-cache-lockfile"),
        buildkit="sharing is expanded too (locked), but BuildKit keeps no lock file in the cache",
    ),
    Case(
        ("1", "comma"),
        Mount("/probe/comma/c", "4242:0", "755"),
        Mount("/probe/comma/c", "4242:0", "755"),
        buildkit='target "/probe/comma/c,uid=4242", owned 0:0: BuildKit splits the options before it expands values',
    ),
    # The same id with another uid/gid: buildah 1.28 reuses the directory it made in step 1
    # and keeps its owner and mode (idtools.MkdirAllAndChownNew). BuildKit (and buildah
    # >= 1.40) key a cache by id and uid/gid: a new cache, 4321:4321 0755.
    Case(
        ("2", "uid"),
        Mount("/again", "1000:1000", "750"),
        Mount("/again", "1234:1234", "700"),
        buildkit="4321:4321 755 in both builds: uid/gid/mode make another cache",
    ),
]

# A global ARG (before FROM), not redeclared, in uid=: the frontend sees no value.
GLOBAL_UID = (
    """\
ARG GLOBAL_UID=1500
FROM debian:bookworm
RUN --mount=type=cache,id=globaluid,target=/cache,uid=${GLOBAL_UID},gid=${GLOBAL_UID} """
    + report("1")
    + "\n"
)


def observe(output: str) -> tuple[dict[tuple[str, str], Mount], dict[str, str]]:
    mounts: dict[tuple[str, str], Mount] = {}
    homes: dict[str, str] = {}
    for line in output.splitlines():
        if not line.startswith("@@"):
            continue
        fields = line[2:].split("|")
        if fields[1] == "HOME":
            homes[fields[0]] = fields[2]
        else:
            step, mount_id, target, owner, mode, entries = fields
            mounts[(step, mount_id)] = Mount(target, owner, mode, entries.strip())
    return mounts, homes


def _table(observed: dict[str, dict[tuple[str, str], Mount]]) -> list[dict[str, object]]:
    rows = []
    for case in CASES:
        row: dict[str, object] = {"mount": f"step {case.key[0]} id={case.key[1]}"}
        for build, key in (("default", case.key), ("cli", case.cli_key or case.key)):
            seen = observed[build].get(key)
            row[build] = None if seen is None else " ".join(filter(None, seen))
        row["buildkit_differs"] = case.buildkit or None
        rows.append(row)
    return rows


def _record(name: str, value: object) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    table = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    table[name] = value
    RESULTS.write_text(json.dumps(table, indent=2, sort_keys=True) + "\n")


def test_cache_mount_options_expand_stage_args_and_env(builder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    context = tmp_path / "context"
    context.mkdir()
    (context / "Dockerfile").write_text(MAIN)

    results: dict[str, BuildResult] = {"default": builder.build_ok(context)}
    builder.fresh_tmpdir()
    results["cli"] = builder.build_ok(context, build_args=CLI_ARGS)

    observed = {}
    for build, result in results.items():
        mounts, homes = observe(result.output)
        observed[build] = mounts
        # The frontend's $HOME was empty (the mount went to /.cache/pip), the RUN's is /root.
        assert homes == {"1": "/root", "2": "/root"}, result.output
        # As many cache mounts as --mount flags: nothing was dropped or split off.
        assert len([key for key in mounts if key[0] == "1"]) == 13, result.output
        assert len([key for key in mounts if key[0] == "2"]) == 1, result.output
    rows = _table(observed)
    _record("main", rows)
    add_report(
        "e2e: variables in RUN --mount options (buildah 1.28), default | --build-arg",
        "\n".join(f"{row['mount']}: {row['default']} | {row['cli']}" for row in rows),
    )

    for case in CASES:
        for build, key, expected in (
            ("default", case.key, case.default),
            ("cli", case.cli_key or case.key, case.cli),
        ):
            seen = observed[build].get(key)
            note = f" (BuildKit instead: {case.buildkit})" if case.buildkit else ""
            assert seen == expected, (
                f"{build} build, mount {key}: buildah shows {seen}, expected {expected}{note}\n"
                + results[build].output
            )

    # The cache directories on the host are named by the expanded id (default: the target).
    assert (builder.cache_root / "from-cli").is_dir()
    # buildah 1.28 warns that UNDECLARED was "not consumed", though the --mount used it.
    assert re.search(r"not consumed: \[[^\]]*\bUNDECLARED\b", results["cli"].output), results["cli"].output


def test_global_arg_not_redeclared_in_uid(builder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    context = tmp_path / "context"
    context.mkdir()
    (context / "Dockerfile").write_text(GLOBAL_UID)

    # Its default is not seen in the stage: uid= is empty and the RUN fails.
    # BuildKit fails the same way ("invalid value  for uid").
    failed = builder.build(context)
    assert failed.returncode != 0, failed.output
    assert "unable to parse cache uid" in failed.output, failed.output

    # Given on the command line, buildah 1.28 (with Debian's imagebuilder 1.2.3, which does not
    # filter build arguments by the ARGs in scope) expands it although the stage does not
    # declare it. BuildKit (and buildah >= 1.27 with its vendored imagebuilder) still fail.
    builder.fresh_tmpdir()
    given = builder.build_ok(context, build_args={"GLOBAL_UID": "2000"})
    mounts, _ = observe(given.output)
    assert mounts == {("1", "globaluid"): Mount("/cache", "2000:2000", "755")}, given.output
    _record(
        "global_uid",
        {
            "default": "build fails: unable to parse cache uid (uid= is empty)",
            "cli GLOBAL_UID=2000": " ".join(filter(None, mounts[("1", "globaluid")])),
            "buildkit_differs": "fails in both builds: invalid value  for uid",
        },
    )
