#include "inference/frontends/tf/translator_util.h"
#include "inference/frontends/tf/translators.h"

#include <numbers>

namespace es::frontends::tf_import {
namespace {

using Outputs = std::vector<graph::Output>;

template <const char* Type>
Outputs binary(NodeContext& context) {
    return {context.add(Type, "opset1", {context.input(0), context.input(1)}).output()};
}

template <const char* Type>
Outputs unary(NodeContext& context) {
    return {context.add(Type, "opset1", {context.input(0)}).output()};
}

Outputs translate_add_n(NodeContext& context) {
    graph::Output sum = context.input(0);
    for (size_t i = 1; i < context.input_count(); ++i)
        sum = context.add("Add", "opset1", {sum, context.input(i)}).output();
    return {sum};
}

// RealDiv and Div: integer Div truncates toward zero.
Outputs translate_divide(NodeContext& context) {
    return {context
                .add("Divide", "opset1", {context.input(0), context.input(1)},
                     {{"m_pythondiv", "false"}})
                .output()};
}

// Floor division: integers floor with IR Divide's python mode, floats floor the quotient.
Outputs translate_floor_div(NodeContext& context) {
    const graph::Output x = context.input(0);
    if (is_integer(x.type().type))
        return {context.add("Divide", "opset1", {x, context.input(1)}, {{"m_pythondiv", "true"}})
                    .output()};
    const graph::Output quotient = context.add("Divide", "opset1", {x, context.input(1)}).output();
    return {context.add("Floor", "opset1", {quotient}).output()};
}

Outputs translate_activation(NodeContext& context) {
    std::optional<graph::Output> alpha;
    if (context.op_type() == "Prelu") alpha = context.input(1);
    return {apply_activation(context, context.input(0), context.op_type(), alpha)};
}

Outputs translate_rsqrt(NodeContext& context) {
    const graph::Output x = context.input(0);
    const graph::Output root = context.add("Sqrt", "opset1", {x}).output();
    return {context.add("Divide", "opset1", {scalar_like(context, x, 1.0), root}).output()};
}

Outputs translate_reciprocal(NodeContext& context) {
    const graph::Output x = context.input(0);
    return {context.add("Divide", "opset1", {scalar_like(context, x, 1.0), x}).output()};
}

Outputs translate_square(NodeContext& context) {
    const graph::Output x = context.input(0);
    return {context.add("Multiply", "opset1", {x, x}).output()};
}

Outputs translate_softplus(NodeContext& context) {
    return {context.add("SoftPlus", "opset4", {context.input(0)}).output()};
}

constexpr char k_add[] = "Add";
constexpr char k_subtract[] = "Subtract";
constexpr char k_multiply[] = "Multiply";
constexpr char k_maximum[] = "Maximum";
constexpr char k_minimum[] = "Minimum";
constexpr char k_power[] = "Power";
constexpr char k_squared_difference[] = "SquaredDifference";
constexpr char k_floor_mod[] = "FloorMod";
constexpr char k_equal[] = "Equal";
constexpr char k_not_equal[] = "NotEqual";
constexpr char k_greater[] = "Greater";
constexpr char k_greater_equal[] = "GreaterEqual";
constexpr char k_less[] = "Less";
constexpr char k_less_equal[] = "LessEqual";
constexpr char k_logical_and[] = "LogicalAnd";
constexpr char k_logical_or[] = "LogicalOr";
constexpr char k_logical_not[] = "LogicalNot";
constexpr char k_exp[] = "Exp";
constexpr char k_log[] = "Log";
constexpr char k_sqrt[] = "Sqrt";
constexpr char k_abs[] = "Abs";
constexpr char k_negative[] = "Negative";
constexpr char k_floor[] = "Floor";
constexpr char k_ceiling[] = "Ceiling";
constexpr char k_sign[] = "Sign";
constexpr char k_erf[] = "Erf";
constexpr char k_sin[] = "Sin";
constexpr char k_cos[] = "Cos";

// Atan2(y, x): atan(y / x), moved by ±π into the left half-plane (x < 0), and 0 at the origin.
Outputs translate_atan2(NodeContext& context) {
    const graph::Output y = context.input(0);
    const graph::Output x = context.input(1);
    const graph::Output zero = scalar_like(context, x, 0);
    const graph::Attributes numpy{{"auto_broadcast", "numpy"}};
    const graph::Output ratio =
        context.add("Divide", "opset1", {y, x}, {{"m_pythondiv", "false"}}).output();
    const graph::Output angle = context.add("Atan", "opset1", {ratio}).output();
    const graph::Output y_negative = context.add("Less", "opset1", {y, zero}).output();
    const graph::Output half_turn =
        context
            .add("Select", "opset1",
                 {y_negative, scalar_like(context, x, -std::numbers::pi),
                  scalar_like(context, x, std::numbers::pi)},
                 numpy)
            .output();
    const graph::Output turned = context.add("Add", "opset1", {angle, half_turn}).output();
    const graph::Output x_negative = context.add("Less", "opset1", {x, zero}).output();
    const graph::Output quadrant =
        context.add("Select", "opset1", {x_negative, turned, angle}, numpy).output();
    const graph::Output origin = context
                                     .add("LogicalAnd", "opset1",
                                          {context.add("Equal", "opset1", {x, zero}).output(),
                                           context.add("Equal", "opset1", {y, zero}).output()})
                                     .output();
    return {context.add("Select", "opset1", {origin, zero, quadrant}, numpy).output()};
}

}  // namespace

void add_elementwise_translators(std::vector<OpTranslator>& table) {
    table.push_back({"Add", binary<k_add>});
    table.push_back({"AddV2", binary<k_add>});
    table.push_back({"AddN", translate_add_n});
    table.push_back({"Sub", binary<k_subtract>});
    table.push_back({"Mul", binary<k_multiply>});
    table.push_back({"RealDiv", translate_divide});
    table.push_back({"Div", translate_divide});
    table.push_back({"FloorDiv", translate_floor_div});
    table.push_back({"FloorMod", binary<k_floor_mod>});
    table.push_back({"Maximum", binary<k_maximum>});
    table.push_back({"Minimum", binary<k_minimum>});
    table.push_back({"Pow", binary<k_power>});
    table.push_back({"SquaredDifference", binary<k_squared_difference>});
    table.push_back({"Equal", binary<k_equal>});
    table.push_back({"NotEqual", binary<k_not_equal>});
    table.push_back({"Greater", binary<k_greater>});
    table.push_back({"GreaterEqual", binary<k_greater_equal>});
    table.push_back({"Less", binary<k_less>});
    table.push_back({"LessEqual", binary<k_less_equal>});
    table.push_back({"LogicalAnd", binary<k_logical_and>});
    table.push_back({"LogicalOr", binary<k_logical_or>});
    table.push_back({"LogicalNot", unary<k_logical_not>});
    table.push_back({"Relu", translate_activation});
    table.push_back({"Relu6", translate_activation});
    table.push_back({"Elu", translate_activation});
    table.push_back({"Selu", translate_activation});
    table.push_back({"LeakyRelu", translate_activation});
    table.push_back({"Sigmoid", translate_activation});
    table.push_back({"Tanh", translate_activation});
    table.push_back({"Prelu", translate_activation});
    table.push_back({"Softplus", translate_softplus});
    table.push_back({"Exp", unary<k_exp>});
    table.push_back({"Log", unary<k_log>});
    table.push_back({"Sqrt", unary<k_sqrt>});
    table.push_back({"Rsqrt", translate_rsqrt});
    table.push_back({"Square", translate_square});
    table.push_back({"Reciprocal", translate_reciprocal});
    table.push_back({"Inv", translate_reciprocal});
    table.push_back({"Abs", unary<k_abs>});
    table.push_back({"Neg", unary<k_negative>});
    table.push_back({"Floor", unary<k_floor>});
    table.push_back({"Ceil", unary<k_ceiling>});
    table.push_back({"Sign", unary<k_sign>});
    table.push_back({"Erf", unary<k_erf>});
    table.push_back({"Sin", unary<k_sin>});
    table.push_back({"Cos", unary<k_cos>});
    table.push_back({"Atan2", translate_atan2});
}

}  // namespace es::frontends::tf_import
