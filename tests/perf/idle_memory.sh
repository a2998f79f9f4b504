#!/usr/bin/env bash
# Memory per idle WebSocket connection in one session server: RSS before and
# after the load generator connects BOTS bots (100 a room) that stay quiet.
#   tests/perf/idle_memory.sh [BOTS]      (default 19000; build -c opt first)
set -euo pipefail
cd "$(dirname "$0")/../.."
bots=${1:-19000}
rooms=$(( (bots + 99) / 100 ))
# BIN: where the binaries are (default: what Bazel built last, e.g. -c opt).
BIN=${BIN:-$(readlink -f bazel-bin)}
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
SESSION_PORT=$(free_port)
SESSION_ADMIN_PORT=$(free_port)  # its /status and /metrics
BACKEND_PORT=$(free_port)
export JWT_SECRET="$(head -c 32 /dev/urandom | base64)"  # both binaries refuse < 32 bytes
# The load generator runs here: a legitimate flood, exempt from admission control.
"$BIN/server/session/session" --port "$SESSION_PORT" --advertised-host "127.0.0.1:$SESSION_PORT" \
  --admin-port "$SESSION_ADMIN_PORT" --admission-exempt 127.0.0.0/8 \
  --rooms-max "$rooms" >/tmp/idle-session.log 2>&1 &
session_pid=$!
"$BIN/server/backend/backend" --port "$BACKEND_PORT" --session-server-host "127.0.0.1:$SESSION_PORT" \
  --session-admin-hosts "127.0.0.1:$SESSION_ADMIN_PORT" --admission-exempt 127.0.0.0/8 \
  --rooms-per-server "$rooms" >/tmp/idle-backend.log 2>&1 &
backend_pid=$!
trap 'kill -TERM $session_pid $backend_pid 2>/dev/null; wait 2>/dev/null' EXIT
sleep 0.5
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$session_pid/status"; }
before=$(rss_kb)
# Quiet bots: one message per bot per ~100 s; the sample is taken at the end.
"$BIN/loadgen/loadgen" --target "http://127.0.0.1:$BACKEND_PORT" --scenario chat \
  --rooms "$rooms" --users 100 --rate 0.01 --duration 15 --ramp 30 >/tmp/idle-loadgen.log 2>&1 &
loadgen_pid=$!
sleep 40
connections=$(curl -s "http://127.0.0.1:$SESSION_ADMIN_PORT/status" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).connections))')
after=$(rss_kb)
wait $loadgen_pid || true
grep -E "verdict|bots_connected_peak|rss" /tmp/idle-loadgen.log || true
awk -v b="$before" -v a="$after" -v c="$connections" 'BEGIN {
  printf "session server: %d connections, RSS %.1f MB -> %.1f MB, %.2f KB per connection\n",
         c, b / 1024, a / 1024, (a - b) / c }'
