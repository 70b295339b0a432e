#pragma once

#include "devices/gpu/opencl.h"
#include "inference/runtime/device.h"

#include <memory>
#include <mutex>
#include <vector>

namespace es::devices {

namespace gpu {
struct Instance;
}

// GPU: OpenCL devices (any vendor's, through the ICD loader), one instance each: GPU.0, GPU.1 …
// Nodes with an OpenCL kernel run there in f32; the others run on the host device (the CPU),
// in segments compiled as models of their own, with the values between them copied across.
// A model with dynamic shapes runs on the host device whole.
class GpuDevice : public runtime::Device {
  public:
    GpuDevice(std::vector<gpu::DeviceInfo> devices, std::unique_ptr<runtime::Device> host);
    ~GpuDevice() override;

    std::string name() const override { return "GPU"; }
    std::string description() const override;
    std::vector<runtime::DeviceInstance> instances() const override;
    // Two requests in flight keep a GPU busy: one runs while the next one's inputs are written.
    int compute_units() const override { return 2; }
    bool supports(const graph::Node& node) const override;
    // On the instance `options.instance` names (GPU.1), GPU.0 for "GPU" and any other name.
    std::unique_ptr<runtime::Executable> compile(
        std::shared_ptr<const graph::Model> model,
        const runtime::CompileOptions& options) const override;

  private:
    std::vector<std::unique_ptr<gpu::Instance>> m_instances;
    std::unique_ptr<runtime::Device> m_host;
};

}  // namespace es::devices
