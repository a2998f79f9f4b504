#!/usr/bin/env bash
# Starts the real backend (serving client-web/dist) and a session server on
# free loopback ports, runs the browser tests in Debian's Chromium against
# them (first the screens with everything mocked in the browser, then the
# end-to-end test), and stops both; then the failover test, which starts its
# own Redis and a backend with a local fleet. Ends with the sum:
# "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/../.."

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
export SESSION_PORT=$(free_port)
BACKEND_PORT=$(free_port)
export JWT_SECRET="$(head -c 32 /dev/urandom | base64)"  # both binaries refuse < 32 bytes
export ARTIFACTS_DIR="${ARTIFACTS_DIR:-$PWD/artifacts}"
mkdir -p "$ARTIFACTS_DIR"
export LOG_DIR="${TEST_LOGS:-$ARTIFACTS_DIR}"
export PID_FILE=$(mktemp)
# A known per-user message limit, so the burst test knows how many of its
# messages the server must refuse however fast this machine types.
export E2E_MESSAGES_PER_SECOND="${E2E_MESSAGES_PER_SECOND:-1}"
export E2E_MESSAGES_BURST="${E2E_MESSAGES_BURST:-5}"
# Resolved now: bazel-bin/ follows whatever Bazel built last.
export SESSION_BIN=$(readlink -f bazel-bin/server/session/session)
export BACKEND_BIN=$(readlink -f bazel-bin/server/backend/backend)

backend_pid=""
cleanup() {
  tests/browser/session-ctl.sh stop || true
  [[ -n "$backend_pid" ]] && kill -TERM "$backend_pid" 2>/dev/null
  wait 2>/dev/null || true
  rm -f "$PID_FILE"
}
trap cleanup EXIT

tests/browser/session-ctl.sh start
# The tests' bots (a room filled with 100 users) log in from this machine:
# exempt from admission control, like any load generator.
SESSION_SERVER_HOST="127.0.0.1:$SESSION_PORT" "$BACKEND_BIN" \
  --port "$BACKEND_PORT" --static-dir client-web/dist --admission-exempt 127.0.0.0/8 \
  >"$LOG_DIR/browser-backend.log" 2>&1 &
backend_pid=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$BACKEND_PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done

export BASE_URL="http://127.0.0.1:$BACKEND_PORT"
export E2E_SESSION_STOP_CMD="$PWD/tests/browser/session-ctl.sh stop"
export E2E_SESSION_START_CMD="$PWD/tests/browser/session-ctl.sh start"

# Each script ends with "N passed, N failed"; the last line adds them up.
passed=0 failed=0
run_script() {  # script [VAR=value...]
  local script=$1 out rc=0
  shift
  out=$(mktemp)
  env "$@" node "client-web/e2e/$script" | tee "$out" || rc=$?
  local counts
  counts=$(grep -oP '^\d+ passed, \d+ failed$' "$out" | tail -1) || true  # none: it crashed
  rm -f "$out"
  local ok=${counts%% passed*} bad=${counts##*, }
  bad=${bad%% failed}
  passed=$((passed + ${ok:-0}))
  if [[ -z "$counts" || ( $rc -ne 0 && ${bad:-0} -eq 0 ) ]]; then bad=1; fi
  failed=$((failed + ${bad:-0}))
}
# the same built page with the API and session server mocked in the browser
run_script mock-screens.mjs ARTIFACTS_DIR="$ARTIFACTS_DIR/mocked"
run_script chat.e2e.mjs
# its own servers: a private Redis and a local fleet the test kills one of
run_script failover.e2e.mjs
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
