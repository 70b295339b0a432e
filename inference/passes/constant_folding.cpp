#include "inference/passes/constant_folding.h"

#include "inference/graph/evaluate.h"
#include "inference/passes/rewrite_util.h"

#include <spdlog/spdlog.h>

namespace es::passes {
namespace {

Tensor shape_value(const PartialShape& shape, ElementType type) {
    const Shape dims = shape.to_shape();
    Tensor value(ElementType::i64, {static_cast<int64_t>(dims.size())});
    std::copy(dims.begin(), dims.end(), value.data<int64_t>());
    return type == ElementType::i64 ? value : convert(value, type);
}

// The node's outputs when it can be computed now and they are not too large; empty otherwise.
std::vector<Tensor> fold(const graph::Node& node) {
    if (node.type == "ShapeOf" && node.input_type(0).shape.is_static())
        return {shape_value(node.input_type(0).shape, node.outputs[0].type.type)};
    std::vector<Tensor> inputs;
    for (const auto& input : node.inputs) {
        if (input.source.node->type != "Const") return {};
        inputs.push_back(input.source.node->value);
    }
    if (inputs.empty()) return {};
    auto folded = graph::fold_node(node, inputs);
    if (!folded) {
        spdlog::debug("constant folding: {} kept, its result would be too large", node.describe());
        return {};
    }
    return std::move(*folded);
}

}  // namespace

size_t fold_constants(graph::Model& model, const FoldingOptions& options) {
    size_t folded = 0;
    for (graph::Node* node : node_list(model)) {
        if (options.for_device && node->type == "Const" && node->value.type() == ElementType::f16) {
            node->value = convert(node->value, ElementType::f32);
            node->outputs[0].type.type = ElementType::f32;
            continue;
        }
        if (node->type == "Parameter" || node->type == "Const" || node->type == "Result") continue;
        if (!options.for_device && is_decompression(*node)) continue;
        const std::vector<Tensor> values = fold(*node);
        if (values.empty()) continue;
        for (size_t port = 0; port < values.size(); ++port) {
            const ElementType declared = node->outputs[port].type.type;
            Tensor value = values[port];
            if (options.for_device && value.type() == ElementType::f16)
                value = convert(value, ElementType::f32);
            else if (!options.for_device && declared == ElementType::f16 &&
                     value.type() == ElementType::f32)
                value = convert(value, ElementType::f16);
            const std::string name =
                values.size() == 1 ? node->name : fmt::format("{}.{}", node->name, port);
            model.replace_uses(node->output(port), model.add_constant(value, name));
        }
        spdlog::debug("constant folding: {}", node->describe());
        ++folded;
    }
    if (folded == 0) return 0;
    model.remove_unused();
    if (options.for_device) model.sort_topologically();
    return folded;
}

}  // namespace es::passes
