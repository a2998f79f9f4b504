#!/usr/bin/env bash
# Writes docs/SETTINGS.md, every binary's settings as its own --help prints
# them (names, defaults, ranges, environment variables), so the reference is
# never written by hand. --check writes nothing and fails when the file is
# stale (tests/docs/docs.test.mjs). Needs the binaries built: bazel build //...
#
#   scripts/settings-doc.sh [--check]
set -euo pipefail
cd "$(dirname "$0")/.."

generate() {
  cat <<'HEADER'
# Settings

Every flag of every binary, as its `--help` prints it: the default after
`=`, the accepted values or range, and the environment variable that may set
it. Written by `scripts/settings-doc.sh` from the binaries themselves (do not
edit by hand; `tests/docs/docs.test.mjs` fails when this file is stale). What
the settings are for: [README.md](../README.md), [DEPLOY.md](DEPLOY.md),
[PROTOCOL.md](PROTOCOL.md), [sim/README.md](../sim/README.md),
[loadgen/README.md](../loadgen/README.md).
HEADER
  section "Backend" "bazel-bin/server/backend/backend" --help
  section "Session server" "bazel-bin/server/session/session" --help
  section "Simulator" "bazel-bin/sim/sim" --help
  section "Simulator: fault exploration" "bazel-bin/sim/sim" --explore --help
  section "Load generator" "bazel-bin/loadgen/loadgen" --help
  section "chatctl" "bazel-bin/server/ctl/chatctl" --help
  section "chatctl fleet" "bazel-bin/server/ctl/chatctl" fleet --help
  section "chatctl drain" "bazel-bin/server/ctl/chatctl" drain --help
  section "Trace merge" "bazel-bin/trace/merge" --help
}

# One binary's help, run with an empty environment so that no variable set
# here shows up as a default.
section() {
  local title=$1 binary=$2
  shift 2
  [[ -x "$binary" ]] || { echo "settings-doc: $binary is not built: bazel build //..." >&2; exit 2; }
  printf '\n## %s\n\n`%s %s`\n\n```\n' "$title" "$binary" "$*"
  env -i PATH="$PATH" "$binary" "$@" 2>&1 | sed -e 's/[[:space:]]*$//'
  printf '```\n'
}

if [[ "${1:-}" == "--check" ]]; then
  if ! diff -u docs/SETTINGS.md <(generate) >/dev/null; then
    diff -u docs/SETTINGS.md <(generate) | head -40 >&2 || true
    echo "settings-doc: docs/SETTINGS.md is stale: run scripts/settings-doc.sh" >&2
    exit 1
  fi
  echo "settings-doc: docs/SETTINGS.md is up to date"
else
  generate >docs/SETTINGS.md
  echo "settings-doc: wrote docs/SETTINGS.md"
fi
