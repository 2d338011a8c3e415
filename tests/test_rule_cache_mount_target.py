"""DFX101 cache-mount-target: its documented examples, and the edge cases of moving a
mount: explicit ids, uid/gid, several mounts, targets written with `$HOME`, `~` or a
relative path, and how it settles together with DFX102."""

from __future__ import annotations


import pytest

from fixer.diagnostics import Applicability, Diagnostic
from fixer.engine import Settings, check_text
from fixer.rules.cache_dir_option import CacheDirOption
from fixer.rules.cache_mount_target import CacheMountTarget

RULE = CacheMountTarget
UNSAFE = Settings(unsafe_fixes=True)
MOUNT = "RUN --mount=type=cache,target=/root/.cache/pip "


def only(text: str) -> Diagnostic:
    """The one DFX101 finding in `text`."""
    (diagnostic,) = check_text("Dockerfile", text, [RULE], Settings()).diagnostics
    return diagnostic


def fixed(text: str, rules: tuple = (RULE,)) -> str:  # type: ignore[type-arg]
    result = check_text("Dockerfile", text, list(rules), UNSAFE)
    assert result.error is None, result.error
    return result.output


def test_canonical_message_names_the_values_and_the_id_change() -> None:
    text = "FROM python:3.12\nWORKDIR /app\nENV HOME=/app\n" + MOUNT + "pip install .\n"
    diagnostic = only(text)
    assert diagnostic.message == (
        "cache mount at /root/.cache/pip, but pip caches in /app/.cache/pip (ENV HOME (line 3))"
    )
    assert "changes the cache id from /root/.cache/pip to /app/.cache/pip" in diagnostic.detail
    assert "To keep the id, keep the mount and run pip with --cache-dir=/root/.cache/pip" in diagnostic.detail
    assert diagnostic.fix is not None and diagnostic.fix.applicability is Applicability.SAFE
    assert diagnostic.fix.title == "Move the cache mount to /app/.cache/pip"
    assert diagnostic.fix.caveat == "its cache id becomes /app/.cache/pip: the cache starts empty once"
    assert diagnostic.span.text(text) == "/root/.cache/pip"


def test_explicit_id_is_kept_and_said_so() -> None:
    text = "FROM python:3.12\nENV HOME=/app\nRUN --mount=type=cache,id=pip,target=/root/.cache/pip pip install x\n"
    diagnostic = only(text)
    assert "keeps its id=pip" in diagnostic.detail and "changes the cache id" not in diagnostic.detail
    assert diagnostic.fix is not None and diagnostic.fix.title == "Move the cache mount to /app/.cache/pip"
    assert diagnostic.fix.caveat == ""
    assert fixed(text).endswith("--mount=type=cache,id=pip,target=/app/.cache/pip pip install x\n")


def test_other_runs_sharing_the_old_id_are_named() -> None:
    text = (
        "FROM python:3.12 AS wheels\nRUN --mount=type=cache,target=/root/.cache/pip pip wheel -w /w x\n"
        "FROM python:3.12\nENV HOME=/app\nRUN --mount=type=cache,target=/root/.cache/pip pip install x\n"
    )
    assert "(the RUN at line 2 mounts it too)" in only(text).detail


def test_uid_gid_and_mode_stay_as_written() -> None:
    text = (
        "FROM python:3.12\nRUN useradd -m -u 1000 app\nUSER app\n"
        "RUN --mount=type=cache,uid=1000,target=/root/.cache/pip,gid=1000,mode=0700 pip install --user x\n"
    )
    diagnostic = only(text)
    assert diagnostic.fix is not None and diagnostic.fix.applicability is Applicability.SAFE
    assert fixed(text).endswith(
        "--mount=type=cache,uid=1000,target=/home/app/.cache/pip,gid=1000,mode=0700 pip install --user x\n"
    )


def test_root_cannot_use_a_mount_owned_by_another_uid_so_the_move_gives_it_to_root() -> None:
    text = "FROM python:3.12\nENV HOME=/app\nRUN --mount=type=cache,target=/root/.cache/pip,uid=1000 pip install x\n"
    diagnostic = only(text)
    assert diagnostic.fix is not None and diagnostic.fix.applicability is Applicability.SAFE
    assert diagnostic.fix.title == "Move the cache mount to /app/.cache/pip and set `uid=0,gid=0` on it"
    assert "the mount also needs `uid=0,gid=0` so its user may write it" in diagnostic.detail
    assert fixed(text, (RULE,)) == text.replace("/root/.cache/pip,uid=1000", "/app/.cache/pip,uid=0")


def test_a_user_whose_gid_is_a_guess_gets_an_owned_move_that_is_unsafe() -> None:
    text = (
        "FROM python:3.12\nRUN useradd -m -u 1000 -N app\nUSER app\n"
        "RUN --mount=type=cache,target=/root/.cache/pip pip install x\n"
    )
    diagnostic = only(text)
    assert diagnostic.fix is not None
    assert "set `uid=1000," in diagnostic.fix.title
    assert diagnostic.fix.applicability is Applicability.UNSAFE


def test_the_keep_the_id_remedy_is_offered_only_where_pips_user_may_write_the_mount() -> None:
    root = only("FROM python:3.12\nENV HOME=/app\nRUN --mount=type=cache,target=/root/.cache/pip pip install x\n")
    assert "To keep the id, keep the mount and run pip with --cache-dir=/root/.cache/pip" in root.detail
    user = only(
        "FROM python:3.12\nRUN useradd -m -u 1000 app\nUSER app\n"
        "RUN --mount=type=cache,target=/root/.cache/pip pip install x\n"
    )
    assert "To keep the id" not in user.detail


def test_only_the_pip_mount_moves_when_there_are_two() -> None:
    text = (
        "FROM python:3.12\nENV HOME=/app\n"
        "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/root/.cache/pip \\\n"
        "    apt-get update && pip install x\n"
    )
    assert fixed(text) == text.replace("target=/root/.cache/pip", "target=/app/.cache/pip")


def test_two_idle_pip_mounts_are_reported_without_a_fix() -> None:
    text = (
        "FROM python:3.12\nENV HOME=/app\n"
        "RUN --mount=type=cache,target=/root/.cache/pip --mount=type=cache,target=/tmp/pip pip install x\n"
    )
    diagnostic = only(text)
    assert diagnostic.fix is None and "/root/.cache/pip, /tmp/pip" in diagnostic.message


def test_a_pip_call_that_misses_beside_one_that_hits_is_reported_without_a_fix() -> None:
    text = (
        "FROM python:3.12\n"
        "RUN --mount=type=cache,target=/root/.cache/pip pip install a && HOME=/b pip install b\n"
    )
    diagnostic = only(text)
    assert diagnostic.fix is None
    assert diagnostic.message == "pip caches in /b/.cache/pip, off the cache mount at /root/.cache/pip, which serves another call"


def test_home_target_explains_build_time_expansion() -> None:
    text = "FROM python:3.12\nRUN --mount=type=cache,target=${HOME}/.cache/pip pip install x\n"
    diagnostic = only(text)
    expansion = "${HOME}/.cache/pip, which BuildKit expands to /.cache/pip ($HOME is no ENV or ARG there"
    assert "${HOME}/.cache/pip = /.cache/pip" in diagnostic.message and expansion in diagnostic.detail
    assert "--cache-dir" not in diagnostic.detail  # pointing pip at /.cache/pip is no advice
    assert fixed(text).endswith("target=/root/.cache/pip pip install x\n")


def test_home_target_that_expands_to_the_wrong_home() -> None:
    text = "FROM python:3.12\nENV HOME=/srv\nRUN --mount=type=cache,target=$HOME/.cache/pip HOME=/tmp pip install x\n"
    diagnostic = only(text)
    assert "$HOME/.cache/pip = /srv/.cache/pip" in diagnostic.message
    assert fixed(text).endswith("target=/tmp/.cache/pip HOME=/tmp pip install x\n")


def test_tilde_target_is_literal() -> None:
    text = "FROM python:3.12\nRUN --mount=type=cache,target=~/.cache/pip pip install x\n"
    diagnostic = only(text)
    assert "BuildKit mounts at /~/.cache/pip (it never expands ~" in diagnostic.detail
    assert fixed(text).endswith("target=/root/.cache/pip pip install x\n")


def test_relative_target_is_under_workdir_and_becomes_absolute() -> None:
    text = "FROM python:3.12\nWORKDIR /srv\nRUN --mount=type=cache,dst=.cache/pip pip install x\n"
    diagnostic = only(text)
    assert ".cache/pip, relative to WORKDIR: /srv/.cache/pip" in diagnostic.detail
    assert "id from .cache/pip to /root/.cache/pip" in diagnostic.detail
    assert fixed(text).endswith("--mount=type=cache,dst=/root/.cache/pip pip install x\n")


def test_quoting_around_the_value_is_kept() -> None:
    text = 'FROM python:3.12\nENV HOME=/app\nRUN --mount="type=cache,target=/root/.cache/pip" pip install x\n'
    assert fixed(text).endswith('--mount="type=cache,target=/app/.cache/pip" pip install x\n')


def test_a_directory_that_needs_quoting_is_not_written() -> None:
    text = 'FROM python:3.12\nENV PIP_CACHE_DIR="/var/cache/my pip"\n' + MOUNT + "pip install x\n"
    diagnostic = only(text)
    assert diagnostic.fix is None and "would need quoting" in diagnostic.no_fix


def test_a_command_line_cache_dir_is_left_to_dfx102() -> None:
    text = "FROM python:3.12\n" + MOUNT + "pip install --cache-dir /opt/pip-cache x && rm -rf /opt/pip-cache\n"
    assert check_text("Dockerfile", text, [RULE], UNSAFE).diagnostics == ()
    pointed = text.replace("--cache-dir /opt/pip-cache", "--cache-dir /root/.cache/pip")
    assert fixed(text, (RULE, CacheDirOption)) == pointed


@pytest.mark.parametrize("removed", ["~/.cache", "$HOME/.cache/pip", "/app/.cache/", "/app/.ca*", "${CACHE}"])
def test_an_rm_that_may_empty_the_moved_mount_makes_the_fix_unsafe(removed: str) -> None:
    text = "FROM python:3.12\nENV HOME=/app\n" + MOUNT + f"pip install x && rm -rf {removed}\n"
    diagnostic = only(text)
    assert diagnostic.fix is not None and diagnostic.fix.applicability is Applicability.UNSAFE
    assert f"the RUN removes {removed}, which would empty the moved mount" in diagnostic.fix.caveat


@pytest.mark.parametrize("removed", ["/var/lib/apt/lists/*", "*.egg-info", "build", "/root/.cache/pip", "/app/.npm"])
def test_an_rm_elsewhere_keeps_the_fix_safe(removed: str) -> None:
    diagnostic = only("FROM python:3.12\nENV HOME=/app\n" + MOUNT + f"pip install x && rm -rf {removed}\n")
    assert diagnostic.fix is not None and diagnostic.fix.applicability is Applicability.SAFE


def test_su_inside_the_run_is_the_user_whose_access_counts() -> None:
    text = (
        "FROM python:3.12\nRUN useradd -m -u 1000 app\n"
        "RUN --mount=type=cache,target=/root/.cache/pip,uid=1000,gid=1000 su app -c 'pip install --user x'\n"
    )
    diagnostic = only(text)
    assert diagnostic.fix is not None and diagnostic.fix.applicability is Applicability.SAFE
    assert fixed(text, (RULE,)) == text.replace("/root/.cache/pip", "/home/app/.cache/pip")


def test_su_to_a_user_whose_uid_is_not_known_makes_the_fix_unsafe() -> None:
    text = (
        "FROM python:3.12\nRUN useradd -m -r svc\n"
        "RUN --mount=type=cache,target=/root/.cache/pip su svc -c 'pip install --user x'\n"
    )
    diagnostic = only(text)
    assert diagnostic.fix is not None and diagnostic.fix.applicability is Applicability.UNSAFE
    assert "the user pip runs as is not known" in diagnostic.fix.caveat


def test_an_arg_home_gets_a_target_that_follows_it() -> None:
    """BuildKit expands build arguments in --mount options: `${HOME}/.cache/pip` stays
    where pip caches whatever `--build-arg HOME` says, so the fix is safe and needs no pin."""
    text = "FROM python:3.12\nARG HOME=/build\n" + MOUNT + "pip install x\n"
    diagnostic = only(text)
    assert diagnostic.fix is not None and diagnostic.fix.applicability is Applicability.SAFE
    once = fixed(text, (RULE, CacheDirOption))
    assert once.endswith("--mount=type=cache,target=${HOME}/.cache/pip pip install x\n")
    again = check_text("Dockerfile", once, [RULE, CacheDirOption], UNSAFE)
    assert again.output == once and again.diagnostics == ()


def test_an_arg_home_from_a_parent_stage_is_written_as_its_value() -> None:
    """buildah does not see a parent stage's ARGs in --mount options (docs/e2e.md): the
    value is written, and the fix is unsafe."""
    text = "FROM python:3.12 AS base\nARG HOME=/build\nFROM base\n" + MOUNT + "pip install x\n"
    diagnostic = only(text)
    assert diagnostic.fix is not None and diagnostic.fix.applicability is Applicability.UNSAFE
    assert fixed(text).endswith("--mount=type=cache,target=/build/.cache/pip pip install x\n")


def test_with_dfx102_a_stage_env_home_gets_the_move_then_the_pin() -> None:
    text = "FROM python:3.12\nENV HOME=/app\nRUN --mount=type=cache,target=/root/.cache/pip pip install x\n"
    once = fixed(text, (RULE, CacheDirOption))
    assert once == text.replace("/root/", "/app/").replace("install x", "install --cache-dir=/app/.cache/pip x")
    assert fixed(once, (RULE, CacheDirOption)) == once


def test_an_undefined_variable_other_than_home_may_be_a_build_argument() -> None:
    text = "FROM python:3.12\nARG CACHE\nRUN --mount=type=cache,target=${CACHE}/pip pip install x\n"
    diagnostic = only(text)
    assert diagnostic.fix is not None and diagnostic.fix.applicability is Applicability.UNSAFE
    assert "$CACHE in the mount may come from a --build-arg" in diagnostic.fix.caveat
