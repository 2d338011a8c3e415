"""pip config files the build writes (semantics.md §3.2, §7 rows 12-14, 18, 27)."""

from __future__ import annotations

import pytest

from fixer.analysis import analyse
from fixer.facts import Origin
from fixer.parser import parse
from fixer.pipconf import parse_ini, pip_config_writes
from fixer.shell import parse_script

ORIGIN = Origin("test", 1)


def writes(code: str, home: str | None = "/root"):
    result = pip_config_writes(parse_script(code), home, ORIGIN)
    return [(s.path, s.section, s.key, s.value) for s in result.settings], result.understood


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("pip config set global.no-cache-dir false", [("/root/.config/pip/pip.conf", "global", "no-cache-dir", "false")]),
        ("pip3 config --global set install.cache-dir /c", [("/etc/pip.conf", "install", "cache-dir", "/c")]),
        ("/opt/venv/bin/pip config --site set global.cache-dir /v", [("/opt/venv/pip.conf", "global", "cache-dir", "/v")]),
        ("echo '[global]' > /etc/pip.conf && echo 'no-cache-dir = true' >> /etc/pip.conf",
         [("/etc/pip.conf", "global", "no-cache-dir", "true")]),
        ("printf '[global]\\nno-cache-dir = 1\\n' > /etc/pip.conf", [("/etc/pip.conf", "global", "no-cache-dir", "1")]),
        ("cat > /etc/xdg/pip/pip.conf <<'EOF'\n[install]\ncache-dir = /x\nEOF\n",
         [("/etc/xdg/pip/pip.conf", "install", "cache-dir", "/x")]),
        ("tee ~/.config/pip/pip.conf <<EOF\n[global]\ntimeout = 60\nEOF\n",
         [("/root/.config/pip/pip.conf", "global", "timeout", "60")]),
        ("echo hello > /tmp/x.txt", []),
    ],
)
def test_writes_are_read(code: str, expected: list[tuple[str, str, str, str]]) -> None:
    settings, understood = writes(code)
    assert understood
    assert settings == expected


@pytest.mark.parametrize(
    "code",
    [
        "echo \"[global]\\nno-cache-dir=1\" > /etc/pip.conf",  # echo's escapes depend on the shell
        "echo \"$CONF\" > /etc/pip.conf",
        "cp conf/pip.conf \"$PIP_CONFIG_FILE\" && echo x > \"$PIP_CONFIG_FILE\"",
        "pip config set global.cache-dir \"$DIR\"",
        "pip config unset global.cache-dir",
    ],
)
def test_writes_that_cannot_be_read_make_the_configuration_unknown(code: str) -> None:
    assert not writes(code)[1]


def test_invalid_ini_is_not_understood() -> None:
    assert parse_ini("no section header\n", "/etc/pip.conf", ORIGIN) is None


def install_cache(text: str):
    run = analyse(parse(text)).runs[-1]
    (install,) = run.installs
    return install.cache


def test_copy_heredoc_pip_conf_disables_the_cache() -> None:
    text = (
        "FROM python:3.12-slim\nCOPY <<EOF /etc/pip.conf\n[global]\nno-cache-dir = true\nEOF\n"
        "RUN --mount=type=cache,target=/root/.cache/pip pip install x\n"
    )
    cache = install_cache(text)
    assert (cache.status, cache.decided_by) == ("disabled", "config-no-cache-dir")
    assert cache.origin.line == 2


def test_run_written_pip_conf_moves_the_cache() -> None:
    text = "FROM python:3.12-slim\nRUN pip config --global set global.cache-dir /pc\nRUN pip install x\n"
    assert install_cache(text).directory == "/pc"


def test_pip_conf_from_the_build_context_makes_the_cache_uncertain() -> None:
    text = "FROM python:3.12-slim\nCOPY pip.conf /etc/pip.conf\nRUN pip install x\n"
    cache = install_cache(text)
    assert cache.status == "enabled" and not cache.certain
