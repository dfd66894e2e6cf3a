#!/usr/bin/env bash
# The main job: installs the dependencies, builds, and runs `grantledger demo`, which loads the
# RS/229/2025 sample grant into a fresh ledger and prints balances per 2025-12-31.
# With --http [ADDR] (default 127.0.0.1:8080) it serves the sample grants instead: grantledgerd
# on a fresh data directory with the coordinator's dashboard at http://ADDR/, the samples
# posted over gRPC; Ctrl-C stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
if [ "${1:-}" != "--http" ]; then
  exec build/cli/grantledger demo "$@"
fi
http="${2:-127.0.0.1:8080}"
data="$(mktemp -d /tmp/grantledger-demo-XXXXXX)"
log="$data.log"
build/services/grantledgerd --data-dir "$data" --listen 127.0.0.1:0 --http "$http" 2> "$log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data" "$log"' EXIT
listen=""
for _ in $(seq 100); do
  listen="$(sed -n 's/.*listening on \([^,]*\),.*/\1/p' "$log")"
  [ -n "$listen" ] && break
  kill -0 $server 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$listen" ] || { cat "$log" >&2; exit 1; }
build/cli/grantledger post examples/sample-grants.jsonl --server "$listen"
url="$(sed -n 's/.*dashboard \(http[^ ]*\).*/\1/p' "$log")"
echo "the dashboard: $url   (RS/229/2025: ${url}grant?id=RS/229/2025&as_of=2025-12-31)"
echo "gRPC on $listen; metrics at ${url}metrics; Ctrl-C stops the server"
wait $server
