#include "devices/cpu/steps.h"

#include "inference/core/error.h"

namespace es::devices::cpu {
BoundPrimitive::BoundPrimitive(const dnnl::primitive& primitive,
                               const std::vector<PrimitiveArg>& args, size_t scratchpad_bytes,
                               Frame& frame)
    : m_primitive(primitive) {
    const Plan& plan = frame.plan();
    for (const PrimitiveArg& arg : args) {
        const bool is_volatile = frame.is_volatile(arg.value);
        if (is_volatile) m_volatile.emplace_back(m_memories.size(), arg.value);
        m_memories.emplace_back(plan.values[static_cast<size_t>(arg.value)].desc, cpu_engine(),
                                is_volatile ? DNNL_MEMORY_NONE : frame.address(arg.value));
    }
    if (scratchpad_bytes > 0)
        m_memories.emplace_back(
            dnnl::memory::desc({static_cast<dnnl::memory::dim>(scratchpad_bytes)},
                               dnnl::memory::data_type::u8, dnnl::memory::format_tag::x),
            cpu_engine(), frame.scratchpad());
    for (size_t i = 0; i < args.size(); ++i)
        m_args.push_back({args[i].arg, m_memories[i].get()});
    if (scratchpad_bytes > 0) m_args.push_back({DNNL_ARG_SCRATCHPAD, m_memories.back().get()});
}

void BoundPrimitive::bind(Frame& frame) {
    for (const auto& [index, value] : m_volatile)
        m_memories[index].set_data_handle(frame.address(value));
}

// The C API takes the argument array as it is; dnnl::primitive::execute would build a vector on
// every call.
void BoundPrimitive::execute(Frame& frame) const {
    const dnnl_status_t status = dnnl_primitive_execute(
        m_primitive.get(), frame.stream().get(), static_cast<int>(m_args.size()), m_args.data());
    if (status != dnnl_success)
        throw_runtime("oneDNN primitive failed with status {}", static_cast<int>(status));
}

namespace {

class PrimitiveInstance : public StepInstance {
  public:
    PrimitiveInstance(const dnnl::primitive& primitive, const std::vector<PrimitiveArg>& args,
                      size_t scratchpad_bytes, Frame& frame)
        : m_bound(primitive, args, scratchpad_bytes, frame) {}

    void run(Frame& frame) override {
        m_bound.bind(frame);
        m_bound.execute(frame);
    }

  private:
    BoundPrimitive m_bound;
};

}  // namespace

PrimitiveStep::PrimitiveStep(dnnl::primitive primitive, std::vector<PrimitiveArg> args,
                             size_t scratchpad_bytes)
    : m_primitive(std::move(primitive)),
      m_args(std::move(args)),
      m_scratchpad_bytes(scratchpad_bytes) {
    for (const PrimitiveArg& arg : m_args) {
        const bool written =
            arg.arg == DNNL_ARG_DST || arg.arg == DNNL_ARG_DST_1 || arg.arg == DNNL_ARG_DST_2;
        (written ? writes : reads).push_back(arg.value);
    }
}

std::unique_ptr<StepInstance> PrimitiveStep::instantiate(Frame& frame) const {
    return std::make_unique<PrimitiveInstance>(m_primitive, m_args, m_scratchpad_bytes, frame);
}

}  // namespace es::devices::cpu
