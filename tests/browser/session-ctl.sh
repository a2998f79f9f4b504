#!/usr/bin/env bash
# session-ctl.sh start|stop: the browser test's session server, on
# $SESSION_PORT, its pid in $PID_FILE, with the message limit in
# $E2E_MESSAGES_PER_SECOND / $E2E_MESSAGES_BURST when set. The reconnect test
# stops it and starts it again on the same port.
set -euo pipefail
cd "$(dirname "$0")/../.."
case "$1" in
  start)
    limits=()
    rate="${E2E_MESSAGES_PER_SECOND:-}"
    [[ -n "$rate" ]] && limits+=(--messages-per-second "$rate")
    [[ -n "${E2E_MESSAGES_BURST:-}" ]] && limits+=(--messages-burst "$E2E_MESSAGES_BURST")
    "${SESSION_BIN:-./bazel-bin/server/session/session}" --port "$SESSION_PORT" \
      --advertised-host "127.0.0.1:$SESSION_PORT" --shutdown-grace 1 --admission-exempt 127.0.0.0/8 \
      "${limits[@]}" \
      >>"$LOG_DIR/browser-session.log" 2>&1 &
    echo $! >"$PID_FILE"
    for _ in $(seq 100); do
      curl -fs "http://127.0.0.1:$SESSION_PORT/healthz" >/dev/null 2>&1 && exit 0
      sleep 0.1
    done
    echo "session server did not start on port $SESSION_PORT" >&2
    exit 1
    ;;
  stop)
    pid=$(cat "$PID_FILE")
    kill -TERM "$pid" 2>/dev/null || exit 0
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
