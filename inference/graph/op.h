#pragma once

#include "inference/core/error.h"
#include "inference/core/tensor.h"
#include "inference/graph/node.h"

#include <span>
#include <string_view>
#include <vector>

namespace es::graph {

// What shape inference knows about a node's inputs.
struct InferContext {
    const Node& node;
    std::span<const PortType> inputs;
    std::span<const Tensor* const> values;  // constant input values; nullptr where unknown

    size_t input_count() const { return inputs.size(); }
    const PortType& input(size_t i) const { return inputs[i]; }
    const Tensor* value(size_t i) const { return i < values.size() ? values[i] : nullptr; }
    const Attributes& attributes() const { return node.attributes; }
};

// Output element types and shapes of a node. Throws es::Error (BadInput) for inputs the op
// does not accept, with a message that need not name the node (the caller adds it).
using InferFn = std::vector<PortType> (*)(const InferContext&);

// Reference kernel. `inputs` hold f32 wherever the model says f16 (the reference engine computes
// in f32). `outputs` come allocated with the inferred type and shape wherever shape inference
// gave a static shape; the kernel creates the others (data-dependent shapes).
using EvaluateFn = void (*)(const Node&, std::span<const Tensor> inputs,
                            std::vector<Tensor>& outputs);

struct OpDef {
    std::string_view type;
    int since_opset;  // this definition applies from opset `since_opset` until a newer one
    size_t min_inputs;
    size_t max_inputs;
    InferFn infer;
    EvaluateFn evaluate;
};

}  // namespace es::graph
