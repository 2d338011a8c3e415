#!/usr/bin/env bash
# The action's install step: dockerfix into a virtual environment of its own under
# RUNNER_TEMP (so it never meets the project's packages), put on PATH for later steps.
# DOCKERFIX_VERSION: a PyPI release; empty: the action's own source (GITHUB_ACTION_PATH).
# DOCKERFIX_MODE `pr` adds the `pr` extra (the GitHub client).
set -euo pipefail
venv="${RUNNER_TEMP:?RUNNER_TEMP is not set}/dockerfix-venv"
python="$(command -v python3 || command -v python)"
extra=""
if [ "${DOCKERFIX_MODE:-}" = pr ]; then extra="[pr]"; fi
"$python" -m venv "$venv"
if [ -n "${DOCKERFIX_VERSION:-}" ]; then
  case "$DOCKERFIX_VERSION" in
    *[!0-9A-Za-z.+-]*) echo "dockerfix: version '$DOCKERFIX_VERSION' is not a release number" >&2; exit 2 ;;
  esac
  source="dockerfix$extra==$DOCKERFIX_VERSION"
else
  source="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}$extra"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$source"
echo "$venv/bin" >> "${GITHUB_PATH:?GITHUB_PATH is not set}"
"$venv/bin/dockerfix" --version
