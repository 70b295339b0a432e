#include "inference/passes/rewrite_util.h"
#include "inference/passes/simple_passes.h"

#include <cstring>
#include <string_view>
#include <unordered_map>

namespace es::passes {

size_t MergeEqualConstants::run(graph::Model& model) {
    std::unordered_multimap<size_t, graph::Node*> seen;  // hash of bytes -> first Const
    size_t merged = 0;
    for (graph::Node* node : node_list(model)) {
        if (node->type != "Const") continue;
        const Tensor& value = node->value;
        const std::string_view bytes(reinterpret_cast<const char*>(value.bytes()),
                                     value.byte_size());
        const size_t hash = std::hash<std::string_view>{}(bytes);
        graph::Node* twin = nullptr;
        const auto [begin, end] = seen.equal_range(hash);
        for (auto it = begin; it != end && !twin; ++it) {
            const Tensor& other = it->second->value;
            if (other.type() == value.type() && other.shape() == value.shape() &&
                std::memcmp(other.bytes(), value.bytes(), value.byte_size()) == 0)
                twin = it->second;
        }
        if (!twin || !node->outputs[0].names.empty()) {
            if (!twin) seen.emplace(hash, node);
            continue;
        }
        model.replace_uses(node->output(), twin->output());
        ++merged;
    }
    if (merged) model.remove_unused();
    return merged;
}

}  // namespace es::passes
