#include "inference/graph/ops/families.h"
#include "inference/graph/ops/op_util.h"
#include "inference/graph/ops/spatial.h"

#include <cmath>
#include <limits>

namespace es::graph::ops {
namespace {

using spatial::AutoPad;
using spatial::Axes3;
using spatial::Rounding;

// What changed between versions: MaxPool-8 added dilations and the indices output, opset 14
// added rounding_type ceil_torch.
struct PoolVersion {
    bool dilations = false;
    bool indices = false;
    bool ceil_torch = false;
};

struct PoolAttributes {
    size_t num_spatial = 0;
    std::vector<int64_t> kernel;
    std::vector<int64_t> strides;
    std::vector<int64_t> dilations;
    std::vector<int64_t> pads_begin;
    std::vector<int64_t> pads_end;
    AutoPad auto_pad = AutoPad::explicit_pads;
    Rounding rounding = Rounding::floor;
};

PoolAttributes read_pool_attributes(const Attributes& attributes, PoolVersion version) {
    PoolAttributes result;
    const auto kernel = attributes.get_ints("kernel");
    if (kernel.empty() || kernel.size() > 3)
        throw_bad_input("attribute 'kernel' has {} values, expected 1 to 3 (one per spatial axis)",
                        kernel.size());
    const size_t n = kernel.size();
    result.num_spatial = n;
    result.kernel = spatial::read_axes(attributes, "kernel", n, 1, std::nullopt);
    result.strides = spatial::read_axes(attributes, "strides", n, 1, 1);
    result.dilations = version.dilations ? spatial::read_axes(attributes, "dilations", n, 1, 1)
                                         : std::vector<int64_t>(n, 1);
    result.auto_pad = spatial::read_auto_pad(attributes);
    if (result.auto_pad == AutoPad::explicit_pads) {
        result.pads_begin = spatial::read_axes(attributes, "pads_begin", n, 0, 0);
        result.pads_end = spatial::read_axes(attributes, "pads_end", n, 0, 0);
    } else {
        result.pads_begin.assign(n, 0);
        result.pads_end.assign(n, 0);
    }
    result.rounding = spatial::read_rounding(attributes, version.ceil_torch);
    return result;
}

// Pads and output size of every spatial axis (output k_dynamic where the input is unknown).
struct PoolWindows {
    std::vector<int64_t> pads_begin;
    std::vector<int64_t> pads_end;
    std::vector<int64_t> out;
};

PoolWindows pool_windows(const PoolAttributes& attributes, const std::vector<int64_t>& in) {
    PoolWindows result;
    for (size_t i = 0; i < attributes.num_spatial; ++i) {
        const int64_t dilated =
            spatial::dilated_kernel(attributes.kernel[i], attributes.dilations[i]);
        const auto [begin, end] =
            spatial::forward_pads(attributes.auto_pad, in[i], dilated, attributes.strides[i],
                                  attributes.pads_begin[i], attributes.pads_end[i]);
        result.pads_begin.push_back(begin);
        result.pads_end.push_back(end);
        result.out.push_back(spatial::window_count(i, in[i], dilated, attributes.strides[i], begin,
                                                   end, attributes.rounding));
    }
    return result;
}

PartialShape infer_pool_shape(const InferContext& context, const PoolAttributes& attributes) {
    const PartialShape& data = context.input(0).shape;
    const size_t rank = attributes.num_spatial + 2;
    if (!data.rank_known()) return PartialShape::dynamic_of_rank(rank);
    if (data.rank() != rank)
        throw_bad_input(
            "data (input 0) has shape {}, expected rank {} (N, C and {} spatial axes "
            "as 'kernel' gives)",
            to_string(data), rank, attributes.num_spatial);
    const std::vector<int64_t> in(data.dims().begin() + 2, data.dims().end());
    const PoolWindows windows = pool_windows(attributes, in);
    std::vector<int64_t> dims{data[0], data[1]};
    dims.insert(dims.end(), windows.out.begin(), windows.out.end());
    return PartialShape(std::move(dims));
}

// A pooling window along one axis as seen from every output position: the first input
// coordinate it covers (possibly in the padding) and the taps [first, last) that fall inside.
struct AxisTaps {
    std::vector<int64_t> start;
    std::vector<std::pair<int64_t, int64_t>> taps;
};

AxisTaps axis_taps(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t dilation,
                   int64_t pad_begin) {
    AxisTaps result;
    for (int64_t o = 0; o < out; ++o) {
        const int64_t start = o * stride - pad_begin;
        result.start.push_back(start);
        result.taps.push_back(spatial::valid_range(kernel, dilation, start, in));
    }
    return result;
}

// The window geometry of a pooling kernel, spatial axes as Axes3 (leading axes of size 1).
struct PoolGeometry {
    int64_t planes = 0;  // N * C
    Axes3 in{};
    Axes3 out{};
    Axes3 dilation{};
    std::array<AxisTaps, 3> axes;
    bool padded = false;      // any pad is non-zero
    int64_t kernel_size = 0;  // product of the kernel
};

PoolGeometry pool_geometry(const PoolAttributes& attributes, const Shape& src, const Shape& dst) {
    const std::vector<int64_t> in(src.begin() + 2, src.end());
    const PoolWindows windows = pool_windows(attributes, in);
    PoolGeometry g;
    g.planes = src[0] * src[1];
    g.in = spatial::spatial_axes3(src, 2);
    g.out = spatial::spatial_axes3(dst, 2);
    g.dilation = spatial::to_axes3(attributes.dilations, 1);
    const Axes3 kernel = spatial::to_axes3(attributes.kernel, 1);
    const Axes3 stride = spatial::to_axes3(attributes.strides, 1);
    const Axes3 pad_begin = spatial::to_axes3(windows.pads_begin, 0);
    for (size_t a = 0; a < 3; ++a)
        g.axes[a] = axis_taps(g.in[a], g.out[a], kernel[a], stride[a], g.dilation[a], pad_begin[a]);
    g.kernel_size = kernel[0] * kernel[1] * kernel[2];
    for (size_t i = 0; i < attributes.num_spatial; ++i)
        g.padded = g.padded || windows.pads_begin[i] != 0 || windows.pads_end[i] != 0;
    return g;
}

// Calls fn(input offset within the plane) for every tap of the window at output (z, y, x) that
// falls inside the input.
template <typename Fn>
inline void for_each_tap(const PoolGeometry& g, int64_t z, int64_t y, int64_t x, Fn&& fn) {
    const auto& [axis_z, axis_y, axis_x] = g.axes;
    const auto [z_first, z_last] = axis_z.taps[z];
    const auto [y_first, y_last] = axis_y.taps[y];
    const auto [x_first, x_last] = axis_x.taps[x];
    for (int64_t kz = z_first; kz < z_last; ++kz) {
        const int64_t iz = axis_z.start[z] + kz * g.dilation[0];
        for (int64_t ky = y_first; ky < y_last; ++ky) {
            const int64_t row = (iz * g.in[1] + axis_y.start[y] + ky * g.dilation[1]) * g.in[2];
            for (int64_t kx = x_first; kx < x_last; ++kx)
                fn(row + axis_x.start[x] + kx * g.dilation[2]);
        }
    }
}

// Max over the taps inside the input (padding counts as -inf). `indices`, when given, receive
// the flat position of the chosen element in the whole input, modulo `index_range`.
template <typename T, typename I>
void max_pool(const T* src, T* dst, I* indices, const PoolGeometry& g, int64_t index_range) {
    const int64_t in_plane = g.in[0] * g.in[1] * g.in[2];
    constexpr T k_empty = std::numeric_limits<T>::has_infinity ? -std::numeric_limits<T>::infinity()
                                                               : std::numeric_limits<T>::lowest();
    int64_t o = 0;
    for (int64_t plane = 0; plane < g.planes; ++plane) {
        const T* src_plane = src + plane * in_plane;
        for (int64_t z = 0; z < g.out[0]; ++z) {
            for (int64_t y = 0; y < g.out[1]; ++y) {
                for (int64_t x = 0; x < g.out[2]; ++x, ++o) {
                    T best = k_empty;
                    int64_t best_at = -1;
                    for_each_tap(g, z, y, x, [&](int64_t at) {
                        if (best_at < 0 || src_plane[at] > best) {
                            best = src_plane[at];
                            best_at = at;
                        }
                    });
                    dst[o] = best;
                    if (indices)
                        indices[o] = static_cast<I>(
                            (plane * in_plane + std::max<int64_t>(best_at, 0)) % index_range);
                }
            }
        }
    }
}

// Mean over the window. exclude_pad divides by the taps inside the input; otherwise, when any
// padding exists, by the whole kernel size (as OpenVINO's reference does, also for windows that
// ceil rounding lets run past the padding). An empty window gives 0.
template <typename T>
void avg_pool(const T* src, T* dst, const PoolGeometry& g, bool exclude_pad) {
    using Sum = std::conditional_t<std::is_floating_point_v<T>, T, double>;
    const int64_t in_plane = g.in[0] * g.in[1] * g.in[2];
    const bool divide_by_kernel = !exclude_pad && g.padded;
    int64_t o = 0;
    for (int64_t plane = 0; plane < g.planes; ++plane) {
        const T* src_plane = src + plane * in_plane;
        for (int64_t z = 0; z < g.out[0]; ++z) {
            for (int64_t y = 0; y < g.out[1]; ++y) {
                for (int64_t x = 0; x < g.out[2]; ++x, ++o) {
                    Sum sum = 0;
                    int64_t count = 0;
                    for_each_tap(g, z, y, x, [&](int64_t at) {
                        sum += static_cast<Sum>(src_plane[at]);
                        ++count;
                    });
                    if (divide_by_kernel) count = g.kernel_size;
                    if (count == 0) {
                        dst[o] = T{0};
                    } else if constexpr (std::is_floating_point_v<T>) {
                        dst[o] = sum / static_cast<T>(count);
                    } else {
                        dst[o] = static_cast<T>(std::nearbyint(sum / static_cast<double>(count)));
                    }
                }
            }
        }
    }
}

template <PoolVersion version>
std::vector<PortType> infer_max_pool(const InferContext& context) {
    const auto attributes = read_pool_attributes(context.attributes(), version);
    const PortType& data = context.input(0);
    if (data.type == ElementType::boolean)
        throw_bad_input("data (input 0) has element type boolean, expected a numeric type");
    const PartialShape shape = infer_pool_shape(context, attributes);
    if (!version.indices) return {{data.type, shape}};
    const ElementType index_type = context.attributes().has("index_element_type")
                                       ? context.attributes().get_element_type("index_element_type")
                                       : ElementType::i64;
    if (index_type != ElementType::i32 && index_type != ElementType::i64)
        throw_bad_input("attribute 'index_element_type': {} is not i32 or i64",
                        to_string(index_type));
    const int64_t axis = context.attributes().get_int("axis", 0);
    if (shape.rank_known() && !normalize_axis(axis, shape.rank()))
        throw_bad_input("attribute 'axis': {} is out of range for rank {}", axis, shape.rank());
    return {{data.type, shape}, {index_type, shape}};
}

template <PoolVersion version>
void evaluate_max_pool(const Node& node, std::span<const Tensor> inputs,
                       std::vector<Tensor>& outputs) {
    const auto attributes = read_pool_attributes(node.attributes, version);
    const Shape& src_shape = inputs[0].shape();
    const PoolGeometry geometry = pool_geometry(attributes, src_shape, outputs[0].shape());
    int64_t index_range = std::numeric_limits<int64_t>::max();
    if (version.indices) {
        const auto axis = normalize_axis(node.attributes.get_int("axis", 0), src_shape.size());
        if (!axis) throw_bad_input("attribute 'axis' is out of range");
        index_range = 1;
        for (size_t i = *axis; i < src_shape.size(); ++i)
            index_range *= src_shape[i];
        index_range = std::max<int64_t>(index_range, 1);
    }
    dispatch_numeric(inputs[0].type(), [&](auto zero) {
        using T = decltype(zero);
        const T* src = elements<T>(inputs[0]);
        T* dst = elements<T>(outputs[0]);
        if (!version.indices)
            max_pool<T, int64_t>(src, dst, nullptr, geometry, index_range);
        else if (outputs[1].type() == ElementType::i32)
            max_pool(src, dst, outputs[1].data<int32_t>(), geometry, index_range);
        else
            max_pool(src, dst, outputs[1].data<int64_t>(), geometry, index_range);
    });
}

template <PoolVersion version>
std::vector<PortType> infer_avg_pool(const InferContext& context) {
    const auto attributes = read_pool_attributes(context.attributes(), version);
    context.attributes().get_bool("exclude-pad", false);  // validates the text
    const PortType& data = context.input(0);
    if (data.type == ElementType::boolean)
        throw_bad_input("data (input 0) has element type boolean, expected a numeric type");
    return {{data.type, infer_pool_shape(context, attributes)}};
}

template <PoolVersion version>
void evaluate_avg_pool(const Node& node, std::span<const Tensor> inputs,
                       std::vector<Tensor>& outputs) {
    const auto attributes = read_pool_attributes(node.attributes, version);
    const bool exclude_pad = node.attributes.get_bool("exclude-pad", false);
    const PoolGeometry geometry = pool_geometry(attributes, inputs[0].shape(), outputs[0].shape());
    dispatch_numeric(inputs[0].type(), [&](auto zero) {
        using T = decltype(zero);
        avg_pool(elements<T>(inputs[0]), elements<T>(outputs[0]), geometry, exclude_pad);
    });
}

constexpr PoolVersion k_pool_v1{};
constexpr PoolVersion k_max_pool_v8{.dilations = true, .indices = true};
constexpr PoolVersion k_max_pool_v14{.dilations = true, .indices = true, .ceil_torch = true};
constexpr PoolVersion k_avg_pool_v14{.ceil_torch = true};

}  // namespace

void add_pooling_ops(std::vector<OpDef>& ops) {
    ops.push_back({"MaxPool", 1, 1, 1, infer_max_pool<k_pool_v1>, evaluate_max_pool<k_pool_v1>});
    ops.push_back(
        {"MaxPool", 8, 1, 1, infer_max_pool<k_max_pool_v8>, evaluate_max_pool<k_max_pool_v8>});
    ops.push_back(
        {"MaxPool", 14, 1, 1, infer_max_pool<k_max_pool_v14>, evaluate_max_pool<k_max_pool_v14>});
    ops.push_back({"AvgPool", 1, 1, 1, infer_avg_pool<k_pool_v1>, evaluate_avg_pool<k_pool_v1>});
    ops.push_back(
        {"AvgPool", 14, 1, 1, infer_avg_pool<k_avg_pool_v14>, evaluate_avg_pool<k_avg_pool_v14>});
}

}  // namespace es::graph::ops
