#include "inference/frontends/tf/translator_util.h"
#include "inference/frontends/tf/translators.h"

#include <functional>
#include <numeric>

namespace es::frontends::tf_import {
namespace {

using Outputs = std::vector<graph::Output>;

graph::Output to_i64(NodeContext& context, graph::Output x) {
    if (x.type().type == ElementType::i64) return x;
    return context.add("Convert", "opset1", {x}, {{"destination_type", "i64"}}).output();
}

// Entries [first, last) of the i64 shape of `x`; constant when those dimensions are static.
graph::Output dims_of(NodeContext& context, graph::Output x, size_t first, size_t last) {
    const graph::Output shape =
        context.add("ShapeOf", "opset3", {x}, {{"output_type", "i64"}}).output();
    std::vector<int64_t> positions(last - first);
    std::iota(positions.begin(), positions.end(), static_cast<int64_t>(first));
    return context
        .add("Gather", "opset8",
             {shape, context.i64_constant(positions), context.constant<int64_t>({}, {0})})
        .output();
}

graph::Output concat(NodeContext& context, const std::vector<graph::Output>& pieces) {
    return context.add("Concat", "opset1", pieces, {{"axis", "0"}}).output();
}

graph::Output reshape(NodeContext& context, graph::Output x, graph::Output shape) {
    return context.add("Reshape", "opset1", {x, shape}, {{"special_zero", "false"}}).output();
}

// GatherNd(params, indices [..., K]): slices params[i0, …, i(K-1)], a [..., params.shape[K:]]
// result. The K leading dimensions of params are flattened into one, so that the index tuple
// becomes one row-major position for Gather; the strides come from params' shape (constants
// where it is static).
Outputs translate_gather_nd(NodeContext& context) {
    if (context.attribute_int("batch_dims", 0) != 0)
        context.fail("attribute 'batch_dims' must be 0");
    const graph::Output params = context.input(0);
    const size_t rank = context.static_rank(0, "params");
    const auto& indices_shape = context.input_type(1).shape;
    if (!indices_shape.rank_known() || indices_shape.rank() == 0 ||
        indices_shape[indices_shape.rank() - 1] == k_dynamic)
        context.fail("input 1 (indices) needs a known rank and a static last dimension");
    const auto depth = static_cast<size_t>(indices_shape[indices_shape.rank() - 1]);
    if (depth == 0 || depth > rank)
        context.fail(
            fmt::format("input 1 (indices) has {} coordinates for params of rank {}", depth, rank));
    // stride k = Π shape[k+1 .. K-1]; the flattened dimension Π shape[0 .. K-1]
    auto product = [&](size_t first, size_t last) {
        if (first == last) return context.i64_constant({1});
        return context
            .add("ReduceProd", "opset1",
                 {dims_of(context, params, first, last), context.i64_constant({0})},
                 {{"keep_dims", "true"}})
            .output();
    };
    std::vector<graph::Output> stride_parts;
    for (size_t k = 0; k < depth; ++k)
        stride_parts.push_back(product(k + 1, depth));
    const graph::Output strides =
        stride_parts.size() == 1 ? stride_parts[0] : concat(context, stride_parts);
    const graph::Output scaled =
        context.add("Multiply", "opset1", {to_i64(context, context.input(1)), strides}).output();
    const graph::Output position =
        context
            .add("ReduceSum", "opset1", {scaled, context.i64_constant({-1})},
                 {{"keep_dims", "false"}})
            .output();
    const graph::Output flat_shape =
        concat(context, {product(0, depth), dims_of(context, params, depth, rank)});
    const graph::Output flat = reshape(context, params, flat_shape);
    return {context
                .add("Gather", "opset8", {flat, position, context.constant<int64_t>({}, {0})},
                     {{"batch_dims", "0"}})
                .output()};
}

// ScatterNd(indices, updates, shape): zeros of `shape` with the updates added at the indices;
// duplicate indices sum, as TensorFlow documents.
Outputs translate_scatter_nd(NodeContext& context) {
    const graph::Output updates = context.input(1);
    const graph::Output zeros =
        context
            .add("Broadcast", "opset3",
                 {scalar_like(context, updates, 0), to_i64(context, context.input(2))},
                 {{"mode", "numpy"}})
            .output();
    return {context
                .add("ScatterNDUpdate", "opset15", {zeros, context.input(0), updates},
                     {{"reduction", "sum"}})
                .output()};
}

// SparseToDense(sparse_indices, output_shape, sparse_values, default_value): default_value
// everywhere but at the indices (rows of complete coordinates; a vector or scalar for 1-D
// outputs), which get their values (or the one scalar value).
Outputs translate_sparse_to_dense(NodeContext& context) {
    graph::Output indices = to_i64(context, context.input(0));
    const size_t indices_rank = context.static_rank(0, "sparse_indices");
    if (indices_rank > 2) context.fail("input 0 (sparse_indices) must have rank 0, 1 or 2");
    if (indices_rank < 2) {
        const std::vector<int64_t> axes =
            indices_rank == 0 ? std::vector<int64_t>{0, 1} : std::vector<int64_t>{1};
        indices =
            context.add("Unsqueeze", "opset1", {indices, context.i64_constant(axes)}).output();
    }
    graph::Output values = context.input(2);
    if (context.static_rank(2, "sparse_values") == 0)
        values = context
                     .add("Broadcast", "opset3", {values, dims_of(context, indices, 0, 1)},
                          {{"mode", "numpy"}})
                     .output();
    const graph::Output dense =
        context
            .add("Broadcast", "opset3", {context.input(3), to_i64(context, context.input(1))},
                 {{"mode", "numpy"}})
            .output();
    return {
        context.add("ScatterNDUpdate", "opset15", {dense, indices, values}, {{"reduction", "none"}})
            .output()};
}

struct BlockSpec {
    std::vector<int64_t> block;
    std::vector<int64_t> begin, end;  // paddings or crops of the spatial dimensions
    size_t rank = 0;
};

// block_shape [M] and paddings/crops [M, 2], both constant, for input 0 of rank 1 + M + more.
BlockSpec read_block_spec(const NodeContext& context, const char* amounts) {
    BlockSpec spec;
    spec.block = context.constant_ints(1, "block_shape");
    const auto values = context.constant_ints(2, amounts);
    spec.rank = context.static_rank(0, "input");
    const size_t m = spec.block.size();
    if (m == 0 || values.size() != 2 * m || spec.rank < 1 + m)
        context.fail(fmt::format("block_shape [{}] and {} [{}] do not fit an input of rank {}",
                                 join(spec.block), amounts, join(values), spec.rank));
    for (size_t i = 0; i < m; ++i) {
        if (spec.block[i] < 1 || values[2 * i] < 0 || values[2 * i + 1] < 0)
            context.fail(fmt::format("block_shape [{}] must be positive and {} [{}] not negative",
                                     join(spec.block), amounts, join(values)));
        spec.begin.push_back(values[2 * i]);
        spec.end.push_back(values[2 * i + 1]);
    }
    return spec;
}

// SpaceToBatchND(input [N, S1…SM, rest…], block_shape [M], paddings [M, 2]): the padded
// spatial dimensions split into blocks, the block offsets moved into the batch (outermost):
// [N·Πb, (S1+p)/b1, …, rest…].
Outputs translate_space_to_batch(NodeContext& context) {
    const BlockSpec spec = read_block_spec(context, "paddings");
    const size_t m = spec.block.size();
    std::vector<int64_t> pads_begin(spec.rank, 0), pads_end(spec.rank, 0);
    for (size_t i = 0; i < m; ++i) {
        pads_begin[1 + i] = spec.begin[i];
        pads_end[1 + i] = spec.end[i];
    }
    const graph::Output padded =
        context
            .add("Pad", "opset1",
                 {context.input(0), context.i64_constant(pads_begin),
                  context.i64_constant(pads_end), scalar_like(context, context.input(0), 0)},
                 {{"pad_mode", "constant"}})
            .output();
    const auto& shape = padded.type().shape;
    for (size_t i = 0; i < m; ++i)
        if (shape[1 + i] >= 0 && shape[1 + i] % spec.block[i] != 0)
            context.fail(fmt::format("padded dimension {} ({}) is not a multiple of block {}",
                                     1 + i, shape[1 + i], spec.block[i]));
    // [N, S1/b1, b1, …, SM/bM, bM, rest…]
    std::vector<graph::Output> split{dims_of(context, padded, 0, 1)};
    std::vector<graph::Output> blocks_out{context.i64_constant({-1})};
    for (size_t i = 0; i < m; ++i) {
        const graph::Output outer = context
                                        .add("Divide", "opset1",
                                             {dims_of(context, padded, 1 + i, 2 + i),
                                              context.i64_constant({spec.block[i]})})
                                        .output();
        split.push_back(outer);
        split.push_back(context.i64_constant({spec.block[i]}));
        blocks_out.push_back(outer);
    }
    split.push_back(dims_of(context, padded, 1 + m, spec.rank));
    blocks_out.push_back(dims_of(context, padded, 1 + m, spec.rank));
    const graph::Output grid = reshape(context, padded, concat(context, split));
    // [b1, …, bM, N, S1/b1, …, SM/bM, rest…]
    std::vector<int64_t> order;
    for (size_t i = 0; i < m; ++i)
        order.push_back(static_cast<int64_t>(2 + 2 * i));
    order.push_back(0);
    for (size_t i = 0; i < m; ++i)
        order.push_back(static_cast<int64_t>(1 + 2 * i));
    for (size_t i = 1 + 2 * m; i < spec.rank + m; ++i)
        order.push_back(static_cast<int64_t>(i));
    const graph::Output moved =
        context.add("Transpose", "opset1", {grid, context.i64_constant(order)}).output();
    return {reshape(context, moved, concat(context, blocks_out))};
}

// BatchToSpaceND(input [N·Πb, S1…SM, rest…], block_shape [M], crops [M, 2]): the inverse of
// SpaceToBatchND, then the crops cut from each spatial dimension.
Outputs translate_batch_to_space(NodeContext& context) {
    const BlockSpec spec = read_block_spec(context, "crops");
    const size_t m = spec.block.size();
    const graph::Output x = context.input(0);
    const int64_t block_count =
        std::accumulate(spec.block.begin(), spec.block.end(), int64_t{1}, std::multiplies<>());
    const auto& shape = x.type().shape;
    if (shape[0] >= 0 && shape[0] % block_count != 0)
        context.fail(fmt::format("the batch ({}) is not a multiple of the block count {}", shape[0],
                                 block_count));
    // [b1, …, bM, N, S1, …, SM, rest…]
    const graph::Output grid =
        reshape(context, x,
                concat(context, {context.i64_constant(spec.block), context.i64_constant({-1}),
                                 dims_of(context, x, 1, spec.rank)}));
    // [N, S1, b1, …, SM, bM, rest…]
    std::vector<int64_t> order{static_cast<int64_t>(m)};
    for (size_t i = 0; i < m; ++i) {
        order.push_back(static_cast<int64_t>(m + 1 + i));
        order.push_back(static_cast<int64_t>(i));
    }
    for (size_t i = 2 * m + 1; i < spec.rank + m; ++i)
        order.push_back(static_cast<int64_t>(i));
    const graph::Output moved =
        context.add("Transpose", "opset1", {grid, context.i64_constant(order)}).output();
    const graph::Output spatial =
        context
            .add("Multiply", "opset1",
                 {dims_of(context, x, 1, 1 + m), context.i64_constant(spec.block)})
            .output();
    const graph::Output merged = reshape(context, moved,
                                         concat(context, {context.i64_constant({-1}), spatial,
                                                          dims_of(context, x, 1 + m, spec.rank)}));
    // crops: begin offsets, and negative ends where something is cut at the end
    std::vector<int64_t> begin(spec.rank, 0), end(spec.rank, 0), end_mask(spec.rank, 1);
    bool cropped = false;
    for (size_t i = 0; i < m; ++i) {
        begin[1 + i] = spec.begin[i];
        if (spec.end[i] > 0) {
            end[1 + i] = -spec.end[i];
            end_mask[1 + i] = 0;
        }
        cropped = cropped || spec.begin[i] > 0 || spec.end[i] > 0;
    }
    if (!cropped) return {merged};
    const std::vector<int64_t> zeros(spec.rank, 0);
    return {context
                .add("StridedSlice", "opset1",
                     {merged, context.i64_constant(begin), context.i64_constant(end),
                      context.i64_constant(std::vector<int64_t>(spec.rank, 1))},
                     {{"begin_mask", join(zeros)},
                      {"end_mask", join(end_mask)},
                      {"new_axis_mask", join(zeros)},
                      {"shrink_axis_mask", join(zeros)},
                      {"ellipsis_mask", join(zeros)}})
                .output()};
}

}  // namespace

void add_index_translators(std::vector<OpTranslator>& table) {
    table.push_back({"GatherNd", translate_gather_nd});
    table.push_back({"ScatterNd", translate_scatter_nd});
    table.push_back({"SparseToDense", translate_sparse_to_dense});
    table.push_back({"SpaceToBatchND", translate_space_to_batch});
    table.push_back({"BatchToSpaceND", translate_batch_to_space});
}

}  // namespace es::frontends::tf_import
