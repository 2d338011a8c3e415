"""GitHub's pull requests through githubkit (the `dockerfix[pr]` extra).

githubkit was chosen over PyGithub, ghapi and gidgethub after each made these requests
against a local fake (docs/design-notes.md, "The PR bot"): it is generated from GitHub's
own REST description, typed, MIT-licensed and released often. Two of its defaults are
replaced. Its retry policy (a rate limit retried once with no cap on the wait, a POST
sent again after a 5xx) gives way to `ratelimit.retry_wait`. And every request carries
`X-GitHub-Api-Version: 2022-11-28`, the version GitHub Enterprise Server answers too (the
five requests here are the same in the newer one that githubkit would send).

Responses are read as JSON, not as githubkit's models: a model wants every field of a
full object, and `dockerfix pr` reads five. Writes are paced a second apart, as GitHub
asks of clients that make several. No message built here holds the token.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from githubkit import GitHub
from githubkit.exception import GitHubException, RequestFailed, RequestTimeout
from githubkit.typing import RetryOption

from .. import __version__
from . import ForgeError, PullRequest, Target
from .ratelimit import limit_wait, resumes_at, retry_wait

API_VERSION = "2022-11-28"
WRITE_INTERVAL = 1.0
TIMEOUT = 30.0
_HEADERS = {"X-GitHub-Api-Version": API_VERSION}


class GitHubForge:
    """One repository on GitHub or GitHub Enterprise Server."""

    __slots__ = ("_client", "_owner", "_name", "_last_write")

    def __init__(self, target: Target) -> None:
        self._client = GitHub(
            target.token,
            base_url=target.api,
            user_agent=f"dockerfix/{__version__}",
            timeout=TIMEOUT,
            http_cache=False,
            auto_retry=_retry,
        )
        self._owner, self._name = target.owner, target.name
        self._last_write = float("-inf")

    def default_branch(self) -> str:
        repository = self._call(
            "read the repository", lambda: self._client.rest.repos.get(self._owner, self._name, headers=_HEADERS)
        )
        return str(repository["default_branch"])

    def pull_requests(self, branch: str) -> list[PullRequest]:
        pulls = self._call(
            f"list the pull requests from {branch}",
            lambda: self._client.rest.pulls.list(
                self._owner, self._name, state="all", head=f"{self._owner}:{branch}", sort="created",
                direction="desc", per_page=100, headers=_HEADERS,
            ),
        )  # fmt: skip
        return [_pull_request(pull) for pull in pulls]

    def open_pull_request(self, branch: str, base: str, title: str, body: str) -> PullRequest:
        pull = self._write(
            f"open a pull request from {branch} into {base}",
            lambda: self._client.rest.pulls.create(
                self._owner, self._name, head=branch, base=base, title=title, body=body, headers=_HEADERS
            ),
        )
        return _pull_request(pull)

    def update_pull_request(self, number: int, body: str, close: bool = False) -> None:
        changes: dict[str, Any] = {"body": body, **({"state": "closed"} if close else {})}
        self._write(
            f"{'close' if close else 'update'} pull request #{number}",
            lambda: self._client.rest.pulls.update(self._owner, self._name, number, headers=_HEADERS, **changes),
        )

    def comment(self, number: int, text: str) -> None:
        self._write(
            f"comment on pull request #{number}",
            lambda: self._client.rest.issues.create_comment(self._owner, self._name, number, body=text, headers=_HEADERS),
        )

    def _write(self, what: str, request: Callable[[], Any]) -> Any:
        """A write, at least WRITE_INTERVAL after the previous one."""
        pause = self._last_write + WRITE_INTERVAL - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        try:
            return self._call(what, request)
        finally:
            self._last_write = time.monotonic()

    def _call(self, what: str, request: Callable[[], Any]) -> Any:
        """The request's JSON, or a ForgeError that says what failed and why."""
        try:
            return request().json()
        except RequestFailed as exc:
            raise ForgeError(f"GitHub refused to {what}: {_refusal(exc)}") from None
        except RequestTimeout:
            raise ForgeError(f"GitHub did not answer within {TIMEOUT:.0f} s to {what}") from None
        except GitHubException as exc:
            cause = getattr(exc, "exc", exc)
            raise ForgeError(f"cannot reach GitHub to {what}: {type(cause).__name__}: {cause}") from None


def _retry(exc: GitHubException, retries: int) -> RetryOption:
    """githubkit's retry hook: GitHub's rate-limit rules, bounded (ratelimit.py)."""
    if not isinstance(exc, RequestFailed):
        return RetryOption(False)
    response = exc.response.raw_response
    wait = retry_wait(response.status_code, response.headers, _said(response), retries, time.time())
    return RetryOption(wait is not None, None if wait is None else timedelta(seconds=wait))


def _refusal(exc: RequestFailed) -> str:
    """What a refused request's response says: the status, GitHub's message and errors,
    and for a rate limit when it resets."""
    response = exc.response.raw_response
    said = _said(response)
    text = f"{response.status_code} {response.reason_phrase}" + (f": {said}" if said else "")
    if "not permitted to create or approve pull requests" in said:
        text += (" (a repository or organisation setting: Settings, Actions, General, \"Allow GitHub Actions to "
                 "create and approve pull requests\"; or pass a GitHub App's or a personal token)")  # fmt: skip
    wait = limit_wait(response.status_code, response.headers, said, 0, time.time())
    if wait is not None:
        text += f" (GitHub's rate limit; it resets at {resumes_at(wait)}: run again then)"
    return text


def _said(response: Any) -> str:
    """GitHub's `message`, with the `errors` a 422 lists; empty when the body is not GitHub's JSON."""
    try:
        data = response.json()
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    errors = [error.get("message") or error.get("code") or "" for error in data.get("errors") or () if isinstance(error, dict)]
    return "; ".join(part for part in (str(data.get("message") or ""), *map(str, errors)) if part)


def _pull_request(pull: dict[str, Any]) -> PullRequest:
    return PullRequest(
        number=int(pull["number"]),
        open=pull["state"] == "open",
        merged=pull.get("merged_at") is not None,
        body=pull.get("body") or "",
        url=str(pull.get("html_url") or ""),
    )
