#include "inference/frontends/tf/node_context.h"

#include "inference/core/error.h"
#include "inference/frontends/tf/tensor_conversion.h"
#include "inference/graph/evaluate.h"
#include "inference/graph/shape_inference.h"

#include <fmt/ranges.h>

namespace es::frontends::tf_import {
namespace {

// Constant subgraphs are folded while translating unless the result is much larger than its
// inputs (a Fill of a big shape stays a Broadcast).
constexpr size_t k_min_fold_limit = 1 << 16;

bool foldable(const graph::Node& node) {
    if (node.inputs.empty() || node.type == "Result") return false;
    if (node.type == "ShapeOf") return node.input_type(0).shape.is_static();
    size_t input_elements = 0;
    for (const auto& input : node.inputs) {
        if (input.source.node->type != "Const") return false;
        input_elements += input.source.node->value.size();
    }
    for (const auto& output : node.outputs) {
        if (!output.type.shape.is_static()) return true;  // data-dependent: evaluation decides
        if (shape_size(output.type.shape.to_shape()) > std::max(input_elements, k_min_fold_limit))
            return false;
    }
    return true;
}

}  // namespace

NodeContext::NodeContext(const tensorflow::NodeDef& proto, graph::Model& model,
                         std::vector<graph::Output> inputs, const Tensor* bound_value)
    : m_proto(proto), m_model(model), m_inputs(std::move(inputs)), m_bound_value(bound_value) {}

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

std::string NodeContext::next_name(const std::string& type) {
    const std::string name =
        m_added == 0 ? m_proto.name() : fmt::format("{}/{}_{}", m_proto.name(), type, m_added);
    ++m_added;
    return name;
}

graph::Node& NodeContext::add(const std::string& type, const std::string& version,
                              std::vector<graph::Output> inputs, graph::Attributes attributes) {
    graph::Node& node =
        m_model.add_op(type, version, std::move(inputs), std::move(attributes), next_name(type));
    try {
        graph::infer_node(node);
        if (!foldable(node)) return node;
        std::vector<Tensor> values;
        for (const auto& input : node.inputs)
            values.push_back(input.source.node->value);
        std::vector<Tensor> results;
        if (node.type == "ShapeOf") {
            const Shape shape = node.input_type(0).shape.to_shape();
            Tensor dims(ElementType::i64, {static_cast<int64_t>(shape.size())});
            std::copy(shape.begin(), shape.end(), dims.data<int64_t>());
            results.push_back(convert(dims, node.outputs[0].type.type));
        } else {
            results = graph::evaluate_node(node, values);
        }
        if (results.size() != 1) return node;  // multi-output nodes stay
        return *m_model.add_constant(results[0], node.name).node;
    } catch (const Error& error) {
        rethrow_with_context(error, describe());
    }
}

graph::Output NodeContext::constant(const Tensor& value) {
    return m_model.add_constant(value, next_name("Const"));
}

graph::Output NodeContext::i64_constant(const std::vector<int64_t>& values) {
    Tensor tensor(ElementType::i64, {static_cast<int64_t>(values.size())});
    std::copy(values.begin(), values.end(), tensor.data<int64_t>());
    return constant(tensor);
}

graph::Output NodeContext::parameter(ElementType type, PartialShape shape) {
    return m_model.add_parameter(m_proto.name(), type, std::move(shape));
}

std::string join(const std::vector<int64_t>& values) {
    return fmt::format("{}", fmt::join(values, ","));
}

}  // namespace es::frontends::tf_import
