#!/usr/bin/env bash
# Installs what is missing and runs every test: unit and property tests
# (Bazel, also under ASan+UBSan), integration and hostile-client tests
# against the real binaries, the dashboards and alerts against a real Prometheus, the web
# client's unit tests and its tests in a real Chromium.
# The room's and session server's tests, and the integration tests, also run
# under ThreadSanitizer. The fuzz targets (fuzz/) run for FUZZ_SECONDS
# each (15). Ends with "N passed, N failed". SKIP_ASAN=1, SKIP_TSAN=1 and
# SKIP_FUZZ=1 skip the sanitizer and fuzz runs.
set -uo pipefail
cd "$(dirname "$0")"

./scripts/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

LOGS="${TEST_LOGS:-artifacts/test-logs}"
mkdir -p "$LOGS"
export ARTIFACTS_DIR="${ARTIFACTS_DIR:-$PWD/artifacts}"
passed=0
failed=0
summary=()

record() {  # name passed failed
  passed=$((passed + $2))
  failed=$((failed + $3))
  summary+=("$(printf '%-28s %4d passed, %d failed' "$1" "$2" "$3")")
}

# Bazel prints one line per test target: //pkg:target  PASSED in 0.1s
# BAZEL_STARTUP: startup options; TARGETS: what to test (default //...).
bazel_tests() {  # name, then bazel flags
  local name=$1 log="$LOGS/$1.log"
  shift
  bazel ${BAZEL_STARTUP:-} test "$@" ${TARGETS:-//...} >"$log" 2>&1
  local status=$?
  local ok bad
  ok=$(grep -cE '^//[^ ]+ +(\(cached\) )?PASSED' "$log")
  bad=$(grep -cE '^//[^ ]+ +(\(cached\) )?(FAILED|TIMEOUT|FLAKY|NO STATUS|INCOMPLETE)' "$log")
  if [[ $status -ne 0 && $bad -eq 0 ]]; then bad=1; tail -30 "$log"; fi  # a build failure
  grep -E '^//[^ ]+ +.*(FAILED|TIMEOUT)' "$log" || true
  record "$name" "$ok" "$bad"
}

# node --test prints "# pass N" and "# fail N".
node_tests() {  # name, dir, command...
  local name=$1 dir=$2 log="$LOGS/$1.log"
  shift 2
  (cd "$dir" && "$@") >"$log" 2>&1
  local status=$?
  local ok bad
  ok=$(grep -oP '^# pass \K\d+' "$log" | tail -1)
  bad=$(grep -oP '^# fail \K\d+' "$log" | tail -1)
  ok=${ok:-0}
  bad=${bad:-0}
  if [[ $status -ne 0 && $bad -eq 0 ]]; then bad=1; fi
  if [[ $bad -ne 0 ]]; then grep -E '^\s*not ok' "$log" | head -20; tail -30 "$log"; fi
  record "$name" "$ok" "$bad"
}

# Lines "N passed, N failed" (our scripts) or Vitest's "Tests  N passed (N)".
counted_tests() {  # name, dir, command...
  local name=$1 dir=$2 log="$LOGS/$1.log"
  shift 2
  (cd "$dir" && NO_COLOR=1 "$@") >"$log" 2>&1
  local status=$?
  sed -i 's/\x1b\[[0-9;]*m//g' "$log"  # colour codes, if any
  local ok bad
  ok=$(grep -oP '^\s*(Tests\s+)?\K\d+(?= passed)' "$log" | tail -1)
  bad=$(grep -oP '\b\K\d+(?= failed)' "$log" | tail -1)
  ok=${ok:-0}
  bad=${bad:-0}
  if [[ $status -ne 0 && $bad -eq 0 ]]; then bad=1; fi
  if [[ $bad -ne 0 ]]; then tail -40 "$log"; fi
  record "$name" "$ok" "$bad"
}

if [[ "${SKIP_ASAN:-0}" != 1 ]]; then
  echo "test: unit and property tests under ASan+UBSan"
  bazel_tests "bazel test --config=asan" --config=asan --test_output=errors
  # Keep the sanitized servers: the default build below overwrites bazel-bin.
  ASAN_BIN="$PWD/artifacts/asan-bin"
  mkdir -p "$ASAN_BIN"
  cp -f bazel-bin/server/session/session bazel-bin/server/backend/backend "$ASAN_BIN/" 2>/dev/null
fi

if [[ "${SKIP_TSAN:-0}" != 1 ]]; then
  echo "test: room and session tests under ThreadSanitizer"
  tsan_started=$SECONDS
  # Its own output base (and Bazel server): a --config=tsan build in the
  # default one would throw away the analysis cache every other step uses.
  # The disk cache is shared. --config=tsan creates no bazel-bin link.
  TSAN_OUTPUT_BASE="${TSAN_OUTPUT_BASE:-$HOME/.cache/scalable-chat-bazel-tsan}"
  BAZEL_STARTUP="--output_base=$TSAN_OUTPUT_BASE" \
    TARGETS="//server/room/... //server/session/... //server:session //server:backend" \
    bazel_tests "bazel test --config=tsan" --config=tsan --test_output=errors
  TSAN_BIN="$PWD/artifacts/tsan-bin"
  rm -rf "$TSAN_BIN"
  mkdir -p "$TSAN_BIN"
  # Only binaries of this tree: after a failed build, the output base may
  # still hold older ones.
  if bazel --output_base="$TSAN_OUTPUT_BASE" build --config=tsan //server:session //server:backend \
    >>"$LOGS/bazel test --config=tsan.log" 2>&1; then
    tsan_out=$(bazel --output_base="$TSAN_OUTPUT_BASE" info --config=tsan bazel-bin 2>/dev/null)
    cp -f "$tsan_out/server/session/session" "$tsan_out/server/backend/backend" "$TSAN_BIN/"
  fi
  bazel --output_base="$TSAN_OUTPUT_BASE" shutdown >/dev/null 2>&1 || true
  tsan_seconds=$((SECONDS - tsan_started))
fi

# Built last in the default configuration, so bazel-bin/ holds the binaries
# the integration and browser tests start.
echo "test: building everything"
if ! bazel build //... >"$LOGS/build.log" 2>&1; then
  tail -40 "$LOGS/build.log"
  record "bazel build //..." 0 1
fi
(cd client-web && npm run build --silent) >"$LOGS/client-build.log" 2>&1 || {
  tail -30 "$LOGS/client-build.log"; record "client-web build" 0 1; }

echo "test: the docs (links, flags, docs/SETTINGS.md against the binaries)"
node_tests "docs" tests node --test --test-concurrency=1 docs/

echo "test: unit and property tests (Bazel)"
bazel_tests "bazel test" --test_output=errors
# A bounded run of the fault exploration, through the command researchers
# use (its own seeds: sim:explore_test runs others). Exit 0: every seed held.
explore_seeds="${EXPLORE_SEEDS:-200}"
echo "test: fault exploration of the control plane (sim --explore), $explore_seeds seeds"
if bazel-bin/sim/sim --explore --seeds "$explore_seeds" --seed 1000000 >"$LOGS/explore.log" 2>&1; then
  record "explore ($explore_seeds seeds)" 1 0
else
  tail -30 "$LOGS/explore.log"
  record "explore ($explore_seeds seeds)" 0 1
fi

echo "test: integration tests against the real binaries"
node_tests "integration" tests node --test --test-concurrency=1 --test-timeout=120000 integration/
if [[ -x "${ASAN_BIN:-}/session" ]]; then
  echo "test: integration tests against the ASan+UBSan binaries"
  SESSION_BIN="$ASAN_BIN/session" BACKEND_BIN="$ASAN_BIN/backend" ASAN_OPTIONS=detect_leaks=1 \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    node_tests "integration under ASan" tests node --test --test-concurrency=1 --test-timeout=120000 integration/
fi
if [[ -x "${TSAN_BIN:-}/session" ]]; then
  echo "test: integration tests against the ThreadSanitizer binaries"
  tsan_started=$SECONDS
  # One file per report, so a race in a server whose exit no test checks
  # still fails the step.
  tsan_reports="$(realpath -m "$LOGS")/tsan-reports"
  rm -rf "$tsan_reports"
  mkdir -p "$tsan_reports"
  SESSION_BIN="$TSAN_BIN/session" BACKEND_BIN="$TSAN_BIN/backend" \
    TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 log_path=$tsan_reports/report" \
    node_tests "integration under TSan" tests node --test --test-concurrency=1 --test-timeout=120000 integration/
  if compgen -G "$tsan_reports/report*" >/dev/null; then
    head -60 "$tsan_reports"/report*
    record "ThreadSanitizer reports" 0 1
  fi
  echo "test: ThreadSanitizer took $((tsan_seconds + SECONDS - tsan_started)) s"
fi

echo "test: hostile clients against the real binaries (slowloris, floods, garbage, forged Host)"
node_tests "hostile" tests node --test --test-concurrency=1 --test-timeout=180000 hostile/

echo "test: load generator against the real stack (small scale)"
counted_tests "loadgen" . node tests/loadgen/loadgen_test.mjs

echo "test: the agreement command (simulator against a real local fleet) on a tiny trace"
node_tests "agreement" tests node --test --test-concurrency=1 --test-timeout=300000 agreement/

echo "test: the multi-host deployment rehearsed on loopback (deploy/rehearse.sh: HAProxy, TLS, 3 backends)"
node_tests "deploy rehearsal" tests node --test --test-concurrency=1 --test-timeout=300000 deploy/

echo "test: dashboards, Prometheus rules and alerts against a real Prometheus"
counted_tests "monitoring" . node tests/monitoring/monitoring_test.mjs

if [[ "${SKIP_FUZZ:-0}" != 1 ]]; then
  echo "test: fuzz targets (libFuzzer, ASan+UBSan), ${FUZZ_SECONDS:-15} s each"
  fuzz_started=$SECONDS
  # A crash or leak fails its target; the input is kept in artifacts/fuzz/crashes/.
  counted_tests "fuzz" . scripts/fuzz.sh --check "${FUZZ_SECONDS:-15}"
  echo "test: fuzzing took $((SECONDS - fuzz_started)) s"
fi

echo "test: web client unit tests (Vitest)"
counted_tests "client-web unit" client-web npx vitest run

echo "test: web client in Chromium against the real servers"
counted_tests "client-web browser" . tests/browser/run.sh

bazel shutdown >/dev/null 2>&1 || true
echo
printf '%s\n' "${summary[@]}"
echo "${passed} passed, ${failed} failed"
[[ $failed -eq 0 ]]
