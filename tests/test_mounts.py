"""`--mount` options as BuildKit resolves them (semantics.md §1.4, §2.1)."""

from __future__ import annotations

from fixer.mounts import planned_mount, resolve_mounts
from fixer.parser import parse
from fixer.stages import analyse_stages
from fixer.syntax import Span


def mounts_of(text: str):
    tree = parse(text)
    stages = analyse_stages(tree)
    run = tree.instructions[-1]
    return resolve_mounts(run.flags, stages.state(run), tree.escape)


def test_home_in_a_target_expands_from_env_only() -> None:
    """§7 row 3: on python:3.12 $HOME is undefined at build time, so the mount lands at /.cache/pip."""
    (mount,) = mounts_of("FROM python:3.12\nRUN --mount=type=cache,target=$HOME/.cache/pip pip install x\n")
    assert mount.target == "/.cache/pip"
    assert mount.undefined == {"HOME"}


def test_home_in_a_target_follows_env_home() -> None:
    """§7 row 2."""
    (mount,) = mounts_of("FROM python:3.12\nENV HOME=/app\nRUN --mount=type=cache,target=${HOME}/.cache/pip pip install x\n")
    assert mount.target == "/app/.cache/pip"
    assert mount.id == "/app/.cache/pip"


def test_tilde_is_literal_and_relative_targets_join_workdir() -> None:
    """§1.4: `target=~/.cache/pip` with WORKDIR /app mounts at /app/~/.cache/pip."""
    (mount,) = mounts_of("FROM python:3.12\nWORKDIR /app\nRUN --mount=type=cache,target=~/.cache/pip pip install x\n")
    assert mount.target == "/app/~/.cache/pip"
    assert mount.id == "~/.cache/pip"


def test_defaults_and_explicit_options() -> None:
    (plain, owned) = mounts_of(
        "FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache/pip/ "
        "--mount=type=cache,dst=/home/app/.cache/pip,uid=1000,gid=1000,mode=0700,sharing=locked,id=pip x\n"
    )
    assert (plain.type, plain.target, plain.id, plain.uid, plain.gid, plain.mode, plain.sharing) == (
        "cache", "/root/.cache/pip", "/root/.cache/pip", 0, 0, 0o755, "shared"
    )
    assert (owned.target, owned.id, owned.uid, owned.gid, owned.mode, owned.sharing) == (
        "/home/app/.cache/pip", "pip", 1000, 1000, 0o700, "locked"
    )
    assert owned.explicit == {"uid", "gid", "mode", "sharing", "id"}
    assert not plain.readonly


def test_bind_mounts_default_to_read_only() -> None:
    (mount,) = mounts_of("FROM python:3.12\nRUN --mount=type=bind,source=requirements.txt,target=/tmp/r.txt x\n")
    assert (mount.type, mount.readonly, mount.source, mount.id) == ("bind", True, "requirements.txt", None)


def test_values_from_build_args_are_uncertain() -> None:
    (mount,) = mounts_of("FROM python:3.12\nARG CACHE=/root/.cache/pip\nRUN --mount=type=cache,target=$CACHE x\n")
    assert mount.target == "/root/.cache/pip"
    assert not mount.certain


def test_covers_the_target_and_what_is_inside() -> None:
    (mount,) = mounts_of("FROM python:3.12\nRUN --mount=type=cache,target=/root/.cache x\n")
    assert mount.covers("/root/.cache/pip")
    assert mount.covers("/root/.cache")
    assert not mount.covers("/root/.cache-other")


def test_invalid_numbers_are_reported() -> None:
    (mount,) = mounts_of("FROM python:3.12\nRUN --mount=type=cache,target=/c,uid=app x\n")
    assert mount.errors == ("invalid value app for uid",)


def test_a_mount_without_variables_resolves_from_its_text_and_workdir_alone() -> None:
    """Such mounts' fields are worked out once per text and WORKDIR (`_PLAIN_FIELDS`):
    each RUN still gets a mount of its own, and another WORKDIR another target."""
    text = "FROM python:3.12\nWORKDIR {}\nRUN --mount=type=cache,target=cache,uid=oops pip install x\n"
    (first,) = mounts_of(text.format("/a"))
    (again,) = mounts_of(text.format("/a"))
    (elsewhere,) = mounts_of(text.format("/b"))
    assert again is not first and again.flag == first.flag
    assert (again.target, again.errors) == (first.target, first.errors) == ("/a/cache", ("invalid value oops for uid",))
    assert elsewhere.target == "/b/cache"


def test_a_planned_mount_resolves_as_written_and_sits_at_its_insertion_point() -> None:
    """What a fix will add (`planned_mount`) resolves as the same flag in the text would,
    in the stage's state; none of its spans covers text that is there (they are all the
    empty span where the flag goes in)."""
    text = "FROM python:3.12\nENV UID=1000\nWORKDIR /app\nRUN --mount=type=cache,target=.cache/pip,uid=$UID,gid=1000,sharing=locked pip install x\n"
    (written,) = mounts_of(text)
    tree = parse(text)
    state = analyse_stages(tree).state(tree.instructions[-1])
    planned = planned_mount("type=cache,target=.cache/pip,uid=$UID,gid=1000,sharing=locked", state, tree.escape, 42)
    fields = [name for name in type(written).__slots__ if name != "flag"]
    assert [getattr(planned, name) for name in fields] == [getattr(written, name) for name in fields]
    assert (planned.target, planned.uid, planned.sharing) == ("/app/.cache/pip", 1000, "locked")
    spans = [planned.flag.span, planned.flag.value_span]
    spans += [span for option in planned.flag.mount_options for span in (option.key_span, option.value_span)]
    assert set(spans) == {Span(42, 42)}
