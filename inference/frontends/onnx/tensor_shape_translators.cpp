#include "inference/frontends/onnx/tensor_translators.h"

#include "inference/core/error.h"

#include <limits>

namespace es::frontends::onnx_import::tensor {
namespace {

std::vector<graph::Output> translate_reshape(NodeContext& context) {
    // allowzero=0 (the default): a 0 in the shape copies the input dimension.
    const bool allow_zero = context.attribute_int("allowzero", 0) != 0;
    return {add_op(context, "Reshape", "opset1", {context.input(0), context.input(1)},
                   {{"special_zero", allow_zero ? "false" : "true"}})};
}

// Flatten: the input as 2-D at `axis`, which may equal the rank.
std::vector<graph::Output> translate_flatten(NodeContext& context) {
    const PartialShape& shape = context.input_type(0).shape;
    int64_t axis = context.attribute_int("axis", 1);
    if (axis < 0) axis += static_cast<int64_t>(known_rank(context, 0, "a negative axis"));
    if (axis < 0 || (shape.rank_known() && axis > static_cast<int64_t>(shape.rank())))
        context.fail(fmt::format("attribute 'axis' {} is out of range for input shape {}",
                                 context.attribute_int("axis", 1), to_string(shape)));
    return {flatten_to_2d(context, context.input(0), static_cast<size_t>(axis))};
}

// Without perm, Transpose reverses the dimensions (an empty IR order does the same).
std::vector<graph::Output> translate_transpose(NodeContext& context) {
    const auto perm = context.attribute_ints("perm");
    return {
        add_op(context, "Transpose", "opset1", {context.input(0), i64_constant(context, perm)})};
}

// Axes: an attribute before opset 13, an optional input from 13.
std::optional<graph::Output> axes_operand(NodeContext& context) {
    if (context.opset() < 13) {
        if (!context.has_attribute("axes")) return std::nullopt;
        return i64_constant(context, context.attribute_ints("axes"));
    }
    if (!context.has_input(1)) return std::nullopt;
    return context.input(1);
}

std::vector<graph::Output> translate_squeeze(NodeContext& context) {
    std::vector<graph::Output> inputs{context.input(0)};
    if (const auto axes = axes_operand(context)) inputs.push_back(*axes);
    return {add_op(context, "Squeeze", "opset1", std::move(inputs))};
}

std::vector<graph::Output> translate_unsqueeze(NodeContext& context) {
    const auto axes = axes_operand(context);
    if (!axes) context.fail("needs axes (an attribute before opset 13, input 1 from 13)");
    return {add_op(context, "Unsqueeze", "opset1", {context.input(0), *axes})};
}

std::vector<graph::Output> translate_concat(NodeContext& context) {
    if (!context.has_attribute("axis")) context.fail("attribute 'axis' is required");
    std::vector<graph::Output> inputs;
    for (size_t i = 0; i < context.input_count(); ++i)
        if (context.has_input(i)) inputs.push_back(context.input(i));
    return {add_op(context, "Concat", "opset1", std::move(inputs),
                   {{"axis", std::to_string(context.attribute_int("axis", 0))}})};
}

// Split lengths: an attribute before opset 13, an optional input from 13. Without them, equal
// parts, one per output (or num_outputs from opset 18, where the last part may be smaller).
std::vector<graph::Output> translate_split(NodeContext& context) {
    const graph::Output data = context.input(0);
    const int64_t axis = context.attribute_int("axis", 0);
    const auto outputs = static_cast<int64_t>(context.proto().output_size());
    std::optional<graph::Output> lengths;
    if (context.opset() < 13) {
        if (context.has_attribute("split"))
            lengths = i64_constant(context, context.attribute_ints("split"));
    } else if (context.has_input(1)) {
        lengths = context.input(1);
        // VariadicSplit counts its outputs from the size of the lengths.
        const PartialShape& lengths_shape = context.input_type(1).shape;
        if (!lengths_shape.is_static())
            lengths =
                add_op(context, "Reshape", "opset1", {*lengths, i64_constant(context, {outputs})},
                       {{"special_zero", "false"}});
    }
    graph::Node* node = nullptr;
    if (lengths) {
        node = &context.add("VariadicSplit", "opset1", {data, i64_scalar(context, axis), *lengths});
    } else {
        const int64_t parts = context.opset() >= 18 && context.has_attribute("num_outputs")
                                  ? context.attribute_int("num_outputs", 0)
                                  : outputs;
        if (parts <= 0) context.fail(fmt::format("splits into {} parts", parts));
        const PartialShape& shape = context.input_type(0).shape;
        int64_t dim = k_dynamic;
        if (shape.rank_known()) dim = shape[normalized_axis(context, axis, shape.rank(), "axis")];
        if (dim >= 0 && dim % parts != 0 && context.opset() >= 18) {
            const int64_t chunk = (dim + parts - 1) / parts;
            const int64_t last = dim - chunk * (parts - 1);
            if (last < 0)
                context.fail(fmt::format("axis of size {} does not split into {} parts of {}", dim,
                                         parts, chunk));
            std::vector<int64_t> sizes(static_cast<size_t>(parts), chunk);
            sizes.back() = last;
            node = &context.add("VariadicSplit", "opset1",
                                {data, i64_scalar(context, axis), i64_constant(context, sizes)});
        } else {
            node = &context.add("Split", "opset1", {data, i64_scalar(context, axis)},
                                {{"num_splits", std::to_string(parts)}});
        }
    }
    std::vector<graph::Output> results;
    for (size_t i = 0; i < node->outputs.size(); ++i)
        results.push_back(node->output(i));
    return results;
}

// Shape, from opset 15 sliced by start and end (clamped to the rank like Slice). ShapeOf even
// for static shapes: shape inference folds it, and the model stays reshapeable.
std::vector<graph::Output> translate_shape(NodeContext& context) {
    const graph::Output dims =
        add_op(context, "ShapeOf", "opset3", {context.input(0)}, {{"output_type", "i64"}});
    if (!context.has_attribute("start") && !context.has_attribute("end")) return {dims};
    const int64_t start = context.attribute_int("start", 0);
    const int64_t end = context.attribute_int("end", std::numeric_limits<int64_t>::max());
    return {add_op(context, "Slice", "opset8",
                   {dims, i64_constant(context, {start}), i64_constant(context, {end}),
                    i64_constant(context, {1})})};
}

std::vector<graph::Output> translate_size(NodeContext& context) {
    const graph::Output dims =
        add_op(context, "ShapeOf", "opset3", {context.input(0)}, {{"output_type", "i64"}});
    return {add_op(context, "ReduceProd", "opset1", {dims, i64_constant(context, {0})},
                   {{"keep_dims", "false"}})};
}

// ConstantOfShape: the one-element `value` (f32 0 by default) broadcast to the input shape.
std::vector<graph::Output> translate_constant_of_shape(NodeContext& context) {
    Tensor value = context.has_attribute("value") ? context.attribute_tensor("value")
                                                  : make_tensor<float>({}, {0.0f});
    if (value.size() != 1)
        context.fail(fmt::format("attribute 'value' holds {} elements, expected 1", value.size()));
    return {add_op(context, "Broadcast", "opset3",
                   {context.constant(value.reshaped({})), context.input(0)}, {{"mode", "numpy"}})};
}

// Expand broadcasts both ways: the output takes the larger of each pair of dimensions.
std::vector<graph::Output> translate_expand(NodeContext& context) {
    return {add_op(context, "Broadcast", "opset3", {context.input(0), context.input(1)},
                   {{"mode", "bidirectional"}})};
}

std::vector<graph::Output> translate_tile(NodeContext& context) {
    return {add_op(context, "Tile", "opset1", {context.input(0), context.input(1)})};
}

std::vector<graph::Output> translate_range(NodeContext& context) {
    const ElementType type = context.input_type(0).type;
    return {add_op(context, "Range", "opset4",
                   {context.input(0), context.input(1), context.input(2)},
                   {{"output_type", std::string(to_string(type))}})};
}

std::vector<graph::Output> translate_non_zero(NodeContext& context) {
    return {add_op(context, "NonZero", "opset3", {context.input(0)}, {{"output_type", "i64"}})};
}

}  // namespace

void add_shape_translators(std::vector<OpTranslator>& table) {
    table.push_back({"Reshape", translate_reshape});
    table.push_back({"Flatten", translate_flatten});
    table.push_back({"Transpose", translate_transpose});
    table.push_back({"Squeeze", translate_squeeze});
    table.push_back({"Unsqueeze", translate_unsqueeze});
    table.push_back({"Concat", translate_concat});
    table.push_back({"Split", translate_split});
    table.push_back({"Shape", translate_shape});
    table.push_back({"Size", translate_size});
    table.push_back({"ConstantOfShape", translate_constant_of_shape});
    table.push_back({"Expand", translate_expand});
    table.push_back({"Tile", translate_tile});
    table.push_back({"Range", translate_range});
    table.push_back({"NonZero", translate_non_zero});
}

}  // namespace es::frontends::onnx_import::tensor
