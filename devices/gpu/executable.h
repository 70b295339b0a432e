#pragma once

#include "devices/gpu/plan.h"

#include <memory>
#include <string>

namespace es::devices::gpu {

// What every model compiled on one OpenCL device shares: its context and the kernels' program.
struct Runtime {
    DeviceInfo device;
    Context context;
    Program program;
    bool program_from_cache = false;
};

// A planned model: each request gets its own queue, buffers, kernels and host contexts.
class Executable : public runtime::Executable {
  public:
    Executable(std::shared_ptr<const Runtime> runtime, Plan plan, bool profile, std::string host)
        : m_runtime(std::move(runtime)),
          m_plan(std::move(plan)),
          m_profile(profile),
          m_host(std::move(host)) {}

    std::unique_ptr<runtime::ExecutionContext> create_context() const override;
    size_t peak_memory_bytes() const override;

    const Runtime& opencl() const { return *m_runtime; }
    const Plan& plan() const { return m_plan; }
    bool profile() const { return m_profile; }
    const std::string& host() const { return m_host; }

  private:
    std::shared_ptr<const Runtime> m_runtime;
    Plan m_plan;
    bool m_profile;
    std::string m_host;  // the host device's name, for the profile
};

}  // namespace es::devices::gpu
