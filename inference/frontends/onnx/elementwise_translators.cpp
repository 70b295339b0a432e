#include "inference/core/error.h"
#include "inference/frontends/onnx/tensor_translators.h"
#include "inference/frontends/onnx/translators.h"

namespace es::frontends::onnx_import {
namespace {

using Outputs = std::vector<graph::Output>;

// A scalar of the same element type as `like`, for eltwise arithmetic with it.
graph::Output scalar_like(NodeContext& context, const graph::Output& like, double value) {
    Tensor scalar(ElementType::f64, {});
    scalar.data<double>()[0] = value;
    const ElementType type = like.type().type;
    return context.constant(
        convert(scalar, type == ElementType::undefined ? ElementType::f32 : type));
}

template <const char* Type>
Outputs binary(NodeContext& context) {
    return {context.add(Type, "opset1", {context.input(0), context.input(1)}).output()};
}

// Max, Min, Sum, Mean take any number of inputs.
template <const char* Type>
Outputs variadic(NodeContext& context) {
    graph::Output result = context.input(0);
    for (size_t i = 1; i < context.input_count(); ++i)
        result = context.add(Type, "opset1", {result, context.input(i)}).output();
    return {result};
}

Outputs translate_mean(NodeContext& context) {
    constexpr static char add[] = "Add";
    graph::Output sum = variadic<add>(context)[0];
    const auto count = static_cast<double>(context.input_count());
    return {context.add("Divide", "opset1", {sum, scalar_like(context, sum, count)}).output()};
}

template <const char* Type, const char* Version>
Outputs unary(NodeContext& context) {
    return {context.add(Type, Version, {context.input(0)}).output()};
}

Outputs translate_leaky_relu(NodeContext& context) {
    const graph::Output x = context.input(0);
    const double alpha = context.attribute_float("alpha", 0.01f);
    return {context.add("PReLU", "opset1", {x, scalar_like(context, x, alpha)}).output()};
}

// From opset 7 ONNX PRelu broadcasts the slope numpy-style (unidirectionally) to X, which IR
// PReLU does once the slope has X's rank. Before, a 1-D slope is per channel, as in IR PReLU.
Outputs translate_prelu(NodeContext& context) {
    const graph::Output x = context.input(0);
    graph::Output slope = context.input(1);
    const auto& x_shape = x.type().shape;
    const auto& slope_shape = slope.type().shape;
    if (context.opset() >= 7 && x_shape.rank_known() && slope_shape.rank_known() &&
        slope_shape.rank() < x_shape.rank()) {
        std::vector<int64_t> axes;
        for (size_t i = 0; i < x_shape.rank() - slope_shape.rank(); ++i)
            axes.push_back(static_cast<int64_t>(i));
        Tensor axes_tensor(ElementType::i64, {static_cast<int64_t>(axes.size())});
        std::copy(axes.begin(), axes.end(), axes_tensor.data<int64_t>());
        slope = context.add("Unsqueeze", "opset1", {slope, context.constant(axes_tensor)}).output();
    }
    return {context.add("PReLU", "opset1", {x, slope}).output()};
}

Outputs translate_elu(NodeContext& context) {
    const double alpha = context.attribute_float("alpha", 1.0f);
    return {context.add("Elu", "opset1", {context.input(0)}, {{"alpha", fmt::format("{}", alpha)}})
                .output()};
}

Outputs translate_selu(NodeContext& context) {
    const double alpha = context.attribute_float("alpha", 1.67326319217681884765625f);
    const double gamma = context.attribute_float("gamma", 1.05070102214813232421875f);
    const graph::Output elu =
        context.add("Elu", "opset1", {context.input(0)}, {{"alpha", fmt::format("{}", alpha)}})
            .output();
    return {context.add("Multiply", "opset1", {elu, scalar_like(context, elu, gamma)}).output()};
}

Outputs translate_hard_sigmoid(NodeContext& context) {
    const graph::Output x = context.input(0);
    const double alpha = context.attribute_float("alpha", 0.2f);
    const double beta = context.attribute_float("beta", 0.5f);
    const graph::Output scaled =
        context.add("Multiply", "opset1", {x, scalar_like(context, x, alpha)}).output();
    const graph::Output shifted =
        context.add("Add", "opset1", {scaled, scalar_like(context, x, beta)}).output();
    return {context.add("Clamp", "opset1", {shifted}, {{"min", "0"}, {"max", "1"}}).output()};
}

Outputs translate_gelu(NodeContext& context) {
    const std::string approximate = context.attribute_string("approximate", "none");
    if (approximate != "none" && approximate != "tanh")
        context.fail("unknown approximate '" + approximate + "'");
    return {context
                .add("Gelu", "opset7", {context.input(0)},
                     {{"approximation_mode", approximate == "tanh" ? "tanh" : "erf"}})
                .output()};
}

Outputs translate_swish(NodeContext& context) {
    const graph::Output x = context.input(0);
    const double alpha = context.attribute_float("alpha", 1.0f);
    return {context.add("Swish", "opset4", {x, scalar_like(context, x, alpha)}).output()};
}

Outputs translate_reciprocal(NodeContext& context) {
    const graph::Output x = context.input(0);
    return {context.add("Divide", "opset1", {scalar_like(context, x, 1.0), x}).output()};
}

// Clip: bounds are attributes before opset 11, optional inputs after. min > max gives max
// everywhere, as numpy.clip does, which Maximum-then-Minimum reproduces.
Outputs translate_clip(NodeContext& context) {
    graph::Output x = context.input(0);
    if (context.opset() < 11) {
        const float min = context.attribute_float("min", -3.402823466e38f);
        const float max = context.attribute_float("max", 3.402823466e38f);
        if (min <= max)
            return {context
                        .add("Clamp", "opset1", {x},
                             {{"min", fmt::format("{}", min)}, {"max", fmt::format("{}", max)}})
                        .output()};
        x = context.add("Maximum", "opset1", {x, scalar_like(context, x, min)}).output();
        return {context.add("Minimum", "opset1", {x, scalar_like(context, x, max)}).output()};
    }
    if (context.has_input(1)) x = context.add("Maximum", "opset1", {x, context.input(1)}).output();
    if (context.has_input(2)) x = context.add("Minimum", "opset1", {x, context.input(2)}).output();
    return {x};
}

// Softmax and LogSoftmax before opset 13 flatten the input to 2-D at `axis` (default 1) and
// normalize each row: on the last axis that is the op itself, otherwise the op on axis 1 of the
// flattened input, reshaped back.
template <const char* Type, const char* Version>
Outputs softmax(NodeContext& context) {
    const graph::Output x = context.input(0);
    if (context.opset() >= 13) {
        const int64_t axis = context.attribute_int("axis", -1);
        return {context.add(Type, Version, {x}, {{"axis", std::to_string(axis)}}).output()};
    }
    const size_t rank = tensor::known_rank(context, 0, "flattening before opset 13");
    const size_t axis =
        tensor::normalized_axis(context, context.attribute_int("axis", 1), rank, "axis");
    if (axis + 1 == rank)
        return {context.add(Type, Version, {x}, {{"axis", std::to_string(axis)}}).output()};
    const graph::Output flat = tensor::flatten_to_2d(context, x, axis);
    const graph::Output result = context.add(Type, Version, {flat}, {{"axis", "1"}}).output();
    const graph::Output original_shape = context.add("ShapeOf", "opset3", {x}).output();
    return {context.add("Reshape", "opset1", {result, original_shape}, {{"special_zero", "false"}})
                .output()};
}

ElementType cast_target(NodeContext& context, int64_t onnx_type) {
    const auto type = element_type_from_onnx(static_cast<int32_t>(onnx_type));
    if (!type) context.fail(fmt::format("casting to ONNX type {} is not supported", onnx_type));
    return *type;
}

Outputs translate_cast(NodeContext& context) {
    const ElementType type = cast_target(context, context.attribute_int("to", 0));
    return {context
                .add("Convert", "opset1", {context.input(0)},
                     {{"destination_type", std::string(to_string(type))}})
                .output()};
}

Outputs translate_cast_like(NodeContext& context) {
    const ElementType type = context.input_type(1).type;
    return {context
                .add("Convert", "opset1", {context.input(0)},
                     {{"destination_type", std::string(to_string(type))}})
                .output()};
}

Outputs translate_dropout(NodeContext& context) {
    return {context.input(0)};
}

constexpr char k_add[] = "Add";
constexpr char k_subtract[] = "Subtract";
constexpr char k_multiply[] = "Multiply";
constexpr char k_divide[] = "Divide";
constexpr char k_power[] = "Power";
constexpr char k_maximum[] = "Maximum";
constexpr char k_minimum[] = "Minimum";
constexpr char k_relu[] = "ReLU";
constexpr char k_sigmoid[] = "Sigmoid";
constexpr char k_tanh[] = "Tanh";
constexpr char k_softplus[] = "SoftPlus";
constexpr char k_mish[] = "Mish";
constexpr char k_hswish[] = "HSwish";
constexpr char k_erf[] = "Erf";
constexpr char k_exp[] = "Exp";
constexpr char k_log[] = "Log";
constexpr char k_sqrt[] = "Sqrt";
constexpr char k_abs[] = "Abs";
constexpr char k_negative[] = "Negative";
constexpr char k_floor[] = "Floor";
constexpr char k_ceiling[] = "Ceiling";
constexpr char k_sign[] = "Sign";
constexpr char k_softmax[] = "SoftMax";
constexpr char k_log_softmax[] = "LogSoftmax";
constexpr char k_opset1[] = "opset1";
constexpr char k_opset4[] = "opset4";
constexpr char k_opset5[] = "opset5";
constexpr char k_opset8[] = "opset8";

}  // namespace

void add_elementwise_translators(std::vector<OpTranslator>& table) {
    table.push_back({"Add", binary<k_add>});
    table.push_back({"Sub", binary<k_subtract>});
    table.push_back({"Mul", binary<k_multiply>});
    table.push_back({"Div", binary<k_divide>});
    table.push_back({"Pow", binary<k_power>});
    table.push_back({"Max", variadic<k_maximum>});
    table.push_back({"Min", variadic<k_minimum>});
    table.push_back({"Sum", variadic<k_add>});
    table.push_back({"Mean", translate_mean});
    table.push_back({"Relu", unary<k_relu, k_opset1>});
    table.push_back({"LeakyRelu", translate_leaky_relu});
    table.push_back({"PRelu", translate_prelu});
    table.push_back({"Elu", translate_elu});
    table.push_back({"Selu", translate_selu});
    table.push_back({"Sigmoid", unary<k_sigmoid, k_opset1>});
    table.push_back({"HardSigmoid", translate_hard_sigmoid});
    table.push_back({"HardSwish", unary<k_hswish, k_opset4>});
    table.push_back({"Tanh", unary<k_tanh, k_opset1>});
    table.push_back({"Softplus", unary<k_softplus, k_opset4>});
    table.push_back({"Mish", unary<k_mish, k_opset4>});
    table.push_back({"Gelu", translate_gelu});
    table.push_back({"Swish", translate_swish});
    table.push_back({"Erf", unary<k_erf, k_opset1>});
    table.push_back({"Exp", unary<k_exp, k_opset1>});
    table.push_back({"Log", unary<k_log, k_opset1>});
    table.push_back({"Sqrt", unary<k_sqrt, k_opset1>});
    table.push_back({"Abs", unary<k_abs, k_opset1>});
    table.push_back({"Neg", unary<k_negative, k_opset1>});
    table.push_back({"Floor", unary<k_floor, k_opset1>});
    table.push_back({"Ceil", unary<k_ceiling, k_opset1>});
    table.push_back({"Sign", unary<k_sign, k_opset1>});
    table.push_back({"Reciprocal", translate_reciprocal});
    table.push_back({"Clip", translate_clip});
    table.push_back({"Softmax", softmax<k_softmax, k_opset8>});
    table.push_back({"LogSoftmax", softmax<k_log_softmax, k_opset5>});
    table.push_back({"Cast", translate_cast});
    table.push_back({"CastLike", translate_cast_like});
    table.push_back({"Dropout", translate_dropout});
}

}  // namespace es::frontends::onnx_import
