// The service watchdog's progress rule, on summaries taken at chosen times.
#include "pipeline/service/progress_watch.h"

#include <doctest/doctest.h>

using es::pipeline::PipelineSummary;
using es::pipeline::ProgressWatch;
using es::pipeline::SourceSummary;
using namespace std::chrono_literals;

namespace {

PipelineSummary pipeline(const std::string& state, uint64_t decoded, uint64_t dropped,
                         uint64_t inferred, uint64_t errors = 0) {
    SourceSummary source;
    source.source = "cam";
    source.state = state;
    source.decoded = decoded;
    source.dropped = dropped;
    source.inferred = inferred;
    source.errors = errors;
    PipelineSummary summary;
    summary.pipeline = "p";
    summary.sources.push_back(source);
    return summary;
}

const ProgressWatch::Clock::time_point t0{};

}  // namespace

TEST_CASE("progress watch: inference completing keeps a playing source healthy") {
    ProgressWatch watch(30s);
    CHECK(watch.update({pipeline("playing", 10, 0, 5)}, t0));
    CHECK(watch.update({pipeline("playing", 20, 5, 6)}, t0 + 15s));
    CHECK(watch.update({pipeline("playing", 30, 10, 7)}, t0 + 30s));
    CHECK(watch.update({pipeline("playing", 30, 10, 7, 1)}, t0 + 45s));  // an error completes too
}

TEST_CASE("progress watch: a stuck decoder stalls its source after the window") {
    ProgressWatch watch(30s);
    CHECK(watch.update({pipeline("playing", 10, 0, 10)}, t0));
    CHECK(watch.update({pipeline("playing", 10, 0, 10)}, t0 + 15s));
    CHECK(watch.update({pipeline("playing", 10, 0, 10)}, t0 + 30s));
    CHECK_FALSE(watch.update({pipeline("playing", 10, 0, 10)}, t0 + 45s));
    REQUIRE(watch.stalled().size() == 1);
    CHECK(watch.stalled()[0] == "p/cam");
    CHECK(watch.update({pipeline("playing", 11, 0, 10)}, t0 + 60s));  // decoding again
    CHECK(watch.stalled().empty());
}

TEST_CASE("progress watch: stuck inference stalls a live source that only drops frames") {
    ProgressWatch watch(30s);
    CHECK(watch.update({pipeline("playing", 100, 0, 50)}, t0));
    CHECK(watch.update({pipeline("playing", 200, 90, 50)}, t0 + 20s));
    CHECK_FALSE(watch.update({pipeline("playing", 300, 190, 50)}, t0 + 40s));
}

TEST_CASE("progress watch: ended, retrying and failed sources are idle, not stalled") {
    for (const char* state : {"ended", "retrying", "failed", "stopped", "connecting"}) {
        INFO(state);
        ProgressWatch watch(30s);
        CHECK(watch.update({pipeline(state, 10, 0, 10)}, t0));
        CHECK(watch.update({pipeline(state, 10, 0, 10)}, t0 + 60s));
        CHECK(watch.update({pipeline(state, 10, 0, 10)}, t0 + 120s));
    }
}

TEST_CASE("progress watch: one stalled pipeline among healthy ones stalls the service") {
    ProgressWatch watch(30s);
    PipelineSummary healthy = pipeline("playing", 10, 0, 10);
    healthy.pipeline = "q";
    CHECK(watch.update({pipeline("playing", 10, 0, 10), healthy}, t0));
    healthy.sources[0].inferred = 20;
    CHECK(watch.update({pipeline("playing", 10, 0, 10), healthy}, t0 + 20s));
    healthy.sources[0].inferred = 30;
    CHECK_FALSE(watch.update({pipeline("playing", 10, 0, 10), healthy}, t0 + 40s));
    CHECK(watch.stalled() == std::vector<std::string>{"p/cam"});
}

TEST_CASE("status line counts pipelines, sources and frames") {
    const std::string line = es::pipeline::status_line(
        {pipeline("playing", 10, 2, 7, 1), pipeline("ended", 5, 0, 5)}, 1);
    CHECK(line ==
          "2 pipelines running (2 sources): 12 frames inferred, 2 dropped, 1 errors; 1 "
          "failed to start, retrying");
}
