#include "pipeline/source/frame_queue.h"

namespace es::pipeline {

FrameQueue::FrameQueue(size_t capacity, bool leaky) : m_capacity(capacity), m_leaky(leaky) {}

FrameQueue::Pushed FrameQueue::push(Frame&& frame) {
    std::unique_lock lock(m_mutex);
    if (!m_leaky)
        m_changed.wait(lock,
                       [&] { return m_closed || !m_accepting || m_frames.size() < m_capacity; });
    if (m_closed || !m_accepting) return Pushed::Rejected;
    Pushed result = Pushed::Queued;
    if (m_frames.size() >= m_capacity) {
        m_frames.pop_front();
        result = Pushed::QueuedDroppingOldest;
    }
    m_frames.push_back(std::move(frame));
    m_changed.notify_all();
    return result;
}

std::optional<Frame> FrameQueue::pop(std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_mutex);
    m_changed.wait_for(lock, timeout, [&] { return m_closed || !m_frames.empty(); });
    if (m_frames.empty()) return std::nullopt;
    Frame frame = std::move(m_frames.front());
    m_frames.pop_front();
    m_changed.notify_all();
    return frame;
}

void FrameQueue::set_accepting(bool accepting) {
    std::lock_guard lock(m_mutex);
    m_accepting = accepting;
    m_changed.notify_all();
}

void FrameQueue::close(bool discard) {
    std::lock_guard lock(m_mutex);
    m_closed = true;
    if (discard) m_frames.clear();
    m_changed.notify_all();
}

bool FrameQueue::done() {
    std::lock_guard lock(m_mutex);
    return m_closed && m_frames.empty();
}

}  // namespace es::pipeline
