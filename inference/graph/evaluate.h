#pragma once

#include "inference/graph/node.h"

#include <optional>
#include <span>
#include <vector>

namespace es::graph {

// Runs one node's reference kernel on concrete inputs: f16 inputs are computed in f32, output
// shapes come from the actual input values. Errors name the node.
std::vector<Tensor> evaluate_node(const Node& node, std::span<const Tensor> inputs);

// evaluate_node for constant folding: nullopt, before anything is allocated, when a result would
// be larger than k_max_expanded_bytes and than the inputs together (a Broadcast or Tile of a
// small constant to a huge shape stays a node).
std::optional<std::vector<Tensor>> fold_node(const Node& node, std::span<const Tensor> inputs);

}  // namespace es::graph
