#include "inference/passes/fusion_passes.h"
#include "inference/passes/rewrite_util.h"

#include <spdlog/spdlog.h>

#include <optional>
#include <set>

namespace es::passes {
namespace {

const std::set<std::string> k_unary = {"ReLU",     "Clamp",    "Sigmoid", "Tanh",    "Elu",
                                       "HSwish",   "HSigmoid", "Exp",     "Log",     "Sqrt",
                                       "Abs",      "Negative", "Floor",   "Ceiling", "Erf",
                                       "SoftPlus", "Mish",     "Gelu",    "Convert"};
const std::set<std::string> k_binary = {"Add",     "Subtract", "Multiply", "Divide",
                                        "Maximum", "Minimum",  "Power",    "SquaredDifference"};

Tensor i64_tensor(const std::vector<int64_t>& values) {
    Tensor tensor(ElementType::i64, {static_cast<int64_t>(values.size())});
    std::copy(values.begin(), values.end(), tensor.data<int64_t>());
    return tensor;
}

// The transpose feeding input `index` of `node`, when it has a constant order, no name of a
// model output and (where `sole` is set) no other use.
graph::Node* sinkable_transpose(const graph::Model& model, const graph::Node& node, size_t index,
                                std::vector<int64_t>& order, bool sole = true) {
    graph::Node* transpose = node.inputs[index].source.node;
    if (transpose->type != "Transpose") return nullptr;
    Tensor scratch;
    const Tensor* value = constant_value(transpose->inputs[1].source, scratch);
    if (!value || (sole && consumers(model, transpose->output()).size() != 1)) return nullptr;
    if (!transpose->outputs[0].names.empty()) return nullptr;
    order = value->to_int64s();
    return transpose;
}

// Both operands of the binary `node` transposed by one order (a Keras residual Add of NHWC
// branches, whose skip branch other layers read too): the order, or nullopt.
std::optional<std::vector<int64_t>> common_order(const graph::Model& model,
                                                 const graph::Node& node) {
    std::vector<int64_t> first, second;
    const graph::Node* a = sinkable_transpose(model, node, 0, first, false);
    const graph::Node* b = sinkable_transpose(model, node, 1, second, false);
    if (!a || !b || a == b || first != second) return std::nullopt;
    return first;
}

}  // namespace

size_t TransposeSinking::run(graph::Model& model) {
    size_t moved = 0;
    for (graph::Node* node : node_list(model)) {
        const bool unary = k_unary.count(node->type) && node->inputs.size() == 1;
        const bool binary = k_binary.count(node->type) && node->inputs.size() == 2;
        if (!unary && !binary) continue;
        std::vector<int64_t> order;
        size_t index = 0;
        const auto both = binary ? common_order(model, *node) : std::nullopt;
        graph::Node* transpose =
            both ? node->inputs[0].source.node : sinkable_transpose(model, *node, 0, order);
        if (!transpose && binary) transpose = sinkable_transpose(model, *node, index = 1, order);
        if (!transpose) continue;
        if (both) order = *both;
        const size_t rank = order.size();
        if (both) {
            node->inputs[1].source = node->inputs[1].source.node->inputs[0].source;
        } else if (binary) {
            const graph::Output other = node->inputs[1 - index].source;
            Tensor scratch;
            if (!constant_value(other, scratch) || !other.type().shape.is_static()) continue;
            const Shape other_shape = other.type().shape.to_shape();
            if (other_shape.size() > rank) continue;
            // align the constant to the transposed rank, then undo the order on it
            std::vector<int64_t> aligned(rank - other_shape.size(), 1);
            aligned.insert(aligned.end(), other_shape.begin(), other_shape.end());
            std::vector<int64_t> inverse(rank);
            for (size_t i = 0; i < rank; ++i)
                inverse[static_cast<size_t>(order[i])] = static_cast<int64_t>(i);
            const graph::Output reshaped =
                model
                    .add_op("Reshape", "opset1", {other, model.add_constant(i64_tensor(aligned))},
                            {{"special_zero", "false"}}, node->name + "/aligned")
                    .output();
            node->inputs[1 - index].source =
                model
                    .add_op("Transpose", "opset1",
                            {reshaped, model.add_constant(i64_tensor(inverse))}, {},
                            node->name + "/untransposed")
                    .output();
        }
        const graph::Output result = node->output();
        auto& names = node->outputs[0].names;
        node->inputs[index].source = transpose->inputs[0].source;
        graph::Node& after =
            model.add_op("Transpose", "opset1", {result, transpose->inputs[1].source}, {},
                         node->name + "/transpose");
        for (const auto& [consumer, input] : consumers(model, result))
            if (consumer != &after) consumer->inputs[input].source = after.output();
        after.outputs = {{node->outputs[0].type, names, {}}};
        names.clear();
        spdlog::debug("transpose sinking: {} below {}", transpose->describe(), node->describe());
        ++moved;
    }
    if (moved) model.remove_unused();
    return moved;
}

}  // namespace es::passes
