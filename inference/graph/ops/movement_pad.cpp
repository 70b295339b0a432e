#include "inference/graph/ops/movement.h"
#include "inference/graph/ops/pad_indices.h"

#include <algorithm>
#include <cstring>

namespace es::graph::ops {

pad::Mode pad::mode_of(const Attributes& attributes) {
    const std::string mode = attributes.get_string("pad_mode", "constant");
    if (mode == "constant") return Mode::constant;
    if (mode == "edge") return Mode::edge;
    if (mode == "reflect") return Mode::reflect;
    if (mode == "symmetric") return Mode::symmetric;
    throw_bad_input("attribute 'pad_mode' is '{}', expected constant, edge, reflect or symmetric",
                    mode);
}

std::vector<int64_t> pad::source_indices(Mode mode, int64_t dim, int64_t before, int64_t size) {
    std::vector<int64_t> indices(static_cast<size_t>(size));
    for (int64_t o = 0; o < size; ++o) {
        int64_t i = o - before;
        if (i < 0 || i >= dim) {
            switch (mode) {
                case Mode::constant:
                    i = -1;
                    break;
                case Mode::edge:
                    i = std::clamp<int64_t>(i, 0, dim - 1);
                    break;
                case Mode::reflect:
                    i = i < 0 ? -i : 2 * (dim - 1) - i;
                    break;
                case Mode::symmetric:
                    i = i < 0 ? -i - 1 : 2 * dim - 1 - i;
                    break;
            }
        }
        indices[static_cast<size_t>(o)] = i;
    }
    return indices;
}

namespace movement {
namespace {

using pad::Mode;

// Larger pads could only describe outputs no buffer can hold.
constexpr int64_t k_max_pad = int64_t{1} << 44;

std::vector<PortType> infer_pad(const InferContext& context, bool allow_negative) {
    const Mode mode = pad::mode_of(context.attributes());
    expect_integer(context, 1, "pads_begin");
    expect_rank(context, 1, 1, "pads_begin");
    expect_integer(context, 2, "pads_end");
    expect_rank(context, 2, 1, "pads_end");
    const PortType& data = context.input(0);
    if (context.input_count() > 3) {
        expect_rank(context, 3, 0, "pad_value");
        if (context.input(3).type != data.type)
            throw_bad_input("input 3 (pad_value) has element type {}, expected {} like the data",
                            to_string(context.input(3).type), to_string(data.type));
    }
    const auto begin = constant_ints(context, 1);
    const auto end = constant_ints(context, 2);
    if (!data.shape.rank_known()) {
        if (begin) return {{data.type, PartialShape::dynamic_of_rank(begin->size())}};
        return {{data.type, PartialShape::dynamic_rank()}};
    }
    const size_t rank = data.shape.rank();
    for (const auto& pads : {begin, end})
        if (pads && pads->size() != rank)
            throw_bad_input("pads have {} values, expected {} (the data rank)", pads->size(), rank);
    if (!begin || !end) return {{data.type, PartialShape::dynamic_of_rank(rank)}};
    PartialShape output = data.shape;
    for (size_t axis = 0; axis < rank; ++axis) {
        const int64_t before = (*begin)[axis];
        const int64_t after = (*end)[axis];
        const int64_t dim = data.shape[axis];
        if (!allow_negative && (before < 0 || after < 0))
            throw_bad_input("pads of axis {} are {} and {}; Pad-1 takes no negative pads", axis,
                            before, after);
        if (std::max(before, after) > k_max_pad || std::min(before, after) < -k_max_pad)
            throw_bad_input("pads of axis {} ({}, {}) are too large", axis, before, after);
        if (dim >= 0 && mode != Mode::constant) {
            // reflect mirrors around the edge element, symmetric repeats it.
            const int64_t limit = mode == Mode::reflect ? dim - 1 : dim;
            if (mode != Mode::edge && std::max(before, after) > limit)
                throw_bad_input("pads of axis {} ({}, {}) exceed {} allowed by mode for size {}",
                                axis, before, after, limit, dim);
            if (dim == 0 && std::max(before, after) > 0)
                throw_bad_input("axis {} is empty: there is nothing to pad it with", axis);
        }
        if (dim < 0) continue;
        const int64_t size = dim + before + after;
        if (size < 0 && !allow_negative)
            throw_bad_input("pads of axis {} make its size {} negative", axis, size);
        output[axis] = std::max<int64_t>(size, 0);
    }
    check_output_size(output);
    return {{data.type, output}};
}

}  // namespace

std::vector<PortType> infer_pad_v1(const InferContext& context) {
    return infer_pad(context, false);
}

std::vector<PortType> infer_pad_v12(const InferContext& context) {
    return infer_pad(context, true);
}

void evaluate_pad(const Node& node, std::span<const Tensor> inputs, std::vector<Tensor>& outputs) {
    const Mode mode = pad::mode_of(node.attributes);
    const Tensor& src = inputs[0];
    Tensor& dst = outputs[0];
    const size_t step = element_size(src.type());
    std::vector<std::byte> zero(step);
    const std::byte* pad_value =
        mode == Mode::constant && inputs.size() > 3 ? inputs[3].bytes() : zero.data();
    if (dst.size() == 0) return;
    const size_t rank = src.rank();
    if (rank == 0) {
        std::memcpy(dst.bytes(), src.bytes(), step);
        return;
    }
    const auto begin = inputs[1].to_int64s();
    const Shape& shape = dst.shape();
    std::vector<std::vector<int64_t>> maps;
    for (size_t axis = 0; axis < rank; ++axis)
        maps.push_back(pad::source_indices(mode, src.shape()[axis], begin[axis], shape[axis]));
    const auto strides = element_strides(src.shape());
    // Along the last axis, output [first, last) copies one contiguous run of the data.
    const int64_t inner = shape.back();
    const int64_t first = std::clamp<int64_t>(begin.back(), 0, inner);
    const int64_t last = std::clamp<int64_t>(begin.back() + src.shape().back(), first, inner);
    const auto& inner_map = maps.back();
    std::vector<int64_t> index(rank - 1, 0);
    std::byte* out = dst.bytes();
    for (size_t row = 0, rows = dst.size() / static_cast<size_t>(inner); row < rows; ++row) {
        int64_t offset = 0;
        for (size_t axis = 0; axis + 1 < rank && offset >= 0; ++axis) {
            const int64_t i = maps[axis][static_cast<size_t>(index[axis])];
            offset = i < 0 ? -1 : offset + i * strides[axis];
        }
        if (offset < 0) {
            for (int64_t o = 0; o < inner; ++o)
                std::memcpy(out + o * step, pad_value, step);
        } else {
            const std::byte* in = src.bytes() + offset * static_cast<int64_t>(step);
            for (int64_t o = 0; o < inner; ++o) {
                if (o == first && last > first) {
                    std::memcpy(out + o * step, in + inner_map[o] * step, (last - first) * step);
                    o = last - 1;
                    continue;
                }
                const int64_t i = inner_map[static_cast<size_t>(o)];
                std::memcpy(out + o * step, i < 0 ? pad_value : in + i * step, step);
            }
        }
        out += inner * static_cast<int64_t>(step);
        for (size_t axis = rank - 1; axis-- > 0;) {
            if (++index[axis] < shape[axis]) break;
            index[axis] = 0;
        }
    }
}

}  // namespace movement
}  // namespace es::graph::ops
