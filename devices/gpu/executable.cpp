#include "devices/gpu/executable.h"

#include "inference/core/float16.h"

#include <chrono>
#include <cstring>
#include <map>

namespace es::devices::gpu {
namespace {

using Clock = std::chrono::steady_clock;

class RequestContext final : public runtime::ExecutionContext {
  public:
    explicit RequestContext(const Executable& owner);
    void run(const std::vector<Tensor>& inputs, std::vector<Tensor>& outputs) override;
    std::vector<runtime::LayerProfile> layer_profile() const override;

  private:
    struct HostState {
        std::unique_ptr<runtime::ExecutionContext> context;
        std::vector<Tensor> inputs;
        std::vector<Tensor> outputs;
    };

    // The buffer holding `value` (its view's source's, a constant's, or its own).
    cl_mem buffer_of(int value) const;
    // `value` on the host, read back from the device on first use in a run.
    const Tensor& host_value(int value);
    void write(int value, const Tensor& tensor);
    void run_step(size_t index);
    void record(size_t step, double milliseconds);

    const Executable& m_owner;
    const Plan& m_plan;
    Queue m_queue;
    std::vector<Buffer> m_slots;          // Plan::slot_bytes
    std::vector<Tensor> m_host;           // per value read on the host
    std::vector<bool> m_fresh;            // per value: m_host holds this run's data
    std::vector<Kernel> m_kernels;        // per step; null for others
    std::vector<HostState> m_host_steps;  // per step; empty for others
    std::vector<double> m_milliseconds;   // per step
    int m_runs = 0;
};

RequestContext::RequestContext(const Executable& owner) : m_owner(owner), m_plan(owner.plan()) {
    const Runtime& opencl = owner.opencl();
    cl_int status = CL_SUCCESS;
    m_queue.reset(clCreateCommandQueue(opencl.context.get(), opencl.device.id, 0, &status));
    check(status, "clCreateCommandQueue");
    const size_t count = m_plan.values.size();
    for (const size_t bytes : m_plan.slot_bytes)
        m_slots.push_back(make_buffer(opencl.context.get(), bytes));
    m_host.resize(count);
    m_fresh.assign(count, false);
    for (size_t v = 0; v < count; ++v) {
        const Value& value = m_plan.values[v];
        // values read back, and f16 inputs computed in f32
        if ((value.on_host && value.from_gpu) || value.parameter >= 0)
            m_host[v] = Tensor(value.type.type, value.type.shape.to_shape());
    }
    m_kernels.resize(m_plan.steps.size());
    m_host_steps.resize(m_plan.steps.size());
    m_milliseconds.assign(m_plan.steps.size(), 0.0);
    for (size_t s = 0; s < m_plan.steps.size(); ++s) {
        const auto& work = m_plan.steps[s].work;
        if (const auto* step = std::get_if<HostStep>(&work)) {
            m_host_steps[s].context = step->executable->create_context();
            m_host_steps[s].inputs.resize(step->inputs.size());
            continue;
        }
        const auto* step = std::get_if<KernelStep>(&work);
        if (!step) continue;
        m_kernels[s].reset(clCreateKernel(opencl.program.get(), step->kernel.c_str(), &status));
        check(status, "clCreateKernel");
        cl_kernel kernel = m_kernels[s].get();
        for (cl_uint a = 0; a < step->args.size(); ++a) {
            const KernelArg& arg = step->args[a];
            switch (arg.kind) {
                case KernelArg::Kind::value: {
                    cl_mem memory = buffer_of(arg.index);
                    status = clSetKernelArg(kernel, a, sizeof(memory), &memory);
                    break;
                }
                case KernelArg::Kind::constant: {
                    cl_mem memory = m_plan.constants[arg.index].get();
                    status = clSetKernelArg(kernel, a, sizeof(memory), &memory);
                    break;
                }
                case KernelArg::Kind::integer:
                    status = clSetKernelArg(kernel, a, sizeof(cl_int), &arg.integer);
                    break;
                case KernelArg::Kind::real:
                    status = clSetKernelArg(kernel, a, sizeof(cl_float), &arg.real);
                    break;
            }
            check(status, "clSetKernelArg");
        }
    }
}

cl_mem RequestContext::buffer_of(int value) const {
    while (m_plan.values[value].view_of >= 0)
        value = m_plan.values[value].view_of;
    const Value& root = m_plan.values[value];
    return root.constant >= 0 ? m_plan.constants[root.constant].get() : m_slots[root.slot].get();
}

const Tensor& RequestContext::host_value(int value) {
    const Value& info = m_plan.values[value];
    if (info.from_gpu && !m_fresh[value]) {
        Tensor& tensor = m_host[value];
        check(clEnqueueReadBuffer(m_queue.get(), buffer_of(value), CL_TRUE, 0, tensor.byte_size(),
                                  tensor.bytes(), 0, nullptr, nullptr),
              "clEnqueueReadBuffer");
        m_fresh[value] = true;
    }
    if (!info.host_constant.empty()) return info.host_constant;
    return m_host[value];
}

void RequestContext::write(int value, const Tensor& tensor) {
    // Non-blocking: the tensor stays as it is until the run's clFinish.
    check(clEnqueueWriteBuffer(m_queue.get(), buffer_of(value), CL_FALSE, 0, tensor.byte_size(),
                               tensor.bytes(), 0, nullptr, nullptr),
          "clEnqueueWriteBuffer");
}

void RequestContext::run_step(size_t index) {
    const auto& work = m_plan.steps[index].work;
    if (const auto* step = std::get_if<KernelStep>(&work)) {
        check(clEnqueueNDRangeKernel(m_queue.get(), m_kernels[index].get(),
                                     static_cast<cl_uint>(step->global.size()), nullptr,
                                     step->global.data(), nullptr, 0, nullptr, nullptr),
              "clEnqueueNDRangeKernel");
    } else if (const auto* copy = std::get_if<CopyStep>(&work)) {
        const size_t source_origin[3] = {0, 0, 0};
        const size_t destination_origin[3] = {copy->destination_offset, 0, 0};
        const size_t region[3] = {copy->bytes, copy->rows, 1};
        check(clEnqueueCopyBufferRect(m_queue.get(), buffer_of(copy->source),
                                      buffer_of(copy->destination), source_origin,
                                      destination_origin, region, copy->source_pitch, 0,
                                      copy->destination_pitch, 0, 0, nullptr, nullptr),
              "clEnqueueCopyBufferRect");
    } else {
        const auto& host = std::get<HostStep>(work);
        HostState& state = m_host_steps[index];
        for (size_t k = 0; k < host.inputs.size(); ++k)
            state.inputs[k] = host_value(host.inputs[k]);
        state.context->run(state.inputs, state.outputs);
        for (size_t k = 0; k < host.outputs.size(); ++k) {
            const int value = host.outputs[k];
            m_host[value] = state.outputs[k];
            if (m_plan.values[value].on_gpu) write(value, state.outputs[k]);
        }
    }
}

void RequestContext::run(const std::vector<Tensor>& inputs, std::vector<Tensor>& outputs) {
    m_fresh.assign(m_fresh.size(), false);
    for (size_t i = 0; i < m_plan.inputs.size(); ++i) {
        const int value = m_plan.inputs[i];
        if (inputs[i].type() == ElementType::f16 && m_host[value].type() == ElementType::f32) {
            const auto* half = inputs[i].data<float16>();
            float* single = m_host[value].data<float>();
            for (size_t k = 0; k < inputs[i].size(); ++k)
                single[k] = static_cast<float>(half[k]);
        } else {
            m_host[value] = inputs[i];
        }
        if (m_plan.values[value].on_gpu) write(value, m_host[value]);
    }
    for (size_t s = 0; s < m_plan.steps.size(); ++s) {
        if (!m_owner.profile()) {
            run_step(s);
            continue;
        }
        check(clFinish(m_queue.get()), "clFinish");
        const auto start = Clock::now();
        run_step(s);
        check(clFinish(m_queue.get()), "clFinish");
        m_milliseconds[s] +=
            std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    }
    outputs.resize(m_plan.outputs.size());
    for (size_t i = 0; i < m_plan.outputs.size(); ++i) {
        const int value = m_plan.outputs[i];
        const Tensor& result = host_value(value);
        Tensor& output = outputs[i];
        if (output.empty() || output.type() != result.type() || output.shape() != result.shape())
            output = Tensor(result.type(), result.shape());
        std::memcpy(output.bytes(), result.bytes(), result.byte_size());
    }
    check(clFinish(m_queue.get()), "clFinish");
    ++m_runs;
}

std::vector<runtime::LayerProfile> RequestContext::layer_profile() const {
    if (!m_owner.profile()) return {};
    std::vector<runtime::LayerProfile> rows;
    std::map<std::string, size_t> row_of;
    const auto add = [&](const graph::Node& node, const std::string& implementation,
                         double milliseconds, int runs) {
        const auto [at, added] = row_of.emplace(node.name, rows.size());
        if (added) rows.push_back({node.name, node.type, implementation, 0.0, runs});
        rows[at->second].milliseconds += milliseconds;
    };
    for (size_t s = 0; s < m_plan.steps.size(); ++s) {
        const Step& step = m_plan.steps[s];
        if (const auto* kernel = std::get_if<KernelStep>(&step.work)) {
            add(*step.nodes[0], "ocl:" + kernel->kernel, m_milliseconds[s], m_runs);
            for (size_t k = 1; k < step.nodes.size(); ++k)
                add(*step.nodes[k], "fused into " + step.nodes[0]->name, 0.0, m_runs);
        } else if (std::holds_alternative<CopyStep>(step.work)) {
            add(*step.nodes[0], "ocl:copy", m_milliseconds[s], m_runs);
        } else {
            for (const runtime::LayerProfile& row : m_host_steps[s].context->layer_profile()) {
                rows.push_back(row);
                rows.back().implementation += " on " + m_owner.host();
            }
        }
    }
    for (const graph::Node* view : m_plan.views)
        add(*view, "ocl:view", 0.0, m_runs);
    return rows;
}

}  // namespace

std::unique_ptr<runtime::ExecutionContext> Executable::create_context() const {
    return std::make_unique<RequestContext>(*this);
}

size_t Executable::peak_memory_bytes() const {
    size_t bytes = 0;
    for (const size_t slot : m_plan.slot_bytes)
        bytes += slot;
    for (const Buffer& constant : m_plan.constants) {
        size_t size = 0;
        clGetMemObjectInfo(constant.get(), CL_MEM_SIZE, sizeof(size), &size, nullptr);
        bytes += size;
    }
    for (const Step& step : m_plan.steps)
        if (const auto* host = std::get_if<HostStep>(&step.work))
            bytes += host->executable->peak_memory_bytes();
    return bytes;
}

}  // namespace es::devices::gpu
