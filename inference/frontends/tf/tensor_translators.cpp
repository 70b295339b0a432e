#include "inference/frontends/tf/translator_util.h"
#include "inference/frontends/tf/translators.h"

#include <limits>

namespace es::frontends::tf_import {
namespace {

using Outputs = std::vector<graph::Output>;

// ConcatV2(values…, axis) and Concat(axis, values…).
Outputs translate_concat(NodeContext& context) {
    const bool axis_first = context.op_type() == "Concat";
    const size_t axis_input = axis_first ? 0 : context.input_count() - 1;
    const auto axis = context.constant_ints(axis_input, "axis");
    if (axis.size() != 1) context.fail("the axis must be a scalar");
    std::vector<graph::Output> values;
    for (size_t i = 0; i < context.input_count(); ++i)
        if (i != axis_input) values.push_back(context.input(i));
    if (values.size() == 1) return {values[0]};
    return {context.add("Concat", "opset1", values, {{"axis", std::to_string(axis[0])}}).output()};
}

// Pack(values…): each value unsqueezed at `axis` (of the output's rank), then concatenated.
Outputs translate_pack(NodeContext& context) {
    int64_t axis = context.attribute_int("axis", 0);
    const size_t rank = context.static_rank(0, "values") + 1;
    const auto normalized = normalize_axis(axis, rank);
    if (!normalized) context.fail(fmt::format("attribute 'axis' {} is out of range", axis));
    axis = static_cast<int64_t>(*normalized);
    std::vector<graph::Output> values;
    for (size_t i = 0; i < context.input_count(); ++i)
        values.push_back(
            context.add("Unsqueeze", "opset1", {context.input(i), context.i64_constant({axis})})
                .output());
    if (values.size() == 1) return values;
    return {context.add("Concat", "opset1", values, {{"axis", std::to_string(axis)}}).output()};
}

// Unpack(value): `num` slices along `axis`, each with the axis removed.
Outputs translate_unpack(NodeContext& context) {
    const int64_t axis = context.attribute_int("axis", 0);
    const int64_t num = context.attribute_int("num", 0);
    if (num < 1) context.fail("attribute 'num' must be at least 1");
    const graph::Output axis_constant = context.constant<int64_t>({}, {axis});
    graph::Node& split = context.add("Split", "opset1", {context.input(0), axis_constant},
                                     {{"num_splits", std::to_string(num)}});
    Outputs outputs;
    for (size_t i = 0; i < static_cast<size_t>(num); ++i)
        outputs.push_back(
            context.add("Squeeze", "opset1", {split.output(i), context.i64_constant({axis})})
                .output());
    return outputs;
}

Outputs translate_reshape(NodeContext& context) {
    return {context
                .add("Reshape", "opset1", {context.input(0), context.input(1)},
                     {{"special_zero", "false"}})
                .output()};
}

Outputs translate_squeeze(NodeContext& context) {
    const auto axes = context.attribute_ints("squeeze_dims", context.attribute_ints("axis"));
    if (axes.empty()) return {context.add("Squeeze", "opset1", {context.input(0)}).output()};
    return {
        context.add("Squeeze", "opset1", {context.input(0), context.i64_constant(axes)}).output()};
}

Outputs translate_expand_dims(NodeContext& context) {
    return {context.add("Unsqueeze", "opset1", {context.input(0), context.input(1)}).output()};
}

Outputs translate_transpose(NodeContext& context) {
    return {context.add("Transpose", "opset1", {context.input(0), context.input(1)}).output()};
}

// Pad / PadV2 / MirrorPad(x, paddings [rank, 2][, constant_values]).
Outputs translate_pad(NodeContext& context) {
    const graph::Output x = context.input(0);
    const graph::Output paddings = context.input(1);
    const graph::Output axis = context.constant<int64_t>({}, {1});
    const graph::Output begin =
        context.add("Gather", "opset8", {paddings, context.constant<int64_t>({}, {0}), axis})
            .output();
    const graph::Output end =
        context.add("Gather", "opset8", {paddings, context.constant<int64_t>({}, {1}), axis})
            .output();
    std::string mode = "constant";
    if (context.op_type() == "MirrorPad") {
        const std::string tf_mode = context.attribute_string("mode", "");
        if (tf_mode == "REFLECT")
            mode = "reflect";
        else if (tf_mode == "SYMMETRIC")
            mode = "symmetric";
        else
            context.fail(
                fmt::format("attribute 'mode' is '{}', expected REFLECT or SYMMETRIC", tf_mode));
        return {context.add("Pad", "opset12", {x, begin, end}, {{"pad_mode", mode}}).output()};
    }
    const graph::Output value =
        context.op_type() == "PadV2" ? context.input(2) : scalar_like(context, x, 0);
    return {context.add("Pad", "opset12", {x, begin, end, value}, {{"pad_mode", mode}}).output()};
}

// Slice(x, begin, size): a size of -1 takes the rest of the axis.
Outputs translate_slice(NodeContext& context) {
    const graph::Output begin = context.input(1);
    const graph::Output size = context.input(2);
    const ElementType type = begin.type().type;
    const double rest = type == ElementType::i32
                            ? std::numeric_limits<int32_t>::max()
                            : static_cast<double>(std::numeric_limits<int64_t>::max());
    const graph::Output end = context.add("Add", "opset1", {begin, size}).output();
    const graph::Output to_end =
        context.add("Equal", "opset1", {size, scalar_like(context, size, -1)}).output();
    const graph::Output stop =
        context.add("Select", "opset1", {to_end, scalar_like(context, end, rest), end}).output();
    const graph::Output shape = context.add("ShapeOf", "opset3", {begin}).output();
    const graph::Output step =
        context.add("Broadcast", "opset3", {scalar_like(context, begin, 1), shape}).output();
    return {context.add("Slice", "opset8", {context.input(0), begin, stop, step}).output()};
}

std::string mask_list(int64_t bits, size_t count) {
    std::vector<int64_t> mask(count);
    for (size_t i = 0; i < count; ++i)
        mask[i] = (bits >> i) & 1;
    return join(mask);
}

// StridedSlice(x, begin, end, strides) with TF's bit masks as IR mask lists.
Outputs translate_strided_slice(NodeContext& context) {
    const auto& begin_shape = context.input_type(1).shape;
    if (!begin_shape.rank_known() || begin_shape.rank() != 1 || begin_shape[0] < 0)
        context.fail("input 1 (begin) needs a static length");
    const auto count = static_cast<size_t>(begin_shape[0]);
    graph::Attributes attributes;
    for (const char* mask :
         {"begin_mask", "end_mask", "new_axis_mask", "shrink_axis_mask", "ellipsis_mask"})
        attributes.set(mask, mask_list(context.attribute_int(mask, 0), count));
    return {context
                .add("StridedSlice", "opset1",
                     {context.input(0), context.input(1), context.input(2), context.input(3)},
                     attributes)
                .output()};
}

Outputs outputs_of(graph::Node& node) {
    Outputs outputs;
    for (size_t i = 0; i < node.outputs.size(); ++i)
        outputs.push_back(node.output(i));
    return outputs;
}

// Split(axis, value) into num_split equal parts.
Outputs translate_split(NodeContext& context) {
    const int64_t parts = context.attribute_int("num_split", 0);
    if (parts < 1) context.fail("attribute 'num_split' must be at least 1");
    return outputs_of(context.add("Split", "opset1", {context.input(1), context.input(0)},
                                  {{"num_splits", std::to_string(parts)}}));
}

// SplitV(value, size_splits, axis).
Outputs translate_split_v(NodeContext& context) {
    return outputs_of(context.add("VariadicSplit", "opset1",
                                  {context.input(0), context.input(2), context.input(1)}));
}

Outputs translate_gather(NodeContext& context) {
    const bool v2 = context.op_type() == "GatherV2";
    const graph::Output axis = v2 ? context.input(2) : context.constant<int64_t>({}, {0});
    return {context
                .add("Gather", "opset8", {context.input(0), context.input(1), axis},
                     {{"batch_dims", std::to_string(context.attribute_int("batch_dims", 0))}})
                .output()};
}

Outputs translate_tile(NodeContext& context) {
    return {context.add("Tile", "opset1", {context.input(0), context.input(1)}).output()};
}

Outputs translate_broadcast_to(NodeContext& context) {
    return {context
                .add("Broadcast", "opset3", {context.input(0), context.input(1)},
                     {{"mode", "bidirectional"}})
                .output()};
}

// Select(condition, t, e): a vector condition picks whole rows of higher-rank t and e.
// SelectV2 broadcasts numpy-style.
Outputs translate_select(NodeContext& context) {
    graph::Output condition = context.input(0);
    const auto& condition_shape = condition.type().shape;
    const auto& value_shape = context.input_type(1).shape;
    if (context.op_type() != "SelectV2" && condition_shape.rank_known() &&
        condition_shape.rank() == 1 && value_shape.rank_known() && value_shape.rank() > 1) {
        std::vector<int64_t> axes;
        for (size_t i = 1; i < value_shape.rank(); ++i)
            axes.push_back(static_cast<int64_t>(i));
        condition =
            context.add("Unsqueeze", "opset1", {condition, context.i64_constant(axes)}).output();
    }
    return {context
                .add("Select", "opset1", {condition, context.input(1), context.input(2)},
                     {{"auto_broadcast", "numpy"}})
                .output()};
}

// Where(condition): the coordinates [count, rank] (i64) of the true (non-zero) elements in
// row-major order. With three inputs (as some converters write it), Select.
Outputs translate_where(NodeContext& context) {
    if (context.input_count() == 3) return translate_select(context);
    const size_t rank = context.static_rank(0, "condition");
    if (rank == 0) context.fail("input 0 (condition) is a scalar, expected rank 1 or more");
    const graph::Output coordinates =
        context.add("NonZero", "opset3", {context.input(0)}, {{"output_type", "i64"}}).output();
    return {
        context.add("Transpose", "opset1", {coordinates, context.i64_constant({1, 0})}).output()};
}

template <const char* Type>
Outputs reduce(NodeContext& context) {
    const bool keep_dims = context.attribute_bool("keep_dims", false);
    return {context
                .add(Type, "opset1", {context.input(0), context.input(1)},
                     {{"keep_dims", keep_dims ? "true" : "false"}})
                .output()};
}

constexpr char k_reduce_mean[] = "ReduceMean";
constexpr char k_reduce_sum[] = "ReduceSum";
constexpr char k_reduce_max[] = "ReduceMax";
constexpr char k_reduce_min[] = "ReduceMin";
constexpr char k_reduce_prod[] = "ReduceProd";
constexpr char k_reduce_all[] = "ReduceLogicalAnd";
constexpr char k_reduce_any[] = "ReduceLogicalOr";

}  // namespace

void add_tensor_translators(std::vector<OpTranslator>& table) {
    table.push_back({"ConcatV2", translate_concat});
    table.push_back({"Concat", translate_concat});
    table.push_back({"Pack", translate_pack});
    table.push_back({"Unpack", translate_unpack});
    table.push_back({"Reshape", translate_reshape});
    table.push_back({"Squeeze", translate_squeeze});
    table.push_back({"ExpandDims", translate_expand_dims});
    table.push_back({"Transpose", translate_transpose});
    table.push_back({"Pad", translate_pad});
    table.push_back({"PadV2", translate_pad});
    table.push_back({"MirrorPad", translate_pad});
    table.push_back({"Slice", translate_slice});
    table.push_back({"StridedSlice", translate_strided_slice});
    table.push_back({"Split", translate_split});
    table.push_back({"SplitV", translate_split_v});
    table.push_back({"GatherV2", translate_gather});
    table.push_back({"Gather", translate_gather});
    table.push_back({"Tile", translate_tile});
    table.push_back({"BroadcastTo", translate_broadcast_to});
    table.push_back({"Select", translate_select});
    table.push_back({"SelectV2", translate_select});
    table.push_back({"Where", translate_where});
    table.push_back({"Mean", reduce<k_reduce_mean>});
    table.push_back({"Sum", reduce<k_reduce_sum>});
    table.push_back({"Max", reduce<k_reduce_max>});
    table.push_back({"Min", reduce<k_reduce_min>});
    table.push_back({"Prod", reduce<k_reduce_prod>});
    table.push_back({"All", reduce<k_reduce_all>});
    table.push_back({"Any", reduce<k_reduce_any>});
}

}  // namespace es::frontends::tf_import
