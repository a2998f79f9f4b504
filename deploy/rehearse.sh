#!/usr/bin/env bash
# The multi-host deployment of docs/DEPLOY.md, rehearsed on this machine's
# loopback: each piece listens on an address of its own in 127.0.0.0/8, as
# if on a machine of its own, with the flags it would have there.
#
#   NET.1          HAProxy (deploy/haproxy.cfg): TLS on NET.1:8443 for the
#                  API and the web client, NET.1:8444, :8445, ... for the
#                  session servers (their public names)
#   NET.2 ...      session servers (public port 8000, operators' 9000), history in Redis
#   NET.10         Redis (port 6379): rooms' history, and the backends' directory and lease
#   NET.11 - .13   3 backends (public port 8080, operators' 8081), replicated
#                  through Redis, a static fleet of the session servers
#
#   deploy/rehearse.sh [--detach]   start, print the URLs, run until Ctrl-C
#                                   (--detach: start, print, return)
#   deploy/rehearse.sh stop         stop everything it started
#   deploy/rehearse.sh session N    start session server N again (after a
#                                   crash, or a SIGTERM), on its address
#   deploy/rehearse.sh status       what runs, and the fleet as each backend sees it
#
# Settings (environment): REHEARSAL_NET (127.0.0: the first three bytes of
# every address), SESSIONS (3, at most 8), REHEARSAL_DIR (artifacts/rehearsal:
# certificates, map, logs, pids, secrets), BIN (the folder Bazel built into;
# default bazel-bin, after `bazel build //server:all //loadgen`), POLICY
# (least-loaded), ADMISSION_EXEMPT (none: production's limits; 127.0.0.0/8
# for a load test from this machine), JWT_SECRET and ADMIN_TOKEN (random).
# Loopback only: nothing listens on any other interface.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

NET=${REHEARSAL_NET:-127.0.0}
SESSIONS=${SESSIONS:-3}
DIR=$(realpath -m "${REHEARSAL_DIR:-artifacts/rehearsal}")
BACKENDS=3
FRONT_PORT=8443
SESSION_PORT=8000
SESSION_ADMIN_PORT=9000
BACKEND_PORT=8080
BACKEND_ADMIN_PORT=8081
START_SECONDS=30  # the longest any piece may take to answer

say() { echo "rehearse: $*"; }
die() { echo "rehearse: $*" >&2; exit 1; }

session_addr() { echo "$NET.$((1 + $1))"; }
session_public() { echo "$FRONT:$((FRONT_PORT + $1))"; }
backend_addr() { echo "$NET.$((10 + $1))"; }

check_settings() {  # and the addresses that follow from them
  [[ "$NET" =~ ^127\.[0-9]{1,3}\.[0-9]{1,3}$ ]] ||
    die "REHEARSAL_NET=$NET: give the first three bytes of a loopback address, e.g. 127.0.0"
  [[ "$SESSIONS" =~ ^[1-8]$ ]] || die "SESSIONS=$SESSIONS: give 1 to 8 session servers"
  FRONT=$NET.1
  REDIS_ADDR=$NET.10:6379
}

# --- processes: each in a session of its own (Ctrl-C reaches only this
# script, which stops them in order), its pid and binary in $DIR/pids.
launch() {  # name, command...
  local name=$1
  shift
  setsid "$@" </dev/null >>"$DIR/logs/$name.log" 2>&1 &
  local pid=$! exe
  exe=$(readlink -f "$(command -v "$1")")
  echo "$pid $exe" >"$DIR/pids/$name"
  # Until the fork has become the program (bash, then setsid, exec it), the
  # pid runs another binary: pid_of would take it for gone.
  for _ in $(seq 100); do
    [[ "$(readlink -f "/proc/$pid/exe" 2>/dev/null)" == "$exe" ]] && return 0
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.05
  done
}

pid_of() {  # name: the pid, if that process still runs the binary it was started as
  local file=$DIR/pids/$1 pid exe
  [[ -f "$file" ]] || return 1
  read -r pid exe <"$file"
  [[ "$(readlink -f "/proc/$pid/exe" 2>/dev/null)" == "$exe" ]] || return 1
  echo "$pid"
}

stop_one() {  # name: SIGTERM, then SIGKILL after 10 s
  local pid
  pid=$(pid_of "$1") || { rm -f "$DIR/pids/$1"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "$1 (pid $pid) ignored SIGTERM for 10 s; SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$DIR/pids/$1"
}

stop_all() {
  [[ -d "$DIR/pids" ]] || { say "nothing to stop in $DIR"; return 0; }
  # The front first (clients stop arriving), Redis last (the others use it).
  local file
  stop_one haproxy
  for file in "$DIR"/pids/backend-* "$DIR"/pids/session-*; do
    [[ -e "$file" ]] && stop_one "$(basename "$file")"
  done
  stop_one redis
  say "stopped (logs in $DIR/logs)"
}

STOP_ALL_ON_FAILURE=true
fail_start() {  # name, why: says what to fix (and stops what was started)
  echo "rehearse: $1 $2; its log, $DIR/logs/$1.log, ends with:" >&2
  tail -15 "$DIR/logs/$1.log" 2>/dev/null | sed 's/^/    /' >&2 || true
  if $STOP_ALL_ON_FAILURE; then stop_all >&2; fi
  exit 1
}

wait_until() {  # name, what, command...: runs the command until it succeeds
  local name=$1 what=$2
  shift 2
  local deadline=$((SECONDS + START_SECONDS))
  until "$@" >/dev/null 2>&1; do
    pid_of "$name" >/dev/null || fail_start "$name" "exited before $what"
    ((SECONDS < deadline)) || fail_start "$name" "did not get to $what within $START_SECONDS s"
    sleep 0.1
  done
}

listening() { (exec 3<>"/dev/tcp/${1%:*}/${1##*:}") 2>/dev/null; }

admin_get() {  # host:port path
  curl -sf --max-time 2 -H "Authorization: Bearer $ADMIN_TOKEN" "http://$1$2"
}

fleet_ready() {  # backend index: its view has every session server ready
  local ready
  ready=$(admin_get "$(backend_addr "$1"):$BACKEND_ADMIN_PORT" /api/fleet |
    grep -o '"state":"ready"' | wc -l)
  ((ready == SESSIONS))
}

# --- settings kept for `stop` and `session N`.
load_settings() {
  [[ -f "$DIR/settings" ]] || die "no rehearsal in $DIR (start one: deploy/rehearse.sh)"
  # shellcheck source=/dev/null
  source "$DIR/settings"
}

preflight() {
  local missing=()
  for tool in haproxy redis-server openssl curl setsid; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  ((${#missing[@]} == 0)) || die "${missing[*]} not installed: run scripts/install-deps.sh"
  BIN=$(readlink -f "${BIN:-bazel-bin}")
  for binary in server/backend/backend server/session/session; do
    [[ -x "$BIN/$binary" ]] ||
      die "no $BIN/$binary: build it first (bazel build //server:all //loadgen), or set BIN"
  done
  local file
  for file in "$DIR"/pids/*; do
    [[ -e "$file" ]] || continue
    if pid_of "$(basename "$file")" >/dev/null; then
      die "a rehearsal already runs from $DIR ($(basename "$file")): deploy/rehearse.sh stop, or another REHEARSAL_DIR and REHEARSAL_NET"
    fi
  done
  local address
  for address in "$FRONT:$FRONT_PORT" "$REDIS_ADDR" \
    $(for i in $(seq "$SESSIONS"); do echo "$(session_addr "$i"):$SESSION_PORT $(session_addr "$i"):$SESSION_ADMIN_PORT $(session_public "$i")"; done) \
    $(for j in $(seq "$BACKENDS"); do echo "$(backend_addr "$j"):$BACKEND_PORT $(backend_addr "$j"):$BACKEND_ADMIN_PORT"; done); do
    listening "$address" && die "$address is already in use: stop what listens there, or choose other addresses with REHEARSAL_NET (e.g. 127.0.1)"
  done
  return 0
}

prepare() {
  rm -rf "${DIR:?}/pids" "${DIR:?}/logs" "${DIR:?}/tls" "${DIR:?}/bin"
  mkdir -p "$DIR/pids" "$DIR/logs" "$DIR/tls" "$DIR/bin" "$DIR/redis"
  chmod 700 "$DIR"
  # The binaries of this rehearsal, whatever Bazel builds meanwhile: as on
  # a real machine, where they are installed once (docs/DEPLOY.md).
  cp "$BIN/server/backend/backend" "$BIN/server/session/session" "$DIR/bin/"
  # Secrets reach the servers in their environment, never their arguments.
  cat >"$DIR/settings" <<EOF
NET=$NET
SESSIONS=$SESSIONS
POLICY=${POLICY:-least-loaded}
ADMISSION_EXEMPT=${ADMISSION_EXEMPT:-}
JWT_SECRET=${JWT_SECRET:-$(head -c 32 /dev/urandom | base64)}
ADMIN_TOKEN=${ADMIN_TOKEN:-$(head -c 24 /dev/urandom | base64 | tr '+/' '-_')}
EOF
  chmod 600 "$DIR/settings"
  load_settings
}

# A private CA and a certificate for the front's names, as a public CA
# would sign chat.example and *.chat.example.
make_certificate() {
  local tls=$DIR/tls
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 7 \
    -subj "/CN=chat rehearsal CA" -keyout "$tls/ca.key" -out "$tls/ca.pem" 2>"$DIR/logs/openssl.log" ||
    die "openssl could not make the CA: see $DIR/logs/openssl.log"
  if ! openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$FRONT" \
    -keyout "$tls/front.key" -out "$tls/front.csr" 2>>"$DIR/logs/openssl.log" ||
    ! openssl x509 -req -in "$tls/front.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" \
      -CAcreateserial -days 7 -out "$tls/front.crt" \
      -extfile <(echo "subjectAltName=IP:$FRONT,DNS:localhost") 2>>"$DIR/logs/openssl.log"; then
    die "openssl could not sign the front's certificate: see $DIR/logs/openssl.log"
  fi
  cat "$tls/front.crt" "$tls/ca.pem" "$tls/front.key" >"$tls/front.pem"
  chmod 600 "$tls"/*.key "$tls/front.pem"
}

start_redis() {
  # No snapshot, no append-only file: each rehearsal starts empty. On a
  # real machine: appendonly yes (docs/DEPLOY.md).
  launch redis redis-server --bind "${REDIS_ADDR%:*}" --port "${REDIS_ADDR##*:}" \
    --save "" --appendonly no --dir "$DIR/redis" --protected-mode yes
  wait_until redis "answering" redis-cli -h "${REDIS_ADDR%:*}" -p "${REDIS_ADDR##*:}" ping
}

start_session() {  # index
  local i=$1 addr
  addr=$(session_addr "$i")
  JWT_SECRET=$JWT_SECRET ADMIN_TOKEN=$ADMIN_TOKEN ADMISSION_EXEMPT=$ADMISSION_EXEMPT \
    launch "session-$i" "$DIR/bin/session" --address "$addr" --port "$SESSION_PORT" \
    --advertised-host "$(session_public "$i")" \
    --admin-address "$addr" --admin-port "$SESSION_ADMIN_PORT" \
    --redis "redis://$REDIS_ADDR" --trusted-proxies "$FRONT/32"
  wait_until "session-$i" "answering on its operators' listener" \
    admin_get "$addr:$SESSION_ADMIN_PORT" /healthz
}

start_backend() {  # index
  local j=$1 addr hosts admin_hosts
  addr=$(backend_addr "$j")
  hosts=$(for i in $(seq "$SESSIONS"); do session_public "$i"; done | paste -sd,)
  admin_hosts=$(for i in $(seq "$SESSIONS"); do echo "$(session_addr "$i"):$SESSION_ADMIN_PORT"; done | paste -sd,)
  local web=()
  [[ -f "$ROOT/client-web/dist/index.html" ]] && web=(--static-dir "$ROOT/client-web/dist")
  JWT_SECRET=$JWT_SECRET ADMIN_TOKEN=$ADMIN_TOKEN ADMISSION_EXEMPT=$ADMISSION_EXEMPT \
    REDIS_URL="redis://$REDIS_ADDR" SESSION_SERVER_HOST=$hosts SESSION_ADMIN_HOSTS=$admin_hosts \
    launch "backend-$j" "$DIR/bin/backend" --address "$addr" --port "$BACKEND_PORT" \
    --admin-address "$addr" --admin-port "$BACKEND_ADMIN_PORT" \
    --fleet static --policy "$POLICY" --replica-id "backend-$j" \
    --trusted-proxies "$FRONT/32" "${web[@]}"
  wait_until "backend-$j" "answering /healthz" curl -sf --max-time 2 "http://$addr:$BACKEND_PORT/healthz"
}

start_haproxy() {
  local map=$DIR/session-servers.map
  for i in $(seq "$SESSIONS"); do
    echo "$(session_public "$i") $(session_addr "$i"):$SESSION_PORT"
  done >"$map"
  export FRONT_BIND="$FRONT:$FRONT_PORT-$((FRONT_PORT + SESSIONS))" TLS_PEM="$DIR/tls/front.pem" \
    PROXY_SOURCE=$FRONT SESSION_MAP=$map HAPROXY_SOCKET="$DIR/haproxy.sock"
  for j in $(seq "$BACKENDS"); do export "BACKEND_${j}_ADDR=$(backend_addr "$j"):$BACKEND_PORT"; done
  haproxy -c -q -f deploy/haproxy.cfg >"$DIR/logs/haproxy.log" 2>&1 ||
    fail_start haproxy "refused deploy/haproxy.cfg"
  launch haproxy haproxy -db -f "$ROOT/deploy/haproxy.cfg"
  wait_until haproxy "answering over TLS" \
    curl -sf --max-time 2 --cacert "$DIR/tls/ca.pem" "https://$FRONT:$FRONT_PORT/healthz"
}

print_urls() {
  local hint="ADMISSION_EXEMPT is empty: production's limits hold (60 logins a minute from one address); for a load test start with ADMISSION_EXEMPT=127.0.0.0/8"
  [[ -n "$ADMISSION_EXEMPT" ]] && hint="limits lifted for $ADMISSION_EXEMPT"
  cat <<EOF

  the chat (web client and API)  https://$FRONT:$FRONT_PORT/
  session servers (public names) $(for i in $(seq "$SESSIONS"); do printf '%s ' "$(session_public "$i")"; done)
  trust this CA                  $DIR/tls/ca.pem  (curl --cacert, loadgen --ca-file, NODE_EXTRA_CA_CERTS)
  operators (private; bearer ADMIN_TOKEN from $DIR/settings)
    backends                     $(for j in $(seq "$BACKENDS"); do printf 'http://%s:%s/api/fleet ' "$(backend_addr "$j")" "$BACKEND_ADMIN_PORT"; done)
    session servers              $(for i in $(seq "$SESSIONS"); do printf 'http://%s:%s/status ' "$(session_addr "$i")" "$SESSION_ADMIN_PORT"; done)
    HAProxy runtime API          $DIR/haproxy.sock
    Redis                        redis://$REDIS_ADDR
  logs                           $DIR/logs/
  admission                      $hint

  bazel-bin/loadgen/loadgen --target https://$FRONT:$FRONT_PORT --ca-file $DIR/tls/ca.pem \\
      --scenario chat --rooms 9 --users 10 --rate 1 --duration 20 --ramp 5

EOF
}

start() {
  local detach=false
  [[ "${1:-}" == "--detach" ]] && detach=true
  check_settings
  preflight
  prepare
  make_certificate
  say "starting Redis, $SESSIONS session servers, $BACKENDS backends and HAProxy (state in $DIR)"
  trap 'echo; stop_all; exit 130' INT TERM
  start_redis
  for i in $(seq "$SESSIONS"); do start_session "$i"; done
  for j in $(seq "$BACKENDS"); do start_backend "$j"; done
  start_haproxy
  for j in $(seq "$BACKENDS"); do
    wait_until "backend-$j" "seeing all $SESSIONS session servers ready (GET /api/fleet)" fleet_ready "$j"
  done
  print_urls
  if $detach; then
    say "ready; stop it with deploy/rehearse.sh stop"
    return 0
  fi
  say "ready; Ctrl-C stops everything"
  watch_processes
}

# Until Ctrl-C: says when a process ends (a test's SIGKILL, a crash), once.
watch_processes() {
  local -A gone=()
  local name
  while true; do
    for file in "$DIR"/pids/*; do
      name=$(basename "$file")
      [[ -e "$file" ]] || continue
      if pid_of "$name" >/dev/null; then
        unset "gone[$name]"
      elif [[ -z "${gone[$name]:-}" ]]; then
        gone[$name]=1
        local hint=""
        [[ "$name" == session-* ]] && hint="; start it again with deploy/rehearse.sh session ${name#session-}"
        say "$name is not running (log: $DIR/logs/$name.log)$hint"
      fi
    done
    sleep 1 &
    wait $! || true
  done
}

restart_session() {  # index
  load_settings
  check_settings
  local i=$1
  if [[ ! "$i" =~ ^[0-9]+$ ]] || ((i < 1 || i > SESSIONS)); then die "session N: N is 1 to $SESSIONS"; fi
  if pid_of "session-$i" >/dev/null; then die "session server $i still runs (pid $(pid_of "session-$i"))"; fi
  listening "$(session_addr "$i"):$SESSION_PORT" &&
    die "$(session_addr "$i"):$SESSION_PORT is in use by another process: stop it first"
  STOP_ALL_ON_FAILURE=false  # the others go on
  start_session "$i"
  say "session server $i runs again at $(session_addr "$i"):$SESSION_PORT ($(session_public "$i")); the backends take it back at their next poll"
}

status() {
  load_settings
  check_settings
  local name pid
  for file in "$DIR"/pids/*; do
    [[ -e "$file" ]] || continue
    name=$(basename "$file")
    if pid=$(pid_of "$name"); then echo "$name: running (pid $pid)"; else echo "$name: not running"; fi
  done
  local fleet
  for j in $(seq "$BACKENDS"); do
    if fleet=$(admin_get "$(backend_addr "$j"):$BACKEND_ADMIN_PORT" /api/fleet); then
      echo "backend-$j's view: $(grep -o '"host":"[^"]*","adminHost":"[^"]*","state":"[a-z]*"' <<<"$fleet" |
        sed 's/"host":"\([^"]*\)".*"state":"\([a-z]*\)"/\1 \2/' | paste -sd,)"
    else
      echo "backend-$j: its operators' listener does not answer"
    fi
  done
}

case "${1:-start}" in
  start) shift || true; start "$@" ;;
  --detach) start --detach ;;
  stop) load_settings; check_settings; stop_all ;;
  session) restart_session "${2:-}" ;;
  status) status ;;
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' ;;
  *) die "unknown command $1: start [--detach], stop, session N, status, --help" ;;
esac
