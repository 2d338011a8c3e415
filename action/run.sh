#!/usr/bin/env bash
# The action's run step. In `pr` mode, `dockerfix pr` alone (the pull request's address is
# an output). Otherwise one dockerfix run that checks (or, in `fix` mode, writes) and
# keeps its markdown summary; then, for what is left, annotations on stdout (the runner
# turns `::error` lines into annotations) and a SARIF file. It never fails the step itself:
# it records the exit code in GITHUB_OUTPUT, and the action's last step decides, after the
# SARIF upload. Inputs come as DOCKERFIX_* variables, never spliced into the script.
set -uo pipefail
out="${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
work="${RUNNER_TEMP:?RUNNER_TEMP is not set}/dockerfix"
mkdir -p "$work"
read -r -a paths <<< "${DOCKERFIX_PATHS:-.}"
read -r -a extra <<< "${DOCKERFIX_ARGS:-}"
case "${DOCKERFIX_MODE:-check}" in
  check) mode=--check ;;
  fix) mode=--write ;;
  pr) mode=pr ;;
  *) echo "dockerfix: mode must be check, fix or pr, not '${DOCKERFIX_MODE}'" >&2; echo "exit-code=2" >> "$out"; exit 0 ;;
esac

if [ "$mode" = pr ]; then
  # One checkout directory; the token reaches dockerfix only, as the variable it reads.
  if [ "${#paths[@]}" -ne 1 ]; then
    echo "dockerfix: pr mode takes one directory, not '${DOCKERFIX_PATHS}'" >&2; echo "exit-code=2" >> "$out"; exit 0
  fi
  url="$(GITHUB_TOKEN="${DOCKERFIX_TOKEN:-}" dockerfix pr --author "${DOCKERFIX_AUTHOR:?DOCKERFIX_AUTHOR is not set}" "${extra[@]}" -- "${paths[0]}")"
  status=$?
  { echo "exit-code=$status"; echo "pull-request=$url"; } >> "$out"
  if [ -n "$url" ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    echo "dockerfix: the fixes are in $url" >> "$GITHUB_STEP_SUMMARY"
  fi
  exit 0
fi

markdown="$work/summary.md"
before="$(git diff 2>/dev/null | cksum)"  # what the work tree holds, to tell whether --write changed it
dockerfix "$mode" --format markdown --output-file "$markdown" "${extra[@]}" -- "${paths[@]}"
status=$?
after="$(git diff 2>/dev/null | cksum)"

if [ "${DOCKERFIX_ANNOTATIONS:-true}" = true ]; then
  dockerfix --check --quiet --format github "${extra[@]}" -- "${paths[@]}" || true
fi
sarif=""
if [ "${DOCKERFIX_SARIF:-false}" = true ]; then
  sarif="$work/dockerfix.sarif"
  dockerfix --check --quiet --format sarif --output-file "$sarif" "${extra[@]}" -- "${paths[@]}" || true
fi
if [ "${DOCKERFIX_SUMMARY:-true}" = true ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -s "$markdown" ]; then
  cat "$markdown" >> "$GITHUB_STEP_SUMMARY"
fi

delimiter="dockerfix_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
{
  echo "exit-code=$status"
  echo "markdown-file=$markdown"
  echo "sarif-file=$sarif"
  if [ "$mode" = --write ] && [ "$before" != "$after" ]; then echo "changed=true"; else echo "changed=false"; fi
  echo "markdown<<$delimiter"
  cat "$markdown" 2>/dev/null || true
  echo "$delimiter"
} >> "$out"
exit 0
