#include "inference/graph/ops/convolution_tile.h"
#include "inference/graph/ops/families.h"
#include "inference/graph/ops/op_util.h"
#include "inference/graph/ops/spatial.h"

#include <algorithm>

namespace es::graph::ops {
namespace {

using spatial::Axes3;
using spatial::ConvGeometry;

std::vector<PortType> infer_forward(const InferContext& context, bool grouped) {
    const auto attributes = spatial::read_conv_attributes(context.attributes());
    const auto inputs =
        spatial::check_conv_inputs(context, attributes.num_spatial, grouped, /*backprop=*/false);
    std::vector<int64_t> dims{inputs.batch, inputs.dst_channels};
    for (size_t i = 0; i < attributes.num_spatial; ++i) {
        if (inputs.kernel[i] < 0) {
            dims.push_back(k_dynamic);
            continue;
        }
        const int64_t in = inputs.src_spatial[i];
        const int64_t dilated = spatial::dilated_kernel(inputs.kernel[i], attributes.dilations[i]);
        const auto [begin, end] =
            spatial::forward_pads(attributes.auto_pad, in, dilated, attributes.strides[i],
                                  attributes.pads_begin[i], attributes.pads_end[i]);
        dims.push_back(spatial::window_count(i, in, dilated, attributes.strides[i], begin, end,
                                             spatial::Rounding::floor));
    }
    return {{context.input(0).type, PartialShape(std::move(dims))}};
}

std::vector<PortType> infer_convolution(const InferContext& context) {
    return infer_forward(context, false);
}

std::vector<PortType> infer_group_convolution(const InferContext& context) {
    return infer_forward(context, true);
}

ConvGeometry forward_geometry(const Node& node, const Shape& src, const Shape& weights,
                              const Shape& dst, bool grouped) {
    const auto attributes = spatial::read_conv_attributes(node.attributes);
    const size_t offset = grouped ? 1 : 0;
    ConvGeometry geometry;
    geometry.batch = src[0];
    geometry.groups = grouped ? weights[0] : 1;
    geometry.dst_channels = weights[offset];
    geometry.src_channels = weights[offset + 1];
    geometry.src = spatial::spatial_axes3(src, 2);
    geometry.dst = spatial::spatial_axes3(dst, 2);
    geometry.kernel = spatial::spatial_axes3(weights, offset + 2);
    geometry.stride = spatial::to_axes3(attributes.strides, 1);
    geometry.dilation = spatial::to_axes3(attributes.dilations, 1);
    std::vector<int64_t> pad_begin;
    for (size_t i = 0; i < attributes.num_spatial; ++i) {
        const int64_t in = src[2 + i];
        const int64_t dilated =
            spatial::dilated_kernel(weights[offset + 2 + i], attributes.dilations[i]);
        pad_begin.push_back(spatial::forward_pads(attributes.auto_pad, in, dilated,
                                                  attributes.strides[i], attributes.pads_begin[i],
                                                  attributes.pads_end[i])
                                .first);
    }
    geometry.pad_begin = spatial::to_axes3(pad_begin, 0);
    return geometry;
}

// Input extent that the windows of `out` outputs cover along one axis.
int64_t covered_extent(int64_t out, int64_t kernel, int64_t stride, int64_t dilation) {
    return out == 0 ? 0 : (out - 1) * stride + (kernel - 1) * dilation + 1;
}

// All output channels of one group and batch item from its padded input, a row and up to
// k_tile_channels channels at a time. `weights` and `dst` point at the group's first output
// channel.
template <typename T>
void convolve_group(const std::vector<T>& padded, const T* weights, T* dst, const ConvGeometry& g,
                    const Axes3& extent, spatial::TileSource<T> source) {
    const auto [dst_d, dst_h, dst_w] = g.dst;
    const int64_t dst_plane = dst_d * dst_h * dst_w;
    const int64_t weights_per_channel = g.src_channels * static_cast<int64_t>(source.taps->size());
    for (int64_t oc = 0; oc < g.dst_channels; oc += spatial::k_tile_channels) {
        const int64_t channels = std::min(spatial::k_tile_channels, g.dst_channels - oc);
        const T* tile_weights[spatial::k_tile_channels] = {};
        T* dst_rows[spatial::k_tile_channels] = {};
        for (int64_t c = 0; c < channels; ++c)
            tile_weights[c] = weights + (oc + c) * weights_per_channel;
        for (int64_t z = 0; z < dst_d; ++z) {
            for (int64_t y = 0; y < dst_h; ++y) {
                for (int64_t c = 0; c < channels; ++c)
                    dst_rows[c] = dst + (oc + c) * dst_plane + (z * dst_h + y) * dst_w;
                source.origin =
                    padded.data() + (z * g.stride[0] * extent[1] + y * g.stride[1]) * extent[2];
                spatial::convolve_row(source, tile_weights, channels, dst_rows, 1, dst_w);
            }
        }
    }
}

// dst[n, g*OC + oc, o] = sum over ic, k of src_padded[n, g*IC + ic, o * stride + k * dilation]
//                                         * weights[g*OC + oc, ic, k]
// where src_padded is the input with its pads made explicit (zeros), built once per group.
template <typename T>
void convolve(const T* src, const T* weights, T* dst, const ConvGeometry& g) {
    Axes3 extent{};
    for (size_t a = 0; a < 3; ++a)
        extent[a] = covered_extent(g.dst[a], g.kernel[a], g.stride[a], g.dilation[a]);
    std::vector<int64_t> taps;
    for (int64_t kz = 0; kz < g.kernel[0]; ++kz)
        for (int64_t ky = 0; ky < g.kernel[1]; ++ky)
            for (int64_t kx = 0; kx < g.kernel[2]; ++kx)
                taps.push_back((kz * g.dilation[0] * extent[1] + ky * g.dilation[1]) * extent[2] +
                               kx * g.dilation[2]);
    const int64_t src_group = g.src_channels * g.src[0] * g.src[1] * g.src[2];
    const int64_t dst_group = g.dst_channels * g.dst[0] * g.dst[1] * g.dst[2];
    const int64_t weights_group =
        g.dst_channels * g.src_channels * static_cast<int64_t>(taps.size());

    std::vector<T> padded;
    spatial::TileSource<T> source;
    source.channel_stride = extent[0] * extent[1] * extent[2];
    source.channels = g.src_channels;
    source.x_stride = g.stride[2];
    source.taps = &taps;
    for (int64_t n = 0; n < g.batch; ++n) {
        for (int64_t group = 0; group < g.groups; ++group) {
            const int64_t index = n * g.groups + group;
            spatial::pad_channels(src + index * src_group, g.src_channels, g.src, g.pad_begin,
                                  extent, spatial::k_tile_width * g.stride[2], padded);
            convolve_group(padded, weights + group * weights_group, dst + index * dst_group, g,
                           extent, source);
        }
    }
}

void evaluate_forward(const Node& node, std::span<const Tensor> inputs,
                      std::vector<Tensor>& outputs, bool grouped) {
    const ConvGeometry geometry =
        forward_geometry(node, inputs[0].shape(), inputs[1].shape(), outputs[0].shape(), grouped);
    dispatch_float(inputs[0].type(), [&](auto zero) {
        using T = decltype(zero);
        convolve<T>(inputs[0].data<T>(), inputs[1].data<T>(), outputs[0].data<T>(), geometry);
    });
}

void evaluate_convolution(const Node& node, std::span<const Tensor> inputs,
                          std::vector<Tensor>& outputs) {
    evaluate_forward(node, inputs, outputs, false);
}

void evaluate_group_convolution(const Node& node, std::span<const Tensor> inputs,
                                std::vector<Tensor>& outputs) {
    evaluate_forward(node, inputs, outputs, true);
}

}  // namespace

void add_convolution_ops(std::vector<OpDef>& ops) {
    ops.push_back({"Convolution", 1, 2, 2, infer_convolution, evaluate_convolution});
    ops.push_back(
        {"GroupConvolution", 1, 2, 2, infer_group_convolution, evaluate_group_convolution});
    ops.push_back({"ConvolutionBackpropData", 1, 2, 3, infer_convolution_backprop,
                   evaluate_convolution_backprop});
    ops.push_back({"GroupConvolutionBackpropData", 1, 2, 3, infer_group_convolution_backprop,
                   evaluate_group_convolution_backprop});
}

}  // namespace es::graph::ops
