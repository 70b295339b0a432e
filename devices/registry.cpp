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
    for (const auto& device : make_registry()) {
        names.push_back(device->name());
        for (const runtime::DeviceInstance& instance : device->instances())
            if (instance.name != device->name()) names.push_back(instance.name);
    }
    return names;
}

}  // namespace es::devices
