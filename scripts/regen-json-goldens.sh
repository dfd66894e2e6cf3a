#!/usr/bin/env bash
# Rewrites the JSON golden files (tests/golden/*.json) from a fresh ledger of the sample grants,
# as tests/cli_test.cc's GoldenBalanceTableAndJson produces them. Only for a change that
# changes the JSON shape on purpose (issue 16: one JSON shape); the table goldens never.
# Usage: scripts/regen-json-goldens.sh [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
B="${1:-build}/cli/grantledger"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
"$B" post examples/sample-grants.jsonl --db "$dir/data" > /dev/null
"$B" balance RS/229/2025 --db "$dir/data" --as-of 2025-12-31 --json > tests/golden/balance_rs229.json
"$B" obligations --db "$dir/data" --as-of 2025-12-31 --json > tests/golden/obligations_2025.json
git diff --stat -- tests/golden
