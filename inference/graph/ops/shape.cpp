#include "inference/graph/ops/families.h"
#include "inference/graph/ops/op_util.h"

#include <algorithm>
#include <set>

namespace es::graph::ops {
namespace {

// Reshape, Squeeze and Unsqueeze keep the bytes: the output shares the input's buffer.
void evaluate_reshape(const Node&, std::span<const Tensor> inputs, std::vector<Tensor>& outputs) {
    outputs[0] = inputs[0].reshaped(outputs[0].shape());
}

// Product of the known dimensions; nullopt if any is unknown.
std::optional<int64_t> known_product(const std::vector<int64_t>& dims) {
    int64_t product = 1;
    for (int64_t dim : dims) {
        if (dim < 0) return std::nullopt;
        if (__builtin_mul_overflow(product, dim, &product))
            throw_bad_input("shape {} has too many elements", to_string(PartialShape(dims)));
    }
    return product;
}

// Reshape

// Target shape values: 0 copies the input dimension at the same index (special_zero) and
// one -1 takes whatever size keeps the element count.
PartialShape reshape_output(const PartialShape& input, const std::vector<int64_t>& target,
                            bool special_zero) {
    std::vector<int64_t> dims(target.size());
    std::optional<size_t> inferred;
    std::vector<bool> copied(input.rank_known() ? input.rank() : 0, false);
    for (size_t i = 0; i < target.size(); ++i) {
        const int64_t value = target[i];
        if (value == -1) {
            if (inferred) throw_bad_input("input 1 (shape) holds more than one -1");
            inferred = i;
            dims[i] = k_dynamic;
        } else if (value == 0 && special_zero) {
            if (!input.rank_known()) {
                dims[i] = k_dynamic;
            } else if (i < input.rank()) {
                dims[i] = input[i];
                copied[i] = true;
            } else {
                throw_bad_input(
                    "input 1 (shape) holds 0 at index {} to copy an input "
                    "dimension, but the input {} has rank {}",
                    i, to_string(input), input.rank());
            }
        } else if (value < 0) {
            throw_bad_input("input 1 (shape) holds {}, expected sizes, 0 or -1", value);
        } else {
            dims[i] = value;
        }
    }
    if (!input.rank_known()) return PartialShape(std::move(dims));
    // Dimensions copied from the input cancel out, even where they are unknown.
    std::vector<int64_t> input_rest, output_rest;
    for (size_t i = 0; i < input.rank(); ++i)
        if (!copied[i]) input_rest.push_back(input[i]);
    for (size_t i = 0; i < dims.size(); ++i)
        if (i != inferred && !(special_zero && target[i] == 0 && i < input.rank()))
            output_rest.push_back(dims[i]);
    const auto input_count = known_product(input_rest);
    const auto output_count = known_product(output_rest);
    if (!input_count || !output_count) return PartialShape(std::move(dims));
    if (inferred) {
        if (*output_count == 0) {
            if (*input_count != 0)
                throw_bad_input("cannot infer the -1 of shape {}: the other sizes multiply to 0",
                                to_string(PartialShape(target)));
            dims[*inferred] = 0;
        } else {
            if (*input_count % *output_count != 0)
                throw_bad_input(
                    "input {} does not reshape to {}: {} elements are not a "
                    "multiple of {}",
                    to_string(input), to_string(PartialShape(target)), *input_count, *output_count);
            dims[*inferred] = *input_count / *output_count;
        }
    } else if (*input_count != *output_count) {
        throw_bad_input("input {} does not reshape to {}: element counts differ", to_string(input),
                        to_string(PartialShape(target)));
    }
    return PartialShape(std::move(dims));
}

std::vector<PortType> infer_reshape(const InferContext& context) {
    expect_integer(context, 1, "shape");
    const PartialShape& target_shape = context.input(1).shape;
    if (target_shape.rank_known() && target_shape.rank() > 1)
        throw_bad_input("input 1 (shape) has shape {}, expected 1-D", to_string(target_shape));
    const PortType& data = context.input(0);
    const bool special_zero = context.attributes().get_bool("special_zero", false);
    const auto target = constant_ints(context, 1);
    if (target) {
        PartialShape output = reshape_output(data.shape, *target, special_zero);
        if (output.is_static()) shape_size(output.to_shape());
        return {{data.type, std::move(output)}};
    }
    if (target_shape.rank_known() && target_shape.rank() == 1 && target_shape[0] >= 0)
        return {{data.type, PartialShape::dynamic_of_rank(static_cast<size_t>(target_shape[0]))}};
    return {{data.type, PartialShape::dynamic_rank()}};
}

// ShapeOf

std::vector<PortType> infer_shape_of(const InferContext& context, ElementType type) {
    const PartialShape& shape = context.input(0).shape;
    const int64_t rank = shape.rank_known() ? static_cast<int64_t>(shape.rank()) : k_dynamic;
    return {{type, PartialShape{rank}}};
}

std::vector<PortType> infer_shape_of_v1(const InferContext& context) {
    return infer_shape_of(context, ElementType::i64);
}

std::vector<PortType> infer_shape_of_v3(const InferContext& context) {
    const ElementType type = context.attributes().has("output_type")
                                 ? context.attributes().get_element_type("output_type")
                                 : ElementType::i64;
    if (type != ElementType::i32 && type != ElementType::i64)
        throw_bad_input("attribute 'output_type' is {}, expected i32 or i64", to_string(type));
    return infer_shape_of(context, type);
}

void evaluate_shape_of(const Node&, std::span<const Tensor> inputs, std::vector<Tensor>& outputs) {
    const Shape& shape = inputs[0].shape();
    Tensor dims(ElementType::i64, {static_cast<int64_t>(shape.size())});
    std::copy(shape.begin(), shape.end(), dims.data<int64_t>());
    outputs[0] = convert(dims, outputs[0].type());
}

// Squeeze, Unsqueeze

// Normalized, de-duplicated axes for `rank`.
std::set<size_t> normalized_axes(const std::vector<int64_t>& axes, size_t rank) {
    std::set<size_t> result;
    for (int64_t axis : axes) {
        const auto normalized = normalize_axis(axis, rank);
        if (!normalized)
            throw_bad_input("input 1 (axes) holds {}, out of range for rank {}", axis, rank);
        result.insert(*normalized);
    }
    return result;
}

// Without axes (or with an empty list) every dimension of size 1 goes; that needs them all known.
std::vector<PortType> infer_squeeze(const InferContext& context) {
    const PortType& data = context.input(0);
    std::optional<std::vector<int64_t>> axes;
    if (context.input_count() > 1) {
        expect_integer(context, 1, "axes");
        const auto& axes_shape = context.input(1).shape;
        if (axes_shape.rank_known() && axes_shape.rank() > 1)
            throw_bad_input("input 1 (axes) has shape {}, expected a scalar or 1-D",
                            to_string(axes_shape));
        axes = constant_ints(context, 1);
        if (!axes) return {{data.type, PartialShape::dynamic_rank()}};
    }
    if (!data.shape.rank_known()) return {{data.type, PartialShape::dynamic_rank()}};
    std::vector<int64_t> dims;
    if (!axes || axes->empty()) {
        for (int64_t dim : data.shape.dims()) {
            if (dim < 0) return {{data.type, PartialShape::dynamic_rank()}};
            if (dim != 1) dims.push_back(dim);
        }
        return {{data.type, PartialShape(std::move(dims))}};
    }
    const auto squeezed = normalized_axes(*axes, data.shape.rank());
    for (size_t i = 0; i < data.shape.rank(); ++i) {
        const int64_t dim = data.shape[i];
        if (!squeezed.contains(i))
            dims.push_back(dim);
        else if (dim >= 0 && dim != 1)
            throw_bad_input("cannot squeeze axis {} of size {} (shape {})", i, dim,
                            to_string(data.shape));
    }
    return {{data.type, PartialShape(std::move(dims))}};
}

// Axes count in the output rank, so -1 appends a trailing 1.
std::vector<PortType> infer_unsqueeze(const InferContext& context) {
    expect_integer(context, 1, "axes");
    const auto& axes_shape = context.input(1).shape;
    if (axes_shape.rank_known() && axes_shape.rank() > 1)
        throw_bad_input("input 1 (axes) has shape {}, expected a scalar or 1-D",
                        to_string(axes_shape));
    const PortType& data = context.input(0);
    const auto axes = constant_ints(context, 1);
    if (!data.shape.rank_known()) return {{data.type, PartialShape::dynamic_rank()}};
    if (!axes) {
        if (axes_shape.rank_known() && (axes_shape.rank() == 0 || axes_shape[0] >= 0)) {
            const size_t count = axes_shape.rank() == 0 ? 1 : static_cast<size_t>(axes_shape[0]);
            return {{data.type, PartialShape::dynamic_of_rank(data.shape.rank() + count)}};
        }
        return {{data.type, PartialShape::dynamic_rank()}};
    }
    const size_t rank = data.shape.rank() + axes->size();
    const auto inserted = normalized_axes(*axes, rank);
    if (inserted.size() != axes->size()) throw_bad_input("input 1 (axes) repeats an axis");
    std::vector<int64_t> dims;
    size_t next = 0;
    for (size_t i = 0; i < rank; ++i)
        dims.push_back(inserted.contains(i) ? 1 : data.shape[next++]);
    return {{data.type, PartialShape(std::move(dims))}};
}

}  // namespace

void add_shape_ops(std::vector<OpDef>& ops) {
    ops.push_back({"Reshape", 1, 2, 2, infer_reshape, evaluate_reshape});
    ops.push_back({"ShapeOf", 1, 1, 1, infer_shape_of_v1, evaluate_shape_of});
    ops.push_back({"ShapeOf", 3, 1, 1, infer_shape_of_v3, evaluate_shape_of});
    ops.push_back({"Squeeze", 1, 1, 2, infer_squeeze, evaluate_reshape});
    ops.push_back({"Unsqueeze", 1, 2, 2, infer_unsqueeze, evaluate_reshape});
}

}  // namespace es::graph::ops
