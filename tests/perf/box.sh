#!/usr/bin/env bash
# 100,000 bots on one box: an optimised backend whose local fleet starts
# session servers (10 rooms each) as the rooms are created, and the load
# generator in worker processes (--processes) driving ROOMS x USERS bots at a
# human rate (a message per user per minute by default). Every message must
# reach every member. Prints the loadgen's merged report, then what the box
# did: time to scale from 1 server to all of them, placement latency (the
# loadgen's room creations and the backend's chat_scheduler_placement_seconds),
# RSS per session server and per bot, CPU-seconds of session servers, backend
# and loadgen (from /proc), the box's memory, and deliveries missing.
#
#   tests/perf/box.sh [--rooms 1000] [--users 100] [--rate 0.016667] [--duration 120]
#                     [--ramp S] [--processes N] [--max-servers N] [--session-threads 1]
#                     [--timeout S] [-- LOADGEN_ARGS]
#   e.g. tests/perf/box.sh --rooms 100          (a quick check: 10,000 bots)
# Defaults: --ramp max(10, bots/800) s, --processes max(2, ceil(bots/15000)) (each
# worker stays well under the 20,000 open files a process may have here),
# --max-servers rooms/10 + 10. The loadgen creates every room at its start
# (the fleet places them all at once, starting servers as each is needed);
# its bots then join over --ramp. Everything listens on 127.0.0.1 and the
# loadgen's workers bind 127.0.0.2, .3, ...; bounded by --timeout (default
# ramp + duration + 600 s); stops everything it started. The steady-phase
# figures need --processes 2 or more (the parent says when it begins).
# Build first: bazel build -c opt //server:all //loadgen
set -euo pipefail
cd "$(dirname "$0")/../.."

rooms=1000 users=100 rate=0.016667 duration=120 ramp="" processes="" max_servers=""
session_threads=1 timeout_s=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rooms) rooms=$2; shift 2 ;;
    --users) users=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --ramp) ramp=$2; shift 2 ;;
    --processes) processes=$2; shift 2 ;;
    --max-servers) max_servers=$2; shift 2 ;;
    --session-threads) session_threads=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "unknown option $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
bots=$((rooms * users))
servers_wanted=$(((rooms + 9) / 10))
ramp=${ramp:-$(((bots / 800) > 10 ? bots / 800 : 10))}
processes=${processes:-$(((bots + 14999) / 15000 > 2 ? (bots + 14999) / 15000 : 2))}
max_servers=${max_servers:-$((servers_wanted + 10))}
timeout_s=${timeout_s:-$((ramp + duration + 600))}

# Every socket is a descriptor: the backend, its session servers and the
# loadgen's workers inherit the hard limit (20,000 here; root cannot raise it).
ulimit -n "$(ulimit -Hn)"
BIN=${BIN:-$(readlink -f bazel-bin)}  # or BIN=bazel-out/k8-fastbuild/bin, say
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
export JWT_SECRET="$(head -c 32 /dev/urandom | base64)"  # both binaries refuse < 32 bytes
LOGS=$(mktemp -d /tmp/box.XXXXXX)
BACKEND_PORT=$(free_port)
ADMIN_PORT=$(free_port)
hz=$(getconf CLK_TCK)
page=$(getconf PAGESIZE)
backend_pid="" sampler_pid=""
# The session servers the backend started, by the pids its log names, while
# each still runs the session binary (a pid may have been reused since).
our_sessions() {
  local pid
  for pid in $(sed -n 's/.*started session server .* (pid \([0-9]*\)).*/\1/p' "$LOGS/backend.log" 2>/dev/null); do
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "^$BIN/server/session/session " && echo "$pid"
  done
  return 0
}
cleanup() {
  set +e  # the run's exit status stands; nothing here may replace it
  [[ -n "$sampler_pid" ]] && kill "$sampler_pid" 2>/dev/null || true
  [[ -n "$backend_pid" ]] && kill -TERM "$backend_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  # A local fleet's servers outlive the backend (a restarted backend adopts
  # them): stop them here, SIGKILL for any still closing after 15 s.
  local left
  left=$(our_sessions)
  [[ -z "$left" ]] && return 0
  kill -TERM $left 2>/dev/null || true
  for _ in $(seq 150); do left=$(our_sessions); [[ -z "$left" ]] && return 0; sleep 0.1; done
  kill -KILL $left 2>/dev/null || true
}
trap cleanup EXIT

session_args=(--session-arg=--admission-exempt=127.0.0.0/8 --session-arg=--threads=$session_threads)
if ((users > 100)); then session_args+=(--session-arg=--users-per-room-max=$users); fi
# Rooms are created at once and joined over the ramp: none may be freed as
# never joined meanwhile (--join-deadline), nor a server stopped as idle.
"$BIN/server/backend/backend" --address 127.0.0.1 --port "$BACKEND_PORT" \
  --admin-address 127.0.0.1 --admin-port "$ADMIN_PORT" --fleet local \
  --session-binary "$BIN/server/session/session" --rooms-per-server 10 --min-servers 1 \
  --max-servers "$max_servers" --idle-before-stop 3600 --join-deadline $((ramp + 600)) \
  --server-start-timeout 60 --admission-exempt 127.0.0.0/8 "${session_args[@]}" \
  --session-log-dir "$LOGS" >"$LOGS/backend.log" 2>&1 &
backend_pid=$!
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$BACKEND_PORT/healthz" >/dev/null && break; sleep 0.05; done
for _ in $(seq 200); do
  curl -s "http://127.0.0.1:$ADMIN_PORT/metrics" | grep -q '^chat_scheduler_servers{state="ready"} 1' && break
  sleep 0.1
done

metrics() { curl -s --max-time 2 "http://127.0.0.1:$ADMIN_PORT/metrics"; }
ready_servers() { metrics | awk '/^chat_scheduler_servers\{state="ready"\}/ {print $2}' || true; }
# CPU ticks (user + system) and resident pages of a list of pids.
# One cat and one awk for all the pids (cat skips a process gone meanwhile):
# the sampler must not load the box it measures, and a process per pid would.
cpu_ticks() { (($#)) || { echo 0; return; }; cat $(printf '/proc/%s/stat ' "$@") 2>/dev/null | awk '{t += $14 + $15} END {print t + 0}'; }
rss_pages() { (($#)) || { echo 0; return; }; cat $(printf '/proc/%s/statm ' "$@") 2>/dev/null | awk '{r += $2} END {print r + 0}'; }
sessions() { pgrep -P "$backend_pid" || true; }
mem_available_kb() { awk '/^MemAvailable/ {print $2}' /proc/meminfo; }

session_ticks_before=$(cpu_ticks $(sessions))
backend_ticks_before=$(cpu_ticks "$backend_pid")
mem_before_kb=$(mem_available_kb)

echo "box: $rooms rooms x $users users = $bots bots, $rate msg/s each, ramp ${ramp}s, duration ${duration}s," \
  "$processes loadgen processes, up to $max_servers session servers; logs in $LOGS"
start_ns=$(date +%s%N)
/usr/bin/time -f "%e %U %S" -o "$LOGS/loadgen.time" \
  timeout --signal=INT --kill-after=60 $((timeout_s + 60)) \
  "$BIN/loadgen/loadgen" --target "http://127.0.0.1:$BACKEND_PORT" --scenario chat \
  --rooms "$rooms" --users "$users" --rate "$rate" --duration "$duration" --ramp "$ramp" \
  --processes "$processes" --timeout "$timeout_s" --report "$LOGS/loadgen.json" "$@" \
  >"$LOGS/loadgen.txt" 2>"$LOGS/loadgen.err" &
time_pid=$!

# Once a second: ready servers; RSS of the session servers and of the
# loadgen's processes (its parent and workers, under time and timeout); the
# box's MemAvailable; CPU ticks of session servers, backend and loadgen; and
# whether the loadgen's steady phase has begun (its parent says so on stderr);
# the whole box's busy and idle ticks (/proc/stat), to tell a saturated box.
(
  set +e  # a sample that fails (a process gone meanwhile) must not end the sampling
  while kill -0 "$time_pid" 2>/dev/null; do
    now=$((($(date +%s%N) - start_ns) / 1000000))
    mapfile -t servers < <(sessions)
    lg=()
    for t in $(pgrep -P "$time_pid"); do
      for p in $(pgrep -P "$t"); do lg+=("$p" $(pgrep -P "$p" || true)); done
    done
    ready=$(ready_servers)
    steady=0
    grep -q "the steady phase begins" "$LOGS/loadgen.err" 2>/dev/null && steady=1
    echo "$now ${ready:-0} ${#servers[@]} $(rss_pages "${servers[@]}") ${#lg[@]}" \
      "$(rss_pages "${lg[@]}") $(mem_available_kb) $(cpu_ticks "${servers[@]}")" \
      "$(cpu_ticks "$backend_pid") $(cpu_ticks "${lg[@]}") $steady" \
      "$(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6; exit}' /proc/stat)"
    sleep 1
  done
) >"$LOGS/samples.txt" 2>/dev/null &
sampler_pid=$!
status=0
wait "$time_pid" || status=$?
end_ns=$(date +%s%N)
kill "$sampler_pid" 2>/dev/null || true
wait "$sampler_pid" 2>/dev/null || true
sampler_pid=""

mapfile -t servers < <(sessions)
session_ticks=$(($(cpu_ticks "${servers[@]}") - session_ticks_before))
backend_ticks=$(($(cpu_ticks "$backend_pid") - backend_ticks_before))
metrics >"$LOGS/backend-metrics.txt"
cat "$LOGS/loadgen.txt"
tail -n 20 "$LOGS/loadgen.err" >&2 || true

# Nearest bucket edge at quantile q of a Prometheus histogram (seconds).
hist_quantile() {
  awk -v name="$1" -v q="$2" '
    index($0, name "_bucket{") == 1 { match($0, /le="[^"]+"/); le = substr($0, RSTART + 4, RLENGTH - 5);
      n++; edge[n] = le; count[n] = $NF }
    index($0, name "_count") == 1 { total = $NF }
    END { if (total == 0) { print "-"; exit } for (i = 1; i <= n; i++) if (count[i] >= q * total) { print edge[i]; exit } }' \
    "$LOGS/backend-metrics.txt"
}
loadgen_time=$(cat "$LOGS/loadgen.time" 2>/dev/null | tail -n 1)
node - "$LOGS" "$servers_wanted" "$hz" "$page" "$session_ticks" "$backend_ticks" "$loadgen_time" \
  "$mem_before_kb" "$bots" "$(( (end_ns - start_ns) / 1000000 ))" \
  "$(hist_quantile chat_scheduler_placement_seconds 0.5)" \
  "$(hist_quantile chat_scheduler_placement_seconds 0.99)" \
  "$(awk '/^chat_scheduler_placement_seconds_count/ {print $NF; exit}' "$LOGS/backend-metrics.txt")" \
  "$(hist_quantile chat_scheduler_fleet_start_seconds 0.5)" \
  "$(hist_quantile chat_scheduler_fleet_start_seconds 0.99)" "$duration" <<'EOF'
const fs = require('fs');
const [logs, wanted, hz, page, sessionTicks, backendTicks, loadgenTime, memBeforeKb, bots, wallMs,
  place50, place99, placeCount, start50, start99, duration] = process.argv.slice(2);
let report = {};
try { report = JSON.parse(fs.readFileSync(`${logs}/loadgen.json`, 'utf8')); } catch {}
const f = report.figures ?? {};
const samples = fs.readFileSync(`${logs}/samples.txt`, 'utf8').trim().split('\n').filter(Boolean)
  .map((l) => l.split(' ').map(Number))
  .map(([ms, ready, servers, serverPages, lgProcs, lgPages, memKb, serverTicks, backendTicks,
    lgTicks, steady, boxBusy, boxIdle]) => ({ ms, ready, servers, serverPages, lgProcs, lgPages,
    memKb, serverTicks, backendTicks, lgTicks, steady, boxBusy, boxIdle }));
const mb = (pages) => (pages * Number(page)) / 1e6;
const firstGrow = samples.find((s) => s.ready > 1 || s.servers > 1);
const full = samples.find((s) => s.ready >= Number(wanted));
// RSS at the moment the most memory was in use (every bot connected).
const peak = samples.reduce((a, s) => (s.serverPages + s.lgPages > a.serverPages + a.lgPages ? s : a),
  samples[0] ?? { serverPages: 0, lgPages: 0, servers: 0, memKb: Number(memBeforeKb) });
const connected = f.bots_connected_after_ramp ?? 0;
const [lgWall, lgUser, lgSys] = (loadgenTime || '0 0 0').split(' ').map(Number);
const cpu = (ticks) => Number(ticks) / Number(hz);
const minMem = Math.min(...samples.map((s) => s.memKb), Number(memBeforeKb));
const line = (k, v) => console.log(`  ${k.padEnd(58)} ${v}`);
console.log('\nbox figures');
line('bots (connected after the ramp / asked)', `${connected} / ${bots}`);
line('session servers (ready at the end / wanted)', `${samples.at(-1)?.ready ?? '-'} / ${wanted}`);
line('scale 1 -> wanted ready servers', full ? `${(full.ms / 1000).toFixed(1)} s after the loadgen started` +
  (firstGrow ? ` (first new server seen at ${(firstGrow.ms / 1000).toFixed(1)} s)` : '') : 'never reached');
line('room creation (loadgen) p50 / p99 / max', `${f.room_create_p50_ms?.toFixed(0)} / ${f.room_create_p99_ms?.toFixed(0)} / ${f.room_create_max_ms?.toFixed(0)} ms`);
line('placement (backend) p50 / p99, placements', `<= ${place50} s / <= ${place99} s, ${placeCount}`);
line('server start (backend) p50 / p99', `<= ${start50} s / <= ${start99} s`);
line('RSS of session servers at peak', `${mb(peak.serverPages).toFixed(0)} MB over ${peak.servers} = ${(mb(peak.serverPages) / Math.max(peak.servers, 1)).toFixed(1)} MB each`);
line('RSS of loadgen processes at peak', `${mb(peak.lgPages).toFixed(0)} MB over ${peak.lgProcs} processes = ${(mb(peak.lgPages) * 1e3 / Math.max(connected, 1)).toFixed(2)} KB per bot`);
line('box memory used at peak (MemAvailable drop)', `${((Number(memBeforeKb) - minMem) / 1e6).toFixed(2)} GB`);
line('CPU-seconds: session servers', `${cpu(sessionTicks).toFixed(1)}`);
line('CPU-seconds: backend', `${cpu(backendTicks).toFixed(1)}`);
line('CPU-seconds: loadgen (all processes)', `${(lgUser + lgSys).toFixed(1)} (user ${lgUser}, system ${lgSys})`);
// The steady phase alone (no ramp): from the first sample after the loadgen's
// workers were released to the last one within --duration of it.
const go = samples.find((x) => x.steady === 1);
const end = go && samples.filter((x) => x.ms <= go.ms + Number(duration) * 1000).at(-1);
if (go && end && end.ms > go.ms) {
  const seconds = (end.ms - go.ms) / 1000;
  const cores = (ticks) => (cpu(ticks) / seconds).toFixed(2);
  const serverCpu = cpu(end.serverTicks - go.serverTicks);
  line('steady phase sampled', `${seconds.toFixed(1)} s from ${(go.ms / 1000).toFixed(1)} s`);
  line('  cores: session servers / backend / loadgen',
    `${cores(end.serverTicks - go.serverTicks)} / ${cores(end.backendTicks - go.backendTicks)} / ${cores(end.lgTicks - go.lgTicks)}`);
  const busy = end.boxBusy - go.boxBusy, idle = end.boxIdle - go.boxIdle;
  line('  the whole box: cores busy / idle (everyone, kernel too)',
    `${cores(busy)} / ${cores(idle)}`);
  line('  deliveries per session-server CPU-second',
    serverCpu > 0 ? ((f.deliveries_per_second ?? 0) * seconds / serverCpu).toFixed(0) : '-');
}
line('wall time of the loadgen', `${(Number(wallMs) / 1000).toFixed(1)} s`);
line('deliveries checked / missing', `${f.deliveries_checked ?? '-'} / ${f.deliveries_missing ?? '-'}`);
line('messages lost / duplicate deliveries', `${f.messages_lost ?? '-'} / ${f.deliveries_duplicate ?? '-'}`);
line('delivery latency p50 / p99 / max', `${f.latency_p50_ms} / ${f.latency_p99_ms} / ${f.latency_max_ms} ms`);
line('verdict', report.passed ? 'PASS' : 'FAIL');
EOF
echo "box: logs, samples (ms ready servers server-pages loadgen-procs loadgen-pages MemAvailable-kB) in $LOGS"
exit $status
