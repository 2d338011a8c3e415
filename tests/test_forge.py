"""The forge's pure parts: which repository a remote names, where the token and the API
come from, when a rate-limited request is sent again (GitHub's documented rules, bounded),
and how a pull request body too long for GitHub is cut."""

from __future__ import annotations

import time

import pytest

from fixer.commands.pr import BODY_LIMIT, _cut
from fixer.forge import DEFAULT_API, ForgeError, Target, repository_of_remote, target_of
from fixer.forge.ratelimit import MAX_RETRIES, MAX_WAIT, MIN_WAIT, SECONDARY_WAIT, limit_wait, resumes_at, retry_wait

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/octo/app.git", "octo/app"),
        ("https://github.com/octo/app", "octo/app"),
        ("https://github.com/octo/app/", "octo/app"),
        ("https://x-access-token:secret@github.com/octo/app.git", "octo/app"),
        ("https://ghe.example.com:8443/octo/app.git", "octo/app"),
        ("git@github.com:octo/app.git", "octo/app"),
        ("git@github.com:octo/my.app", "octo/my.app"),
        ("ssh://git@github.com/octo/app.git", "octo/app"),
        ("ssh://git@github.com:22/octo/app", "octo/app"),
        ("/srv/git/app.git", None),
        ("../app.git", None),
        ("file:///srv/git/app.git", None),
        ("https://github.com/app", None),
    ],
)
def test_the_repository_comes_from_the_remote_url(url: str, expected: str | None) -> None:
    assert repository_of_remote(url) == expected


def test_the_target_comes_from_the_flag_the_remote_or_github_repository() -> None:
    environ = {"GITHUB_TOKEN": "t1", "GH_TOKEN": "t2", "GITHUB_REPOSITORY": "env/repo"}
    assert target_of(None, "git@github.com:octo/app.git", environ) == Target(DEFAULT_API, "octo", "app", "t1")
    assert target_of("flag/repo", "git@github.com:octo/app.git", environ).owner == "flag"
    assert target_of(None, "/srv/app.git", environ)[1:3] == ("env", "repo")
    enterprise = {"GH_TOKEN": "t2", "GITHUB_API_URL": "https://ghe.example.com/api/v3"}
    assert target_of(None, "https://ghe.example.com/octo/app", enterprise) == Target(
        "https://ghe.example.com/api/v3", "octo", "app", "t2")  # fmt: skip
    with pytest.raises(ForgeError, match="no token: set GITHUB_TOKEN"):
        target_of(None, "git@github.com:octo/app.git", {"GITHUB_TOKEN": ""})
    with pytest.raises(ForgeError, match="'a/b/c' is not OWNER/NAME: pass --repository"):
        target_of("a/b/c", "", environ)


@pytest.mark.parametrize(
    ("status", "headers", "message", "retries", "expected"),
    [
        (429, {"retry-after": "7"}, "", 0, 7.0),
        (403, {"retry-after": "0"}, "secondary rate limit", 0, MIN_WAIT),
        (403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) + 42)}, "", 1, 42.0),
        (429, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) - 5)}, "", 0, MIN_WAIT),
        (403, {"x-ratelimit-remaining": "0"}, "", 0, SECONDARY_WAIT),
        (403, {}, "You have exceeded a secondary rate limit", 0, SECONDARY_WAIT),
        (403, {}, "You have exceeded a secondary rate limit", 1, 2 * SECONDARY_WAIT),
        (429, {}, "", 2, 4 * SECONDARY_WAIT),
        (403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) + 3600)}, "", 0, None),
        (403, {"retry-after": "1"}, "", MAX_RETRIES, None),
        (403, {"x-ratelimit-remaining": "12"}, "Resource not accessible by integration", 0, None),
        (404, {"retry-after": "1"}, "", 0, None),
        (502, {}, "Bad Gateway", 0, None),
    ],
    ids=["retry-after", "retry-after zero", "primary reset", "reset passed", "primary without reset", "secondary",
         "secondary backs off", "429 backs off", "reset beyond the bound", "retries spent", "refused, not limited",
         "not a limit status", "server error"],  # fmt: skip
)
def test_retries_follow_github_s_rules_within_the_bound(status, headers, message, retries, expected) -> None:  # type: ignore[no-untyped-def]
    assert retry_wait(status, headers, message, retries, NOW) == expected


def test_a_limit_beyond_the_bound_still_says_when_it_resets() -> None:
    headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) + 3600)}
    wait = limit_wait(403, headers, "", 0, NOW)
    assert wait == 3600 > MAX_WAIT
    assert resumes_at(wait, NOW) == time.strftime("%H:%M UTC", time.gmtime(NOW + 3600))


def test_a_body_too_long_for_github_is_cut_at_a_line_with_its_code_block_closed() -> None:
    short = "## dockerfix\n\ntext\n"
    assert _cut(short, BODY_LIMIT) == short
    long = "## dockerfix\n\n```diff\n" + "".join(f"+line {n}\n" for n in range(20_000)) + "```\n"
    cut = _cut(long, 10_000)
    assert len(cut) <= 10_000
    body, note = cut.rsplit("\n_The report is cut here", 1)
    assert body.endswith("\n```\n") and body.count("```") == 2
    assert all(line in long.splitlines() for line in body.splitlines()), "whole lines only"
    assert "`dockerfix` on the base branch prints all of it" in note
