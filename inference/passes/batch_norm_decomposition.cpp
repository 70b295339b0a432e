#include "inference/graph/op.h"
#include "inference/passes/fusion_passes.h"
#include "inference/passes/rewrite_util.h"

#include <spdlog/spdlog.h>

#include <cmath>

namespace es::passes {

size_t BatchNormDecomposition::run(graph::Model& model) {
    size_t rewritten = 0;
    for (graph::Node* node : node_list(model)) {
        if (node->type != "BatchNormInference" || node->inputs.size() != 5) continue;
        // BatchNormInference-1 takes (gamma, beta, data, mean, variance); -5 (data, gamma, beta, …)
        const bool data_first = node->op && node->op->since_opset >= 5;
        const size_t data_index = data_first ? 0 : 2;
        Tensor scratch[4];
        const Tensor* gamma = constant_value(node->inputs[data_first ? 1 : 0].source, scratch[0]);
        const Tensor* beta = constant_value(node->inputs[data_first ? 2 : 1].source, scratch[1]);
        const Tensor* mean = constant_value(node->inputs[3].source, scratch[2]);
        const Tensor* variance = constant_value(node->inputs[4].source, scratch[3]);
        const auto& data_shape = node->input_type(data_index).shape;
        if (!gamma || !beta || !mean || !variance || !data_shape.rank_known() ||
            data_shape.rank() < 2)
            continue;
        const auto g = gamma->to_doubles(), b = beta->to_doubles(), m = mean->to_doubles(),
                   v = variance->to_doubles();
        const size_t channels = g.size();
        if (b.size() != channels || m.size() != channels || v.size() != channels) continue;
        const double epsilon = node->attributes.get_float("epsilon");
        Shape broadcast(data_shape.rank(), 1);
        broadcast[1] = static_cast<int64_t>(channels);
        Tensor scale(ElementType::f32, broadcast), shift(ElementType::f32, broadcast);
        for (size_t c = 0; c < channels; ++c) {
            const double factor = g[c] / std::sqrt(v[c] + epsilon);
            scale.data<float>()[c] = static_cast<float>(factor);
            shift.data<float>()[c] = static_cast<float>(b[c] - m[c] * factor);
        }
        const graph::Output data = node->inputs[data_index].source;
        graph::Node& multiply = model.add_op(
            "Multiply", "opset1", {data, model.add_constant(scale, node->name + "/scale")},
            {{"auto_broadcast", "numpy"}}, node->name + "/multiply");
        graph::Node& add = model.add_op(
            "Add", "opset1", {multiply.output(), model.add_constant(shift, node->name + "/shift")},
            {{"auto_broadcast", "numpy"}}, node->name + "/add");
        multiply.outputs = {{node->outputs[0].type, {}, {}}};
        add.outputs = {{node->outputs[0].type, {}, {}}};
        model.replace_uses(node->output(), add.output());
        spdlog::debug("BatchNorm decomposition: {}", node->describe());
        ++rewritten;
    }
    if (rewritten) model.remove_unused();
    return rewritten;
}

}  // namespace es::passes
