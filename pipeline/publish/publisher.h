#pragma once

#include "pipeline/publish/frame_result.h"

#include <chrono>

namespace es::pipeline {

// Where results go. Every implementation writes the same JSON (result_json) and numbers
// messages per source. All member functions are thread-safe.
class Publisher {
  public:
    virtual ~Publisher() = default;

    // Sends or queues one message; throws es::Error only when the output is unusable
    // (a file that cannot be written, a closed publisher).
    virtual void publish(const FrameResult& result) = 0;
    // Waits up to `timeout` until every message is written (files) or acknowledged (MQTT);
    // false when some are still pending.
    virtual bool flush(std::chrono::milliseconds timeout) = 0;
    // Flushes what it can and releases the output; publish() afterwards throws.
    virtual void close() = 0;
};

}  // namespace es::pipeline
