"""Stages, ENV, ARG, USER and WORKDIR as BuildKit's frontend computes them.

Row numbers refer to the tables in shared/docs/semantics.md (§1.2 situations d1-d4,
§7 rows) and problem.md §2.
"""

from __future__ import annotations

import pytest

from fixer.parser import parse
from fixer.stages import analyse_stages


def state_at(text: str, line: int, build_args: dict[str, str] | None = None):
    tree = parse(text)
    result = analyse_stages(tree, build_args)
    (instruction,) = [i for i in tree.instructions if i.start_line == line]
    return result, result.state(instruction)


def env_value(text: str, line: int, name: str, build_args: dict[str, str] | None = None) -> str | None:
    _, state = state_at(text, line, build_args)
    variable = state.env.get(name)
    return variable.value if variable else None


def test_env_is_expanded_and_keeps_its_origin() -> None:
    text = "FROM python:3.12\nENV APP=/app\nENV HOME=$APP/home\nRUN pip install x\n"
    _, state = state_at(text, 4)
    assert state.env["HOME"].value == "/app/home"
    assert state.env["HOME"].origin.line == 3


def test_arg_after_env_overrides_it_in_buildkit() -> None:
    """semantics §1.2 (d1) and §7 row 23: an ARG declared after ENV of the same name wins."""
    text = "FROM python:3.12\nENV HOME=/e\nARG HOME=/a\nRUN pip install x\n"
    assert env_value(text, 4, "HOME") == "/a"


def test_arg_without_default_or_build_arg_sets_nothing() -> None:
    """semantics §1.2 (d2)."""
    assert env_value("FROM python:3.12\nARG HOME\nRUN x\n", 3, "HOME") is None


def test_build_arg_sets_a_declared_arg_and_is_uncertain() -> None:
    _, state = state_at("FROM python:3.12\nARG HOME\nRUN x\n", 3, {"HOME": "/b"})
    assert state.env["HOME"].value == "/b"
    assert not state.env["HOME"].certain


def test_global_arg_is_visible_in_from_and_only_redeclared_inside() -> None:
    text = "ARG BASE=python:3.12-slim\nARG HOME=/g\nFROM $BASE\nRUN x\nARG HOME\nRUN y\n"
    result, state = state_at(text, 4)
    assert result.stages[0].base_name == "python:3.12-slim"
    assert "HOME" not in state.env
    assert env_value(text, 6, "HOME") == "/g"


def test_child_stage_inherits_env_user_and_workdir() -> None:
    """semantics §7 row 24."""
    text = "FROM python:3.12 AS base\nENV HOME=/h\nUSER app\nWORKDIR /srv\nFROM base AS app\nRUN pip install x\n"
    result, state = state_at(text, 6)
    assert result.stages[1].base_stage is result.stages[0]
    assert state.env["HOME"].value == "/h"
    assert state.user.value == "app"
    assert state.workdir.value == "/srv"


def test_child_stage_reapplies_the_parents_env_over_its_args() -> None:
    """semantics §1.3 and §7 row 25: parent RUNs see the ARG, child RUNs the ENV."""
    text = "FROM python:3.12 AS base\nENV HOME=/e\nARG HOME=/a\nRUN p\nFROM base\nRUN c\n"
    assert env_value(text, 4, "HOME") == "/a"
    assert env_value(text, 6, "HOME") == "/e"


def test_stage_names_are_case_insensitive() -> None:
    text = "FROM python:3.12 AS Build\nENV X=1\nFROM build\nRUN x\n"
    assert env_value(text, 4, "X") == "1"


def test_base_image_config_env_and_user_apply_at_stage_start() -> None:
    """semantics §1.2 (c5): jupyter images set HOME and USER in their config."""
    text = "FROM quay.io/jupyter/base-notebook:2024-10-07\nRUN pip install x\n"
    _, state = state_at(text, 2)
    assert state.env["HOME"].value == "/home/jovyan"
    assert state.user is not None and state.user.value == "1000"


def test_user_and_workdir_are_expanded() -> None:
    text = "FROM python:3.12\nARG APP_USER=app\nUSER ${APP_USER}:${APP_USER}\nWORKDIR /srv\nWORKDIR code\nRUN x\n"
    _, state = state_at(text, 6)
    assert state.user.value == "app:app"
    assert not state.user.certain
    assert state.workdir.value == "/srv/code"


def test_undefined_variables_expand_to_nothing() -> None:
    """semantics §7 row 9: PIP_CACHE_DIR=$HOME/... with HOME undefined at build time."""
    assert env_value("FROM python:3.12\nENV PIP_CACHE_DIR=$HOME/.cache/p\nRUN x\n", 3, "PIP_CACHE_DIR") == "/.cache/p"


def test_legacy_env_form() -> None:
    assert env_value("FROM python:3.12\nENV PIP_NO_CACHE_DIR off\nRUN x\n", 3, "PIP_NO_CACHE_DIR") == "off"


def test_unknown_base_image_keeps_only_the_default_path() -> None:
    result, state = state_at("FROM registry.example.com/team/base:1\nRUN x\n", 2)
    assert set(state.env) == {"PATH"}
    assert result.stages[0].image is None


# A FROM whose tag a build argument without a value decides: BuildKit expands it to
# nothing (`python:-slim`, no image), so the stage starts from what every tag it may name
# shares (images.py `_every_tag`), and names its base as written.


def test_from_every_tag_of_python_slim() -> None:
    text = 'ARG PYTHON_VERSION\nFROM python:"${PYTHON_VERSION}"-slim\nRUN pip install x\n'
    result, state = state_at(text, 3)
    stage = result.stages[0]
    assert stage.base_name == "python:${PYTHON_VERSION}-slim" and stage.base_name_certain
    assert stage.image is not None and stage.image.ref.tag == "*-slim"
    assert "every tag of python matching *-slim" in stage.image.source
    assert state.unknown == frozenset() and state.user is None
    assert set(state.env) == {"PATH"}


def test_a_build_argument_with_a_value_pins_the_tag_as_before() -> None:
    text = "ARG PY\nFROM python:${PY}-alpine\nRUN x\n"
    result, _ = state_at(text, 3, {"PY": "3.12"})
    assert result.stages[0].base_name == "python:3.12-alpine"
    assert result.stages[0].image.ref.tag == "3.12-alpine"
    result, _ = state_at("ARG PY=3.11\nFROM python:${PY}\nRUN x\n", 3)
    assert result.stages[0].image.ref.tag == "3.11"
    result, state = state_at("ARG PY\nFROM python:${PY}-alpine\nRUN x\n", 3)
    assert "Alpine" in result.stages[0].image.name and state.unknown == frozenset()


def test_image_env_of_every_tag_is_certain_and_says_so() -> None:
    _, state = state_at("ARG TAG\nFROM quay.io/jupyter/base-notebook:$TAG\nRUN pip install x\n", 3)
    home = state.env["HOME"]
    assert home.value == "/home/jovyan" and home.certain
    assert str(home.origin).startswith(
        "base image quay.io/jupyter/base-notebook:$TAG (every tag of quay.io/jupyter/base-notebook: "
    )
    assert state.user.value == "1000"


@pytest.mark.parametrize(
    ("text", "base_name"),
    [
        ("ARG TAG\nFROM registry.example.com/team/base:${TAG}\nRUN x\n", "registry.example.com/team/base:${TAG}"),
        # `$` in the repository: nothing is fixed; the name is BuildKit's expansion.
        ("ARG REGISTRY\nFROM ${REGISTRY}/python:3.12-slim\nRUN x\n", "/python:3.12-slim"),
        ("ARG BASE\nFROM $BASE\nRUN x\n", ""),
    ],
)
def test_unknown_stays_unknown(text: str, base_name: str) -> None:
    result, state = state_at(text, 3)
    assert result.stages[0].image is None and result.stages[0].base_name == base_name
    assert state.unknown == frozenset({"env", "user"})


@pytest.mark.parametrize(("text", "base_name"), [("ARG PY\nFROM python:${PY}\nRUN x\n", "python:${PY}"),
                                                ("ARG NODE\nFROM node:${NODE}\nRUN x\n", "node:${NODE}")])
def test_every_tag_without_the_variant_knows_env_and_user(text: str, base_name: str) -> None:
    """The Debian and Alpine variants share them (images.py `_DEBIAN_OR_ALPINE`)."""
    result, state = state_at(text, 3)
    assert result.stages[0].base_name == base_name and "every tag of" in result.stages[0].image.name
    assert state.unknown == frozenset() and state.user is None and "HOME" not in state.env


def test_every_tag_of_ubuntu_knows_env_and_user_but_not_uid_1000() -> None:
    result, state = state_at("ARG UBUNTU\nFROM ubuntu:${UBUNTU}\nUSER 1000\nRUN x\n", 4)
    assert state.unknown == frozenset() and state.user.value == "1000"
    assert result.stages[0].image.passwd_entry("1000") is None
