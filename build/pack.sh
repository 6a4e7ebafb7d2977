#!/usr/bin/env bash
# Packs MimoBackup.EfCore, its remote-storage providers, its health check and the dotnet mimo tool into the repository's local feed (build/feed) under a fresh version, so that
# NuGet's global cache can never serve an older build of the same version, and records that version in
# build/feed/MimoBackup.version.props for samples/ to reference.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
feed="$root/build/feed"
version="${MIMO_PACKAGE_VERSION:-0.1.0-dev.$(date -u +%Y%m%d%H%M%S)}"

mkdir -p "$feed"
rm -f "$feed"/MimoBackup.EfCore.*.nupkg "$feed"/MimoBackup.EfCore.*.snupkg
dotnet pack "$root/src/MimoBackup.EfCore/MimoBackup.EfCore.csproj" -c Release -nologo -v quiet \
  -p:MimoPackageVersion="$version" -p:ContinuousIntegrationBuild=true -o "$feed"
# The remote-storage providers and the health check, each a package of its own with its dependencies (an app without them gets none).
for provider in S3 AzureBlob HealthChecks; do
  dotnet pack "$root/src/MimoBackup.EfCore.$provider/MimoBackup.EfCore.$provider.csproj" -c Release -nologo -v quiet \
    -p:MimoPackageVersion="$version" -p:ContinuousIntegrationBuild=true -o "$feed"
done
# The dotnet mimo tool: `dotnet tool install MimoBackup.EfCore.Tool --prerelease --add-source build/feed`.
dotnet pack "$root/src/MimoBackup.EfCore.Tool/MimoBackup.EfCore.Tool.csproj" -c Release -nologo -v quiet \
  -p:MimoPackageVersion="$version" -p:ContinuousIntegrationBuild=true -o "$feed"
cat > "$feed/MimoBackup.version.props" <<PROPS
<Project>
  <PropertyGroup>
    <MimoBackupPackageVersion>$version</MimoBackupPackageVersion>
  </PropertyGroup>
</Project>
PROPS
echo "Packed MimoBackup.EfCore (with .S3, .AzureBlob, .HealthChecks and .Tool) $version into build/feed"
