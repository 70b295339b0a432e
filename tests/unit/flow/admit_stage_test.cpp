// The admit stage on real sources: a video file's frames in order, one in inference_interval to
// the model (the others passed on, marked skipped, where tracking asks for them), snapshot
// copies; a live source whose requests are all busy has its newest frame inferred.
#include "pipeline/flow/admit_stage.h"
#include "tests/unit/flow/stage_testing.h"

#include <doctest/doctest.h>

#include <thread>

using namespace es;
using namespace es::pipeline;
using namespace std::chrono_literals;

namespace {

struct Admitted {
    uint64_t order;
    uint64_t frame;
    bool skipped;
    bool inferred;  // reached the model, not passed on
    bool snapshot;  // a copy of the frame was taken for a snapshot
};

}  // namespace

TEST_CASE("admission: a file's frames in order, one in inference_interval to the model") {
    const runtime::CompiledModel model = testing::person_detector();
    for (const bool pass_skipped : {false, true}) {
        CAPTURE(pass_skipped);
        Source source(testing::source_spec("street", testing::street_clip()));
        source.start();
        RequestPool pool(model, 2);
        ResultCounters counters;
        AdmitStage stage({.source_index = 3,
                          .source_id = "street",
                          .inference_interval = 4,
                          .pass_skipped = pass_skipped,
                          .snapshot_every = 5},
                         source, pool, counters);
        std::vector<Admitted> admitted;
        const auto record = [&](RequestSlot& slot, bool inferred) {
            CHECK(slot.source == 3);
            CHECK(slot.result.source == "street");
            CHECK(slot.result.width == 768);
            CHECK(slot.result.height == 576);
            CHECK(!slot.error);
            admitted.push_back({slot.order, slot.result.frame, slot.skipped, inferred,
                                slot.take_snapshot && !slot.snapshot.empty()});
            pool.release(slot);
        };
        const std::atomic<bool> stopping{false};
        stage.run(
            stopping,
            [&](RequestSlot& slot, Frame& frame) {
                CHECK(frame.bgr.cols == 768);
                frame.release();
                record(slot, true);
            },
            [&](RequestSlot& slot) { record(slot, false); });

        const uint64_t decoded = source.counters().frames;
        REQUIRE(decoded >= 190);
        const uint64_t stride = pass_skipped ? 1 : 4;
        REQUIRE(admitted.size() == (decoded + stride - 1) / stride);
        for (size_t i = 0; i < admitted.size(); ++i) {
            CAPTURE(i);
            const Admitted& a = admitted[i];
            CHECK(a.order == i);
            CHECK(a.frame == admitted[0].frame + i * stride);
            CHECK(a.skipped == (a.frame % 4 != admitted[0].frame % 4));
            CHECK(a.inferred == !a.skipped);
            CHECK(a.snapshot == (i % 5 == 0));
        }
        CHECK(counters.superseded == 0);
    }
}

TEST_CASE("admission: a live source whose requests are all busy has its newest frame inferred") {
    const runtime::CompiledModel model = testing::person_detector();
    Source source(testing::source_spec("cam", "test://?pattern=ball&width=160&height=120&fps=100"));
    source.start();
    RequestPool pool(model, 1);
    ResultCounters counters;
    AdmitStage stage({.source_id = "cam"}, source, pool, counters);
    std::atomic<bool> stopping{false};
    std::vector<uint64_t> frames;
    // Each slot comes back 60 ms after admission, as a slow model's would: the source decodes
    // about six frames meanwhile.
    std::vector<std::thread> releases;
    std::thread stopper([&] {
        std::this_thread::sleep_for(1500ms);
        stopping = true;
        source.stop();
    });
    stage.run(
        stopping,
        [&](RequestSlot& slot, Frame& frame) {
            frames.push_back(slot.result.frame);
            frame.release();
            releases.emplace_back([&pool, &slot] {
                std::this_thread::sleep_for(60ms);
                pool.release(slot);
            });
        },
        [&](RequestSlot& slot) {
            FAIL("a frame passed on: every frame is inferred without an interval");
            pool.release(slot);
        });
    stopper.join();
    for (auto& release : releases)
        release.join();
    REQUIRE(frames.size() >= 5);
    CHECK(counters.superseded > 0);
    for (size_t i = 1; i < frames.size(); ++i)
        CHECK(frames[i] > frames[i - 1]);
    // Admitted frames are the newest ones: several frames apart, not consecutive.
    CHECK(frames.back() - frames.front() >= 3 * (frames.size() - 1));
}
