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

}  // namespace es::devices
