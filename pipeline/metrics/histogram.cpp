#include "pipeline/metrics/histogram.h"

#include <algorithm>

namespace es::pipeline {

void LatencyHistogram::record(std::chrono::nanoseconds latency) {
    const int64_t ns = std::max<int64_t>(0, latency.count());
    const double seconds = static_cast<double>(ns) / 1e9;
    const size_t bucket = static_cast<size_t>(
        std::lower_bound(k_latency_bounds.begin(), k_latency_bounds.end(), seconds) -
        k_latency_bounds.begin());
    m_counts[bucket].fetch_add(1, std::memory_order_relaxed);
    m_sum_ns.fetch_add(static_cast<uint64_t>(ns), std::memory_order_relaxed);
}

HistogramSnapshot LatencyHistogram::snapshot() const {
    HistogramSnapshot snapshot;
    uint64_t total = 0;
    for (size_t i = 0; i < m_counts.size(); ++i) {
        total += m_counts[i].load(std::memory_order_relaxed);
        snapshot.buckets[i] = total;
    }
    snapshot.sum_seconds = static_cast<double>(m_sum_ns.load(std::memory_order_relaxed)) / 1e9;
    return snapshot;
}

}  // namespace es::pipeline
