#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite, then the unit tests again under
# AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/), then each fuzz target briefly
# (build-fuzz/). Exit code: the first stage that failed.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${ES_JOBS:-2}"

# ctest cuts a test name at ';' and would run nothing under it.
if grep -rn 'TEST_CASE("[^"]*;' tests/ || grep -rn -A1 'TEST_CASE($' tests/ | grep '^[^:]*-[0-9]*- *"[^"]*;'; then
  echo "test.sh: test names must not contain ';'" >&2
  exit 1
fi

scripts/setup.sh
(cd build && ctest --output-on-failure -j "$jobs")

cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DES_SANITIZE=ON
unit_targets=$(sed -n 's/^es_test_suite(\(unit_[a-z_]*\) .*/\1/p' tests/CMakeLists.txt)
cmake --build build-asan -j "$jobs" --target $unit_targets
# PoCL's pthread device keeps worker threads that LeakSanitizer cannot stop at exit: the GPU tests
# run on its single-threaded device here. tests/lsan.supp names the libraries' own leaks.
(cd build-asan && POCL_DEVICES=basic ASAN_OPTIONS=detect_leaks=1 \
  LSAN_OPTIONS="suppressions=$PWD/../tests/lsan.supp" ctest --output-on-failure -j "$jobs" -L unit)

scripts/fuzz.sh --time "${ES_FUZZ_SECONDS:-15}"
