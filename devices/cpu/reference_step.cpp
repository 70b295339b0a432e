#include "devices/cpu/steps.h"

#include "inference/core/error.h"
#include "inference/graph/evaluate.h"
#include "inference/graph/op.h"

#include <cstring>

namespace es::devices::cpu {
namespace {

// A tensor over a value's memory; no ownership (the frame or plan keeps it alive).
Tensor view_of(const Value& value, std::byte* address) {
    return Tensor::view(value.type, value.shape, nullptr, address);
}

// Writes `result` (what a kernel returned in place of the buffer it was given) into `dst`.
void store_into(const Tensor& result, const Value& value, std::byte* dst) {
    if (result.shape() != value.shape)
        throw_runtime("the kernel produced {} where {} was expected", to_string(result.shape()),
                      to_string(value.shape));
    const Tensor converted = result.type() == value.type ? result : convert(result, value.type);
    std::memcpy(dst, converted.bytes(), converted.byte_size());
}

}  // namespace

class ReferenceInstance : public StepInstance {
  public:
    ReferenceInstance(const ReferenceStep& step, Frame& frame) : m_step(step) {
        const Plan& plan = frame.plan();
        for (ValueId id : step.m_inputs) {
            const Value& value = plan.values[static_cast<size_t>(id)];
            m_inputs.push_back(frame.is_volatile(id) ? Tensor()
                                                     : view_of(value, frame.address(id)));
        }
        for (size_t i = 0; i < step.m_outputs.size(); ++i) {
            const ValueId id = step.m_outputs[i];
            const Value& value = plan.values[static_cast<size_t>(id)];
            const graph::PortType& kernel = step.m_kernel_outputs[i];
            const bool direct =
                !frame.is_volatile(id) && kernel.type == value.type && kernel.shape.is_static();
            m_views.push_back(direct ? view_of(value, frame.address(id)) : Tensor());
        }
        m_outputs.resize(step.m_outputs.size());
    }

    void run(Frame& frame) override {
        const Plan& plan = frame.plan();
        for (size_t i = 0; i < m_inputs.size(); ++i) {
            const ValueId id = m_step.m_inputs[i];
            const Value& value = plan.values[static_cast<size_t>(id)];
            if (value.storage == Storage::dynamic) {
                m_inputs[i] = frame.dynamic(value.index);
            } else if (value.storage == Storage::output) {
                m_inputs[i] = view_of(value, frame.address(id));
            } else if (value.storage == Storage::input) {
                const Tensor& input = frame.input(value.index);
                m_inputs[i] = input.shape() == value.shape
                                  ? input
                                  : view_of(value, const_cast<std::byte*>(input.bytes()));
            }
        }
        if (m_step.m_dynamic_outputs) {
            // shapes downstream of a data-dependent one (NonZero, NonMaxSuppression) are known
            // only now: evaluate_node infers them from the inputs at hand
            m_outputs = graph::evaluate_node(m_step.m_node, m_inputs);
        } else {
            for (size_t i = 0; i < m_outputs.size(); ++i)
                m_outputs[i] = !m_views[i].empty()
                                   ? m_views[i]
                                   : Tensor(m_step.m_kernel_outputs[i].type,
                                            m_step.m_kernel_outputs[i].shape.to_shape());
            m_step.m_node.op->evaluate(m_step.m_node, m_inputs, m_outputs);
        }
        for (size_t i = 0; i < m_outputs.size(); ++i) {
            const ValueId id = m_step.m_outputs[i];
            const Value& value = plan.values[static_cast<size_t>(id)];
            if (m_outputs[i].empty()) throw_runtime("the kernel produced no output {}", i);
            if (value.storage == Storage::dynamic) {
                frame.dynamic(value.index) = m_outputs[i].type() == value.type
                                                 ? m_outputs[i]
                                                 : convert(m_outputs[i], value.type);
            } else if (m_views[i].empty() || m_outputs[i].bytes() != m_views[i].bytes()) {
                store_into(m_outputs[i], value, frame.address(id));
            }
        }
    }

  private:
    const ReferenceStep& m_step;
    std::vector<Tensor> m_inputs;
    std::vector<Tensor> m_views;
    std::vector<Tensor> m_outputs;
};

ReferenceStep::ReferenceStep(const graph::Node& node, std::vector<ValueId> inputs,
                             std::vector<ValueId> outputs,
                             std::vector<graph::PortType> kernel_outputs)
    : m_node(node),
      m_inputs(std::move(inputs)),
      m_outputs(std::move(outputs)),
      m_kernel_outputs(std::move(kernel_outputs)) {
    name = node.name;
    type = node.type;
    implementation = "ref";
    reads = m_inputs;
    writes = m_outputs;
    for (const auto& output : m_kernel_outputs)
        m_dynamic_outputs = m_dynamic_outputs || !output.shape.is_static();
}

std::unique_ptr<StepInstance> ReferenceStep::instantiate(Frame& frame) const {
    return std::make_unique<ReferenceInstance>(*this, frame);
}

namespace {

class CopyInstance : public StepInstance {
  public:
    CopyInstance(ValueId src, ValueId dst) : m_src(src), m_dst(dst) {}

    void run(Frame& frame) override {
        const Value& value = frame.plan().values[static_cast<size_t>(m_dst)];
        const size_t bytes = shape_size(value.shape) * element_size(value.type);
        std::memmove(frame.address(m_dst), frame.address(m_src), bytes);
    }

  private:
    ValueId m_src;
    ValueId m_dst;
};

}  // namespace

CopyStep::CopyStep(ValueId src, ValueId dst) : m_src(src), m_dst(dst) {
    type = "Copy";
    implementation = "copy";
    reads = {src};
    writes = {dst};
}

std::unique_ptr<StepInstance> CopyStep::instantiate(Frame&) const {
    return std::make_unique<CopyInstance>(m_src, m_dst);
}

}  // namespace es::devices::cpu
