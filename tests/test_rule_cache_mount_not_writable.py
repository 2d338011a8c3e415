"""DFX104 cache-mount-not-writable: its documented examples, and the edge cases of
giving a mount to a user (where the options go, what is never guessed)."""

from __future__ import annotations


import pytest

from fixer.diagnostics import Applicability
from fixer.engine import Settings, check_text
from fixer.rules.cache_mount_not_writable import CacheMountNotWritable

RULE = CacheMountNotWritable
APP = "FROM python:3.12\nRUN useradd -m -u 1000 app\nUSER app\n"


def findings(text: str) -> list:  # type: ignore[type-arg]
    return list(check_text("Dockerfile", text, [RULE], Settings()).diagnostics)


def fix(run: str, head: str = APP) -> str:
    """The RUN line(s) after DFX104's fixes (unsafe ones included)."""
    result = check_text("Dockerfile", head + run, [RULE], Settings(unsafe_fixes=True))
    assert result.error is None, result.error
    return result.output[len(head) :]


@pytest.mark.parametrize(
    ("run", "fixed"),
    [
        # a CSV-quoted last option: the new ones go after an earlier one
        (
            "RUN --mount='type=cache,\"target=/home/app/.cache/pip\"' pip install --user flask\n",
            "RUN --mount='type=cache,uid=1000,gid=1000,\"target=/home/app/.cache/pip\"' pip install --user flask\n",
        ),
        # a wrong uid is replaced, the missing gid added after it
        (
            "RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1001 pip install --user flask\n",
            "RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1000,gid=1000 pip install --user flask\n",
        ),
        # options in any order and case, the target spelled dst
        (
            "RUN --mount=dst=/home/app/.cache/pip,GID=1000,type=cache pip install --user flask\n",
            "RUN --mount=dst=/home/app/.cache/pip,GID=1000,type=cache,uid=1000 pip install --user flask\n",
        ),
    ],
)
def test_where_the_options_go(run: str, fixed: str) -> None:
    assert fix(run) == fixed


def test_a_gid_of_0_is_not_written() -> None:
    head = "FROM python:3.12\nENV HOME=/home/build\nUSER 1234\n"
    run = "RUN --mount=type=cache,target=/home/build/.cache/pip pip install --user flask\n"
    assert fix(run, head) == "RUN --mount=type=cache,target=/home/build/.cache/pip,uid=1234 pip install --user flask\n"


def test_root_gets_its_mount_back_by_the_uid_alone() -> None:
    run = "RUN --mount=type=cache,target=/root/.cache/pip,uid=1000 pip install flask\n"
    assert fix(run, "FROM python:3.12\n") == "RUN --mount=type=cache,target=/root/.cache/pip,uid=0 pip install flask\n"


def test_one_finding_per_mount() -> None:
    run = "RUN --mount=type=cache,target=/home/app/.cache/pip pip install --user a && pip install --user b\n"
    assert len(findings(APP + run)) == 1


def test_the_message_warns_of_the_cold_cache() -> None:
    (finding,) = findings(APP + "RUN --mount=type=cache,target=/home/app/.cache/pip pip install --user flask\n")
    assert finding.message == (
        "app (uid 1000) cannot write the cache mount at /home/app/.cache/pip (owned by root), so pip disables its cache"
    )
    assert finding.fix.applicability is Applicability.SAFE and finding.fix.caveat == "the cache starts empty once"
    assert "empty cache (once)" in finding.detail


@pytest.mark.parametrize(
    ("run", "why"),
    [
        ("ARG APP_UID=1001\nRUN --mount=type=cache,target=/home/app/.cache/pip,uid=$APP_UID pip install --user x\n", "variable"),
        ("RUN --mount=type=cache,target=/home/app/.cache/pip,mode=0555 pip install --user x\n", "would not be enough"),
        ("RUN --mount=type=cache,target=/home/app/.cache/pip,from=seed pip install --user x\n", "from="),
    ],
    ids=["variable", "mode-without-write", "seeded"],
)
def test_reported_without_a_fix(run: str, why: str) -> None:
    head = APP if "from=" not in run else "FROM python:3.12 AS seed\n" + APP
    (finding,) = findings(head + run)
    assert finding.fix is None and why in finding.no_fix


@pytest.mark.parametrize(
    "text",
    [
        APP + "RUN --mount=type=cache,target=/home/app/.cache/pip,mode=0777 pip install --user x\n",
        APP + "RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1000 pip install --no-cache-dir x\n",
        APP + "USER root\nRUN --mount=type=cache,target=/root/.cache/pip pip install x\n",
        "FROM python:3.12\nARG UID\nUSER $UID\nRUN --mount=type=cache,target=/.cache/pip pip install --user x\n",
    ],
    ids=["world-writable", "cache-off", "back-to-root", "unknown-user"],
)
def test_near_misses(text: str) -> None:
    assert findings(text) == []


PRIVATE = "FROM registry.example.com/platform/python-base:3.12\n"
ACCOUNTS = {
    "useradd": "RUN useradd --create-home --uid 1000 app\nUSER app\n",
    "uid": "USER 1000\n",
    "uid:gid": "USER 1000:1000\n",
}
INSTALLS = {
    "pip": "pip install --user -r requirements.txt",
    "uv": "uv pip install --system -r requirements.txt",
}
TARGETS = ("/root/.cache/{tool}", "/root/.cache", "/home/app/.cache/{tool}", "/home/app/.cache", "/var/cache/{tool}")


@pytest.mark.parametrize("account", sorted(ACCOUNTS))
@pytest.mark.parametrize("tool", sorted(INSTALLS))
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("layout", ["LF", "CRLF"])
def test_a_private_base_never_hides_a_mount_its_user_cannot_write(account: str, tool: str, target: str, layout: str) -> None:
    """Where the installer caches on a base image dockerfix cannot read is not known, but
    a root-owned mount is closed to uid 1000 wherever that is: always reported, and the
    unsafe fix, where there is one, leaves a file that parses, is not reported again and
    does not change on a second run."""
    text = PRIVATE + ACCOUNTS[account] + f"RUN --mount=type=cache,target={target.format(tool=tool)} {INSTALLS[tool]}\n"
    if layout == "CRLF":
        text = text.replace("\n", "\r\n")
    (finding,) = findings(text)
    assert "uid 1000" in finding.message and "wherever" in finding.message
    # /root is closed to uid 1000 whoever owns the mount: only a move helps, to the home
    # /etc/passwd gives the account when the Dockerfile made it.
    under_root = target.startswith("/root/")
    expected = ("Move the cache mount to /home/app/" if account == "useradd" else None) if under_root else "Set `"
    assert (finding.fix.title[: len(expected)] if finding.fix else None) == expected
    fixed = check_text("Dockerfile", text, [RULE], Settings(unsafe_fixes=True))
    assert fixed.error is None and not fixed.parse_errors
    if finding.fix is None:
        assert fixed.output == text
        assert "cannot fix it here" in finding.no_fix
        return
    assert finding.fix.applicability is Applicability.UNSAFE
    assert "uid=1000,gid=1000" in fixed.output
    assert fixed.output.count("\r\n") == (text.count("\n") if layout == "CRLF" else 0)
    again = check_text("Dockerfile", fixed.output, [RULE], Settings(unsafe_fixes=True))
    assert again.output == fixed.output and not again.diagnostics


def test_a_private_base_moves_poetrys_mount_to_the_users_pypoetry() -> None:
    """poetry's cache directory is `pypoetry`, not the tool's name."""
    text = PRIVATE + ACCOUNTS["useradd"] + "RUN --mount=type=cache,target=/root/.cache/pypoetry poetry install --no-root\n"
    result = check_text("Dockerfile", text, [CacheMountNotWritable], Settings(unsafe_fixes=True))
    assert result.output.endswith(
        "RUN --mount=type=cache,target=/home/app/.cache/pypoetry,uid=1000,gid=1000 poetry install --no-root\n"
    )
