#!/usr/bin/env bash
# Records a small real trace for the agreement run: a backend with a local
# fleet records (--record-trace) while the load generator's autoscale
# scenario adds rooms one by one and its chat scenario chats in a few more;
# the per-process files are merged into OUT (default artifacts/agreement/recorded.trace).
#   tests/agreement/record.sh [OUT] [--rooms N] [--ramp S]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=artifacts/agreement/recorded.trace
rooms=24
ramp=60
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rooms) rooms=$2; shift 2 ;;
    --ramp) ramp=$2; shift 2 ;;
    *) out=$1; shift ;;
  esac
done
bazel build --noshow_progress //server/backend:backend //server/session:session //loadgen \
  //trace:merge >&2
BIN="${BIN:-$(bazel info bazel-bin 2>/dev/null)}"
dir=$(mktemp -d /tmp/record-trace-XXXXXX)
mkdir -p "$dir/logs" "$(dirname "$out")"
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
port=$(free_port)
admin_port=$(free_port)
export JWT_SECRET="$(head -c 32 /dev/urandom | base64)"
"$BIN/server/backend/backend" --port "$port" --admin-port "$admin_port" --fleet local \
  --session-binary "$BIN/server/session/session" --policy best-fit --rooms-per-server 4 \
  --min-servers 1 --max-servers 10 --idle-before-stop 10 \
  --admission-exempt 127.0.0.0/8 --session-arg=--admission-exempt=127.0.0.0/8 \
  --session-log-dir "$dir/logs" --stop-fleet-on-exit \
  --record-trace "$dir/backend.trace" --session-arg=--record-trace="$dir/session-%p.trace" \
  >"$dir/backend.log" 2>&1 &
backend_pid=$!
trap 'kill -TERM $backend_pid 2>/dev/null; wait $backend_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
target=(--target "http://127.0.0.1:$port" --admin-target "http://127.0.0.1:$admin_port")
# Rooms one by one, each joined, then left: the fleet grows and shrinks.
"$BIN/loadgen/loadgen" "${target[@]}" --scenario autoscale --rooms "$rooms" --ramp "$ramp" \
  --idle-wait 60 >"$dir/autoscale.out" 2>&1 &
autoscale_pid=$!
# Meanwhile a few rooms that chat (message sizes for the trace).
sleep $((ramp / 4))
"$BIN/loadgen/loadgen" "${target[@]}" --scenario chat --rooms 3 --users 4 --rate 0.2 \
  --duration $((ramp / 2)) --ramp 5 --run-id chat >"$dir/chat.out" 2>&1 || true
wait $autoscale_pid || true
grep -h '^verdict' "$dir/autoscale.out" "$dir/chat.out" >&2 || true
# SIGTERM: the backend stops its servers, and every recorder writes what it holds.
kill -TERM $backend_pid
wait $backend_pid || true
trap - EXIT
"$BIN/trace/merge" --out "$out" "$dir"/*.trace*
echo "record: $out (the run's files in $dir)" >&2
