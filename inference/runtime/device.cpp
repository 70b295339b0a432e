#include "inference/runtime/device.h"

#include <fmt/format.h>

#include <map>

namespace es::runtime {

std::string unsupported_ops(const Device& device, const graph::Model& model) {
    std::map<std::string, size_t> counts;
    for (const auto& node : model.nodes())
        if (!device.supports(*node)) ++counts[node->type + "-" + node->version];
    std::string text;
    for (const auto& [op, count] : counts)
        text += fmt::format("{}{}: {}", text.empty() ? "" : ", ", op, count);
    return text;
}

}  // namespace es::runtime
