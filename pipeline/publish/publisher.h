#pragma once

#include "pipeline/publish/frame_result.h"

#include <chrono>
#include <cstdint>
#include <string>

namespace es::pipeline {

struct OutputStats {
    std::string output;         // "mqtt tcp://host:1883", "file /path/results.jsonl", "stdout"
    uint64_t published = 0;     // messages accepted by publish() and publish_event()
    uint64_t delivered = 0;     // written (files), acknowledged by the broker (MQTT QoS 1, 2)
    uint64_t pending = 0;       // accepted, not yet delivered (MQTT: buffered or in flight)
    uint64_t dropped = 0;       // lost: the oldest dropped from a full buffer, or failed writes
    uint64_t failed_saves = 0;  // MQTT: saves of the seq state that failed
    bool connected = true;      // MQTT: connected to the broker
};

// Where results go. Every implementation writes the same JSON (result_json) and numbers
// messages per source, results and track events apart. All member functions are thread-safe.
class Publisher {
  public:
    virtual ~Publisher() = default;

    // Sends or queues one message; throws es::Error only when the output is unusable
    // (a file that cannot be written, a closed publisher).
    virtual void publish(const FrameResult& result) = 0;
    // The same for one track event, with the same guarantees (MQTT: on the events topic).
    virtual void publish_event(const EventResult& event) = 0;
    // Waits up to `timeout` until every message is written (files) or acknowledged (MQTT);
    // false when some are still pending.
    virtual bool flush(std::chrono::milliseconds timeout) = 0;
    // Flushes what it can and releases the output; publish() afterwards throws.
    virtual void close() = 0;
    virtual OutputStats stats() const = 0;
    // Publishes the pipeline's stats JSON where late readers still find it (MQTT: retained on
    // the output's stats topic); false when the output keeps no such messages or cannot send
    // now.
    virtual bool publish_stats(const std::string& /*payload*/) { return false; }
};

}  // namespace es::pipeline
