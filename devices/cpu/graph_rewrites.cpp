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

bool only_reader(const graph::Output& output, const Readers& readers) {
    const auto found = readers.find({output.node, output.port});
    return found != readers.end() && found->second == 1;
}

// The input of `clamped` when it is clamp(input, low, high): a Clamp, or a Maximum and a
// Minimum with scalar constants in either order (ONNX Clip with bounds as inputs).
std::optional<graph::Output> clamp_input(const graph::Output& clamped, float low, float high,
                                         const Readers& readers) {
    const graph::Node* node = clamped.node;
    if (node->type == "Clamp")
        return node->attributes.get_float("min", -1) == low &&
                       node->attributes.get_float("max", -1) == high
                   ? std::optional(node->inputs[0].source)
                   : std::nullopt;
    graph::Output inner, x;
    const bool max_outside =
        with_constant(node, "Maximum", low, inner) && with_constant(inner.node, "Minimum", high, x);
    const bool min_outside = !max_outside && with_constant(node, "Minimum", high, inner) &&
                             with_constant(inner.node, "Maximum", low, x);
    if ((!max_outside && !min_outside) || !only_reader(inner, readers)) return std::nullopt;
    return x;
}

// The x of `scaled` = value * 1/6, written as a Multiply by 1/6 or a Divide by 6.
std::optional<graph::Output> sixth_of(const graph::Output& scaled) {
    graph::Output value;
    if (with_constant(scaled.node, "Multiply", 1.0f / 6.0f, value)) return value;
    const graph::Node* node = scaled.node;
    if (node->type == "Divide" && node->inputs.size() == 2 && near(scalar_input(*node, 1), 6.0f))
        return node->inputs[0].source;
    return std::nullopt;
}

// The x of `shifted` = clamp(x + 3, 0, 6).
std::optional<graph::Output> relu6_of_x_plus_3(const graph::Output& clamped,
                                               const Readers& readers) {
    const auto sum = clamp_input(clamped, 0, 6, readers);
    graph::Output x;
    if (!sum || !only_reader(*sum, readers) || !with_constant(sum->node, "Add", 3.0f, x))
        return std::nullopt;
    return x;
}

// The x that `hard_sigmoid` computes HardSigmoid of, when its intermediate results have no
// other reader.
std::optional<graph::Output> hard_sigmoid_input(const graph::Output& hard_sigmoid,
                                                const Readers& readers) {
    // clamp(x * 1/6 + 1/2, 0, 1)
    if (const auto sum = clamp_input(hard_sigmoid, 0, 1, readers)) {
        graph::Output inner;
        if (!only_reader(*sum, readers) || !with_constant(sum->node, "Add", 0.5f, inner) ||
            !only_reader(inner, readers))
            return std::nullopt;
        graph::Output x;
        if (!with_constant(inner.node, "Multiply", 1.0f / 6.0f, x)) return std::nullopt;
        return x;
    }
    // clamp(x + 3, 0, 6) * 1/6
    const auto clamped = sixth_of(hard_sigmoid);
    if (!clamped || !only_reader(*clamped, readers)) return std::nullopt;
    return relu6_of_x_plus_3(*clamped, readers);
}

// The x of `node` = (x * clamp(x + 3, 0, 6)) * 1/6.
std::optional<graph::Output> scaled_product_input(graph::Node& node, const Readers& readers) {
    const auto product = sixth_of(node.output());
    if (!product || product->node->type != "Multiply" || product->node->inputs.size() != 2 ||
        !only_reader(*product, readers))
        return std::nullopt;
    for (size_t i = 0; i < 2; ++i) {
        const graph::Output x = product->node->inputs[i].source;
        const graph::Output clamped = product->node->inputs[1 - i].source;
        if (!only_reader(clamped, readers)) continue;
        if (relu6_of_x_plus_3(clamped, readers) == x) return x;
    }
    return std::nullopt;
}

// An x * HardSigmoid(x) found in the graph, times `factor`.
struct ScaledHSwish {
    graph::Output x;
    float factor = 1.0f;
};

// The x of `node` = (x * c) * clamp(x + 3, 0, 6), as TensorFlow's MobileNetV3 writes it, with
// c = 1/6 as f16 holds it where TensorFlow.js stores weights so: HSwish(x) * 6c.
std::optional<ScaledHSwish> sixth_times_relu6_input(graph::Node& node, const Readers& readers) {
    for (size_t i = 0; i < 2; ++i) {
        const graph::Output scaled = node.inputs[i].source;
        const graph::Output clamped = node.inputs[1 - i].source;
        if (!only_reader(scaled, readers) || !only_reader(clamped, readers) ||
            scaled.node->type != "Multiply")
            continue;
        for (size_t j = 0; j < 2; ++j) {
            const auto c = scalar_input(*scaled.node, j);
            const graph::Output x = scaled.node->inputs[1 - j].source;
            if (c && std::abs(*c * 6.0f - 1.0f) <= 1e-3f &&
                relu6_of_x_plus_3(clamped, readers) == x)
                return ScaledHSwish{x, *c * 6.0f};
        }
    }
    return std::nullopt;
}

// The x of `node` when it computes x * HardSigmoid(x) (times a factor) in one of the forms
// exporters write.
std::optional<ScaledHSwish> hswish_input(graph::Node& node, const Readers& readers) {
    if (node.inputs.size() != 2) return std::nullopt;
    if (node.type == "Multiply") {
        for (size_t i = 0; i < 2; ++i) {
            const graph::Output x = node.inputs[i].source;
            if (hard_sigmoid_input(node.inputs[1 - i].source, readers) == x) return ScaledHSwish{x};
        }
        if (const auto scaled = sixth_times_relu6_input(node, readers)) return scaled;
    }
    if (node.type == "Multiply" || node.type == "Divide")
        if (const auto x = scaled_product_input(node, readers)) return ScaledHSwish{*x};
    return std::nullopt;
}

}  // namespace

std::vector<std::string> skip_activation_quantization(graph::Model& model) {
    std::vector<std::string> skipped;
    for (const auto& node : model.nodes()) {
        if (node->type != "FakeQuantize" || node->inputs.empty() ||
            node->inputs[0].source.node->type == "Const" ||
            node->attributes.get_int("levels", 0) > 256)
            continue;
        model.replace_uses(node->output(), node->inputs[0].source);
        skipped.push_back(node->name);
    }
    if (!skipped.empty()) model.remove_unused();
    return skipped;
}

bool moves_elements(const graph::Node& node) {
    return node.type == "Reshape" || node.type == "Squeeze" || node.type == "Unsqueeze" ||
           node.type == "Transpose";
}

namespace {

// ReLU, Clamp, or a FakeQuantize whose four ranges are single constants.
bool acts_on_each_element(const graph::Node& node) {
    if (node.type == "ReLU" || node.type == "Clamp") return true;
    if (node.type != "FakeQuantize" || node.inputs.size() != 5) return false;
    for (size_t i = 1; i < 5; ++i) {
        const graph::Node& range = *node.inputs[i].source.node;
        if (range.type != "Const" || range.value.size() != 1) return false;
    }
    return true;
}

}  // namespace

size_t hoist_elementwise_over_moves(graph::Model& model) {
    size_t moved = 0;
    for (bool changed = true; changed;) {
        changed = false;
        Readers readers;
        for (const auto& node : model.nodes())
            for (const auto& input : node->inputs)
                ++readers[{input.source.node, input.source.port}];
        for (const auto& node : model.nodes()) {
            if (!acts_on_each_element(*node)) continue;
            const graph::Output last = node->inputs[0].source;
            graph::Output source = last;
            graph::Node* first = nullptr;
            while (moves_elements(*source.node) && readers[{source.node, source.port}] == 1) {
                first = source.node;
                source = first->inputs.at(0).source;
            }
            if (!first) continue;
            model.replace_uses(node->output(), last);
            first->inputs[0].source = node->output();
            node->inputs[0].source = source;
            node->outputs[0].type.shape = source.type().shape;
            ++moved;
            changed = true;
            break;
        }
    }
    if (moved > 0) model.sort_topologically();
    return moved;
}

bool concatenates_channels(const graph::Node& concat) {
    const auto rank = static_cast<int64_t>(concat.outputs.at(0).type.shape.rank());
    const int64_t axis = concat.attributes.get_int("axis", 1);
    return rank >= 3 && (axis == 1 || axis == 1 - rank);
}

void give_output(graph::Node& node, const graph::PortType& port) {
    node.op = graph::op_registry().find(node.type, node.version);
    node.outputs = {graph::OutputPort{port, {}, {}}};
}

size_t recognize_hswish(graph::Model& model) {
    const graph::OpDef* hswish = graph::op_registry().find("HSwish", "opset4");
    const graph::OpDef* multiply = graph::op_registry().find("Multiply", "opset1");
    Readers readers;
    for (const auto& node : model.nodes())
        for (const auto& input : node->inputs)
            ++readers[{input.source.node, input.source.port}];
    std::vector<graph::Node*> candidates;
    for (const auto& node : model.nodes())
        if (node->type == "Multiply" || node->type == "Divide") candidates.push_back(node.get());
    size_t replaced = 0;
    for (graph::Node* candidate : candidates) {
        const auto found = hswish_input(*candidate, readers);
        if (!found || found->x.type().shape != candidate->outputs[0].type.shape) continue;
        const bool scaled = found->factor != 1.0f;
        graph::Node& node = model.add_op("HSwish", "opset4", {found->x}, {},
                                         scaled ? candidate->name + "/HSwish" : candidate->name);
        node.op = hswish;
        node.outputs = {candidate->outputs[0]};
        node.outputs[0].names.clear();
        graph::Output result = node.output();
        if (scaled) {
            Tensor factor(ElementType::f32, {});
            *factor.data<float>() = found->factor;
            graph::Node& product = model.add_op(
                "Multiply", "opset1", {result, model.add_constant(factor)}, {}, candidate->name);
            product.op = multiply;
            product.outputs = node.outputs;
            result = product.output();
        }
        model.replace_uses(candidate->output(), result);
        ++replaced;
    }
    if (replaced > 0) {
        model.remove_unused();
        model.sort_topologically();
    }
    return replaced;
}

}  // namespace es::devices::cpu
