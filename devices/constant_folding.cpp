#include "devices/constant_folding.h"

#include "inference/graph/evaluate.h"

namespace es::devices {
namespace {

Tensor shape_value(const Shape& shape, ElementType type) {
    Tensor value(ElementType::i64, {static_cast<int64_t>(shape.size())});
    std::copy(shape.begin(), shape.end(), value.data<int64_t>());
    return type == ElementType::i64 ? value : convert(value, type);
}

// The node's outputs when it can be computed now and they are not too large; empty otherwise.
std::vector<Tensor> fold(const graph::Node& node) {
    if (node.type == "Parameter" || node.type == "Const" || node.type == "Result") return {};
    if (node.type == "ShapeOf" && node.input_type(0).shape.is_static())
        return {shape_value(node.input_type(0).shape.to_shape(), node.outputs[0].type.type)};
    std::vector<Tensor> inputs;
    for (const auto& input : node.inputs) {
        if (input.source.node->type != "Const") return {};
        inputs.push_back(input.source.node->value);
    }
    if (inputs.empty()) return {};
    return graph::fold_node(node, inputs).value_or(std::vector<Tensor>{});
}

}  // namespace

void fold_constants(graph::Model& model) {
    std::vector<graph::Node*> nodes;
    for (const auto& node : model.nodes())
        nodes.push_back(node.get());
    bool folded = false;
    for (graph::Node* node : nodes) {
        if (node->type == "Const" && node->value.type() == ElementType::f16) {
            node->value = convert(node->value, ElementType::f32);
            node->outputs[0].type.type = ElementType::f32;
            continue;
        }
        const std::vector<Tensor> values = fold(*node);
        for (size_t port = 0; port < values.size(); ++port) {
            const Tensor& value = values[port];
            const std::string name =
                values.size() == 1 ? node->name : fmt::format("{}.{}", node->name, port);
            const graph::Output constant = model.add_constant(
                value.type() == ElementType::f16 ? convert(value, ElementType::f32) : value, name);
            model.replace_uses(node->output(port), constant);
            folded = true;
        }
    }
    if (!folded) return;
    model.remove_unused();
    model.sort_topologically();
}

}  // namespace es::devices
