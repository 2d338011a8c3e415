#!/usr/bin/env bash
# The action's install step: dockerfix into a virtual environment of its own under
# RUNNER_TEMP (so it never meets the project's packages), put on PATH for later steps.
# DOCKERFIX_VERSION: a PyPI release; empty: the action's own source (GITHUB_ACTION_PATH).
set -euo pipefail
venv="${RUNNER_TEMP:?RUNNER_TEMP is not set}/dockerfix-venv"
python="$(command -v python3 || command -v python)"
"$python" -m venv "$venv"
if [ -n "${DOCKERFIX_VERSION:-}" ]; then
  case "$DOCKERFIX_VERSION" in
    *[!0-9A-Za-z.+-]*) echo "dockerfix: version '$DOCKERFIX_VERSION' is not a release number" >&2; exit 2 ;;
  esac
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "dockerfix==$DOCKERFIX_VERSION"
else
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
fi
echo "$venv/bin" >> "${GITHUB_PATH:?GITHUB_PATH is not set}"
"$venv/bin/dockerfix" --version
