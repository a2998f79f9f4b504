#!/usr/bin/env bash
# Builds the fuzz targets (fuzz/, with clang's libFuzzer, ASan and UBSan)
# and runs each for as long as asked, one at a time.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]   run every target (or the named
#                                           ones) SECONDS each (default 60)
#   scripts/fuzz.sh --check SECONDS         the same, as test.sh runs it:
#                                           ends with "N passed, N failed"
#   scripts/fuzz.sh --build                 build only
#
# TARGET is a file name in fuzz/ without "_fuzzer.cc" (jwt, room, ...).
# Each run starts from the seeds committed in fuzz/corpus/TARGET and from
# what earlier runs found, kept in artifacts/fuzz/corpus/TARGET (not in
# git). A crash, a leak, a timeout or a broken invariant fails the target;
# the input that caused it is saved in artifacts/fuzz/crashes/TARGET/, and
# `artifacts/fuzz/TARGET_fuzzer FILE` replays it.
set -uo pipefail
cd "$(dirname "$0")/.."

OUT="${FUZZ_OUT:-artifacts/fuzz}"
check=0
build_only=0
case "${1:-}" in
  --check) check=1; shift ;;
  --build) build_only=1; shift ;;
esac
seconds=60
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then seconds=$1; shift; fi

targets=("$@")
if ((${#targets[@]} == 0)); then
  for source in fuzz/*_fuzzer.cc; do
    name=${source#fuzz/}
    targets+=("${name%_fuzzer.cc}")
  done
fi
binaries=()
for target in "${targets[@]}"; do
  if [[ ! -f "fuzz/${target}_fuzzer.cc" ]]; then
    echo "fuzz: no target \"$target\" (fuzz/${target}_fuzzer.cc); see fuzz/README.md" >&2
    exit 2
  fi
  binaries+=("${target}_fuzzer")
done

if ! command -v clang++-14 >/dev/null; then
  echo "fuzz: clang++-14 is missing: run scripts/install-deps.sh" >&2
  [[ $check == 1 ]] && echo "0 passed, 1 failed"
  exit 1
fi
build_started=$SECONDS
if ! make -s -f fuzz/Makefile -j"${FUZZ_JOBS:-2}" OUT="$OUT" TARGETS="${binaries[*]}"; then
  echo "fuzz: the build failed" >&2
  [[ $check == 1 ]] && echo "0 passed, 1 failed"
  exit 1
fi
echo "fuzz: built in $((SECONDS - build_started)) s"
[[ $build_only == 1 ]] && exit 0

passed=0
failed=0
for target in "${targets[@]}"; do
  corpus="$OUT/corpus/$target"
  crashes="$OUT/crashes/$target"
  log="$OUT/logs/$target.log"
  mkdir -p "$corpus" "$crashes" "$(dirname "$log")"
  # New inputs go to the first directory (artifacts/), the committed seeds
  # are only read. One process, one job: the machine is shared.
  ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" \
    "$OUT/${target}_fuzzer" "$corpus" "fuzz/corpus/$target" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
    -artifact_prefix="$crashes/" -print_final_stats=1 >"$log" 2>&1
  status=$?
  runs=$(grep -oP '^stat::number_of_executed_units:\s*\K\d+' "$log" | tail -1)
  cov=$(grep -oP '\bcov: \K\d+' "$log" | tail -1)
  if [[ $status -eq 0 ]]; then
    passed=$((passed + 1))
    echo "fuzz $target: ok, ${runs:-?} runs, cov ${cov:-?}, ${seconds} s"
  else
    failed=$((failed + 1))
    echo "fuzz $target: FAILED (exit $status), ${runs:-?} runs, cov ${cov:-?}; log $log"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*invariant broken|.*runtime error)' "$log" | head -5
    grep -E 'Test unit written to' "$log" | tail -1
  fi
done
echo "${passed} passed, ${failed} failed"
[[ $failed -eq 0 ]]
