#!/usr/bin/env bash
# Remakes docs/dashboard-overview.png and docs/dashboard-grant.png: runs the dashboard's browser
# test (tests/python/dashboard_browser_test.py, headless chromium against a grantledgerd loaded
# with the sample grants) with --screenshots docs. Needs a build (scripts/build.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-build}"
exec /usr/bin/python3 tests/python/dashboard_browser_test.py \
  --grantledgerd "$build_dir/services/grantledgerd" --grantledger "$build_dir/cli/grantledger" \
  --source-dir . --screenshots docs
