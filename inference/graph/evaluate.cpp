#include "inference/graph/evaluate.h"

#include "inference/graph/op.h"

#include <algorithm>

namespace es::graph {
namespace {

// The inputs as the kernels take them (f16 computed in f32) and the output types they give.
struct Prepared {
    std::vector<Tensor> inputs;
    std::vector<PortType> outputs;
};

Prepared prepare(const Node& node, std::span<const Tensor> inputs) {
    if (!node.op) throw_runtime("has no op definition");
    Prepared prepared{{inputs.begin(), inputs.end()}, {}};
    std::vector<PortType> types;
    std::vector<const Tensor*> values;
    for (auto& input : prepared.inputs) {
        if (input.empty()) throw_runtime("an input has no value");
        if (input.type() == ElementType::f16) input = convert(input, ElementType::f32);
        types.push_back({input.type(), PartialShape(input.shape())});
    }
    for (const auto& input : prepared.inputs)
        values.push_back(&input);
    prepared.outputs = node.op->infer(InferContext{node, types, values});
    return prepared;
}

std::vector<Tensor> evaluate_prepared(const Node& node, Prepared& prepared) {
    std::vector<Tensor> outputs(prepared.outputs.size());
    for (size_t i = 0; i < outputs.size(); ++i)
        if (prepared.outputs[i].shape.is_static())
            outputs[i] = Tensor(prepared.outputs[i].type, prepared.outputs[i].shape.to_shape());
    node.op->evaluate(node, prepared.inputs, outputs);
    for (size_t i = 0; i < outputs.size(); ++i)
        if (outputs[i].empty()) throw_runtime("kernel produced no output {}", i);
    return outputs;
}

}  // namespace

std::vector<Tensor> evaluate_node(const Node& node, std::span<const Tensor> inputs) {
    try {
        Prepared prepared = prepare(node, inputs);
        return evaluate_prepared(node, prepared);
    } catch (const Error& error) {
        rethrow_with_context(error, node.describe());
    }
}

std::optional<std::vector<Tensor>> fold_node(const Node& node, std::span<const Tensor> inputs) {
    try {
        Prepared prepared = prepare(node, inputs);
        size_t input_bytes = 0;
        for (const auto& input : prepared.inputs)
            input_bytes += input.byte_size();
        const size_t limit = std::max(k_max_expanded_bytes, input_bytes);
        for (const auto& output : prepared.outputs) {
            if (!output.shape.is_static()) continue;  // data-dependent: bounded by the inputs
            if (shape_size(output.shape.to_shape()) * element_size(output.type) > limit)
                return std::nullopt;
        }
        return evaluate_prepared(node, prepared);
    } catch (const Error& error) {
        rethrow_with_context(error, node.describe());
    }
}

}  // namespace es::graph
