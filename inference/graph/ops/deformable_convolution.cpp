// DeformableConvolution-1 and -8: a 2-D grouped convolution whose kernel taps are moved by
// learned offsets and (v8) scaled by a mask, sampling the input bilinearly.
#include "inference/graph/ops/families.h"
#include "inference/graph/ops/op_util.h"
#include "inference/graph/ops/spatial.h"

#include <cmath>

namespace es::graph::ops {
namespace {

struct DeformableAttributes {
    spatial::ConvAttributes conv;
    int64_t groups = 1;
    int64_t deformable_groups = 1;
    bool interpolation_pad = false;
};

DeformableAttributes read_attributes(const Attributes& attributes, bool v8) {
    DeformableAttributes result{spatial::read_conv_attributes(attributes)};
    if (result.conv.num_spatial != 2)
        throw_bad_input("attribute 'strides' has {} values, expected 2 (a 2-D convolution)",
                        result.conv.num_spatial);
    result.groups = attributes.get_int("group", 1);
    result.deformable_groups = attributes.get_int("deformable_group", 1);
    for (const auto& [value, name] : {std::pair{result.groups, "group"},
                                      std::pair{result.deformable_groups, "deformable_group"}})
        if (value < 1 || value > spatial::k_max_attribute)
            throw_bad_input("attribute '{}' is {}, expected a positive count", name, value);
    result.interpolation_pad = v8 && attributes.get_bool("bilinear_interpolation_pad", false);
    return result;
}

// Checks `value` (a dimension, k_dynamic when unknown) against `expected`.
void expect_dim(int64_t value, int64_t expected, const char* what, const PartialShape& shape,
                const char* meaning) {
    if (value >= 0 && expected >= 0 && value != expected)
        throw_bad_input("{} {} has {} where {} was expected ({})", what, to_string(shape), value,
                        expected, meaning);
}

int64_t dim(const PartialShape& shape, size_t i) {
    return shape.rank_known() ? shape[i] : k_dynamic;
}

template <bool v8>
std::vector<PortType> infer_deformable(const InferContext& context) {
    const DeformableAttributes attributes = read_attributes(context.attributes(), v8);
    const PortType& data = context.input(0);
    const PortType& offsets = context.input(1);
    const PortType& filters = context.input(2);
    const char* names[] = {"data", "offsets", "filters", "mask"};
    for (size_t i = 0; i < context.input_count(); ++i) {
        const PortType& port = context.input(i);
        if (!is_float(port.type))
            throw_bad_input("input {} ({}) has element type {}, expected a floating-point type", i,
                            names[i], to_string(port.type));
        if (port.type != data.type)
            throw_bad_input("input {} ({}) has element type {} but data has {}", i, names[i],
                            to_string(port.type), to_string(data.type));
        expect_rank(context, i, 4, names[i]);
    }
    const int64_t channels = dim(data.shape, 1);
    const int64_t per_group = dim(filters.shape, 1);
    const int64_t out_channels = dim(filters.shape, 0);
    const int64_t kernel_h = dim(filters.shape, 2), kernel_w = dim(filters.shape, 3);
    if (per_group >= 0)
        expect_dim(channels, spatial::checked_mul(per_group, attributes.groups), "data", data.shape,
                   "filters' input channels x group");
    if (channels >= 0 && channels % attributes.deformable_groups != 0)
        throw_bad_input("data {} has {} channels, not divisible by deformable_group {}",
                        to_string(data.shape), channels, attributes.deformable_groups);
    if (out_channels >= 0 && out_channels % attributes.groups != 0)
        throw_bad_input("filters {} have {} output channels, not divisible by group {}",
                        to_string(filters.shape), out_channels, attributes.groups);
    if (kernel_h == 0 || kernel_w == 0)
        throw_bad_input("filters {} have an empty kernel", to_string(filters.shape));
    const int64_t taps = kernel_h >= 0 && kernel_w >= 0
                             ? spatial::checked_mul(spatial::checked_mul(kernel_h, kernel_w),
                                                    attributes.deformable_groups)
                             : k_dynamic;
    expect_dim(dim(offsets.shape, 1), taps >= 0 ? 2 * taps : k_dynamic, "offsets", offsets.shape,
               "2 x deformable_group x kernel size");

    std::vector<int64_t> dims{dim(data.shape, 0), out_channels};
    const int64_t kernel[] = {kernel_h, kernel_w};
    for (size_t i = 0; i < 2; ++i) {
        const int64_t in = dim(data.shape, 2 + i);
        if (kernel[i] < 0) {
            dims.push_back(k_dynamic);
            continue;
        }
        const int64_t dilated = spatial::dilated_kernel(kernel[i], attributes.conv.dilations[i]);
        const auto [begin, end] =
            spatial::forward_pads(attributes.conv.auto_pad, in, dilated, attributes.conv.strides[i],
                                  attributes.conv.pads_begin[i], attributes.conv.pads_end[i]);
        dims.push_back(spatial::window_count(i, in, dilated, attributes.conv.strides[i], begin, end,
                                             spatial::Rounding::floor));
    }
    expect_dim(dim(offsets.shape, 0), dims[0], "offsets", offsets.shape, "the batch of data");
    for (size_t i = 0; i < 2; ++i)
        expect_dim(dim(offsets.shape, 2 + i), dims[2 + i], "offsets", offsets.shape,
                   "the output's spatial size");
    if (context.input_count() > 3) {
        const PartialShape& mask = context.input(3).shape;
        expect_dim(dim(mask, 0), dims[0], "mask", mask, "the batch of data");
        expect_dim(dim(mask, 1), taps, "mask", mask, "deformable_group x kernel size");
        for (size_t i = 0; i < 2; ++i)
            expect_dim(dim(mask, 2 + i), dims[2 + i], "mask", mask, "the output's spatial size");
    }
    return {{data.type, PartialShape(std::move(dims))}};
}

// Bilinear sample of a [height, width] plane at (y, x). With interpolation_pad, neighbours
// outside the plane read as zero; otherwise the neighbours are clamped into the plane.
template <typename T>
T bilinear(const T* plane, int64_t height, int64_t width, T y, T x, bool interpolation_pad) {
    const auto y_floor = static_cast<int64_t>(std::floor(y));
    const auto x_floor = static_cast<int64_t>(std::floor(x));
    const int64_t y1 = interpolation_pad ? y_floor : std::max<int64_t>(y_floor, 0);
    const int64_t x1 = interpolation_pad ? x_floor : std::max<int64_t>(x_floor, 0);
    const int64_t y2 = interpolation_pad
                           ? y1 + 1
                           : std::min<int64_t>(static_cast<int64_t>(std::ceil(y)), height - 1);
    const int64_t x2 = interpolation_pad
                           ? x1 + 1
                           : std::min<int64_t>(static_cast<int64_t>(std::ceil(x)), width - 1);
    const T dy = y - static_cast<T>(y1);
    const T dx = x - static_cast<T>(x1);
    const auto at = [&](int64_t r, int64_t c) {
        return r >= 0 && r < height && c >= 0 && c < width ? plane[r * width + c] : T{0};
    };
    return (1 - dy) * ((1 - dx) * at(y1, x1) + dx * at(y1, x2)) +
           dy * ((1 - dx) * at(y2, x1) + dx * at(y2, x2));
}

// For every input channel, the sampled (and masked) value under every kernel tap at every
// output position is gathered into a [taps, outputs] buffer, then accumulated into the output
// channels of the channel's group: dst[oc, p] += filters[oc, ic, k] * sampled[k, p].
template <typename T>
void deformable_convolution(std::span<const Tensor> inputs, const DeformableAttributes& a,
                            Tensor& output) {
    const Shape& data_shape = inputs[0].shape();
    const Shape& filter_shape = inputs[2].shape();
    const Shape& dst_shape = output.shape();
    const int64_t batch = data_shape[0], channels = data_shape[1];
    const int64_t height = data_shape[2], width = data_shape[3];
    const int64_t out_channels = filter_shape[0], per_group = filter_shape[1];
    const int64_t kernel_h = filter_shape[2], kernel_w = filter_shape[3];
    const int64_t out_h = dst_shape[2], out_w = dst_shape[3];
    const int64_t taps = kernel_h * kernel_w;
    const int64_t outputs = out_h * out_w;
    const int64_t out_per_group = out_channels / a.groups;
    const int64_t channels_per_deformable = channels / a.deformable_groups;
    int64_t pad_top = 0, pad_left = 0;
    for (size_t i = 0; i < 2; ++i) {
        const int64_t dilated = spatial::dilated_kernel(filter_shape[2 + i], a.conv.dilations[i]);
        const int64_t begin =
            spatial::forward_pads(a.conv.auto_pad, data_shape[2 + i], dilated, a.conv.strides[i],
                                  a.conv.pads_begin[i], a.conv.pads_end[i])
                .first;
        (i == 0 ? pad_top : pad_left) = begin;
    }
    const T* src = inputs[0].data<T>();
    const T* offsets = inputs[1].data<T>();
    const T* filters = inputs[2].data<T>();
    const T* mask = inputs.size() > 3 ? inputs[3].data<T>() : nullptr;
    T* dst = output.data<T>();
    std::fill(dst, dst + output.size(), T{0});
    std::vector<T> sampled(static_cast<size_t>(taps * outputs));

    for (int64_t n = 0; n < batch; ++n) {
        for (int64_t c = 0; c < channels; ++c) {
            const int64_t deformable = c / channels_per_deformable;
            const T* plane = src + (n * channels + c) * height * width;
            const T* group_offsets =
                offsets + (n * a.deformable_groups + deformable) * 2 * taps * outputs;
            const T* group_mask =
                mask ? mask + (n * a.deformable_groups + deformable) * taps * outputs : nullptr;
            for (int64_t ky = 0; ky < kernel_h; ++ky) {
                for (int64_t kx = 0; kx < kernel_w; ++kx) {
                    const int64_t k = ky * kernel_w + kx;
                    // offsets hold (dy, dx) channel pairs per tap.
                    const T* dy = group_offsets + 2 * k * outputs;
                    const T* dx = dy + outputs;
                    T* row = sampled.data() + k * outputs;
                    for (int64_t oy = 0; oy < out_h; ++oy) {
                        for (int64_t ox = 0; ox < out_w; ++ox) {
                            const int64_t p = oy * out_w + ox;
                            const T y = static_cast<T>(oy * a.conv.strides[0] - pad_top +
                                                       ky * a.conv.dilations[0]) +
                                        dy[p];
                            const T x = static_cast<T>(ox * a.conv.strides[1] - pad_left +
                                                       kx * a.conv.dilations[1]) +
                                        dx[p];
                            const bool inside = a.interpolation_pad
                                                    ? y > T(-1) && y < static_cast<T>(height) &&
                                                          x > T(-1) && x < static_cast<T>(width)
                                                    : y >= T(0) && y < static_cast<T>(height) &&
                                                          x >= T(0) && x < static_cast<T>(width);
                            T value =
                                inside ? bilinear(plane, height, width, y, x, a.interpolation_pad)
                                       : T{0};
                            if (group_mask) value *= group_mask[k * outputs + p];
                            row[p] = value;
                        }
                    }
                }
            }
            const int64_t group = c / per_group;
            const int64_t ic = c % per_group;
            for (int64_t oc = group * out_per_group; oc < (group + 1) * out_per_group; ++oc) {
                T* dst_channel = dst + (n * out_channels + oc) * outputs;
                const T* weights = filters + (oc * per_group + ic) * taps;
                for (int64_t k = 0; k < taps; ++k) {
                    const T w = weights[k];
                    const T* row = sampled.data() + k * outputs;
                    for (int64_t p = 0; p < outputs; ++p)
                        dst_channel[p] += w * row[p];
                }
            }
        }
    }
}

template <bool v8>
void evaluate_deformable(const Node& node, std::span<const Tensor> inputs,
                         std::vector<Tensor>& outputs) {
    const DeformableAttributes attributes = read_attributes(node.attributes, v8);
    if (outputs[0].size() == 0) return;
    dispatch_float(inputs[0].type(), [&](auto zero) {
        deformable_convolution<decltype(zero)>(inputs, attributes, outputs[0]);
    });
}

}  // namespace

void add_deformable_convolution_ops(std::vector<OpDef>& ops) {
    ops.push_back(
        {"DeformableConvolution", 1, 3, 3, infer_deformable<false>, evaluate_deformable<false>});
    ops.push_back(
        {"DeformableConvolution", 8, 3, 4, infer_deformable<true>, evaluate_deformable<true>});
}

}  // namespace es::graph::ops
