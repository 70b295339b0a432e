#include "inference/passes/fusion_passes.h"
#include "inference/passes/rewrite_util.h"

#include <spdlog/spdlog.h>

namespace es::passes {
namespace {

bool single_use(const graph::Model& model, graph::Output output) {
    return consumers(model, output).size() == 1 && output.node->outputs[output.port].names.empty();
}

}  // namespace

size_t TransposeReshapeCancellation::run(graph::Model& model) {
    size_t rewritten = 0;
    for (graph::Node* outer : node_list(model)) {
        if (outer->type != "Transpose" && outer->type != "Reshape") continue;
        graph::Node* inner = outer->inputs[0].source.node;
        if (inner->type != outer->type || !single_use(model, inner->output())) continue;
        Tensor scratch_inner, scratch_outer;
        const Tensor* outer_operand = constant_value(outer->inputs[1].source, scratch_outer);
        if (!outer_operand) continue;
        if (outer->type == "Reshape") {
            // the outer target alone decides the result unless it copies dims (special_zero)
            const auto target = outer_operand->to_int64s();
            const bool copies = outer->attributes.get_bool("special_zero", false) &&
                                std::find(target.begin(), target.end(), 0) != target.end();
            if (copies) continue;
            outer->inputs[0].source = inner->inputs[0].source;
        } else {
            const Tensor* inner_operand = constant_value(inner->inputs[1].source, scratch_inner);
            if (!inner_operand) continue;
            const auto first = inner_operand->to_int64s();
            const auto second = outer_operand->to_int64s();
            if (first.size() != second.size() || first.empty()) continue;
            // y[i] = x[first[second[i]]]
            std::vector<int64_t> combined(first.size());
            bool identity = true;
            for (size_t i = 0; i < combined.size(); ++i) {
                if (second[i] < 0 || second[i] >= static_cast<int64_t>(first.size()))
                    return rewritten;
                combined[i] = first[static_cast<size_t>(second[i])];
                identity = identity && combined[i] == static_cast<int64_t>(i);
            }
            if (identity) {
                model.replace_uses(outer->output(), inner->inputs[0].source);
            } else {
                Tensor order(ElementType::i64, {static_cast<int64_t>(combined.size())});
                std::copy(combined.begin(), combined.end(), order.data<int64_t>());
                outer->inputs[0].source = inner->inputs[0].source;
                outer->inputs[1].source = model.add_constant(order, outer->name + "/order");
            }
        }
        spdlog::debug("{}: {} with {}", name(), inner->describe(), outer->describe());
        ++rewritten;
    }
    if (rewritten) model.remove_unused();
    return rewritten;
}

}  // namespace es::passes
