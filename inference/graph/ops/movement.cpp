#include "inference/graph/ops/movement.h"

#include "inference/graph/ops/families.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <numeric>

namespace es::graph::ops::movement {
namespace {

using CopyRow = void (*)(const std::byte* src, int64_t stride, int64_t count, size_t size,
                         std::byte* dst);

// One row of copy_strided; a fixed Size lets the compiler turn memcpy into a single move.
template <size_t Size>
void copy_row(const std::byte* src, int64_t stride, int64_t count, size_t, std::byte* dst) {
    for (int64_t i = 0; i < count; ++i)
        std::memcpy(dst + i * Size, src + i * stride * Size, Size);
}

void copy_row_any(const std::byte* src, int64_t stride, int64_t count, size_t size,
                  std::byte* dst) {
    const auto step = static_cast<int64_t>(size);
    for (int64_t i = 0; i < count; ++i)
        std::memcpy(dst + i * step, src + i * stride * step, size);
}

CopyRow row_copier(size_t element_size) {
    switch (element_size) {
        case 1:
            return copy_row<1>;
        case 2:
            return copy_row<2>;
        case 4:
            return copy_row<4>;
        case 8:
            return copy_row<8>;
        default:
            return copy_row_any;
    }
}

}  // namespace

void copy_strided(const std::byte* src, size_t element_size, int64_t offset,
                  std::span<const int64_t> strides, const Shape& dst_shape, std::byte* dst) {
    const size_t total = shape_size(dst_shape);
    if (total == 0) return;
    const auto step = static_cast<int64_t>(element_size);
    // Unit axes move nothing, and an axis whose stride spans the whole next axis walks the
    // source like one longer axis: dropping and merging them gives longer rows.
    Shape dims;
    std::vector<int64_t> dim_strides;
    for (size_t axis = 0; axis < dst_shape.size(); ++axis) {
        if (dst_shape[axis] == 1) continue;
        if (!dims.empty() && dim_strides.back() == strides[axis] * dst_shape[axis]) {
            dims.back() *= dst_shape[axis];
            dim_strides.back() = strides[axis];
            continue;
        }
        dims.push_back(dst_shape[axis]);
        dim_strides.push_back(strides[axis]);
    }
    if (dims.empty()) {
        std::memcpy(dst, src + offset * step, element_size);
        return;
    }
    const size_t rank = dims.size();
    const int64_t inner = dims.back();
    const int64_t inner_stride = dim_strides.back();
    const size_t rows = total / static_cast<size_t>(inner);
    const CopyRow copy = row_copier(element_size);
    std::vector<int64_t> index(rank - 1, 0);
    int64_t row = offset;
    for (size_t r = 0; r < rows; ++r) {
        if (inner_stride == 1)
            std::memcpy(dst, src + row * step, static_cast<size_t>(inner) * element_size);
        else
            copy(src + row * step, inner_stride, inner, element_size, dst);
        dst += inner * step;
        for (size_t axis = rank - 1; axis-- > 0;) {
            row += dim_strides[axis];
            if (++index[axis] < dims[axis]) break;
            row -= dim_strides[axis] * dims[axis];
            index[axis] = 0;
        }
    }
}

std::vector<int64_t> element_strides(const Shape& shape) {
    std::vector<int64_t> strides(shape.size(), 1);
    for (size_t i = shape.size(); i-- > 1;)
        strides[i - 1] = strides[i] * shape[i];
    return strides;
}

std::optional<int64_t> constant_scalar(const InferContext& context, size_t i, const char* what) {
    const auto values = constant_ints(context, i);
    if (!values) return std::nullopt;
    if (values->size() != 1)
        throw_bad_input("input {} ({}) must hold one value, found {}", i, what, values->size());
    return values->front();
}

void expect_scalar_or_1d(const InferContext& context, size_t i, const char* what) {
    const auto& shape = context.input(i).shape;
    if (shape.rank_known() && shape.rank() > 1)
        throw_bad_input("input {} ({}) must be a scalar or 1-D, found shape {}", i, what,
                        to_string(shape));
}

void check_output_size(const PartialShape& shape) {
    if (shape.is_static()) shape_size(shape.to_shape());
}

namespace {

size_t normalized_axis(int64_t axis, size_t rank, const char* what) {
    const auto normalized = normalize_axis(axis, rank);
    if (!normalized) throw_bad_input("{} {} is out of range for rank {}", what, axis, rank);
    return *normalized;
}

int64_t product(std::span<const int64_t> dims) {
    return std::accumulate(dims.begin(), dims.end(), int64_t{1}, std::multiplies<>());
}

// Concat

std::vector<PortType> infer_concat(const InferContext& context) {
    const int64_t axis_attribute = context.attributes().get_int("axis");
    const ElementType type = context.input(0).type;
    std::optional<PartialShape> result;
    size_t axis = 0;
    int64_t axis_sum = 0;
    bool axis_known = true;
    for (size_t i = 0; i < context.input_count(); ++i) {
        const PortType& input = context.input(i);
        if (input.type != type)
            throw_bad_input("input {} has element type {}, expected {} like input 0", i,
                            to_string(input.type), to_string(type));
        if (!input.shape.rank_known()) {
            axis_known = false;
            continue;
        }
        if (!result) {
            if (input.shape.rank() == 0) throw_bad_input("input {} is a scalar", i);
            axis = normalized_axis(axis_attribute, input.shape.rank(), "attribute 'axis'");
            result = PartialShape::dynamic_of_rank(input.shape.rank());
        } else if (input.shape.rank() != result->rank()) {
            throw_bad_input("input {} has shape {}, expected rank {}", i, to_string(input.shape),
                            result->rank());
        }
        for (size_t d = 0; d < input.shape.rank(); ++d) {
            const int64_t dim = input.shape[d];
            if (d == axis) {
                if (dim < 0) axis_known = false;
                axis_sum += std::max<int64_t>(dim, 0);
            } else if ((*result)[d] < 0) {
                (*result)[d] = dim;
            } else if (dim >= 0 && dim != (*result)[d]) {
                throw_bad_input("input {} has shape {}: dimension {} is {}, expected {}", i,
                                to_string(input.shape), d, dim, (*result)[d]);
            }
        }
    }
    if (!result) return {{type, PartialShape::dynamic_rank()}};
    (*result)[axis] = axis_known ? axis_sum : k_dynamic;
    return {{type, *result}};
}

void evaluate_concat(const Node& node, std::span<const Tensor> inputs,
                     std::vector<Tensor>& outputs) {
    Tensor& dst = outputs[0];
    const size_t axis = normalized_axis(node.attributes.get_int("axis"), dst.rank(), "axis");
    const Shape& shape = dst.shape();
    const int64_t outer = product(std::span(shape).first(axis));
    const size_t inner =
        static_cast<size_t>(product(std::span(shape).subspan(axis + 1))) * element_size(dst.type());
    std::byte* out = dst.bytes();
    for (int64_t o = 0; o < outer; ++o) {
        for (const Tensor& src : inputs) {
            const size_t block = static_cast<size_t>(src.shape()[axis]) * inner;
            std::memcpy(out, src.bytes() + static_cast<size_t>(o) * block, block);
            out += block;
        }
    }
}

// Split, VariadicSplit

// Output shapes of splitting `shape` along constant input 1 into pieces of `lengths`
// (k_dynamic where unknown).
std::vector<PortType> split_outputs(const InferContext& context,
                                    const std::vector<int64_t>& lengths) {
    const PortType& data = context.input(0);
    std::vector<PortType> outputs(lengths.size(), {data.type, PartialShape::dynamic_rank()});
    if (!data.shape.rank_known()) return outputs;
    const auto axis_value = constant_scalar(context, 1, "axis");
    for (size_t k = 0; k < lengths.size(); ++k) {
        outputs[k].shape =
            axis_value ? data.shape : PartialShape::dynamic_of_rank(data.shape.rank());
        if (axis_value) {
            const size_t axis = normalized_axis(*axis_value, data.shape.rank(), "axis");
            outputs[k].shape[axis] = lengths[k];
        }
    }
    return outputs;
}

std::optional<size_t> split_axis(const InferContext& context) {
    const auto axis_value = constant_scalar(context, 1, "axis");
    const auto& shape = context.input(0).shape;
    if (!axis_value || !shape.rank_known()) return std::nullopt;
    return normalized_axis(*axis_value, shape.rank(), "axis");
}

std::vector<PortType> infer_split(const InferContext& context) {
    expect_integer(context, 1, "axis");
    expect_scalar_or_1d(context, 1, "axis");
    const int64_t num_splits = context.attributes().get_int("num_splits");
    if (num_splits <= 0 || num_splits > (int64_t{1} << 20))
        throw_bad_input("attribute 'num_splits' is {}, expected a positive count", num_splits);
    int64_t length = k_dynamic;
    if (const auto axis = split_axis(context)) {
        const int64_t dim = context.input(0).shape[*axis];
        if (dim >= 0 && dim % num_splits != 0)
            throw_bad_input("dimension {} of size {} does not split into {} equal parts", *axis,
                            dim, num_splits);
        if (dim >= 0) length = dim / num_splits;
    }
    return split_outputs(context, std::vector<int64_t>(static_cast<size_t>(num_splits), length));
}

std::vector<PortType> infer_variadic_split(const InferContext& context) {
    expect_integer(context, 1, "axis");
    expect_scalar_or_1d(context, 1, "axis");
    expect_integer(context, 2, "split_lengths");
    expect_rank(context, 2, 1, "split_lengths");
    const auto values = constant_ints(context, 2);
    std::vector<int64_t> lengths;
    if (values) {
        lengths = *values;
    } else {
        const auto& lengths_shape = context.input(2).shape;
        size_t count = context.node.outputs.size();
        if (lengths_shape.rank_known() && lengths_shape[0] >= 0)
            count = static_cast<size_t>(lengths_shape[0]);
        if (count == 0)
            throw_bad_input(
                "the number of outputs is unknown: input 2 (split_lengths)"
                " has unknown size");
        lengths.assign(count, k_dynamic);
    }
    if (lengths.empty()) throw_bad_input("input 2 (split_lengths) is empty");
    if (values) {
        const auto inferred = std::count(lengths.begin(), lengths.end(), -1);
        if (inferred > 1) throw_bad_input("input 2 (split_lengths) has more than one -1");
        int64_t sum = 0;
        for (int64_t length : lengths) {
            if (length < -1)
                throw_bad_input("input 2 (split_lengths) holds {}, expected lengths >= -1", length);
            if (length > 0) sum += length;
        }
        const auto axis = split_axis(context);
        const int64_t dim = axis ? context.input(0).shape[*axis] : k_dynamic;
        if (dim >= 0 && (inferred ? sum > dim : sum != dim))
            throw_bad_input("split lengths sum to {}, but dimension {} has size {}", sum, *axis,
                            dim);
        if (inferred)
            std::replace(lengths.begin(), lengths.end(), int64_t{-1},
                         dim >= 0 ? dim - sum : k_dynamic);
    }
    return split_outputs(context, lengths);
}

void evaluate_split(const Node&, std::span<const Tensor> inputs, std::vector<Tensor>& outputs) {
    const Tensor& src = inputs[0];
    const size_t axis = normalized_axis(inputs[1].to_int64s().at(0), src.rank(), "axis");
    const Shape& shape = src.shape();
    const int64_t outer = product(std::span(shape).first(axis));
    const size_t inner =
        static_cast<size_t>(product(std::span(shape).subspan(axis + 1))) * element_size(src.type());
    const size_t src_block = static_cast<size_t>(shape[axis]) * inner;
    size_t start = 0;
    for (Tensor& dst : outputs) {
        const size_t block = static_cast<size_t>(dst.shape()[axis]) * inner;
        for (int64_t o = 0; o < outer; ++o)
            std::memcpy(dst.bytes() + static_cast<size_t>(o) * block,
                        src.bytes() + static_cast<size_t>(o) * src_block + start, block);
        start += block;
    }
}

// Gather

struct GatherAxes {
    size_t axis;
    size_t batch_dims;
};

GatherAxes gather_axes(int64_t axis, int64_t batch_dims, size_t data_rank, size_t indices_rank) {
    const auto indices_signed = static_cast<int64_t>(indices_rank);
    if (batch_dims < 0) batch_dims += indices_signed;
    if (batch_dims < 0 || batch_dims > static_cast<int64_t>(std::min(data_rank, indices_rank)))
        throw_bad_input(
            "attribute 'batch_dims' is out of range for data rank {} and indices rank {}",
            data_rank, indices_rank);
    const size_t normalized = normalized_axis(axis, data_rank, "axis");
    if (normalized < static_cast<size_t>(batch_dims))
        throw_bad_input("axis {} is less than batch_dims {}", axis, batch_dims);
    return {normalized, static_cast<size_t>(batch_dims)};
}

std::vector<PortType> infer_gather(const InferContext& context, int64_t batch_dims) {
    expect_integer(context, 1, "indices");
    expect_integer(context, 2, "axis");
    expect_scalar_or_1d(context, 2, "axis");
    const PortType& data = context.input(0);
    const PartialShape& indices = context.input(1).shape;
    if (!data.shape.rank_known() || !indices.rank_known())
        return {{data.type, PartialShape::dynamic_rank()}};
    const size_t data_rank = data.shape.rank();
    if (data_rank == 0) throw_bad_input("input 0 (data) is a scalar");
    const auto axis_value = constant_scalar(context, 2, "axis");
    // Before the axis is known, validate batch_dims against the last axis.
    const auto axes = gather_axes(axis_value.value_or(-1), batch_dims, data_rank, indices.rank());
    if (!axis_value) {
        const size_t rank = data_rank - 1 + indices.rank() - axes.batch_dims;
        return {{data.type, PartialShape::dynamic_of_rank(rank)}};
    }
    std::vector<int64_t> dims;
    for (size_t i = 0; i < axes.axis; ++i) {
        int64_t dim = data.shape[i];
        if (i < axes.batch_dims) {
            if (dim >= 0 && indices[i] >= 0 && dim != indices[i])
                throw_bad_input("batch dimension {} differs: data has {}, indices have {}", i, dim,
                                indices[i]);
            if (dim < 0) dim = indices[i];
        }
        dims.push_back(dim);
    }
    for (size_t i = axes.batch_dims; i < indices.rank(); ++i)
        dims.push_back(indices[i]);
    for (size_t i = axes.axis + 1; i < data_rank; ++i)
        dims.push_back(data.shape[i]);
    return {{data.type, PartialShape(std::move(dims))}};
}

std::vector<PortType> infer_gather_v1(const InferContext& context) {
    return infer_gather(context, 0);
}

std::vector<PortType> infer_gather_v7(const InferContext& context) {
    return infer_gather(context, context.attributes().get_int("batch_dims", 0));
}

// Indices may count from the end ([-dim, dim)); outside that range Gather-8 writes zeros
// (spec example 7) and earlier versions reject the input.
void gather(const Node& node, std::span<const Tensor> inputs, Tensor& dst, bool zero_out_of_range) {
    const Tensor& data = inputs[0];
    const int64_t batch_dims = node.attributes.get_int("batch_dims", 0);
    const auto axes =
        gather_axes(inputs[2].to_int64s().at(0), batch_dims, data.rank(), inputs[1].rank());
    const Shape& shape = data.shape();
    const int64_t batch = product(std::span(shape).first(axes.batch_dims));
    const int64_t outer =
        product(std::span(shape).subspan(axes.batch_dims, axes.axis - axes.batch_dims));
    const int64_t axis_dim = shape[axes.axis];
    const size_t inner = static_cast<size_t>(product(std::span(shape).subspan(axes.axis + 1))) *
                         element_size(data.type());
    const auto indices = inputs[1].to_int64s();
    const size_t per_batch = batch == 0 ? 0 : indices.size() / static_cast<size_t>(batch);
    std::byte* out = dst.bytes();
    for (int64_t b = 0; b < batch; ++b) {
        const int64_t* batch_indices = indices.data() + static_cast<size_t>(b) * per_batch;
        for (int64_t o = 0; o < outer; ++o) {
            const std::byte* src = data.bytes() + static_cast<size_t>(b * outer + o) *
                                                      static_cast<size_t>(axis_dim) * inner;
            for (size_t k = 0; k < per_batch; ++k, out += inner) {
                int64_t index = batch_indices[k];
                if (index < 0) index += axis_dim;
                if (index >= 0 && index < axis_dim) {
                    std::memcpy(out, src + static_cast<size_t>(index) * inner, inner);
                } else if (zero_out_of_range) {
                    std::memset(out, 0, inner);
                } else {
                    throw_bad_input("index {} is out of range for dimension {} of size {}",
                                    batch_indices[k], axes.axis, axis_dim);
                }
            }
        }
    }
}

void evaluate_gather_v1(const Node& node, std::span<const Tensor> inputs,
                        std::vector<Tensor>& outputs) {
    gather(node, inputs, outputs[0], false);
}

void evaluate_gather_v8(const Node& node, std::span<const Tensor> inputs,
                        std::vector<Tensor>& outputs) {
    gather(node, inputs, outputs[0], true);
}

// Transpose

// The permutation given by `order` for `rank` axes; empty order reverses the axes.
std::vector<int64_t> transpose_order(std::vector<int64_t> order, size_t rank) {
    if (order.empty()) {
        for (size_t i = rank; i-- > 0;)
            order.push_back(static_cast<int64_t>(i));
        return order;
    }
    if (order.size() != rank)
        throw_bad_input("input 1 (order) has {} values, expected {} (the data rank)", order.size(),
                        rank);
    std::vector<bool> seen(rank, false);
    for (int64_t axis : order) {
        if (axis < 0 || axis >= static_cast<int64_t>(rank) || seen[static_cast<size_t>(axis)])
            throw_bad_input("input 1 (order) is not a permutation of 0..{}", rank - 1);
        seen[static_cast<size_t>(axis)] = true;
    }
    return order;
}

std::vector<PortType> infer_transpose(const InferContext& context) {
    expect_integer(context, 1, "order");
    expect_rank(context, 1, 1, "order");
    const PortType& data = context.input(0);
    const auto order = constant_ints(context, 1);
    if (!data.shape.rank_known()) {
        if (order && !order->empty())
            return {{data.type, PartialShape::dynamic_of_rank(order->size())}};
        return {{data.type, PartialShape::dynamic_rank()}};
    }
    if (!order) return {{data.type, PartialShape::dynamic_of_rank(data.shape.rank())}};
    std::vector<int64_t> dims;
    for (int64_t axis : transpose_order(*order, data.shape.rank()))
        dims.push_back(data.shape[static_cast<size_t>(axis)]);
    return {{data.type, PartialShape(std::move(dims))}};
}

void evaluate_transpose(const Node&, std::span<const Tensor> inputs, std::vector<Tensor>& outputs) {
    const Tensor& src = inputs[0];
    const auto order = transpose_order(inputs[1].to_int64s(), src.rank());
    const auto src_strides = element_strides(src.shape());
    std::vector<int64_t> strides;
    for (int64_t axis : order)
        strides.push_back(src_strides[static_cast<size_t>(axis)]);
    copy_strided(src.bytes(), element_size(src.type()), 0, strides, outputs[0].shape(),
                 outputs[0].bytes());
}

}  // namespace
}  // namespace es::graph::ops::movement

namespace es::graph::ops {

void add_movement_ops(std::vector<OpDef>& ops) {
    using namespace movement;
    constexpr size_t any = std::numeric_limits<size_t>::max();
    ops.push_back({"Concat", 1, 1, any, infer_concat, evaluate_concat});
    ops.push_back({"Split", 1, 2, 2, infer_split, evaluate_split});
    ops.push_back({"VariadicSplit", 1, 3, 3, infer_variadic_split, evaluate_split});
    ops.push_back({"Gather", 1, 3, 3, infer_gather_v1, evaluate_gather_v1});
    ops.push_back({"Gather", 7, 3, 3, infer_gather_v7, evaluate_gather_v1});
    ops.push_back({"Gather", 8, 3, 3, infer_gather_v7, evaluate_gather_v8});
    ops.push_back({"Transpose", 1, 2, 2, infer_transpose, evaluate_transpose});
    ops.push_back({"StridedSlice", 1, 3, 4, infer_strided_slice, evaluate_strided_slice});
    ops.push_back({"Slice", 8, 4, 5, infer_slice, evaluate_slice});
    ops.push_back({"Broadcast", 1, 2, 3, infer_broadcast_v1, evaluate_broadcast});
    ops.push_back({"Broadcast", 3, 2, 3, infer_broadcast_v3, evaluate_broadcast});
    ops.push_back({"Tile", 1, 2, 2, infer_tile, evaluate_tile});
    ops.push_back({"Pad", 1, 3, 4, infer_pad_v1, evaluate_pad});
    ops.push_back({"Pad", 12, 3, 4, infer_pad_v12, evaluate_pad});
    ops.push_back({"DepthToSpace", 1, 1, 1, infer_depth_to_space, evaluate_depth_to_space});
    ops.push_back({"SpaceToDepth", 1, 1, 1, infer_space_to_depth, evaluate_space_to_depth});
    ops.push_back({"Range", 1, 3, 3, infer_range_v1, evaluate_range});
    ops.push_back({"Range", 4, 3, 3, infer_range_v4, evaluate_range});
    ops.push_back({"NonZero", 3, 1, 1, infer_non_zero, evaluate_non_zero});
}

}  // namespace es::graph::ops
