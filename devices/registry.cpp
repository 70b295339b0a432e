#include "devices/registry.h"

#include "devices/auto/auto_device.h"
#include "devices/reference/reference_device.h"
#ifdef ES_DEVICE_CPU
#include "devices/cpu/cpu_device.h"
#endif
#ifdef ES_DEVICE_GPU
#include "devices/gpu/gpu_device.h"
#endif

namespace es::devices {
namespace {

// Where what another device has no kernel for runs: the CPU, or REF in a build without it.
std::unique_ptr<runtime::Device> make_host() {
#ifdef ES_DEVICE_CPU
    return std::make_unique<CpuDevice>();
#else
    return std::make_unique<ReferenceDevice>();
#endif
}

// The devices of this build present now, in the order AUTO tries them in. The GPU comes after
// the CPU until its kernels beat the CPU's: AUTO takes it only for what the CPU cannot run.
std::vector<std::unique_ptr<runtime::Device>> make_devices() {
    std::vector<std::unique_ptr<runtime::Device>> devices;
#ifdef ES_DEVICE_CPU
    devices.push_back(std::make_unique<CpuDevice>());
#endif
#ifdef ES_DEVICE_GPU
    if (auto found = gpu::find_devices(); !found.empty())
        devices.push_back(std::make_unique<GpuDevice>(std::move(found), make_host()));
#endif
    devices.push_back(std::make_unique<ReferenceDevice>());
    return devices;
}

}  // namespace

std::vector<std::unique_ptr<runtime::Device>> make_registry() {
    std::vector<std::unique_ptr<runtime::Device>> devices;
    devices.push_back(std::make_unique<AutoDevice>(make_devices(), "CPU"));
    for (auto& device : make_devices())
        devices.push_back(std::move(device));
    return devices;
}

std::vector<std::string> device_names() {
    std::vector<std::string> names;
    for (const auto& device : make_registry())
        for (std::string& name : runtime::names_of(*device))
            names.push_back(std::move(name));
    return names;
}

}  // namespace es::devices
