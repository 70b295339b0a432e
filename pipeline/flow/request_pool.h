#pragma once

#include "inference/core/tensor.h"
#include "inference/runtime/compiled_model.h"
#include "pipeline/postprocess/detection.h"
#include "pipeline/preprocess/letterbox.h"
#include "pipeline/publish/frame_result.h"
#include "pipeline/source/frame.h"

#include <opencv2/core/mat.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <vector>

namespace es::pipeline {

// Now on the steady clock, in the nanoseconds of a slot's times.
inline int64_t steady_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// One infer request and everything a frame needs on its way from admission to the outputs;
// the vectors and images are reused from frame to frame.
struct RequestSlot {
    explicit RequestSlot(runtime::InferRequest request) : request(std::move(request)) {}

    runtime::InferRequest request;
    size_t source = 0;   // index of the source in its pipeline
    uint64_t order = 0;  // 0, 1, 2 ... per source in admission order
    FrameResult result;  // metadata set at admission, objects after decoding
    LetterboxTransform transform;
    std::vector<Tensor> outputs;
    std::vector<Detection> detections;
    Frame frame;       // with classifiers: the decoded frame, kept for the classify stage
    cv::Mat snapshot;  // a copy of the frame when a snapshot of it is due
    bool take_snapshot = false;
    bool skipped = false;      // the model skips this frame (inference_interval): tracks predict it
    std::exception_ptr error;  // what went wrong with this frame, if anything

    int64_t decoded_ns = 0;        // steady clock: when the frame left the decoder
    int64_t pts_ns = -1;           // the frame's stream time; -1 when unknown
    int64_t infer_started_ns = 0;  // steady clock: when its request started
};

// A fixed set of request slots: acquire() blocks until one is free.
class RequestPool {
  public:
    RequestPool(const runtime::CompiledModel& model, int size);

    RequestSlot& acquire();
    void release(RequestSlot& slot);
    // Blocks until every slot is free.
    void wait_idle();

    std::vector<std::unique_ptr<RequestSlot>>& slots() { return m_slots; }

  private:
    std::vector<std::unique_ptr<RequestSlot>> m_slots;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::vector<RequestSlot*> m_free;
};

}  // namespace es::pipeline
