#!/usr/bin/env bash
# grpc_load_bench against grantledgerd running as its own process, as a finance system would
# post to it: the server on CPU 1, the load generator (clients and library figures) on CPU 0.
# On the 2-core VM this split gives 40-50 % more single-event appends/s than letting both
# processes float (docs/performance.md). Builds nothing: run scripts/build.sh first.
# Usage: scripts/grpc_bench.sh [grpc_load_bench options, e.g. --seconds 4 --only single64]
set -euo pipefail
cd "$(dirname "$0")/.."
server_cpu="${GRANTLEDGER_SERVER_CPU:-1}"
client_cpu="${GRANTLEDGER_CLIENT_CPU:-0}"
work="$(mktemp -d /tmp/grantledger-grpc-bench.XXXXXX)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill -KILL "$server_pid"; fi
  rm -rf "$work"
}
trap cleanup EXIT

taskset -c "$server_cpu" build/services/grantledgerd --data-dir "$work/data" \
  --listen 127.0.0.1:0 2>"$work/server.log" &
server_pid=$!
address=""
for _ in $(seq 1 200); do
  address="$(grep -o 'listening on 127\.0\.0\.1:[0-9]*' "$work/server.log" | head -1 | cut -d' ' -f3 || true)"
  [ -n "$address" ] && break
  sleep 0.05
done
if [ -z "$address" ]; then
  echo "grantledgerd did not start:" >&2
  cat "$work/server.log" >&2
  exit 1
fi
echo "grantledgerd on CPU $server_cpu at $address; load generator on CPU $client_cpu"
taskset -c "$client_cpu" build/tests/bench/grpc_load_bench --server "$address" \
  --dir "$work/library" "$@"
kill -TERM "$server_pid"
wait "$server_pid"
server_pid=""
tail -1 "$work/server.log"
