"""Every problem class, for every installer (pip, uv, poetry, pipenv, pdm, apt): what
is found, and what `--write --unsafe-fixes` makes of it.

One table, one row per installer and problem: the Dockerfile, the rules that report it
first (the fix loop may add findings of other rules in later passes, as a fix reveals
them), and the whole file once every fix is in. Each row also checks what every fix
must keep: nothing is left to report, a second run changes nothing, the result parses
(with BuildKit's parser too, where it is installed).
"""

from __future__ import annotations

import pytest

from fixer.engine import Settings, check_text
from fixer.parser import parse
from fixer.rules import ALL_RULES

PLAIN = "FROM python:3.12-slim\nWORKDIR /app\n"
HOME = PLAIN + "ENV HOME=/app\n"
USER = "FROM python:3.12-slim\nRUN useradd -m -u 1000 app\nUSER app\nWORKDIR /home/app/src\n"
M = "RUN --mount=type=cache,target="

# (row id, the Dockerfile, the rules that report it first, the Dockerfile after every fix)
ROWS = [
    # --- the mount is not where the installer caches: HOME moved (DFX101)
    ("uv-home", HOME + M + "/root/.cache/uv uv pip install --system -r requirements.txt\n", {"DFX101"},
     HOME + M + "/app/.cache/uv uv pip install --link-mode=copy --cache-dir=/app/.cache/uv --system -r requirements.txt\n"),
    ("poetry-home", HOME + M + "/root/.cache/pypoetry poetry install --no-root\n", {"DFX101"},
     HOME + M + "/app/.cache/pypoetry POETRY_VIRTUALENVS_IN_PROJECT=true poetry install --no-root\n"),
    ("pipenv-home", HOME + M + "/root/.cache/pipenv pipenv install --system --deploy\n", {"DFX101"},
     HOME + M + "/app/.cache/pipenv pipenv install --system --deploy\n"),
    ("pdm-home", HOME + M + "/root/.cache/pdm pdm install --prod\n", {"DFX101"},
     HOME + M + "/app/.cache/pdm pdm install --prod\n"),
    # --- a non-root USER under root's mount: moved to its home and given to it (DFX101)
    ("uv-user", USER + M + "/root/.cache/uv uv sync --frozen\n", {"DFX101"},
     USER + M + "/home/app/.cache/uv,uid=1000,gid=1000 uv sync --link-mode=copy --cache-dir=/home/app/.cache/uv --frozen\n"),
    ("poetry-user", USER + M + "/root/.cache/pypoetry poetry install --no-root\n", {"DFX101"},
     USER + M + "/home/app/.cache/pypoetry,uid=1000,gid=1000 POETRY_VIRTUALENVS_IN_PROJECT=true poetry install --no-root\n"),
    ("pipenv-user", USER + M + "/root/.cache/pipenv pipenv install --deploy\n", {"DFX101"},
     USER + M + "/home/app/.cache/pipenv,uid=1000,gid=1000 pipenv install --deploy\n"),
    ("pdm-user", USER + M + "/root/.cache/pdm pdm install --prod\n", {"DFX101"},
     USER + M + "/home/app/.cache/pdm,uid=1000,gid=1000 pdm install --prod\n"),
    # --- a non-root USER under a root-owned mount at its own cache (DFX104)
    ("uv-root-owned", USER + M + "/home/app/.cache/uv uv sync --frozen\n", {"DFX104", "DFX106"},
     USER + M + "/home/app/.cache/uv,uid=1000,gid=1000 uv sync --link-mode=copy --cache-dir=/home/app/.cache/uv --frozen\n"),
    ("poetry-root-owned", USER + M + "/home/app/.cache/pypoetry poetry install --no-root\n", {"DFX104", "DFX107"},
     USER + M + "/home/app/.cache/pypoetry,uid=1000,gid=1000 POETRY_VIRTUALENVS_IN_PROJECT=true poetry install --no-root\n"),
    ("pipenv-root-owned", USER + M + "/home/app/.cache/pipenv pipenv install --deploy\n", {"DFX104"},
     USER + M + "/home/app/.cache/pipenv,uid=1000,gid=1000 pipenv install --deploy\n"),
    ("pdm-root-owned", USER + M + "/home/app/.cache/pdm pdm install --prod\n", {"DFX104"},
     USER + M + "/home/app/.cache/pdm,uid=1000,gid=1000 pdm install --prod\n"),
    # --- root under a mount given to another uid: pipenv's pip, like pip, refuses it (DFX104)
    ("pipenv-root-under-uid-mount", PLAIN + M + "/root/.cache/pipenv,uid=1000 pipenv install --system\n", {"DFX104"},
     PLAIN + M + "/root/.cache/pipenv,uid=0 pipenv install --system\n"),
    # --- a mount named for an installer the RUN does not run (DFX101)
    ("uv-under-pip-mount", PLAIN + M + "/root/.cache/pip uv pip install --system -r requirements.txt\n", {"DFX101"},
     PLAIN + M + "/root/.cache/uv uv pip install --link-mode=copy --system -r requirements.txt\n"),
    ("poetry-under-pip-mount", PLAIN + M + "/root/.cache/pip poetry install --no-root\n", {"DFX101"},
     PLAIN + M + "/root/.cache/pypoetry POETRY_VIRTUALENVS_IN_PROJECT=true poetry install --no-root\n"),
    ("pipenv-under-pip-mount", PLAIN + M + "/root/.cache/pip pipenv install --system --deploy\n", {"DFX101"},
     PLAIN + M + "/root/.cache/pipenv pipenv install --system --deploy\n"),
    ("pdm-under-pip-mount", PLAIN + M + "/root/.cache/pip pdm install --prod\n", {"DFX101"},
     PLAIN + M + "/root/.cache/pdm pdm install --prod\n"),
    ("pip-under-uv-mount", PLAIN + M + "/root/.cache/uv pip install -r requirements.txt\n", {"DFX101"},
     PLAIN + M + "/root/.cache/pip pip install -r requirements.txt\n"),
    # --- the cache switched off under its mount (DFX103)
    ("uv-no-cache", PLAIN + M + "/root/.cache/uv uv pip install --no-cache --system flask\n", {"DFX103"},
     PLAIN + M + "/root/.cache/uv uv pip install --link-mode=copy --system flask\n"),
    ("uv-no-cache-dir", PLAIN + M + "/root/.cache/uv uv pip install --no-cache-dir --system flask\n", {"DFX103"},
     PLAIN + M + "/root/.cache/uv uv pip install --link-mode=copy --system flask\n"),
    ("uv-no-cache-variable", PLAIN + M + "/root/.cache/uv UV_NO_CACHE=1 uv sync --link-mode=copy\n", {"DFX103"},
     PLAIN + M + "/root/.cache/uv uv sync --link-mode=copy\n"),
    ("poetry-no-cache", PLAIN + "ENV POETRY_VIRTUALENVS_CREATE=false\n" + M + "/root/.cache/pypoetry poetry install --no-cache\n",
     {"DFX103"}, PLAIN + "ENV POETRY_VIRTUALENVS_CREATE=false\n" + M + "/root/.cache/pypoetry poetry install\n"),
    ("pipenv-pip-no-cache-dir", PLAIN + M + "/root/.cache/pipenv PIP_NO_CACHE_DIR=1 pipenv install --system\n", {"DFX103"},
     PLAIN + M + "/root/.cache/pipenv pipenv install --system\n"),
    ("pdm-no-cache", PLAIN + M + "/root/.cache/pdm pdm --no-cache install --prod\n", {"DFX103"},
     PLAIN + M + "/root/.cache/pdm pdm install --prod\n"),
    ("pdm-no-cache-variable", PLAIN + M + "/root/.cache/pdm PDM_NO_CACHE=1 pdm sync\n", {"DFX103"},
     PLAIN + M + "/root/.cache/pdm pdm sync\n"),
    # --- a stage-wide switch no option overrides: reported, never removed (DFX103)
    ("uv-stage-switch", PLAIN + "ENV UV_NO_CACHE=1 UV_LINK_MODE=copy\n" + M + "/root/.cache/uv uv sync\n", {"DFX103"}, None),
    ("pdm-stage-switch", PLAIN + "ENV PDM_NO_CACHE=1\n" + M + "/root/.cache/pdm pdm install\n", {"DFX103"}, None),
    ("pipenv-stage-switch", PLAIN + "ENV PIP_NO_CACHE_DIR=1\n" + M + "/root/.cache/pipenv pipenv install --system\n",
     {"DFX103"}, None),
    # --- a --cache-dir that misses the mount (DFX102)
    ("uv-cache-dir-misses", PLAIN + M + "/root/.cache/uv uv pip install --link-mode=copy --cache-dir /tmp/uv --system x\n",
     {"DFX102"}, PLAIN + M + "/root/.cache/uv uv pip install --link-mode=copy --cache-dir /root/.cache/uv --system x\n"),
    # --- uv links from a cache mount (DFX106)
    ("uv-link-mode", PLAIN + M + "/root/.cache/uv uv sync --frozen\n", {"DFX106"},
     PLAIN + M + "/root/.cache/uv uv sync --link-mode=copy --frozen\n"),
    # --- poetry's virtualenv on the cache mount (DFX107)
    ("poetry-venv-in-cache", PLAIN + M + "/root/.cache/pypoetry poetry install --only main\n", {"DFX107"},
     PLAIN + M + "/root/.cache/pypoetry POETRY_VIRTUALENVS_IN_PROJECT=true poetry install --only main\n"),
]

APT_MOUNTS = "RUN --mount=type=cache,target=/var/cache/apt{0} --mount=type=cache,target=/var/lib/apt{0} "
LOCKED = APT_MOUNTS.format(",sharing=locked")
NO_HOOK = PLAIN + "RUN rm -f /etc/apt/apt.conf.d/docker-clean\n"
ROWS += [
    # --- apt: the image's docker-clean empties the mount (DFX108), shared unlocked (DFX109)
    ("apt-docker-clean", PLAIN + LOCKED + "apt-get update && apt-get install -y gcc\n", {"DFX108"},
     NO_HOOK + LOCKED + "apt-get update && apt-get install -y gcc\n"),
    ("apt-unlocked", NO_HOOK + APT_MOUNTS.format("") + "apt-get update && apt-get install -y gcc\n", {"DFX109"},
     NO_HOOK + LOCKED + "apt-get update && apt-get install -y gcc\n"),
    ("apt-binary", NO_HOOK + LOCKED + "apt update && apt install -y gcc\n", {"DFX108"},
     NO_HOOK + LOCKED + "apt update && apt-get install -y gcc\n"),
    ("apt-all-at-once", PLAIN + APT_MOUNTS.format("") + "apt update && apt install -y gcc\n", {"DFX108", "DFX109"},
     NO_HOOK + LOCKED + "apt update && apt-get install -y gcc\n"),
]

ROWS += [
    # --- a cleanup that empties the cache mount (DFX110)
    ("pip-cache-purge", PLAIN + M + "/root/.cache/pip pip install -r requirements.txt && pip cache purge\n", {"DFX110"},
     PLAIN + M + "/root/.cache/pip pip install -r requirements.txt\n"),
    ("uv-cache-clean", PLAIN + M + "/root/.cache/uv uv sync --link-mode=copy && uv cache clean\n", {"DFX110"},
     PLAIN + M + "/root/.cache/uv uv sync --link-mode=copy\n"),
    # (DFX112 too: `;` hides a failed `uv sync`, until DFX110 removes the command after it)
    ("uv-cache-prune-ci", PLAIN + M + "/root/.cache/uv uv sync --link-mode=copy; uv cache prune --ci\n", {"DFX110", "DFX112"},
     PLAIN + M + "/root/.cache/uv uv sync --link-mode=copy\n"),
    ("pdm-cache-clear", PLAIN + M + "/root/.cache/pdm pdm install --prod && pdm cache clear\n", {"DFX110"},
     PLAIN + M + "/root/.cache/pdm pdm install --prod\n"),
    ("pipenv-rm-cache", PLAIN + M + "/root/.cache/pipenv pipenv install --system && rm -rf ~/.cache/pipenv/*\n",
     {"DFX110"}, PLAIN + M + "/root/.cache/pipenv pipenv install --system\n"),
    ("apt-clean", NO_HOOK + LOCKED + "apt-get update && apt-get install -y gcc && apt-get clean && rm -rf /var/lib/apt/lists/*\n",
     {"DFX110"}, NO_HOOK + LOCKED + "apt-get update && apt-get install -y gcc\n"),
]

ROWS += [
    # --- an install with no cache mount at all (DFX111); the other rules finish in later passes
    ("pip-no-mount", PLAIN + "RUN pip install --no-cache-dir -r requirements.txt\n", {"DFX111"},
     PLAIN + M + "/root/.cache/pip pip install -r requirements.txt\n"),
    ("pip-no-mount-home", HOME + "RUN pip install -r requirements.txt\n", {"DFX111"},
     HOME + M + "/app/.cache/pip pip install --cache-dir=/app/.cache/pip -r requirements.txt\n"),
    ("pip-no-mount-user", USER + "RUN pip install --user -r requirements.txt\n", {"DFX111"},
     USER + M + "/home/app/.cache/pip,uid=1000,gid=1000 pip install --cache-dir=/home/app/.cache/pip --user -r requirements.txt\n"),
    ("pip-no-mount-stage-switch", PLAIN + "ENV PIP_NO_CACHE_DIR=1\nRUN pip install -r requirements.txt\n", {"DFX111"},
     PLAIN + "ENV PIP_NO_CACHE_DIR=1\n" + M + "/root/.cache/pip pip install --cache-dir=/root/.cache/pip -r requirements.txt\n"),
    ("pip-no-mount-exec", PLAIN + 'RUN ["python3", "-m", "pip", "install", "--no-cache-dir", "-r", "requirements.txt"]\n',
     {"DFX111"}, PLAIN + M + '/root/.cache/pip ["python3", "-m", "pip", "install", "-r", "requirements.txt"]\n'),
    ("uv-no-mount", PLAIN + "RUN uv pip install --system -r requirements.txt\n", {"DFX111"},
     PLAIN + M + "/root/.cache/uv uv pip install --link-mode=copy --system -r requirements.txt\n"),
    ("uv-no-mount-no-cache", PLAIN + "RUN uv sync --frozen --no-cache\n", {"DFX111"},
     PLAIN + M + "/root/.cache/uv uv sync --link-mode=copy --frozen\n"),
    ("uv-no-mount-stage-switch", PLAIN + "ENV UV_NO_CACHE=1\nRUN uv sync\n", {"DFX111"}, None),
    ("poetry-no-mount", PLAIN + "RUN poetry install --no-root\n", {"DFX111"},
     PLAIN + M + "/root/.cache/pypoetry POETRY_VIRTUALENVS_IN_PROJECT=true poetry install --no-root\n"),
    ("poetry-no-mount-user", USER + "RUN poetry install --no-root\n", {"DFX111"},
     USER + M + "/home/app/.cache/pypoetry,uid=1000,gid=1000 POETRY_VIRTUALENVS_IN_PROJECT=true poetry install --no-root\n"),
    ("pipenv-no-mount", PLAIN + "RUN pipenv install --system --deploy\n", {"DFX111"},
     PLAIN + M + "/root/.cache/pipenv pipenv install --system --deploy\n"),
    ("pdm-no-mount", PLAIN + "RUN pdm install --prod\n", {"DFX111"}, PLAIN + M + "/root/.cache/pdm pdm install --prod\n"),
    ("apt-no-mount", PLAIN + "RUN apt-get update && apt-get install -y gcc && rm -rf /var/lib/apt/lists/*\n", {"DFX111"},
     NO_HOOK + LOCKED + "apt-get update && apt-get install -y gcc\n"),
    # --- a failed install that the step's shell hides (DFX112): the wheelhouse fallback is
    # fixed, the rest reported without a fix
    ("pip-masked", PLAIN + M + "/root/.cache/pip pip install -r requirements.txt || true\n", {"DFX112"}, None),
    ("pip-wheelhouse-fallback", PLAIN + M + "/root/.cache/pip pip install -r requirements.txt || true && "
     "pip install --no-index --find-links=/wheels -r requirements.txt\n", {"DFX112"},
     PLAIN + M + "/root/.cache/pip pip install -r requirements.txt || "
     "pip install --no-index --find-links=/wheels -r requirements.txt\n"),
    ("uv-masked", PLAIN + "ENV UV_LINK_MODE=copy\n" + M + "/root/.cache/uv uv sync --frozen; exit 0\n", {"DFX112"}, None),
    ("uv-offline-fallback", PLAIN + "ENV UV_LINK_MODE=copy\n" + M + "/root/.cache/uv uv pip install --system -r r.txt "
     "|| true; uv pip install --system --offline -r r.txt\n", {"DFX112"},
     PLAIN + "ENV UV_LINK_MODE=copy\n" + M + "/root/.cache/uv uv pip install --system -r r.txt "
     "|| uv pip install --system --offline -r r.txt\n"),
    ("poetry-masked", PLAIN + "ENV POETRY_VIRTUALENVS_IN_PROJECT=1\n" + M + "/root/.cache/pypoetry "
     "poetry install --no-root | tee /tmp/poetry.log\n", {"DFX112"}, None),
    ("pipenv-masked", PLAIN + M + "/root/.cache/pipenv set +e; pipenv install --system --deploy; rm -rf /tmp/x\n",
     {"DFX112"}, None),
    ("pdm-masked", PLAIN + M + "/root/.cache/pdm pdm install --prod --no-self || echo 'pdm failed'\n", {"DFX112"}, None),
    ("apt-masked", NO_HOOK + LOCKED + "apt-get update && apt-get install -y gcc || true\n", {"DFX112"}, None),
]

# Right already: nothing to report, nothing to change.
CLEAN = [
    ("pip-wheelhouse", PLAIN + "RUN pip install --no-index --find-links=/wheels -r requirements.txt\n"),
    ("uv-root-under-uid-mount", PLAIN + "ENV UV_LINK_MODE=copy\n" + M + "/root/.cache/uv,uid=1000 uv sync\n"),
    ("pdm-root-under-uid-mount", PLAIN + M + "/root/.cache/pdm,uid=1000 pdm install\n"),
    ("uv", PLAIN + "ENV UV_LINK_MODE=copy\n" + M + "/root/.cache/uv uv sync --frozen --no-install-project\n"),
    ("uv-user", USER + "ENV UV_LINK_MODE=copy\n" + M + "/home/app/.cache/uv,uid=1000,gid=1000 uv sync --cache-dir=/home/app/.cache/uv\n"),
    ("poetry", PLAIN + "ENV POETRY_VIRTUALENVS_IN_PROJECT=1\n" + M + "/root/.cache/pypoetry poetry install --no-root\n"),
    ("pipenv", PLAIN + M + "/root/.cache/pipenv pipenv install --system --deploy\n"),
    ("pdm", PLAIN + M + "/root/.cache/pdm pdm install --prod --no-self\n"),
    ("apt-recipe", PLAIN + "RUN rm -f /etc/apt/apt.conf.d/docker-clean; "
     "echo 'Binary::apt::APT::Keep-Downloaded-Packages \"true\";' > /etc/apt/apt.conf.d/keep-cache\n"
     + LOCKED + "apt update && apt install -y gcc\n"),
    ("apt-rm-in-the-step", PLAIN + LOCKED + "rm -f /etc/apt/apt.conf.d/docker-clean && apt-get update && apt-get install -y gcc\n"),
    ("pip-and-uv", PLAIN + "ENV UV_LINK_MODE=copy\n"
     + "RUN --mount=type=cache,target=/root/.cache/pip --mount=type=cache,target=/root/.cache/uv pip install uv && uv pip install --system x\n"),
]


def _converge(text: str) -> str:
    result = check_text("Dockerfile", text, list(ALL_RULES), Settings(unsafe_fixes=True))
    assert result.error is None, result.error
    assert result.final == (), [d.message for d in result.final]
    return result.output


@pytest.mark.parametrize(("text", "codes", "fixed"), [row[1:] for row in ROWS], ids=[row[0] for row in ROWS])
def test_each_problem_of_each_installer(text: str, codes: set[str], fixed: str | None) -> None:
    found = check_text("Dockerfile", text, list(ALL_RULES), Settings()).diagnostics
    assert {d.code for d in found} == codes
    if fixed is None:
        assert all(d.fix is None for d in found)
        return
    output = _converge(text)
    assert output == fixed
    assert _converge(output) == output
    assert not parse(output).errors
    try:
        import dockerfile
    except ImportError:  # BuildKit's bindings ship for x86-64 Linux and Windows only
        return
    dockerfile.parse_string(output)


@pytest.mark.parametrize("text", [row[1] for row in CLEAN], ids=[row[0] for row in CLEAN])
def test_a_correct_file_stays_untouched(text: str) -> None:
    result = check_text("Dockerfile", text, list(ALL_RULES), Settings(unsafe_fixes=True))
    assert result.diagnostics == () and result.output == text
