#!/usr/bin/env bash
# Measures the session server's fan-out: starts an optimised session server
# and backend on free loopback ports, runs the load generator's chat scenario
# against them, and prints the loadgen's report plus the session server's CPU
# time and deliveries per CPU-second. Bounded by --duration; stops everything.
#
#   tests/perf/fanout.sh [--compat] [--redis] [--nodelay false] [--threads N]
#                        [--cork-us N] [--record-trace DIR] -- LOADGEN_ARGS
#   e.g. tests/perf/fanout.sh -- --rooms 10 --users 100 --rate 5 --duration 20
# --redis: history stored in a private redis-server (the cost of persistence;
# Redis's own CPU time is printed too).
# --record-trace DIR: both servers record the traffic (DIR/backend.trace,
# DIR/session.trace; the cost of recording: its writer thread is in the
# session server's CPU time), and the events written and dropped are printed.
# Build first: bazel build -c opt //server:all //loadgen
set -euo pipefail
cd "$(dirname "$0")/../.."

session_args=(--messages-per-second 0 --rooms-max 200)
loadgen_mode=()
threads=1  # the session server's default
with_redis=false
backend_args=()
record_dir=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --compat) loadgen_mode=(--compat); shift ;;
    --nodelay) session_args+=(--tcp-nodelay "$2"); shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --cork-us) session_args+=(--cork-us "$2"); shift 2 ;;
    --redis) with_redis=true; shift ;;
    --record-trace)
      record_dir=$2; mkdir -p "$record_dir"
      session_args+=(--record-trace "$record_dir/session.trace")
      backend_args+=(--record-trace "$record_dir/backend.trace")
      shift 2 ;;
    --) shift; break ;;
    *) echo "unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done

# BIN: where the binaries are (default: what Bazel built last, e.g. -c opt).
BIN=${BIN:-$(readlink -f bazel-bin)}
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
SESSION_PORT=$(free_port)
SESSION_ADMIN_PORT=$(free_port)  # its /status and /metrics
BACKEND_PORT=$(free_port)
export JWT_SECRET="$(head -c 32 /dev/urandom | base64)"  # both binaries refuse < 32 bytes
redis_pid=""
if $with_redis; then
  REDIS_PORT=$(free_port)
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    >/tmp/fanout-redis.log 2>&1 &
  redis_pid=$!
  for _ in $(seq 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.05; done
  session_args+=(--redis "redis://127.0.0.1:$REDIS_PORT")
fi
# The load generator runs here: a legitimate flood, exempt from admission control.
"$BIN/server/session/session" --port "$SESSION_PORT" --advertised-host "127.0.0.1:$SESSION_PORT" \
  --admin-port "$SESSION_ADMIN_PORT" --admission-exempt 127.0.0.0/8 \
  --threads "$threads" "${session_args[@]}" >/tmp/fanout-session.log 2>&1 &
session_pid=$!
"$BIN/server/backend/backend" --port "$BACKEND_PORT" --session-server-host "127.0.0.1:$SESSION_PORT" \
  --session-admin-hosts "127.0.0.1:$SESSION_ADMIN_PORT" --admission-exempt 127.0.0.0/8 \
  --rooms-per-server 200 "${backend_args[@]}" >/tmp/fanout-backend.log 2>&1 &
backend_pid=$!
trap 'kill -TERM $session_pid $backend_pid $redis_pid 2>/dev/null; wait 2>/dev/null' EXIT
sleep 0.5

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
metric() { curl -s "http://127.0.0.1:$SESSION_ADMIN_PORT/metrics" | awk -v name="$1" '$1 == name {print $2}'; }
deliveries() { metric chat_session_deliveries_total; }
ticks_before=$(cpu_ticks $session_pid)
redis_ticks_before=0
if [[ -n "$redis_pid" ]]; then redis_ticks_before=$(cpu_ticks $redis_pid); fi
deliveries_before=$(deliveries)
writes_before=$(metric chat_session_socket_writes_total)
"$BIN/loadgen/loadgen" --target "http://127.0.0.1:$BACKEND_PORT" --scenario chat \
  "${loadgen_mode[@]}" "$@" || true
ticks_after=$(cpu_ticks $session_pid)
if [[ -n "$redis_pid" ]]; then
  redis_ticks=$(($(cpu_ticks $redis_pid) - redis_ticks_before))
  awk -v t="$redis_ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "redis-server: %.2f CPU-seconds\n", t / hz }'
  curl -s "http://127.0.0.1:$SESSION_ADMIN_PORT/metrics" | grep '^chat_history_appends_total' || true
fi
deliveries_after=$(deliveries)
writes_after=$(metric chat_session_socket_writes_total)
if [[ -n "$record_dir" ]]; then
  curl -s "http://127.0.0.1:$SESSION_ADMIN_PORT/metrics" | grep '^chat_trace_events_total' || true
  # The backend holds its events for its reorder window (start timeout + 5 s): its file is
  # complete once it exits, after this.
  ls -l "$record_dir"/session.trace* | awk '{print "trace file: " $NF ", " $5 " bytes"}'
fi
hz=$(getconf CLK_TCK)
awk -v t=$((ticks_after - ticks_before)) -v hz="$hz" -v f0="$deliveries_before" -v f1="$deliveries_after" \
  -v w0="$writes_before" -v w1="$writes_after" \
  'BEGIN { cpu = t / hz; d = f1 - f0; w = w1 - w0;
           printf "session server: %.2f CPU-seconds, %d deliveries, %.0f deliveries per CPU-second, %.2f a socket write\n",
                  cpu, d, (cpu > 0 ? d / cpu : 0), (w > 0 ? d / w : 0) }'
