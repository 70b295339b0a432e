#include "inference/frontends/onnx/nn_translators.h"

#include <fmt/format.h>

namespace es::frontends::onnx_import::nn {
namespace {

int64_t group_count(const NodeContext& context) {
    const int64_t group = context.attribute_int("group", 1);
    if (group < 1) context.fail(fmt::format("attribute 'group' is {}, expected >= 1", group));
    return group;
}

// Weights [A, B, k…] as [groups, A / groups, B, k…]: the leading axis split into groups.
graph::Output split_groups(NodeContext& context, graph::Output weights, int64_t groups) {
    const PartialShape& shape = weights.type().shape;
    if (shape.is_static()) {
        std::vector<int64_t> target = shape.dims();
        if (target.empty() || target[0] % groups != 0)
            context.fail(
                fmt::format("weights {} cannot be split into {} groups", to_string(shape), groups));
        target[0] /= groups;
        target.insert(target.begin(), groups);
        return context
            .add("Reshape", "opset1", {weights, i64_constant(context, target)},
                 {{"special_zero", "false"}})
            .output();
    }
    const size_t rank = static_rank(context, 1, "weights");
    std::vector<int64_t> rest(rank - 1);
    for (size_t i = 0; i < rest.size(); ++i)
        rest[i] = static_cast<int64_t>(i + 1);
    const graph::Output dims =
        context.add("ShapeOf", "opset3", {weights}, {{"output_type", "i64"}}).output();
    const graph::Output axis = context.constant<int64_t>({}, {0});
    const graph::Output first =
        context.add("Gather", "opset8", {dims, i64_constant(context, {0}), axis}).output();
    const graph::Output per_group =
        context.add("Divide", "opset1", {first, i64_constant(context, {groups})}).output();
    const graph::Output tail =
        context.add("Gather", "opset8", {dims, i64_constant(context, rest), axis}).output();
    const graph::Output target =
        context
            .add("Concat", "opset1", {i64_constant(context, {groups}), per_group, tail},
                 {{"axis", "0"}})
            .output();
    return context.add("Reshape", "opset1", {weights, target}, {{"special_zero", "false"}})
        .output();
}

graph::Attributes window_attributes(const WindowAttributes& window) {
    return {{"strides", join(window.strides)},
            {"dilations", join(window.dilations)},
            {"pads_begin", join(window.pads_begin)},
            {"pads_end", join(window.pads_end)},
            {"auto_pad", window.auto_pad}};
}

graph::Output add_bias(NodeContext& context, graph::Output y, size_t bias_input, size_t rank) {
    if (!context.has_input(bias_input)) return y;
    return context
        .add("Add", "opset1", {y, channel_vector(context, context.input(bias_input), rank)})
        .output();
}

// The number of spatial axes, from the weights' rank (or the data's).
size_t spatial_axes(const NodeContext& context) {
    const PartialShape& data = context.input_type(0).shape;
    const PartialShape& weights = context.input_type(1).shape;
    const size_t rank = weights.rank_known() ? weights.rank() : static_rank(context, 0, "X");
    if (rank < 3) context.fail(fmt::format("weights have rank {}, expected 3 or more", rank));
    if (data.rank_known() && data.rank() != rank)
        context.fail(
            fmt::format("X has rank {} and W rank {}, expected the same", data.rank(), rank));
    return rank - 2;
}

}  // namespace

// Convolution, or GroupConvolution with weights [M, C/G, k…] as [G, M/G, C/G, k…]; the bias
// is added along the channel axis.
std::vector<graph::Output> translate_conv(NodeContext& context) {
    const size_t spatial = spatial_axes(context);
    const WindowAttributes window = read_window(context, spatial);
    const int64_t groups = group_count(context);
    graph::Output y;
    if (groups == 1) {
        y = context
                .add("Convolution", "opset1", {context.input(0), context.input(1)},
                     window_attributes(window))
                .output();
    } else {
        const graph::Output weights = split_groups(context, context.input(1), groups);
        y = context
                .add("GroupConvolution", "opset1", {context.input(0), weights},
                     window_attributes(window))
                .output();
    }
    return {add_bias(context, y, 2, spatial + 2)};
}

// ONNX pads, auto_pad and output_shape become explicit IR pads. With output_shape or SAME_*
// (which aims at in * stride), pads are generated as the ONNX spec says: total padding =
// stride * (in - 1) + output_padding + dilated kernel - output size, split with floor division
// (the larger half at the end for SAME_UPPER, at the beginning otherwise). The IR then gets
// pads_end = stride * (in - 1) + dilated kernel - pads_begin - out and no output_padding, which
// also covers outputs larger than the full result (negative pads).
std::vector<graph::Output> translate_conv_transpose(NodeContext& context) {
    const size_t spatial = spatial_axes(context);
    WindowAttributes window = read_window(context, spatial);
    const int64_t groups = group_count(context);
    auto output_padding = context.attribute_ints("output_padding");
    if (output_padding.empty()) output_padding.assign(spatial, 0);
    const auto output_shape = context.attribute_ints("output_shape");
    if (output_padding.size() != spatial)
        context.fail(fmt::format("attribute 'output_padding' has {} values, expected {}",
                                 output_padding.size(), spatial));
    if (!output_shape.empty() && output_shape.size() != spatial)
        context.fail(
            fmt::format("attribute 'output_shape' has {} values, expected {} (one per "
                        "spatial axis)",
                        output_shape.size(), spatial));

    const PartialShape& data = context.input_type(0).shape;
    const PartialShape& weights = context.input_type(1).shape;
    const bool same = window.auto_pad == "same_upper" || window.auto_pad == "same_lower";
    if (window.auto_pad == "valid") {
        window.pads_begin.assign(spatial, 0);
        window.pads_end.assign(spatial, 0);
    }
    std::vector<int64_t> pads_begin = window.pads_begin;
    std::vector<int64_t> pads_end = window.pads_end;
    std::vector<int64_t> ir_output_padding = output_padding;
    if (same || !output_shape.empty()) {
        ir_output_padding.assign(spatial, 0);
        for (size_t i = 0; i < spatial; ++i) {
            const int64_t in = data.rank_known() ? data[2 + i] : k_dynamic;
            const int64_t kernel = weights.rank_known() ? weights[2 + i] : k_dynamic;
            if (in < 0 || kernel < 0)
                context.fail(
                    "auto_pad SAME_* and output_shape need the spatial sizes of X and W "
                    "to be known");
            const int64_t dilated = (kernel - 1) * window.dilations[i] + 1;
            const int64_t full = window.strides[i] * (in - 1) + dilated;
            const int64_t out = output_shape.empty() ? in * window.strides[i] : output_shape[i];
            const int64_t total = full + output_padding[i] - out;
            // Python's floor division, as the ONNX reference splits the total.
            const int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2);
            pads_begin[i] = window.auto_pad == "same_upper" ? half : total - half;
            pads_end[i] = full - pads_begin[i] - out;
        }
    }
    const graph::Attributes attributes{
        {"strides", join(window.strides)}, {"dilations", join(window.dilations)},
        {"pads_begin", join(pads_begin)},  {"pads_end", join(pads_end)},
        {"auto_pad", "explicit"},          {"output_padding", join(ir_output_padding)}};
    graph::Output y;
    if (groups == 1) {
        y = context
                .add("ConvolutionBackpropData", "opset1", {context.input(0), context.input(1)},
                     attributes)
                .output();
    } else {
        const graph::Output grouped = split_groups(context, context.input(1), groups);
        y = context
                .add("GroupConvolutionBackpropData", "opset1", {context.input(0), grouped},
                     attributes)
                .output();
    }
    return {add_bias(context, y, 2, spatial + 2)};
}

// DeformConv(X, W, offset, B, mask) -> DeformableConvolution-8(X, offset, W, mask) + B. ONNX
// samples with zeros outside the image, which is bilinear_interpolation_pad = true.
std::vector<graph::Output> translate_deform_conv(NodeContext& context) {
    const size_t spatial = spatial_axes(context);
    const WindowAttributes window = read_window(context, spatial);
    const int64_t groups = group_count(context);
    const int64_t offset_groups = context.attribute_int("offset_group", 1);
    if (offset_groups < 1)
        context.fail(fmt::format("attribute 'offset_group' is {}, expected >= 1", offset_groups));
    std::vector<graph::Output> inputs{context.input(0), context.input(2), context.input(1)};
    if (context.has_input(4)) inputs.push_back(context.input(4));
    graph::Attributes attributes = window_attributes(window);
    attributes.set("group", std::to_string(groups));
    attributes.set("deformable_group", std::to_string(offset_groups));
    attributes.set("bilinear_interpolation_pad", "true");
    const graph::Output y =
        context.add("DeformableConvolution", "opset8", std::move(inputs), attributes).output();
    return {add_bias(context, y, 3, spatial + 2)};
}

}  // namespace es::frontends::onnx_import::nn
