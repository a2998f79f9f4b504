#!/usr/bin/env bash
# Installs what is missing, builds, and runs the chat on this machine: the
# backend (web client + API) on 127.0.0.1:${PORT:-8080}, which starts and stops
# session servers on demand (the local fleet). Ctrl-C stops everything.
# Extra arguments go to the backend (see ./bazel-bin/server/backend/backend --help).
set -euo pipefail
cd "$(dirname "$0")"

./scripts/install-deps.sh

echo "run: building the web client"
(cd client-web && npm run build --silent >/dev/null)
echo "run: building the servers (the first build takes a few minutes)"
bazel build --noshow_progress -c opt //server:backend //server:session

export JWT_SECRET="${JWT_SECRET:-$(head -c 32 /dev/urandom | base64)}"
BACKEND_PORT="${PORT:-8080}"
# Operators' listener on loopback: /metrics, /api/fleet, and the session
# servers for Prometheus's discovery (/sd/session-servers).
ADMIN_PORT="${ADMIN_PORT:-8081}"
LOG_DIR="${LOG_DIR:-$PWD/artifacts/run}"
mkdir -p "$LOG_DIR"

# The backend starts session servers itself (the local fleet): one at first,
# another each time the running ones are full, and stops those idle for a minute.
# Ctrl-C stops the backend, which stops them.
echo "run: session server logs in $LOG_DIR"
echo "run: the fleet, as the scheduler sees it: http://127.0.0.1:${ADMIN_PORT}/api/fleet"
echo "run: the chat is at http://127.0.0.1:${BACKEND_PORT}/  (Ctrl-C stops it)"
echo
exec "$(readlink -f bazel-bin/server/backend/backend)" --port "$BACKEND_PORT" --admin-port "$ADMIN_PORT" \
  --static-dir client-web/dist \
  --fleet local --min-servers "${MIN_SERVERS:-1}" --max-servers "${MAX_SERVERS:-10}" \
  --idle-before-stop "${IDLE_BEFORE_STOP:-60}" --session-log-dir "$LOG_DIR" "$@"
