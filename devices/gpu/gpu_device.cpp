#include "devices/gpu/gpu_device.h"

#include "devices/gpu/executable.h"
#include "devices/gpu/kernels.h"
#include "devices/gpu/kinds.h"
#include "devices/gpu/program_cache.h"
#include "inference/core/error.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <charconv>

namespace es::devices {
namespace gpu {

// One OpenCL device, and its runtime once a model was compiled for it.
struct Instance {
    DeviceInfo info;
    std::mutex mutex;
    std::shared_ptr<const Runtime> runtime;
};

namespace {

std::string describe(const DeviceInfo& device) {
    return fmt::format("{} ({}, driver {}, {}, {} compute units, {} MiB{}{})", device.name,
                       device.vendor, device.driver, device.opencl_c, device.compute_units,
                       device.global_memory >> 20, device.fp16 ? ", fp16" : "",
                       device.host_unified_memory ? ", memory shared with the host" : "");
}

std::shared_ptr<const Runtime> runtime_of(Instance& instance) {
    std::lock_guard lock(instance.mutex);
    if (instance.runtime) return instance.runtime;
    auto runtime = std::make_shared<Runtime>();
    runtime->device = instance.info;
    cl_int status = CL_SUCCESS;
    runtime->context.reset(
        clCreateContext(nullptr, 1, &instance.info.id, nullptr, nullptr, &status));
    check(status, "clCreateContext");
    BuiltProgram built =
        build_program(runtime->context.get(), instance.info, k_kernel_source, "-cl-std=CL1.2");
    runtime->program = std::move(built.program);
    runtime->program_from_cache = built.from_cache;
    spdlog::debug("GPU: kernels for {} {}", instance.info.name,
                  built.from_cache ? "loaded from the program cache" : "compiled and cached");
    instance.runtime = std::move(runtime);
    return instance.runtime;
}

// The instance index `name` gives ("GPU.1" → 1); 0 for "GPU" and other names.
size_t instance_index(const std::string& name) {
    const std::string prefix = "GPU.";
    size_t index = 0;
    if (name.rfind(prefix, 0) == 0)
        std::from_chars(name.data() + prefix.size(), name.data() + name.size(), index);
    return index;
}

}  // namespace
}  // namespace gpu

GpuDevice::GpuDevice(std::vector<gpu::DeviceInfo> devices, std::unique_ptr<runtime::Device> host)
    : m_host(std::move(host)) {
    for (gpu::DeviceInfo& info : devices) {
        auto instance = std::make_unique<gpu::Instance>();
        instance->info = std::move(info);
        m_instances.push_back(std::move(instance));
    }
}

GpuDevice::~GpuDevice() = default;

std::string GpuDevice::description() const {
    std::string text;
    for (const auto& instance : m_instances)
        text += (text.empty() ? "" : "; ") + instance->info.name;
    return fmt::format("OpenCL: {}; f32 kernels, the other ops on {}", text, m_host->name());
}

std::vector<runtime::DeviceInstance> GpuDevice::instances() const {
    std::vector<runtime::DeviceInstance> list;
    for (size_t i = 0; i < m_instances.size(); ++i)
        list.push_back({fmt::format("GPU.{}", i), "ready", gpu::describe(m_instances[i]->info)});
    return list;
}

bool GpuDevice::supports(const graph::Node& node) const {
    return gpu::has_kernel(node) || m_host->supports(node);
}

std::unique_ptr<runtime::Executable> GpuDevice::compile(
    std::shared_ptr<const graph::Model> model, const runtime::CompileOptions& options) const {
    const size_t index = gpu::instance_index(options.instance);
    if (index >= m_instances.size())
        throw_bad_input("device {}: there are {} GPUs", options.instance, m_instances.size());
    for (const auto& node : model->nodes())
        for (const auto& output : node->outputs)
            if (!output.type.shape.is_static()) {
                spdlog::info("GPU: model '{}' has dynamic shapes ({}); it runs on {}", model->name,
                             node->describe(), m_host->name());
                return m_host->compile(std::move(model), options);
            }
    const auto runtime = gpu::runtime_of(*m_instances[index]);
    cl_int status = CL_SUCCESS;
    gpu::Queue queue(clCreateCommandQueue(runtime->context.get(), runtime->device.id, 0, &status));
    gpu::check(status, "clCreateCommandQueue");
    gpu::Plan plan =
        gpu::make_plan(std::move(model), runtime->context.get(), queue.get(), *m_host, options);
    return std::make_unique<gpu::Executable>(runtime, std::move(plan), options.profile,
                                             m_host->name());
}

}  // namespace es::devices
