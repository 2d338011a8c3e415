"""The analysis end to end: from a Dockerfile to each RUN's user, HOME, caches and mounts.

Each test names the row it checks: problem.md §2 ("Which HOME a RUN sees", rows 1-10 in
table order) or semantics.md §7 (rows by number). The per-tool precedence rules have
their own unit tests in test_caches.py; here the whole chain runs (stages, users, shell
context, cache resolution, mounts, ownership).
"""

from __future__ import annotations

import pytest

from fixer import users
from fixer.analysis import analyse, write_access
from fixer.facts import Known, Unknown
from fixer.parser import parse

BASE = "FROM python:3.12-slim\n"


def last_run(text: str, build_args: dict[str, str] | None = None):
    facts = analyse(parse(text), build_args)
    return facts.runs[-1]


def pip(text: str, build_args: dict[str, str] | None = None):
    run = last_run(text, build_args)
    (install,) = [i for i in run.installs if i.cache.tool == "pip"]
    return run, install


def home_of(run) -> str | None:
    return run.home.value if isinstance(run.home, Known) else None


@pytest.mark.parametrize(
    ("row", "body", "home", "status", "directory"),
    [
        (1, "RUN pip install x\n", "/root", "enabled", "/root/.cache/pip"),
        (2, "ENV HOME=/app\nRUN pip install x\n", "/app", "enabled", "/app/.cache/pip"),
        (3, "RUN useradd -m -u 1000 appuser\nUSER appuser\nRUN pip install x\n", "/home/appuser", "enabled",
         "/home/appuser/.cache/pip"),
        (4, "RUN useradd -m -u 1000 appuser\nENV HOME=/app\nUSER appuser\nRUN pip install x\n", "/app", "disabled",
         "/app/.cache/pip"),
        (4, "RUN useradd -m -u 1000 appuser\nUSER appuser\nENV HOME=/app\nRUN pip install x\n", "/app", "disabled",
         "/app/.cache/pip"),
        (5, "USER 1234\nRUN pip install x\n", "/", "disabled", "/.cache/pip"),
        (5, "USER 1234:1234\nRUN pip install x\n", "/", "disabled", "/.cache/pip"),
        (6, "USER nobody\nRUN pip install x\n", "/nonexistent", "disabled", "/nonexistent/.cache/pip"),
        (7, "RUN useradd -m -u 1000 appuser\nUSER 1000\nRUN pip install x\n", "/home/appuser", "enabled",
         "/home/appuser/.cache/pip"),
        (8, "RUN useradd -r svc\nUSER svc\nRUN pip install x\n", "/home/svc", "disabled", "/home/svc/.cache/pip"),
        (9, "RUN useradd -m -u 1000 appuser\nUSER appuser\nUSER root\nRUN pip install x\n", "/root", "enabled",
         "/root/.cache/pip"),
        (10, "RUN useradd -M -d /app appuser\nUSER appuser\nRUN pip install x\n", "/app", "disabled", "/app/.cache/pip"),
    ],
)
def test_problem_table_which_home_a_run_sees(row: int, body: str, home: str, status: str, directory: str) -> None:
    run, install = pip(BASE + body)
    assert home_of(run) == home, f"problem.md §2 row {row}"
    assert (install.cache.status, install.cache.directory) == (status, directory), install.cache.reason


def test_canonical_bug_1a_mount_misses_the_cache() -> None:
    """problem.md §1a: ENV HOME=/app moves pip's cache away from the /root mount."""
    text = (
        "FROM python:3.13-slim AS app-image\nWORKDIR /app\nENV HOME=/app\nCOPY . .\n"
        "RUN --mount=type=cache,mode=0755,target=/root/.cache/pip \\\n    pip install -e .\n"
    )
    run, install = pip(text)
    assert install.cache.directory == "/app/.cache/pip"
    assert install.mount_status == "miss"
    (mount,) = run.cache_mounts
    assert mount.target == "/root/.cache/pip"


def test_canonical_bug_1c_root_owned_mount_for_a_non_root_user() -> None:
    """problem.md §1c: the mount is root-owned, so pip as appuser disables the cache."""
    text = BASE + (
        "RUN useradd -m -u 1000 appuser\nUSER appuser\n"
        "RUN --mount=type=cache,target=/home/appuser/.cache/pip pip install --user -r requirements.txt\n"
    )
    _, install = pip(text)
    assert install.cache.status == "disabled"
    assert install.cache.decided_by == "not-writable"
    assert install.mount_status == "disabled"


def test_mount_with_the_users_uid_is_writable() -> None:
    text = BASE + (
        "RUN useradd -m -u 1000 appuser\nUSER appuser\n"
        "RUN --mount=type=cache,target=/home/appuser/.cache/pip,uid=1000,gid=1000 pip install -r r.txt\n"
    )
    _, install = pip(text)
    assert (install.cache.status, install.mount_status) == ("enabled", "hit")


def test_row_3_home_in_a_mount_target_expands_at_build_time() -> None:
    """semantics §7 row 3: `$HOME` in the target is undefined at build time: /.cache/pip."""
    run, install = pip(BASE + "RUN --mount=type=cache,target=$HOME/.cache/pip pip install x\n")
    assert run.cache_mounts[0].target == "/.cache/pip"
    assert install.cache.directory == "/root/.cache/pip"
    assert install.mount_status == "miss"


def test_row_7_home_from_the_image_does_not_follow_user() -> None:
    """semantics §7 row 7: HOME=/root stays for USER app, and /root is not app's."""
    run, install = pip(BASE + "ENV HOME=/root\nRUN useradd -m -u 1000 app\nUSER app\nRUN pip install x\n")
    assert home_of(run) == "/root"
    assert install.cache.status == "disabled"


def test_row_15_pip_no_cache_dir_inherited_from_a_parent_stage() -> None:
    """semantics §7 row 15 and §1.3: ENV is inherited through FROM <stage>; 'off' disables too."""
    text = (
        "FROM python:3.12-slim AS base\nENV PIP_NO_CACHE_DIR=off\n"
        "FROM base\nRUN --mount=type=cache,target=/root/.cache/pip pip install x\n"
    )
    _, install = pip(text)
    assert install.cache.status == "disabled"
    assert install.cache.decided_by == "env-no-cache-dir"
    assert install.cache.origin.line == 2
    assert install.mount_status == "disabled"


def test_row_20_abbreviated_no_cache_disables() -> None:
    """semantics §7 row 20: pip reads `--no-cache` as `--no-cache-dir`."""
    _, install = pip(BASE + "RUN --mount=type=cache,target=/root/.cache/pip pip install --no-cache x\n")
    assert (install.cache.status, install.cache.decided_by) == ("disabled", "cli-no-cache-dir")


def test_row_21_per_command_home() -> None:
    """semantics §7 row 21: `HOME=/x pip` moves the cache for that command only."""
    run = last_run(BASE + "RUN HOME=/x pip install a && pip install b\n")
    first, second = run.installs
    assert first.cache.directory == "/x/.cache/pip"
    assert second.cache.directory == "/root/.cache/pip"


def test_row_22_export_pip_cache_dir() -> None:
    run = last_run(BASE + "RUN export PIP_CACHE_DIR=/t; pip install a\n")
    (install,) = run.installs
    assert install.cache.directory == "/t"


def test_row_23_arg_overrides_env_home() -> None:
    """semantics §7 row 23: BuildKit's ARG-after-ENV override, for HOME and the mount."""
    run, install = pip(BASE + "ENV HOME=/e\nARG HOME=/a\nRUN --mount=type=cache,target=$HOME/.cache/pip pip install x\n")
    assert home_of(run) == "/a"
    assert install.mount_status == "hit"
    assert not run.home.certain


def test_row_26_root_with_a_mount_owned_by_another_uid() -> None:
    """semantics §7 row 26: pip as root disables a cache owned by uid 1000."""
    _, install = pip(BASE + "RUN --mount=type=cache,target=/root/.cache/pip,uid=1000 pip install x\n")
    assert install.cache.status == "disabled"


def test_row_27_ngc_pip_config_disables_unless_cli_cache_dir() -> None:
    """semantics §7 rows 18 and 27: NGC's pip.conf no-cache-dir; only --cache-dir re-enables."""
    base = "FROM nvcr.io/nvidia/pytorch:23.08-py3\n"
    _, disabled = pip(base + "RUN --mount=type=cache,target=/root/.cache/pip pip install x\n")
    assert disabled.cache.status == "disabled"
    _, enabled = pip(base + "RUN --mount=type=cache,target=/root/.cache/pip pip install --cache-dir=/root/.cache/pip x\n")
    assert (enabled.cache.status, enabled.mount_status) == ("enabled", "hit")


def test_su_switches_home_inside_the_run() -> None:
    """semantics §6: `su user -c` sets HOME to the target's home."""
    run = last_run(BASE + "RUN useradd -m -u 1000 app\nRUN su app -c 'pip install x'\n")
    (install,) = run.installs
    assert install.cache.directory == "/home/app/.cache/pip"


def test_exec_form_run_is_analysed() -> None:
    run = last_run(BASE + 'RUN ["pip", "install", "--no-cache-dir", "x"]\n')
    (install,) = run.installs
    assert install.cache.status == "disabled"


def test_heredoc_run_is_analysed() -> None:
    run = last_run(BASE + "ENV HOME=/srv\nRUN <<EOF\nset -e\npip install x\nEOF\n")
    (install,) = run.installs
    assert install.cache.directory == "/srv/.cache/pip"


def test_unknown_base_image_gives_unknown_home_with_a_reason() -> None:
    """Unknown stays unknown: never a guess presented as fact."""
    run, install = pip("FROM registry.example.com/team/python:1\nRUN pip install x\n")
    assert isinstance(run.home, Unknown) and "registry.example.com/team/python:1" in run.home.reason
    assert install.cache.status == "unknown"


def test_uv_cache_and_build_args() -> None:
    run = last_run(BASE + "ARG UV_CACHE_DIR=/uv\nRUN --mount=type=cache,target=/uv uv sync\n", {"UV_CACHE_DIR": "/uv"})
    (install,) = run.installs
    assert (install.cache.tool, install.cache.directory, install.mount_status) == ("uv", "/uv", "hit")


def test_runs_without_installers_are_not_tokenised() -> None:
    run = last_run(BASE + "RUN echo hello\n")
    assert run.installs == ()
    assert run._shell is False


@pytest.mark.parametrize(
    ("row", "body", "tool", "directory"),
    [
        (8, "ENV PIP_CACHE_DIR=/pc\nRUN pip install x\n", "pip", "/pc"),
        (10, "ENV XDG_CACHE_HOME=/xc\nRUN pip install x\n", "pip", "/xc/pip"),
        (11, "ENV XDG_CACHE_HOME=/xc PIP_CACHE_DIR=/pc\nRUN pip install x\n", "pip", "/pc"),
        (29, "RUN pipenv install --system\n", "pipenv", "/root/.cache/pipenv"),
        (30, "ENV PIP_CACHE_DIR=/pc\nRUN uv pip install --system x\n", "uv", "/root/.cache/uv"),
    ],
)
def test_semantics_rows_end_to_end(row: int, body: str, tool: str, directory: str) -> None:
    run = last_run(BASE + body)
    (install,) = run.installs
    assert (install.cache.tool, install.cache.directory) == (tool, directory), f"semantics §7 row {row}"


def test_row_24_child_stage_inherits_home_and_user() -> None:
    """semantics §7 row 24: FROM base AS x keeps ENV HOME and USER."""
    text = (
        "FROM python:3.12-slim AS base\nRUN useradd -m -u 1000 app\nENV HOME=/h\nUSER app\n"
        "FROM base AS x\nRUN pip install x\n"
    )
    run, install = pip(text)
    assert home_of(run) == "/h"
    assert run.user.value.name == "app"
    assert install.cache.directory == "/h/.cache/pip"


def test_onbuild_runs_are_not_analysed_in_this_build() -> None:
    """ONBUILD triggers run in images built FROM this one, whose state is unknown here."""
    facts = analyse(parse(BASE + "ONBUILD RUN pip install x\n"))
    assert facts.runs == []


@pytest.mark.parametrize(
    ("row", "body", "writable"),
    [
        (1, "RUN pip install x\n", True),
        (3, "RUN useradd -m -u 1000 appuser\nUSER appuser\nRUN pip install x\n", True),
        (4, "RUN useradd -m -u 1000 appuser\nENV HOME=/app\nUSER appuser\nRUN pip install x\n", False),
        (6, "USER nobody\nRUN pip install x\n", False),
        (8, "RUN useradd -r svc\nUSER svc\nRUN pip install x\n", False),
    ],
)
def test_whether_home_exists_and_is_writable(row: int, body: str, writable: bool) -> None:
    assert last_run(BASE + body).home_writable is writable, f"problem.md §2 row {row}"


def test_workdir_after_user_belongs_to_that_user() -> None:
    """BuildKit's dispatchWorkdir creates the directory as the current USER."""
    text = BASE + "RUN useradd -m -u 1000 app\nUSER app\nWORKDIR /app\nENV HOME=/app\nRUN pip install x\n"
    run, install = pip(text)
    assert run.home_writable is True
    assert install.cache.status == "enabled"


def test_workdir_does_not_take_over_an_existing_home() -> None:
    text = BASE + "RUN useradd -m -u 1500 svc\nWORKDIR /home/svc\nUSER svc\nRUN pip install x\n"
    run, install = pip(text)
    assert run.home_writable is True
    assert install.cache.status == "enabled"


def test_chown_after_workdir_makes_ownership_unknown_not_wrong() -> None:
    text = BASE + (
        "RUN useradd -m -u 1000 dash\nWORKDIR /app\nENV HOME=/app\nRUN chown dash:dash /app\nUSER dash\n"
        "RUN pip install x\n"
    )
    _, install = pip(text)
    assert install.cache.status == "enabled" and not install.cache.certain


@pytest.mark.parametrize(
    ("copy", "claimed"),
    [
        ("COPY --chown=app:app . .\n", True),
        ("COPY --chown=app requirements.txt /srv/app/\n", True),
        ("COPY --chmod=0644 pip.conf /etc/pip.conf\n", True),
        ("COPY --chown=app . /root/app\n", True),  # /root exists: only /root/app is new, and app's
        ("COPY --chown=app . /root\n", False),
        ("COPY --chown=app . /\n", False),
        ("COPY --chown=app . ${DEST}\n", False),  # where it lands is not read here
    ],
)
def test_copy_chown_changes_owners_only_where_it_writes(copy: str, claimed: bool) -> None:
    """A COPY --chown/--chmod gives its destination (and the directories it creates) to
    the user; /root, which existed before, stays closed to everyone else."""
    text = BASE + (
        "RUN useradd -m -u 1000 app\nWORKDIR /srv/app\nUSER app\n" + copy
        + "RUN --mount=type=cache,target=/root/.cache/pip,uid=1000,gid=1000 pip install -r requirements.txt\n"
    )
    run = last_run(text)
    (mount,) = run.cache_mounts
    allowed, why = write_access("/root/.cache/pip", run.user, mount, run)
    assert (allowed is False and "/root (owned by root, mode 0700) cannot be entered" in why) is claimed, why


def test_copy_chown_makes_what_it_writes_unknown_not_the_rest() -> None:
    """The WORKDIR it copies into may have a new owner; a directory elsewhere keeps its."""
    text = BASE + (
        "RUN useradd -m -u 1000 app\nWORKDIR /srv/app\nWORKDIR /opt/tools\nUSER app\n"
        "COPY --chown=app . /srv/app\nRUN pip install x\n"
    )
    run = last_run(text)
    assert run.filesystem.directories["/srv/app"] is None
    assert run.filesystem.directories["/opt/tools"] == 0
    assert write_access("/srv/app/.cache", run.user, None, run)[0] is None
    assert write_access("/opt/tools/.cache", run.user, None, run)[0] is False
    assert write_access("/opt/other/.cache", run.user, None, run)[0] is False  # nothing gave /opt away
    assert write_access("/srv/other/.cache", run.user, None, run)[0] is None  # the COPY may have made /srv


def test_uv_as_non_root_with_a_root_owned_mount_fails() -> None:
    """semantics §2.2: uv cannot use a cache it may not write, and stops."""
    text = BASE + (
        "RUN useradd -m -u 1001 ingest\nUSER ingest\n"
        "RUN --mount=type=cache,target=/home/ingest/.cache/uv uv sync --frozen\n"
    )
    (install,) = last_run(text).installs
    assert (install.cache.status, install.cache.decided_by) == ("disabled", "not-writable")
    assert "Permission denied" in install.cache.reason


def test_uv_as_root_may_use_a_mount_owned_by_another_uid() -> None:
    """Only pip insists that root owns the cache; uv as root writes anywhere."""
    text = BASE + "RUN --mount=type=cache,target=/root/.cache/uv,uid=1000 uv pip install --system x\n"
    (install,) = last_run(text).installs
    assert install.cache.status == "enabled"


def test_a_uid_without_a_passwd_entry_gets_runcs_home_and_says_so() -> None:
    run = last_run("FROM debian:bookworm\nUSER 1234\nRUN pip install x\n")
    assert isinstance(run.home, Known) and run.home.value == "/"
    assert str(run.home.origin) == "runc's default for uid 1234, which has no /etc/passwd entry"
    named = last_run("FROM debian:bookworm\nRUN useradd -m app\nUSER app\nRUN pip install x\n")
    assert str(named.home.origin) == "home of app (uid 1000) in /etc/passwd"


def test_every_tag_of_python_slim_gives_the_user_home_and_pip_cache() -> None:
    """`FROM python:"${V}"-slim`, V without a value: no python tag sets HOME, USER or pip
    config, and every `-slim` tag is Debian, so useradd's account and HOME are known
    (images.py `_every_tag`) and the root-owned mount misses pip's cache (DFX101)."""
    text = (
        'ARG PYTHON_VERSION\nFROM python:"${PYTHON_VERSION}"-slim\nRUN useradd -m -u 1000 app\nUSER app\n'
        "RUN --mount=type=cache,target=/root/.cache/pip pip install flask\n"
    )
    run, install = pip(text)
    assert isinstance(run.user, Known) and (run.user.value.name, run.user.value.uid) == ("app", 1000)
    assert home_of(run) == "/home/app" and run.home.certain
    assert (install.cache.status, install.cache.directory) == ("enabled", "/home/app/.cache/pip")
    assert install.cache.certain and install.mount_status == "miss"
    root = analyse(parse(text)).runs[0]
    assert home_of(root) == "/root"


def test_every_tag_without_the_variant_gives_what_both_variants_share() -> None:
    """`python:${PY}` may be Debian or Alpine: both run as root with HOME /root and no pip
    config (images.py `_DEBIAN_OR_ALPINE`); which user tools run is not claimed."""
    run, install = pip("ARG PY\nFROM python:${PY}\nRUN pip install x\n")
    assert run.home == Known("/root", run.home.origin, True)
    assert install.cache.status == "enabled" and install.cache.directory == "/root/.cache/pip"
    assert run.stage.image is not None and users.distro_family(run.stage.image) is None
    ubuntu = last_run("ARG UBUNTU\nFROM ubuntu:${UBUNTU}\nUSER 1000\nRUN pip install x\n")
    assert isinstance(ubuntu.home, Unknown)  # uid 1000 is `ubuntu` from 23.04 on, absent before


def test_an_account_whose_home_is_not_known_owns_no_directory() -> None:
    """`adduser --system` (the version decides its home) beside a HOME set by ENV: asking
    who owns the cache directory must not trip over the account with no known home."""
    run = last_run("FROM python:3.12-slim\nRUN adduser --system app\nENV HOME=/tmp\nRUN pip install flask\n")
    allowed, _ = write_access("/tmp/.cache/pip", run.user, None, run)
    assert allowed is True
