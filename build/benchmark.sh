#!/usr/bin/env bash
# Prints MimoBackup's snapshot and verified-backup times against cp, sqlite3 .backup, the three-step
# .backup + integrity_check + sha256sum, and sqlite3 -json, measured in one run.
# Arguments go to the benchmark: --sizes 10,100,1024 --runs 3 --folder DIR
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if ! command -v sqlite3 >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null
  else
    echo "The benchmark compares with the sqlite3 shell: install it (apt-get install sqlite3) and run again." >&2
    exit 2
  fi
fi
dotnet run -c Release --project "$root/tests/MimoBackup.EfCore.Benchmarks" -- "$@"
