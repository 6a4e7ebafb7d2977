#!/usr/bin/env bash
# Installs the servers the remote-storage tests start on loopback (s3rver for S3, Azurite for Azure Blob) from
# build/emulators/package-lock.json. The tests call it themselves; running it first only saves them the wait.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/emulators"
if [ ! -x node_modules/.bin/s3rver ] || [ ! -x node_modules/.bin/azurite-blob ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing the S3 and Azure Blob emulators (npm ci in build/emulators)"
  npm ci --no-audit --no-fund --loglevel=error
fi
