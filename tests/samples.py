"""A broken Dockerfile that the tests of the ways users run dockerfix (the installed
wheel, pre-commit, the GitHub Action) share, with what its safe fixes make of it."""

from __future__ import annotations

# DFX101: the pip cache mount misses pip's cache, which ENV HOME moved to /app; DFX102
# then pins pip to it with --cache-dir.
BROKEN = """\
# syntax=docker/dockerfile:1
FROM python:3.12-slim
ENV HOME=/app
WORKDIR /app
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
"""
FIXED_RUN = "RUN --mount=type=cache,target=/app/.cache/pip pip install --cache-dir=/app/.cache/pip -r requirements.txt"
FIXED = BROKEN.replace(BROKEN.splitlines()[-1], FIXED_RUN)
