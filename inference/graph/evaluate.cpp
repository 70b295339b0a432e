#include "inference/graph/evaluate.h"

#include "inference/graph/op.h"

namespace es::graph {

std::vector<Tensor> evaluate_node(const Node& node, std::span<const Tensor> inputs) {
    try {
        if (!node.op) throw_runtime("has no op definition");
        std::vector<Tensor> computed(inputs.begin(), inputs.end());
        std::vector<PortType> types;
        std::vector<const Tensor*> values;
        for (auto& input : computed) {
            if (input.empty()) throw_runtime("an input has no value");
            if (input.type() == ElementType::f16) input = convert(input, ElementType::f32);
            types.push_back({input.type(), PartialShape(input.shape())});
        }
        for (const auto& input : computed)
            values.push_back(&input);
        const auto output_types = node.op->infer(InferContext{node, types, values});
        std::vector<Tensor> outputs(output_types.size());
        for (size_t i = 0; i < outputs.size(); ++i)
            if (output_types[i].shape.is_static())
                outputs[i] = Tensor(output_types[i].type, output_types[i].shape.to_shape());
        node.op->evaluate(node, computed, outputs);
        for (size_t i = 0; i < outputs.size(); ++i)
            if (outputs[i].empty()) throw_runtime("kernel produced no output {}", i);
        return outputs;
    } catch (const Error& error) {
        rethrow_with_context(error, node.describe());
    }
}

}  // namespace es::graph
