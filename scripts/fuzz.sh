#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang into build-fuzz/ and runs each for a
# bounded time on its seeds (tests/fuzz/seeds/TARGET) and the models of ../shared.
#   scripts/fuzz.sh [--time S] [TARGET...]    S seconds per target (default 60); all targets
# Exit 0 when no target crashed; 1 naming each crash file (build-fuzz/crashes/TARGET/). A crash
# becomes a regression case: copy it to tests/fuzz/regressions/TARGET/ and fix it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
seconds=60
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --time) seconds="$2"; shift 2 ;;
    -*) echo "fuzz: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(ir onnx tf_graph saved_model tfjs npy config)
shared="${EDGESIGHT_SHARED_DIR:-$root/../shared}"
[ -d "$shared/models/ir" ] || { echo "fuzz: $shared/models/ir not found (EDGESIGHT_SHARED_DIR)" >&2; exit 2; }

# Warnings stay errors in the gcc build (build/); clang's own extra ones do not stop fuzzing.
mkdir -p build-fuzz
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DES_FUZZ=ON -DES_BUILD_TESTS=OFF -DES_WERROR=OFF > build-fuzz/configure.log 2>&1 ||
  { cat build-fuzz/configure.log >&2; exit 1; }
cmake --build build-fuzz -j "${ES_JOBS:-2}" --target "${targets[@]/#/fuzz_}"

# A 4-byte little-endian length before each part but the last (tests/fuzz/fuzz_input.h).
pack() {
  while [ $# -gt 1 ]; do
    local n; n=$(stat -c %s "$1")
    printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $((n & 255)) $((n >> 8 & 255)) \
      $((n >> 16 & 255)) $((n >> 24 & 255)))"
    cat "$1"; shift
  done
  cat "$1"
}

# The seeds of ../shared that fit the fuzzers' input size: small IRs (xml + bin), the ONNX
# conformance models, the reference .npy files.
shared_seeds() {
  local corpus="$1"
  case "$2" in
    ir) find "$shared/models/ir" -name '*.bin' -size -400k | while read -r bin; do
          pack "${bin%.bin}.xml" "$bin" > "$corpus/shared-$(basename "$(dirname "$(dirname "$bin")")")-$(basename "$(dirname "$bin")")"
        done ;;
    onnx) find "$shared/conformance/onnx" -name model.onnx -size -8k | sort | head -300 |
            while read -r model; do cp "$model" "$corpus/shared-$(basename "$(dirname "$model")").onnx"; done ;;
    npy) find "$shared/models/onnx/references" -name '*.npy' -size -64k | head -50 |
           while read -r npy; do cp "$npy" "$corpus/shared-$(basename "$npy")"; done ;;
  esac
}

crashed=()
for target in "${targets[@]}"; do
  corpus="build-fuzz/corpus/$target"
  crashes="build-fuzz/crashes/$target"
  mkdir -p "$corpus" "$crashes"
  cp tests/fuzz/seeds/"$target"/* "$corpus"/
  [ ! -d "tests/fuzz/regressions/$target" ] || cp tests/fuzz/regressions/"$target"/* "$corpus"/
  shared_seeds "$corpus" "$target"
  echo "fuzz: $target for ${seconds}s on $(ls "$corpus" | wc -l) inputs"
  # -malloc_limit_mb: no single allocation of a malformed input may reach 512 MiB
  if ! build-fuzz/fuzz/fuzz_"$target" "$corpus" -max_total_time="$seconds" -max_len=1048576 \
      -timeout=20 -rss_limit_mb=2048 -malloc_limit_mb=512 -artifact_prefix="$crashes/" \
      -print_final_stats=1 > "build-fuzz/$target.log" 2>&1; then
    tail -n 60 "build-fuzz/$target.log" >&2
    crashed+=("$target: $(ls "$crashes" | sed "s|^|$crashes/|" | tr '\n' ' ')")
  fi
  grep -E '^stat::number_of_executed_units|^Done' "build-fuzz/$target.log" || true
done
if [ ${#crashed[@]} -gt 0 ]; then
  printf 'fuzz: crashed: %s\n' "${crashed[@]}" >&2
  exit 1
fi
echo "fuzz: no crashes"
