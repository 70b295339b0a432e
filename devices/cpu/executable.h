#pragma once

#include "devices/cpu/plan.h"
#include "inference/runtime/device.h"

namespace es::devices::cpu {

// A model compiled for the CPU. With static input shapes the plan is built at compile time and
// shared by every context; otherwise each context builds one on its first run with new shapes.
class CpuExecutable : public runtime::Executable {
  public:
    CpuExecutable(std::shared_ptr<const graph::Model> model,
                  const runtime::CompileOptions& options);

    std::unique_ptr<runtime::ExecutionContext> create_context() const override;
    size_t peak_memory_bytes() const override;

  private:
    std::shared_ptr<const graph::Model> m_model;
    runtime::CompileOptions m_options;
    std::shared_ptr<const Plan> m_static_plan;
};

}  // namespace es::devices::cpu
