#pragma once

#include "inference/frontends/common/extension.h"
#include "inference/graph/model.h"

#include <filesystem>

namespace es::frontends {

// Reads an ONNX model and builds the graph with IR ops. Inputs and outputs keep their ONNX
// names (as tensor names) and layouts. Malformed files, unsupported opsets and unsupported ops
// are es::Error (BadInput) naming the file and node; unsupported ops are listed all at once.
// `extensions` translate ops the converter lacks (and those they override).
graph::Model read_onnx(const std::filesystem::path& path,
                       const extensions::ExtensionSet& extensions = {});

// Reads a serialized onnx.TensorProto (the backend tests' input_N.pb / output_N.pb).
Tensor read_onnx_tensor(const std::filesystem::path& path);

}  // namespace es::frontends
