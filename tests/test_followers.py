"""DFX111's fix takes in what the cache-mount rules would fix once its mounts are in
(`fixer/rules/followers.py`): one fix, one pass, the same text as the passes it saves."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from unittest import mock

import pytest

from fixer import engine
from fixer.diagnostics import Applicability, Diagnostic, Edit, Fix
from fixer.engine import Settings, check_text
from fixer.rules import ALL_RULES
from fixer.rules.followers import joined
from fixer.syntax import Span

ROOT = Path(__file__).resolve().parent.parent
SYNTAX = "# syntax=docker/dockerfile:1\n"  # the builder takes cache mounts: DFX111's fixes are safe


def _checked(text: str, settings: Settings = Settings(), context: Path | None = None) -> tuple[engine.FileResult, int]:
    with mock.patch.object(engine, "diagnose", wraps=engine.diagnose) as counted:
        result = check_text("Dockerfile", text, ALL_RULES, settings, context)
    return result, counted.call_count


def _without_followers(text: str, settings: Settings, context: Path | None = None) -> tuple[engine.FileResult, int]:
    """The check as it is when no rule says its findings are about cache mounts: DFX111's
    fix adds the mounts alone, and the fix loop's next passes do the rest."""
    with ExitStack() as stack:
        for rule in ALL_RULES:
            stack.enter_context(mock.patch.object(rule, "about_cache_mounts", False))
        return _checked(text, settings, context)


CASES = [
    pytest.param(
        "FROM python:3.12-slim\nRUN pip install --no-cache-dir -r requirements.txt\n",
        "FROM python:3.12-slim\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n",
        ["DFX103"],
        id="pip's --no-cache-dir",
    ),
    pytest.param(
        "FROM python:3.12-slim\nENV PIP_NO_CACHE_DIR=1\nRUN pip install -r requirements.txt\n",
        "FROM python:3.12-slim\nENV PIP_NO_CACHE_DIR=1\n"
        "RUN --mount=type=cache,target=/root/.cache/pip pip install --cache-dir=/root/.cache/pip -r requirements.txt\n",
        ["DFX102"],
        id="the stage's PIP_NO_CACHE_DIR",
    ),
    pytest.param(
        "FROM python:3.12-slim\nRUN uv pip install --system -r requirements.txt\n",
        "FROM python:3.12-slim\n"
        "RUN --mount=type=cache,target=/root/.cache/uv uv pip install --link-mode=copy --system -r requirements.txt\n",
        ["DFX106"],
        id="uv's hard links",
    ),
    pytest.param(
        "FROM python:3.12-slim\nRUN apt-get update \\\n    && apt-get install -y gcc \\\n    && rm -rf /var/lib/apt/lists/*\n",
        "FROM python:3.12-slim\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\n"
        "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,"
        "sharing=locked apt-get update \\\n    && apt-get install -y gcc\n",
        ["DFX108", "DFX110"],
        id="apt's docker-clean and lists",
    ),
    pytest.param(
        "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y gcc\nRUN apt-get install -y make && apt-get clean\n",
        "FROM python:3.12-slim\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\n"
        "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked apt-get update && apt-get install -y gcc\n"
        "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked apt-get install -y make\n",
        ["DFX108", "DFX110"],
        id="two apt steps: one docker-clean line, for the first",
    ),
    pytest.param(
        "FROM python:3.12-slim\nRUN useradd --create-home --uid 1000 app\nUSER app\n"
        "RUN pip install --user --no-cache-dir -r requirements.txt\n",
        "FROM python:3.12-slim\nRUN useradd --create-home --uid 1000 app\nUSER app\n"
        "RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1000,gid=1000 pip install "
        "--cache-dir=/home/app/.cache/pip --user -r requirements.txt\n",
        ["DFX102", "DFX103"],
        id="a user's pip: --no-cache-dir goes, and --cache-dir pins the user's home",
    ),
    pytest.param(
        "FROM python:3.12-slim\nRUN apt update && apt install -y gcc\n",
        "FROM python:3.12-slim\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\n"
        "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,"
        "sharing=locked apt update && apt-get install -y gcc\n",
        ["DFX108"],
        id="apt, not apt-get: docker-clean goes, and so does apt's own deletion",
    ),
]


@pytest.mark.parametrize(("source", "fixed", "codes"), CASES)
def test_the_mount_comes_with_what_it_needs_in_one_pass(source: str, fixed: str, codes: list[str]) -> None:
    result, passes = _checked(SYNTAX + source)
    assert result.output == SYNTAX + fixed
    assert passes == 2, "the pass that fixes, and the one that finds nothing left"
    assert result.later == (), "nothing is left for a later pass to reveal"
    joined_codes = sorted({code for d in result.diagnostics for code in _joined_codes(d)})
    assert joined_codes == codes
    assert all(d.code == "DFX111" for d in result.diagnostics)
    chained, chained_passes = _without_followers(SYNTAX + source, Settings())
    assert chained.output == result.output and chained_passes >= 3


def _joined_codes(diagnostic: Diagnostic) -> list[str]:
    title = diagnostic.fix.title if diagnostic.fix else ""
    return [code for code in ("DFX102", "DFX103", "DFX106", "DFX108", "DFX110") if f"({code})" in title]


def test_both_of_apts_deletions_are_found_at_once() -> None:
    """Under a mount, docker-clean and `apt` itself both delete the downloads: DFX108
    reports both in one pass (the line before the step, apt-get in it), not the second
    once the first is fixed."""
    source = SYNTAX + (
        "FROM python:3.12-slim\n"
        "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked apt install -y gcc\n"
    )
    result, passes = _checked(source)
    assert [d.code for d in result.diagnostics] == ["DFX108", "DFX108"]
    assert passes == 2 and result.later == ()
    assert result.output == SYNTAX + (
        "FROM python:3.12-slim\nRUN rm -f /etc/apt/apt.conf.d/docker-clean\n"
        "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked apt-get install -y gcc\n"
    )


def test_the_fix_says_why_it_takes_each_in() -> None:
    result, _ = _checked(SYNTAX + "FROM python:3.12-slim\nRUN pip install --no-cache-dir flask\n")
    (finding,) = result.diagnostics
    assert finding.fix is not None
    assert finding.fix.title == "Add `--mount=type=cache,target=/root/.cache/pip`; remove `--no-cache-dir` (DFX103)"
    assert "With the mount in, `--no-cache-dir` switches pip's cache off" in finding.detail
    assert finding.detail.endswith("(DFX103): the fix mends that too.")


@pytest.mark.parametrize(
    ("source", "unsafe_fixed", "caveat"),
    [
        pytest.param(
            "FROM python:3.12-slim\nRUN uv pip install --system -r r.txt && uv cache clean\n",
            "FROM python:3.12-slim\nRUN --mount=type=cache,target=/root/.cache/uv uv pip install --link-mode=copy "
            "--system -r r.txt\n",
            "with the mount in, `uv cache clean` deletes what the cache mount at /root/.cache/uv keeps (DFX110)",
            id="uv's cleanup, unsafe to remove: uv's config files are not read",
        ),
        pytest.param(
            "FROM python:3.12-slim\nRUN pip install poetry\nCOPY pyproject.toml poetry.lock ./\nRUN poetry install --no-root\n",
            "FROM python:3.12-slim\nRUN --mount=type=cache,target=/root/.cache/pip pip install poetry\n"
            "COPY pyproject.toml poetry.lock ./\n"
            "RUN --mount=type=cache,target=/root/.cache/pypoetry POETRY_VIRTUALENVS_IN_PROJECT=true poetry install --no-root\n",
            "with the mount in, poetry creates its virtualenv in /root/.cache/pypoetry/virtualenvs, on the cache mount "
            "at /root/.cache/pypoetry (DFX107)",
            id="poetry's virtualenv, which would leave the image with the mount",
        ),
    ],
)
def test_a_mount_that_leaves_a_problem_only_an_unsafe_fix_mends_is_unsafe(source: str, unsafe_fixed: str, caveat: str) -> None:
    """A safe mount must not bring a problem with it that it leaves: where the follower's
    fix is unsafe, the mount's becomes unsafe too, says why, and takes that fix in."""
    result, passes = _checked(SYNTAX + source)
    mounting = [d for d in result.diagnostics if d.code == "DFX111" and d.fix and caveat in d.fix.caveat]
    assert len(mounting) == 1 and mounting[0].fix.applicability is Applicability.UNSAFE  # type: ignore[union-attr]
    assert "--mount=type=cache,target=/root/.cache/uv" not in result.output
    assert "--mount=type=cache,target=/root/.cache/pypoetry" not in result.output
    unsafe, unsafe_passes = _checked(SYNTAX + source, Settings(unsafe_fixes=True))
    assert unsafe.output == SYNTAX + unsafe_fixed and unsafe_passes == 2 and unsafe.later == ()


def test_an_unsafe_fix_is_made_whole_only_when_the_run_writes_it() -> None:
    """No sign of BuildKit: the mount is unsafe. A run that leaves it shows the mount
    alone (asking the followers would cost a check of the RUN for the words of a title);
    `--unsafe-fixes` writes it whole, in one pass."""
    source = "FROM python:3.12-slim\nRUN pip install --no-cache-dir -r requirements.txt\n"
    result, passes = _checked(source)
    (finding,) = result.diagnostics
    assert finding.fix is not None and finding.fix.title == "Add `--mount=type=cache,target=/root/.cache/pip`"
    assert result.output == source and passes == 1
    result, passes = _checked(source, Settings(unsafe_fixes=True))
    (finding,) = result.diagnostics
    assert finding.fix is not None and finding.fix.title.endswith("; remove `--no-cache-dir` (DFX103)")
    assert result.output == "FROM python:3.12-slim\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n"
    assert passes == 2 and result.later == ()


def test_followers_respect_suppressions_and_the_selection() -> None:
    source = SYNTAX + "FROM python:3.12-slim\n# dockerfix: ignore=DFX103\nRUN pip install --no-cache-dir -r r.txt\n"
    result, _ = _checked(source)
    assert "RUN --mount=type=cache,target=/root/.cache/pip pip install --no-cache-dir -r r.txt\n" in result.output
    source = SYNTAX + "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y gcc\n"
    result, _ = _checked(source, Settings(ignore=frozenset({"DFX108"})))
    assert "docker-clean" not in result.output and "--mount=type=cache,target=/var/cache/apt" in result.output


def test_a_follower_that_edits_the_new_mount_is_left_out() -> None:
    """The planned mount's spans are the empty span where the fix inserts it: an edit
    of it would land on that insertion, and waits for the next pass; an unsafe fix
    makes the fix unsafe (it would leave a problem that only that fix mends)."""
    own = Fix("Add the mount", (Edit.insert(10, " --mount=type=cache,target=/x"),))
    on_mount = Diagnostic("DFX109", "x", "m", Span(10, 10), Fix("Lock it", (Edit.insert(10, ",sharing=locked"),)))
    unsafe = Diagnostic("DFX110", "y", "m", Span(20, 24), Fix("Drop", (Edit.delete(Span(20, 24)),), Applicability.UNSAFE))
    apart = Diagnostic("DFX103", "z", "m", Span(30, 45), Fix("Remove it", (Edit.delete(Span(30, 45)),)))
    whole = joined(own, [on_mount, apart])
    assert whole == (Fix("Add the mount; remove it (DFX103)", (*own.edits, *apart.fix.edits)), [apart], [on_mount])
    no_fix = Diagnostic("DFX108", "w", "m", Span(12, 12), None)
    assert joined(own, [no_fix, apart]).left == [no_fix], "no fix: the next pass reports it, if it is still there"
    whole = joined(own, [on_mount, unsafe, apart])
    assert whole.taken == [unsafe, apart] and whole.left == [on_mount]
    assert whole.fix.edits == (*own.edits, *unsafe.fix.edits, *apart.fix.edits)
    assert whole.fix.applicability is Applicability.UNSAFE, "it would leave DFX110's finding, which only an unsafe fix mends"
    assert whole.fix.title == "Add the mount; drop (DFX110); remove it (DFX103)"
    assert whole.fix.caveat == "with the mount in, m (DFX110)"


CORPORA = sorted(
    path
    for pattern in ("tests/realistic/*/Dockerfile*", "examples/*/Dockerfile", "benchmarks/corpus/*.Dockerfile")
    for path in ROOT.glob(pattern)
)


def test_every_corpus_file_is_fixed_to_the_same_text_in_no_more_passes() -> None:
    """What the followers' fixes join DFX111's is what the fix loop's next passes would
    write: on every realistic file, example and benchmark file, with unsafe fixes, the
    fixed text and what is left are the same, and no file takes more passes. Without
    them too, but where a mount leaves a problem that only an unsafe fix mends: that
    mount is no longer written (before, the poetry example's image lost its packages)."""
    fewer = unsafe_now = 0
    for path in CORPORA:
        text = path.read_text(encoding="utf-8")
        for settings in (Settings(), Settings(unsafe_fixes=True)):
            result, passes = _checked(text, settings, path.parent)
            chained, chained_passes = _without_followers(text, settings, path.parent)
            if not settings.unsafe_fixes and any(_made_unsafe(d) for d in result.diagnostics):
                unsafe_now += 1
                continue
            assert (result.output, result.error) == (chained.output, chained.error), path
            assert sorted(d.code for d in result.final) == sorted(d.code for d in chained.final), path
            assert passes <= chained_passes, path
            fewer += passes < chained_passes
    assert fewer >= 10 and unsafe_now >= 1


def _made_unsafe(diagnostic: Diagnostic) -> bool:
    fix = diagnostic.fix
    return diagnostic.code == "DFX111" and fix is not None and "with the mount in, " in fix.caveat
