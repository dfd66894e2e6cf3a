#!/usr/bin/env bash
# measure-cli.sh: the command line's peak memory and wall time on a large ledger (issue 12).
#
# Makes (or reuses) a JSON Lines file of N events (default 1 000 000) with
# build/tests/bench/make_events: the as-of benchmark's ledger (20 grants, then expenses;
# tests/bench/as_of_ledger_events.h). Then measures each step with GNU time
# (`/usr/bin/time -f '%e s %M KiB'`; where it is missing, a python3 wrapper reading the child's
# getrusage), every command with --db, stdout to a file or /dev/null:
#   post          the file into a fresh ledger (--batch-size B, default 10 000): time, peak RSS
#   export        that ledger as JSON Lines: time, peak RSS
#   restore       the export into a fresh directory: time, peak RSS
#   balance, unused, obligations, history (of one grant), on the N-event ledger: R runs each
#                 (default 5), the median time and the highest peak RSS
# and prints a table. Issue 12's targets: post and restore under 256 MiB RSS; balance, unused and
# obligations under 0.2 s at 1 000 000 events.
#
# Usage: scripts/measure-cli.sh [--events N] [--runs R] [--batch-size B] [--work DIR]
#                               [--bin GRANTLEDGER] [--no-build] [--reuse-ledger] [--keep]
#   --work DIR      the events file, ledgers and export (default /var/tmp/grantledger-measure).
#                   The events file stays there and is reused by later runs with the same N.
#   --bin PATH      the grantledger binary to measure (default build/cli/grantledger), e.g. a
#                   build of an older commit, for a before/after on the same events file
#   --no-build      build nothing (default: `gl-build cmake --build build -j2 --target
#                   grantledger make_events`, so run it from a configured checkout)
#   --reuse-ledger  skip post (no post figure) when DIR/ledger-N is left from an earlier --keep
#   --keep          keep the ledgers and the export (default: removed at the end)
# Needs about 1 GB of disk per million events in DIR (events file, ledger, export, copy).
# On the shared 2-core machine, hold the build lock while measuring, so no build runs alongside:
#   gl-build cmake --build build -j2 --target grantledger make_events
#   gl-build scripts/measure-cli.sh --no-build        (--no-build: the lock is not re-entrant)
set -uo pipefail
cd "$(dirname "$0")/.."

events=1000000
runs=5
batch_size=10000
work=/var/tmp/grantledger-measure
bin=build/cli/grantledger
build=1
reuse_ledger=0
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --events) events="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --batch-size) batch_size="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --bin) bin="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --reuse-ledger) reuse_ledger=1; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,32p' "$0"; exit 0 ;;
    *) echo "measure-cli.sh: unknown argument $1 (see --help)" >&2; exit 1 ;;
  esac
done

make_events=build/tests/bench/make_events
if [ "$build" = 1 ]; then
  gl-build cmake --build build -j2 --target grantledger make_events >/dev/null || {
    echo "measure-cli.sh: the build failed; run: cmake --build build --target grantledger make_events" >&2
    exit 1
  }
fi
for f in "$bin" "$make_events"; do
  [ -x "$f" ] || { echo "measure-cli.sh: $f is missing; build it first" >&2; exit 1; }
done
bin="$(realpath "$bin")"
mkdir -p "$work"

ledger="$work/ledger-$events"
export_file="$work/export-$events.jsonl"
copy="$work/restored-$events"
timing="$work/.timing"
grant="RS/100/2025"
cleanup() {
  if [ "$keep" = 0 ]; then rm -rf "$copy" "$copy.restoring" "$export_file"; fi
  if [ "$keep" = 0 ] && [ "$reuse_ledger" = 0 ]; then rm -rf "$ledger"; fi
  rm -f "$timing"
}
trap cleanup EXIT

# run_timed OUT ERR CMD...: runs CMD (stdout to OUT, stderr to ERR); sets seconds, kib, rc.
run_timed() {
  local out="$1" err="$2"
  shift 2
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -o "$timing" -f '%e s %M KiB' "$@" >"$out" 2>"$err"
    rc=$?
  else
    /usr/bin/python3 - "$timing" "$@" >"$out" 2>"$err" <<'PY'
import resource, subprocess, sys, time
start = time.monotonic()
rc = subprocess.call(sys.argv[2:])
elapsed = time.monotonic() - start
kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(sys.argv[1], "w") as f:
    f.write(f"{elapsed:.2f} s {kib} KiB\n")
sys.exit(rc)
PY
    rc=$?
  fi
  # GNU time writes "Command exited with non-zero status N" first when the command fails.
  read -r seconds _ kib _ < <(tail -1 "$timing")
}

rows=()
# row NAME SECONDS KIB RC NOTE
row() {
  rows+=("$(printf '| %-34s | %8s | %8s | %4s | %s' "$1" "$2" "$(( $3 / 1024 ))" "$4" "$5")")
}

events_file="$work/events-$events.jsonl"
if [ ! -s "$events_file" ]; then
  echo "making $events_file ..."
  "$make_events" --events "$events" --out "$events_file.tmp" && mv "$events_file.tmp" "$events_file" || {
    echo "measure-cli.sh: make_events failed" >&2
    exit 1
  }
fi
echo "measuring $bin on $events_file ($(du -h "$events_file" | cut -f1)), batch size $batch_size"

if [ "$reuse_ledger" = 1 ] && [ -d "$ledger" ]; then
  echo "reusing $ledger (no post figure)"
else
  rm -rf "$ledger"
  run_timed "$work/post.out" "$work/post.err" "$bin" post "$events_file" --db "$ledger" \
    --batch-size "$batch_size"
  row "post --batch-size $batch_size" "$seconds" "$kib" "$rc" "$(head -c 60 "$work/post.out")"
  if [ "$rc" != 0 ]; then
    echo "post failed (exit $rc):" >&2
    tail -3 "$work/post.err" >&2
    printf '%s\n' "${rows[@]}"
    exit 1
  fi
fi

rm -f "$export_file"
run_timed "$work/export.out" "$work/export.err" "$bin" export --db "$ledger" --out "$export_file"
row "export" "$seconds" "$kib" "$rc" "$(head -c 60 "$work/export.out")"
rm -rf "$copy" "$copy.restoring"
run_timed "$work/restore.out" "$work/restore.err" "$bin" restore "$export_file" --db "$copy"
row "restore" "$seconds" "$kib" "$rc" "$(head -c 60 "$work/restore.out")"
[ "$rc" = 0 ] || tail -3 "$work/restore.err" >&2
rm -rf "$copy" "$copy.restoring"
[ "$keep" = 1 ] || rm -f "$export_file"

# query NAME ARGS...: R runs; the median wall time and the highest peak RSS.
query() {
  local name="$1"
  shift
  local times=() peak=0 worst_rc=0
  for _ in $(seq 1 "$runs"); do
    run_timed /dev/null "$work/query.err" "$bin" "$@" --db "$ledger"
    times+=("$seconds")
    [ "$kib" -gt "$peak" ] && peak="$kib"
    [ "$rc" != 0 ] && worst_rc="$rc"
  done
  local sorted median
  sorted="$(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')"
  median="$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")"
  row "$name (median of $runs)" "$median" "$peak" "$worst_rc" "runs: $sorted"
  [ "$worst_rc" = 0 ] || tail -2 "$work/query.err" >&2
}
query "balance $grant" balance "$grant"
query "unused" unused
query "obligations" obligations
query "history $grant" history "$grant"

echo
echo "| step                               |   wall s | peak MiB | exit | note"
echo "|------------------------------------|----------|----------|------|-----"
printf '%s\n' "${rows[@]}"
