#!/usr/bin/env bash
# Installs what is missing, builds, and runs the chat on this machine: the
# backend (web client + API) on 127.0.0.1:${PORT:-8080}, which starts and stops
# session servers on demand (the local fleet), and a private redis-server that
# keeps the rooms' history (so a crashed or drained session server loses
# none). Ctrl-C stops everything.
#
#   ./run.sh [--no-persistence] [backend flags...]
#
# REDIS_URL=redis://host:port uses that Redis instead of starting one;
# --no-persistence keeps history in memory only (the seed's behaviour).
# Tokens are signed with the secret kept in artifacts/jwt-secret (made on the
# first run, mode 0600; JWT_SECRET=... uses that one instead).
# Extra arguments go to the backend (see ./bazel-bin/server/backend/backend --help).
set -euo pipefail
cd "$(dirname "$0")"

PERSISTENCE=on
if [[ "${1:-}" == "--no-persistence" ]]; then
  PERSISTENCE=off
  shift
fi

./scripts/install-deps.sh

echo "run: building the web client"
(cd client-web && npm run build --silent >/dev/null)
echo "run: building the servers (the first build takes a few minutes)"
bazel build --noshow_progress -c opt //server:backend //server:session

# Kept in artifacts/jwt-secret (mode 0600) unless JWT_SECRET is set: a
# restart keeps everyone signed in, and the session servers a restarted
# backend adopts still check tokens with it.
if [[ -z "${JWT_SECRET:-}" ]]; then
  JWT_SECRET="$(./scripts/jwt-secret.sh)"
  echo "run: tokens signed with the secret kept in artifacts/jwt-secret"
fi
export JWT_SECRET
BACKEND_PORT="${PORT:-8080}"
# Operators' listener on loopback: /metrics, /api/fleet, and the session
# servers for Prometheus's discovery (/sd/session-servers).
ADMIN_PORT="${ADMIN_PORT:-8081}"
LOG_DIR="${LOG_DIR:-$PWD/artifacts/run}"
mkdir -p "$LOG_DIR"

# The rooms' history: a private redis-server on a free loopback port, its
# data (an append-only file) in artifacts/redis/, so history also outlives a
# restart of ./run.sh. Stopped when the backend stops.
SESSION_HISTORY=()
REDIS_PID=""
stop_redis() { if [[ -n "$REDIS_PID" ]]; then kill "$REDIS_PID" 2>/dev/null || true; wait "$REDIS_PID" 2>/dev/null || true; fi; }
if [[ "$PERSISTENCE" == "on" ]]; then
  if [[ -z "${REDIS_URL:-}" ]]; then
    REDIS_DIR="${REDIS_DIR:-$PWD/artifacts/redis}"
    mkdir -p "$REDIS_DIR"
    REDIS_PORT="${REDIS_PORT:-$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')}"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$REDIS_DIR" --appendonly yes \
      --appendfsync everysec --save "" --protected-mode yes >"$LOG_DIR/redis.log" 2>&1 &
    REDIS_PID=$!
    trap stop_redis EXIT
    REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
    for _ in $(seq 100); do
      redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
      kill -0 "$REDIS_PID" 2>/dev/null || { echo "run: redis-server did not start: see $LOG_DIR/redis.log" >&2; exit 1; }
      sleep 0.1
    done
    echo "run: rooms' history in $REDIS_URL (data in $REDIS_DIR, log in $LOG_DIR/redis.log)"
  else
    echo "run: rooms' history in $REDIS_URL"
  fi
  SESSION_HISTORY=(--session-arg="--redis=$REDIS_URL")
else
  echo "run: --no-persistence: rooms' history is kept in memory only"
fi

# The backend starts session servers itself (the local fleet): one at first,
# another each time the running ones are full, and stops those idle for a minute.
# Ctrl-C stops the backend, which stops them.
echo "run: session server logs in $LOG_DIR"
echo "run: the fleet, as the scheduler sees it: http://127.0.0.1:${ADMIN_PORT}/api/fleet"
echo "run: the chat is at http://127.0.0.1:${BACKEND_PORT}/  (Ctrl-C stops it)"
echo
# Not exec: the trap above stops Redis once the backend (and its fleet) has stopped.
"$(readlink -f bazel-bin/server/backend/backend)" --port "$BACKEND_PORT" --admin-port "$ADMIN_PORT" \
  --static-dir client-web/dist \
  --fleet local --min-servers "${MIN_SERVERS:-1}" --max-servers "${MAX_SERVERS:-10}" \
  --idle-before-stop "${IDLE_BEFORE_STOP:-60}" --session-log-dir "$LOG_DIR" --stop-fleet-on-exit \
  "${SESSION_HISTORY[@]}" "$@"
