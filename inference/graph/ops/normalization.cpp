#include "inference/graph/broadcast.h"
#include "inference/graph/ops/families.h"
#include "inference/graph/ops/op_util.h"

#include <algorithm>
#include <cmath>

namespace es::graph::ops {
namespace {

void expect_float(const InferContext& context, size_t i, const char* what) {
    const ElementType type = context.input(i).type;
    if (!is_float(type))
        throw_bad_input("input {} ({}) has element type {}, expected a floating-point type", i,
                        what, to_string(type));
}

// Checks an axes input (integer scalar or 1-D tensor).
void expect_axes_input(const InferContext& context, size_t i) {
    expect_integer(context, i, "axes");
    const PartialShape& shape = context.input(i).shape;
    if (shape.rank_known() && shape.rank() > 1)
        throw_bad_input("input {} (axes) has shape {}, expected a scalar or a 1-D tensor", i,
                        to_string(shape));
}

// Marks the dimensions named by `axes` (negative counts from the back; repeats are merged).
std::vector<bool> axes_mask(const std::vector<int64_t>& axes, size_t rank, const char* what) {
    std::vector<bool> mask(rank, false);
    for (int64_t axis : axes) {
        const auto normalized = normalize_axis(axis, rank);
        if (!normalized)
            throw_bad_input("{}: axis {} is out of range for data of rank {}", what, axis, rank);
        mask[*normalized] = true;
    }
    return mask;
}

// outer × n × inner view of a shape around `axis`.
struct AxisView {
    size_t outer = 1, n = 1, inner = 1;
};

AxisView view_around(const Shape& shape, size_t axis) {
    AxisView view;
    for (size_t i = 0; i < axis; ++i)
        view.outer *= static_cast<size_t>(shape[i]);
    view.n = static_cast<size_t>(shape[axis]);
    for (size_t i = axis + 1; i < shape.size(); ++i)
        view.inner *= static_cast<size_t>(shape[i]);
    return view;
}

// Statistics gathered over the dimensions of a mask: walking the data in row-major order,
// `strides` give the offset of each element's statistics slot (0 along reduced dimensions).
struct SlotMap {
    std::vector<size_t> strides;
    std::vector<size_t> zero_strides;
    size_t slots = 1;
    size_t count = 1;  // elements per slot
};

SlotMap slot_map(const Shape& shape, const std::vector<bool>& mask) {
    Shape kept = shape;
    SlotMap map;
    for (size_t i = 0; i < shape.size(); ++i) {
        if (mask[i]) {
            kept[i] = 1;
            map.count *= static_cast<size_t>(shape[i]);
        } else {
            map.slots *= static_cast<size_t>(shape[i]);
        }
    }
    map.strides = row_major_strides(kept);
    for (size_t i = 0; i < shape.size(); ++i)
        if (mask[i]) map.strides[i] = 0;
    map.zero_strides.assign(shape.size(), 0);
    return map;
}

template <typename Fn>
void for_each_slot(const Shape& shape, const SlotMap& map, Fn&& fn) {
    for_each_broadcast(shape, map.strides, map.zero_strides,
                       [&](size_t i, size_t slot, size_t) { fn(i, slot); });
}

// ---- SoftMax, LogSoftmax ----

size_t softmax_axis(const Attributes& attributes, size_t rank, bool negative_allowed) {
    const int64_t axis = attributes.get_int("axis", 1);
    const auto normalized = normalize_axis(axis, rank);
    if (!normalized || (axis < 0 && !negative_allowed)) {
        if (negative_allowed)
            throw_bad_input("attribute 'axis' is {}, expected a value in [{}, {}] for rank {}",
                            axis, -static_cast<int64_t>(rank), static_cast<int64_t>(rank) - 1,
                            rank);
        throw_bad_input("attribute 'axis' is {}, expected a value in [0, {}] for rank {}", axis,
                        static_cast<int64_t>(rank) - 1, rank);
    }
    return *normalized;
}

template <bool negative_allowed>
std::vector<PortType> infer_softmax(const InferContext& context) {
    expect_float(context, 0, "data");
    const PartialShape& shape = context.input(0).shape;
    if (shape.rank_known()) softmax_axis(context.attributes(), shape.rank(), negative_allowed);
    return {context.input(0)};
}

// Subtracting the slice maximum before exp keeps every exponent <= 0 (no overflow).
template <typename T>
void softmax(const T* src, T* dst, const AxisView& view, bool log) {
    if (view.n == 0) return;
    const size_t inner = view.inner;
    std::vector<T> max(inner);
    std::vector<double> sum(inner);
    for (size_t o = 0; o < view.outer; ++o) {
        const T* x = src + o * view.n * inner;
        T* y = dst + o * view.n * inner;
        std::copy(x, x + inner, max.begin());
        for (size_t a = 1; a < view.n; ++a)
            for (size_t i = 0; i < inner; ++i)
                max[i] = std::max(max[i], x[a * inner + i]);
        std::fill(sum.begin(), sum.end(), 0.0);
        for (size_t a = 0; a < view.n; ++a) {
            for (size_t i = 0; i < inner; ++i) {
                const T e = std::exp(x[a * inner + i] - max[i]);
                y[a * inner + i] = e;
                sum[i] += e;
            }
        }
        if (log) {
            for (size_t i = 0; i < inner; ++i)
                sum[i] = max[i] + std::log(sum[i]);
            for (size_t a = 0; a < view.n; ++a)
                for (size_t i = 0; i < inner; ++i)
                    y[a * inner + i] = static_cast<T>(x[a * inner + i] - sum[i]);
        } else {
            for (size_t i = 0; i < inner; ++i)
                sum[i] = 1.0 / sum[i];
            for (size_t a = 0; a < view.n; ++a)
                for (size_t i = 0; i < inner; ++i)
                    y[a * inner + i] = static_cast<T>(y[a * inner + i] * sum[i]);
        }
    }
}

template <bool negative_allowed, bool log>
void evaluate_softmax(const Node& node, std::span<const Tensor> inputs,
                      std::vector<Tensor>& outputs) {
    const Tensor& src = inputs[0];
    const size_t axis = softmax_axis(node.attributes, src.rank(), negative_allowed);
    dispatch_float(src.type(), [&](auto zero) {
        using T = decltype(zero);
        softmax(elements<T>(src), elements<T>(outputs[0]), view_around(src.shape(), axis), log);
    });
}

// ---- MVN ----

struct MvnSettings {
    bool normalize_variance = false;
    double eps = 0;
    bool eps_inside_sqrt = true;
};

// MVN-1 names its axes by attributes: `reduction_axes` when given (non-empty), otherwise all
// dimensions from 1 (across_channels) or 2 onwards.
std::vector<bool> mvn1_mask(const Attributes& attributes, size_t rank) {
    const auto axes = attributes.get_ints("reduction_axes", {});
    if (!axes.empty()) return axes_mask(axes, rank, "attribute 'reduction_axes'");
    const size_t first = attributes.get_bool("across_channels", false) ? 1 : 2;
    std::vector<bool> mask(rank, false);
    for (size_t i = first; i < rank; ++i)
        mask[i] = true;
    return mask;
}

MvnSettings mvn1_settings(const Attributes& attributes) {
    return {attributes.get_bool("normalize_variance", false), attributes.get_float("eps"), true};
}

MvnSettings mvn6_settings(const Attributes& attributes) {
    MvnSettings settings{attributes.get_bool("normalize_variance"), attributes.get_float("eps")};
    const std::string mode = attributes.get_string("eps_mode");
    if (mode != "inside_sqrt" && mode != "outside_sqrt")
        throw_bad_input("attribute 'eps_mode' is '{}', expected 'inside_sqrt' or 'outside_sqrt'",
                        mode);
    settings.eps_inside_sqrt = mode == "inside_sqrt";
    return settings;
}

std::vector<PortType> infer_mvn1(const InferContext& context) {
    expect_float(context, 0, "data");
    mvn1_settings(context.attributes());
    const PartialShape& shape = context.input(0).shape;
    if (shape.rank_known()) mvn1_mask(context.attributes(), shape.rank());
    return {context.input(0)};
}

std::vector<PortType> infer_mvn6(const InferContext& context) {
    expect_float(context, 0, "data");
    expect_axes_input(context, 1);
    mvn6_settings(context.attributes());
    const PartialShape& shape = context.input(0).shape;
    const auto axes = constant_ints(context, 1);
    if (axes && shape.rank_known()) axes_mask(*axes, shape.rank(), "input 1 (axes)");
    return {context.input(0)};
}

// dst = (src - mean) / sqrt(variance + eps), or / (sqrt(variance) + eps) outside_sqrt; means
// and variances are taken over the masked dimensions.
template <typename T>
void mvn(const Tensor& src, const std::vector<bool>& mask, const MvnSettings& settings,
         Tensor& dst) {
    const Shape& shape = src.shape();
    const SlotMap map = slot_map(shape, mask);
    const T* x = elements<T>(src);
    T* y = elements<T>(dst);
    std::vector<double> mean(map.slots, 0.0);
    for_each_slot(shape, map, [&](size_t i, size_t slot) { mean[slot] += x[i]; });
    for (double& value : mean)
        value /= static_cast<double>(map.count);
    for_each_slot(shape, map,
                  [&](size_t i, size_t slot) { y[i] = static_cast<T>(x[i] - mean[slot]); });
    if (!settings.normalize_variance) return;
    std::vector<double> scale(map.slots, 0.0);
    for_each_slot(shape, map,
                  [&](size_t i, size_t slot) { scale[slot] += static_cast<double>(y[i]) * y[i]; });
    for (double& value : scale) {
        const double variance = value / static_cast<double>(map.count);
        value = 1.0 / (settings.eps_inside_sqrt ? std::sqrt(variance + settings.eps)
                                                : std::sqrt(variance) + settings.eps);
    }
    for_each_slot(shape, map,
                  [&](size_t i, size_t slot) { y[i] = static_cast<T>(y[i] * scale[slot]); });
}

void evaluate_mvn1(const Node& node, std::span<const Tensor> inputs, std::vector<Tensor>& outputs) {
    const Tensor& src = inputs[0];
    const auto mask = mvn1_mask(node.attributes, src.rank());
    const MvnSettings settings = mvn1_settings(node.attributes);
    dispatch_float(src.type(),
                   [&](auto zero) { mvn<decltype(zero)>(src, mask, settings, outputs[0]); });
}

void evaluate_mvn6(const Node& node, std::span<const Tensor> inputs, std::vector<Tensor>& outputs) {
    const Tensor& src = inputs[0];
    const auto mask = axes_mask(inputs[1].to_int64s(), src.rank(), "input 1 (axes)");
    const MvnSettings settings = mvn6_settings(node.attributes);
    dispatch_float(src.type(),
                   [&](auto zero) { mvn<decltype(zero)>(src, mask, settings, outputs[0]); });
}

// ---- NormalizeL2 ----

struct NormalizeL2Settings {
    double eps = 0;
    bool eps_max = false;  // eps_mode max (else add)
};

NormalizeL2Settings normalize_l2_settings(const Attributes& attributes) {
    NormalizeL2Settings settings{attributes.get_float("eps")};
    const std::string mode = attributes.get_string("eps_mode");
    if (mode != "add" && mode != "max")
        throw_bad_input("attribute 'eps_mode' is '{}', expected 'add' or 'max'", mode);
    settings.eps_max = mode == "max";
    return settings;
}

std::vector<PortType> infer_normalize_l2(const InferContext& context) {
    expect_float(context, 0, "data");
    expect_axes_input(context, 1);
    normalize_l2_settings(context.attributes());
    const PartialShape& shape = context.input(0).shape;
    const auto axes = constant_ints(context, 1);
    if (axes && shape.rank_known()) axes_mask(*axes, shape.rank(), "input 1 (axes)");
    return {context.input(0)};
}

// dst = src / sqrt(sum(src²) + eps) or / sqrt(max(sum(src²), eps)), summing over the axes.
template <typename T>
void normalize_l2(const Tensor& src, const std::vector<bool>& mask,
                  const NormalizeL2Settings& settings, Tensor& dst) {
    const Shape& shape = src.shape();
    const SlotMap map = slot_map(shape, mask);
    const T* x = elements<T>(src);
    T* y = elements<T>(dst);
    std::vector<double> scale(map.slots, 0.0);
    for_each_slot(shape, map,
                  [&](size_t i, size_t slot) { scale[slot] += static_cast<double>(x[i]) * x[i]; });
    for (double& value : scale)
        value = 1.0 /
                std::sqrt(settings.eps_max ? std::max(value, settings.eps) : value + settings.eps);
    for_each_slot(shape, map,
                  [&](size_t i, size_t slot) { y[i] = static_cast<T>(x[i] * scale[slot]); });
}

void evaluate_normalize_l2(const Node& node, std::span<const Tensor> inputs,
                           std::vector<Tensor>& outputs) {
    const Tensor& src = inputs[0];
    const auto mask = axes_mask(inputs[1].to_int64s(), src.rank(), "input 1 (axes)");
    const NormalizeL2Settings settings = normalize_l2_settings(node.attributes);
    dispatch_float(src.type(), [&](auto zero) {
        normalize_l2<decltype(zero)>(src, mask, settings, outputs[0]);
    });
}

// ---- BatchNormInference ----

// Input order: v1 is (gamma, beta, data, mean, variance), v5 is (data, gamma, beta, mean,
// variance).
struct BatchNormPorts {
    size_t data, gamma, beta, mean, variance;
};
constexpr BatchNormPorts k_batch_norm_v1{2, 0, 1, 3, 4};
constexpr BatchNormPorts k_batch_norm_v5{0, 1, 2, 3, 4};

double batch_norm_epsilon(const Attributes& attributes) {
    const double epsilon = attributes.get_float("epsilon");
    if (!(epsilon >= 0)) throw_bad_input("attribute 'epsilon' is {}, expected >= 0", epsilon);
    return epsilon;
}

template <const BatchNormPorts& ports>
std::vector<PortType> infer_batch_norm(const InferContext& context) {
    batch_norm_epsilon(context.attributes());
    const PortType& data = context.input(ports.data);
    expect_float(context, ports.data, "data");
    if (data.shape.rank_known() && data.shape.rank() < 2)
        throw_bad_input("input {} (data) has shape {}, expected rank >= 2", ports.data,
                        to_string(data.shape));
    int64_t channels = data.shape.rank_known() ? data.shape[1] : k_dynamic;
    const std::pair<size_t, const char*> parameters[] = {{ports.gamma, "gamma"},
                                                         {ports.beta, "beta"},
                                                         {ports.mean, "mean"},
                                                         {ports.variance, "variance"}};
    for (const auto& [port, name] : parameters) {
        expect_float(context, port, name);
        expect_rank(context, port, 1, name);
        const PartialShape& shape = context.input(port).shape;
        if (!shape.rank_known() || shape[0] < 0) continue;
        if (channels >= 0 && shape[0] != channels)
            throw_bad_input("input {} ({}) has shape {}, expected [{}] (the channels of data {})",
                            port, name, to_string(shape), channels, to_string(data.shape));
        channels = shape[0];
    }
    PartialShape shape = data.shape;
    if (shape.rank_known()) shape[1] = channels;
    return {{data.type, shape}};
}

template <typename T>
void batch_norm(std::span<const Tensor> inputs, const BatchNormPorts& ports, double epsilon,
                Tensor& dst) {
    const Tensor& src = inputs[ports.data];
    const AxisView view = view_around(src.shape(), 1);
    const T* gamma = elements<T>(inputs[ports.gamma]);
    const T* beta = elements<T>(inputs[ports.beta]);
    const T* mean = elements<T>(inputs[ports.mean]);
    const T* variance = elements<T>(inputs[ports.variance]);
    const T* x = elements<T>(src);
    T* y = elements<T>(dst);
    for (size_t c = 0; c < view.n; ++c) {
        // y = gamma * (x - mean) / sqrt(variance + eps) + beta = x * scale + shift
        const double scale = gamma[c] / std::sqrt(static_cast<double>(variance[c]) + epsilon);
        const double shift = beta[c] - mean[c] * scale;
        for (size_t o = 0; o < view.outer; ++o) {
            const size_t base = (o * view.n + c) * view.inner;
            for (size_t i = 0; i < view.inner; ++i)
                y[base + i] = static_cast<T>(x[base + i] * scale + shift);
        }
    }
}

template <const BatchNormPorts& ports>
void evaluate_batch_norm(const Node& node, std::span<const Tensor> inputs,
                         std::vector<Tensor>& outputs) {
    const double epsilon = batch_norm_epsilon(node.attributes);
    for (size_t port : {ports.gamma, ports.beta, ports.mean, ports.variance})
        if (inputs[port].type() != inputs[ports.data].type())
            throw_bad_input("input {} has element type {}, expected {} like data", port,
                            to_string(inputs[port].type()), to_string(inputs[ports.data].type()));
    dispatch_float(inputs[ports.data].type(), [&](auto zero) {
        batch_norm<decltype(zero)>(inputs, ports, epsilon, outputs[0]);
    });
}

// ---- LRN ----

struct LrnSettings {
    double alpha = 0, beta = 0, bias = 0;
    int64_t size = 1;
};

LrnSettings lrn_settings(const Attributes& attributes) {
    LrnSettings settings{attributes.get_float("alpha"), attributes.get_float("beta"),
                         attributes.get_float("bias"), attributes.get_int("size")};
    if (settings.size < 1) throw_bad_input("attribute 'size' is {}, expected >= 1", settings.size);
    return settings;
}

std::vector<PortType> infer_lrn(const InferContext& context) {
    expect_float(context, 0, "data");
    expect_axes_input(context, 1);
    lrn_settings(context.attributes());
    const PartialShape& shape = context.input(0).shape;
    const auto axes = constant_ints(context, 1);
    if (axes && shape.rank_known()) axes_mask(*axes, shape.rank(), "input 1 (axes)");
    return {context.input(0)};
}

// Replaces each value by the sum over the window [j - half, j + half] along `axis`, clipped to
// the tensor, using prefix sums along the axis.
void window_sum(std::vector<double>& values, const Shape& shape, size_t axis, int64_t half) {
    const AxisView view = view_around(shape, axis);
    const auto n = static_cast<int64_t>(view.n);
    const size_t inner = view.inner;
    std::vector<double> prefix((view.n + 1) * inner);
    for (size_t o = 0; o < view.outer; ++o) {
        double* row = values.data() + o * view.n * inner;
        std::fill(prefix.begin(), prefix.begin() + static_cast<ptrdiff_t>(inner), 0.0);
        for (size_t a = 0; a < view.n; ++a)
            for (size_t i = 0; i < inner; ++i)
                prefix[(a + 1) * inner + i] = prefix[a * inner + i] + row[a * inner + i];
        for (int64_t a = 0; a < n; ++a) {
            const auto begin = static_cast<size_t>(std::max<int64_t>(0, a - half));
            const auto end = static_cast<size_t>(std::min<int64_t>(n, a + half + 1));
            for (size_t i = 0; i < inner; ++i)
                row[static_cast<size_t>(a) * inner + i] =
                    prefix[end * inner + i] - prefix[begin * inner + i];
        }
    }
}

// dst = src / (bias + alpha / size^len(axes) * sum of src² over the window)^beta, where the
// window spans (size - 1) / 2 elements either side along each axis.
template <typename T>
void lrn(const Tensor& src, const std::vector<bool>& mask, const LrnSettings& settings,
         Tensor& dst) {
    const T* x = elements<T>(src);
    T* y = elements<T>(dst);
    std::vector<double> sums(src.size());
    for (size_t i = 0; i < sums.size(); ++i)
        sums[i] = static_cast<double>(x[i]) * x[i];
    const int64_t half = (settings.size - 1) / 2;
    const auto axis_count = static_cast<double>(std::count(mask.begin(), mask.end(), true));
    for (size_t axis = 0; axis < mask.size(); ++axis)
        if (mask[axis]) window_sum(sums, src.shape(), axis, half);
    const double scale = settings.alpha / std::pow(static_cast<double>(settings.size), axis_count);
    for (size_t i = 0; i < sums.size(); ++i)
        y[i] = static_cast<T>(x[i] / std::pow(settings.bias + scale * sums[i], settings.beta));
}

void evaluate_lrn(const Node& node, std::span<const Tensor> inputs, std::vector<Tensor>& outputs) {
    const Tensor& src = inputs[0];
    const auto mask = axes_mask(inputs[1].to_int64s(), src.rank(), "input 1 (axes)");
    const LrnSettings settings = lrn_settings(node.attributes);
    dispatch_float(src.type(),
                   [&](auto zero) { lrn<decltype(zero)>(src, mask, settings, outputs[0]); });
}

}  // namespace

void add_normalization_ops(std::vector<OpDef>& ops) {
    ops.push_back({"SoftMax", 1, 1, 1, infer_softmax<false>, evaluate_softmax<false, false>});
    ops.push_back({"SoftMax", 8, 1, 1, infer_softmax<true>, evaluate_softmax<true, false>});
    ops.push_back({"LogSoftmax", 5, 1, 1, infer_softmax<true>, evaluate_softmax<true, true>});
    ops.push_back({"MVN", 1, 1, 1, infer_mvn1, evaluate_mvn1});
    ops.push_back({"MVN", 6, 2, 2, infer_mvn6, evaluate_mvn6});
    ops.push_back({"NormalizeL2", 1, 2, 2, infer_normalize_l2, evaluate_normalize_l2});
    ops.push_back({"BatchNormInference", 1, 5, 5, infer_batch_norm<k_batch_norm_v1>,
                   evaluate_batch_norm<k_batch_norm_v1>});
    ops.push_back({"BatchNormInference", 5, 5, 5, infer_batch_norm<k_batch_norm_v5>,
                   evaluate_batch_norm<k_batch_norm_v5>});
    ops.push_back({"LRN", 1, 2, 2, infer_lrn, evaluate_lrn});
}

}  // namespace es::graph::ops
