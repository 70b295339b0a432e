#include "devices/cpu/graph_rewrites.h"

#include "inference/graph/op_registry.h"
#include "inference/graph/shape_inference.h"

#include <cmath>
#include <map>

namespace es::devices::cpu {
namespace {

using Readers = std::map<std::pair<const graph::Node*, size_t>, size_t>;

// The value of a one-element f32 (or f16) constant input.
std::optional<float> scalar_input(const graph::Node& node, size_t input) {
    const graph::Node& producer = *node.inputs.at(input).source.node;
    if (producer.type != "Const" || producer.value.size() != 1 || !is_float(producer.value.type()))
        return std::nullopt;
    return static_cast<float>(producer.value.to_doubles()[0]);
}

bool near(std::optional<float> value, float expected) {
    return value && std::abs(*value - expected) <= 1e-5f * std::max(1.0f, std::abs(expected));
}

// The non-constant input of a two-input `type` node whose other input is the constant
// `expected`; nullptr otherwise.
const graph::Node* with_constant(const graph::Node* node, const std::string& type, float expected,
                                 graph::Output& other) {
    if (!node || node->type != type || node->inputs.size() != 2) return nullptr;
    for (size_t i = 0; i < 2; ++i) {
        if (near(scalar_input(*node, i), expected)) {
            other = node->inputs[1 - i].source;
            return node;
        }
    }
    return nullptr;
}

// The x that `hard_sigmoid` computes HardSigmoid of, when its intermediate results have no
// other reader.
std::optional<graph::Output> hard_sigmoid_input(const graph::Output& hard_sigmoid,
                                                const Readers& readers) {
    const auto only_reader = [&](const graph::Output& output) {
        const auto found = readers.find({output.node, output.port});
        return found != readers.end() && found->second == 1;
    };
    const graph::Node* node = hard_sigmoid.node;
    graph::Output inner;
    if (node->type == "Clamp" && node->attributes.get_float("min", -1) == 0.0 &&
        node->attributes.get_float("max", -1) == 1.0) {
        // clamp(x * 1/6 + 1/2, 0, 1)
        const graph::Output sum = node->inputs[0].source;
        if (!only_reader(sum) || !with_constant(sum.node, "Add", 0.5f, inner) ||
            !only_reader(inner))
            return std::nullopt;
        graph::Output x;
        if (!with_constant(inner.node, "Multiply", 1.0f / 6.0f, x)) return std::nullopt;
        return x;
    }
    // clamp(x + 3, 0, 6) * 1/6
    graph::Output clamped;
    if (!with_constant(node, "Multiply", 1.0f / 6.0f, clamped) || !only_reader(clamped))
        return std::nullopt;
    const graph::Node* clamp = clamped.node;
    if (clamp->type != "Clamp" || clamp->attributes.get_float("min", -1) != 0.0 ||
        clamp->attributes.get_float("max", -1) != 6.0 || !only_reader(clamp->inputs[0].source))
        return std::nullopt;
    graph::Output x;
    if (!with_constant(clamp->inputs[0].source.node, "Add", 3.0f, x)) return std::nullopt;
    return x;
}

}  // namespace

size_t recognize_hswish(graph::Model& model) {
    const graph::OpDef* hswish = graph::op_registry().find("HSwish", "opset4");
    Readers readers;
    for (const auto& node : model.nodes())
        for (const auto& input : node->inputs)
            ++readers[{input.source.node, input.source.port}];
    std::vector<graph::Node*> multiplies;
    for (const auto& node : model.nodes())
        if (node->type == "Multiply" && node->inputs.size() == 2) multiplies.push_back(node.get());
    size_t replaced = 0;
    for (graph::Node* multiply : multiplies) {
        for (size_t i = 0; i < 2; ++i) {
            const graph::Output x = multiply->inputs[i].source;
            const auto input = hard_sigmoid_input(multiply->inputs[1 - i].source, readers);
            if (!input || *input != x || x.type().shape != multiply->outputs[0].type.shape)
                continue;
            graph::Node& node = model.add_op("HSwish", "opset4", {x}, {}, multiply->name);
            node.op = hswish;
            node.outputs = {multiply->outputs[0]};
            node.outputs[0].names.clear();
            model.replace_uses(multiply->output(), node.output());
            ++replaced;
            break;
        }
    }
    if (replaced > 0) {
        model.remove_unused();
        model.sort_topologically();
    }
    return replaced;
}

}  // namespace es::devices::cpu
