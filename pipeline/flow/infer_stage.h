#pragma once

#include "pipeline/flow/request_pool.h"
#include "pipeline/metrics/histogram.h"
#include "pipeline/postprocess/decoder.h"
#include "pipeline/preprocess/preprocessor.h"

#include <atomic>
#include <functional>
#include <memory>

namespace es::pipeline {

// Runs the model on admitted frames, one request per frame: preprocessing into the request's
// input (with the frame's source's Preprocessor), the asynchronous inference, and on its
// completion, on the request's own thread, the decoding of the outputs into the slot's
// detections. Every slot then goes to `done`, with `error` set where a step failed.
class InferStage {
  public:
    using Done = std::function<void(RequestSlot&)>;

    // Takes over the callbacks of the pool's requests.
    InferStage(RequestPool& pool, std::unique_ptr<Decoder> decoder, Done done);

    // Preprocesses `frame` into the slot's request and starts it. The frame stays in the slot
    // where `keep_frame` (the classify stage crops it); else it is released.
    void start(RequestSlot& slot, Frame& frame, Preprocessor& preprocessor, bool keep_frame);

    // From starting a request to its completion.
    HistogramSnapshot latency() const { return m_latency.snapshot(); }
    int in_flight() const { return std::max(0, m_in_flight.load()); }

  private:
    void on_inferred(RequestSlot& slot, std::exception_ptr error);

    std::unique_ptr<Decoder> m_decoder;
    Done m_done;
    LatencyHistogram m_latency;
    std::atomic<int> m_in_flight{0};
};

}  // namespace es::pipeline
