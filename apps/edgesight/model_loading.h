#pragma once

#include "inference/graph/model.h"

#include <string>
#include <vector>

namespace es::app {

// Reads MODEL as the command line names it (IR `.xml` + `.bin`, `.onnx`, or TensorFlow: a
// frozen `.pb`, a SavedModel directory using `signature`, a TF.js `model.json`), unoptimized.
graph::Model import_model(const std::string& path,
                          const std::string& signature = "serving_default");

// Loads MODEL as the command line names it: an IR `.xml` (with its `.bin` beside it), or an
// ONNX model, converted and optimized in memory.
graph::Model load_model(const std::string& path);

// Applies `--shape NAME=1,3,H,W` overrides (NAME may be omitted for one-input models).
void apply_shape_overrides(graph::Model& model, const std::vector<std::string>& overrides);

// "name" with every character outside [A-Za-z0-9._-] replaced by '_', for output file names.
std::string file_name_for(const std::string& tensor_name);

}  // namespace es::app
