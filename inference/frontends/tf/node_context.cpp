#include "inference/frontends/tf/node_context.h"

#include "inference/core/error.h"
#include "inference/frontends/tf/tensor_conversion.h"

#include <fmt/ranges.h>

namespace es::frontends::tf_import {

NodeContext::NodeContext(const tensorflow::NodeDef& proto, graph::Model& model,
                         std::vector<graph::Output> inputs, const Tensor* bound_value,
                         const std::string& base_name)
    : m_proto(proto),
      m_inputs(std::move(inputs)),
      m_bound_value(bound_value),
      m_builder(model, base_name, true) {}

std::string NodeContext::describe() const {
    return fmt::format("node '{}' ({})", m_proto.name(), m_proto.op());
}

void NodeContext::fail(const std::string& message) const {
    throw_bad_input("{}: {}", describe(), message);
}

graph::Output NodeContext::input(size_t i) const {
    if (i >= m_inputs.size())
        fail(fmt::format("input {} is required, but the node has {} inputs", i, m_inputs.size()));
    return m_inputs[i];
}

const Tensor* NodeContext::constant_input(size_t i) const {
    const graph::Node* producer = input(i).node;
    return producer->type == "Const" ? &producer->value : nullptr;
}

std::vector<int64_t> NodeContext::constant_ints(size_t i, const char* what) const {
    const Tensor* value = constant_input(i);
    if (!value) fail(fmt::format("input {} ({}) must be a constant", i, what));
    if (!is_integer(value->type()))
        fail(fmt::format("input {} ({}) must hold integers, not {}", i, what,
                         to_string(value->type())));
    return value->to_int64s();
}

size_t NodeContext::static_rank(size_t i, const char* what) const {
    const PartialShape& shape = input_type(i).shape;
    if (!shape.rank_known()) fail(fmt::format("input {} ({}) needs a known rank", i, what));
    return shape.rank();
}

const tensorflow::AttrValue* NodeContext::find(const std::string& name) const {
    const auto found = m_proto.attr().find(name);
    return found == m_proto.attr().end() ? nullptr : &found->second;
}

int64_t NodeContext::attribute_int(const std::string& name, int64_t fallback) const {
    const auto* attribute = find(name);
    return attribute ? attribute->i() : fallback;
}

float NodeContext::attribute_float(const std::string& name, float fallback) const {
    const auto* attribute = find(name);
    return attribute ? attribute->f() : fallback;
}

bool NodeContext::attribute_bool(const std::string& name, bool fallback) const {
    const auto* attribute = find(name);
    return attribute ? attribute->b() : fallback;
}

std::string NodeContext::attribute_string(const std::string& name,
                                          const std::string& fallback) const {
    const auto* attribute = find(name);
    return attribute ? attribute->s() : fallback;
}

std::vector<int64_t> NodeContext::attribute_ints(const std::string& name,
                                                 std::vector<int64_t> fallback) const {
    const auto* attribute = find(name);
    if (!attribute) return fallback;
    return {attribute->list().i().begin(), attribute->list().i().end()};
}

std::vector<std::string> NodeContext::attribute_strings(const std::string& name) const {
    const auto* attribute = find(name);
    if (!attribute) return {};
    return {attribute->list().s().begin(), attribute->list().s().end()};
}

ElementType NodeContext::attribute_type(const std::string& name, ElementType fallback) const {
    const auto* attribute = find(name);
    if (!attribute) return fallback;
    const auto type = element_type_from_tf(attribute->type());
    if (!type)
        fail(fmt::format("attribute '{}': type {} is not supported", name,
                         tf_type_name(attribute->type())));
    return *type;
}

PartialShape NodeContext::attribute_shape(const std::string& name) const {
    const auto* attribute = find(name);
    if (!attribute || !attribute->has_shape()) return PartialShape::dynamic_rank();
    return shape_from_proto(attribute->shape());
}

Tensor NodeContext::attribute_tensor(const std::string& name) const {
    const auto* attribute = find(name);
    if (!attribute || !attribute->has_tensor())
        fail("attribute '" + name + "' (a tensor) is required");
    return tensor_from_proto(attribute->tensor(), describe());
}

std::optional<extensions::AttributeValue> NodeContext::attribute_value(
    const std::string& name) const {
    const auto* attribute = find(name);
    if (!attribute) return std::nullopt;
    auto type_name = [](int dtype) {
        const auto type = element_type_from_tf(dtype);
        return type ? std::string(to_string(*type)) : tf_type_name(dtype);
    };
    auto shape_dims = [](const tensorflow::TensorShapeProto& proto) {
        const PartialShape shape = shape_from_proto(proto);
        std::vector<int64_t> dims;
        if (shape.rank_known()) dims = shape.dims();
        Tensor tensor(ElementType::i64, {static_cast<int64_t>(dims.size())});
        std::copy(dims.begin(), dims.end(), tensor.data<int64_t>());
        return tensor;
    };
    auto list = [](const auto& values, ElementType type) {
        using T = typename std::decay_t<decltype(values)>::value_type;
        Tensor tensor(type, {static_cast<int64_t>(values.size())});
        std::copy(values.begin(), values.end(), tensor.data<T>());
        return tensor;
    };
    using Value = tensorflow::AttrValue;
    switch (attribute->value_case()) {
        case Value::kS:
            return attribute->s();
        case Value::kI:
            return make_tensor<int64_t>({}, {attribute->i()});
        case Value::kF:
            return make_tensor<float>({}, {attribute->f()});
        case Value::kB:
            return make_tensor<bool>({}, {attribute->b()});
        case Value::kType:
            return type_name(attribute->type());
        case Value::kShape:
            return shape_dims(attribute->shape());
        case Value::kTensor:
            return tensor_from_proto(attribute->tensor(), describe());
        case Value::kList: {
            const auto& values = attribute->list();
            if (values.shape_size() || values.tensor_size() || values.func_size())
                fail(
                    fmt::format("attribute '{}' is a list of shapes, tensors or functions, which "
                                "an extension cannot map",
                                name));
            if (values.s_size() || values.type_size()) {
                std::string joined;
                for (const auto& text : values.s())
                    joined += (joined.empty() ? "" : ",") + text;
                for (int dtype : values.type())
                    joined += (joined.empty() ? "" : ",") + type_name(dtype);
                return joined;
            }
            if (values.f_size())
                return list(std::vector<float>(values.f().begin(), values.f().end()),
                            ElementType::f32);
            if (values.b_size())
                return list(std::vector<bool>(values.b().begin(), values.b().end()),
                            ElementType::boolean);
            return list(std::vector<int64_t>(values.i().begin(), values.i().end()),
                        ElementType::i64);
        }
        default:
            fail(
                fmt::format("attribute '{}' is of a kind an extension cannot map (a function "
                            "or placeholder)",
                            name));
    }
}

extensions::SourceNode NodeContext::source_node() const {
    std::vector<std::optional<graph::Output>> inputs(m_inputs.begin(), m_inputs.end());
    return {describe(), std::move(inputs),
            [this](const std::string& name) { return attribute_value(name); }, std::nullopt};
}

graph::Node& NodeContext::add(const std::string& type, const std::string& version,
                              std::vector<graph::Output> inputs, graph::Attributes attributes) {
    try {
        return m_builder.add(type, version, std::move(inputs), std::move(attributes));
    } catch (const Error& error) {
        rethrow_with_context(error, describe());
    }
}

graph::Output NodeContext::i64_constant(const std::vector<int64_t>& values) {
    Tensor tensor(ElementType::i64, {static_cast<int64_t>(values.size())});
    std::copy(values.begin(), values.end(), tensor.data<int64_t>());
    return constant(tensor);
}

graph::Output NodeContext::parameter(ElementType type, PartialShape shape) {
    return m_builder.model().add_parameter(m_proto.name(), type, std::move(shape));
}

std::string join(const std::vector<int64_t>& values) {
    return fmt::format("{}", fmt::join(values, ","));
}

}  // namespace es::frontends::tf_import
