#include "pipeline/flow/request_pool.h"

namespace es::pipeline {

RequestPool::RequestPool(const runtime::CompiledModel& model, int size) {
    for (int i = 0; i < size; ++i) {
        m_slots.push_back(std::make_unique<RequestSlot>(model.create_infer_request()));
        m_free.push_back(m_slots.back().get());
    }
}

RequestSlot& RequestPool::acquire() {
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [&] { return !m_free.empty(); });
    RequestSlot* slot = m_free.back();
    m_free.pop_back();
    return *slot;
}

void RequestPool::release(RequestSlot& slot) {
    {
        std::lock_guard lock(m_mutex);
        m_free.push_back(&slot);
    }
    m_changed.notify_all();
}

void RequestPool::wait_idle() {
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [&] { return m_free.size() == m_slots.size(); });
}

}  // namespace es::pipeline
