#include "pipeline/flow/result_counters.h"

namespace es::pipeline {
namespace {

constexpr int64_t k_fps_window_ns = 1'000'000'000;
// An fps older than this is of a source that stalled: it reads 0.
constexpr int64_t k_fps_stale_ns = 3'000'000'000;

}  // namespace

void ResultCounters::count_result(int64_t now_ns, int64_t decoded_ns, int64_t since_start_ns) {
    m_latency.record(std::chrono::nanoseconds(now_ns - decoded_ns));
    m_last_result_ns = since_start_ns;
    if (m_window_start_ns == 0) {
        m_window_start_ns = now_ns;
        return;
    }
    ++m_window_results;
    const int64_t elapsed = now_ns - m_window_start_ns;
    if (elapsed < k_fps_window_ns) return;
    m_fps = static_cast<double>(m_window_results) * 1e9 / static_cast<double>(elapsed);
    m_fps_at_ns = now_ns;
    m_window_start_ns = now_ns;
    m_window_results = 0;
}

void ResultCounters::set_failure(std::string message) {
    std::lock_guard lock(m_failure_mutex);
    m_failure = std::move(message);
}

void ResultCounters::fill(SourceSummary& summary, int64_t now_ns) const {
    summary.dropped += superseded;
    summary.inferred = inferred;
    summary.published = published;
    summary.detections = detections;
    summary.events = events;
    summary.classified = classified;
    summary.errors = errors;
    summary.seconds = static_cast<double>(m_last_result_ns) / 1e9;
    summary.fps = now_ns - m_fps_at_ns < k_fps_stale_ns ? m_fps.load() : 0.0;
    summary.latency = m_latency.snapshot();
    std::lock_guard lock(m_failure_mutex);
    summary.message = m_failure;
}

}  // namespace es::pipeline
