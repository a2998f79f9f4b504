#!/usr/bin/env bash
# Builds what the agreement run needs (default configuration) and runs it:
#   tests/agreement/agree.sh --trace FILE [--speed 10] [--policy best-fit] ...
# (all flags: node tests/agreement/agree.mjs --help). Prints the real and the
# simulated figures side by side; the run's files stay in --out (default: a
# fresh folder under /tmp, named on stderr).
set -euo pipefail
cd "$(dirname "$0")/../.."
bazel build --noshow_progress //server/backend:backend //server/session:session //loadgen //sim \
  //trace:merge >&2
# The default configuration's outputs, whatever bazel-bin points at after
# someone's -c opt build.
export BIN="${BIN:-$(bazel info bazel-bin 2>/dev/null)}"
exec node tests/agreement/agree.mjs "$@"
