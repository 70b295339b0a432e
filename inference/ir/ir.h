#pragma once

#include "inference/graph/model.h"

#include <filesystem>
#include <optional>

namespace es::ir {

// Reads an OpenVINO IR v10 or v11 (`.xml` + `.bin`, by default beside it with the same stem).
// The model file is untrusted: every offset, size, shape, port and edge is checked, and each
// problem is an es::Error (BadInput) naming the file, the layer (id, name, type) and the problem.
// Unknown ops are reported all at once with their counts. Shapes are inferred and checked
// against the ports the file declares.
graph::Model read_model(const std::filesystem::path& xml_path,
                        const std::optional<std::filesystem::path>& bin_path = std::nullopt);

// Writes `model` as IR v11: `xml_path` and its `.bin` beside it.
void write_model(const graph::Model& model, const std::filesystem::path& xml_path);

}  // namespace es::ir
