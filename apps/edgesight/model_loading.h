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
};

// Registers `--extensions FILE.json` (repeatable) on a command that reads MODEL.
void add_extensions_option(CLI::App& command, ImportOptions& options);

// Reads MODEL as the command line names it (IR `.xml` + `.bin`, `.onnx`, or TensorFlow: a
// frozen `.pb`, a SavedModel directory, a TF.js `model.json`), unoptimized.
graph::Model import_model(const std::string& path, const ImportOptions& options = {});

// Loads MODEL as the command line names it: an IR `.xml` (with its `.bin` beside it), or an
// ONNX or TensorFlow model, converted and optimized in memory.
graph::Model load_model(const std::string& path, const ImportOptions& options = {});

// Applies `--shape NAME=1,3,H,W` overrides (NAME may be omitted for one-input models).
void apply_shape_overrides(graph::Model& model, const std::vector<std::string>& overrides);

// "name" with every character outside [A-Za-z0-9._-] replaced by '_', for output file names.
std::string file_name_for(const std::string& tensor_name);

}  // namespace es::app
