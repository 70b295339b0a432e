#pragma once

#include "inference/frontends/common/graph_builder.h"
#include "inference/frontends/tf/proto/node_def.pb.h"
#include "inference/graph/model.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace es::frontends::tf_import {

// A TensorArray or TensorList as the converter tracks it while unrolling loops: the graph value
// of each element written so far. Writes make a new list, so each flow value keeps its own.
struct TensorList {
    ElementType type = ElementType::f32;
    PartialShape element_shape = PartialShape::dynamic_rank();
    std::vector<std::optional<graph::Output>> items;
};

// A node output while the dataflow runs: a tensor, a list, or dead (on a branch not taken).
struct Value {
    graph::Output tensor;
    std::shared_ptr<const TensorList> list;
    bool dead = false;

    static Value of(graph::Output output) { return {output, nullptr, false}; }
    static Value dead_value() { return {{}, nullptr, true}; }
};

// TensorArrayV3 and its Read/Write/Scatter/Gather/Size ops, and the TensorList ops: indices and
// sizes must be constant.
bool is_tensor_list_op(const std::string& op);
// Runs one such op on live inputs, adding the nodes that read or stack elements to `builder`.
// Throws es::Error (BadInput) without the node's name (the caller adds it).
std::vector<Value> run_tensor_list_op(const tensorflow::NodeDef& node,
                                      const std::vector<Value>& inputs, GraphBuilder& builder);

}  // namespace es::frontends::tf_import
