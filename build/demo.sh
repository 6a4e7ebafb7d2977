#!/usr/bin/env bash
# The whole story in one run: pack MimoBackup.EfCore into the local feed, create the sample's database
# at its first migration, fill it, then run a plain `dotnet ef database update` (which applies a
# DropColumn) and watch the verified backup being taken first. Works from any directory.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
sample="$root/samples/MimoSample"

# The demo is about the default behaviour: no skip, backups beside mimo.db, the sample's own database.
unset MimoSkipBackup MimoBackupEnabled MimoBackupDir ConnectionStrings__Mimo

step() { printf '\n== %s\n' "$*"; }

step "1. Pack MimoBackup.EfCore into build/feed"
"$here/pack.sh"

step "2. Restore the local tools (dotnet-ef)"
(cd "$root" && dotnet tool restore)

cd "$sample"

step "3. Start from nothing: remove mimo.db and backups/, restore the sample"
rm -rf mimo.db mimo.db-* backups
# dotnet-ef reads the project's metadata before it builds, and that needs a restored project.
dotnet restore --nologo

step "4. dotnet ef database update Initial (no database file yet: nothing to back up)"
dotnet tool run dotnet-ef database update Initial

step "5. Seed 500 memories"
dotnet run -- seed 500

step "6. dotnet ef database update (a verified backup first, then AddEngramSummary and DropEngramLegacyScore)"
dotnet tool run dotnet-ef database update

step "7. The backup folder"
if [[ ! -d backups ]]; then
  echo "No backups/ folder next to mimo.db: no backup was taken." >&2
  exit 1
fi
ls -l backups/

newest=""
for sidecar in backups/*.meta.json; do
  [[ -e "$sidecar" ]] || continue
  if [[ -z "$newest" || "$sidecar" -nt "$newest" ]]; then newest="$sidecar"; fi
done
if [[ -z "$newest" ]]; then
  echo "No .meta.json sidecar in backups/: no complete backup was taken." >&2
  exit 1
fi

step "8. The newest sidecar: $newest"
cat "$newest"
echo

step "9. Row counts after migrating"
dotnet run -- stats

step "10. The same backups through the package's MSBuild targets (dotnet msbuild -t:MimoBackupList, -t:MimoBackupVerify)"
dotnet msbuild -nologo -t:MimoBackupList -p:MimoNoBuild=true
dotnet msbuild -nologo -t:MimoBackupVerify -p:MimoNoBuild=true
