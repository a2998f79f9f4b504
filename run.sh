#!/usr/bin/env bash
# Installs what is missing, builds, and runs the chat on this machine:
# the backend (web client + API) on 127.0.0.1:${PORT:-8080} and a session server.
# Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")"

./scripts/install-deps.sh

echo "run: building the web client"
(cd client-web && npm run build --silent >/dev/null)
echo "run: building the servers (the first build takes a few minutes)"
bazel build --noshow_progress -c opt //server:backend //server:session

export JWT_SECRET="${JWT_SECRET:-$(head -c 32 /dev/urandom | base64)}"
BACKEND_PORT="${PORT:-8080}"
SESSION_PORT="${SESSION_PORT:-8000}"
SESSION_HOST="127.0.0.1:${SESSION_PORT}"

pids=()
stop_all() {
  trap - INT TERM EXIT
  echo
  echo "run: stopping"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_all INT TERM EXIT

./bazel-bin/server/session/session --port "$SESSION_PORT" --advertised-host "$SESSION_HOST" &
pids+=($!)
SESSION_SERVER_HOST="$SESSION_HOST" ./bazel-bin/server/backend/backend \
  --port "$BACKEND_PORT" --static-dir client-web/dist &
pids+=($!)

for _ in $(seq 50); do
  curl -fs "http://127.0.0.1:${BACKEND_PORT}/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
echo
echo "run: the chat is at http://127.0.0.1:${BACKEND_PORT}/  (Ctrl-C stops it)"
wait -n "${pids[@]}"
