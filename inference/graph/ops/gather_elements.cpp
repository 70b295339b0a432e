#include "inference/graph/ops/families.h"
#include "inference/graph/ops/op_util.h"

#include <cstring>

namespace es::graph::ops {
namespace {

// Output shape = indices shape; data and indices have the same rank and agree on every
// dimension but `axis`.
std::vector<PortType> infer_gather_elements(const InferContext& context) {
    expect_integer(context, 1, "indices");
    const PortType& data = context.input(0);
    const PartialShape& indices = context.input(1).shape;
    const int64_t axis = context.attributes().get_int("axis");
    const PartialShape& known = data.shape.rank_known() ? data.shape : indices;
    if (!known.rank_known()) return {{data.type, PartialShape::dynamic_rank()}};
    const size_t rank = known.rank();
    if (rank == 0) throw_bad_input("input 0 (data) is a scalar, expected rank 1 or more");
    const auto normalized = normalize_axis(axis, rank);
    if (!normalized) throw_bad_input("attribute 'axis' {} is out of range for rank {}", axis, rank);
    if (!data.shape.rank_known() || !indices.rank_known()) {
        return {{data.type, indices.rank_known() ? indices : PartialShape::dynamic_of_rank(rank)}};
    }
    if (indices.rank() != rank)
        throw_bad_input("input 1 (indices) has shape {}, expected rank {} like the data {}",
                        to_string(indices), rank, to_string(data.shape));
    PartialShape output = indices;
    for (size_t i = 0; i < rank; ++i) {
        if (i == *normalized) continue;
        if (data.shape[i] >= 0 && indices[i] >= 0 && data.shape[i] != indices[i])
            throw_bad_input(
                "input 1 (indices) has shape {}, but the data {} differs at "
                "dimension {} (only axis {} may differ)",
                to_string(indices), to_string(data.shape), i, *normalized);
        if (output[i] < 0) output[i] = data.shape[i];
    }
    return {{data.type, output}};
}

// out[i0, …, i(r-1)] = data[i0, …, indices[i0, …, i(r-1)], …, i(r-1)], the index replacing
// dimension `axis`; negative indices count from the end.
void evaluate_gather_elements(const Node& node, std::span<const Tensor> inputs,
                              std::vector<Tensor>& outputs) {
    const Tensor& data = inputs[0];
    const auto indices = inputs[1].to_int64s();
    Tensor& dst = outputs[0];
    const Shape& shape = dst.shape();
    const size_t axis = *normalize_axis(node.attributes.get_int("axis"), data.rank());
    // Blocks: outer dims before the axis, the axis, inner dims after it.
    size_t outer = 1, inner = 1;
    for (size_t i = 0; i < axis; ++i)
        outer *= static_cast<size_t>(shape[i]);
    for (size_t i = axis + 1; i < shape.size(); ++i)
        inner *= static_cast<size_t>(shape[i]);
    const int64_t dim = data.shape()[axis];
    const auto count = static_cast<size_t>(shape[axis]);
    const size_t step = element_size(data.type());
    const std::byte* src = data.bytes();
    std::byte* out = dst.bytes();
    size_t position = 0;
    for (size_t o = 0; o < outer; ++o) {
        for (size_t k = 0; k < count; ++k) {
            for (size_t i = 0; i < inner; ++i, ++position) {
                int64_t index = indices[position];
                if (index < -dim || index >= dim)
                    throw_bad_input(
                        "input 1 (indices) holds {}, out of range for dimension {} "
                        "of size {}",
                        index, axis, dim);
                if (index < 0) index += dim;
                const size_t offset =
                    (o * static_cast<size_t>(dim) + static_cast<size_t>(index)) * inner + i;
                std::memcpy(out + position * step, src + offset * step, step);
            }
        }
    }
}

}  // namespace

void add_gather_elements_ops(std::vector<OpDef>& ops) {
    ops.push_back({"GatherElements", 6, 2, 2, infer_gather_elements, evaluate_gather_elements});
}

}  // namespace es::graph::ops
