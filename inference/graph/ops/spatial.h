#pragma once

// Attribute parsing and window/padding maths shared by the convolution and pooling ops.
// Private to inference/graph/ops.

#include "inference/core/error.h"
#include "inference/core/shape.h"
#include "inference/graph/attributes.h"
#include "inference/graph/op.h"
#include "inference/graph/ops/op_util.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace es::graph::ops::spatial {

// Attribute values beyond this are rejected, which keeps all window maths inside int64.
constexpr int64_t k_max_attribute = std::numeric_limits<int32_t>::max();

enum class AutoPad { explicit_pads, same_upper, same_lower, valid };
enum class Rounding { floor, ceil, ceil_torch };

inline std::string lowercase(std::string text) {
    for (char& c : text)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

inline AutoPad read_auto_pad(const Attributes& attributes) {
    const std::string text = lowercase(attributes.get_string("auto_pad", "explicit"));
    if (text == "explicit" || text == "notset" || text.empty()) return AutoPad::explicit_pads;
    if (text == "same_upper") return AutoPad::same_upper;
    if (text == "same_lower") return AutoPad::same_lower;
    if (text == "valid") return AutoPad::valid;
    throw_bad_input(
        "attribute 'auto_pad': '{}' is not one of explicit, notset, same_upper, "
        "same_lower, valid",
        text);
}

inline Rounding read_rounding(const Attributes& attributes, bool allow_ceil_torch) {
    const std::string text = lowercase(attributes.get_string("rounding_type", "floor"));
    if (text == "floor") return Rounding::floor;
    if (text == "ceil") return Rounding::ceil;
    if (allow_ceil_torch && text == "ceil_torch") return Rounding::ceil_torch;
    throw_bad_input("attribute 'rounding_type': '{}' is not one of floor, ceil{}", text,
                    allow_ceil_torch ? ", ceil_torch" : "");
}

// A per-axis list attribute with `count` values in [min_value, k_max_attribute]. A missing or
// empty attribute is `fill` repeated when a fill is given, an error otherwise.
inline std::vector<int64_t> read_axes(const Attributes& attributes, const std::string& key,
                                      size_t count, int64_t min_value,
                                      std::optional<int64_t> fill) {
    std::vector<int64_t> values;
    if (attributes.has(key)) values = attributes.get_ints(key);
    if (values.empty() && fill) return std::vector<int64_t>(count, *fill);
    if (!attributes.has(key)) throw_bad_input("attribute '{}' is missing", key);
    if (values.size() != count)
        throw_bad_input("attribute '{}' has {} values, expected one per spatial axis ({})", key,
                        values.size(), count);
    for (int64_t value : values)
        if (value < min_value || value > k_max_attribute)
            throw_bad_input("attribute '{}': value {} is out of range [{}, {}]", key, value,
                            min_value, k_max_attribute);
    return values;
}

// a + b and a * b for dimensions, throwing instead of overflowing.
inline int64_t checked_add(int64_t a, int64_t b) {
    int64_t result = 0;
    if (__builtin_add_overflow(a, b, &result)) throw_bad_input("spatial size overflows int64");
    return result;
}
inline int64_t checked_mul(int64_t a, int64_t b) {
    int64_t result = 0;
    if (__builtin_mul_overflow(a, b, &result)) throw_bad_input("spatial size overflows int64");
    return result;
}

inline int64_t dilated_kernel(int64_t kernel, int64_t dilation) {
    return checked_add(checked_mul(kernel - 1, dilation), 1);
}

inline int64_t floor_div(int64_t a, int64_t b) {
    const int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
inline int64_t ceil_div(int64_t a, int64_t b) {
    return -floor_div(-a, b);
}

// Pads that make a forward window produce ceil(in / stride) outputs; same_upper puts the odd
// element at the end, same_lower at the beginning.
inline std::pair<int64_t, int64_t> same_pads(int64_t in, int64_t dilated, int64_t stride,
                                             AutoPad mode) {
    const int64_t out = ceil_div(in, stride);
    const int64_t total =
        std::max<int64_t>(0, checked_add(checked_mul(out - 1, stride), dilated) - in);
    const int64_t small = total / 2;
    return mode == AutoPad::same_lower ? std::pair{total - small, small}
                                       : std::pair{small, total - small};
}

// Pads of a forward window (convolution, pooling) along one axis; zeros when `in` is unknown
// and auto padding needs it.
inline std::pair<int64_t, int64_t> forward_pads(AutoPad mode, int64_t in, int64_t dilated,
                                                int64_t stride, int64_t explicit_begin,
                                                int64_t explicit_end) {
    switch (mode) {
        case AutoPad::explicit_pads:
            return {explicit_begin, explicit_end};
        case AutoPad::valid:
            return {0, 0};
        case AutoPad::same_upper:
        case AutoPad::same_lower:
            if (in < 0) return {0, 0};
            return same_pads(in, dilated, stride, mode);
    }
    return {0, 0};
}

// Number of window positions along one axis (k_dynamic when `in` is unknown). ceil lets the
// last window start in the end padding; ceil_torch drops a last window that would.
inline int64_t window_count(int64_t axis, int64_t in, int64_t dilated, int64_t stride,
                            int64_t pad_begin, int64_t pad_end, Rounding rounding) {
    if (in < 0) return k_dynamic;
    const int64_t padded = checked_add(checked_add(in, pad_begin), pad_end);
    if (padded < dilated)
        throw_bad_input(
            "spatial axis {}: the dilated window ({}) is larger than the padded input "
            "({} with pads {}, {})",
            axis, dilated, in, pad_begin, pad_end);
    const int64_t span = padded - dilated;
    if (rounding == Rounding::floor) return span / stride + 1;
    int64_t count = ceil_div(span, stride) + 1;
    if (rounding == Rounding::ceil_torch && (count - 1) * stride >= in + pad_begin) --count;
    return count;
}

// Spatial sizes as three axes (D, H, W), leading axes of size 1 for 1-D and 2-D: the kernels
// are written once for 3-D.
using Axes3 = std::array<int64_t, 3>;

inline Axes3 to_axes3(const std::vector<int64_t>& values, int64_t fill) {
    Axes3 result{fill, fill, fill};
    std::copy(values.begin(), values.end(), result.end() - values.size());
    return result;
}

// Spatial part of a static shape (after N and C) as Axes3.
inline Axes3 spatial_axes3(const Shape& shape, size_t leading) {
    return to_axes3(
        std::vector<int64_t>(shape.begin() + static_cast<ptrdiff_t>(leading), shape.end()), 1);
}

// Attributes common to Convolution, GroupConvolution and their backprop variants.
struct ConvAttributes {
    size_t num_spatial = 0;
    std::vector<int64_t> strides;
    std::vector<int64_t> dilations;
    std::vector<int64_t> pads_begin;  // as written; auto_pad may replace them
    std::vector<int64_t> pads_end;
    AutoPad auto_pad = AutoPad::explicit_pads;
};

// The number of spatial axes comes from `strides`; pads are only read (and checked) when
// auto_pad is explicit, since the other modes ignore them.
inline ConvAttributes read_conv_attributes(const Attributes& attributes) {
    ConvAttributes result;
    const auto strides = attributes.get_ints("strides");
    if (strides.empty() || strides.size() > 3)
        throw_bad_input("attribute 'strides' has {} values, expected 1 to 3 (one per spatial axis)",
                        strides.size());
    result.num_spatial = strides.size();
    result.strides = read_axes(attributes, "strides", result.num_spatial, 1, std::nullopt);
    result.dilations = read_axes(attributes, "dilations", result.num_spatial, 1, 1);
    result.auto_pad = read_auto_pad(attributes);
    if (result.auto_pad == AutoPad::explicit_pads) {
        result.pads_begin =
            read_axes(attributes, "pads_begin", result.num_spatial, -k_max_attribute, 0);
        result.pads_end =
            read_axes(attributes, "pads_end", result.num_spatial, -k_max_attribute, 0);
    } else {
        result.pads_begin.assign(result.num_spatial, 0);
        result.pads_end.assign(result.num_spatial, 0);
    }
    return result;
}

// Sizes of a (grouped) convolution or its backprop, spatial axes as Axes3. Channels are per
// group; `src` is the op's data input and `dst` its output.
struct ConvGeometry {
    int64_t batch = 0;
    int64_t groups = 1;
    int64_t src_channels = 0;
    int64_t dst_channels = 0;
    Axes3 src{};
    Axes3 dst{};
    Axes3 kernel{};
    Axes3 stride{};
    Axes3 dilation{};
    Axes3 pad_begin{};
};

// What a (grouped) convolution or backprop learns from its data and weights inputs; k_dynamic
// where unknown.
struct ConvInputs {
    int64_t batch = k_dynamic;
    int64_t dst_channels = k_dynamic;
    std::vector<int64_t> src_spatial;
    std::vector<int64_t> kernel;
};

// Checks element types, ranks and channel counts. Weights are [C_out, C_in, k...] forward and
// [C_in, C_out, k...] for backprop, with a leading groups axis (and per-group channel counts)
// when grouped.
inline ConvInputs check_conv_inputs(const InferContext& context, size_t num_spatial, bool grouped,
                                    bool backprop) {
    const PortType& data = context.input(0);
    const PortType& weights = context.input(1);
    if (data.type != weights.type)
        throw_bad_input("data (input 0) has element type {} but weights (input 1) have {}",
                        to_string(data.type), to_string(weights.type));
    const size_t rank = num_spatial + 2;
    const size_t weights_rank = rank + (grouped ? 1 : 0);
    if (data.shape.rank_known() && data.shape.rank() != rank)
        throw_bad_input(
            "data (input 0) has shape {}, expected rank {} (N, C and {} spatial axes "
            "as 'strides' gives)",
            to_string(data.shape), rank, num_spatial);
    if (weights.shape.rank_known() && weights.shape.rank() != weights_rank)
        throw_bad_input(
            "weights (input 1) have shape {}, expected rank {} ({}{} and {} spatial "
            "axes)",
            to_string(weights.shape), weights_rank, grouped ? "groups, " : "",
            backprop ? "C_in, C_out" : "C_out, C_in", num_spatial);

    ConvInputs result;
    result.src_spatial.assign(num_spatial, k_dynamic);
    result.kernel.assign(num_spatial, k_dynamic);
    int64_t data_channels = k_dynamic;
    if (data.shape.rank_known()) {
        result.batch = data.shape[0];
        data_channels = data.shape[1];
        for (size_t i = 0; i < num_spatial; ++i)
            result.src_spatial[i] = data.shape[2 + i];
    }
    int64_t groups = grouped ? k_dynamic : 1;
    int64_t src_per_group = k_dynamic;
    int64_t dst_per_group = k_dynamic;
    if (weights.shape.rank_known()) {
        const size_t offset = grouped ? 1 : 0;
        if (grouped) groups = weights.shape[0];
        src_per_group = weights.shape[offset + (backprop ? 0 : 1)];
        dst_per_group = weights.shape[offset + (backprop ? 1 : 0)];
        for (size_t i = 0; i < num_spatial; ++i) {
            result.kernel[i] = weights.shape[offset + 2 + i];
            if (result.kernel[i] == 0)
                throw_bad_input("weights (input 1) shape {} has an empty kernel axis",
                                to_string(weights.shape));
        }
    }
    if (data_channels >= 0 && src_per_group >= 0 && groups >= 0 &&
        data_channels != checked_mul(src_per_group, groups))
        throw_bad_input(
            "data (input 0) has {} channels but weights (input 1) {} expect {} "
            "(C_in per group {} x groups {})",
            data_channels, to_string(weights.shape), src_per_group * groups, src_per_group, groups);
    if (groups >= 0 && dst_per_group >= 0) result.dst_channels = checked_mul(groups, dst_per_group);
    return result;
}

// Range [first, last) of positions p in [0, count) for which p * stride + offset lies in
// [0, limit): the part of a row that a kernel tap reads (or writes) inside the tensor.
inline std::pair<int64_t, int64_t> valid_range(int64_t count, int64_t stride, int64_t offset,
                                               int64_t limit) {
    const int64_t first = std::max<int64_t>(0, ceil_div(-offset, stride));
    const int64_t last = std::min<int64_t>(count, floor_div(limit - 1 - offset, stride) + 1);
    return {first, std::max(first, last)};
}

}  // namespace es::graph::ops::spatial

namespace es::graph::ops {

// ConvolutionBackpropData and GroupConvolutionBackpropData, defined in convolution_backprop.cpp
// and registered with the forward convolutions in add_convolution_ops.
std::vector<PortType> infer_convolution_backprop(const InferContext& context);
std::vector<PortType> infer_group_convolution_backprop(const InferContext& context);
void evaluate_convolution_backprop(const Node& node, std::span<const Tensor> inputs,
                                   std::vector<Tensor>& outputs);
void evaluate_group_convolution_backprop(const Node& node, std::span<const Tensor> inputs,
                                         std::vector<Tensor>& outputs);

}  // namespace es::graph::ops
