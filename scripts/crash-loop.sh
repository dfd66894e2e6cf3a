#!/usr/bin/env bash
# The crash loop for long runs: grantledgerd under concurrent Append and AppendStream load,
# killed with SIGKILL at random moments and restarted, N rounds, every acknowledged event
# checked after each (tests/services_crash_loop_test.cc; the suite runs 3 rounds).
#
#   scripts/crash-loop.sh [--rounds N] [--seed S] [--build-dir DIR]
#
# Builds nothing: run scripts/build.sh first. Prints the rounds, the acknowledged events and
# the losses (0, or the test fails naming the round and the seed to replay it with).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=100
seed=""
build_dir=build
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --build-dir) build_dir="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "crash-loop.sh: unknown argument $1 (see --help)" >&2; exit 1 ;;
  esac
done
binary="$build_dir/tests/grantledger_tests"
[ -x "$binary" ] || { echo "crash-loop.sh: $binary is not built (scripts/build.sh)" >&2; exit 1; }
export GRANTLEDGER_CRASH_LOOP_ROUNDS="$rounds"
[ -n "$seed" ] && export GRANTLEDGER_CRASH_LOOP_SEED="$seed"
exec "$binary" --gtest_filter='CrashLoopTest.*'
