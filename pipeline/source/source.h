#pragma once

#include "pipeline/source/frame.h"
#include "pipeline/source/source_spec.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace es::pipeline {

enum class SourceState {
    Idle,        // not started
    Connecting,  // pipeline starting, no frame yet
    Playing,     // frames arrive
    Retrying,    // failed or ended; waiting `retry_in` before the next attempt
    Ended,       // a file reached its end (loop off)
    Failed,      // gave up: bad URI, missing plugin, or a file that cannot be decoded (loop off)
    Stopped,     // stop() was called
};

const char* to_string(SourceState state);

struct SourceStatus {
    std::string source_id;
    SourceState state = SourceState::Idle;
    std::string message;  // the GStreamer error text for Retrying and Failed
    std::chrono::milliseconds retry_in{0};
};

struct SourceCounters {
    uint64_t frames = 0;         // frames decoded (delivered + dropped + queued)
    uint64_t dropped = 0;        // live: older frames replaced by newer ones a slow consumer missed
    uint64_t restarts = 0;       // new attempts after failures, and loops of a file
    uint64_t reconnects = 0;     // new attempts after failures only
    uint64_t decode_errors = 0;  // errors and decoder warnings GStreamer reported
};

// One video source running its own GStreamer pipeline on its own threads: decoding, restarts
// with exponential backoff, and a bounded frame queue (live: keeps the newest frame; files:
// the decoder waits for the consumer). Frames reach either a callback or pull().
class Source {
  public:
    using FrameCallback = std::function<void(Frame&&)>;
    using StatusCallback = std::function<void(const SourceStatus&)>;

    // Throws es::Error (BadInput) for a negative fps or resolution.
    explicit Source(SourceSpec spec, RetryPolicy retry = {});
    ~Source();  // stops
    Source(const Source&) = delete;
    Source& operator=(const Source&) = delete;

    // Starts the pipeline. With `on_frame`, frames go to it on the source's delivery thread
    // (one at a time, in order); without, the consumer calls pull(). `on_status` runs on the
    // source's control thread at every state change. Neither may call stop().
    void start(FrameCallback on_frame = {}, StatusCallback on_status = {});
    // Stops the pipeline and joins the threads; frames still queued are discarded.
    void stop();

    // The next frame; nullopt after `timeout`, or once the source has ended, failed or
    // stopped and every queued frame has been taken.
    std::optional<Frame> pull(std::chrono::milliseconds timeout);

    const SourceSpec& spec() const;
    bool is_live() const;
    SourceStatus status() const;
    SourceCounters counters() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace es::pipeline
