#!/usr/bin/env bash
# The test command: installs the dependencies, builds, and runs every test with ctest.
# --sanitize runs the same suite built with AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh "$@"
build_dir=build
[ "${1:-}" = "--sanitize" ] && build_dir=build-asan
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
ctest --test-dir "$build_dir" --output-on-failure -j 2 --timeout 900
