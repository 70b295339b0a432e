// Tracking through `edgesight run`: the person detector on the street clip gives every object a
// track id that stays with it from frame to frame, and every track one "new" and one "end"
// event, with zone entries and exits in pairs.
#include "tests/integration/run_pipeline/run_fixture.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>

#include <map>
#include <set>

using namespace es::testing;

namespace {

// The person detector on the street clip with tracking and a zone on the left half.
nlohmann::json street_pipeline(const std::filesystem::path& out, int inference_interval) {
    const auto clip = shared_dir() / "media" / "vtest_200f_h264.mp4";
    return {{"name", "street"},
            {"sources", {{{"id", "vtest"}, {"uri", "file://" + clip.string()}}}},
            {"model", person_detector_model()},
            {"inference_interval", inference_interval},
            {"track", {{"method", "bytetrack"}, {"max_age_s", 2.0}}},
            {"events",
             {{"zones", {{{"name", "left"}, {"polygon", {{0, 0}, {0.5, 0}, {0.5, 1}, {0, 1}}}}}}}},
            {"outputs", {{{"file", {{"path", out.string()}}}}}}};
}

}  // namespace

TEST_CASE("run: tracked people on the street clip keep their ids, and their events pair up") {
    const auto dir = temp_dir("run-track");
    const nlohmann::json pipeline = street_pipeline(dir / "out.jsonl", 1);
    const auto run =
        run_edgesight(dir, {pipeline}, "--json-summary " + (dir / "summary.json").string());
    REQUIRE(run.exit_code == 0);
    const auto summary = nlohmann::json::parse(read_text(dir / "summary.json"));

    std::map<int64_t, std::vector<uint64_t>> frames_of;  // track id → frames it is in
    std::map<std::string, std::vector<int64_t>> events;  // type → track ids
    std::set<uint64_t> frames;
    int64_t last_event_seq = -1;
    size_t objects = 0, continued = 0;  // objects, and those whose id was in the frame before
    size_t predicted = 0;               // objects not detected in their frame
    std::set<int64_t> previous_ids;
    for (const auto& message : json_lines(read_text(dir / "out.jsonl"))) {
        if (message.contains("event")) {
            CHECK(message["seq"].get<int64_t>() == last_event_seq + 1);
            last_event_seq = message["seq"];
            const std::string type = message["event"];
            events[type].push_back(message["object"]["id"]);
            CHECK(message.contains("zone") == (type == "enter" || type == "leave"));
            continue;
        }
        check_message(message, "street", "vtest", 768, 576);
        const uint64_t frame = message["frame"];
        frames.insert(frame);
        std::set<int64_t> ids;
        for (const auto& object : message["objects"]) {
            REQUIRE(object.contains("id"));
            const int64_t id = object["id"];
            CHECK(ids.insert(id).second);  // one object per id in a frame
            frames_of[id].push_back(frame);
            ++objects;
            predicted += object.value("predicted", false);
            continued += previous_ids.count(id);
        }
        previous_ids = std::move(ids);
    }
    REQUIRE(frames.size() >= 190);
    INFO("tracks: ", frames_of.size(), ", objects: ", objects, ", continued: ", continued,
         ", predicted: ", predicted);
    // About a dozen people walk through the clip: a tracker that lost them would start many more
    // tracks, and most objects would not carry the id of the frame before.
    CHECK(frames_of.size() >= 8);
    CHECK(frames_of.size() <= 40);
    CHECK(static_cast<double>(continued) >= 0.95 * static_cast<double>(objects));
    // Missed detections are bridged, a few frames at a time.
    CHECK(predicted > 0);
    CHECK(static_cast<double>(predicted) <= 0.2 * static_cast<double>(objects));
    for (const auto& [id, in_frames] : frames_of) {
        CAPTURE(id);
        // An id is not handed to another object later: its frames are one stretch, with short
        // gaps only (missed detections the track coasts through).
        for (size_t i = 1; i < in_frames.size(); ++i)
            CHECK(in_frames[i] - in_frames[i - 1] <= 30);
    }
    // Every track reported gets one "new" and, the clip ending, one "end".
    std::multiset<int64_t> started(events["new"].begin(), events["new"].end());
    std::multiset<int64_t> ended(events["end"].begin(), events["end"].end());
    std::set<int64_t> reported;
    for (const auto& entry : frames_of)
        reported.insert(entry.first);
    CHECK(started == std::multiset<int64_t>(reported.begin(), reported.end()));
    CHECK(ended == started);
    size_t event_count = 0;
    for (const auto& entry : events)
        event_count += entry.second.size();
    CHECK(summary["pipelines"][0]["sources"][0]["events"] == event_count);
    CHECK(!events["enter"].empty());
    CHECK(std::multiset<int64_t>(events["enter"].begin(), events["enter"].end()) ==
          std::multiset<int64_t>(events["leave"].begin(), events["leave"].end()));
}

TEST_CASE("run: with inference_interval, tracks carry objects through the frames the model skips") {
    const auto dir = temp_dir("run-track-interval");
    const auto run = run_edgesight(dir, {street_pipeline(dir / "out.jsonl", 3)},
                                   "--json-summary " + (dir / "summary.json").string());
    REQUIRE(run.exit_code == 0);
    const auto summary = nlohmann::json::parse(read_text(dir / "summary.json"));
    const auto& source = summary["pipelines"][0]["sources"][0];
    CHECK(source["inferred"] == (source["decoded"].get<int>() + 2) / 3);
    CHECK(source["published"] == source["decoded"]);

    size_t frames = 0, skipped_objects = 0, inferred_objects = 0;
    for (const auto& message : json_lines(read_text(dir / "out.jsonl"))) {
        if (message.contains("event")) continue;
        ++frames;
        const bool skipped = message["frame"].get<uint64_t>() % 3 != 0;
        for (const auto& object : message["objects"]) {
            REQUIRE(object.contains("id"));
            // A frame the model skipped has only predicted boxes.
            if (skipped) CHECK(object.value("predicted", false));
            ++(skipped ? skipped_objects : inferred_objects);
        }
    }
    CHECK(frames == source["decoded"].get<size_t>());
    // Between two inferred frames the tracks go on: about as many objects as in those frames.
    CHECK(static_cast<double>(skipped_objects) >= 1.5 * static_cast<double>(inferred_objects));
}
