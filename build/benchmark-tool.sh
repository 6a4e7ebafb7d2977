#!/usr/bin/env bash
# `dotnet mimo list --no-build` beside `dotnet msbuild -t:MimoBackupList -p:MimoNoBuild=true` on the same app and the
# same 100 backups, median of 7 runs each, measured in one run. The package and the tool are packed into a private
# feed under a fresh version, and the tool is installed into the tool manifest of a copy of samples/MimoSample.
# Arguments: [backups] (default 100).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
count="${1:-100}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
unset MimoSkipBackup MimoBackupEnabled MimoBackupDir ConnectionStrings__Mimo
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 MSBUILDTERMINALLOGGER=off
version="0.1.0-bench.$(date -u +%Y%m%d%H%M%S)"

echo "packing MimoBackup.EfCore and MimoBackup.EfCore.Tool $version" >&2
for project in MimoBackup.EfCore MimoBackup.EfCore.Tool; do
  dotnet pack "$root/src/$project/$project.csproj" -c Release -nologo -v quiet -p:MimoPackageVersion="$version" -o "$work/feed" >/dev/null
done

app="$work/app"
mkdir -p "$app/samples" "$app/build/feed" "$app/.config"
cp -r "$root/samples/MimoSample" "$app/samples/"
rm -rf "$app/samples/MimoSample/bin" "$app/samples/MimoSample/obj" "$app/samples/MimoSample/"*.db* "$app/samples/MimoSample/backups"
cp "$root/samples/Directory.Build.props" "$app/samples/"
cp "$root/.config/dotnet-tools.json" "$app/.config/"
printf '<Project><PropertyGroup><MimoBackupPackageVersion>%s</MimoBackupPackageVersion></PropertyGroup></Project>\n' "$version" > "$app/build/feed/MimoBackup.version.props"
printf '<?xml version="1.0" encoding="utf-8"?>\n<configuration><packageSources><add key="bench" value="%s" /></packageSources></configuration>\n' "$work/feed" > "$app/nuget.config"

cd "$app/samples/MimoSample"
dotnet tool restore >/dev/null
dotnet tool install MimoBackup.EfCore.Tool --version "$version" --add-source "$work/feed" >/dev/null
# The same tool as a global tool has it: its own executable, with no SDK command line resolving the tool manifest first.
dotnet tool install MimoBackup.EfCore.Tool --version "$version" --add-source "$work/feed" --tool-path "$work/tools" >/dev/null
dotnet build -nologo -v quiet >/dev/null
dotnet ef database update --no-build >/dev/null
dotnet run --no-build -- seed 1000 >/dev/null
echo "taking $count verified backups (on the bare file, in-process)" >&2
for i in $(seq 1 "$count"); do
  dotnet mimo backup --database mimo.db --name "b$i" --auto-prune false >/dev/null
done
echo "backups: $(ls backups/*.db | wc -l)"

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
seconds=""
time_it() { # $1 = label, rest = command; prints the median of 7 runs and leaves it in $seconds
  local label="$1"; shift
  "$@" >/dev/null 2>&1 # warm the file cache and the CLI's tool lookup
  seconds=$(for i in 1 2 3 4 5 6 7; do
    t0=$(date +%s.%N)
    "$@" >/dev/null
    t1=$(date +%s.%N)
    awk -v a="$t1" -v b="$t0" 'BEGIN { print a - b }'
  done | median)
  printf "%-62s %.3f s\n" "$label" "$seconds"
}
time_it "dotnet mimo list --no-build (project mode, the app's runner)" dotnet mimo list --no-build
tool="$seconds"
time_it "dotnet-mimo list --no-build (installed with --tool-path, as -g)" "$work/tools/dotnet-mimo" list --no-build
time_it "dotnet mimo list --help (the SDK's local-tool lookup and the tool)" dotnet mimo list --help
time_it "dotnet msbuild -t:MimoBackupList -p:MimoNoBuild=true" dotnet msbuild -nologo -t:MimoBackupList -p:MimoNoBuild=true
msbuild="$seconds"
time_it "dotnet mimo list --database mimo.db (bare file, in-process)" dotnet mimo list --database mimo.db
time_it "dotnet mimo status --no-build (builds EF's services)" dotnet mimo status --no-build
printf "dotnet mimo list --no-build takes %.2fx the time of the MSBuild target\n" "$(awk -v a="$tool" -v b="$msbuild" 'BEGIN { print a / b }')"
