#pragma once

#include "pipeline/flow/request_pool.h"
#include "pipeline/flow/result_counters.h"
#include "pipeline/source/source.h"

#include <atomic>
#include <functional>
#include <string>

namespace es::pipeline {

// The first stage of a source's frames, run on a thread of its own: pulls them from the source,
// picks those the model runs on (one in `inference_interval`; with tracking the others go on too,
// marked skipped, for the tracker to predict), waits for a free request slot, and on a live
// source takes the newest frame decoded meanwhile instead of the one that waited (the older ones
// counted as superseded). Each slot leaves with the frame's metadata and its place in the
// source's order.
class AdmitStage {
  public:
    struct Options {
        size_t source_index = 0;
        std::string source_id;
        int inference_interval = 1;
        bool pass_skipped = false;
        uint64_t snapshot_every = 0;  // a copy of every n-th admitted frame for snapshots; 0: none
    };
    // A slot whose frame the model runs on, with that frame.
    using Infer = std::function<void(RequestSlot&, Frame&)>;
    // A slot of a skipped frame, or of one whose admission failed (its `error` set).
    using Pass = std::function<void(RequestSlot&)>;

    AdmitStage(Options options, Source& source, RequestPool& pool, ResultCounters& counters);

    // Admits frames until no frame is left to pull once the source has ended, failed or
    // stopped, or `stopping` is set.
    void run(const std::atomic<bool>& stopping, const Infer& infer, const Pass& pass);

  private:
    // Sets the slot's order and the frame's metadata.
    void describe(RequestSlot& slot, const Frame& frame, bool skipped);

    Options m_options;
    Source& m_source;
    RequestPool& m_pool;
    ResultCounters& m_counters;
    uint64_t m_admitted = 0;
};

}  // namespace es::pipeline
