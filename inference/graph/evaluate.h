#pragma once

#include "inference/graph/node.h"

#include <span>
#include <vector>

namespace es::graph {

// Runs one node's reference kernel on concrete inputs: f16 inputs are computed in f32, output
// shapes come from the actual input values. Errors name the node.
std::vector<Tensor> evaluate_node(const Node& node, std::span<const Tensor> inputs);

}  // namespace es::graph
