#pragma once

#include "inference/frontends/common/extension.h"
#include "inference/frontends/tf/proto/graph.pb.h"
#include "inference/frontends/tf/tf_frontend.h"
#include "inference/graph/model.h"

#include <map>
#include <string>
#include <vector>

namespace es::frontends::tf_import {

// A tensor of the graph the model exposes: `tensor` is "node" or "node:index", `name` what users
// call it (a signature key, or the tensor's own name).
struct Endpoint {
    std::string tensor;
    std::string name;
};

struct GraphSpec {
    std::string where;  // the file, for messages
    std::string model_name;
    // Empty: every Placeholder the outputs need, in graph order, named after the node.
    std::vector<Endpoint> inputs;
    // Empty: every output of each node that no other node reads.
    std::vector<Endpoint> outputs;
    // Values bound to nodes by name: TF.js weights for Const nodes, variables for VarHandleOp.
    std::map<std::string, Tensor> bound_values;
    // Mappings for ops the op table lacks (or overridden); nullptr: none.
    const extensions::ExtensionSet* extensions = nullptr;
    InputOverrides overrides;
};

// Builds the graph with IR ops from a GraphDef (function calls inlined and dilated convolutions
// folded first, dilated_convolution.h). Only the nodes
// the outputs need are translated; all their unsupported ops are reported in one es::Error
// (BadInput) with counts and the first node of each. Inputs and outputs keep the model's own
// layout.
graph::Model import_graph(tensorflow::GraphDef graph, const GraphSpec& spec);

// "node:2" -> {"node", 2}; "node" -> {"node", 0}; "^node" is a control input.
struct TensorName {
    std::string node;
    size_t index = 0;
    bool control = false;
};
TensorName parse_tensor_name(const std::string& name);

}  // namespace es::frontends::tf_import
