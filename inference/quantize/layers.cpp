#include "inference/quantize/layers.h"

#include "inference/core/error.h"
#include "inference/passes/rewrite_util.h"

#include <algorithm>
#include <set>

namespace es::quantize {
namespace {

bool is_convolution(const graph::Node& node) {
    return node.type == "Convolution" || node.type == "GroupConvolution";
}

bool computes(const graph::Node& node) {
    return is_convolution(node) || node.type == "MatMul";
}

// Where every path from `node` reaches a model output, DetectionOutput or SoftMax before any
// other convolution or MatMul.
bool is_head(const graph::Model& model, graph::Node& node) {
    std::vector<graph::Node*> pending{&node};
    std::set<const graph::Node*> seen{&node};
    while (!pending.empty()) {
        graph::Node* current = pending.back();
        pending.pop_back();
        for (size_t port = 0; port < current->outputs.size(); ++port)
            for (const auto& [reader, index] : passes::consumers(model, current->output(port))) {
                if (reader->type == "Result" || reader->type == "DetectionOutput" ||
                    reader->type == "SoftMax")
                    continue;
                if (computes(*reader)) return false;
                if (seen.insert(reader).second) pending.push_back(reader);
            }
    }
    return true;
}

// Whether only Parameters lie upstream of `node`'s input without another convolution.
bool is_first(const graph::Node& node) {
    std::vector<const graph::Node*> pending{node.inputs[0].source.node};
    std::set<const graph::Node*> seen;
    while (!pending.empty()) {
        const graph::Node* current = pending.back();
        pending.pop_back();
        if (!seen.insert(current).second) continue;
        if (computes(*current)) return false;
        for (const graph::InputPort& input : current->inputs)
            pending.push_back(input.source.node);
    }
    return true;
}

bool is_depthwise(const graph::Node& node, const Tensor& weights) {
    const Shape& input =
        node.input_type(0).shape.is_static() ? node.input_type(0).shape.to_shape() : Shape{};
    return node.type == "GroupConvolution" && weights.rank() >= 3 && input.size() >= 2 &&
           weights.shape()[1] == 1 && weights.shape()[2] == 1 &&
           static_cast<int64_t>(weights.shape()[0]) == input[1];
}

bool is_f32_or_f16(ElementType type) {
    return type == ElementType::f32 || type == ElementType::f16;
}

}  // namespace

std::vector<Layer> find_layers(const graph::Model& model, const QuantizeOptions& options) {
    std::vector<Layer> layers;
    for (const auto& node : model.nodes()) {
        if (!is_convolution(*node) || node->inputs.size() != 2 ||
            !is_f32_or_f16(node->input_type(0).type))
            continue;
        Tensor scratch;
        const Tensor* weights = passes::constant_value(node->inputs[1].source, scratch);
        if (!weights || !is_f32_or_f16(weights->type())) continue;
        Layer layer{node->name, node->type, "", is_depthwise(*node, *weights)};
        const bool ignored = std::find(options.ignored_scope.begin(), options.ignored_scope.end(),
                                       node->name) != options.ignored_scope.end() ||
                             std::find(options.ignored_scope.begin(), options.ignored_scope.end(),
                                       node->type) != options.ignored_scope.end();
        if (ignored)
            layer.float_reason = "ignored scope";
        else if (options.preset == Preset::mixed && is_head(model, *node))
            layer.float_reason = "head (mixed preset)";
        else if (options.preset == Preset::mixed && is_first(*node))
            layer.float_reason = "first convolution (mixed preset)";
        else if (options.preset == Preset::mixed && layer.depthwise)
            layer.float_reason = "depthwise (mixed preset)";
        layers.push_back(std::move(layer));
    }
    return layers;
}

graph::Node& layer_node(const graph::Model& model, const std::string& name) {
    graph::Node* node = model.find(name);
    if (!node) throw_runtime("quantize: the model has no layer '{}'", name);
    return *node;
}

}  // namespace es::quantize
