#include "inference/graph/broadcast.h"
#include "inference/graph/ops/families.h"
#include "inference/graph/ops/op_util.h"

#include <cmath>
#include <limits>
#include <type_traits>

namespace es::graph::ops {

// topk.cpp
std::vector<PortType> infer_topk(const InferContext& context);
void evaluate_topk(const Node& node, std::span<const Tensor> inputs, std::vector<Tensor>& outputs);

namespace {

enum class Reduction { sum, prod, mean, max, min, l1, l2, logical_and, logical_or };

constexpr bool is_logical(Reduction kind) {
    return kind == Reduction::logical_and || kind == Reduction::logical_or;
}

// Marks the dimensions named by `axes` (negative counts from the back; repeats are merged).
std::vector<bool> axes_mask(const std::vector<int64_t>& axes, size_t rank) {
    std::vector<bool> mask(rank, false);
    for (int64_t axis : axes) {
        const auto normalized = normalize_axis(axis, rank);
        if (!normalized)
            throw_bad_input("input 1 (axes): axis {} is out of range for data of rank {}", axis,
                            rank);
        mask[*normalized] = true;
    }
    return mask;
}

template <Reduction kind>
std::vector<PortType> infer_reduce(const InferContext& context) {
    const PortType& data = context.input(0);
    if constexpr (is_logical(kind)) {
        if (data.type != ElementType::boolean)
            throw_bad_input("input 0 (data) has element type {}, expected boolean",
                            to_string(data.type));
    } else if (data.type == ElementType::boolean) {
        throw_bad_input("input 0 (data) has element type boolean, expected a numeric type");
    }
    expect_integer(context, 1, "axes");
    const PartialShape& axes_shape = context.input(1).shape;
    if (axes_shape.rank_known() && axes_shape.rank() > 1)
        throw_bad_input("input 1 (axes) has shape {}, expected a scalar or a 1-D tensor",
                        to_string(axes_shape));
    const bool keep_dims = context.attributes().get_bool("keep_dims", false);
    if (!data.shape.rank_known()) return {{data.type, PartialShape::dynamic_rank()}};

    const size_t rank = data.shape.rank();
    const auto axes = constant_ints(context, 1);
    if (!axes) {
        const bool no_axes = axes_shape.is_static() && shape_size(axes_shape.to_shape()) == 0;
        if (no_axes) return {data};
        if (!keep_dims) return {{data.type, PartialShape::dynamic_rank()}};
        PartialShape shape = data.shape;
        for (size_t i = 0; i < rank; ++i)
            if (shape[i] != 1) shape[i] = k_dynamic;
        return {{data.type, shape}};
    }
    const auto mask = axes_mask(*axes, rank);
    std::vector<int64_t> dims;
    for (size_t i = 0; i < rank; ++i) {
        if (!mask[i])
            dims.push_back(data.shape[i]);
        else if (keep_dims)
            dims.push_back(1);
    }
    return {{data.type, PartialShape(std::move(dims))}};
}

// How input elements map onto output elements: walking the input in row-major order, the
// output offset advances by `dst_strides` (0 along reduced dimensions).
struct ReducePlan {
    std::vector<size_t> dst_strides;
    std::vector<size_t> zero_strides;
    size_t count = 1;  // input elements folded into each output element
};

ReducePlan plan_reduction(const Shape& shape, const std::vector<bool>& mask) {
    Shape kept = shape;
    ReducePlan plan;
    for (size_t i = 0; i < shape.size(); ++i) {
        if (!mask[i]) continue;
        kept[i] = 1;
        plan.count *= static_cast<size_t>(shape[i]);
    }
    plan.dst_strides = row_major_strides(kept);
    for (size_t i = 0; i < shape.size(); ++i)
        if (mask[i]) plan.dst_strides[i] = 0;
    plan.zero_strides.assign(shape.size(), 0);
    return plan;
}

// Sums and products of integers accumulate in 64 bits and wrap around instead of overflowing;
// floats accumulate in double.
template <typename T, Reduction kind>
using Accumulator = std::conditional_t<
    kind == Reduction::max || kind == Reduction::min || is_logical(kind), T,
    std::conditional_t<std::is_floating_point_v<T> || kind == Reduction::l2, double,
                       std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>>>;

template <typename A>
A wrapping_add(A a, A b) {
    if constexpr (std::is_integral_v<A>)
        return static_cast<A>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
    else
        return a + b;
}

template <typename A>
A wrapping_multiply(A a, A b) {
    if constexpr (std::is_integral_v<A>)
        return static_cast<A>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
    else
        return a * b;
}

template <typename A, typename T>
A magnitude(T value) {
    if constexpr (std::is_floating_point_v<T>)
        return static_cast<A>(std::abs(value));
    else if constexpr (std::is_signed_v<T>)
        return value < 0 ? wrapping_multiply<A>(static_cast<A>(value), static_cast<A>(-1))
                         : static_cast<A>(value);
    else
        return static_cast<A>(value);
}

// Converts with saturation for integer targets (NaN becomes 0).
template <typename T>
T saturate(double value) {
    if constexpr (std::is_floating_point_v<T>) {
        return static_cast<T>(value);
    } else {
        if (std::isnan(value)) return T{0};
        if (value <= static_cast<double>(std::numeric_limits<T>::lowest()))
            return std::numeric_limits<T>::lowest();
        if (value >= static_cast<double>(std::numeric_limits<T>::max()))
            return std::numeric_limits<T>::max();
        return static_cast<T>(value);
    }
}

template <typename T, Reduction kind>
Accumulator<T, kind> initial_value() {
    switch (kind) {
        case Reduction::prod:
        case Reduction::logical_and:
            return Accumulator<T, kind>{1};
        case Reduction::max:
            return std::numeric_limits<T>::lowest();
        case Reduction::min:
            return std::numeric_limits<T>::max();
        default:
            return Accumulator<T, kind>{0};
    }
}

template <Reduction kind, typename A, typename T>
A fold(A acc, T value) {
    if constexpr (kind == Reduction::sum || kind == Reduction::mean)
        return wrapping_add(acc, static_cast<A>(value));
    else if constexpr (kind == Reduction::prod)
        return wrapping_multiply(acc, static_cast<A>(value));
    else if constexpr (kind == Reduction::max)
        return value > acc ? value : acc;
    else if constexpr (kind == Reduction::min)
        return value < acc ? value : acc;
    else if constexpr (kind == Reduction::l1)
        return wrapping_add(acc, magnitude<A>(value));
    else if constexpr (kind == Reduction::l2)
        return acc + static_cast<double>(value) * static_cast<double>(value);
    else if constexpr (kind == Reduction::logical_and)
        return static_cast<A>(acc && value);
    else
        return static_cast<A>(acc || value);
}

template <Reduction kind, typename T, typename A>
T finish(A acc, size_t count) {
    if constexpr (kind == Reduction::mean) {
        if constexpr (std::is_floating_point_v<A>)
            return static_cast<T>(acc / count);
        else
            return count == 0 ? T{0} : static_cast<T>(acc / static_cast<A>(count));
    } else if constexpr (kind == Reduction::l2) {
        return saturate<T>(std::sqrt(acc));
    } else {
        return static_cast<T>(acc);
    }
}

template <typename T, Reduction kind>
void reduce_typed(const Tensor& src, const ReducePlan& plan, Tensor& dst) {
    using A = Accumulator<T, kind>;
    std::vector<A> acc(dst.size(), initial_value<T, kind>());
    const T* in = elements<T>(src);
    for_each_broadcast(src.shape(), plan.dst_strides, plan.zero_strides,
                       [&](size_t i, size_t o, size_t) { acc[o] = fold<kind>(acc[o], in[i]); });
    T* out = elements<T>(dst);
    for (size_t o = 0; o < acc.size(); ++o)
        out[o] = finish<kind, T>(acc[o], plan.count);
}

template <Reduction kind>
void evaluate_reduce(const Node&, std::span<const Tensor> inputs, std::vector<Tensor>& outputs) {
    const Tensor& src = inputs[0];
    const ReducePlan plan =
        plan_reduction(src.shape(), axes_mask(inputs[1].to_int64s(), src.rank()));
    Tensor& dst = outputs[0];
    if constexpr (is_logical(kind)) {
        reduce_typed<uint8_t, kind>(src, plan, dst);
    } else {
        dispatch_numeric(src.type(),
                         [&](auto zero) { reduce_typed<decltype(zero), kind>(src, plan, dst); });
    }
}

}  // namespace

void add_reduction_ops(std::vector<OpDef>& ops) {
    using enum Reduction;
    ops.push_back({"ReduceSum", 1, 2, 2, infer_reduce<sum>, evaluate_reduce<sum>});
    ops.push_back({"ReduceProd", 1, 2, 2, infer_reduce<prod>, evaluate_reduce<prod>});
    ops.push_back({"ReduceMean", 1, 2, 2, infer_reduce<mean>, evaluate_reduce<mean>});
    ops.push_back({"ReduceMax", 1, 2, 2, infer_reduce<max>, evaluate_reduce<max>});
    ops.push_back({"ReduceMin", 1, 2, 2, infer_reduce<min>, evaluate_reduce<min>});
    ops.push_back(
        {"ReduceLogicalAnd", 1, 2, 2, infer_reduce<logical_and>, evaluate_reduce<logical_and>});
    ops.push_back(
        {"ReduceLogicalOr", 1, 2, 2, infer_reduce<logical_or>, evaluate_reduce<logical_or>});
    ops.push_back({"ReduceL1", 4, 2, 2, infer_reduce<l1>, evaluate_reduce<l1>});
    ops.push_back({"ReduceL2", 4, 2, 2, infer_reduce<l2>, evaluate_reduce<l2>});
    ops.push_back({"TopK", 1, 2, 2, infer_topk, evaluate_topk});
    ops.push_back({"TopK", 3, 2, 2, infer_topk, evaluate_topk});
    ops.push_back({"TopK", 11, 2, 2, infer_topk, evaluate_topk});
}

}  // namespace es::graph::ops
