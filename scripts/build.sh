#!/usr/bin/env bash
# Configures and builds grantledger into build/ (or $BUILD_DIR). --sanitize builds with
# AddressSanitizer + UndefinedBehaviorSanitizer into build-asan/ instead.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-build}"
extra=()
if [ "${1:-}" = "--sanitize" ]; then
  build_dir="${BUILD_DIR:-build-asan}"
  extra+=(-DGRANTLEDGER_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
fi
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${extra[@]}" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
