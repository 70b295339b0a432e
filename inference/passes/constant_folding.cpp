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
    return convert(value, type);
}

}  // namespace

size_t ConstantFolding::run(graph::Model& model) {
    size_t folded = 0;
    const auto nodes = node_list(model);
    for (graph::Node* node : nodes) {
        if (node->type == "Parameter" || node->type == "Const" || node->type == "Result") continue;
        if (is_decompression(*node)) continue;
        std::vector<Tensor> values;
        if (node->type == "ShapeOf" && node->input_type(0).shape.is_static()) {
            values = {shape_value(node->input_type(0).shape, node->outputs[0].type.type)};
        } else {
            std::vector<Tensor> inputs;
            for (const auto& input : node->inputs) {
                const graph::Node* producer = input.source.node;
                if (producer->type != "Const") break;
                inputs.push_back(producer->value);
            }
            if (inputs.size() != node->inputs.size() || inputs.empty()) continue;
            auto folded = graph::fold_node(*node, inputs);
            if (!folded) {
                spdlog::debug("constant folding: {} kept, its result would be too large",
                              node->describe());
                continue;
            }
            values = std::move(*folded);
        }
        for (size_t port = 0; port < values.size(); ++port) {
            const Tensor value = node->outputs[port].type.type == ElementType::f16 &&
                                         values[port].type() == ElementType::f32
                                     ? convert(values[port], ElementType::f16)
                                     : values[port];
            const std::string name =
                values.size() == 1 ? node->name : fmt::format("{}.{}", node->name, port);
            const graph::Output constant = model.add_constant(value, name);
            model.replace_uses(node->output(port), constant);
        }
        spdlog::debug("constant folding: {}", node->describe());
        ++folded;
    }
    if (folded) model.remove_unused();
    return folded;
}

}  // namespace es::passes
