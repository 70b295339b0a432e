#include "inference/graph/ops/families.h"
#include "inference/graph/ops/movement.h"
#include "inference/graph/ops/op_util.h"

#include <algorithm>
#include <cstring>

namespace es::graph::ops {
namespace {

enum class Reduction { none, sum, sub, prod, min, max };

Reduction read_reduction(const Attributes& attributes) {
    const std::string name = attributes.get_string("reduction", "none");
    if (name == "none") return Reduction::none;
    if (name == "sum") return Reduction::sum;
    if (name == "sub") return Reduction::sub;
    if (name == "prod") return Reduction::prod;
    if (name == "min") return Reduction::min;
    if (name == "max") return Reduction::max;
    throw_bad_input("attribute 'reduction' is '{}', expected none, sum, sub, prod, min or max",
                    name);
}

// ScatterNDUpdate(data, indices [..., K], updates): the output is the data; updates must have
// shape indices.shape[:-1] + data.shape[K:].
std::vector<PortType> infer_scatter_nd_update(const InferContext& context) {
    read_reduction(context.attributes());
    expect_integer(context, 1, "indices");
    const PortType& data = context.input(0);
    const PartialShape& indices = context.input(1).shape;
    const PortType& updates = context.input(2);
    if (updates.type != data.type)
        throw_bad_input("input 2 (updates) has element type {}, but the data {}",
                        to_string(updates.type), to_string(data.type));
    if (!data.shape.rank_known() || !indices.rank_known()) return {data};
    if (indices.rank() == 0) throw_bad_input("input 1 (indices) is a scalar, expected rank 1+");
    const int64_t depth = indices[indices.rank() - 1];
    if (depth == k_dynamic) return {data};
    if (depth > static_cast<int64_t>(data.shape.rank()))
        throw_bad_input("input 1 (indices) has shape {}: {} coordinates for data of rank {}",
                        to_string(indices), depth, data.shape.rank());
    std::vector<int64_t> dims;
    for (size_t i = 0; i + 1 < indices.rank(); ++i)
        dims.push_back(indices[i]);
    for (size_t i = static_cast<size_t>(depth); i < data.shape.rank(); ++i)
        dims.push_back(data.shape[i]);
    const PartialShape expected(std::move(dims));
    const PartialShape& found = updates.shape;
    bool fits = !found.rank_known() || found.rank() == expected.rank();
    for (size_t i = 0; fits && found.rank_known() && i < found.rank(); ++i)
        fits = found[i] == k_dynamic || expected[i] == k_dynamic || found[i] == expected[i];
    if (!fits)
        throw_bad_input("input 2 (updates) has shape {}, expected {} for indices {} and data {}",
                        to_string(found), to_string(expected), to_string(indices),
                        to_string(data.shape));
    return {data};
}

template <typename T>
T reduce(Reduction reduction, T current, T update) {
    switch (reduction) {
        case Reduction::none:
            return update;
        case Reduction::sum:
            return static_cast<T>(current + update);
        case Reduction::sub:
            return static_cast<T>(current - update);
        case Reduction::prod:
            return static_cast<T>(current * update);
        case Reduction::min:
            return std::min(current, update);
        case Reduction::max:
            return std::max(current, update);
    }
    return update;
}

// out = data; then, in index order, out[indices[i]] = reduce(out[indices[i]], updates[i]),
// each index addressing a slice of data.shape[K:]. Negative coordinates count from the end;
// coordinates outside the data are errors.
void evaluate_scatter_nd_update(const Node& node, std::span<const Tensor> inputs,
                                std::vector<Tensor>& outputs) {
    const Reduction reduction = read_reduction(node.attributes);
    const Tensor& data = inputs[0];
    const Shape& indices_shape = inputs[1].shape();
    const auto indices = inputs[1].to_int64s();
    const Tensor& updates = inputs[2];
    const auto depth = static_cast<size_t>(indices_shape.back());
    size_t count = 1;
    for (size_t i = 0; i + 1 < indices_shape.size(); ++i)
        count *= static_cast<size_t>(indices_shape[i]);
    const Shape& shape = data.shape();
    const auto strides = movement::element_strides(shape);
    size_t slice = 1;
    for (size_t i = depth; i < shape.size(); ++i)
        slice *= static_cast<size_t>(shape[i]);
    if (updates.size() != count * slice)
        throw_bad_input("input 2 (updates) has {} elements, expected {}", updates.size(),
                        count * slice);
    Tensor dst(data.type(), shape);
    std::memcpy(dst.bytes(), data.bytes(), data.byte_size());
    auto scatter = [&](auto zero) {
        using T = decltype(zero);
        T* out = elements<T>(dst);
        const T* src = elements<T>(updates);
        for (size_t i = 0; i < count; ++i) {
            int64_t offset = 0;
            for (size_t k = 0; k < depth; ++k) {
                int64_t coordinate = indices[i * depth + k];
                if (coordinate < 0) coordinate += shape[k];
                if (coordinate < 0 || coordinate >= shape[k])
                    throw_bad_input("index {} of input 1 (indices) is {}, outside [0, {})",
                                    i * depth + k, indices[i * depth + k], shape[k]);
                offset += coordinate * strides[k];
            }
            for (size_t j = 0; j < slice; ++j) {
                T& target = out[static_cast<size_t>(offset) + j];
                target = reduce(reduction, target, src[i * slice + j]);
            }
        }
        return 0;
    };
    if (data.type() == ElementType::boolean) {
        if (reduction != Reduction::none)
            throw_bad_input("reduction '{}' of boolean data",
                            node.attributes.get_string("reduction", "none"));
        scatter(uint8_t{});
    } else {
        dispatch_numeric(data.type(), scatter);
    }
    outputs[0] = std::move(dst);
}

}  // namespace

void add_scatter_nd_ops(std::vector<OpDef>& ops) {
    // -3 replaces; -15 adds the reduction attribute (TensorFlow's ScatterNd sums duplicates)
    ops.push_back(
        {"ScatterNDUpdate", 3, 3, 3, infer_scatter_nd_update, evaluate_scatter_nd_update});
    ops.push_back(
        {"ScatterNDUpdate", 15, 3, 3, infer_scatter_nd_update, evaluate_scatter_nd_update});
}

}  // namespace es::graph::ops
