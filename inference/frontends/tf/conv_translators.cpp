#include "inference/frontends/tf/translator_util.h"
#include "inference/frontends/tf/translators.h"

namespace es::frontends::tf_import {
namespace {

using Outputs = std::vector<graph::Output>;

graph::Attributes window_attributes(const NodeContext& context, DataFormat format) {
    const Padding padding = read_padding(context, format);
    return {{"strides", join(spatial_attribute(context, "strides", format, 1))},
            {"dilations", join(spatial_attribute(context, "dilations", format, 1))},
            {"pads_begin", join(padding.begin)},
            {"pads_end", join(padding.end)},
            {"auto_pad", padding.auto_pad}};
}

graph::Output transpose(NodeContext& context, graph::Output x, std::vector<int64_t> order) {
    return context.add("Transpose", "opset1", {x, context.i64_constant(order)}).output();
}

// Conv2D / Conv3D filters [k…, in, out] as IR weights [out, in, k…]; grouped when the data
// has `groups` times the filter's input channels. The result stays channels-first.
graph::Output convolution(NodeContext& context, DataFormat format, graph::Output x,
                          graph::Output filter) {
    const size_t rank = format.rank;
    const auto& filter_shape = filter.type().shape;
    if (filter_shape.rank_known() && filter_shape.rank() != rank)
        context.fail(fmt::format("the filter has rank {}, expected {}", filter_shape.rank(), rank));
    std::vector<int64_t> order{static_cast<int64_t>(rank - 1), static_cast<int64_t>(rank - 2)};
    for (size_t i = 0; i + 2 < rank; ++i)
        order.push_back(static_cast<int64_t>(i));
    graph::Output weights = transpose(context, filter, order);
    const graph::Output data = to_channels_first(context, x, format);
    const graph::Attributes attributes = window_attributes(context, format);

    const auto& data_shape = data.type().shape;
    const int64_t channels = data_shape.rank_known() ? data_shape[1] : k_dynamic;
    const int64_t filter_in = filter_shape.rank_known() ? filter_shape[rank - 2] : k_dynamic;
    graph::Output y;
    if (channels > 0 && filter_in > 0 && channels != filter_in) {
        if (channels % filter_in != 0)
            context.fail(fmt::format("the input has {} channels, not a multiple of the filter's {}",
                                     channels, filter_in));
        const int64_t groups = channels / filter_in;
        const int64_t out = filter_shape[rank - 1];
        if (out < 0 || out % groups != 0)
            context.fail(
                fmt::format("{} output channels cannot be split into {} groups", out, groups));
        std::vector<int64_t> grouped{groups, out / groups, filter_in};
        for (size_t i = 0; i + 2 < rank; ++i)
            grouped.push_back(filter_shape[i]);
        weights = context
                      .add("Reshape", "opset1", {weights, context.i64_constant(grouped)},
                           {{"special_zero", "false"}})
                      .output();
        y = context.add("GroupConvolution", "opset1", {data, weights}, attributes).output();
    } else {
        y = context.add("Convolution", "opset1", {data, weights}, attributes).output();
    }
    return y;
}

// Depthwise filters [k…, C, multiplier] as IR group weights [C, multiplier, 1, k…]. The result
// stays channels-first.
graph::Output depthwise_convolution(NodeContext& context, DataFormat format, graph::Output x,
                                    graph::Output filter) {
    const size_t rank = format.rank;
    std::vector<int64_t> order{static_cast<int64_t>(rank - 2), static_cast<int64_t>(rank - 1)};
    for (size_t i = 0; i + 2 < rank; ++i)
        order.push_back(static_cast<int64_t>(i));
    graph::Output weights = transpose(context, filter, order);
    weights = context.add("Unsqueeze", "opset1", {weights, context.i64_constant({2})}).output();
    const graph::Output data = to_channels_first(context, x, format);
    return context
        .add("GroupConvolution", "opset1", {data, weights}, window_attributes(context, format))
        .output();
}

// The fused post-ops run channels-first, next to the convolution, so that the layout
// transposes of consecutive convolutions meet and cancel.
graph::Output fused_post_ops(NodeContext& context, graph::Output y, DataFormat format) {
    return to_channels_last(context, apply_fused_ops(context, y, 2, DataFormat{false, format.rank}),
                            format);
}

Outputs translate_conv(NodeContext& context) {
    const DataFormat format = read_data_format(context, context.op_type() == "Conv3D" ? 5 : 4);
    return {to_channels_last(
        context, convolution(context, format, context.input(0), context.input(1)), format)};
}

// TensorFlow's fused convolutions may state their filter layout; only HWIO exists on CPU.
void expect_hwio_filter(const NodeContext& context) {
    const std::string filter_format = context.attribute_string("filter_format", "HWIO");
    if (filter_format != "HWIO")
        context.fail(fmt::format("attribute 'filter_format' is '{}', only HWIO is supported",
                                 filter_format));
}

Outputs translate_fused_conv(NodeContext& context) {
    expect_hwio_filter(context);
    const DataFormat format = read_data_format(context);
    const graph::Output y = convolution(context, format, context.input(0), context.input(1));
    return {fused_post_ops(context, y, format)};
}

Outputs translate_depthwise(NodeContext& context) {
    const DataFormat format = read_data_format(context);
    return {to_channels_last(
        context, depthwise_convolution(context, format, context.input(0), context.input(1)),
        format)};
}

Outputs translate_fused_depthwise(NodeContext& context) {
    const DataFormat format = read_data_format(context);
    const graph::Output y =
        depthwise_convolution(context, format, context.input(0), context.input(1));
    return {fused_post_ops(context, y, format)};
}

// Conv2DBackpropInput(input_sizes, filter [k…, C_result, C_data], out_backprop): the gradient
// of a forward convolution whose input had input_sizes. TF pads the forward convolution (SAME:
// the odd pad at the end); the IR op gets those pads and the output_padding that gives the
// requested size.
Outputs translate_conv_backprop_input(NodeContext& context) {
    const DataFormat format =
        read_data_format(context, context.op_type() == "Conv3DBackpropInputV2" ? 5 : 4);
    const size_t spatial = format.rank - 2;
    const auto sizes = context.constant_ints(0, "input_sizes");
    std::vector<int64_t> result_sizes;
    if (sizes.size() == format.rank) {
        for (size_t i = 0; i < spatial; ++i)
            result_sizes.push_back(sizes[format.spatial_axis(i)]);
    } else if (sizes.size() == spatial) {
        result_sizes = sizes;
    } else {
        context.fail(fmt::format("input 0 (input_sizes) has {} values, expected {}", sizes.size(),
                                 format.rank));
    }
    const auto& filter_shape = context.input_type(1).shape;
    const auto& data_shape = context.input_type(2).shape;
    if (!filter_shape.is_static() || filter_shape.rank() != format.rank)
        context.fail("the filter needs a static shape of rank " + std::to_string(format.rank));
    if (!data_shape.rank_known() || data_shape.rank() != format.rank)
        context.fail("out_backprop needs rank " + std::to_string(format.rank));
    const auto strides = spatial_attribute(context, "strides", format, 1);
    const auto dilations = spatial_attribute(context, "dilations", format, 1);
    const Padding padding = read_padding(context, format);
    std::vector<int64_t> pads_begin(spatial), pads_end(spatial), output_padding(spatial);
    for (size_t i = 0; i < spatial; ++i) {
        const int64_t in = data_shape[format.spatial_axis(i)];
        if (in < 0) context.fail("out_backprop needs static spatial sizes");
        const int64_t dilated = (filter_shape[i] - 1) * dilations[i] + 1;
        const int64_t full = strides[i] * (in - 1) + dilated;
        if (padding.auto_pad == "same_upper") {
            const int64_t total = std::max<int64_t>(full - result_sizes[i], 0);
            pads_begin[i] = total / 2;
            pads_end[i] = total - total / 2;
        } else if (padding.auto_pad == "explicit") {
            pads_begin[i] = padding.begin[i];
            pads_end[i] = padding.end[i];
        }
        output_padding[i] = result_sizes[i] - (full - pads_begin[i] - pads_end[i]);
        if (output_padding[i] < 0 || output_padding[i] >= std::max(strides[i], dilations[i]))
            context.fail(fmt::format("input_sizes {} does not fit out_backprop {}", join(sizes),
                                     to_string(data_shape)));
    }
    std::vector<int64_t> order{static_cast<int64_t>(format.rank - 1),
                               static_cast<int64_t>(format.rank - 2)};
    for (size_t i = 0; i < spatial; ++i)
        order.push_back(static_cast<int64_t>(i));
    const graph::Output weights = transpose(context, context.input(1), order);
    const graph::Output data = to_channels_first(context, context.input(2), format);
    const graph::Output y = context
                                .add("ConvolutionBackpropData", "opset1", {data, weights},
                                     {{"strides", join(strides)},
                                      {"dilations", join(dilations)},
                                      {"pads_begin", join(pads_begin)},
                                      {"pads_end", join(pads_end)},
                                      {"auto_pad", "explicit"},
                                      {"output_padding", join(output_padding)}})
                                .output();
    return {to_channels_last(context, y, format)};
}

}  // namespace

void add_conv_translators(std::vector<OpTranslator>& table) {
    table.push_back({"Conv2D", translate_conv});
    table.push_back({"Conv3D", translate_conv});
    table.push_back({"_FusedConv2D", translate_fused_conv});
    table.push_back({"DepthwiseConv2dNative", translate_depthwise});
    table.push_back({"_FusedDepthwiseConv2dNative", translate_fused_depthwise});
    table.push_back({"FusedDepthwiseConv2dNative", translate_fused_depthwise});  // TF.js's name
    table.push_back({"Conv2DBackpropInput", translate_conv_backprop_input});
    table.push_back({"Conv3DBackpropInputV2", translate_conv_backprop_input});
}

}  // namespace es::frontends::tf_import
