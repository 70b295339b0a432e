#include "devices/cpu/executable.h"

#include "devices/cpu/compiler.h"
#include "inference/core/error.h"

#include <omp.h>

#include <chrono>

namespace es::devices::cpu {
namespace {

class CpuContext : public runtime::ExecutionContext {
  public:
    // Keeps what it needs alive itself: requests may outlive the compiled model.
    explicit CpuContext(std::shared_ptr<PlanCache> plans)
        : m_plans(std::move(plans)), m_options(m_plans->options()) {
        for (const graph::Node* parameter : m_plans->model().parameters())
            m_parameters.push_back(parameter->outputs[0].type);
    }

    void run(const std::vector<Tensor>& inputs, std::vector<Tensor>& outputs) override {
        check_inputs(inputs);
        if (!m_plan || !same_shapes(inputs)) prepare(inputs);
        const Plan& plan = *m_plan;
        omp_set_num_threads(std::max(1, m_options.threads_per_stream));
        outputs.resize(plan.outputs.size());
        for (size_t i = 0; i < plan.outputs.size(); ++i) {
            const Value& value = plan.values[static_cast<size_t>(plan.outputs[i])];
            if (value.storage != Storage::output) continue;
            if (outputs[i].type() != value.type || outputs[i].shape() != value.shape)
                outputs[i] = Tensor(value.type, value.shape);
        }
        m_frame->bind(inputs, outputs);
        const bool profile = m_options.profile;
        for (size_t s = 0; s < m_steps.size(); ++s) {
            const auto start = profile ? std::chrono::steady_clock::now()
                                       : std::chrono::steady_clock::time_point();
            try {
                m_steps[s]->run(*m_frame);
            } catch (const Error& error) {
                const Step& step = *plan.steps[s];
                rethrow_with_context(error, fmt::format("layer '{}' ({})", step.name, step.type));
            }
            if (!profile) continue;
            const std::chrono::duration<double, std::milli> elapsed =
                std::chrono::steady_clock::now() - start;
            m_profile[s].milliseconds += elapsed.count();
            ++m_profile[s].runs;
        }
        for (size_t i = 0; i < plan.outputs.size(); ++i) {
            const Value& value = plan.values[static_cast<size_t>(plan.outputs[i])];
            if (value.storage == Storage::dynamic) outputs[i] = m_frame->dynamic(value.index);
        }
        ++m_runs;
    }

    std::vector<runtime::LayerProfile> layer_profile() const override {
        std::vector<runtime::LayerProfile> profile = m_profile;
        if (!m_plan) return profile;
        for (const StepFreeNode& node : m_plan->step_free)
            profile.push_back({node.name, node.type, node.implementation, 0.0, m_runs});
        return profile;
    }

  private:
    void check_inputs(const std::vector<Tensor>& inputs) const {
        if (inputs.size() != m_parameters.size())
            throw_bad_input("the model has {} inputs, got {}", m_parameters.size(), inputs.size());
        for (size_t i = 0; i < inputs.size(); ++i) {
            const graph::PortType& expected = m_parameters[i];
            if (inputs[i].type() != expected.type || !expected.shape.accepts(inputs[i].shape()))
                throw_bad_input("input {} expects {}{}, got {}{}", i, to_string(expected.type),
                                to_string(expected.shape), to_string(inputs[i].type()),
                                to_string(inputs[i].shape()));
        }
    }

    bool same_shapes(const std::vector<Tensor>& inputs) const {
        for (size_t i = 0; i < inputs.size(); ++i)
            if (inputs[i].shape() != m_plan->input_shapes[i]) return false;
        return true;
    }

    void prepare(const std::vector<Tensor>& inputs) {
        std::vector<Shape> shapes;
        for (const Tensor& input : inputs)
            shapes.push_back(input.shape());
        m_steps.clear();
        m_frame.reset();
        m_plan = m_plans->plan_for(shapes);
        m_frame = std::make_unique<Frame>(*m_plan);
        m_profile.clear();
        for (const auto& step : m_plan->steps) {
            m_steps.push_back(step->instantiate(*m_frame));
            m_profile.push_back({step->name, step->type, step->implementation, 0.0, 0});
        }
        m_runs = 0;
    }

    std::shared_ptr<PlanCache> m_plans;
    runtime::CompileOptions m_options;
    std::vector<graph::PortType> m_parameters;
    std::shared_ptr<const Plan> m_plan;
    std::unique_ptr<Frame> m_frame;
    std::vector<std::unique_ptr<StepInstance>> m_steps;
    std::vector<runtime::LayerProfile> m_profile;
    int m_runs = 0;
};

}  // namespace

PlanCache::PlanCache(std::shared_ptr<const graph::Model> model,
                     const runtime::CompileOptions& options)
    : m_model(std::move(model)), m_options(options) {}

std::shared_ptr<const Plan> PlanCache::plan_for(const std::vector<Shape>& input_shapes) {
    const std::lock_guard lock(m_mutex);
    auto& plan = m_plans[input_shapes];
    if (plan) return plan;
    plan = Compiler::compile(*m_model, input_shapes, m_options);
    m_order.push_back(input_shapes);
    if (m_order.size() > k_max_plans) {
        m_plans.erase(m_order.front());
        m_order.erase(m_order.begin());
    }
    return m_plans.at(input_shapes);
}

CpuExecutable::CpuExecutable(std::shared_ptr<const graph::Model> model,
                             const runtime::CompileOptions& options)
    : m_plans(std::make_shared<PlanCache>(std::move(model), options)) {
    std::vector<Shape> shapes;
    for (const graph::Node* parameter : m_plans->model().parameters()) {
        const PartialShape& shape = parameter->outputs[0].type.shape;
        if (!shape.is_static()) return;
        shapes.push_back(shape.to_shape());
    }
    m_static_plan = m_plans->plan_for(shapes);
}

std::unique_ptr<runtime::ExecutionContext> CpuExecutable::create_context() const {
    return std::make_unique<CpuContext>(m_plans);
}

size_t CpuExecutable::peak_memory_bytes() const {
    if (m_static_plan) return m_static_plan->weight_bytes + m_static_plan->arena_bytes;
    size_t bytes = 0;
    for (const auto& node : m_plans->model().nodes())
        if (node->type == "Const") bytes += node->value.byte_size();
    return bytes;
}

}  // namespace es::devices::cpu
