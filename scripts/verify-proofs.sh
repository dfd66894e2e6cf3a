#!/usr/bin/env bash
# verify-proofs.sh: issue 15's figure for the transparency log, checked by the independent
# verifier (scripts/verify_tlog.py): a real grantledgerd with N events (default 1 000 000),
# K random inclusion proofs (default 1 000) and M consistency proofs between random sizes
# (default 100), each valid, and altered variants of each, refused
# (tests/python/tlog_server_test.py, the test ctest runs at 2 000 events).
#
# The events are tests/bench make_events' ledger (20 grants, then expenses), posted with
# `grantledger post --db` into a fresh data directory before the server starts (faster than
# over gRPC at this size; --post-via server posts through the server instead). The events file
# stays in the work directory and is reused by later runs with the same N.
#
# Usage: scripts/verify-proofs.sh [--events N] [--inclusion K] [--consistency M]
#                                 [--post-via db|server] [--work DIR] [--public-key KEY|FILE]
#                                 [--seed S] [--no-build]
#   --work DIR        events file and ledger (default /var/tmp/grantledger-proofs; about 1 GB
#                     per million events); the ledger is removed at the end
#   --public-key      the verifier key NAME+KEYID+BASE64 or a file holding it (default: asked
#                     of `grantledger audit public-key`)
#   --no-build        build nothing (default: gl-build cmake --build build -j2 --target
#                     grantledgerd grantledger make_events, so run it from a configured checkout)
# Exit: 0 all verified; 1 a check failed; 77 the server lacks the log RPCs (UNIMPLEMENTED).
# On the shared 2-core machine, hold the build lock while it runs, as for any test run:
#   gl-build cmake --build build -j2 --target grantledgerd grantledger make_events
#   gl-build scripts/verify-proofs.sh --no-build      (--no-build: the lock is not re-entrant)
set -uo pipefail
cd "$(dirname "$0")/.."

events=1000000
inclusion=1000
consistency=100
post_via=db
work=/var/tmp/grantledger-proofs
build=1
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --events) events="$2"; shift 2 ;;
    --inclusion) inclusion="$2"; shift 2 ;;
    --consistency) consistency="$2"; shift 2 ;;
    --post-via) post_via="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --public-key) extra+=(--public-key "$2"); shift 2 ;;
    --seed) extra+=(--seed "$2"); shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "verify-proofs.sh: unknown argument $1 (see --help)" >&2; exit 1 ;;
  esac
done

if [ "$build" = 1 ]; then
  gl-build cmake --build build -j2 --target grantledgerd grantledger make_events >/dev/null || {
    echo "verify-proofs.sh: the build failed; run: cmake --build build --target grantledgerd" \
         "grantledger make_events" >&2
    exit 1
  }
fi

start=$(date +%s)
/usr/bin/python3 tests/python/tlog_server_test.py \
  --grantledgerd build/services/grantledgerd --grantledger build/cli/grantledger \
  --make-events build/tests/bench/make_events --source-dir . \
  --events "$events" --inclusion "$inclusion" --consistency "$consistency" \
  --post-via "$post_via" --batch-size 10000 --work "$work" "${extra[@]}" -v
status=$?
echo "verify-proofs.sh: $events events, $inclusion inclusion and $consistency consistency" \
     "proofs: exit $status in $(( $(date +%s) - start )) s"
exit $status
