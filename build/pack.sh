#!/usr/bin/env bash
# Packs MimoBackup.EfCore, its remote-storage providers and the dotnet mimo tool into the repository's local feed (build/feed) under a fresh version, so that
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
# The remote-storage providers, each a package of its own with its cloud SDK (an app without them gets neither).
for provider in S3 AzureBlob; do
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
echo "Packed MimoBackup.EfCore, MimoBackup.EfCore.S3, MimoBackup.EfCore.AzureBlob and MimoBackup.EfCore.Tool $version into build/feed"
