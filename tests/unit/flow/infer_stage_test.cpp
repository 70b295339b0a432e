// The infer stage: each admitted frame of the street clip preprocessed into its slot's request,
// inferred asynchronously and decoded into the detections a direct run of the same model gives;
// a frame that cannot be preprocessed goes on with its error and starts no request.
#include "pipeline/flow/infer_stage.h"
#include "pipeline/source/source.h"
#include "tests/conformance/detect_frame.h"
#include "tests/unit/flow/stage_testing.h"

#include <doctest/doctest.h>

#include <condition_variable>
#include <mutex>

using namespace es;
using namespace es::pipeline;
using namespace std::chrono_literals;

namespace {

DecoderOptions person_options() {
    DecoderOptions options;
    options.kind = DecoderKind::ssd;
    options.threshold = 0.4f;
    options.labels = {"person"};
    return options;
}

// The detections of `frame` from a synchronous run of its own.
std::vector<Detection> direct_detections(const runtime::CompiledModel& model,
                                         const cv::Mat& frame) {
    const runtime::PortInfo& input = model.inputs()[0];
    Preprocessor preprocessor({}, input.type.shape, input.type.type, input.name);
    runtime::InferRequest request = model.create_infer_request();
    return testing::detect_frame(frame, preprocessor, model, request,
                                 *make_decoder(person_options(), model.outputs()));
}

// Hands slots from the stage's `done` to the test thread.
class Finished {
  public:
    void add(RequestSlot& slot) {
        {
            std::lock_guard lock(m_mutex);
            m_slots.push_back(&slot);
        }
        m_changed.notify_all();
    }
    RequestSlot& take() {
        std::unique_lock lock(m_mutex);
        REQUIRE(m_changed.wait_for(lock, 30s, [&] { return !m_slots.empty(); }));
        RequestSlot* slot = m_slots.front();
        m_slots.erase(m_slots.begin());
        return *slot;
    }

  private:
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::vector<RequestSlot*> m_slots;
};

}  // namespace

TEST_CASE("inference: frames are preprocessed, inferred and decoded as a direct run does") {
    const runtime::CompiledModel model = testing::person_detector();
    RequestPool pool(model, 2);
    Finished finished;
    InferStage stage(pool, make_decoder(person_options(), model.outputs()),
                     [&](RequestSlot& slot) { finished.add(slot); });
    const runtime::PortInfo& input = model.inputs()[0];
    Preprocessor preprocessor({}, input.type.shape, input.type.type, input.name);

    Source source(testing::source_spec("street", testing::street_clip()));
    source.start();
    size_t with_people = 0;
    constexpr int k_frames = 6;
    for (int i = 0; i < k_frames; ++i) {
        CAPTURE(i);
        std::optional<Frame> frame = source.pull(30s);
        REQUIRE(frame);
        const cv::Mat image = frame->bgr.clone();
        const bool keep = i % 2 == 0;
        RequestSlot& slot = pool.acquire();
        stage.start(slot, *frame, preprocessor, keep);
        RequestSlot& done = finished.take();
        REQUIRE(&done == &slot);
        CHECK(!slot.error);
        CHECK(slot.frame.bgr.empty() == !keep);
        const std::vector<Detection> expected = direct_detections(model, image);
        REQUIRE(slot.detections.size() == expected.size());
        for (size_t d = 0; d < expected.size(); ++d) {
            CHECK(slot.detections[d].x_min == doctest::Approx(expected[d].x_min).epsilon(1e-5));
            CHECK(slot.detections[d].y_max == doctest::Approx(expected[d].y_max).epsilon(1e-5));
            CHECK(slot.detections[d].confidence == doctest::Approx(expected[d].confidence));
            CHECK(slot.detections[d].label == "person");
        }
        with_people += expected.empty() ? 0 : 1;
        slot.frame.release();
        pool.release(slot);
    }
    CHECK(with_people >= k_frames / 2);
    CHECK(stage.latency().count() == k_frames);
    CHECK(stage.in_flight() == 0);

    Frame broken;  // no image: the preprocessor refuses it
    RequestSlot& slot = pool.acquire();
    stage.start(slot, broken, preprocessor, false);
    RequestSlot& done = finished.take();
    CHECK(&done == &slot);
    CHECK(slot.error);
    CHECK(stage.latency().count() == k_frames);  // no request started
    CHECK(stage.in_flight() == 0);
    pool.release(slot);
}
