#include "inference/frontends/onnx/translators.h"

namespace es::frontends::onnx_import {
namespace {

std::vector<graph::Output> translate_constant(NodeContext& context) {
    if (context.has_attribute("value"))
        return {context.constant(context.attribute_tensor("value"))};
    if (context.has_attribute("value_float"))
        return {context.constant<float>({}, {context.attribute_float("value_float", 0.0f)})};
    if (context.has_attribute("value_int"))
        return {context.constant<int64_t>({}, {context.attribute_int("value_int", 0)})};
    if (context.has_attribute("value_floats")) {
        const auto values = context.attribute_floats("value_floats");
        Tensor tensor(ElementType::f32, {static_cast<int64_t>(values.size())});
        std::copy(values.begin(), values.end(), tensor.data<float>());
        return {context.constant(tensor)};
    }
    if (context.has_attribute("value_ints")) {
        const auto values = context.attribute_ints("value_ints");
        Tensor tensor(ElementType::i64, {static_cast<int64_t>(values.size())});
        std::copy(values.begin(), values.end(), tensor.data<int64_t>());
        return {context.constant(tensor)};
    }
    context.fail("needs one of the attributes value, value_float(s), value_int(s)");
}

std::vector<graph::Output> translate_identity(NodeContext& context) {
    return {context.input(0)};
}

}  // namespace

void add_general_translators(std::vector<OpTranslator>& table) {
    table.push_back({"Constant", translate_constant});
    table.push_back({"Identity", translate_identity});
}

}  // namespace es::frontends::onnx_import
