#!/usr/bin/env bash
# Installs what building, running and testing need on Debian 12, and only
# what is missing: Debian packages (apt) and npm packages. Idempotent; works
# as root or through sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  bazel-bootstrap g++ libboost1.81-all-dev libboost-json1.81-dev prometheus-cpp-dev
  librapidcheck-dev libgtest-dev libgmock-dev libbenchmark-dev libssl-dev libcli11-dev libicu-dev
  chromium curl wrk openssl prometheus prometheus-alertmanager
  clang-14 libclang-rt-14-dev make  # the fuzz targets: libFuzzer is in libclang-rt-14-dev
  haproxy  # the TLS front of docs/haproxy.cfg, tested in tests/integration/tls_front.test.mjs
  libspdlog-dev  # logging/: levels, timestamps, text or JSON lines
  redis-server libhiredis-dev  # rooms' history (server/history/); run.sh starts a private redis-server
)
# Node.js and npm: any install will do (this machine image ships its own
# nodejs that bundles npm and conflicts with Debian's npm package).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then PACKAGES+=(nodejs npm); fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi

missing=()
for package in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages, reinstalled only when the lock file changed.
for dir in client-web tests; do
  [[ -f "$dir/package-lock.json" ]] || continue
  stamp="$dir/node_modules/.installed-lock"
  if [[ ! -f "$stamp" ]] || ! cmp -s "$dir/package-lock.json" "$stamp"; then
    echo "install-deps: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$dir/package-lock.json" "$stamp"
  fi
done
