#!/usr/bin/env bash
# Runs every test: unit, integration on real SQLite files, and end-to-end with the real dotnet-ef.
# The end-to-end tests pack the package themselves; sqlite3 (for the comparisons) is installed when missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if ! command -v sqlite3 >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing sqlite3 (used by the tests that compare with the sqlite3 shell)"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null
  else
    echo "sqlite3 is not installed and cannot be installed here: the tests that need it will say they were skipped"
  fi
fi

dotnet tool restore
# s3rver and Azurite for the remote-storage tests (the tests start and stop them on loopback).
build/emulators.sh
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
dotnet test MimoBackup.EfCore.sln -c Release "$@" 2>&1 | tee "$log" || status=$?

# One plain closing line over every test project, e.g. "tests: 120 passed, 0 failed, 2 skipped".
awk '/(Passed|Failed)! +- +Failed: /{
       for (i = 1; i <= NF; i++) { gsub(",", "", $(i+1)); if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
     }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
