#include "inference/frontends/onnx/tensor_translators.h"

#include "inference/core/error.h"

namespace es::frontends::onnx_import {
namespace tensor {

graph::Output i64_constant(NodeContext& context, const std::vector<int64_t>& values) {
    Tensor tensor(ElementType::i64, {static_cast<int64_t>(values.size())});
    std::copy(values.begin(), values.end(), tensor.data<int64_t>());
    return context.constant(tensor);
}

graph::Output i64_scalar(NodeContext& context, int64_t value) {
    return context.constant<int64_t>({}, {value});
}

std::vector<int64_t> constant_ints(const NodeContext& context, size_t i, const std::string& what) {
    const Tensor* value = context.constant_input(i);
    if (!value)
        context.fail(fmt::format("input {} ({}) must be a constant to convert this node", i, what));
    if (!is_integer(value->type()))
        context.fail(fmt::format("input {} ({}) has element type {}, expected an integer type", i,
                                 what, to_string(value->type())));
    return value->to_int64s();
}

size_t known_rank(const NodeContext& context, size_t i, const std::string& why) {
    const PartialShape& shape = context.input_type(i).shape;
    if (!shape.rank_known())
        context.fail(fmt::format("input {} has an unknown rank, which {} needs", i, why));
    return shape.rank();
}

size_t normalized_axis(const NodeContext& context, int64_t axis, size_t rank,
                       const std::string& what) {
    const auto normalized = normalize_axis(axis, rank);
    if (!normalized)
        context.fail(fmt::format("{} {} is out of range for rank {}", what, axis, rank));
    return *normalized;
}

graph::Output add_op(NodeContext& context, const std::string& type, const std::string& version,
                     std::vector<graph::Output> inputs, graph::Attributes attributes) {
    return context.add(type, version, std::move(inputs), std::move(attributes)).output(0);
}

graph::Output flatten_to_2d(NodeContext& context, const graph::Output& data, size_t axis) {
    if (axis <= 1) {
        // [1, -1], or [d0, -1] with 0 copying d0.
        return add_op(context, "Reshape", "opset1",
                      {data, i64_constant(context, {axis == 0 ? 1 : 0, -1})},
                      {{"special_zero", "true"}});
    }
    const graph::Output dims =
        add_op(context, "ShapeOf", "opset3", {data}, {{"output_type", "i64"}});
    const graph::Output leading =
        add_op(context, "Slice", "opset8",
               {dims, i64_constant(context, {0}),
                i64_constant(context, {static_cast<int64_t>(axis)}), i64_constant(context, {1})});
    const graph::Output outer =
        add_op(context, "ReduceProd", "opset1", {leading, i64_constant(context, {0})},
               {{"keep_dims", "true"}});
    const graph::Output target_shape =
        add_op(context, "Concat", "opset1", {outer, i64_constant(context, {-1})}, {{"axis", "0"}});
    return add_op(context, "Reshape", "opset1", {data, target_shape}, {{"special_zero", "false"}});
}

}  // namespace tensor

void add_tensor_translators(std::vector<OpTranslator>& table) {
    tensor::add_shape_translators(table);
    tensor::add_index_translators(table);
    tensor::add_reduce_translators(table);
}

}  // namespace es::frontends::onnx_import
