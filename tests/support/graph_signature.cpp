#include "tests/support/graph_signature.h"

#include <fmt/format.h>

#include <unordered_map>

namespace es::testing {

std::string graph_signature(const graph::Model& model) {
    std::unordered_map<const graph::Node*, size_t> position;
    std::string text;
    for (const auto& node : model.nodes()) {
        position[node.get()] = position.size();
        text += fmt::format("{}: {}(", position[node.get()], node->type);
        for (const auto& input : node->inputs)
            text += fmt::format("{}.{} ", position.at(input.source.node), input.source.port);
        text += ")";
        for (const auto& [key, value] : node->attributes.entries())
            if (node->type != "Const" && node->type != "Parameter")
                text += fmt::format(" {}={}", key, value);
        if (node->type == "Const") {
            text += fmt::format(" {}{} [", to_string(node->value.type()),
                                to_string(node->value.shape()));
            for (double value : node->value.to_doubles())
                text += fmt::format("{} ", value);
            text += "]";
        }
        text += "\n";
    }
    return text;
}

}  // namespace es::testing
