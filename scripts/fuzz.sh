#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/) with clang-14 in build-fuzz/ (the core, the CLI's
# readers and the targets only: no services, no test suite) and runs each for a while on a
# corpus seeded from examples/ and tests/fuzz/regressions/, printing the execs per target.
#
#   scripts/fuzz.sh [--minutes N | --runs N] [--smoke] [--build-dir DIR] [TARGET...]
#
#   --minutes N   run each target N minutes (default 1; fractions allowed, e.g. 0.5)
#   --runs N      run each target until it has executed N inputs (e.g. 10000000)
#   --smoke       the test suite's check: every regression input once, then 15 s per target
#                 on the seeds only (a fresh corpus each time)
#   TARGET        fuzz_log_entry fuzz_append fuzz_event_lines fuzz_csv_import fuzz_sie_import
#                 (default: all)
#
# FUZZ_TIMEOUT=S sets the per-input timeout (default 20 s; raise it when the run may be paused
# with SIGSTOP, which libFuzzer would otherwise report as a timeout). FUZZ_ARGS adds libFuzzer
# flags, and FUZZ_MAX_LEN replaces the input cap (2 KiB for the JSON Lines and SIE targets,
# 8 KiB for CSV, 64 KiB for the binary ones). The 10-million-exec runs used
# FUZZ_ARGS=-entropic=0 with ASAN_OPTIONS=malloc_context_size=0, since the entropic schedule's
# bookkeeping took 58 % of the SIE target's time once its corpus passed a thousand inputs
# (docs/adversarial.md).
#
# Exits 1 on the first crash, leaving the input in BUILD_DIR/artifacts/. The growing corpora
# stay in BUILD_DIR/corpus/ between runs (not committed); crash reproducers worth keeping go
# to tests/fuzz/regressions/TARGET/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
minutes=1
runs=0
smoke=0
build_dir=build-fuzz
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --smoke) smoke=1; shift ;;
    --build-dir) build_dir="$2"; shift 2 ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    fuzz_*) targets+=("$1"); shift ;;
    *) echo "fuzz.sh: unknown argument $1 (see --help)" >&2; exit 1 ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_log_entry fuzz_append fuzz_event_lines fuzz_csv_import
                                     fuzz_sie_import)
if ! command -v clang++-14 >/dev/null; then
  echo "fuzz.sh: clang++-14 is missing; scripts/install-deps.sh installs it" >&2
  exit 1
fi

# Build (configured once; ccache when present).
if [ ! -f "$build_dir/build.ninja" ]; then
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DGRANTLEDGER_FUZZ=ON -DGRANTLEDGER_BUILD_SERVICES=OFF -DGRANTLEDGER_BUILD_TESTS=OFF \
    "${launcher[@]}" >/dev/null
fi
start=$(date +%s)
cmake --build "$build_dir" -j "${FUZZ_JOBS:-2}" --target "${targets[@]}" fuzz_seeds
echo "fuzz.sh: build took $(( $(date +%s) - start )) s"

# Seeds: binary ones from fuzz_seeds, text ones from the example files (whole, and cut into
# small pieces so that mutations start from short inputs).
seeds="$build_dir/seeds"
rm -rf "$seeds"
"$build_dir/tests/fuzz/fuzz_seeds" "$seeds" >/dev/null
mkdir -p "$seeds/fuzz_event_lines" "$seeds/fuzz_csv_import"
for f in examples/*.jsonl; do
  cp "$f" "$seeds/fuzz_event_lines/"
  split -l 3 "$f" "$seeds/fuzz_event_lines/$(basename "$f" .jsonl)-part-"
done
for f in examples/*.csv; do
  cp "$f" "$seeds/fuzz_csv_import/"
  header=$(head -n 1 "$f")
  tail -n +2 "$f" | split -l 2 - "$seeds/fuzz_csv_import/$(basename "$f" .csv)-part-"
  for part in "$seeds/fuzz_csv_import/$(basename "$f" .csv)"-part-*; do
    { echo "$header"; cat "$part"; } > "$part.csv" && rm "$part"
  done
done

mkdir -p "$seeds/fuzz_sie_import"
for f in examples/*.se; do
  # Whole, and the header with one voucher at a time.
  cp "$f" "$seeds/fuzz_sie_import/"
  awk -v out="$seeds/fuzz_sie_import/$(basename "$f" .se)-voucher-" '
    /^#VER/ { n++; body[n] = $0 "\n"; open = n; next }
    open && /^}/ { body[open] = body[open] $0 "\n"; open = 0; next }
    open { body[open] = body[open] $0 "\n"; next }
    { header = header $0 "\n" }
    END { for (i = 1; i <= n; i++) printf "%s%s", header, body[i] > (out i ".se") }' "$f"
done

mkdir -p "$build_dir/artifacts"
status=0
summary=()
for t in "${targets[@]}"; do
  bin="$build_dir/tests/fuzz/$t"
  regressions="tests/fuzz/regressions/$t"
  # The text readers are slow on whole files, and a corpus drifts towards inputs at the cap:
  # the CSV target fell to ~1k execs/s at 64 KiB, the JSON Lines one from 1 330 to 500 execs/s
  # per core once its inputs reached 6-8 KiB. Their bugs show on a few lines, rows or vouchers,
  # so their inputs are kept short: 2 KiB still holds a text over its 1 KiB limit, several JSON
  # lines, or a SIE header with a voucher or two.
  case "$t" in
    fuzz_event_lines | fuzz_sie_import) max_len=${FUZZ_MAX_LEN:-2048} ;;
    fuzz_csv_import) max_len=${FUZZ_MAX_LEN:-8192} ;;
    *) max_len=${FUZZ_MAX_LEN:-65536} ;;
  esac
  args=(-artifact_prefix="$build_dir/artifacts/$t-" -print_final_stats=1 -timeout="${FUZZ_TIMEOUT:-20}"
        -rss_limit_mb=2048 -max_len=$max_len ${FUZZ_ARGS:-})
  if [ "$smoke" -eq 1 ]; then
    seconds=15
    corpus="$build_dir/smoke-corpus/$t"
    rm -rf "$corpus"
    if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
      # Each kept reproducer once: they must all pass now.
      "$bin" "${args[@]}" "$regressions"/* >"$build_dir/$t.regressions.log" 2>&1 || {
        echo "fuzz.sh: $t fails on a kept reproducer:"; tail -n 30 "$build_dir/$t.regressions.log"
        status=1; continue; }
    fi
  else
    seconds=$(awk -v m="$minutes" 'BEGIN { printf "%d", m * 60 }')
    corpus="$build_dir/corpus/$t"
  fi
  mkdir -p "$corpus"
  dirs=("$corpus" "$seeds/$t")
  [ -d "$regressions" ] && dirs+=("$regressions")
  log="$build_dir/$t.log"
  limit=(-max_total_time="$seconds")
  [ "$smoke" -eq 0 ] && [ "$runs" -gt 0 ] && limit=(-runs="$runs")
  t0=$(date +%s)
  if "$bin" "${args[@]}" "${limit[@]}" "${dirs[@]}" >"$log" 2>&1; then
    result=ok
  else
    result=CRASH
    status=1
  fi
  seconds=$(( $(date +%s) - t0 ))
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  rate=$(( execs / (seconds > 0 ? seconds : 1) ))
  line=$(printf '%-17s %s: %12s execs in %5s s (%s/s), corpus %s' "$t" "$result" "$execs" \
    "$seconds" "$rate" "$(ls "$corpus" | wc -l)")
  echo "$line"
  summary+=("$line")
  if [ "$result" = CRASH ]; then
    grep -m1 -A25 'ERROR\|fuzz invariant broken\|runtime error' "$log" || tail -n 40 "$log"
    echo "fuzz.sh: the input is in $build_dir/artifacts/$t-*"
  fi
done
echo "fuzz.sh: summary"
printf '  %s\n' "${summary[@]}"
exit $status
