#include "inference/frontends/onnx/node_context.h"

#include "inference/core/error.h"
#include "inference/graph/shape_inference.h"

#include <cstring>

namespace es::frontends::onnx_import {
namespace {

// ONNX node names are optional; the first output names the node then.
std::string node_label(const onnx::NodeProto& proto) {
    if (!proto.name().empty() || proto.output_size() == 0) return proto.name();
    return proto.output(0);
}

// Models from before ONNX IR version 3 may leave an attribute's type out.
onnx::AttributeProto::AttributeType kind_of(const onnx::AttributeProto& attribute) {
    using Proto = onnx::AttributeProto;
    if (attribute.type() != Proto::UNDEFINED) return attribute.type();
    if (attribute.ints_size()) return Proto::INTS;
    if (attribute.floats_size()) return Proto::FLOATS;
    if (attribute.strings_size()) return Proto::STRINGS;
    if (attribute.has_t()) return Proto::TENSOR;
    if (attribute.has_s()) return Proto::STRING;
    if (attribute.has_f()) return Proto::FLOAT;
    if (attribute.has_i()) return Proto::INT;
    return Proto::UNDEFINED;
}

// How many values the typed field that carries `type` holds.
size_t typed_value_count(const onnx::TensorProto& proto, ElementType type) {
    switch (type) {
        case ElementType::f32:
            return static_cast<size_t>(proto.float_data_size());
        case ElementType::f64:
            return static_cast<size_t>(proto.double_data_size());
        case ElementType::i64:
            return static_cast<size_t>(proto.int64_data_size());
        case ElementType::u32:
        case ElementType::u64:
            return static_cast<size_t>(proto.uint64_data_size());
        default:  // int32_data carries every type of 32 bits or less, f16 as its bit pattern
            return static_cast<size_t>(proto.int32_data_size());
    }
}

}  // namespace

NodeContext::NodeContext(const onnx::NodeProto& proto, graph::Model& model, int64_t opset,
                         std::vector<std::optional<graph::Output>> inputs)
    : m_proto(proto),
      m_opset(opset),
      m_inputs(std::move(inputs)),
      m_builder(model, node_label(proto), false) {}

std::string NodeContext::describe() const {
    return fmt::format("node '{}' ({})", node_label(m_proto), m_proto.op_type());
}

void NodeContext::fail(const std::string& message) const {
    throw_bad_input("{}: {}", describe(), message);
}

graph::Output NodeContext::input(size_t i) const {
    if (!has_input(i)) fail(fmt::format("input {} is required", i));
    return *m_inputs[i];
}

const Tensor* NodeContext::constant_input(size_t i) const {
    if (!has_input(i)) return nullptr;
    const graph::Node* producer = m_inputs[i]->node;
    return producer->type == "Const" ? &producer->value : nullptr;
}

const onnx::AttributeProto* NodeContext::find(const std::string& name) const {
    for (const auto& attribute : m_proto.attribute())
        if (attribute.name() == name) return &attribute;
    return nullptr;
}

int64_t NodeContext::attribute_int(const std::string& name, int64_t fallback) const {
    const auto* attribute = find(name);
    return attribute ? attribute->i() : fallback;
}

float NodeContext::attribute_float(const std::string& name, float fallback) const {
    const auto* attribute = find(name);
    return attribute ? attribute->f() : fallback;
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
    return {attribute->ints().begin(), attribute->ints().end()};
}

std::vector<float> NodeContext::attribute_floats(const std::string& name,
                                                 std::vector<float> fallback) const {
    const auto* attribute = find(name);
    if (!attribute) return fallback;
    return {attribute->floats().begin(), attribute->floats().end()};
}

Tensor NodeContext::attribute_tensor(const std::string& name) const {
    const auto* attribute = find(name);
    if (!attribute || !attribute->has_t()) fail("attribute '" + name + "' (a tensor) is required");
    return tensor_from_proto(attribute->t(), describe());
}

std::optional<extensions::AttributeValue> NodeContext::attribute_value(
    const std::string& name) const {
    const auto* attribute = find(name);
    if (!attribute) return std::nullopt;
    auto list = [](auto values, ElementType type) {
        using T = typename decltype(values)::value_type;
        Tensor tensor(type, {static_cast<int64_t>(values.size())});
        std::copy(values.begin(), values.end(), tensor.data<T>());
        return tensor;
    };
    switch (kind_of(*attribute)) {
        case onnx::AttributeProto::INT:
            return make_tensor<int64_t>({}, {attribute->i()});
        case onnx::AttributeProto::FLOAT:
            return make_tensor<float>({}, {attribute->f()});
        case onnx::AttributeProto::STRING:
            return attribute->s();
        case onnx::AttributeProto::INTS:
            return list(std::vector<int64_t>(attribute->ints().begin(), attribute->ints().end()),
                        ElementType::i64);
        case onnx::AttributeProto::FLOATS:
            return list(std::vector<float>(attribute->floats().begin(), attribute->floats().end()),
                        ElementType::f32);
        case onnx::AttributeProto::STRINGS: {
            std::string joined;
            for (const auto& text : attribute->strings())
                joined += (joined.empty() ? "" : ",") + text;
            return joined;
        }
        case onnx::AttributeProto::TENSOR:
            return tensor_from_proto(attribute->t(), describe());
        default:
            fail(
                fmt::format("attribute '{}' is of a kind an extension cannot map (graph, sparse "
                            "tensor or type)",
                            name));
    }
}

extensions::SourceNode NodeContext::source_node() const {
    size_t used_outputs = 0;
    for (int i = 0; i < m_proto.output_size(); ++i)
        if (!m_proto.output(i).empty()) used_outputs = static_cast<size_t>(i) + 1;
    return {describe(), m_inputs, [this](const std::string& name) { return attribute_value(name); },
            used_outputs};
}

graph::Node& NodeContext::add(const std::string& type, const std::string& version,
                              std::vector<graph::Output> inputs, graph::Attributes attributes) {
    try {
        return m_builder.add(type, version, std::move(inputs), std::move(attributes));
    } catch (const Error& error) {
        rethrow_with_context(error, describe());
    }
}

std::optional<ElementType> element_type_from_onnx(int32_t type) {
    switch (type) {
        case onnx::TensorProto::FLOAT:
            return ElementType::f32;
        case onnx::TensorProto::UINT8:
            return ElementType::u8;
        case onnx::TensorProto::INT8:
            return ElementType::i8;
        case onnx::TensorProto::UINT16:
            return ElementType::u16;
        case onnx::TensorProto::INT16:
            return ElementType::i16;
        case onnx::TensorProto::INT32:
            return ElementType::i32;
        case onnx::TensorProto::INT64:
            return ElementType::i64;
        case onnx::TensorProto::BOOL:
            return ElementType::boolean;
        case onnx::TensorProto::FLOAT16:
            return ElementType::f16;
        case onnx::TensorProto::DOUBLE:
            return ElementType::f64;
        case onnx::TensorProto::UINT32:
            return ElementType::u32;
        case onnx::TensorProto::UINT64:
            return ElementType::u64;
        default:
            return std::nullopt;
    }
}

Tensor tensor_from_proto(const onnx::TensorProto& proto, const std::string& where) {
    const auto type = element_type_from_onnx(proto.data_type());
    if (!type)
        throw_bad_input("{}: tensor '{}' has unsupported ONNX data type {}", where, proto.name(),
                        proto.data_type());
    if (proto.data_location() == onnx::TensorProto::EXTERNAL)
        throw_bad_input(
            "{}: tensor '{}' keeps its data in an external file, which is not supported", where,
            proto.name());
    Shape shape(proto.dims().begin(), proto.dims().end());
    size_t count = 0;
    try {
        count = shape_size(shape);
    } catch (const Error& error) {
        rethrow_with_context(error, fmt::format("{}: tensor '{}'", where, proto.name()));
    }
    // the data is checked against the shape before the tensor is allocated
    const size_t byte_size = count * element_size(*type);
    if (proto.has_raw_data()) {
        if (proto.raw_data().size() != byte_size)
            throw_bad_input("{}: tensor '{}' of shape {} has {} bytes of data, expected {}", where,
                            proto.name(), to_string(shape), proto.raw_data().size(), byte_size);
        Tensor tensor(*type, shape);
        std::memcpy(tensor.bytes(), proto.raw_data().data(), byte_size);
        return tensor;
    }
    const size_t available = typed_value_count(proto, *type);
    if (available != count)
        throw_bad_input("{}: tensor '{}' of shape {} holds {} values", where, proto.name(),
                        to_string(shape), available);
    Tensor tensor(*type, shape);
    switch (*type) {
        case ElementType::f32:
            std::copy(proto.float_data().begin(), proto.float_data().end(), tensor.data<float>());
            break;
        case ElementType::f64:
            std::copy(proto.double_data().begin(), proto.double_data().end(),
                      tensor.data<double>());
            break;
        case ElementType::i64:
            std::copy(proto.int64_data().begin(), proto.int64_data().end(), tensor.data<int64_t>());
            break;
        case ElementType::u32:
        case ElementType::u64:
            for (size_t i = 0; i < count; ++i) {
                if (*type == ElementType::u32)
                    tensor.data<uint32_t>()[i] =
                        static_cast<uint32_t>(proto.uint64_data(static_cast<int>(i)));
                else
                    tensor.data<uint64_t>()[i] = proto.uint64_data(static_cast<int>(i));
            }
            break;
        default: {
            const size_t size = element_size(*type);
            for (size_t i = 0; i < count; ++i) {
                const int32_t value = proto.int32_data(static_cast<int>(i));
                std::memcpy(tensor.bytes() + i * size, &value, size);  // little-endian low bytes
            }
        }
    }
    return tensor;
}

}  // namespace es::frontends::onnx_import
