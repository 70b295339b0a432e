#include "pipeline/flow/infer_stage.h"

namespace es::pipeline {

InferStage::InferStage(RequestPool& pool, std::unique_ptr<Decoder> decoder, Done done)
    : m_decoder(std::move(decoder)), m_done(std::move(done)) {
    for (auto& slot : pool.slots())
        slot->request.set_callback(
            [this, slot = slot.get()](std::exception_ptr error) { on_inferred(*slot, error); });
}

void InferStage::start(RequestSlot& slot, Frame& frame, Preprocessor& preprocessor,
                       bool keep_frame) {
    bool in_flight = false;
    try {
        slot.transform = preprocessor.run(frame.bgr, slot.request.input(0), 0);
        if (keep_frame)
            slot.frame = std::move(frame);
        else
            frame.release();
        slot.infer_started_ns = steady_ns();
        ++m_in_flight;
        in_flight = true;
        slot.request.start_async();
    } catch (...) {
        if (in_flight) --m_in_flight;
        slot.error = std::current_exception();
        m_done(slot);
    }
}

void InferStage::on_inferred(RequestSlot& slot, std::exception_ptr error) {
    --m_in_flight;
    if (!error) {
        m_latency.record(std::chrono::nanoseconds(steady_ns() - slot.infer_started_ns));
        try {
            slot.outputs.clear();
            for (size_t i = 0; i < slot.request.outputs().size(); ++i)
                slot.outputs.push_back(slot.request.output(i));
            slot.detections.clear();
            m_decoder->decode(slot.outputs, 0, slot.transform, slot.detections);
        } catch (...) {
            error = std::current_exception();
        }
    }
    slot.error = error;
    m_done(slot);
}

}  // namespace es::pipeline
