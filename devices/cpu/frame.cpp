#include "devices/cpu/plan.h"

#include <cstdlib>
#include <new>

namespace es::devices::cpu {
namespace {

constexpr size_t k_alignment = 64;

}  // namespace

Frame::Frame(const Plan& plan)
    : m_plan(plan), m_dynamic(plan.dynamic_slots), m_stream(cpu_engine()) {
    const size_t bytes =
        (std::max<size_t>(plan.arena_bytes, 1) + k_alignment - 1) / k_alignment * k_alignment;
    m_arena.reset(static_cast<std::byte*>(std::aligned_alloc(k_alignment, bytes)));
    if (!m_arena) throw std::bad_alloc();
}

void Frame::bind(const std::vector<Tensor>& inputs, std::vector<Tensor>& outputs) {
    m_inputs = &inputs;
    m_outputs = &outputs;
}

bool Frame::is_volatile(ValueId id) const {
    const Storage storage = m_plan.values[static_cast<size_t>(id)].storage;
    return storage == Storage::input || storage == Storage::output || storage == Storage::dynamic;
}

std::byte* Frame::address(ValueId id) const {
    const Value& value = m_plan.values[static_cast<size_t>(id)];
    const auto index = static_cast<size_t>(value.index);
    switch (value.storage) {
        case Storage::arena:
            return m_arena.get() + m_plan.buffers[index].offset;
        case Storage::input:
            return const_cast<std::byte*>((*m_inputs)[index].bytes());
        case Storage::output:
            return (*m_outputs)[index].bytes();
        case Storage::constant:
            return const_cast<std::byte*>(m_plan.constants[index].bytes());
        case Storage::dynamic:
            return const_cast<std::byte*>(m_dynamic[index].bytes());
    }
    return nullptr;
}

}  // namespace es::devices::cpu
