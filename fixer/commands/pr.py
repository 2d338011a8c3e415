"""`dockerfix pr`: a git checkout's fixes as one commit on a branch of their own, pushed
to the remote, and one pull request for them, opened, kept current and closed as the
repository changes, as Renovate, Dependabot and pre-commit.ci do for their topics.

The fixes are those of a normal run (safe ones by default; the same configuration and
flags) on the checked-out branch. The commit is built with git's plumbing from the fixed
texts, so the user's work tree, index and branches are never touched; it goes to the
remote's `dockerfix/cache-fixes` (or `--branch`) with `--force-with-lease`, so a branch
someone else moved meanwhile is never overwritten. The run refuses a work tree with
uncommitted changes (its files would not be what the commit is made from), a detached
HEAD, and a branch name that is the checked-out or the repository's default branch: it
never pushes to those.

One pull request per branch, kept current. An open one gets the new commit and body (and
nothing happens when both are as they were); when nothing is left to fix, it is closed
with a comment and its branch deleted. A pull request a person closed without merging
declines its set of fixes: its body carries a key, the hash of the (file, rule) pairs the
fixes resolve, and while the key is the same no new pull request is opened. A new file
or rule to fix makes a new key, and so a new pull request; reopening the closed one has
it updated again. `--dry-run` prints the branch, the commit and the pull request it would
make, and touches nothing (it needs no token and sends no request).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from .. import __version__
from ..config import ConfigError, Configs
from ..forge import TOKEN_VARIABLES, Forge, ForgeError, PullRequest, connect, target_of
from ..output import render_document
from ..output.model import FileReport, summarise
from ..parser import encode
from ..records import NamedTuple
from ..run import EXIT_ERROR, EXIT_OK, RunOptions, check_files
from .git import Git, GitError

DEFAULT_BRANCH = "dockerfix/cache-fixes"
TITLE = "Make Docker builds reuse their dependency caches (dockerfix)"
KEY_MARK = "<!-- dockerfix-fixes: {} -->"
CLOSED_MARK = "<!-- dockerfix-closed: nothing left to fix -->"
BODY_LIMIT = 65_536  # GitHub refuses a longer pull request body
Echo = Callable[..., None]


class PrOptions(NamedTuple):
    """Where the fixes go: the branch, the remote, the commit's author (`Name <email>`),
    the repository on the forge (`OWNER/NAME`; None: from the remote's URL), and whether
    to only show what would happen. A branch, remote or author left empty comes from the
    configuration's `pr` table, else the defaults (`dockerfix/cache-fixes`, `origin`,
    git's own identity)."""

    branch: str = ""
    remote: str = ""
    author: str = ""
    repository: str | None = None
    dry_run: bool = False
    prove: bool = False


class PrError(Exception):
    """The run cannot go on; the message says why and what to do."""


class Plan(NamedTuple):
    """What a run would commit: on `base` (at `base_commit`), the fixed `files` (path in
    the repository -> bytes), with the commit message, the pull request's body and the
    key of its set of fixes."""

    base: str
    base_commit: str
    files: dict[str, bytes]
    message: str
    body: str
    key: str


def run_pr(
    path: str, run_options: RunOptions, options: PrOptions, echo: Echo, environ: Mapping[str, str] | None = None
) -> int:
    """`dockerfix pr PATH`: the exit code (0 done or nothing to do; 2 refused, failed, or
    a file that could not be checked, after the other files' fixes went out). The pull
    request's address goes to stdout, everything else to stderr; no output holds the token."""
    environ = os.environ if environ is None else environ
    say = _redacting(echo, [environ[name] for name in TOKEN_VARIABLES if environ.get(name)])
    try:
        config = Configs(run_options.overrides).for_path(path)
        options = _settled(options, config.pr)
        git = Git.of(Path(path).resolve())
        build_args = {**config.build_args, **run_options.overrides.build_args}
        prove = (lambda files: _proof(git.root, files, build_args, environ, say)) if options.prove else None
        plan, messages = _plan(git, path, run_options, options, prove)
        for message in messages:
            say(message, err=True)
        if options.dry_run:
            say(_described(plan, options), nl=False)
            try:
                _remote_url(git, options.remote)
            except PrError:
                say(f"dockerfix pr: note: there is no remote {options.remote!r}: a real run would stop there (--remote)", err=True)
        else:
            forge = connect(target_of(options.repository, _remote_url(git, options.remote), environ))
            for line, err in _publish(git, forge, plan, options, complete=not messages):
                say(line, err=err)
    except (GitError, ConfigError, PrError, ForgeError) as exc:
        say(f"dockerfix pr: error: {exc}", err=True)
        return EXIT_ERROR
    return EXIT_ERROR if messages else EXIT_OK


def _settled(options: PrOptions, configured: Mapping[str, str]) -> PrOptions:
    """The options with the flags over the configuration over the defaults."""
    return options._replace(
        branch=options.branch or configured.get("branch") or DEFAULT_BRANCH,
        remote=options.remote or configured.get("remote") or "origin",
        author=options.author or configured.get("author", ""),
    )


def _remote_url(git: Git, remote: str) -> str:
    """The remote's URL as configured (before any `insteadOf` rewriting, which can make
    it a mirror's or a local path)."""
    try:
        return git("config", "--get", f"remote.{remote}.url")
    except GitError:
        raise PrError(f"there is no remote {remote!r} (--remote)") from None


def _redacting(echo: Echo, secrets: list[str]) -> Echo:
    """`echo` with every secret replaced by `***` (git's and the forge's messages can
    quote a remote URL or a header that holds one), and any other credential masked
    (`secrets.mask`: a remote URL's password, the Dockerfiles' own)."""
    from ..secrets import mask

    def say(message: str = "", **settings: object) -> None:
        for secret in secrets:
            message = message.replace(secret, "***")
        echo(mask(message), **settings)

    return say


def _proof(root: Path, files: dict[str, bytes], build_args: Mapping[str, str], environ: Mapping[str, str],
           say: Echo) -> str:  # fmt: skip
    """`--prove`: the body's section of measured builds (prove.py)."""
    from .prove import find_builder, markdown, measure

    builder = find_builder(environ)
    if builder is None:
        say("dockerfix pr: not measured: no image builder (docker buildx with an engine, buildah or podman)", err=True)
        return markdown(None, [])
    say(f"dockerfix pr: measuring with {builder.version}: {len(files)} file{'s' if len(files) != 1 else ''}, "
        "four builds each", err=True)  # fmt: skip
    return markdown(builder, measure(builder, root, files, build_args, environ))


def _plan(git: Git, path: str, run_options: RunOptions, options: PrOptions,
          prove: Callable[[dict[str, bytes]], str] | None = None) -> tuple[Plan, list[str]]:  # fmt: skip
    """What the run would commit, and the problems of the files it could not check
    (refusing a checkout that is not a clean branch, or a branch it must not push to);
    with `prove`, the body has its measurements."""
    dirty = git("status", "--porcelain", "--untracked-files=normal")
    if dirty:
        count = len(dirty.splitlines())
        raise PrError(f"the work tree has uncommitted changes ({count} file{'s' if count != 1 else ''}): "
                      "commit or stash them first, so the fixes are made from what is committed")  # fmt: skip
    base = git.branch_at("HEAD")
    if base is None:
        raise PrError("HEAD is detached: check out the branch the fixes are for")
    _check_branch(git, options, base)
    relative = os.path.relpath(Path(path).resolve(), git.root)
    previous = os.getcwd()
    os.chdir(git.root)  # names in the commit, the messages and the body are the repository's paths
    try:
        reports, messages = check_files((relative,), run_options._replace(mode="diff"))
    finally:
        os.chdir(previous)
    changed = [report for report in reports if report.changed and not report.failed]
    files = {Path(report.path).as_posix(): encode(report.output) for report in changed}
    key = _key(changed)
    proof = prove(files) if prove is not None and files else ""
    return Plan(base, git("rev-parse", "HEAD"), files, _message(changed), _body(reports, key, proof), key), messages


def _check_branch(git: Git, options: PrOptions, base: str) -> None:
    """The fixes' branch must be a valid name, and neither the base nor the remote's default branch."""
    if not git.succeeds("check-ref-format", "--branch", options.branch):
        raise PrError(f"{options.branch!r} is not a valid branch name")
    default = (git.branch_at(f"refs/remotes/{options.remote}/HEAD") or "").removeprefix(f"{options.remote}/")
    if options.branch in (base, default):
        which = "the checked-out branch" if options.branch == base else f"{options.remote}'s default branch"
        raise PrError(f"the fixes would go to {options.branch!r}, {which}: dockerfix pushes only to a branch of its own "
                      "(--branch)")  # fmt: skip


def _fixed_codes(report: FileReport) -> list[str]:
    """The rules whose findings in `report` its fixes resolve."""
    return sorted({finding.code for finding in report.findings if finding.fixed})


def _key(changed: list[FileReport]) -> str:
    """The key of a set of fixes: a hash of its (file, rule) pairs. A pull request a
    person closed declines its key, so the same fixes are not proposed again, while a new
    file or rule to fix makes a new key."""
    pairs = sorted(f"{Path(report.path).as_posix()}\t{code}" for report in changed for code in _fixed_codes(report))
    return hashlib.sha256("\n".join(pairs).encode()).hexdigest()[:16]


def _message(changed: list[FileReport]) -> str:
    """The commit message: the title, then each file with the rules whose findings its fixes resolve."""
    lines = [TITLE, ""]
    lines += [f"- {report.path}: {', '.join(_fixed_codes(report))}" for report in changed]
    lines += ["", f"Made by dockerfix {__version__}; each file's findings and fixes are in the pull request."]
    return "\n".join(lines) + "\n"


def _body(reports: list[FileReport], key: str, proof: str = "") -> str:
    """The pull request's body: the markdown format (the files with findings), the
    measured builds (`--prove`), how to see the fixes work, and the key of the fixes; cut
    to what GitHub takes."""
    shown = [report for report in reports if report.findings or report.problems]
    report = render_document("markdown", shown, summarise(reports, 0.0), "write")
    tail = (
        f"{proof}"
        "\n### How to check it\n\n"
        "Build the image twice, the second time after changing one requirement, with "
        "`docker build --progress=plain .`. With the fixes, the second build's pip lines say "
        "`Using cached` for every package but the changed one; without them, each package is "
        "downloaded again.\n\n"
        f"{KEY_MARK.format(key)}\n"
    )
    return _cut(report, BODY_LIMIT - len(tail)) + tail


def _cut(text: str, limit: int) -> str:
    """`text`, or when it is longer than `limit` its first whole lines, a closed code
    block, and a note saying where the rest is."""
    if len(text) <= limit:
        return text
    note = ("\n_The report is cut here: a pull request's body holds at most "
            f"{BODY_LIMIT:,} characters. `dockerfix` on the base branch prints all of it._\n")  # fmt: skip
    kept = text[: text.rfind("\n", 0, limit - len(note) - 4) + 1]
    if sum(line.startswith("```") for line in kept.splitlines()) % 2:
        kept += "```\n"
    return kept + note


def _described(plan: Plan, options: PrOptions) -> str:
    """What `--dry-run` prints."""
    if not plan.files:
        return (f"nothing to fix on {plan.base} ({plan.base_commit[:12]}): no branch, no commit; "
                f"an open pull request from {options.branch} would be closed\n")  # fmt: skip
    return (
        f"branch: {options.branch} on {options.remote}, from {plan.base} ({plan.base_commit[:12]})\n"
        f"files: {', '.join(plan.files)}\n\n"
        f"commit message:\n{_indented(plan.message)}\n"
        f"pull request: {TITLE}\n{_indented(plan.body)}"
    )


def _indented(text: str) -> str:
    return "".join(f"    {line}\n" if line else "\n" for line in text.splitlines())


def _publish(git: Git, forge: Forge, plan: Plan, options: PrOptions, complete: bool) -> list[tuple[str, bool]]:
    """Bring the branch and its pull request in line with the plan; what happened, as
    (line, to stderr) pairs: the pull request's address goes to stdout. An open pull
    request is not closed when a file could not be checked (`complete` false): its fixes
    are not known to be needless."""
    default = forge.default_branch()
    if options.branch == default:
        raise PrError(f"the fixes would go to {default!r}, the repository's default branch: dockerfix pushes only "
                      "to a branch of its own (--branch)")  # fmt: skip
    pulls = forge.pull_requests(options.branch)
    current = next((pull for pull in pulls if pull.open), None)
    if not plan.files:
        if current is None:
            return [(f"dockerfix pr: nothing to fix on {plan.base}: no branch pushed, no pull request", True)]
        if not complete:
            return [(f"dockerfix pr: pull request #{current.number} left open: a file could not be checked", True)]
        forge.comment(current.number, f"dockerfix finds nothing left to fix on `{plan.base}` "
                      f"({plan.base_commit[:12]}), so this pull request is no longer needed. It opens a new one "
                      "when something needs fixing again.")  # fmt: skip
        forge.update_pull_request(current.number, f"{current.body.rstrip()}\n\n{CLOSED_MARK}\n", close=True)
        deleted = f" and deleted {options.remote}/{options.branch}" if _delete_branch(git, options) else ""
        return [(f"dockerfix pr: nothing left to fix on {plan.base}: closed pull request #{current.number}{deleted}", True)]
    if current is None:
        declined = _declined(pulls, plan.key)
        if declined is not None:
            return [(f"dockerfix pr: pull request #{declined.number} with these fixes was closed without merging: "
                     "not proposed again (reopen it to have it updated; a new file or rule to fix opens a new one): "
                     f"{declined.url}", True)]  # fmt: skip
    pushed, line = _push(git, plan, options)
    lines = [(line, True)]
    if current is None:
        current = forge.open_pull_request(options.branch, plan.base, TITLE, plan.body)
        lines.append((f"dockerfix pr: opened pull request #{current.number}", True))
    elif pushed or _normal(current.body) != _normal(plan.body):
        forge.update_pull_request(current.number, plan.body)
        lines.append((f"dockerfix pr: updated pull request #{current.number}", True))
    else:
        lines.append((f"dockerfix pr: pull request #{current.number} is up to date", True))
    return [*lines, (current.url, False)]


def _declined(pulls: list[PullRequest], key: str) -> PullRequest | None:
    """The pull request with this key that a person closed without merging (dockerfix
    marks the ones it closes itself), if any."""
    mark = KEY_MARK.format(key)
    return next((pull for pull in pulls if not pull.open and not pull.merged and mark in pull.body
                 and CLOSED_MARK not in pull.body), None)  # fmt: skip


def _normal(body: str) -> str:
    """A body as compared: GitHub may hand back CRLF line ends."""
    return body.replace("\r\n", "\n").strip()


def _push(git: Git, plan: Plan, options: PrOptions) -> tuple[bool, str]:
    """Commit the fixes and push them to the remote branch, unless it already holds them:
    whether it pushed, and what happened."""
    target = f"refs/heads/{options.branch}"
    current = _remote_commit(git, options)
    with tempfile.TemporaryDirectory(prefix="dockerfix-pr-") as scratch:
        commit = git.commit_files(plan.base_commit, plan.files, plan.message, _identity(options.author), Path(scratch))
    if current:
        git("fetch", "--quiet", options.remote, target)
        fetched = git("rev-parse", "FETCH_HEAD")
        same_base = git("rev-parse", f"{fetched}^") == plan.base_commit
        if same_base and git("rev-parse", f"{fetched}^{{tree}}") == git("rev-parse", f"{commit}^{{tree}}"):
            return False, f"dockerfix pr: {options.remote}/{options.branch} already has these fixes on {plan.base}: nothing pushed"
    git("push", "--quiet", f"--force-with-lease={target}:{current}", options.remote, f"{commit}:{target}")
    verb = "updated" if current else "pushed"
    count = len(plan.files)
    return True, f"dockerfix pr: {verb} {options.remote}/{options.branch} ({commit[:12]}): {count} file{'s' if count != 1 else ''} fixed"


def _remote_commit(git: Git, options: PrOptions) -> str:
    """The commit the remote's fixes branch is at; empty when there is none."""
    listed = git("ls-remote", "--heads", options.remote, f"refs/heads/{options.branch}")
    return listed.split()[0] if listed else ""


def _delete_branch(git: Git, options: PrOptions) -> bool:
    """Delete the remote's fixes branch (with a lease: not if it moved meanwhile); whether there was one."""
    current = _remote_commit(git, options)
    if current:
        target = f"refs/heads/{options.branch}"
        git("push", "--quiet", f"--force-with-lease={target}:{current}", options.remote, f":{target}")
    return bool(current)


def _identity(author: str) -> dict[str, str]:
    """The commit's author and committer from `Name <email>`; empty: git's configuration decides."""
    if not author:
        return {}
    name, _, email = author.partition("<")
    if not name.strip() or not email.endswith(">"):
        raise PrError(f"--author {author!r} is not `Name <email>`")
    name, email = name.strip(), email[:-1].strip()
    return {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}
