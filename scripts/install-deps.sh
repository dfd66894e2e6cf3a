#!/usr/bin/env bash
# Installs the Debian 12 packages grantledger builds with. Idempotent: installs only what is
# missing, and runs apt-get update only when something is. Run as root (or with sudo).
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config
  librocksdb-dev
  libprotobuf-dev protobuf-compiler
  libgrpc++-dev protobuf-compiler-grpc
  libabsl-dev
  libgtest-dev libgmock-dev
  libcli11-dev
  libbenchmark-dev
  libssl-dev openssl
  python3-grpcio python3-protobuf   # the independent TLS client test
  libxlsxwriter-dev   # XLSX reports
  tzdata              # "today" in Europe/Stockholm
  python3 python3-openpyxl   # the tests read CSV and XLSX reports back
  clang-14 libclang-rt-14-dev   # libFuzzer (scripts/fuzz.sh)
  python3-cryptography   # the independent checkpoint and proof verifier (Ed25519)
  libcpp-httplib-dev libjs-chart.js   # the dashboard: HTTP side and its charts, served locally
  chromium chromium-driver python3-selenium   # the dashboard's browser test
  prometheus   # promtool checks /metrics
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages are installed"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
