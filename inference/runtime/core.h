#pragma once

#include "inference/runtime/compiled_model.h"
#include "inference/runtime/device.h"
#include "inference/runtime/runtime_config.h"

#include <memory>
#include <string>
#include <vector>

namespace es::runtime {

// Entry point of the runtime: the devices present, and compilation onto one of them.
class Core {
  public:
    explicit Core(std::vector<std::unique_ptr<Device>> devices);

    std::vector<std::string> device_names() const;
    // Every device, in registration order.
    std::vector<const Device*> devices() const;
    // `device` names a registered device or one of its instances. Resolves
    // `config`'s streams and threads for the device's compute units, and with a batch sets
    // every input's first dimension first.
    // Throws es::Error (BadInput) for an unknown device or one that lacks some op (listing
    // them), a bad config value (naming it), or a batch the model cannot take.
    CompiledModel compile(std::shared_ptr<const graph::Model> model, const std::string& device,
                          const RuntimeConfig& config = {}) const;

  private:
    std::vector<std::unique_ptr<Device>> m_devices;
};

}  // namespace es::runtime
