#include "pipeline/flow/admit_stage.h"

#include <algorithm>
#include <optional>

namespace es::pipeline {
namespace {

constexpr std::chrono::milliseconds k_pull_timeout{200};

bool finished(SourceState state) {
    return state == SourceState::Ended || state == SourceState::Failed ||
           state == SourceState::Stopped;
}

}  // namespace

AdmitStage::AdmitStage(Options options, Source& source, RequestPool& pool, ResultCounters& counters)
    : m_options(std::move(options)), m_source(source), m_pool(pool), m_counters(counters) {}

void AdmitStage::run(const std::atomic<bool>& stopping, const Infer& infer, const Pass& pass) {
    const auto interval = static_cast<uint64_t>(std::max(1, m_options.inference_interval));
    uint64_t seen = 0;
    for (;;) {
        std::optional<Frame> frame = m_source.pull(k_pull_timeout);
        if (!frame) {
            if (!stopping && !finished(m_source.status().state)) continue;
            frame = m_source.pull(std::chrono::milliseconds(0));  // one that came meanwhile
            if (!frame) break;
        }
        const bool skipped = seen++ % interval != 0;
        if (skipped && !m_options.pass_skipped) continue;

        RequestSlot& slot = m_pool.acquire();
        try {
            slot.request.wait();  // its callback may still be returning
        } catch (...) {
            // That run's error was handled by its callback.
        }
        if (m_source.is_live() && !skipped)
            while (auto newer = m_source.pull(std::chrono::milliseconds(0))) {
                frame = std::move(newer);
                ++m_counters.superseded;
            }
        describe(slot, *frame, skipped);
        try {
            if (slot.take_snapshot) frame->bgr.copyTo(slot.snapshot);
        } catch (...) {
            slot.error = std::current_exception();
            pass(slot);
            continue;
        }
        if (skipped) {
            frame->release();
            pass(slot);
        } else {
            infer(slot, *frame);
        }
    }
}

void AdmitStage::describe(RequestSlot& slot, const Frame& frame, bool skipped) {
    slot.source = m_options.source_index;
    slot.order = m_admitted++;
    slot.error = nullptr;
    slot.skipped = skipped;
    slot.result.source = m_options.source_id;
    slot.result.frame = frame.frame_number;
    slot.result.timestamp_ns = frame.wall_time_ns;
    slot.result.width = frame.width;
    slot.result.height = frame.height;
    slot.take_snapshot = m_options.snapshot_every > 0 && slot.order % m_options.snapshot_every == 0;
    slot.decoded_ns = frame.steady_time_ns;
    slot.pts_ns = frame.pts_ns;
}

}  // namespace es::pipeline
