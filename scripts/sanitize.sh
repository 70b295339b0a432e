#!/usr/bin/env bash
# Runs the tests whose code runs on several threads — the async runtime, MQTT publishing and
# reconnects, GStreamer sources, and `edgesight run` end to end (reloads, broker outages, outputs)
# — under a sanitizer:
#
#   scripts/sanitize.sh address   AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/), with
#                                 tests/asan.supp and tests/lsan.supp naming the library faults
#                                 and allocations it cannot mend
#   scripts/sanitize.sh thread    ThreadSanitizer (build-tsan/), with tests/tsan.supp naming the
#                                 libraries that are not built with it
#
# The edgesight binary the run tests start is built with the same sanitizer, so a report in it
# fails its test. Exit code: non-zero when a test or a sanitizer failed.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${ES_JOBS:-2}"
# The slow-model test measures how far latency and memory stay bounded while the reference
# kernels take 100 ms a frame; unoptimized ASan code takes 10 s, so it has nothing to measure.
skip=""
case "${1:-}" in
  address) dir=build-asan option=-DES_SANITIZE=ON build_type=Debug
           skip="run: a 60 fps source into a slow model*" ;;
  thread) dir=build-tsan option=-DES_TSAN=ON build_type=RelWithDebInfo ;;
  *) echo "usage: scripts/sanitize.sh address|thread" >&2; exit 2 ;;
esac
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" "$option" >/dev/null
cmake --build "$dir" -j "$jobs" --target edgesight unit_runtime pipeline_io integration_run
export ASAN_OPTIONS="detect_leaks=1 suppressions=$PWD/tests/asan.supp"
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp"
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/tests/tsan.supp"
status=0
for suite in unit_runtime pipeline_io integration_run; do
  echo "sanitize.sh: $1: $suite"
  "$dir/tests/$suite" --test-case-exclude="$skip" || status=1
done
exit "$status"
