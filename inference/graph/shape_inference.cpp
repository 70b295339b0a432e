#include "inference/graph/shape_inference.h"

#include "inference/graph/evaluate.h"
#include "inference/graph/op_registry.h"

#include <map>
#include <set>
#include <unordered_map>

namespace es::graph {
namespace {

// Constant subgraphs with outputs up to this many elements are folded during inference, so
// that shape computations (ShapeOf → Gather → Concat → Reshape) resolve statically.
constexpr size_t k_max_folded_elements = 1 << 16;

using Values = std::unordered_map<const Node*, std::vector<Tensor>>;

// `used`: whether any node consumes this output. Model Optimizer writes some unused outputs
// with a wrong precision (FP32 for MaxPool-8 indices in INT8 IRs); those are not errors.
PortType merge_declared(const Node& node, size_t port, const PortType& inferred,
                        const PortType& declared, bool used) {
    if (used && declared.type != ElementType::undefined && declared.type != inferred.type)
        throw_bad_input("{}: output {} has element type {} but the file declares {}",
                        node.describe(), port, to_string(inferred.type), to_string(declared.type));
    if (!declared.shape.rank_known() || !inferred.shape.rank_known())
        return inferred.shape.rank_known() ? inferred : PortType{inferred.type, declared.shape};
    if (declared.shape.rank() != inferred.shape.rank())
        throw_bad_input("{}: output {} has shape {} but the file declares {}", node.describe(),
                        port, to_string(inferred.shape), to_string(declared.shape));
    PortType merged = inferred;
    for (size_t i = 0; i < merged.shape.rank(); ++i) {
        const int64_t x = inferred.shape[i];
        const int64_t y = declared.shape[i];
        if (x >= 0 && y >= 0 && x != y)
            throw_bad_input("{}: output {} has shape {} but the file declares {}", node.describe(),
                            port, to_string(inferred.shape), to_string(declared.shape));
        if (x < 0) merged.shape[i] = y;
    }
    return merged;
}

bool small_and_static(const std::vector<PortType>& outputs) {
    for (const auto& output : outputs) {
        if (!output.shape.is_static()) return false;
        if (shape_size(output.shape.to_shape()) > k_max_folded_elements) return false;
    }
    return true;
}

void fold(Node& node, const std::vector<PortType>& inputs, Values& values) {
    if (node.type == "Const") {
        values[&node] = {node.value};
        return;
    }
    if (node.type == "Parameter" || node.type == "Result") return;
    if (node.type == "ShapeOf" && inputs[0].shape.is_static()) {
        const Shape shape = inputs[0].shape.to_shape();
        Tensor dims(ElementType::i64, {static_cast<int64_t>(shape.size())});
        std::copy(shape.begin(), shape.end(), dims.data<int64_t>());
        values[&node] = {convert(dims, node.outputs[0].type.type)};
        return;
    }
    std::vector<Tensor> arguments;
    for (const auto& input : node.inputs) {
        auto found = values.find(input.source.node);
        if (found == values.end()) return;
        arguments.push_back(found->second[input.source.port]);
    }
    std::vector<PortType> outputs;
    for (const auto& output : node.outputs)
        outputs.push_back(output.type);
    if (!small_and_static(outputs)) return;
    values[&node] = evaluate_node(node, arguments);
}

// Infers `node`'s outputs from its inputs and the known `values`; returns the input types.
std::vector<PortType> infer_with(Node& node, const Values& values, DeclaredShapes declared,
                                 const std::set<std::pair<const Node*, size_t>>& used) {
    if (!node.op) node.op = op_registry().find(node.type, node.version);
    if (!node.op)
        throw_bad_input("{}: unknown op {} in version {}", node.describe(), node.type,
                        node.version);
    const OpDef& op = *node.op;
    if (node.inputs.size() < op.min_inputs || node.inputs.size() > op.max_inputs)
        throw_bad_input("{}: has {} inputs, expected {}..{}", node.describe(), node.inputs.size(),
                        op.min_inputs, op.max_inputs);
    std::vector<PortType> inputs;
    std::vector<const Tensor*> input_values;
    for (const auto& input : node.inputs) {
        inputs.push_back(input.source.type());
        auto found = values.find(input.source.node);
        input_values.push_back(found == values.end() ? nullptr : &found->second[input.source.port]);
    }
    std::vector<PortType> outputs;
    try {
        outputs = op.infer(InferContext{node, inputs, input_values});
    } catch (const Error& error) {
        rethrow_with_context(error, node.describe());
    }
    if (node.outputs.empty()) node.outputs.resize(outputs.size());
    if (node.outputs.size() != outputs.size())
        throw_bad_input("{}: has {} outputs, expected {}", node.describe(), node.outputs.size(),
                        outputs.size());
    for (size_t i = 0; i < outputs.size(); ++i) {
        auto& port = node.outputs[i].type;
        port = declared == DeclaredShapes::check
                   ? merge_declared(node, i, outputs[i], port, used.count({&node, i}) > 0)
                   : outputs[i];
    }
    return inputs;
}

}  // namespace

void infer_shapes(Model& model, DeclaredShapes declared) {
    std::set<std::pair<const Node*, size_t>> used;
    for (const auto& node : model.nodes())
        for (const auto& input : node->inputs)
            used.emplace(input.source.node, input.source.port);
    Values values;
    for (const auto& owned : model.nodes()) {
        Node& node = *owned;
        const auto inputs = infer_with(node, values, declared, used);
        fold(node, inputs, values);
    }
}

void infer_node(Node& node) {
    Values values;
    for (const auto& input : node.inputs)
        if (input.source.node->type == "Const")
            values[input.source.node] = {input.source.node->value};
    infer_with(node, values, DeclaredShapes::replace, {});
}

std::vector<std::string> unsupported_ops(const Model& model) {
    std::map<std::string, std::pair<size_t, std::vector<std::string>>> missing;
    for (const auto& node : model.nodes()) {
        if (node->op || op_registry().find(node->type, node->version)) continue;
        auto& [count, names] = missing[node->type + "-" + node->version];
        ++count;
        if (names.size() < 3) names.push_back(node->name);
    }
    std::vector<std::string> lines;
    for (const auto& [op, entry] : missing) {
        std::string names;
        for (const auto& name : entry.second)
            names += (names.empty() ? "" : ", ") + name;
        lines.push_back(fmt::format("{}: {} (e.g. {})", op, entry.first, names));
    }
    return lines;
}

void reshape(Model& model, const std::vector<std::pair<std::string, PartialShape>>& shapes) {
    for (const auto& [name, shape] : shapes) {
        Node* node = nullptr;
        for (Node* parameter : model.parameters()) {
            const auto& names = parameter->outputs[0].names;
            if (parameter->name == name ||
                std::find(names.begin(), names.end(), name) != names.end())
                node = parameter;
        }
        if (!node) throw_bad_input("--shape: the model has no input named '{}'", name);
        node->attributes.set("shape", format_partial_shape(shape));
    }
    infer_shapes(model, DeclaredShapes::replace);
}

}  // namespace es::graph
