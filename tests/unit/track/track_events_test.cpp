// Track events: new and end once per track, zone enter and leave where generated paths cross.
#include "pipeline/track/track_events.h"
#include "pipeline/track/tracker.h"
#include "tests/unit/track/track_scenes.h"

#include <doctest/doctest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

using namespace es::pipeline;
using namespace es::testing;

namespace {

// An event as "type id zone @frame".
using EventLog = std::vector<std::string>;

std::string joined(const EventLog& log) {
    std::string text;
    for (const std::string& entry : log)
        text += (text.empty() ? "" : ", ") + entry;
    return text;
}

std::string describe(const TrackEvent& event, int frame) {
    std::string text = std::string(to_string(event.type)) + " " + std::to_string(event.track_id);
    if (!event.zone.empty()) text += " " + event.zone;
    return text + " @" + std::to_string(frame);
}

// Tracks `scene` and turns it into events; then, with no detections, runs the tracker on until
// every track has ended.
EventLog scene_events(const std::vector<SceneFrame>& scene, TrackEvents& events,
                      std::set<int64_t>* reported = nullptr) {
    Tracker tracker;
    EventLog log;
    const auto record = [&](std::span<const TrackedObject> objects, double time_s, int frame) {
        for (const TrackedObject& object : objects)
            if (reported) reported->insert(object.id);
        for (const TrackEvent& event : events.update(objects, tracker.ended(), time_s)) {
            CHECK(event.time_s == time_s);
            log.push_back(describe(event, frame));
        }
    };
    for (size_t frame = 0; frame < scene.size(); ++frame)
        record(tracker.update(scene[frame].detections, scene[frame].time_s), scene[frame].time_s,
               static_cast<int>(frame));
    const double end_s = scene.back().time_s + tracker.options().max_age_s + 0.1;
    record(tracker.update({}, end_s), end_s, -1);
    return log;
}

TrackedObject object(int64_t id, float x, float bottom) {
    TrackedObject result;
    result.id = id;
    result.box = {x - 0.02f, bottom - 0.1f, x + 0.02f, bottom};
    result.label_id = 1;
    result.label = "person";
    return result;
}

}  // namespace

TEST_CASE("track events: every track of a scene gives one new, then one end") {
    DetectorModel detector;
    detector.miss_rate = 0.2;
    detector.jitter = 0.03f;
    detector.spurious_rate = 0.5;
    detector.spurious_confident = 0.3;
    detector.seed = 5;
    TrackEvents events;
    std::set<int64_t> reported;
    const EventLog log =
        scene_events(render_scene(busy_street(), detector, 150), events, &reported);
    std::map<int64_t, int> news;
    std::map<int64_t, int> ends;
    std::map<int64_t, size_t> new_position;
    for (size_t i = 0; i < log.size(); ++i) {
        const auto space = log[i].find(' ');
        const std::string type = log[i].substr(0, space);
        const int64_t id = std::stoll(log[i].substr(space + 1));
        REQUIRE((type == "new" || type == "end"));
        if (type == "new") {
            ++news[id];
            new_position[id] = i;
        } else {
            ++ends[id];
            CHECK(new_position.count(id) == 1);  // an end comes after its new
        }
    }
    // Six people, perhaps a track more where one was lost; every reported one has its events.
    CHECK(reported.size() >= 6);
    CHECK(reported.size() <= 8);
    CHECK(news.size() == reported.size());
    CHECK(ends.size() == reported.size());
    for (const int64_t id : reported) {
        CHECK(news[id] == 1);
        CHECK(ends[id] == 1);
    }
}

TEST_CASE("track events: zone enter and leave on the frames where the paths cross its edges") {
    // The zone's sides lie halfway between two frames' positions. Person 1 walks along y = 0.5
    // (feet at 0.59) at x = 0.05 + 0.01 k at frame k: inside 0.305 < x < 0.705, frames 26..65.
    // Person 2 walks down x = 0.5 with its feet at 0.2975 + 0.005 k: past the top side, y = 0.4,
    // from frame 21, and still inside when the tracks end: leave, then end.
    const std::vector<SceneObject> objects = {
        moving(1, 0.0, 0.05f, 0.5f, 3.0, 0.95f, 0.5f),
        moving(2, 0.0, 0.5f, 0.2075f, 3.0, 0.5f, 0.6575f),
    };
    TrackEvents events(
        {{"door", {{0.305f, 0.4f}, {0.705f, 0.4f}, {0.705f, 0.9f}, {0.305f, 0.9f}}}});
    const EventLog log = scene_events(render_scene(objects, {}, 90), events);
    CHECK(joined(log) ==
          "new 1 @1, new 2 @1, enter 2 door @21, enter 1 door @26, leave 1 door @66, end 1 @-1, "
          "leave 2 door @-1, end 2 @-1");
}

TEST_CASE("track events: a concave zone is entered and left twice by a path through its notch") {
    // A U open at the top: arms 0.1..0.3 and 0.7..0.9 from y 0.4 down to its base, 0.7..0.9.
    const std::vector<Point> u_shape = {{0.1f, 0.4f}, {0.3f, 0.4f}, {0.3f, 0.7f}, {0.7f, 0.7f},
                                        {0.7f, 0.4f}, {0.9f, 0.4f}, {0.9f, 0.9f}, {0.1f, 0.9f}};
    CHECK(point_in_polygon({0.2f, 0.5f}, u_shape));
    CHECK(point_in_polygon({0.8f, 0.5f}, u_shape));
    CHECK(point_in_polygon({0.5f, 0.8f}, u_shape));
    CHECK_FALSE(point_in_polygon({0.5f, 0.5f}, u_shape));  // in the notch
    CHECK_FALSE(point_in_polygon({0.5f, 0.3f}, u_shape));
    CHECK_FALSE(point_in_polygon({0.95f, 0.8f}, u_shape));
    // Through the vertices' height: each crossing of the horizontal counts once.
    CHECK(point_in_polygon({0.2f, 0.7f}, u_shape));
    CHECK_FALSE(point_in_polygon({0.5f, 0.4f}, u_shape));

    // Feet along y = 0.6 at x = 0.055 + 0.01 k: in the left arm from frame 5, in the notch from
    // 25, in the right arm from 65, past it from 85.
    const std::vector<SceneObject> objects = {moving(1, 0.0, 0.055f, 0.51f, 3.0, 0.955f, 0.51f)};
    TrackEvents events({{"u", u_shape}});
    const EventLog log = scene_events(render_scene(objects, {}, 90), events);
    CHECK(joined(log) ==
          "new 1 @1, enter 1 u @5, leave 1 u @25, enter 1 u @65, leave 1 u @85, end 1 @-1");
}

TEST_CASE("track events: new before enter, leave before end, unknown ends ignored") {
    TrackEvents events({{"all", {{0.0f, 0.0f}, {1.0f, 0.0f}, {1.0f, 1.0f}, {0.0f, 1.0f}}},
                        {"left half", {{0.0f, 0.0f}, {0.5f, 0.0f}, {0.5f, 1.0f}, {0.0f, 1.0f}}}});
    std::vector<TrackedObject> objects = {object(3, 0.25f, 0.5f)};
    auto list = events.update(objects, {}, 1.0);
    REQUIRE(list.size() == 3);
    CHECK(list[0].type == TrackEventType::started);
    CHECK(list[0].track_id == 3);
    CHECK(list[0].label == "person");
    CHECK(list[0].zone.empty());
    CHECK(list[1].type == TrackEventType::entered);
    CHECK(list[1].zone == "all");
    CHECK(list[2].type == TrackEventType::entered);
    CHECK(list[2].zone == "left half");
    CHECK(list[2].box.x_min == doctest::Approx(0.23f));
    CHECK(list[2].time_s == 1.0);

    objects = {object(3, 0.75f, 0.5f)};
    list = events.update(objects, {}, 2.0);
    REQUIRE(list.size() == 1);
    CHECK(list[0].type == TrackEventType::left);
    CHECK(list[0].zone == "left half");

    // Not reported, not ended: nothing. Then ended, with an id never reported.
    CHECK(events.update({}, {}, 3.0).empty());
    const std::vector<int64_t> ended = {2, 3};
    list = events.update({}, ended, 4.0);
    REQUIRE(list.size() == 2);
    CHECK(list[0].type == TrackEventType::left);
    CHECK(list[0].zone == "all");
    CHECK(list[0].box.x_min == doctest::Approx(0.73f));  // the last box reported
    CHECK(list[1].type == TrackEventType::ended);
    CHECK(list[1].track_id == 3);
    CHECK(list[1].time_s == 4.0);
    CHECK(events.update({}, ended, 5.0).empty());
    CHECK(to_string(TrackEventType::started) == "new");
    CHECK(to_string(TrackEventType::left) == "leave");
}

TEST_CASE("track events: zones need three vertices, and at most 64 of them") {
    CHECK_THROWS_WITH(TrackEvents({{"line", {{0.0f, 0.0f}, {1.0f, 1.0f}}}}),
                      "track events: zone 'line' has 2 vertices, expected at least 3");
    std::vector<Zone> zones(65, Zone{"z", {{0.0f, 0.0f}, {1.0f, 0.0f}, {1.0f, 1.0f}}});
    CHECK_THROWS_WITH(TrackEvents{zones}, "track events: 65 zones, at most 64");
}
