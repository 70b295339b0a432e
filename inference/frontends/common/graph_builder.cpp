#include "inference/frontends/common/graph_builder.h"

#include "inference/graph/evaluate.h"
#include "inference/graph/shape_inference.h"

#include <algorithm>
#include <optional>

namespace es::frontends {
namespace {

// Constant subgraphs are folded while translating unless the result is much larger than its
// inputs (a Fill of a big shape stays a Broadcast).
constexpr size_t k_min_fold_limit = 1 << 16;

// The value of `output` when it is a Const, or an output of a node with several outputs (a
// Split) whose inputs are Consts: such nodes stay, but their readers fold.
std::optional<Tensor> constant_output(const graph::Output& output) {
    const graph::Node& node = *output.node;
    if (node.type == "Const") return node.value;
    if (node.outputs.size() < 2) return std::nullopt;
    std::vector<Tensor> values;
    for (const auto& input : node.inputs) {
        if (input.source.node->type != "Const") return std::nullopt;
        values.push_back(input.source.node->value);
    }
    auto folded = graph::fold_node(node, values);
    if (!folded || output.port >= folded->size()) return std::nullopt;
    return std::move((*folded)[output.port]);
}

bool foldable(const graph::Node& node, std::vector<Tensor>& values) {
    if (node.inputs.empty() || node.type == "Result") return false;
    if (node.type == "ShapeOf") return node.input_type(0).shape.is_static();
    size_t input_elements = 0;
    for (const auto& input : node.inputs) {
        auto value = constant_output(input.source);
        if (!value) return false;
        input_elements += value->size();
        values.push_back(std::move(*value));
    }
    for (const auto& output : node.outputs) {
        if (!output.type.shape.is_static()) return true;  // data-dependent: fold_node decides
        if (shape_size(output.type.shape.to_shape()) > std::max(input_elements, k_min_fold_limit))
            return false;
    }
    return true;
}

// Ops that only move the elements of their first input: picking the known dimensions of a
// partly dynamic ShapeOf gives a constant.
bool moves_elements(const std::string& type) {
    return type == "StridedSlice" || type == "Gather" || type == "Slice" || type == "Squeeze" ||
           type == "Unsqueeze" || type == "Reshape" || type == "Split" || type == "VariadicSplit";
}

// The value of `node` when its first input is the ShapeOf of a partly dynamic shape and the
// result holds none of its dynamic dimensions: evaluated with two different stand-ins for them,
// the results agree.
std::optional<std::vector<Tensor>> fold_known_dimensions(const graph::Node& node) {
    if (!moves_elements(node.type) || node.inputs.empty()) return std::nullopt;
    const graph::Node& shape_of = *node.inputs[0].source.node;
    if (shape_of.type != "ShapeOf") return std::nullopt;
    const PartialShape& shape = shape_of.input_type(0).shape;
    if (!shape.rank_known() || shape.is_static()) return std::nullopt;
    for (size_t i = 1; i < node.inputs.size(); ++i)
        if (node.inputs[i].source.node->type != "Const") return std::nullopt;
    std::optional<std::vector<Tensor>> results[2];
    for (int trial = 0; trial < 2; ++trial) {
        Tensor dims(ElementType::i64, {static_cast<int64_t>(shape.rank())});
        for (size_t i = 0; i < shape.rank(); ++i)
            dims.data<int64_t>()[i] =
                shape[i] >= 0 ? shape[i] : (trial + 1) * 1000003 + static_cast<int64_t>(i);
        std::vector<Tensor> values{convert(dims, shape_of.outputs[0].type.type)};
        for (size_t i = 1; i < node.inputs.size(); ++i)
            values.push_back(node.inputs[i].source.node->value);
        results[trial] = graph::fold_node(node, values);
        if (!results[trial]) return std::nullopt;
    }
    for (size_t i = 0; i < results[0]->size(); ++i)
        if ((*results[0])[i].to_doubles() != (*results[1])[i].to_doubles()) return std::nullopt;
    return results[0];
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
    if (!m_fold_constants) return node;
    if (auto known = fold_known_dimensions(node); known && known->size() == 1)
        return *m_model.add_constant((*known)[0], node.name).node;
    std::vector<Tensor> values;
    if (!foldable(node, values)) return node;
    std::vector<Tensor> results;
    if (node.type == "ShapeOf") {
        const Shape shape = node.input_type(0).shape.to_shape();
        Tensor dims(ElementType::i64, {static_cast<int64_t>(shape.size())});
        std::copy(shape.begin(), shape.end(), dims.data<int64_t>());
        results.push_back(convert(dims, node.outputs[0].type.type));
    } else {
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
