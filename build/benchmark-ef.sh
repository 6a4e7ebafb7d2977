#!/usr/bin/env bash
# How much time the verified backup adds to a real `dotnet ef database update` on a ~10 MiB database:
# the same update (two migrations, one a DropColumn) from the same starting copy, with the backup and
# with MimoBackupEnabled=false, median of 5 runs each. Uses samples/MimoSample and the packed package.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sample="$root/samples/MimoSample"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
unset MimoSkipBackup MimoBackupEnabled MimoBackupDir ConnectionStrings__Mimo

"$root/build/pack.sh" >/dev/null
(cd "$root" && dotnet tool restore >/dev/null)
cd "$sample"
dotnet build -nologo -v quiet >/dev/null
start="$work/start.db"
dotnet ef database update Initial --no-build --connection "Data Source=$start" >/dev/null
ConnectionStrings__Mimo="Data Source=$start" dotnet run --no-build -- seed 45000 >/dev/null
echo "database: $(( $(stat -c %s "$start") / 1048576 )) MiB"

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
run() { # $1 = label, rest = environment assignments
  local label="$1"; shift
  for i in 1 2 3 4 5; do
    rm -rf "$work/run" && mkdir -p "$work/run" && cp "$start" "$work/run/app.db"
    local t0 t1
    t0=$(date +%s.%N)
    env "$@" dotnet ef database update --no-build --connection "Data Source=$work/run/app.db" >/dev/null
    t1=$(date +%s.%N)
    awk -v a="$t1" -v b="$t0" 'BEGIN { print a - b }'
  done | median | xargs printf "%-34s %.3f s\n" "$label"
}
with=$(run "dotnet ef database update (backup)" MimoBackupEnabled=true | tee /dev/stderr | awk '{ print $(NF-1) }')
without=$(run "dotnet ef database update (no backup)" MimoBackupEnabled=false | tee /dev/stderr | awk '{ print $(NF-1) }')
printf "added by the verified backup, plan and after-migration check: %.3f s (target < 0.5 s)\n" "$(awk -v a="$with" -v b="$without" 'BEGIN { print a - b }')"
