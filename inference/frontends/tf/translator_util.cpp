#include "inference/frontends/tf/translator_util.h"

#include <numeric>

namespace es::frontends::tf_import {

DataFormat read_data_format(const NodeContext& context, size_t rank) {
    const std::string format =
        context.attribute_string("data_format", rank == 5 ? "NDHWC" : "NHWC");
    if (format == "NHWC" || format == "NDHWC" || format == "NWC") return {true, format.size()};
    if (format == "NCHW" || format == "NCDHW" || format == "NCW") return {false, format.size()};
    context.fail(fmt::format("attribute 'data_format' is '{}', expected NHWC or NCHW", format));
}

std::vector<int64_t> spatial_attribute(const NodeContext& context, const std::string& name,
                                       DataFormat format, int64_t fallback) {
    const size_t spatial = format.rank - 2;
    const auto values = context.attribute_ints(name);
    if (values.empty()) return std::vector<int64_t>(spatial, fallback);
    if (values.size() != format.rank)
        context.fail(fmt::format("attribute '{}' has {} values, expected {}", name, values.size(),
                                 format.rank));
    std::vector<int64_t> result;
    for (size_t i = 0; i < spatial; ++i)
        result.push_back(values[format.spatial_axis(i)]);
    return result;
}

graph::Output to_channels_first(NodeContext& context, graph::Output x, DataFormat format) {
    if (!format.channels_last) return x;
    std::vector<int64_t> order{0, static_cast<int64_t>(format.rank - 1)};
    for (size_t i = 1; i + 1 < format.rank; ++i)
        order.push_back(static_cast<int64_t>(i));
    return context.add("Transpose", "opset1", {x, context.i64_constant(order)}).output();
}

graph::Output to_channels_last(NodeContext& context, graph::Output x, DataFormat format) {
    if (!format.channels_last) return x;
    std::vector<int64_t> order{0};
    for (size_t i = 2; i < format.rank; ++i)
        order.push_back(static_cast<int64_t>(i));
    order.push_back(1);
    return context.add("Transpose", "opset1", {x, context.i64_constant(order)}).output();
}

Padding read_padding(const NodeContext& context, DataFormat format) {
    const std::string padding = context.attribute_string("padding", "VALID");
    const size_t spatial = format.rank - 2;
    Padding result;
    result.begin.assign(spatial, 0);
    result.end.assign(spatial, 0);
    if (padding == "SAME") {
        result.auto_pad = "same_upper";
    } else if (padding == "VALID") {
        result.auto_pad = "valid";
    } else if (padding == "EXPLICIT") {
        const auto pads = context.attribute_ints("explicit_paddings");
        if (pads.size() != 2 * format.rank)
            context.fail(fmt::format("attribute 'explicit_paddings' has {} values, expected {}",
                                     pads.size(), 2 * format.rank));
        for (size_t i = 0; i < spatial; ++i) {
            result.begin[i] = pads[2 * format.spatial_axis(i)];
            result.end[i] = pads[2 * format.spatial_axis(i) + 1];
        }
        for (size_t axis : {size_t{0}, format.channel_axis()})
            if (pads[2 * axis] != 0 || pads[2 * axis + 1] != 0)
                context.fail("attribute 'explicit_paddings' pads the batch or channel axis");
    } else {
        context.fail(
            fmt::format("attribute 'padding' is '{}', expected SAME, VALID or EXPLICIT", padding));
    }
    return result;
}

graph::Output channel_vector(NodeContext& context, graph::Output vector, DataFormat format) {
    if (format.channels_last) return vector;
    std::vector<int64_t> target{-1};
    target.resize(format.rank - 1, 1);
    return context
        .add("Reshape", "opset1", {vector, context.i64_constant(target)},
             {{"special_zero", "false"}})
        .output();
}

graph::Output scalar_like(NodeContext& context, const graph::Output& like, double value) {
    Tensor scalar(ElementType::f64, {});
    scalar.data<double>()[0] = value;
    const ElementType type = like.type().type;
    return context.constant(
        convert(scalar, type == ElementType::undefined ? ElementType::f32 : type));
}

graph::Output apply_activation(NodeContext& context, graph::Output x, const std::string& name,
                               const std::optional<graph::Output>& alpha) {
    if (name == "Relu") return context.add("ReLU", "opset1", {x}).output();
    if (name == "Relu6")
        return context.add("Clamp", "opset1", {x}, {{"min", "0"}, {"max", "6"}}).output();
    if (name == "Elu") return context.add("Elu", "opset1", {x}, {{"alpha", "1"}}).output();
    if (name == "Selu") {
        const graph::Output elu =
            context.add("Elu", "opset1", {x}, {{"alpha", "1.6732632423543772848170429916717"}})
                .output();
        return context
            .add("Multiply", "opset1",
                 {elu, scalar_like(context, x, 1.0507009873554804934193349852946)})
            .output();
    }
    if (name == "Sigmoid") return context.add("Sigmoid", "opset1", {x}).output();
    if (name == "Tanh") return context.add("Tanh", "opset1", {x}).output();
    // oneDNN grappler fusions: x * sigmoid(x), x * relu6(x + 3) / 6, x * tanh(softplus(x))
    if (name == "_MklSwish" || name == "Swish") return context.add("Swish", "opset4", {x}).output();
    if (name == "_FusedHardSwish") return context.add("HSwish", "opset4", {x}).output();
    if (name == "Mish") return context.add("Mish", "opset4", {x}).output();
    if (name == "GeluExact" || name == "GeluApproximate")
        return context
            .add("Gelu", "opset7", {x},
                 {{"approximation_mode", name == "GeluExact" ? "erf" : "tanh"}})
            .output();
    if (name == "LeakyRelu") {
        const char* key = context.op_type() == "LeakyRelu" ? "alpha" : "leakyrelu_alpha";
        const double slope = context.attribute_float(key, 0.2f);
        return context.add("PReLU", "opset1", {x, scalar_like(context, x, slope)}).output();
    }
    if (name == "Prelu") {
        if (!alpha) context.fail("Prelu needs an alpha input");
        graph::Output slope = *alpha;
        // IR PReLU takes a 1-D slope along axis 1; TF broadcasts it along the last axes, so the
        // slope gets x's rank.
        const auto& x_shape = x.type().shape;
        const auto& slope_shape = slope.type().shape;
        if (!x_shape.rank_known() || !slope_shape.rank_known())
            context.fail("Prelu needs inputs of known rank");
        if (slope_shape.rank() < x_shape.rank()) {
            std::vector<int64_t> axes(x_shape.rank() - slope_shape.rank());
            std::iota(axes.begin(), axes.end(), 0);
            slope =
                context.add("Unsqueeze", "opset1", {slope, context.i64_constant(axes)}).output();
        }
        return context.add("PReLU", "opset1", {x, slope}).output();
    }
    context.fail(fmt::format("activation '{}' is not supported", name));
}

graph::Output batch_norm(NodeContext& context, graph::Output x, graph::Output scale,
                         graph::Output offset, graph::Output mean, graph::Output variance,
                         float epsilon, DataFormat format) {
    const graph::Output shifted =
        context.add("Add", "opset1", {variance, scalar_like(context, variance, epsilon)}).output();
    const graph::Output deviation = context.add("Sqrt", "opset1", {shifted}).output();
    const graph::Output multiplier = context.add("Divide", "opset1", {scale, deviation}).output();
    const graph::Output mean_scaled =
        context.add("Multiply", "opset1", {mean, multiplier}).output();
    const graph::Output shift = context.add("Subtract", "opset1", {offset, mean_scaled}).output();
    const graph::Output scaled =
        context.add("Multiply", "opset1", {x, channel_vector(context, multiplier, format)})
            .output();
    return context.add("Add", "opset1", {scaled, channel_vector(context, shift, format)}).output();
}

namespace {

// How many arguments (inputs after the fused op's own) `ops` take: BiasAdd and Add one,
// FusedBatchNorm four (scale, offset, mean, variance), Prelu one (its alpha).
size_t fused_argument_count(const std::vector<std::string>& ops) {
    size_t count = 0;
    for (const auto& op : ops) {
        if (op == "BiasAdd" || op == "Add" || op == "AddV2" || op == "Prelu") ++count;
        if (op == "FusedBatchNorm" || op == "FusedBatchNormV3") count += 4;
    }
    return count;
}

std::string list_of(const std::vector<std::string>& ops) {
    std::string list;
    for (const auto& op : ops)
        list += (list.empty() ? "" : ", ") + op;
    return list;
}

}  // namespace

graph::Output apply_fused_ops(NodeContext& context, graph::Output y, size_t first_arg,
                              DataFormat format) {
    const auto ops = context.attribute_strings("fused_ops");
    // num_args counts the tensors in `args`; quantized variants append host arguments after them
    const size_t expected = fused_argument_count(ops);
    if (context.has_attribute("num_args")) {
        const int64_t num_args = context.attribute_int("num_args", 0);
        if (num_args != static_cast<int64_t>(expected))
            context.fail(fmt::format("fused_ops [{}] take {} argument(s), but num_args is {}",
                                     list_of(ops), expected, num_args));
    }
    if (context.input_count() < first_arg + expected)
        context.fail(fmt::format("fused_ops [{}] take {} argument(s), but the node has {} input(s)",
                                 list_of(ops), expected, context.input_count()));
    size_t arg = first_arg;
    size_t i = 0;
    if (i < ops.size() && ops[i] == "BiasAdd") {
        y = context.add("Add", "opset1", {y, channel_vector(context, context.input(arg++), format)})
                .output();
        ++i;
    } else if (i < ops.size() && (ops[i] == "FusedBatchNorm" || ops[i] == "FusedBatchNormV3")) {
        const float epsilon = context.attribute_float("epsilon", 1e-4f);
        y = batch_norm(context, y, context.input(arg), context.input(arg + 1),
                       context.input(arg + 2), context.input(arg + 3), epsilon, format);
        arg += 4;
        ++i;
    }
    // Arguments of full rank come in the node's data_format, which may differ from y's.
    const DataFormat node_format = read_data_format(context, format.rank);
    const bool relayout = node_format.channels_last && !format.channels_last;
    if (i < ops.size() && (ops[i] == "Add" || ops[i] == "AddV2")) {
        graph::Output addend = context.input(arg++);
        if (relayout) addend = to_channels_first(context, addend, node_format);
        y = context.add("Add", "opset1", {y, addend}).output();
        ++i;
    }
    if (i < ops.size()) {
        std::optional<graph::Output> alpha;
        if (ops[i] == "Prelu") {
            alpha = context.input(arg++);
            if (relayout) {
                const size_t rank = context.static_rank(arg - 1, "alpha");
                if (rank < format.rank) {
                    std::vector<int64_t> axes(format.rank - rank);
                    std::iota(axes.begin(), axes.end(), 0);
                    alpha = context.add("Unsqueeze", "opset1", {*alpha, context.i64_constant(axes)})
                                .output();
                }
                alpha = to_channels_first(context, *alpha, node_format);
            }
        }
        y = apply_activation(context, y, ops[i], alpha);
        ++i;
    }
    if (i < ops.size()) context.fail(fmt::format("fused_ops [{}] is not supported", list_of(ops)));
    return y;
}

}  // namespace es::frontends::tf_import
