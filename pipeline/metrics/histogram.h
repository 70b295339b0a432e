#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace es::pipeline {

// Upper bounds of the latency buckets, in seconds: 5 ms .. 10 s; a last bucket takes the rest.
inline constexpr std::array<double, 12> k_latency_bounds{0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                         0.5,   1.0,  2.5,   5.0,  7.5, 10.0};

// What a LatencyHistogram held at one moment; `buckets[i]` counts the values <= bound i
// (cumulative), the last one (+Inf) counts every value.
struct HistogramSnapshot {
    std::array<uint64_t, k_latency_bounds.size() + 1> buckets{};
    double sum_seconds = 0;
    uint64_t count() const { return buckets.back(); }
};

// A latency histogram with fixed buckets that threads record into without locks or
// allocation.
class LatencyHistogram {
  public:
    void record(std::chrono::nanoseconds latency);
    HistogramSnapshot snapshot() const;

  private:
    std::array<std::atomic<uint64_t>, k_latency_bounds.size() + 1> m_counts{};  // not cumulative
    std::atomic<uint64_t> m_sum_ns{0};
};

}  // namespace es::pipeline
