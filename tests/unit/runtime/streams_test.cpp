#include "inference/core/error.h"
#include "inference/runtime/runtime_config.h"

#include <doctest/doctest.h>

using namespace es;
using runtime::PerformanceHint;
using runtime::resolve_streams;
using runtime::RuntimeConfig;

namespace {

void check_streams(const runtime::StreamsConfig& streams, int nstreams, int threads_per_stream,
                   int nthreads, int optimal_nireq) {
    CHECK(streams.nstreams == nstreams);
    CHECK(streams.threads_per_stream == threads_per_stream);
    CHECK(streams.nthreads == nthreads);
    CHECK(streams.optimal_nireq == optimal_nireq);
}

}  // namespace

TEST_CASE("latency: one stream using every core, one request") {
    check_streams(resolve_streams({.hint = PerformanceHint::latency}, 8), 1, 8, 8, 1);
    check_streams(resolve_streams({.hint = PerformanceHint::latency}, 1), 1, 1, 1, 1);
    check_streams(resolve_streams({.hint = PerformanceHint::latency, .nthreads = 3}, 8), 1, 3, 3,
                  1);
}

TEST_CASE("throughput: one single-thread stream per core, two requests per stream") {
    check_streams(resolve_streams({.hint = PerformanceHint::throughput}, 8), 8, 1, 8, 16);
    check_streams(resolve_streams({.hint = PerformanceHint::throughput, .nthreads = 4}, 8), 4, 1, 4,
                  8);
}

TEST_CASE("explicit nstreams and nthreads override the hint") {
    check_streams(resolve_streams({.hint = PerformanceHint::throughput, .nstreams = 2}, 8), 2, 4, 8,
                  4);
    check_streams(resolve_streams({.hint = PerformanceHint::latency, .nstreams = 2}, 8), 2, 4, 8,
                  2);
    // 3 streams of 5 threads would leave 2 of them idle: 3 × 1 ≤ 5
    check_streams(
        resolve_streams({.hint = PerformanceHint::throughput, .nstreams = 3, .nthreads = 5}, 8), 3,
        1, 5, 6);
    check_streams(resolve_streams({.nstreams = 4, .nthreads = 8}, 8), 4, 2, 8, 4);
}

TEST_CASE("over-subscription and negative values are rejected, naming the option") {
    CHECK_THROWS_WITH_AS(resolve_streams({.nthreads = 9}, 8),
                         doctest::Contains("nthreads 9: more than the 8 cores"), Error);
    CHECK_THROWS_WITH_AS(resolve_streams({.nstreams = 9}, 8),
                         doctest::Contains("nstreams 9: each stream needs a thread"), Error);
    CHECK_THROWS_WITH_AS(resolve_streams({.nstreams = 3, .nthreads = 2}, 8),
                         doctest::Contains("only 2 (nthreads)"), Error);
    CHECK_THROWS_WITH_AS(resolve_streams({.nstreams = -1}, 8), doctest::Contains("nstreams -1"),
                         Error);
    CHECK_THROWS_WITH_AS(resolve_streams({.nthreads = -2}, 8), doctest::Contains("nthreads -2"),
                         Error);
    try {
        resolve_streams({.nthreads = 9}, 8);
    } catch (const Error& error) {
        CHECK(error.kind() == ErrorKind::BadInput);
    }
}

TEST_CASE("available cores come from the affinity mask") {
    CHECK(runtime::available_cores() >= 1);
}
