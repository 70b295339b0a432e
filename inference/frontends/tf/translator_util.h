#pragma once

#include "inference/frontends/tf/node_context.h"

#include <string>
#include <vector>

// Helpers shared by the translator families: data formats, padding, activations.
namespace es::frontends::tf_import {

// Where a 4-D or 5-D op keeps channels: data_format NHWC/NDHWC (last) or NCHW/NCDHW (second).
struct DataFormat {
    bool channels_last = true;
    size_t rank = 4;
    size_t channel_axis() const { return channels_last ? rank - 1 : 1; }
    size_t spatial_axis(size_t i) const { return channels_last ? 1 + i : 2 + i; }
};
DataFormat read_data_format(const NodeContext& context, size_t rank = 4);

// The spatial entries of a per-axis attribute given in data_format order (strides, ksize,
// dilations); `fallback` for every axis when the attribute is absent.
std::vector<int64_t> spatial_attribute(const NodeContext& context, const std::string& name,
                                       DataFormat format, int64_t fallback);

// Transposes channels-last data to channels-first (and back); identity for channels-first.
graph::Output to_channels_first(NodeContext& context, graph::Output x, DataFormat format);
graph::Output to_channels_last(NodeContext& context, graph::Output x, DataFormat format);

// TensorFlow's padding attribute as IR window attributes: SAME is same_upper (the odd pad at
// the end), VALID is valid, EXPLICIT reads explicit_paddings.
struct Padding {
    std::string auto_pad = "explicit";
    std::vector<int64_t> begin, end;
};
Padding read_padding(const NodeContext& context, DataFormat format);

// A [C] vector shaped to broadcast along the channel axis of rank-`rank` data in `format`.
graph::Output channel_vector(NodeContext& context, graph::Output vector, DataFormat format);

// A scalar constant with the element type of `like`.
graph::Output scalar_like(NodeContext& context, const graph::Output& like, double value);

// Applies a TF activation by name (Relu, Relu6, Elu, Selu, LeakyRelu, Sigmoid, Tanh, Prelu with
// `alpha`, and the fused-op names _MklSwish, _FusedHardSwish, Mish, GeluExact, GeluApproximate);
// fails for others.
graph::Output apply_activation(NodeContext& context, graph::Output x, const std::string& name,
                               const std::optional<graph::Output>& alpha = std::nullopt);

// y = x * scale / sqrt(variance + epsilon) + (offset - mean * scale / sqrt(variance + epsilon)),
// inference-mode batch normalization along the channel axis.
graph::Output batch_norm(NodeContext& context, graph::Output x, graph::Output scale,
                         graph::Output offset, graph::Output mean, graph::Output variance,
                         float epsilon, DataFormat format);

// The post-ops of _FusedConv2D, _FusedDepthwiseConv2dNative (TF.js: FusedDepthwiseConv2dNative)
// and _FusedMatMul (attribute fused_ops, arguments from input `first_arg`, as many as num_args
// says): BiasAdd or FusedBatchNorm (attribute epsilon), then an optional Add of another tensor,
// then an optional activation (LeakyRelu reads leakyrelu_alpha). `format` is the layout of y.
graph::Output apply_fused_ops(NodeContext& context, graph::Output y, size_t first_arg,
                              DataFormat format);

}  // namespace es::frontends::tf_import
