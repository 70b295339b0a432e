#pragma once

#include "inference/graph/model.h"

#include <map>
#include <string>

namespace es::graph {

struct ModelStatistics {
    std::map<std::string, size_t> op_counts;  // "Convolution-opset1" -> count
    size_t parameter_count = 0;               // elements of all constants
    size_t parameter_bytes = 0;               // their bytes as stored
    uint64_t macs = 0;                        // multiply-accumulates of conv and matmul layers
    size_t layers_with_unknown_macs = 0;      // conv/matmul layers with dynamic shapes
};

ModelStatistics model_statistics(const Model& model);

}  // namespace es::graph
