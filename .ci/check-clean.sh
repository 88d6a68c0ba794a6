#!/usr/bin/env bash
# Fails, showing what changed, when the work tree differs from the commit: run after setup on a fresh clone,
# it proves the install rewrote nothing (package-lock.json above all) and left no untracked file behind.
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"

if ! status=$(git status --porcelain --untracked-files=all 2>&1); then
  echo "check-clean: not a git work tree, cannot check it: $status" >&2
  exit 1
fi
if [ -n "$status" ]; then
  {
    echo "check-clean: setup changed the work tree; commit the change or fix the command that made it:"
    echo "$status"
    git --no-pager diff --stat
    git --no-pager diff
  } >&2
  exit 1
fi
echo "check-clean: work tree clean"
