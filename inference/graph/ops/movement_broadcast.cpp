#include "inference/graph/broadcast.h"
#include "inference/graph/ops/movement.h"

#include <algorithm>
#include <limits>

namespace es::graph::ops::movement {
namespace {

// Broadcast

enum class BroadcastMode { numpy, explicit_axes, bidirectional };

BroadcastMode broadcast_mode(const Attributes& attributes, bool allow_bidirectional) {
    const std::string mode = attributes.get_string("mode", "numpy");
    if (mode == "numpy") return BroadcastMode::numpy;
    if (mode == "explicit") return BroadcastMode::explicit_axes;
    if (mode == "bidirectional" && allow_bidirectional) return BroadcastMode::bidirectional;
    throw_bad_input("attribute 'mode' is '{}', expected numpy, explicit{}", mode,
                    allow_bidirectional ? " or bidirectional" : "");
}

// Checks explicit axes_mapping: one strictly increasing target axis per data axis, each data
// dimension equal to its target dimension or 1.
void check_axes_mapping(const std::vector<int64_t>& mapping, const PartialShape& data,
                        const std::vector<int64_t>& target) {
    if (data.rank_known() && mapping.size() != data.rank())
        throw_bad_input("input 2 (axes_mapping) has {} values, expected {} (the data rank)",
                        mapping.size(), data.rank());
    for (size_t k = 0; k < mapping.size(); ++k) {
        const int64_t axis = mapping[k];
        if (axis < 0 || axis >= static_cast<int64_t>(target.size()) ||
            (k > 0 && axis <= mapping[k - 1]))
            throw_bad_input("input 2 (axes_mapping) must be increasing axes below {}, found {}",
                            target.size(), axis);
        if (!data.rank_known()) continue;
        const int64_t dim = data[k];
        const int64_t target_dim = target[static_cast<size_t>(axis)];
        if (dim >= 0 && dim != 1 && dim != target_dim)
            throw_bad_input(
                "data dimension {} of size {} does not broadcast to target "
                "dimension {} of size {}",
                k, dim, axis, target_dim);
    }
}

std::vector<PortType> infer_broadcast(const InferContext& context, bool allow_bidirectional) {
    const BroadcastMode mode = broadcast_mode(context.attributes(), allow_bidirectional);
    expect_integer(context, 1, "target_shape");
    expect_rank(context, 1, 1, "target_shape");
    if (mode == BroadcastMode::explicit_axes) {
        if (context.input_count() < 3)
            throw_bad_input("mode 'explicit' needs input 2 (axes_mapping)");
        expect_integer(context, 2, "axes_mapping");
        expect_rank(context, 2, 1, "axes_mapping");
    }
    const PortType& data = context.input(0);
    const auto target = constant_ints(context, 1);
    if (!target) {
        const PartialShape& target_shape = context.input(1).shape;
        if (!target_shape.rank_known() || target_shape[0] < 0)
            return {{data.type, PartialShape::dynamic_rank()}};
        size_t rank = static_cast<size_t>(target_shape[0]);
        if (mode == BroadcastMode::bidirectional) {
            if (!data.shape.rank_known()) return {{data.type, PartialShape::dynamic_rank()}};
            rank = std::max(rank, data.shape.rank());
        }
        return {{data.type, PartialShape::dynamic_of_rank(rank)}};
    }
    for (int64_t dim : *target)
        if (dim < 0) throw_bad_input("input 1 (target_shape) holds {}", dim);
    const PartialShape target_shape(*target);
    PartialShape output = target_shape;
    if (mode == BroadcastMode::bidirectional) {
        output = broadcast_shapes(data.shape, target_shape);
    } else if (mode == BroadcastMode::numpy && data.shape.rank_known()) {
        if (data.shape.rank() > target->size())
            throw_bad_input("data shape {} has more axes than target shape {}",
                            to_string(data.shape), to_string(target_shape));
        const size_t offset = target->size() - data.shape.rank();
        for (size_t k = 0; k < data.shape.rank(); ++k) {
            const int64_t dim = data.shape[k];
            if (dim >= 0 && dim != 1 && dim != (*target)[offset + k])
                throw_bad_input("data shape {} does not broadcast to target shape {}",
                                to_string(data.shape), to_string(target_shape));
        }
    } else if (mode == BroadcastMode::explicit_axes) {
        if (const auto mapping = constant_ints(context, 2))
            check_axes_mapping(*mapping, data.shape, *target);
    }
    check_output_size(output);
    return {{data.type, output}};
}

// Source strides to read `src` while walking `dst`: data axis k maps to output axis
// axes[k], and size-1 data axes repeat (stride 0).
std::vector<int64_t> mapped_strides(const Shape& src, const Shape& dst,
                                    const std::vector<int64_t>& axes) {
    const auto src_strides = element_strides(src);
    std::vector<int64_t> strides(dst.size(), 0);
    for (size_t k = 0; k < src.size(); ++k)
        if (src[k] != 1) strides[static_cast<size_t>(axes[k])] = src_strides[k];
    return strides;
}

// Right-aligned axis mapping (numpy rules).
std::vector<int64_t> aligned_axes(size_t src_rank, size_t dst_rank) {
    std::vector<int64_t> axes(src_rank);
    for (size_t k = 0; k < src_rank; ++k)
        axes[k] = static_cast<int64_t>(dst_rank - src_rank + k);
    return axes;
}

// Tile

// Data shape and repeats, both left-padded with 1 to the output rank.
std::pair<PartialShape, std::vector<int64_t>> align_tile(const PartialShape& data,
                                                         std::vector<int64_t> repeats) {
    std::vector<int64_t> dims = data.dims();
    const size_t rank = std::max(dims.size(), repeats.size());
    dims.insert(dims.begin(), rank - dims.size(), 1);
    repeats.insert(repeats.begin(), rank - repeats.size(), 1);
    return {PartialShape(std::move(dims)), std::move(repeats)};
}

}  // namespace

std::vector<PortType> infer_broadcast_v1(const InferContext& context) {
    return infer_broadcast(context, false);
}

std::vector<PortType> infer_broadcast_v3(const InferContext& context) {
    return infer_broadcast(context, true);
}

void evaluate_broadcast(const Node& node, std::span<const Tensor> inputs,
                        std::vector<Tensor>& outputs) {
    const Tensor& src = inputs[0];
    Tensor& dst = outputs[0];
    const bool explicit_axes =
        broadcast_mode(node.attributes, true) == BroadcastMode::explicit_axes;
    const auto axes = explicit_axes ? inputs[2].to_int64s() : aligned_axes(src.rank(), dst.rank());
    copy_strided(src.bytes(), element_size(src.type()), 0,
                 mapped_strides(src.shape(), dst.shape(), axes), dst.shape(), dst.bytes());
}

std::vector<PortType> infer_tile(const InferContext& context) {
    expect_integer(context, 1, "repeats");
    expect_rank(context, 1, 1, "repeats");
    const PortType& data = context.input(0);
    if (!data.shape.rank_known()) return {{data.type, PartialShape::dynamic_rank()}};
    const auto repeats = constant_ints(context, 1);
    if (!repeats) {
        const PartialShape& repeats_shape = context.input(1).shape;
        if (!repeats_shape.rank_known() || repeats_shape[0] < 0)
            return {{data.type, PartialShape::dynamic_rank()}};
        const auto rank = std::max(data.shape.rank(), static_cast<size_t>(repeats_shape[0]));
        return {{data.type, PartialShape::dynamic_of_rank(rank)}};
    }
    auto [output, aligned] = align_tile(data.shape, *repeats);
    for (size_t i = 0; i < output.rank(); ++i) {
        const int64_t repeat = aligned[i];
        const int64_t dim = output[i];
        if (repeat < 0) throw_bad_input("input 1 (repeats) holds {}", repeat);
        if (repeat > 0 && dim > std::numeric_limits<int64_t>::max() / repeat)
            throw_bad_input("tiling dimension {} of size {} by {} overflows", i, dim, repeat);
        output[i] = repeat == 0 ? 0 : dim < 0 ? k_dynamic : dim * repeat;
    }
    check_output_size(output);
    return {{data.type, output}};
}

// The output, seen as shape [r0, d0, r1, d1, …], reads data index (d0, d1, …) whatever the
// repeat indices, so it is a strided copy with stride 0 on the repeat axes.
void evaluate_tile(const Node&, std::span<const Tensor> inputs, std::vector<Tensor>& outputs) {
    const Tensor& src = inputs[0];
    const auto [data, repeats] = align_tile(PartialShape(src.shape()), inputs[1].to_int64s());
    const auto strides = element_strides(data.to_shape());
    Shape expanded;
    std::vector<int64_t> expanded_strides;
    for (size_t i = 0; i < data.rank(); ++i) {
        expanded.insert(expanded.end(), {repeats[i], data[i]});
        expanded_strides.insert(expanded_strides.end(), {0, strides[i]});
    }
    copy_strided(src.bytes(), element_size(src.type()), 0, expanded_strides, expanded,
                 outputs[0].bytes());
}

}  // namespace es::graph::ops::movement
