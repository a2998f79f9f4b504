#!/usr/bin/env bash
# Kills the session server that holds the most users, as a crash would (a
# fault for `loadgen --scenario failover`): reads the fleet from the backend's
# operators' listener (GET /api/fleet), the chosen server's pid from its own
# operators' listener (GET /status at the fleet's adminHost), sends it the
# signal, and prints which server it was. Only a server on this machine can
# be killed. Needs curl and node.
#   scripts/kill-busiest-server.sh <backend admin URL> [--admin-token T] [--signal KILL]
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/kill-busiest-server.sh <backend admin URL> [--admin-token T] [--signal KILL]

  <backend admin URL>  the backend's operators' listener, e.g. http://127.0.0.1:8081
                       (the backend prints it at start: "backend: admin on ...")
  --admin-token T      its bearer secret, when it has one (default: $ADMIN_TOKEN);
                       sent to the session server's listener too
  --signal NAME        the signal to send (default KILL: no drain, no goodbye)

Prints the server killed; exits 1 when no server can be chosen or killed, 2 on bad usage.
USAGE
}

fail() { echo "kill-busiest-server: $*" >&2; exit 1; }

admin_url=""
token="${ADMIN_TOKEN:-}"
signal="KILL"
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --admin-token) [ $# -ge 2 ] || { usage >&2; exit 2; }; token="$2"; shift 2 ;;
    --admin-token=*) token="${1#*=}"; shift ;;
    --signal) [ $# -ge 2 ] || { usage >&2; exit 2; }; signal="$2"; shift 2 ;;
    --signal=*) signal="${1#*=}"; shift ;;
    -*) echo "kill-busiest-server: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) [ -z "$admin_url" ] || { echo "kill-busiest-server: one URL only" >&2; exit 2; }
       admin_url="${1%/}"; shift ;;
  esac
done
[ -n "$admin_url" ] || { usage >&2; exit 2; }
case "$admin_url" in
  http://*|https://*) ;;
  *) echo "kill-busiest-server: the backend admin URL must start with http:// or https:// (got '$admin_url')" >&2; exit 2 ;;
esac
signal="${signal#SIG}"
kill -l "$signal" >/dev/null 2>&1 || { echo "kill-busiest-server: unknown signal '$signal'" >&2; exit 2; }
for tool in curl node; do
  command -v "$tool" >/dev/null || fail "$tool is missing (scripts/install-deps.sh installs it)"
done

# GET with the token, if any; the body, or a failure naming the URL and the answer.
get() {
  local url="$1" body status
  local auth=()
  [ -z "$token" ] || auth=(-H "Authorization: Bearer $token")
  body="$(curl -sS --max-time 10 "${auth[@]}" -w '\n%{http_code}' "$url")" ||
    fail "no answer from $url (is it the operators' listener, and up?)"
  status="${body##*$'\n'}"
  body="${body%$'\n'*}"
  case "$status" in
    200) printf '%s' "$body" ;;
    401) fail "$url answered 401: give its token with --admin-token (or ADMIN_TOKEN)" ;;
    *) fail "$url answered $status: $body" ;;
  esac
}

# Runs a small node program on JSON from stdin: prints its answer, or fails with its message.
json() {
  node -e "$1" "${@:2}" 2>&1 || return 1
}

fleet="$(get "$admin_url/api/fleet")"
# "<id> <host> <adminHost> <users> <rooms>" of the ready server with the most users.
chosen="$(printf '%s' "$fleet" | json '
  let text = "";
  process.stdin.on("data", (d) => (text += d)).on("end", () => {
    let fleet;
    try { fleet = JSON.parse(text); } catch { console.log("the answer is not JSON"); process.exit(1); }
    const servers = (Array.isArray(fleet.servers) ? fleet.servers : [])
      .filter((s) => s && s.state === "ready" && s.adminHost && s.host);
    if (!servers.length) { console.log("no ready session server with an admin listener in the fleet"); process.exit(1); }
    servers.sort((a, b) => (b.users ?? 0) - (a.users ?? 0) || (b.rooms ?? 0) - (a.rooms ?? 0));
    const s = servers[0];
    console.log([s.id, s.host, s.adminHost, s.users ?? 0, s.rooms ?? 0].join(" "));
  });')" || fail "cannot choose a server from $admin_url/api/fleet: $chosen"
read -r id host admin_host users rooms <<<"$chosen"

status="$(get "http://$admin_host/status")"
pid="$(printf '%s' "$status" | json '
  let text = "";
  process.stdin.on("data", (d) => (text += d)).on("end", () => {
    let status;
    try { status = JSON.parse(text); } catch { console.log("the answer is not JSON"); process.exit(1); }
    // The listener must be the chosen server'"'"'s: a pid from another would kill the wrong one.
    if (status.host !== process.argv[1]) { console.log(`it is the listener of ${status.host}, not of ${process.argv[1]}`); process.exit(1); }
    if (!Number.isInteger(status.pid) || status.pid <= 1) { console.log("it names no pid"); process.exit(1); }
    console.log(status.pid);
  });' "$host")" || fail "cannot read the pid of $id from http://$admin_host/status: $pid"

kill -0 "$pid" 2>/dev/null ||
  fail "$id ($host) has pid $pid, which is not a process this user can signal here (is it on another machine?)"
kill -s "$signal" "$pid" || fail "kill -s $signal $pid failed"
echo "killed $id ($host, pid $pid, $users users in $rooms rooms) with SIG$signal"
