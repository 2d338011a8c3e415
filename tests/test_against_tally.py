"""Where tally's cache-mount rule goes wrong, DFX111 must be right.

tally (`tally-cli` on PyPI) has a rule that adds cache mounts,
`tally/prefer-package-cache-mounts`. With `--fix --fix-unsafe` (tally 0.45.0) it puts
pip's mount at `/root/.cache/pip` and uv's at `/root/.cache/uv` whatever `USER`,
`ENV HOME`, `PIP_CACHE_DIR` or `UV_CACHE_DIR` say, gives a non-root user no uid/gid,
passes over `pip3`, `python -m pip` and exec form, and deletes `ENV PIP_NO_CACHE_DIR`
for the whole stage. Each case below is one of those: `tally` is the RUN line tally
writes (as `benchmarks/tally_compare.py` shows, running tally itself), `fixed` the whole
file dockerfix writes with `--unsafe-fixes`, which the test checks.
"""

from __future__ import annotations

import pytest

from fixer.engine import Settings, check_text
from fixer.rules import ALL_RULES

BASE = "FROM python:3.12-slim\n"
COPY = "COPY requirements.txt .\n"


class Case:
    """A Dockerfile, the line tally makes of its install, and dockerfix's whole result."""

    def __init__(self, name: str, text: str, tally: str, fixed: str) -> None:
        self.name, self.text, self.tally, self.fixed = name, text, tally, fixed


USER = BASE + "RUN useradd --create-home app\nUSER app\nWORKDIR /home/app\n" + COPY
CASES = [
    Case(
        "non-root user",
        USER + "RUN pip install --user --no-cache-dir -r requirements.txt\n",
        "RUN --mount=type=cache,target=/root/.cache/pip,id=pip pip install --user -r requirements.txt",
        USER + "RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1000,gid=1000 "
        "pip install --cache-dir=/home/app/.cache/pip --user -r requirements.txt\n",
    ),
    Case(
        "ENV HOME",
        BASE + "ENV HOME=/app\nWORKDIR /app\n" + COPY + "RUN pip install -r requirements.txt\n",
        "RUN --mount=type=cache,target=/root/.cache/pip,id=pip pip install -r requirements.txt",
        BASE + "ENV HOME=/app\nWORKDIR /app\n" + COPY
        + "RUN --mount=type=cache,target=/app/.cache/pip pip install --cache-dir=/app/.cache/pip -r requirements.txt\n",
    ),
    Case(
        "PIP_CACHE_DIR",
        BASE + "ENV PIP_CACHE_DIR=/var/cache/pip\n" + COPY + "RUN pip install -r requirements.txt\n",
        "RUN --mount=type=cache,target=/root/.cache/pip,id=pip pip install -r requirements.txt",
        BASE + "ENV PIP_CACHE_DIR=/var/cache/pip\n" + COPY
        + "RUN --mount=type=cache,target=/var/cache/pip pip install -r requirements.txt\n",
    ),
    Case(
        "UV_CACHE_DIR",
        BASE + "ENV UV_CACHE_DIR=/opt/uv-cache\n" + COPY + "RUN uv pip install --system -r requirements.txt\n",
        "RUN --mount=type=cache,target=/root/.cache/uv,id=uv uv pip install --system -r requirements.txt",
        BASE + "ENV UV_CACHE_DIR=/opt/uv-cache\n" + COPY
        + "RUN --mount=type=cache,target=/opt/uv-cache uv pip install --link-mode=copy --system -r requirements.txt\n",
    ),
    Case(
        "pip3",
        BASE + COPY + "RUN pip3 install -r requirements.txt\n",
        "RUN pip3 install -r requirements.txt",
        BASE + COPY + "RUN --mount=type=cache,target=/root/.cache/pip pip3 install -r requirements.txt\n",
    ),
    Case(
        "python -m pip",
        BASE + COPY + "RUN python -m pip install -r requirements.txt\n",
        "RUN python -m pip install -r requirements.txt",
        BASE + COPY + "RUN --mount=type=cache,target=/root/.cache/pip python -m pip install -r requirements.txt\n",
    ),
    Case(
        "exec form",
        BASE + COPY + 'RUN ["pip", "install", "-r", "requirements.txt"]\n',
        'RUN ["pip", "install", "-r", "requirements.txt"]',
        BASE + COPY + 'RUN --mount=type=cache,target=/root/.cache/pip ["pip", "install", "-r", "requirements.txt"]\n',
    ),
    Case(
        "ENV PIP_NO_CACHE_DIR",
        BASE + "ENV PIP_NO_CACHE_DIR=1\n" + COPY + "RUN pip install -r requirements.txt\n",
        "RUN --mount=type=cache,target=/root/.cache/pip,id=pip pip install -r requirements.txt",  # and the ENV is gone
        BASE + "ENV PIP_NO_CACHE_DIR=1\n" + COPY
        + "RUN --mount=type=cache,target=/root/.cache/pip pip install --cache-dir=/root/.cache/pip -r requirements.txt\n",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_dockerfix_is_right_where_tally_is_wrong(case: Case) -> None:
    result = check_text("Dockerfile", case.text, list(ALL_RULES), Settings(unsafe_fixes=True))
    assert result.error is None, result.error
    assert result.output == case.fixed
    assert case.tally not in result.output.splitlines()
