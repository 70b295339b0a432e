#include "inference/frontends/onnx/nn_translators.h"

#include <fmt/format.h>

#include <numeric>

namespace es::frontends::onnx_import::nn {
namespace {

std::string float_text(float value) {
    return fmt::format("{}", value);
}

graph::Output scalar(NodeContext& context, ElementType type, float value) {
    return context.constant(convert(make_tensor<float>({}, {value}), type));
}

// Every axis but the channel axis 1: the axes batch statistics reduce over.
std::vector<int64_t> all_but_channel(size_t rank) {
    std::vector<int64_t> axes{0};
    for (size_t i = 2; i < rank; ++i)
        axes.push_back(static_cast<int64_t>(i));
    return axes;
}

// training_mode = 1: Y is normalized with the batch's own mean and (population) variance, and
// the running statistics come out as mean · momentum + batch mean · (1 - momentum).
std::vector<graph::Output> batch_norm_training(NodeContext& context, const std::string& epsilon) {
    const graph::Output x = context.input(0);
    const ElementType type = context.input_type(0).type;
    const size_t rank = static_rank(context, 0, "X");
    const graph::Output axes = i64_constant(context, all_but_channel(rank));
    const graph::Output batch_mean =
        context.add("ReduceMean", "opset1", {x, axes}, {{"keep_dims", "false"}}).output();
    const graph::Output centered =
        context.add("Subtract", "opset1", {x, channel_vector(context, batch_mean, rank)}).output();
    const graph::Output squares = context.add("Multiply", "opset1", {centered, centered}).output();
    const graph::Output batch_var =
        context.add("ReduceMean", "opset1", {squares, axes}, {{"keep_dims", "false"}}).output();
    const graph::Output y = context
                                .add("BatchNormInference", "opset5",
                                     {x, context.input(1), context.input(2), batch_mean, batch_var},
                                     {{"epsilon", epsilon}})
                                .output();
    const float momentum = context.attribute_float("momentum", 0.9f);
    const auto running = [&](size_t input, graph::Output batch) {
        const graph::Output kept =
            context
                .add("Multiply", "opset1", {context.input(input), scalar(context, type, momentum)})
                .output();
        const graph::Output added =
            context.add("Multiply", "opset1", {batch, scalar(context, type, 1.0f - momentum)})
                .output();
        return context.add("Add", "opset1", {kept, added}).output();
    };
    return {y, running(3, batch_mean), running(4, batch_var)};
}

}  // namespace

std::vector<graph::Output> translate_batch_normalization(NodeContext& context) {
    const std::string epsilon = float_text(context.attribute_float("epsilon", 1e-5f));
    if (context.opset() >= 14 && context.attribute_int("training_mode", 0) != 0)
        return batch_norm_training(context, epsilon);
    if (context.opset() < 9 && context.attribute_int("spatial", 1) == 0)
        context.fail("spatial = 0 (per-element statistics) is not supported");
    return {context
                .add("BatchNormInference", "opset5",
                     {context.input(0), context.input(1), context.input(2), context.input(3),
                      context.input(4)},
                     {{"epsilon", epsilon}})
                .output()};
}

// MVN over the spatial axes, then scale and bias along the channels.
std::vector<graph::Output> translate_instance_normalization(NodeContext& context) {
    const size_t rank = static_rank(context, 0, "input");
    if (rank < 3) context.fail(fmt::format("input has rank {}, expected 3 or more", rank));
    std::vector<int64_t> axes(rank - 2);
    std::iota(axes.begin(), axes.end(), 2);
    const graph::Output normalized =
        context
            .add("MVN", "opset6", {context.input(0), i64_constant(context, axes)},
                 {{"normalize_variance", "true"},
                  {"eps", float_text(context.attribute_float("epsilon", 1e-5f))},
                  {"eps_mode", "inside_sqrt"}})
            .output();
    const graph::Output scaled =
        context
            .add("Multiply", "opset1",
                 {normalized, channel_vector(context, context.input(1), rank)})
            .output();
    return {context.add("Add", "opset1", {scaled, channel_vector(context, context.input(2), rank)})
                .output()};
}

std::vector<graph::Output> translate_lrn(NodeContext& context) {
    if (!context.has_attribute("size")) context.fail("attribute 'size' is required");
    return {context
                .add("LRN", "opset1", {context.input(0), i64_constant(context, {1})},
                     {{"alpha", float_text(context.attribute_float("alpha", 1e-4f))},
                      {"beta", float_text(context.attribute_float("beta", 0.75f))},
                      {"bias", float_text(context.attribute_float("bias", 1.0f))},
                      {"size", std::to_string(context.attribute_int("size", 1))}})
                .output()};
}

}  // namespace es::frontends::onnx_import::nn
