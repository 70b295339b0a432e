#pragma once

#include "inference/graph/model.h"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace es::app {

// How a MODEL that is not IR is converted.
struct ImportOptions {
    std::string signature = "serving_default";  // of a SavedModel
    std::vector<std::string> extensions;        // JSON files mapping unknown ops to IR ops
    std::vector<std::string> shapes;            // "[NAME=]1,3,H,W": an input's shape
    std::vector<std::string> values;            // "NAME=V[,V...]": a TensorFlow input's value
};

// Registers `--extensions FILE.json`, `--shape [NAME=]DIMS` and `--value NAME=VALUES`
// (each repeatable) on a command that reads MODEL.
void add_model_options(CLI::App& command, ImportOptions& options);

// Reads MODEL as the command line names it (IR `.xml` + `.bin`, `.onnx`, or TensorFlow: a
// frozen `.pb`, a SavedModel directory, a TF.js `model.json`), unoptimized, with the input
// shapes the options give. A TensorFlow model gets its shapes and values while it is read, so
// that control flow depending on them folds.
graph::Model import_model(const std::string& path, const ImportOptions& options = {});

// Loads MODEL as the command line names it: an IR `.xml` (with its `.bin` beside it), or an
// ONNX or TensorFlow model, converted and optimized in memory.
graph::Model load_model(const std::string& path, const ImportOptions& options = {});

// "name" with every character outside [A-Za-z0-9._-] replaced by '_', for output file names.
std::string file_name_for(const std::string& tensor_name);

}  // namespace es::app
