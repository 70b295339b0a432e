// The tracker's rules on a few hand-made frames.
#include "pipeline/track/tracker.h"

#include <doctest/doctest.h>

#include <vector>

using namespace es::pipeline;

namespace {

Detection detection(float x, float y, float confidence = 0.9f, int label_id = 1) {
    Detection d;
    d.x_min = x - 0.03f;
    d.y_min = y - 0.1f;
    d.x_max = x + 0.03f;
    d.y_max = y + 0.1f;
    d.confidence = confidence;
    d.label_id = label_id;
    d.label = label_id == 1 ? "person" : "a label too long for the small string buffer";
    return d;
}

std::vector<int64_t> ids(std::span<const TrackedObject> objects) {
    std::vector<int64_t> result;
    for (const auto& object : objects)
        result.push_back(object.id);
    return result;
}

constexpr double k_dt = 1.0 / 30.0;

}  // namespace

TEST_CASE("tracker: a track is reported from its min_hits-th matched frame, then keeps its id") {
    Tracker tracker;
    CHECK(tracker.update(std::vector{detection(0.3f, 0.5f)}, 0.0).empty());
    auto objects = tracker.update(std::vector{detection(0.31f, 0.5f)}, k_dt);
    REQUIRE(objects.size() == 1);
    CHECK(objects[0].id == 1);
    CHECK(objects[0].label == "person");
    CHECK(objects[0].confidence == doctest::Approx(0.9f));
    CHECK_FALSE(objects[0].predicted);
    CHECK(objects[0].box.x_min == doctest::Approx(0.28f).epsilon(0.02));
    objects = tracker.update(std::vector{detection(0.32f, 0.5f)}, 2 * k_dt);
    CHECK(ids(objects) == std::vector<int64_t>{1});
}

TEST_CASE("tracker: a new track missed before it is confirmed is dropped, never reported") {
    TrackerOptions options;
    options.min_hits = 3;
    Tracker tracker(options);
    tracker.update(std::vector{detection(0.3f, 0.5f)}, 0.0);
    tracker.update(std::vector{detection(0.3f, 0.5f)}, k_dt);
    CHECK(tracker.update({}, 2 * k_dt).empty());
    CHECK(tracker.ended().empty());
    // Seen again: a new track, which needs three frames of its own.
    CHECK(tracker.update(std::vector{detection(0.3f, 0.5f)}, 3 * k_dt).empty());
    CHECK(tracker.update(std::vector{detection(0.3f, 0.5f)}, 4 * k_dt).empty());
    CHECK(ids(tracker.update(std::vector{detection(0.3f, 0.5f)}, 5 * k_dt)) ==
          std::vector<int64_t>{2});
}

TEST_CASE("tracker: missed tracks coast predicted, are then lost but keep their id, then end") {
    Tracker tracker;  // max_coast_s 0.5, max_age_s 2
    double time_s = 0.0;
    float x = 0.2f;
    for (int frame = 0; frame < 10; ++frame, time_s += k_dt, x += 0.005f)
        tracker.update(std::vector{detection(x, 0.5f)}, time_s);
    // Unseen for 0.4 s: reported, moved on by its velocity.
    std::span<const TrackedObject> objects;
    for (int frame = 0; frame < 12; ++frame, time_s += k_dt, x += 0.005f)
        objects = tracker.update({}, time_s);
    REQUIRE(objects.size() == 1);
    CHECK(objects[0].predicted);
    CHECK(0.5f * (objects[0].box.x_min + objects[0].box.x_max) ==
          doctest::Approx(x - 0.005f).epsilon(0.03));
    // Unseen for 1 s: lost, not reported.
    for (int frame = 0; frame < 18; ++frame, time_s += k_dt, x += 0.005f)
        objects = tracker.update({}, time_s);
    CHECK(objects.empty());
    CHECK(tracker.ended().empty());
    // Found where it would be: the same id.
    objects = tracker.update(std::vector{detection(x, 0.5f)}, time_s);
    CHECK(ids(objects) == std::vector<int64_t>{1});
    CHECK_FALSE(objects[0].predicted);
    // Unseen for over 2 s: ended, once.
    const double matched_s = time_s;
    for (int frame = 1; frame < 60; ++frame) {
        tracker.update({}, matched_s + frame * k_dt);
        CHECK(tracker.ended().empty());
    }
    time_s = matched_s + 2.05;
    tracker.update({}, time_s);
    CHECK(tracker.ended().size() == 1);
    CHECK(tracker.ended()[0] == 1);
    tracker.update({}, time_s + k_dt);
    CHECK(tracker.ended().empty());
}

TEST_CASE("tracker: ids increase and are never reused, labels never associate across ids") {
    Tracker tracker;
    // A person and a car at one place: two tracks.
    for (int frame = 0; frame < 3; ++frame)
        tracker.update(std::vector{detection(0.5f, 0.5f, 0.9f, 1), detection(0.5f, 0.5f, 0.8f, 2)},
                       frame * k_dt);
    auto objects = tracker.update(
        std::vector{detection(0.5f, 0.5f, 0.9f, 1), detection(0.5f, 0.5f, 0.8f, 2)}, 3 * k_dt);
    REQUIRE(objects.size() == 2);
    CHECK(objects[0].id == 1);
    CHECK(objects[0].label_id == 1);
    CHECK(objects[1].id == 2);
    CHECK(objects[1].label_id == 2);
    CHECK(objects[1].label == "a label too long for the small string buffer");
    // Only a car stays: the person's track does not take it.
    objects = tracker.update(std::vector{detection(0.5f, 0.5f, 0.8f, 2)}, 4 * k_dt);
    REQUIRE(objects.size() == 2);
    CHECK(objects[0].predicted);
    CHECK_FALSE(objects[1].predicted);
    // Both end; new objects get new ids.
    tracker.update({}, 10.0);
    CHECK(tracker.ended().size() == 2);
    tracker.update(std::vector{detection(0.5f, 0.5f)}, 10.0 + k_dt);
    objects = tracker.update(std::vector{detection(0.5f, 0.5f)}, 10.0 + 2 * k_dt);
    CHECK(ids(objects) == std::vector<int64_t>{3});
}

TEST_CASE("tracker: low-confidence detections continue tracks but never start them") {
    Tracker tracker;  // high 0.5, low 0.1
    tracker.update(std::vector{detection(0.5f, 0.5f, 0.9f)}, 0.0);
    tracker.update(std::vector{detection(0.5f, 0.5f, 0.9f)}, k_dt);
    // 0.3: continues track 1; elsewhere, starts nothing; below 0.1 is ignored.
    for (int frame = 2; frame < 30; ++frame) {
        const auto objects = tracker.update(
            std::vector{detection(0.5f, 0.5f, 0.3f), detection(0.2f, 0.2f, 0.3f)}, frame * k_dt);
        REQUIRE(ids(objects) == std::vector<int64_t>{1});
        CHECK_FALSE(objects[0].predicted);
        CHECK(objects[0].confidence == doctest::Approx(0.3f));
    }
    const auto objects = tracker.update(std::vector{detection(0.5f, 0.5f, 0.05f)}, 30 * k_dt);
    REQUIRE(objects.size() == 1);
    CHECK(objects[0].predicted);
}

TEST_CASE("tracker: predict moves reported boxes by the motion model and marks them predicted") {
    Tracker tracker;
    float x = 0.2f;
    for (int frame = 0; frame < 15; ++frame, x += 0.01f)
        tracker.update(std::vector{detection(x, 0.5f)}, frame * k_dt);
    // The last detection was at x - 0.01 at 14 dt; at 16 dt it is at x + 0.01.
    const auto objects = tracker.predict(16 * k_dt);
    REQUIRE(objects.size() == 1);
    CHECK(objects[0].predicted);
    CHECK(0.5f * (objects[0].box.x_min + objects[0].box.x_max) ==
          doctest::Approx(x + 0.01f).epsilon(0.02));
    // A track matched again after predictions keeps its id.
    CHECK(ids(tracker.update(std::vector{detection(x + 0.02f, 0.5f)}, 17 * k_dt)) ==
          std::vector<int64_t>{1});
}

TEST_CASE("tracker: options that cannot work are errors") {
    TrackerOptions options;
    options.low_threshold = 0.6f;
    CHECK_THROWS_WITH(Tracker{options}, "tracker: low_threshold 0.6 is above high_threshold 0.5");
    options = {};
    options.min_hits = 0;
    CHECK_THROWS_WITH(Tracker{options}, "tracker: min_hits is 0, expected at least 1");
    options = {};
    options.match_buffer = -0.1f;
    CHECK_THROWS_WITH(Tracker{options}, "tracker: match_buffer is -0.1, expected 0 or more");
}

// A far-away person: a box 0.02 wide whose detection lands 0.012 beyond where the track predicts
// it (an overlap of 0.25 by plain IoU). Widened by 30% on each side, the boxes overlap by 0.45.
TEST_CASE("tracker: a small object a little off its predicted box keeps its track") {
    const auto small = [](float x) {
        Detection d = detection(x, 0.5f);
        d.x_min = x - 0.01f;
        d.x_max = x + 0.01f;
        return d;
    };
    for (const float buffer : {0.3f, 0.0f}) {
        CAPTURE(buffer);
        TrackerOptions options;
        options.match_buffer = buffer;
        Tracker tracker(options);
        for (int frame = 0; frame < 4; ++frame)
            tracker.update(std::vector{small(0.3f)}, frame * k_dt);
        const auto objects = tracker.update(std::vector{small(0.312f)}, 4 * k_dt);
        REQUIRE(!objects.empty());
        if (buffer > 0.0f)
            CHECK(ids(objects) == std::vector<int64_t>{1});
        else
            CHECK(objects[0].predicted);  // unmatched: the detection starts a track of its own
    }
}
