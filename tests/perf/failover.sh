#!/usr/bin/env bash
# Measures failover: an optimised backend with a local fleet (two session
# servers of 5 rooms each, history in a private Redis), 1,000 chatting bots in
# 10 rooms, and the session server holding the most users killed with SIGKILL
# mid-run. Prints the loadgen's failover report: reconnect p50/p99/max, bots
# back within 3 s, messages lost, duplicated, history missing. Bounded by
# --duration; stops everything it started.
#
#   tests/perf/failover.sh [--no-redis] [-- LOADGEN_ARGS]
#   e.g. tests/perf/failover.sh -- --rooms 10 --users 100 --rate 1 --duration 20 --fault-at 8
# Build first: bazel build -c opt //server:all //loadgen
set -euo pipefail
cd "$(dirname "$0")/../.."

with_redis=true
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-redis) with_redis=false; shift ;;
    --) shift; break ;;
    *) echo "unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
loadgen_args=("$@")
if [[ ${#loadgen_args[@]} -eq 0 ]]; then
  loadgen_args=(--rooms 10 --users 100 --rate 1 --duration 20 --ramp 5 --fault-at 8)
fi

# BIN: where the binaries are (default: what Bazel built last, e.g. -c opt).
BIN=${BIN:-$(readlink -f bazel-bin)}
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
export JWT_SECRET="$(head -c 32 /dev/urandom | base64)"
LOGS=$(mktemp -d /tmp/failover.XXXXXX)
pids=()
cleanup() { kill -TERM "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT

session_args=(--session-arg=--admission-exempt=127.0.0.0/8)
if $with_redis; then
  REDIS_PORT=$(free_port)
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no >"$LOGS/redis.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.05; done
  session_args+=(--session-arg=--redis=redis://127.0.0.1:$REDIS_PORT)
fi
BACKEND_PORT=$(free_port)
ADMIN_PORT=$(free_port)
"$BIN/server/backend/backend" --port "$BACKEND_PORT" --admin-port "$ADMIN_PORT" --fleet local --stop-fleet-on-exit \
  --session-binary "$BIN/server/session/session" --rooms-per-server 5 --min-servers 2 \
  --admission-exempt 127.0.0.0/8 --session-log-dir "$LOGS" "${session_args[@]}" \
  >"$LOGS/backend.log" 2>&1 &
pids+=($!)
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$BACKEND_PORT/healthz" >/dev/null && break; sleep 0.05; done

"$BIN/loadgen/loadgen" --target "http://127.0.0.1:$BACKEND_PORT" --scenario failover \
  --fault-command "scripts/kill-busiest-server.sh http://127.0.0.1:$ADMIN_PORT" \
  "${loadgen_args[@]}"
status=$?
echo "failover: logs in $LOGS"
exit $status
