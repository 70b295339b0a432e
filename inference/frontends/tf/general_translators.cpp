#include "inference/frontends/tf/translator_util.h"
#include "inference/frontends/tf/translators.h"

namespace es::frontends::tf_import {
namespace {

using Outputs = std::vector<graph::Output>;

Outputs translate_placeholder(NodeContext& context) {
    const ElementType type = context.attribute_type("dtype", ElementType::undefined);
    if (type == ElementType::undefined) context.fail("attribute 'dtype' is required");
    return {context.parameter(type, context.attribute_shape("shape"))};
}

Outputs translate_const(NodeContext& context) {
    if (const Tensor* value = context.bound_value()) return {context.constant(*value)};
    return {context.constant(context.attribute_tensor("value"))};
}

// Variables of a SavedModel: the loader binds each one's value from the checkpoint.
Outputs translate_variable(NodeContext& context) {
    if (const Tensor* value = context.bound_value()) return {context.constant(*value)};
    context.fail("the variable has no value in variables/variables.index");
}

Outputs translate_identity(NodeContext& context) {
    return {context.input(0)};
}

Outputs translate_identity_n(NodeContext& context) {
    Outputs outputs;
    for (size_t i = 0; i < context.input_count(); ++i)
        outputs.push_back(context.input(i));
    return outputs;
}

Outputs translate_no_op(NodeContext&) {
    return {};
}

Outputs translate_cast(NodeContext& context) {
    const ElementType type = context.attribute_type("DstT", ElementType::undefined);
    if (type == ElementType::undefined) context.fail("attribute 'DstT' is required");
    if (type == context.input_type(0).type) return {context.input(0)};
    return {context
                .add("Convert", "opset1", {context.input(0)},
                     {{"destination_type", std::string(to_string(type))}})
                .output()};
}

Outputs translate_shape(NodeContext& context) {
    const ElementType type = context.attribute_type("out_type", ElementType::i32);
    return {context
                .add("ShapeOf", "opset3", {context.input(0)},
                     {{"output_type", std::string(to_string(type))}})
                .output()};
}

// Size(input): the element count, the product of the shape.
Outputs translate_size(NodeContext& context) {
    const ElementType type = context.attribute_type("out_type", ElementType::i32);
    const graph::Output shape =
        context.add("ShapeOf", "opset3", {context.input(0)}, {{"output_type", "i64"}}).output();
    const graph::Output count = context
                                    .add("ReduceProd", "opset1", {shape, context.i64_constant({0})},
                                         {{"keep_dims", "false"}})
                                    .output();
    return {
        context
            .add("Convert", "opset1", {count}, {{"destination_type", std::string(to_string(type))}})
            .output()};
}

// Fill(dims, value): the scalar broadcast to dims.
Outputs translate_fill(NodeContext& context) {
    return {
        context
            .add("Broadcast", "opset3", {context.input(1), context.input(0)}, {{"mode", "numpy"}})
            .output()};
}

template <int Value>
Outputs fill_like(NodeContext& context) {
    const graph::Output x = context.input(0);
    const graph::Output shape = context.add("ShapeOf", "opset3", {x}).output();
    return {context
                .add("Broadcast", "opset3", {scalar_like(context, x, Value), shape},
                     {{"mode", "numpy"}})
                .output()};
}

Outputs translate_range(NodeContext& context) {
    const ElementType type = context.attribute_type("Tidx", context.input_type(0).type);
    return {context
                .add("Range", "opset4", {context.input(0), context.input(1), context.input(2)},
                     {{"output_type", std::string(to_string(type))}})
                .output()};
}

}  // namespace

void add_general_translators(std::vector<OpTranslator>& table) {
    table.push_back({"Placeholder", translate_placeholder});
    table.push_back({"PlaceholderWithDefault", translate_identity});
    table.push_back({"Const", translate_const});
    table.push_back({"VarHandleOp", translate_variable});
    table.push_back({"VariableV2", translate_variable});
    table.push_back({"Variable", translate_variable});
    table.push_back({"ReadVariableOp", translate_identity});
    table.push_back({"Identity", translate_identity});
    table.push_back({"IdentityN", translate_identity_n});
    table.push_back({"StopGradient", translate_identity});
    table.push_back({"PreventGradient", translate_identity});
    table.push_back({"Snapshot", translate_identity});
    table.push_back({"EnsureShape", translate_identity});
    table.push_back({"CheckNumerics", translate_identity});
    table.push_back({"NoOp", translate_no_op});
    table.push_back({"Cast", translate_cast});
    table.push_back({"Shape", translate_shape});
    table.push_back({"Size", translate_size});
    table.push_back({"Fill", translate_fill});
    table.push_back({"ZerosLike", fill_like<0>});
    table.push_back({"OnesLike", fill_like<1>});
    table.push_back({"Range", translate_range});
}

}  // namespace es::frontends::tf_import
