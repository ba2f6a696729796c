#!/usr/bin/env bash
# Fails if README.md's tour (between the tour:begin and tour:end markers) is not what
# scripts/tour.sh prints when run now. Usage: scripts/check-tour.sh BUILD/syncline
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
expected=$(mktemp)
actual=$(mktemp)
trap 'rm -f "$expected" "$actual"' EXIT
awk '/<!-- tour:end/ { p = 0 } p { print } /<!-- tour:begin/ { p = 1 }' "$ROOT/README.md" >"$expected"
"$ROOT/scripts/tour.sh" "$1" >"$actual" || { echo "check-tour: the tour script failed"; exit 1; }
if ! diff -u "$expected" "$actual"; then
  echo "check-tour: README.md's tour differs from what the commands print now (diff above:"
  echo "- README, + now). If the change is meant, run: scripts/tour.sh $1 --update"
  exit 1
fi
echo "check-tour: README.md's tour matches a real run"
