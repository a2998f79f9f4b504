#!/usr/bin/env bash
# Rooms lost and chat interrupted when a backend dies or restarts under load.
# A local fleet (session servers of 5 rooms, history in a private Redis),
# bots chatting through the loadgen's chat scenario; mid-run the backend is
# killed with SIGKILL and started again, later stopped with SIGTERM and
# started again. With --replicas, three backends share the Redis (--redis)
# and the SIGKILL hits the fleet lease's holder instead (the loadgen talks
# to another replica); the script prints how long the takeover took.
# Prints the rooms each backend knows before and after, whether every
# session server survived, and the loadgen's verdict (every bot still
# connected, every message delivered once, in order).
#
#   tests/perf/backend_restart.sh [--replicas] [-- LOADGEN_ARGS]
# Build first: bazel build -c opt //server:all //loadgen
set -euo pipefail
cd "$(dirname "$0")/../.."

replicas=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --replicas) replicas=true; shift ;;
    --) shift; break ;;
    *) echo "unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
loadgen_args=("$@")
if [[ ${#loadgen_args[@]} -eq 0 ]]; then
  loadgen_args=(--rooms 10 --users 20 --rate 1 --duration 40 --ramp 5)
fi

BIN=${BIN:-$(readlink -f bazel-bin)}
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
export JWT_SECRET="$(head -c 32 /dev/urandom | base64)"
LOGS=$(mktemp -d /tmp/backend-restart.XXXXXX)
pids=()
cleanup() {
  # The fleet outlives the backends by design: stop what the records list
  # (asked of Redis before Redis is stopped).
  local fleet_pids
  fleet_pids=$( { grep -o '"pid":[0-9]*' "$LOGS"/fleet-state.json 2>/dev/null || true
    [[ -n "${REDIS_PORT:-}" ]] && redis-cli -p "$REDIS_PORT" hvals chat:fleet:servers 2>/dev/null \
      | grep -o '"pid":[0-9]*' || true; } | cut -d: -f2 | sort -u)
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for pid in $fleet_pids; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

REDIS_PORT=$(free_port)
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no >"$LOGS/redis.log" 2>&1 &
pids+=($!)
until redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; do sleep 0.1; done
REDIS_URL="redis://127.0.0.1:$REDIS_PORT"

count=1; $replicas && count=3
ports=() admins=() bpids=()
for ((i = 0; i < count; i++)); do ports+=("$(free_port)"); admins+=("$(free_port)"); bpids+=(0); done
start_backend() {  # start_backend INDEX
  local i=$1 shared=()
  $replicas && shared=(--redis "$REDIS_URL" --replica-id "r$i" --lease-ms 3000)
  "$BIN/server/backend/backend" --port "${ports[$i]}" --admin-port "${admins[$i]}" --fleet local \
    --session-binary "$BIN/server/session/session" --session-log-dir "$LOGS" \
    --session-arg=--admission-exempt=127.0.0.0/8 --session-arg=--threads=1 \
    --session-arg=--redis="$REDIS_URL" --rooms-per-server 5 --min-servers 1 --max-servers 6 \
    --admission-exempt 127.0.0.0/8 --unjoined-rooms-per-user-max 0 "${shared[@]}" \
    >>"$LOGS/backend-$i.log" 2>&1 &
  bpids[$i]=$!
  pids+=($!)
  until curl -sf "http://127.0.0.1:${ports[$i]}/healthz" >/dev/null; do sleep 0.05; done
}
fleet() { curl -s "http://127.0.0.1:${admins[$1]}/api/fleet"; }
rooms_of() { fleet "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["rooms"])'; }
holder_index() {
  for ((i = 0; i < count; i++)); do
    fleet "$i" | grep -q '"held":true' && { echo "$i"; return; }
  done
  echo -1
}
session_pids() {
  fleet "$1" | python3 -c 'import json,sys; [print(s["adminHost"]) for s in json.load(sys.stdin)["servers"] if s["state"] != "gone"]' | while read -r admin; do
    curl -s "http://$admin/status" | grep -o '"pid":[0-9]*' | cut -d: -f2
  done | sort
}

for ((i = 0; i < count; i++)); do start_backend "$i"; done
if $replicas; then
  until [[ $(holder_index) -ge 0 ]]; do sleep 0.2; done
fi
victim=0
target=0
if $replicas; then victim=$(holder_index); target=$(((victim + 1) % count)); fi

"$BIN/loadgen/loadgen" --target "http://127.0.0.1:${ports[$target]}" --scenario chat \
  "${loadgen_args[@]}" --report "$LOGS/loadgen.json" >"$LOGS/loadgen.txt" 2>&1 &
loadgen=$!
sleep 15
before_pids=$(session_pids "$victim")
echo "before: backend $victim knows $(rooms_of "$victim") rooms; session servers $(echo $before_pids)"

echo "SIGKILL backend $victim"
killed=$(date +%s%N)
kill -KILL "${bpids[$victim]}"
if $replicas; then
  until [[ $(holder_index) -ge 0 ]]; do sleep 0.05; done
  echo "lease taken over by backend $(holder_index) after $((($(date +%s%N) - killed) / 1000000)) ms"
fi
start_backend "$victim"
sleep 5
echo "after SIGKILL and restart: backend $victim knows $(rooms_of "$victim") rooms"

echo "SIGTERM backend $victim"
kill -TERM "${bpids[$victim]}"; wait "${bpids[$victim]}" 2>/dev/null || true
start_backend "$victim"
sleep 5
after_pids=$(session_pids "$victim")
echo "after SIGTERM and restart: backend $victim knows $(rooms_of "$victim") rooms; session servers $(echo $after_pids)"
for pid in $before_pids; do kill -0 "$pid" 2>/dev/null || echo "session server pid $pid DIED"; done

status=0
wait "$loadgen" || status=$?
tail -40 "$LOGS/loadgen.txt"
echo "loadgen exit $status; logs in $LOGS"
