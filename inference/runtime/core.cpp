#include "inference/runtime/core.h"

#include "inference/core/error.h"
#include "inference/graph/shape_inference.h"

#include <algorithm>

namespace es::runtime {
namespace {

const Device& choose_device(const std::vector<std::unique_ptr<Device>>& devices,
                            const graph::Model& model, const std::string& device) {
    for (const auto& candidate : devices) {
        const auto names = names_of(*candidate);
        if (std::find(names.begin(), names.end(), device) == names.end()) continue;
        const std::string missing = unsupported_ops(*candidate, model);
        if (!missing.empty())
            throw_bad_input("device {} cannot run model '{}': it lacks {}", device, model.name,
                            missing);
        return *candidate;
    }
    std::string known;
    for (const auto& candidate : devices)
        for (const std::string& name : names_of(*candidate))
            known += (known.empty() ? "" : ", ") + name;
    throw_bad_input("unknown device '{}' (available: {})", device, known);
}

// `model` with the first dimension of every input set to `batch`, shapes re-inferred. Throws
// es::Error (BadInput) naming the input when one has rank 0 or an unknown rank, or naming the
// layer when the model cannot take that batch (a first dimension fixed inside the model).
std::shared_ptr<const graph::Model> with_batch(const graph::Model& model, int batch) {
    std::vector<std::pair<std::string, PartialShape>> shapes;
    for (const graph::Node* parameter : model.parameters()) {
        PartialShape shape = parameter->outputs[0].type.shape;
        if (!shape.rank_known() || shape.rank() == 0)
            throw_bad_input("batch {}: input '{}' has shape {}; a batch needs a first dimension",
                            batch, parameter->name, to_string(shape));
        shape[0] = batch;
        shapes.emplace_back(parameter->name, shape);
    }
    auto batched = std::make_shared<graph::Model>(model.clone());
    try {
        graph::reshape(*batched, shapes);
    } catch (const Error& error) {
        throw_bad_input("batch {}: model '{}' cannot take it: {}", batch, model.name, error.what());
    }
    return batched;
}

}  // namespace

Core::Core(std::vector<std::unique_ptr<Device>> devices) : m_devices(std::move(devices)) {}

std::vector<std::string> Core::device_names() const {
    std::vector<std::string> names;
    for (const auto& device : m_devices)
        names.push_back(device->name());
    return names;
}

std::vector<const Device*> Core::devices() const {
    std::vector<const Device*> devices;
    for (const auto& device : m_devices)
        devices.push_back(device.get());
    return devices;
}

CompiledModel Core::compile(std::shared_ptr<const graph::Model> model, const std::string& device,
                            const RuntimeConfig& config) const {
    if (config.batch < 0)
        throw_bad_input("batch {}: expected 0 (the model's own) or a positive size", config.batch);
    if (config.batch > 0) model = with_batch(*model, config.batch);
    const Device& chosen = choose_device(m_devices, *model, device);
    const StreamsConfig streams = resolve_streams(config, chosen.compute_units());
    return CompiledModel(model, chosen, device, streams, config);
}

}  // namespace es::runtime
