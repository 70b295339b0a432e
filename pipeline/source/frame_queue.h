#pragma once

#include "pipeline/source/frame.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

namespace es::pipeline {

// The frames between a source's decoder thread and its consumer. Leaky (live sources): when
// full, the oldest frame makes room for the newest. Blocking (files): push waits for room,
// so the decoder runs no further ahead than the consumer.
class FrameQueue {
  public:
    enum class Pushed { Queued, QueuedDroppingOldest, Rejected };

    FrameQueue(size_t capacity, bool leaky);

    // Rejected: the queue is closed or not accepting (a pipeline being torn down).
    Pushed push(Frame&& frame);
    // The oldest frame; nullopt after `timeout`, or at once when closed and empty.
    std::optional<Frame> pop(std::chrono::milliseconds timeout);
    // While not accepting, push rejects instead of waiting, so a decoder never blocks teardown.
    void set_accepting(bool accepting);
    // Ends the stream: pop returns what is queued (nothing when `discard`), then nullopt.
    void close(bool discard);
    // Closed and empty: pop will never return a frame again.
    bool done();

  private:
    const size_t m_capacity;
    const bool m_leaky;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<Frame> m_frames;
    bool m_accepting = true;
    bool m_closed = false;
};

}  // namespace es::pipeline
