#pragma once

#include "devices/cpu/plan.h"
#include "inference/runtime/device.h"

#include <map>
#include <mutex>

namespace es::devices::cpu {

// The plans of one model, one per set of input shapes, built on first request and shared by
// every context.
class PlanCache {
  public:
    PlanCache(std::shared_ptr<const graph::Model> model, const runtime::CompileOptions& options);
    std::shared_ptr<const Plan> plan_for(const std::vector<Shape>& input_shapes);
    const graph::Model& model() const { return *m_model; }
    const runtime::CompileOptions& options() const { return m_options; }

  private:
    // Dynamic models may see many shapes: beyond this, the oldest plan is dropped (contexts
    // using it keep it alive).
    static constexpr size_t k_max_plans = 8;

    std::shared_ptr<const graph::Model> m_model;
    runtime::CompileOptions m_options;
    std::mutex m_mutex;
    std::map<std::vector<Shape>, std::shared_ptr<const Plan>> m_plans;
    std::vector<std::vector<Shape>> m_order;  // oldest first
};

// A model compiled for the CPU. With static input shapes the plan is built at compile time;
// otherwise on the first run with new shapes.
class CpuExecutable : public runtime::Executable {
  public:
    CpuExecutable(std::shared_ptr<const graph::Model> model,
                  const runtime::CompileOptions& options);

    std::unique_ptr<runtime::ExecutionContext> create_context() const override;
    size_t peak_memory_bytes() const override;

  private:
    std::shared_ptr<PlanCache> m_plans;
    std::shared_ptr<const Plan> m_static_plan;
};

}  // namespace es::devices::cpu
