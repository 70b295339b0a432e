#pragma once

#include "pipeline/flow/pipeline_runner.h"
#include "pipeline/metrics/histogram.h"

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

namespace es::pipeline {

// What a pipeline counts of one source on the frames' way: written by its stages, read by
// summaries at any time.
class ResultCounters {
  public:
    std::atomic<uint64_t> superseded{0};  // live frames replaced by newer ones at admission
    std::atomic<uint64_t> inferred{0};
    std::atomic<uint64_t> published{0};
    std::atomic<uint64_t> detections{0};
    std::atomic<uint64_t> events{0};
    std::atomic<uint64_t> classified{0};
    std::atomic<uint64_t> errors{0};

    // A result reached the outputs at `now_ns` (steady clock) of a frame decoded at
    // `decoded_ns`, `since_start_ns` after the pipeline started. One caller at a time (the
    // source's publish stage).
    void count_result(int64_t now_ns, int64_t decoded_ns, int64_t since_start_ns);
    void set_failure(std::string message);

    // Fills the counted fields of `summary`; its fps is 0 when no result came for a while
    // before `now_ns`.
    void fill(SourceSummary& summary, int64_t now_ns) const;

  private:
    std::atomic<int64_t> m_last_result_ns{0};  // since the start
    LatencyHistogram m_latency;                // from leaving the decoder to the outputs
    // Results per second over windows of about a second.
    int64_t m_window_start_ns = 0;
    uint64_t m_window_results = 0;
    std::atomic<double> m_fps{0};
    std::atomic<int64_t> m_fps_at_ns{0};
    mutable std::mutex m_failure_mutex;
    std::string m_failure;  // the source's last error
};

}  // namespace es::pipeline
