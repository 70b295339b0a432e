#include "inference/graph/ops/convolution_tile.h"
#include "inference/graph/ops/op_util.h"
#include "inference/graph/ops/spatial.h"

#include <algorithm>

namespace es::graph::ops {
namespace {

using spatial::AutoPad;
using spatial::Axes3;
using spatial::ConvAttributes;
using spatial::ConvGeometry;

struct BackpropAttributes {
    ConvAttributes conv;
    std::vector<int64_t> output_padding;
};

BackpropAttributes read_backprop_attributes(const Attributes& attributes) {
    BackpropAttributes result{spatial::read_conv_attributes(attributes), {}};
    result.output_padding =
        spatial::read_axes(attributes, "output_padding", result.conv.num_spatial, 0, 0);
    return result;
}

// Pads of the backprop output along one axis. With an output_shape input (`out` >= 0),
// same_upper/same_lower split the padding that output size implies (the odd element at the
// beginning for same_upper, at the end for same_lower); without it they, like valid, pad by zero.
std::pair<int64_t, int64_t> backprop_pads(const BackpropAttributes& attributes, size_t axis,
                                          int64_t in, int64_t dilated, int64_t out) {
    const ConvAttributes& conv = attributes.conv;
    switch (conv.auto_pad) {
        case AutoPad::explicit_pads:
            return {conv.pads_begin[axis], conv.pads_end[axis]};
        case AutoPad::valid:
            return {0, 0};
        case AutoPad::same_upper:
        case AutoPad::same_lower: {
            if (out < 0 || in < 0) return {0, 0};
            const int64_t full =
                spatial::checked_add(spatial::checked_mul(in - 1, conv.strides[axis]), dilated);
            const int64_t total =
                std::max<int64_t>(0, full - out + attributes.output_padding[axis]);
            const int64_t small = total / 2;
            return conv.auto_pad == AutoPad::same_upper ? std::pair{total - small, small}
                                                        : std::pair{small, total - small};
        }
    }
    return {0, 0};
}

// The output_shape input's values, checked against the number of spatial axes; nullopt when the
// op has no such input or its value is not known yet.
std::optional<std::vector<int64_t>> output_shape_values(const InferContext& context,
                                                        size_t num_spatial) {
    if (context.input_count() < 3) return std::nullopt;
    expect_integer(context, 2, "output_shape");
    expect_rank(context, 2, 1, "output_shape");
    const PartialShape& shape = context.input(2).shape;
    if (shape.rank_known() && shape[0] >= 0 && static_cast<size_t>(shape[0]) != num_spatial)
        throw_bad_input("output_shape (input 2) has {} values, expected {} (one per spatial axis)",
                        shape[0], num_spatial);
    auto values = constant_ints(context, 2);
    if (values) {
        for (int64_t value : *values)
            if (value < 0 || value > spatial::k_max_attribute)
                throw_bad_input("output_shape (input 2) value {} is out of range [0, {}]", value,
                                spatial::k_max_attribute);
    }
    return values;
}

std::vector<PortType> infer_backprop(const InferContext& context, bool grouped) {
    const auto attributes = read_backprop_attributes(context.attributes());
    const size_t num_spatial = attributes.conv.num_spatial;
    const auto inputs =
        spatial::check_conv_inputs(context, num_spatial, grouped, /*backprop=*/true);
    const auto output_shape = output_shape_values(context, num_spatial);
    const bool has_output_shape = context.input_count() >= 3;

    std::vector<int64_t> dims{inputs.batch, inputs.dst_channels};
    for (size_t i = 0; i < num_spatial; ++i) {
        if (has_output_shape) {
            dims.push_back(output_shape ? (*output_shape)[i] : k_dynamic);
            continue;
        }
        const int64_t in = inputs.src_spatial[i];
        if (in < 0 || inputs.kernel[i] < 0) {
            dims.push_back(k_dynamic);
            continue;
        }
        const int64_t dilated =
            spatial::dilated_kernel(inputs.kernel[i], attributes.conv.dilations[i]);
        const auto [begin, end] = backprop_pads(attributes, i, in, dilated, k_dynamic);
        // out = (in - 1) * stride + dilated kernel - pads + output_padding
        int64_t out = spatial::checked_mul(in - 1, attributes.conv.strides[i]);
        out = spatial::checked_add(out, dilated + attributes.output_padding[i]);
        out = spatial::checked_add(out, -spatial::checked_add(begin, end));
        if (out < 0)
            throw_bad_input(
                "spatial axis {}: output size {} is negative (input {}, dilated "
                "kernel {}, pads {}, {})",
                i, out, in, dilated, begin, end);
        dims.push_back(out);
    }
    return {{context.input(0).type, PartialShape(std::move(dims))}};
}

ConvGeometry backprop_geometry(const Node& node, const Shape& src, const Shape& weights,
                               const Shape& dst, bool has_output_shape, bool grouped) {
    const auto attributes = read_backprop_attributes(node.attributes);
    const size_t offset = grouped ? 1 : 0;
    ConvGeometry geometry;
    geometry.batch = src[0];
    geometry.groups = grouped ? weights[0] : 1;
    geometry.src_channels = weights[offset];
    geometry.dst_channels = weights[offset + 1];
    geometry.src = spatial::spatial_axes3(src, 2);
    geometry.dst = spatial::spatial_axes3(dst, 2);
    geometry.kernel = spatial::spatial_axes3(weights, offset + 2);
    geometry.stride = spatial::to_axes3(attributes.conv.strides, 1);
    geometry.dilation = spatial::to_axes3(attributes.conv.dilations, 1);
    std::vector<int64_t> pad_begin;
    for (size_t i = 0; i < attributes.conv.num_spatial; ++i) {
        const int64_t dilated =
            spatial::dilated_kernel(weights[offset + 2 + i], attributes.conv.dilations[i]);
        const int64_t out = has_output_shape ? dst[2 + i] : k_dynamic;
        pad_begin.push_back(backprop_pads(attributes, i, src[2 + i], dilated, out).first);
    }
    geometry.pad_begin = spatial::to_axes3(pad_begin, 0);
    return geometry;
}

// One output phase along one axis: the outputs o = phase + q * stride, q in [0, count), and
// the kernel taps that reach them, each reading input q + offset.
struct AxisPhase {
    int64_t phase = 0;
    int64_t count = 0;
    std::vector<int64_t> taps;
    std::vector<int64_t> offsets;
};

// Output o receives src[i] * weights[k] where o + pad_begin = i * stride + k * dilation. For
// the outputs of one phase (o mod stride) the contributing taps are fixed and i = q + offset.
std::vector<AxisPhase> axis_phases(int64_t out, int64_t kernel, int64_t stride, int64_t dilation,
                                   int64_t pad_begin) {
    std::vector<AxisPhase> phases;
    for (int64_t r = 0; r < std::min(stride, out); ++r) {
        AxisPhase phase;
        phase.phase = r;
        phase.count = spatial::ceil_div(out - r, stride);
        for (int64_t k = 0; k < kernel; ++k) {
            const int64_t reach = r + pad_begin - k * dilation;
            if (spatial::floor_div(reach, stride) * stride != reach) continue;
            phase.taps.push_back(k);
            phase.offsets.push_back(reach / stride);
        }
        phases.push_back(std::move(phase));
    }
    return phases;
}

// Where the phases of every axis read the zero-padded input: input index i sits at i + lead.
struct PhasePlan {
    std::array<std::vector<AxisPhase>, 3> phases;
    Axes3 lead{};
    Axes3 extent{};
};

PhasePlan phase_plan(const ConvGeometry& g) {
    PhasePlan plan;
    for (size_t a = 0; a < 3; ++a) {
        plan.phases[a] =
            axis_phases(g.dst[a], g.kernel[a], g.stride[a], g.dilation[a], g.pad_begin[a]);
        int64_t last = 0;  // one past the last input index read
        for (const auto& phase : plan.phases[a]) {
            for (int64_t offset : phase.offsets) {
                plan.lead[a] = std::max(plan.lead[a], -offset);
                last = std::max(last, phase.count + offset);
            }
        }
        plan.extent[a] = plan.lead[a] + last;
    }
    return plan;
}

// The taps of one combination of per-axis phases: offsets in the padded input and positions
// in the kernel.
struct PhaseTaps {
    std::vector<int64_t> offsets;
    std::vector<int64_t> kernel_index;
};

PhaseTaps phase_taps(const std::array<const AxisPhase*, 3>& phase, const Axes3& extent,
                     const Axes3& kernel) {
    const auto& [pz, py, px] = phase;
    PhaseTaps taps;
    for (size_t tz = 0; tz < pz->taps.size(); ++tz) {
        for (size_t ty = 0; ty < py->taps.size(); ++ty) {
            for (size_t tx = 0; tx < px->taps.size(); ++tx) {
                taps.offsets.push_back((pz->offsets[tz] * extent[1] + py->offsets[ty]) * extent[2] +
                                       px->offsets[tx]);
                taps.kernel_index.push_back((pz->taps[tz] * kernel[1] + py->taps[ty]) * kernel[2] +
                                            px->taps[tx]);
            }
        }
    }
    return taps;
}

// One group's weights [IC, OC, kernel] reordered to [OC, IC, tap] for the tile kernel.
template <typename T>
void phase_weights(const T* group_weights, const ConvGeometry& g, const PhaseTaps& taps,
                   std::vector<T>& dst) {
    const int64_t kernel_size = g.kernel[0] * g.kernel[1] * g.kernel[2];
    const auto tap_count = static_cast<int64_t>(taps.kernel_index.size());
    dst.resize(static_cast<size_t>(g.dst_channels * g.src_channels * tap_count));
    for (int64_t oc = 0; oc < g.dst_channels; ++oc)
        for (int64_t ic = 0; ic < g.src_channels; ++ic)
            for (int64_t t = 0; t < tap_count; ++t)
                dst[(oc * g.src_channels + ic) * tap_count + t] =
                    group_weights[(ic * g.dst_channels + oc) * kernel_size + taps.kernel_index[t]];
}

// The outputs of one phase combination, for one batch item and group: outputs
// phase + q * stride, as a unit-stride forward convolution of the padded input with the
// phase's taps. `dst` points at the group's first output channel.
template <typename T>
void convolve_phase(const std::vector<T>& padded, const std::vector<T>& weights,
                    const std::array<const AxisPhase*, 3>& phase, const PhasePlan& plan,
                    const ConvGeometry& g, spatial::TileSource<T> source, T* dst) {
    const auto& [pz, py, px] = phase;
    const auto [dst_d, dst_h, dst_w] = g.dst;
    const auto [pad_d, pad_h, pad_w] = plan.extent;
    const int64_t dst_plane = dst_d * dst_h * dst_w;
    const int64_t weights_per_channel = g.src_channels * static_cast<int64_t>(source.taps->size());
    for (int64_t oc = 0; oc < g.dst_channels; oc += spatial::k_tile_channels) {
        const int64_t channels = std::min(spatial::k_tile_channels, g.dst_channels - oc);
        const T* tile_weights[spatial::k_tile_channels] = {};
        T* dst_rows[spatial::k_tile_channels] = {};
        for (int64_t c = 0; c < channels; ++c)
            tile_weights[c] = weights.data() + (oc + c) * weights_per_channel;
        for (int64_t qz = 0; qz < pz->count; ++qz) {
            for (int64_t qy = 0; qy < py->count; ++qy) {
                const int64_t oz = pz->phase + qz * g.stride[0];
                const int64_t oy = py->phase + qy * g.stride[1];
                for (int64_t c = 0; c < channels; ++c)
                    dst_rows[c] =
                        dst + (oc + c) * dst_plane + (oz * dst_h + oy) * dst_w + px->phase;
                source.origin = padded.data() +
                                ((qz + plan.lead[0]) * pad_h + qy + plan.lead[1]) * pad_w +
                                plan.lead[2];
                spatial::convolve_row(source, tile_weights, channels, dst_rows, g.stride[2],
                                      px->count);
            }
        }
    }
}

// Transposed convolution as one forward convolution per output phase: every combination of
// per-axis phases sums its taps over a zero-padded copy of the input at unit stride and
// writes every stride-th output. Outputs no tap reaches stay zero.
template <typename T>
void convolve_backprop(const T* src, const T* weights, T* dst, const ConvGeometry& g) {
    const PhasePlan plan = phase_plan(g);
    const int64_t src_plane = g.src[0] * g.src[1] * g.src[2];
    const int64_t dst_plane = g.dst[0] * g.dst[1] * g.dst[2];
    const int64_t kernel_size = g.kernel[0] * g.kernel[1] * g.kernel[2];
    const int64_t channels_out = g.groups * g.dst_channels;
    std::fill(dst, dst + g.batch * channels_out * dst_plane, T{0});

    std::vector<T> padded;
    std::vector<T> tap_weights;
    spatial::TileSource<T> source;
    source.channel_stride = plan.extent[0] * plan.extent[1] * plan.extent[2];
    source.channels = g.src_channels;
    for (int64_t n = 0; n < g.batch; ++n) {
        for (int64_t group = 0; group < g.groups; ++group) {
            spatial::pad_channels(src + (n * g.groups + group) * g.src_channels * src_plane,
                                  g.src_channels, g.src, plan.lead, plan.extent,
                                  spatial::k_tile_width, padded);
            for (const auto& pz : plan.phases[0]) {
                for (const auto& py : plan.phases[1]) {
                    for (const auto& px : plan.phases[2]) {
                        const std::array<const AxisPhase*, 3> phase{&pz, &py, &px};
                        const PhaseTaps taps = phase_taps(phase, plan.extent, g.kernel);
                        if (taps.offsets.empty()) continue;
                        phase_weights(
                            weights + group * g.src_channels * g.dst_channels * kernel_size, g,
                            taps, tap_weights);
                        source.taps = &taps.offsets;
                        convolve_phase(
                            padded, tap_weights, phase, plan, g, source,
                            dst + (n * channels_out + group * g.dst_channels) * dst_plane);
                    }
                }
            }
        }
    }
}

void evaluate_backprop(const Node& node, std::span<const Tensor> inputs,
                       std::vector<Tensor>& outputs, bool grouped) {
    const ConvGeometry geometry =
        backprop_geometry(node, inputs[0].shape(), inputs[1].shape(), outputs[0].shape(),
                          inputs.size() >= 3, grouped);
    dispatch_float(inputs[0].type(), [&](auto zero) {
        using T = decltype(zero);
        convolve_backprop<T>(inputs[0].data<T>(), inputs[1].data<T>(), outputs[0].data<T>(),
                             geometry);
    });
}

}  // namespace

std::vector<PortType> infer_convolution_backprop(const InferContext& context) {
    return infer_backprop(context, false);
}

std::vector<PortType> infer_group_convolution_backprop(const InferContext& context) {
    return infer_backprop(context, true);
}

void evaluate_convolution_backprop(const Node& node, std::span<const Tensor> inputs,
                                   std::vector<Tensor>& outputs) {
    evaluate_backprop(node, inputs, outputs, false);
}

void evaluate_group_convolution_backprop(const Node& node, std::span<const Tensor> inputs,
                                         std::vector<Tensor>& outputs) {
    evaluate_backprop(node, inputs, outputs, true);
}

}  // namespace es::graph::ops
