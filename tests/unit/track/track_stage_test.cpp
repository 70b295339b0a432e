// The track stage of a pipeline: ids into a frame's objects (boxes in pixels), time from the
// stream where it moves forward, and the tracks that end with the stream.
#include "pipeline/track/track_stage.h"

#include <doctest/doctest.h>

using namespace es::pipeline;

namespace {

Detection person(float x, float confidence = 0.9f) {
    return {x, 0.2f, x + 0.1f, 0.6f, confidence, 1, "person"};
}

constexpr int64_t k_frame_ns = 40'000'000;  // 25 frames/s

}  // namespace

TEST_CASE("the track stage gives objects ids and pixel boxes, and events their zones") {
    TrackConfig track;
    track.min_hits = 1;
    EventsConfig events;
    events.zones.push_back({"right", {{0.5f, 0.0f}, {1.0f, 0.0f}, {1.0f, 1.0f}, {0.5f, 1.0f}}});
    TrackStage stage(track, events, 0.5f);
    FrameResult result;
    result.width = 1000;
    result.height = 500;

    std::vector<TrackEventType> seen;
    for (int frame = 0; frame < 20; ++frame) {
        const std::vector<Detection> detections = {person(0.3f + 0.02f * frame)};
        for (const TrackEvent& event :
             stage.run(detections, frame * k_frame_ns, 1'000'000'000 + frame * k_frame_ns, result))
            seen.push_back(event.type);
        REQUIRE(result.objects.size() == 1);
        const ObjectResult& object = result.objects[0];
        CHECK(object.id == 1);
        CHECK(object.label == "person");
        CHECK(object.x == doctest::Approx(1000 * object.bounding_box.x_min).epsilon(0.01));
        CHECK(object.h == doctest::Approx(500 * 0.4).epsilon(0.05));
    }
    // Its feet cross x = 0.5 at frame 10 (centre 0.35 + 0.02·frame).
    CHECK(seen == std::vector<TrackEventType>{TrackEventType::started, TrackEventType::entered});
    std::vector<TrackEventType> at_end;
    for (const TrackEvent& event : stage.finish())
        at_end.push_back(event.type);
    CHECK(at_end == std::vector<TrackEventType>{TrackEventType::left, TrackEventType::ended});
}

TEST_CASE("the track stage runs on stream time, and on the clock where the stream jumps back") {
    TrackConfig track;
    track.max_age_s = 1.0;
    track.min_hits = 1;
    TrackStage stage(track, EventsConfig{}, 0.5f);
    FrameResult result;
    result.width = result.height = 100;
    const std::vector<Detection> one = {person(0.4f)};
    const std::vector<Detection> none;

    // Decoded faster than real time: 2 s of stream in 0.2 s. The track ends on stream time.
    stage.run(one, 0, 0, result);
    REQUIRE(result.objects.size() == 1);
    CHECK(!result.objects[0].predicted);
    int64_t ended_at = -1;
    for (int frame = 1; frame <= 50; ++frame) {
        stage.run(none, frame * k_frame_ns, frame * 4'000'000, result);
        for (const ObjectResult& object : result.objects)
            CHECK(object.predicted);
        if (ended_at < 0 && result.objects.empty()) ended_at = frame;
    }
    // Reported while it coasts (0.5 s of stream: 12 frames; 125 by the clock), then lost.
    CHECK(ended_at > 5);
    CHECK(ended_at <= 14);

    // A looping file: the stream time starts over. Time goes on by the clock, so a track seen
    // again right after is the same track, not one frozen at the old time.
    TrackStage looping(track, EventsConfig{}, 0.5f);
    looping.run(one, 9'000'000'000, 0, result);
    const auto id = result.objects.at(0).id;
    looping.run(one, 0, k_frame_ns, result);
    REQUIRE(result.objects.size() == 1);
    CHECK(result.objects[0].id == id);
}

TEST_CASE("the decoder keeps the low-confidence detections a tracker continues tracks with") {
    CHECK(decoder_threshold(0.5f, std::nullopt) == 0.5f);
    TrackConfig track;
    track.low_threshold = 0.1f;
    CHECK(decoder_threshold(0.5f, track) == 0.1f);
    track.low_threshold = 0.7f;
    CHECK(decoder_threshold(0.5f, track) == 0.5f);
}
