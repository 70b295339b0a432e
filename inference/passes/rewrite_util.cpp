#include "inference/passes/rewrite_util.h"

namespace es::passes {

std::vector<graph::Node*> node_list(const graph::Model& model) {
    std::vector<graph::Node*> nodes;
    for (const auto& node : model.nodes())
        nodes.push_back(node.get());
    return nodes;
}

bool is_decompression(const graph::Node& node) {
    if (node.type != "Convert") return false;
    for (const auto& attribute : node.rt_info)
        for (const auto& [key, value] : attribute.fields)
            if (key == "name" && value == "decompression") return true;
    return false;
}

std::vector<std::pair<graph::Node*, size_t>> consumers(const graph::Model& model,
                                                       graph::Output output) {
    std::vector<std::pair<graph::Node*, size_t>> found;
    for (const auto& node : model.nodes())
        for (size_t i = 0; i < node->inputs.size(); ++i)
            if (node->inputs[i].source == output) found.emplace_back(node.get(), i);
    return found;
}

const Tensor* constant_value(graph::Output output, Tensor& scratch) {
    const graph::Node* node = output.node;
    if (node->type == "Const") return &node->value;
    if (is_decompression(*node) && node->inputs[0].source.node->type == "Const") {
        scratch = convert(node->inputs[0].source.node->value, node->outputs[0].type.type);
        return &scratch;
    }
    return nullptr;
}

}  // namespace es::passes
