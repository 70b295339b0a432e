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
    // OpenVINO's IR deserializer never reads input port precisions and builds known ops from
    // their producers and attributes, so a declared output precision is informative only. Model
    // Optimizer declares FP32 on some outputs of FP16 IRs (DetectionOutput at the end of FP16 and
    // FP16-INT8 detectors): where the two are floating types of different widths, the inferred
    // type wins. Any other disagreement (an integer or boolean port) is a malformed file.
    const bool float_width_only = is_float(declared.type) && is_float(inferred.type);
    if (used && declared.type != ElementType::undefined && declared.type != inferred.type &&
        !float_width_only)
        throw_bad_input("{}: output {} has element type {} but the file declares {}",
                        node.describe(), port, to_string(inferred.type), to_string(declared.type));
    // A port of unknown rank is written without dims, as a scalar's is: a port declared so
    // tells nothing about an output whose rank is unknown.
    const bool no_dims = declared.shape.rank_known() && declared.shape.rank() == 0;
    if (!inferred.shape.rank_known() && no_dims) return inferred;
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

using ConsumerCounts = std::unordered_map<const Node*, size_t>;

// The f32 Consts, each feeding only `node`, of a node that also has an f16 input.
std::vector<Node*> mixed_width_constants(const Node& node, const ConsumerCounts& consumers) {
    bool has_f16 = false;
    std::vector<Node*> constants;
    for (const auto& input : node.inputs) {
        Node* source = input.source.node;
        const ElementType type = input.source.type().type;
        has_f16 = has_f16 || type == ElementType::f16;
        if (type != ElementType::f32) continue;
        const auto found = consumers.find(source);
        if (source->type != "Const" || found == consumers.end() || found->second != 1) return {};
        constants.push_back(source);
    }
    return has_f16 ? constants : std::vector<Node*>{};
}

// Infers `node`'s outputs from its inputs and the known `values`; returns the input types.
std::vector<PortType> infer_with(Node& node, Values& values, DeclaredShapes declared,
                                 const std::set<std::pair<const Node*, size_t>>& used,
                                 const ConsumerCounts& consumers = {}) {
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
        // FP16 IRs from Model Optimizer keep some constants in f32 (a PReLU slope, an Add's
        // bias) next to f16 data. Where the op rejects that mix and every f32 input is a Const
        // feeding only this node, the Consts are stored in the data's type, as the rest of the
        // file's weights are: inserting a Convert instead would add a layer the file does not
        // have, and the reference engine computes f16 data in f32 anyway. Other mixes stay
        // errors.
        const auto constants = declared == DeclaredShapes::check
                                   ? mixed_width_constants(node, consumers)
                                   : std::vector<Node*>{};
        if (constants.empty()) rethrow_with_context(error, node.describe());
        for (Node* constant : constants) {
            constant->value = convert(constant->value, ElementType::f16);
            constant->attributes.set("element_type", std::string(to_string(ElementType::f16)));
            constant->outputs[0].type.type = ElementType::f16;
            values[constant] = {constant->value};
        }
        return infer_with(node, values, declared, used);
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
    ConsumerCounts consumers;
    for (const auto& node : model.nodes())
        for (const auto& input : node->inputs)
            ++consumers[input.source.node];
    Values values;
    for (const auto& owned : model.nodes()) {
        Node& node = *owned;
        const auto inputs = infer_with(node, values, declared, used, consumers);
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
