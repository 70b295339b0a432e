#include "devices/registry.h"

#include "devices/cpu/cpu_device.h"
#include "devices/reference/reference_device.h"

namespace es::devices {

std::vector<std::unique_ptr<runtime::Device>> make_registry() {
    std::vector<std::unique_ptr<runtime::Device>> devices;
    devices.push_back(std::make_unique<CpuDevice>());
    devices.push_back(std::make_unique<ReferenceDevice>());
    return devices;
}

std::vector<std::string> device_names() {
    std::vector<std::string> names = {"AUTO"};
    for (const auto& device : make_registry())
        for (std::string& name : runtime::names_of(*device))
            names.push_back(std::move(name));
    return names;
}

}  // namespace es::devices
