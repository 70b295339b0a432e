#include "inference/passes/rewrite_util.h"
#include "inference/passes/simple_passes.h"

#include <spdlog/spdlog.h>

namespace es::passes {
namespace {

bool all_equal_to(const Tensor& value, double expected) {
    const auto values = value.to_doubles();
    return std::all_of(values.begin(), values.end(), [&](double v) { return v == expected; });
}

// The input this node passes through unchanged, or nullopt.
std::optional<graph::Output> passthrough(const graph::Node& node) {
    if (node.inputs.empty() || node.outputs.size() != 1) return std::nullopt;
    const graph::Output input = node.inputs[0].source;
    const graph::PortType& in = input.type();
    const graph::PortType& out = node.outputs[0].type;
    if (!(in == out) || !in.shape.is_static()) return std::nullopt;
    if (node.type == "Convert" && !is_decompression(node)) return input;
    if (node.type == "Reshape" || node.type == "Squeeze" || node.type == "Unsqueeze") return input;
    Tensor scratch;
    const Tensor* operand =
        node.inputs.size() == 2 ? constant_value(node.inputs[1].source, scratch) : nullptr;
    if (!operand) return std::nullopt;
    if (node.type == "Transpose") {
        const auto order = operand->to_int64s();
        for (size_t i = 0; i < order.size(); ++i)
            if (order[i] != static_cast<int64_t>(i)) return std::nullopt;
        return input;
    }
    if (!is_float(in.type) && !is_integer(in.type)) return std::nullopt;
    if ((node.type == "Multiply" || node.type == "Divide") && all_equal_to(*operand, 1.0))
        return input;
    if ((node.type == "Add" || node.type == "Subtract") && all_equal_to(*operand, 0.0))
        return input;
    return std::nullopt;
}

}  // namespace

size_t IdentityRemoval::run(graph::Model& model) {
    size_t removed = 0;
    for (graph::Node* node : node_list(model)) {
        const auto input = passthrough(*node);
        if (!input) continue;
        spdlog::debug("identity removal: {}", node->describe());
        model.replace_uses(node->output(), *input);
        ++removed;
    }
    if (removed) model.remove_unused();
    return removed;
}

}  // namespace es::passes
