"""`dockerfix pr` with real git, a local bare remote, and a local fake GitHub
(tests/fake_github.py) that checks every request against GitHub's published REST
description: the pull request opened, kept current, closed when nothing is left, left
closed when a person closed it; rate limits waited out within a bound; the token in no
output; the user's checkout untouched; `--dry-run` touching nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from fake_github import FakeGitHub
from samples import BROKEN, FIXED

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
pytest.importorskip("githubkit")
BRANCH = "refs/heads/dockerfix/cache-fixes"
BOT = "Bot <bot@example.com>"
TOKEN = "ghp_fake0123456789abcdefSECRET"
URL = "https://github.example/o/r.git"


def git(*args: str, cwd: Path) -> str:
    settings = ["-c", "user.name=Dev", "-c", "user.email=dev@example.com", "-c", "commit.gpgsign=false"]
    return subprocess.run(["git", *settings, *args], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A clone of a bare remote whose `main` has a broken Dockerfile. The remote's URL is
    GitHub-like (`https://github.example/o/r.git`, which names the repository), and git
    maps it to the bare repository on disk."""
    forge, work = tmp_path / "forge", tmp_path / "work"
    remote = forge / "o" / "r.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(remote), cwd=tmp_path)
    git("init", "--quiet", "--initial-branch=main", str(work), cwd=tmp_path)
    git("config", f"url.{forge}/.insteadOf", "https://github.example/", cwd=work)
    (work / "Dockerfile").write_text(BROKEN)
    (work / "requirements.txt").write_text("flask\n")
    git("add", "--all", cwd=work)
    git("commit", "--quiet", "--message", "start", cwd=work)
    git("remote", "add", "origin", URL, cwd=work)
    git("push", "--quiet", "origin", "main", cwd=work)
    git("remote", "set-head", "origin", "main", cwd=work)
    return work


@pytest.fixture
def github(checkout: Path) -> Iterator[FakeGitHub]:
    with FakeGitHub(_bare(checkout), TOKEN) as fake:
        yield fake
    assert fake.violations == [], "every request is one GitHub's description allows"


def _bare(work: Path) -> Path:
    return work.parent / "forge" / "o" / "r.git"


def pr(*args: str, cwd: Path, github: FakeGitHub | None = None, **environ: str) -> subprocess.CompletedProcess[str]:
    """`dockerfix pr ARGS` with the fake's address and the token in the environment;
    whatever happens, the token is in none of its output."""
    clean = {key: value for key, value in os.environ.items() if key not in ("GITHUB_TOKEN", "GH_TOKEN", "GITHUB_API_URL", "GITHUB_REPOSITORY")}
    if github is not None:
        clean |= {"GITHUB_TOKEN": TOKEN, "GITHUB_API_URL": github.url}
    done = subprocess.run([sys.executable, "-m", "fixer", "pr", *args], cwd=cwd, capture_output=True, text=True,
                          env=clean | environ, check=False)  # fmt: skip
    assert TOKEN not in done.stdout + done.stderr, "the token is never printed"
    return done


def _remote(work: Path) -> str:
    return git("ls-remote", "origin", cwd=work)


def _state(work: Path) -> tuple[str, str, str, str]:
    """What a run must leave alone: the branches and tags, HEAD, the status and the files
    (a push updates the remote-tracking ref of what it pushed, as every push does)."""
    return (git("for-each-ref", "refs/heads", "refs/tags", cwd=work), git("rev-parse", "HEAD", cwd=work),
            git("status", "--porcelain", cwd=work), (work / "Dockerfile").read_text())  # fmt: skip


def _commit(work: Path, name: str, text: str, message: str) -> None:
    (work / name).write_text(text)
    git("add", name, cwd=work)
    git("commit", "--quiet", "--message", message, cwd=work)


def test_dry_run_prints_the_branch_commit_and_pull_request_and_touches_nothing(checkout: Path, github: FakeGitHub) -> None:
    before, remote = _state(checkout), _remote(checkout)
    refs, objects = git("show-ref", cwd=checkout), git("count-objects", cwd=checkout)
    result = pr("--dry-run", cwd=checkout)  # no token needed
    assert result.returncode == 0, result.stderr
    head = git("rev-parse", "HEAD", cwd=checkout)[:12]
    assert result.stdout.startswith(f"branch: dockerfix/cache-fixes on origin, from main ({head})\nfiles: Dockerfile\n")
    assert "    - Dockerfile: DFX101, DFX102\n" in result.stdout
    assert "pull request: Make Docker builds reuse their dependency caches (dockerfix)\n    ## dockerfix\n" in result.stdout
    assert "    ### How to check it" in result.stdout and "`Using cached`" in result.stdout
    after = (_state(checkout), _remote(checkout), git("show-ref", cwd=checkout), git("count-objects", cwd=checkout))
    assert after == (before, remote, refs, objects)
    assert github.requests == []
    git("remote", "rename", "origin", "upstream", cwd=checkout)
    elsewhere = pr("--dry-run", cwd=checkout)
    assert elsewhere.returncode == 0 and "note: there is no remote 'origin': a real run would stop there" in elsewhere.stderr
    assert "there is no remote 'origin' (--remote)" in pr(cwd=checkout, github=github).stderr


def test_the_first_run_pushes_one_commit_and_opens_the_pull_request(checkout: Path, github: FakeGitHub) -> None:
    (checkout / "Dockerfile").chmod(0o755)
    git("commit", "--quiet", "--all", "--message", "executable", cwd=checkout)
    before = _state(checkout)
    result = pr("--author", BOT, cwd=checkout, github=github)
    assert result.returncode == 0, result.stderr
    assert "dockerfix pr: pushed origin/dockerfix/cache-fixes (" in result.stderr
    assert "dockerfix pr: opened pull request #1" in result.stderr
    assert result.stdout == "https://github.example/o/r/pull/1\n", "the pull request's address, alone on stdout"
    assert _state(checkout) == before, "the work tree, index, HEAD and branches are as they were"
    remote = _bare(checkout)
    commit = git("rev-parse", BRANCH, cwd=remote)
    assert git("rev-parse", f"{commit}^", cwd=remote) == git("rev-parse", "HEAD", cwd=checkout)
    assert git("show", f"{commit}:Dockerfile", cwd=remote) + "\n" == FIXED
    assert git("ls-tree", commit, "Dockerfile", cwd=remote).startswith("100755 "), "the file keeps its mode"
    assert git("diff", "--name-only", f"{commit}^", commit, cwd=remote) == "Dockerfile"
    assert git("log", "-1", "--format=%an <%ae>|%cn <%ce>|%s", commit, cwd=remote) == (
        f"{BOT}|{BOT}|Make Docker builds reuse their dependency caches (dockerfix)"
    )
    assert "- Dockerfile: DFX101, DFX102" in git("log", "-1", "--format=%b", commit, cwd=remote)
    [pull] = github.pulls
    assert (pull["title"], pull["head"]["ref"], pull["base"]["ref"]) == (
        "Make Docker builds reuse their dependency caches (dockerfix)", "dockerfix/cache-fixes", "main")
    body = pull["body"]
    assert body.startswith("## dockerfix\n") and "DFX101" in body and "```diff\n" in body
    assert "### How to check it" in body and "`docker build --progress=plain .`" in body
    assert "<!-- dockerfix-fixes: " in body
    assert [request.method for request in github.requests] == ["GET", "GET", "POST"]


def test_the_branch_remote_and_author_come_from_the_configuration_unless_flags_say(checkout: Path, github: FakeGitHub) -> None:
    _commit(checkout, "pyproject.toml", '[tool.dockerfix.pr]\nbranch = "deps/docker-cache"\nauthor = "Config Bot <cb@example.com>"\n',
            "configure")  # fmt: skip
    dry = pr("--dry-run", cwd=checkout)
    assert dry.stdout.startswith("branch: deps/docker-cache on origin, from main")
    result = pr(cwd=checkout, github=github)
    assert result.returncode == 0 and "pushed origin/deps/docker-cache" in result.stderr
    assert github.pulls[0]["head"]["ref"] == "deps/docker-cache"
    remote = _bare(checkout)
    assert git("log", "-1", "--format=%an <%ae>", "refs/heads/deps/docker-cache", cwd=remote) == "Config Bot <cb@example.com>"
    flagged = pr("--branch", "other", "--author", BOT, cwd=checkout, github=github)
    assert flagged.returncode == 0 and "pushed origin/other" in flagged.stderr
    assert git("log", "-1", "--format=%an <%ae>", "refs/heads/other", cwd=remote) == BOT
    shown = subprocess.run([sys.executable, "-m", "fixer", "config"], cwd=checkout, capture_output=True, text=True, check=True)
    assert f"pr = {{author = 'Config Bot <cb@example.com>', branch = 'deps/docker-cache'}}  # {checkout / 'pyproject.toml'}" in shown.stdout


def test_a_second_run_with_nothing_new_does_nothing_and_a_change_updates_branch_and_body(checkout: Path, github: FakeGitHub) -> None:
    assert pr(cwd=checkout, github=github).returncode == 0
    first, writes = _remote(checkout), len(github.writes())
    again = pr(cwd=checkout, github=github)
    assert again.returncode == 0, again.stderr
    assert "already has these fixes on main: nothing pushed" in again.stderr
    assert "pull request #1 is up to date" in again.stderr and again.stdout == "https://github.example/o/r/pull/1\n"
    assert _remote(checkout) == first and len(github.writes()) == writes, "no push, no write to GitHub"

    _commit(checkout, "worker.Dockerfile", BROKEN, "a worker")
    updated = pr(cwd=checkout, github=github)
    assert updated.returncode == 0, updated.stderr
    assert "dockerfix pr: updated origin/dockerfix/cache-fixes" in updated.stderr
    assert "dockerfix pr: updated pull request #1" in updated.stderr
    remote = _bare(checkout)
    commit = git("rev-parse", BRANCH, cwd=remote)
    assert git("rev-parse", f"{commit}^", cwd=remote) == git("rev-parse", "HEAD", cwd=checkout)
    assert git("diff", "--name-only", f"{commit}^", commit, cwd=remote).splitlines() == ["Dockerfile", "worker.Dockerfile"]
    assert len(github.pulls) == 1 and "worker.Dockerfile" in github.pulls[0]["body"]
    assert [request.method for request in github.writes()][writes:] == ["PATCH"]


def test_when_all_is_fixed_the_pull_request_is_closed_with_a_comment_and_its_branch_deleted(checkout: Path, github: FakeGitHub) -> None:
    assert pr(cwd=checkout, github=github).returncode == 0
    (checkout / "Dockerfile").write_text(FIXED)
    git("commit", "--quiet", "--all", "--message", "fixed by hand", cwd=checkout)
    result = pr(cwd=checkout, github=github)
    assert result.returncode == 0, result.stderr
    assert "nothing left to fix on main: closed pull request #1 and deleted origin/dockerfix/cache-fixes" in result.stderr
    assert github.pulls[0]["state"] == "closed"
    [(number, comment)] = github.comments
    assert number == 1 and "nothing left to fix on `main`" in comment
    assert BRANCH not in _remote(checkout)
    dry = pr("--dry-run", cwd=checkout)
    assert dry.returncode == 0 and "no branch, no commit; an open pull request from dockerfix/cache-fixes would be closed" in dry.stdout
    quiet = pr(cwd=checkout, github=github)
    assert quiet.returncode == 0 and "nothing to fix on main: no branch pushed, no pull request" in quiet.stderr
    assert len(github.comments) == 1

    _commit(checkout, "Dockerfile", BROKEN, "broken again")
    reopened = pr(cwd=checkout, github=github)
    assert reopened.returncode == 0 and "opened pull request #2" in reopened.stderr, "dockerfix's own closing declines nothing"


def test_a_pull_request_a_person_closed_stays_closed_until_the_fixes_change(checkout: Path, github: FakeGitHub) -> None:
    assert pr(cwd=checkout, github=github).returncode == 0
    github.close_by_person(1)
    git("push", "--quiet", "origin", f":{BRANCH}", cwd=checkout)  # GitHub's "delete branch" button
    remote, writes = _remote(checkout), len(github.writes())
    result = pr(cwd=checkout, github=github)
    assert result.returncode == 0, result.stderr
    assert "pull request #1 with these fixes was closed without merging: not proposed again" in result.stderr
    assert _remote(checkout) == remote and len(github.writes()) == writes, "no push, no new pull request"
    _commit(checkout, "README.md", "docs\n", "unrelated")
    assert "not proposed again" in pr(cwd=checkout, github=github).stderr, "the key is the fixes, not the base"

    _commit(checkout, "worker.Dockerfile", BROKEN, "a worker")
    result = pr(cwd=checkout, github=github)
    assert result.returncode == 0 and "opened pull request #2" in result.stderr, "new fixes, a new key"
    assert [pull["state"] for pull in github.pulls] == ["closed", "open"]


def test_a_pull_request_reopened_by_a_person_is_updated(checkout: Path, github: FakeGitHub) -> None:
    assert pr(cwd=checkout, github=github).returncode == 0
    github.close_by_person(1)
    github.pulls[0]["state"] = "open"
    _commit(checkout, "worker.Dockerfile", BROKEN, "a worker")
    result = pr(cwd=checkout, github=github)
    assert result.returncode == 0 and "updated pull request #1" in result.stderr
    assert len(github.pulls) == 1


def test_a_rate_limit_is_waited_out_as_github_says(checkout: Path, github: FakeGitHub) -> None:
    secondary = (403, {"retry-after": "1"}, {"message": "You have exceeded a secondary rate limit."})
    primary = (429, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(time.time()) + 2)}, {"message": "API rate limit exceeded"})
    github.faults += [secondary, primary]
    started = time.monotonic()
    result = pr(cwd=checkout, github=github)
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started >= 2, "it waited before each retry"
    assert "opened pull request #1" in result.stderr
    first = github.requests[0]
    assert [repr(request) for request in github.requests[:3]] == [repr(first)] * 3, "the same request, sent again"


def test_a_rate_limit_is_retried_a_bounded_number_of_times(checkout: Path, github: FakeGitHub) -> None:
    github.faults += [(429, {"retry-after": "0"}, {"message": "You have exceeded a secondary rate limit."})] * 10
    result = pr(cwd=checkout, github=github)
    assert result.returncode == 2
    assert "dockerfix pr: error: GitHub refused to read the repository: 429 Too Many Requests" in result.stderr
    assert len(github.requests) == 4, "the request and three retries"
    assert _remote(checkout).count("refs/heads/") == 1, "nothing pushed"


def test_a_limit_that_resets_later_than_the_bound_is_reported_at_once(checkout: Path, github: FakeGitHub) -> None:
    reset = int(time.time()) + 3600
    github.faults.append((403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)}, {"message": "API rate limit exceeded"}))
    started = time.monotonic()
    result = pr(cwd=checkout, github=github)
    assert result.returncode == 2 and time.monotonic() - started < 20
    assert f"it resets at {time.strftime('%H:%M', time.gmtime(reset))} UTC: run again then" in result.stderr
    assert len(github.requests) == 1


def test_a_server_error_after_a_write_is_not_sent_again(checkout: Path, github: FakeGitHub) -> None:
    original = github._serve

    def failing(request):  # type: ignore[no-untyped-def]
        return (502, {"message": "Bad Gateway"}) if request.method == "POST" else original(request)

    github._serve = failing  # type: ignore[method-assign]
    result = pr(cwd=checkout, github=github)
    assert result.returncode == 2 and "GitHub refused to open a pull request from dockerfix/cache-fixes into main: 502" in result.stderr
    assert [request.method for request in github.requests].count("POST") == 1


def test_a_repository_that_forbids_actions_to_open_pull_requests_gets_the_setting_named(checkout: Path, github: FakeGitHub) -> None:
    original = github._serve
    refusal = {"message": "GitHub Actions is not permitted to create or approve pull requests.",
               "documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request"}  # fmt: skip

    def forbidding(request):  # type: ignore[no-untyped-def]
        return (403, refusal) if request.method == "POST" else original(request)

    github._serve = forbidding  # type: ignore[method-assign]
    result = pr(cwd=checkout, github=github)
    assert result.returncode == 2 and "403 Forbidden: GitHub Actions is not permitted" in result.stderr
    assert '"Allow GitHub Actions to create and approve pull requests"' in result.stderr
    assert [request.method for request in github.requests].count("POST") == 1, "a refusal is not a rate limit"


def test_the_token_is_in_no_output_even_when_a_message_quotes_it(checkout: Path, github: FakeGitHub) -> None:
    github.faults.append((401, {}, {"message": f"Bad credentials: {TOKEN} is revoked"}))
    result = pr(cwd=checkout, github=github)  # pr() asserts the token is not in the output
    assert result.returncode == 2 and "401 Unauthorized: Bad credentials: *** is revoked" in result.stderr
    opened = pr(cwd=checkout, github=github, GITHUB_TOKEN="", GH_TOKEN=TOKEN)
    assert opened.returncode == 0 and "opened pull request #1" in opened.stderr, "GH_TOKEN is read too"
    assert {request.headers["authorization"] for request in github.requests} <= {f"token {TOKEN}", f"Bearer {TOKEN}"}
    objects = subprocess.run(["git", "cat-file", "--batch-all-objects", "--batch"], cwd=_bare(checkout), capture_output=True, check=True)
    assert TOKEN.encode() not in objects.stdout


def test_no_token_no_client_or_no_repository_is_a_clear_error(checkout: Path, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = pr(cwd=checkout)
    assert missing.returncode == 2 and "no token: set GITHUB_TOKEN (or GH_TOKEN)" in missing.stderr
    git("remote", "set-url", "origin", str(_bare(checkout)), cwd=checkout)
    local = pr(cwd=checkout, github=github)
    assert local.returncode == 2 and "the remote's URL does not say which repository it is: pass --repository OWNER/NAME" in local.stderr
    assert "opened pull request #1" in pr(cwd=checkout, github=github, GITHUB_REPOSITORY="o/r").stderr
    assert github.requests[0].path == "/repos/o/r"

    from fixer.forge import ForgeError, Target, connect

    monkeypatch.setitem(sys.modules, "githubkit", None)
    monkeypatch.delitem(sys.modules, "fixer.forge.github", raising=False)
    with pytest.raises(ForgeError, match=r"needs the GitHub client \(no module 'githubkit'\): pip install 'dockerfix\[pr\]'"):
        connect(Target("https://api.github.com", "o", "r", TOKEN))


def test_github_enterprise_server_is_reached_under_its_api_prefix(checkout: Path) -> None:
    with FakeGitHub(_bare(checkout), TOKEN, prefix="/api/v3") as enterprise:
        result = pr(cwd=checkout, github=enterprise)
        assert result.returncode == 0 and "opened pull request #1" in result.stderr
    assert enterprise.violations == []
    assert enterprise.url.endswith("/api/v3")


@pytest.mark.parametrize(
    ("prepare", "expected"),
    [
        (lambda work: (work / "Dockerfile").write_text(BROKEN + "# edited\n"), "the work tree has uncommitted changes (1 file)"),
        (lambda work: (work / "notes.txt").write_text("x\n"), "the work tree has uncommitted changes (1 file)"),
        (lambda work: git("checkout", "--quiet", "--detach", cwd=work), "HEAD is detached"),
    ],
    ids=["changed file", "untracked file", "detached HEAD"],
)
def test_a_checkout_that_is_not_a_clean_branch_is_refused(checkout: Path, github: FakeGitHub, prepare, expected: str) -> None:  # type: ignore[no-untyped-def]
    prepare(checkout)
    remote = _remote(checkout)
    result = pr(cwd=checkout, github=github)
    assert result.returncode == 2 and f"dockerfix pr: error: {expected}" in result.stderr
    assert _remote(checkout) == remote and github.requests == []


def test_it_never_pushes_to_the_checked_out_or_the_default_branch(checkout: Path, github: FakeGitHub) -> None:
    remote = _remote(checkout)
    same = pr("--branch", "main", cwd=checkout, github=github)
    assert same.returncode == 2 and "'main', the checked-out branch" in same.stderr
    git("switch", "--quiet", "--create", "feature", cwd=checkout)
    default = pr("--branch", "main", cwd=checkout, github=github)
    assert default.returncode == 2 and "'main', origin's default branch" in default.stderr
    bad = pr("--branch", "no..dots", cwd=checkout, github=github)
    assert bad.returncode == 2 and "'no..dots' is not a valid branch name" in bad.stderr
    github.default_branch = "release"  # GitHub's setting, which the clone's origin/HEAD may not know
    on_github = pr("--branch", "release", cwd=checkout, github=github)
    assert on_github.returncode == 2 and "'release', the repository's default branch" in on_github.stderr
    assert _remote(checkout) == remote and github.writes() == []


def test_a_file_that_cannot_be_checked_is_an_error_after_the_others_are_proposed(checkout: Path, github: FakeGitHub) -> None:
    _commit(checkout, "broken.Dockerfile", "FROM a\nENV X\n", "a broken file")
    result = pr(cwd=checkout, github=github)
    assert result.returncode == 2
    assert "broken.Dockerfile:2:5: error: ENV must have two arguments" in result.stderr
    assert "dockerfix pr: pushed origin/dockerfix/cache-fixes" in result.stderr and "opened pull request #1" in result.stderr
    (checkout / "Dockerfile").write_text(FIXED)
    git("commit", "--quiet", "--all", "--message", "fixed by hand", cwd=checkout)
    kept = pr(cwd=checkout, github=github)
    assert kept.returncode == 2 and "pull request #1 left open: a file could not be checked" in kept.stderr
    assert github.pulls[0]["state"] == "open" and github.comments == []
