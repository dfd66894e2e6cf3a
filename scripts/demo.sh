#!/usr/bin/env bash
# The main job: installs the dependencies, builds, and runs `grantledger demo`, which loads the
# RS/229/2025 sample grant into a fresh ledger and prints balances per 2025-12-31.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
exec build/cli/grantledger demo "$@"
