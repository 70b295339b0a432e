#pragma once

#include "inference/graph/ops/op_util.h"

#include <initializer_list>
#include <span>
#include <vector>

// Broadcasting and type checks shared by the element-wise and activation families.
namespace es::graph::ops {

enum class AutoBroadcast { none, numpy };

// The `auto_broadcast` attribute: "numpy" (the default) or "none"; throws for "pdpd" and others.
AutoBroadcast auto_broadcast_of(const Attributes& attributes);

// Shape of the given inputs broadcast together: NumPy rules, or identical shapes for `none`.
PartialShape broadcast_inputs(const InferContext& context, AutoBroadcast mode,
                              std::initializer_list<size_t> inputs);
// Throws unless input `i` broadcasts to `target` without changing it (identical for `none`).
void expect_broadcasts_to(const InferContext& context, size_t i, const char* what,
                          const PartialShape& target, AutoBroadcast mode);

// Throws unless input `i` has the element type of input `reference`.
void expect_same_type(const InferContext& context, size_t i, size_t reference);
// Throws unless input `i` is numeric (not boolean).
void expect_numeric(const InferContext& context, size_t i, const char* what);
// Throws unless input `i` is a floating-point type.
void expect_float(const InferContext& context, size_t i, const char* what);
// Throws unless input `i` is boolean.
void expect_boolean(const InferContext& context, size_t i, const char* what);

// A destination walked as contiguous runs along its innermost dimension. Dimensions are
// coalesced wherever every source is contiguous (or broadcast) across them, so that equal
// shapes become one run and [1,C,H,W] against [1,C,1,1] becomes C runs of H*W.
struct BroadcastPlan {
    Shape dims;                                // coalesced destination dimensions
    std::vector<std::vector<size_t>> strides;  // per source, per coalesced dimension
    size_t total = 0;                          // destination elements
};

// Plans reading each source, NumPy-broadcast, while walking `dst` in row-major order.
BroadcastPlan make_broadcast_plan(const Shape& dst, std::span<const Shape> sources);

// Calls run(dst_offset, src_offsets, src_steps, count) for each run of `count` destination
// elements; source k is read from src_offsets[k] advancing by src_steps[k] (0 or 1).
template <typename Fn>
void for_each_run(const BroadcastPlan& plan, Fn&& run) {
    if (plan.total == 0) return;
    const size_t rank = plan.dims.size();
    const size_t sources = plan.strides.size();
    const size_t inner = static_cast<size_t>(plan.dims.back());
    std::vector<size_t> offsets(sources, 0), steps(sources), index(rank, 0);
    for (size_t k = 0; k < sources; ++k)
        steps[k] = plan.strides[k][rank - 1];
    for (size_t dst = 0; dst < plan.total; dst += inner) {
        run(dst, offsets.data(), steps.data(), inner);
        for (size_t axis = rank - 1; axis-- > 0;) {
            const size_t dim = static_cast<size_t>(plan.dims[axis]);
            for (size_t k = 0; k < sources; ++k)
                offsets[k] += plan.strides[k][axis];
            if (++index[axis] < dim) break;
            for (size_t k = 0; k < sources; ++k)
                offsets[k] -= plan.strides[k][axis] * dim;
            index[axis] = 0;
        }
    }
}

// dst = op(a, b) with a and b NumPy-broadcast to dst's shape; T is the input C++ type, R the
// output one (uint8_t for boolean).
template <typename T, typename R, typename Op>
void broadcast_binary(const Tensor& a, const Tensor& b, Tensor& dst, Op op) {
    const T* x = elements<T>(a);
    const T* y = elements<T>(b);
    R* z = elements<R>(dst);
    const Shape shapes[] = {a.shape(), b.shape()};
    const BroadcastPlan plan = make_broadcast_plan(dst.shape(), shapes);
    for_each_run(plan, [&](size_t o, const size_t* offsets, const size_t* steps, size_t count) {
        const T* xs = x + offsets[0];
        const T* ys = y + offsets[1];
        R* out = z + o;
        if (steps[0] && steps[1]) {
            for (size_t i = 0; i < count; ++i)
                out[i] = static_cast<R>(op(xs[i], ys[i]));
        } else if (steps[0]) {
            const T scalar = *ys;
            for (size_t i = 0; i < count; ++i)
                out[i] = static_cast<R>(op(xs[i], scalar));
        } else if (steps[1]) {
            const T scalar = *xs;
            for (size_t i = 0; i < count; ++i)
                out[i] = static_cast<R>(op(scalar, ys[i]));
        } else {
            const R value = static_cast<R>(op(*xs, *ys));
            for (size_t i = 0; i < count; ++i)
                out[i] = value;
        }
    });
}

// FakeQuantize-1, defined in fake_quantize.cpp and registered with the activation family.
std::vector<PortType> infer_fake_quantize(const InferContext& context);
void evaluate_fake_quantize(const Node& node, std::span<const Tensor> inputs,
                            std::vector<Tensor>& outputs);

}  // namespace es::graph::ops
