#include "inference/runtime/core.h"

#include "inference/core/error.h"

#include <map>

namespace es::runtime {
namespace {

// "Type: count" for every op `device` cannot run.
std::string unsupported_by(const Device& device, const graph::Model& model) {
    std::map<std::string, size_t> counts;
    for (const auto& node : model.nodes())
        if (!device.supports(*node)) ++counts[node->type + "-" + node->version];
    std::string text;
    for (const auto& [op, count] : counts)
        text += fmt::format("{}{}: {}", text.empty() ? "" : ", ", op, count);
    return text;
}

}  // namespace

Core::Core(std::vector<std::unique_ptr<Device>> devices) : m_devices(std::move(devices)) {}

std::vector<std::string> Core::device_names() const {
    std::vector<std::string> names;
    for (const auto& device : m_devices)
        names.push_back(device->name());
    return names;
}

CompiledModel Core::compile(std::shared_ptr<const graph::Model> model, const std::string& device,
                            const CompileOptions& options) const {
    if (device == "AUTO") {
        std::string reasons;
        for (const auto& candidate : m_devices) {
            const std::string missing = unsupported_by(*candidate, *model);
            if (missing.empty()) return CompiledModel(model, *candidate, options);
            reasons += fmt::format("\n  {} lacks {}", candidate->name(), missing);
        }
        throw_bad_input("no device can run model '{}':{}", model->name, reasons);
    }
    for (const auto& candidate : m_devices) {
        if (candidate->name() != device) continue;
        const std::string missing = unsupported_by(*candidate, *model);
        if (!missing.empty())
            throw_bad_input("device {} cannot run model '{}': it lacks {}", device, model->name,
                            missing);
        return CompiledModel(model, *candidate, options);
    }
    std::string known;
    for (const auto& name : device_names())
        known += (known.empty() ? "" : ", ") + name;
    throw_bad_input("unknown device '{}' (available: AUTO, {})", device, known);
}

}  // namespace es::runtime
