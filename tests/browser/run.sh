#!/usr/bin/env bash
# Starts the real backend (serving client-web/dist) and a session server on
# free loopback ports, runs the browser tests in Debian's Chromium against
# them, and stops both. Prints the e2e script's "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/../.."

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
SESSION_PORT=$(free_port)
BACKEND_PORT=$(free_port)
export JWT_SECRET="browser-test-$RANDOM$RANDOM"
export ARTIFACTS_DIR="${ARTIFACTS_DIR:-$PWD/artifacts}"
mkdir -p "$ARTIFACTS_DIR"
LOG_DIR="${TEST_LOGS:-$ARTIFACTS_DIR}"

pids=()
cleanup() { for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

./bazel-bin/server/session/session --port "$SESSION_PORT" --advertised-host "127.0.0.1:$SESSION_PORT" \
  >"$LOG_DIR/browser-session.log" 2>&1 &
pids+=($!)
SESSION_SERVER_HOST="127.0.0.1:$SESSION_PORT" ./bazel-bin/server/backend/backend \
  --port "$BACKEND_PORT" --static-dir client-web/dist >"$LOG_DIR/browser-backend.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$BACKEND_PORT/healthz" >/dev/null 2>&1 &&
    curl -fs "http://127.0.0.1:$SESSION_PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done

export BASE_URL="http://127.0.0.1:$BACKEND_PORT"
export SESSION_PORT SESSION_BIN="$PWD/bazel-bin/server/session/session"
node client-web/e2e/chat.e2e.mjs
