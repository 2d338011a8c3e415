"""apt's configuration as the build leaves it (`fixer/aptconf.py`), and what the analysis
makes of it for each apt call: the docker-clean hook of the Debian and Ubuntu images,
its removal, `Keep-Downloaded-Packages`, and changes that cannot be read."""

from __future__ import annotations

import pytest

from fixer import aptconf, images
from fixer.analysis import analyse
from fixer.facts import Origin
from fixer.parser import parse
from fixer.shell import parse_script

HOOKED = aptconf.AptConfig.of_image(True)
ORIGIN = Origin("RUN at line 2", 2)


def after(code: str, config: aptconf.AptConfig = HOOKED) -> aptconf.AptConfig:
    return aptconf.after_run(config, parse_script(code), ORIGIN)


@pytest.mark.parametrize(
    "code",
    [
        "rm -f /etc/apt/apt.conf.d/docker-clean",
        "rm /etc/apt/apt.conf.d/docker-clean && echo removed",
        "rm -f /etc/apt/apt.conf.d/docker-*",
        "rm -rf /etc/apt/apt.conf.d",
        "set -e; rm -f /etc/apt/apt.conf.d/docker-clean; apt-get update",
    ],
)
def test_removing_docker_clean_removes_the_hook(code: str) -> None:
    assert after(code) == HOOKED._replace(clean_hook=False)


@pytest.mark.parametrize(
    ("code", "key", "value"),
    [
        ("""echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' > /etc/apt/apt.conf.d/keep-cache""",
         "binary::apt::apt::keep-downloaded-packages", "true"),
        ("""printf 'APT::Keep-Downloaded-Packages "1";\\n' >> /etc/apt/apt.conf""", "apt::keep-downloaded-packages", "1"),
        ("""cat > /etc/apt/apt.conf.d/10cache <<'EOF'\n// keep them\nDir::Cache::archives "/var/cache/debs";\nEOF""",
         "dir::cache::archives", "/var/cache/debs"),
    ],
)
def test_written_settings_are_read(code: str, key: str, value: str) -> None:
    config = after(code)
    assert config.known and config.clean_hook is True
    assert config.settings[key].value == value and config.settings[key].origin == ORIGIN


@pytest.mark.parametrize(
    ("code", "hook"),
    [
        ("sed -i 's/rm/true/' /etc/apt/apt.conf.d/docker-clean", None),
        ("cp /tmp/apt.conf /etc/apt/apt.conf.d/99local", True),
        ('echo "Dir::Cache \\"$CACHE\\";" > /etc/apt/apt.conf.d/cache', True),
        ("echo 'APT { Keep-Downloaded-Packages \"true\"; };' > /etc/apt/apt.conf.d/keep", True),
        ('echo x > "$APT_CONF_DIR/keep"', None),
    ],
    ids=["sed-on-the-hook", "copied-file", "variable-content", "nested-block", "variable-path"],
)
def test_what_cannot_be_read_makes_the_config_unknown(code: str, hook: bool | None) -> None:
    config = after(code)
    assert not config.known and config.clean_hook is hook


@pytest.mark.parametrize(
    "code",
    [
        "sed -i 's#deb.debian.org#mirror.example#' /etc/apt/sources.list.d/debian.sources",
        "echo 'deb http://x stable main' > /etc/apt/sources.list",
        "rm -rf /var/lib/apt/lists/*",
    ],
)
def test_sources_and_lists_are_not_configuration(code: str) -> None:
    assert after(code) == HOOKED


def test_a_copy_into_apt_conf_d_is_not_read() -> None:
    assert aptconf.after_copy(HOOKED, "/etc/apt/apt.conf.d/99proxy") == HOOKED._replace(known=False)
    assert aptconf.after_copy(HOOKED, "/etc/apt/apt.conf.d/") == HOOKED._replace(clean_hook=None, known=False)
    assert aptconf.after_copy(HOOKED, "/app") == HOOKED


@pytest.mark.parametrize(
    ("image", "hook"),
    [("python:3.12-slim", True), ("debian:bookworm", True), ("ubuntu:22.04", True), ("ubuntu:24.04", True),
     ("nvidia/cuda:12.4.1-runtime-ubuntu22.04", True), ("python:3.12", True), ("alpine:3.20", None),
     ("bitnami/python:3.12", None)],
)  # fmt: skip
def test_images_say_whether_they_have_the_hook(image: str, hook: bool | None) -> None:
    facts = images.lookup(image)
    assert facts is not None and facts.apt_clean_hook is hook


def _apt_causes(text: str) -> list[tuple[str, str]]:
    facts = analyse(parse(text))
    return [(i.call.subcommand, i.cache.decided_by) for run in facts.runs for i in run.installs if i.cache.tool == "apt"]


def test_each_call_sees_what_the_commands_before_it_changed() -> None:
    mounts = "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked "
    text = (
        "FROM debian:bookworm\n"
        + mounts + "apt-get install -y a && rm -f /etc/apt/apt.conf.d/docker-clean && apt-get install -y b\n"
        + mounts + "apt install -y c\n"
        "RUN echo 'Binary::apt::APT::Keep-Downloaded-Packages \"true\";' > /etc/apt/apt.conf.d/keep\n"
        + mounts + "apt install -y d\n"
    )  # fmt: skip
    assert _apt_causes(text) == [
        ("install", "apt-clean-hook"),
        ("install", "default"),
        ("install", "apt-keep-downloaded"),
        ("install", "default"),
    ]
