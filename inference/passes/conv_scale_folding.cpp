#include "inference/passes/fusion_passes.h"
#include "inference/passes/rewrite_util.h"

#include <spdlog/spdlog.h>

namespace es::passes {
namespace {

// Per-output-channel factors of a Multiply operand broadcast against a conv output of
// `channels` channels and `rank` dims: a scalar, or [C] aligned to axis 1 ([1,C,1,1] or [C,1,1]).
std::optional<std::vector<double>> channel_factors(const Tensor& operand, int64_t channels,
                                                   size_t rank) {
    const auto values = operand.to_doubles();
    if (values.size() == 1) return std::vector<double>(static_cast<size_t>(channels), values[0]);
    if (static_cast<int64_t>(values.size()) != channels || operand.rank() > rank)
        return std::nullopt;
    const size_t offset = rank - operand.rank();  // operand aligned to the right
    for (size_t i = 0; i < operand.rank(); ++i) {
        const bool channel_axis = offset + i == 1;
        if (operand.shape()[i] != (channel_axis ? channels : 1)) return std::nullopt;
    }
    return values;
}

}  // namespace

size_t ConvScaleFolding::run(graph::Model& model) {
    size_t folded = 0;
    for (graph::Node* conv : node_list(model)) {
        if (conv->type != "Convolution" && conv->type != "GroupConvolution") continue;
        const graph::Node* weights_node = conv->inputs[1].source.node;
        if (weights_node->type != "Const" || weights_node->value.type() != ElementType::f32)
            continue;
        const auto users = consumers(model, conv->output());
        if (users.size() != 1 || users[0].first->type != "Multiply") continue;
        graph::Node* multiply = users[0].first;
        Tensor scratch;
        const Tensor* operand =
            constant_value(multiply->inputs[1 - users[0].second].source, scratch);
        const auto& shape = conv->outputs[0].type.shape;
        if (!operand || !shape.rank_known() || shape.rank() < 3 || shape[1] < 0) continue;
        if (!(multiply->outputs[0].type == conv->outputs[0].type)) continue;
        const auto factors = channel_factors(*operand, shape[1], shape.rank());
        if (!factors) continue;

        // Weights are [C_out, …] or [G, C_out/G, …]: output channel c spans a contiguous block.
        Tensor weights = weights_node->value.clone();
        const size_t per_channel = weights.size() / static_cast<size_t>(shape[1]);
        float* data = weights.data<float>();
        for (size_t c = 0; c < factors->size(); ++c)
            for (size_t i = 0; i < per_channel; ++i)
                data[c * per_channel + i] *= static_cast<float>((*factors)[c]);
        conv->inputs[1].source = model.add_constant(weights, weights_node->name + "/scaled");
        model.replace_uses(multiply->output(), conv->output());
        spdlog::debug("scale folding: {} into {}", multiply->describe(), conv->describe());
        ++folded;
    }
    if (folded) model.remove_unused();
    return folded;
}

}  // namespace es::passes
