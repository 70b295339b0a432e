#pragma once

#include "inference/graph/model.h"

#include <vector>

// Small helpers the passes share.
namespace es::passes {

// The model's nodes as plain pointers, so a pass can add nodes while it walks them.
std::vector<graph::Node*> node_list(const graph::Model& model);

// True for a Convert that decompresses f16 weights (rt_info "decompression"), which folding
// must keep so that the IR stays compressed.
bool is_decompression(const graph::Node& node);

// Every input port fed by `output`, as (consumer, input index).
std::vector<std::pair<graph::Node*, size_t>> consumers(const graph::Model& model,
                                                       graph::Output output);

// The constant value behind `output`: a Const, or a decompression Convert of one (converted to
// f32). nullptr when `output` is not constant.
const Tensor* constant_value(graph::Output output, Tensor& scratch);

}  // namespace es::passes
