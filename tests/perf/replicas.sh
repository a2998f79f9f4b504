#!/usr/bin/env bash
# Placement throughput with 1 and 3 backends: wrk on POST /api/rooms (each
# room reserved on its session server and written to the shared directory)
# and GET /api/rooms/:roomId (a room placed through the first replica, looked
# up through each). Four session servers of 100,000 room slots (a static
# fleet), a private Redis. Rows: one backend without Redis (the single
# backend as before), one with Redis, three with Redis (one wrk per replica
# at once, 64 connections split between them; the figure is their sum).
#
#   tests/perf/replicas.sh
# Build first: bazel build -c opt //server:all
set -euo pipefail
cd "$(dirname "$0")/../.."

BIN=${BIN:-$(readlink -f bazel-bin)}
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
export JWT_SECRET="$(head -c 32 /dev/urandom | base64)"
LOGS=$(mktemp -d /tmp/replicas.XXXXXX)
pids=()
cleanup() { kill -TERM "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT

REDIS_PORT=$(free_port)
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no >"$LOGS/redis.log" 2>&1 &
pids+=($!)
until redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; do sleep 0.1; done

hosts=() admins=()
for i in 1 2 3 4; do
  port=$(free_port) admin=$(free_port)
  "$BIN/server/session/session" --port "$port" --advertised-host "127.0.0.1:$port" \
    --admin-port "$admin" --threads 1 --rooms-max 100000 --admission-exempt 127.0.0.0/8 \
    >"$LOGS/session-$i.log" 2>&1 &
  pids+=($!)
  hosts+=("127.0.0.1:$port") admins+=("127.0.0.1:$admin")
done
IFS=, ; SESSION_SERVER_HOST="${hosts[*]}" SESSION_ADMIN_HOSTS="${admins[*]}"; unset IFS
export SESSION_SERVER_HOST SESSION_ADMIN_HOSTS
for h in "${hosts[@]}"; do until curl -sf "http://$h/healthz" >/dev/null; do sleep 0.1; done; done

cat >"$LOGS/post.lua" <<'LUA'
wrk.method = "POST"
LUA

# wrk's Requests/sec from its output.
rate() { awk '/Requests\/sec/ {print $2}' "$1"; }

run() {  # run LABEL REPLICAS [backend args...]
  local label=$1 replicas=$2; shift 2
  local ports=() backend_pids=()
  for ((i = 0; i < replicas; i++)); do
    local port=$(free_port)
    "$BIN/server/backend/backend" --port "$port" --threads 1 --rooms-per-server 100000 \
      --admission-exempt 127.0.0.0/8 --unjoined-rooms-per-user-max 0 --poll-interval-ms 60000 \
      --replica-id "r$i" "$@" >"$LOGS/backend-$label-$i.log" 2>&1 &
    backend_pids+=($!) ports+=("$port")
  done
  for p in "${ports[@]}"; do until curl -sf "http://127.0.0.1:$p/healthz" >/dev/null; do sleep 0.1; done; done
  local token room
  token=$(curl -s -X POST "127.0.0.1:${ports[0]}/api/login" -H 'Content-Type: application/json' \
    -d '{"userId":"wrk"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
  room=$(curl -s -X POST "127.0.0.1:${ports[0]}/api/rooms" -H "Authorization: Bearer $token" \
    | sed 's/.*"roomId":"\([^"]*\)".*/\1/')
  local connections=$((64 / replicas))
  for what in create lookup; do
    local wrk_pids=()
    for ((i = 0; i < replicas; i++)); do
      if [[ $what == create ]]; then
        wrk -t1 -c"$connections" -d8s -s "$LOGS/post.lua" -H "Authorization: Bearer $token" \
          "http://127.0.0.1:${ports[$i]}/api/rooms" >"$LOGS/wrk-$label-$what-$i.txt" &
      else
        wrk -t1 -c"$connections" -d8s -H "Authorization: Bearer $token" \
          "http://127.0.0.1:${ports[$i]}/api/rooms/$room" >"$LOGS/wrk-$label-$what-$i.txt" &
      fi
      wrk_pids+=($!)
    done
    wait "${wrk_pids[@]}"
    local total=0
    for ((i = 0; i < replicas; i++)); do
      total=$(awk -v a="$total" -v b="$(rate "$LOGS/wrk-$label-$what-$i.txt")" 'BEGIN {print a + b}')
      if grep -q "Non-2xx" "$LOGS/wrk-$label-$what-$i.txt"; then
        echo "  ($label $what replica $i: $(grep Non-2xx "$LOGS/wrk-$label-$what-$i.txt"))"
      fi
    done
    printf '%-22s %-7s %10.0f requests/s\n' "$label" "$what" "$total"
  done
  kill -TERM "${backend_pids[@]}"; wait "${backend_pids[@]}" 2>/dev/null || true
}

run "1 backend, no Redis" 1
run "1 backend, Redis" 1 --redis "redis://127.0.0.1:$REDIS_PORT"
run "3 backends, Redis" 3 --redis "redis://127.0.0.1:$REDIS_PORT"
echo "logs in $LOGS"
