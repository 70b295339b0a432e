#include "inference/frontends/common/graph_builder.h"

#include "inference/graph/evaluate.h"
#include "inference/graph/shape_inference.h"

#include <algorithm>

namespace es::frontends {
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
        if (!output.type.shape.is_static()) return true;  // data-dependent: fold_node decides
        if (shape_size(output.type.shape.to_shape()) > std::max(input_elements, k_min_fold_limit))
            return false;
    }
    return true;
}

}  // namespace

GraphBuilder::GraphBuilder(graph::Model& model, std::string base_name, bool fold_constants)
    : m_model(model), m_base_name(std::move(base_name)), m_fold_constants(fold_constants) {}

std::string GraphBuilder::next_name(std::string_view type) {
    const bool first = !m_base_name_taken;
    m_base_name_taken = true;
    const size_t index = m_added++;
    return first ? m_base_name : fmt::format("{}/{}_{}", m_base_name, type, index);
}

graph::Node& GraphBuilder::add(const std::string& type, const std::string& version,
                               std::vector<graph::Output> inputs, graph::Attributes attributes) {
    graph::Node& node =
        m_model.add_op(type, version, std::move(inputs), std::move(attributes), next_name(type));
    graph::infer_node(node);
    if (!m_fold_constants || !foldable(node)) return node;
    std::vector<Tensor> results;
    if (node.type == "ShapeOf") {
        const Shape shape = node.input_type(0).shape.to_shape();
        Tensor dims(ElementType::i64, {static_cast<int64_t>(shape.size())});
        std::copy(shape.begin(), shape.end(), dims.data<int64_t>());
        results.push_back(convert(dims, node.outputs[0].type.type));
    } else {
        std::vector<Tensor> values;
        for (const auto& input : node.inputs)
            values.push_back(input.source.node->value);
        auto folded = graph::fold_node(node, values);
        if (!folded) return node;
        results = std::move(*folded);
    }
    if (results.size() != 1) return node;  // multi-output nodes stay
    return *m_model.add_constant(results[0], node.name).node;
}

graph::Output GraphBuilder::node_constant(const Tensor& value) {
    return m_model.add_constant(value, next_name("Const"));
}

graph::Output GraphBuilder::constant(const Tensor& value) {
    return m_model.add_constant(value, fmt::format("{}/Const_{}", m_base_name, m_added++));
}

}  // namespace es::frontends
