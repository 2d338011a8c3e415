"""The forge behind `dockerfix pr`: where pull requests are listed, opened, updated,
commented on and closed.

`dockerfix pr` needs five things of a forge, and `Forge` is exactly those, so another
forge (GitLab's merge requests) is one more class, not a change to the command. GitHub's
(`forge/github.py`) uses githubkit from the optional `dockerfix[pr]` extra; it is
imported only when a pull request is really to be made, so neither a plain install nor
`dockerfix pr --dry-run` needs it.

Which repository: `--repository OWNER/NAME`, else the remote's URL (`https://host/o/r.git`,
`git@host:o/r.git`, `ssh://git@host/o/r`), else `GITHUB_REPOSITORY` (set in GitHub
Actions). The token comes from `GITHUB_TOKEN`, else `GH_TOKEN`, and never from a flag
(a flag shows in `ps` and in shell history); the API from `GITHUB_API_URL` (GitHub
Enterprise Server: `https://HOST/api/v3`), else `https://api.github.com`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Protocol

from ..records import NamedTuple

TOKEN_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN")
DEFAULT_API = "https://api.github.com"
_REPOSITORY = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+")
_REMOTE_PATH = re.compile(r"(?:^[a-z][a-z0-9+.-]*://[^/]+/|^[^/:@]+@[^/:]+:)(?:.*/)?([^/]+/[^/]+?)(?:\.git)?/?$")


class ForgeError(Exception):
    """A request to the forge failed; the message says which and why, and holds no secret."""


class PullRequest(NamedTuple):
    """A pull request as `dockerfix pr` needs to know it."""

    number: int
    open: bool
    merged: bool
    body: str
    url: str


class Forge(Protocol):
    """One repository on a forge, with the requests `dockerfix pr` makes."""

    def default_branch(self) -> str:
        """The branch the repository's pull requests go to unless told otherwise."""

    def pull_requests(self, branch: str) -> list[PullRequest]:
        """The pull requests, open and closed, newest first, from `branch` of this repository."""

    def open_pull_request(self, branch: str, base: str, title: str, body: str) -> PullRequest:
        """Open a pull request of `branch` into `base`."""

    def update_pull_request(self, number: int, body: str, close: bool = False) -> None:
        """Replace a pull request's body, and close it when asked."""

    def comment(self, number: int, text: str) -> None:
        """Add a comment to a pull request."""


class Target(NamedTuple):
    """Where the pull request goes: the API's root, the repository, and the token."""

    api: str
    owner: str
    name: str
    token: str


def token_of(environ: Mapping[str, str]) -> str | None:
    """The token from the environment (`GITHUB_TOKEN`, else `GH_TOKEN`), or None."""
    return next((environ[name] for name in TOKEN_VARIABLES if environ.get(name)), None)


def target_of(repository: str | None, remote_url: str, environ: Mapping[str, str]) -> Target:
    """Where the pull request goes, or a ForgeError that says what to set."""
    token = token_of(environ)
    if token is None:
        raise ForgeError("no token: set GITHUB_TOKEN (or GH_TOKEN) to a token that may push and open pull requests")
    named = repository or repository_of_remote(remote_url) or environ.get("GITHUB_REPOSITORY") or ""
    if not _REPOSITORY.fullmatch(named):
        which = f"{named!r} is not OWNER/NAME" if named else "the remote's URL does not say which repository it is"
        raise ForgeError(f"{which}: pass --repository OWNER/NAME")
    owner, name = named.split("/")
    return Target(environ.get("GITHUB_API_URL") or DEFAULT_API, owner, name, token)


def repository_of_remote(url: str) -> str | None:
    """`OWNER/NAME` from a remote's URL (its last two path segments, without `.git`);
    None for a local path or a URL without them."""
    found = _REMOTE_PATH.match(url.strip())
    return found.group(1) if found else None


def connect(target: Target) -> Forge:
    """The forge for `target`: GitHub, through the `dockerfix[pr]` extra."""
    try:
        from .github import GitHubForge
    except ImportError as exc:
        raise ForgeError(
            f"opening pull requests needs the GitHub client (no module {exc.name!r}): "
            "pip install 'dockerfix[pr]'"
        ) from None
    return GitHubForge(target)
