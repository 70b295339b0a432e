// The publish stage of a source: results and track events to every output (real JSON-lines
// files), what it counts, and an output that fails beside one that works.
#include "pipeline/flow/publish_stage.h"
#include "pipeline/publish/json_lines_publisher.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fstream>

using namespace es::pipeline;
using es::testing::temp_dir;

namespace {

std::vector<nlohmann::json> lines_of(const std::filesystem::path& path) {
    std::vector<nlohmann::json> lines;
    std::ifstream file(path);
    for (std::string line; std::getline(file, line);)
        lines.push_back(nlohmann::json::parse(line));
    return lines;
}

FrameResult frame(uint64_t number, std::vector<Detection> detections) {
    FrameResult result;
    result.pipeline = "lobby";
    result.source = "cam1";
    result.frame = number;
    result.timestamp_ns = 1'000'000 * static_cast<int64_t>(number);
    result.width = 200;
    result.height = 100;
    set_objects(detections, result);
    return result;
}

}  // namespace

TEST_CASE("the publish stage sends results and events to every output and counts them") {
    const auto dir = temp_dir("publish-stage");
    std::vector<std::unique_ptr<Publisher>> outputs;
    outputs.push_back(JsonLinesPublisher::open_file(dir / "a.jsonl"));
    outputs.push_back(JsonLinesPublisher::open_file(dir / "b.jsonl"));
    ResultCounters counters;
    PublishStage stage("lobby", "cam1", false, outputs, counters);

    stage.results(frame(0, {}));  // empty: not published
    const FrameResult one = frame(1, {{0.1f, 0.2f, 0.3f, 0.6f, 0.9f, 1, "person"}});
    stage.results(one);
    CHECK(one.objects[0].x == 20);
    CHECK(one.objects[0].h == 40);
    CHECK(!one.objects[0].id);

    TrackEvent entered;
    entered.type = TrackEventType::entered;
    entered.track_id = 7;
    entered.label = "person";
    entered.zone = "door";
    entered.box = {0.1f, 0.2f, 0.3f, 0.6f};
    entered.confidence = 0.9f;
    stage.events(one, std::span(&entered, 1));
    TrackEvent ended = entered;
    ended.type = TrackEventType::ended;
    ended.zone.clear();
    stage.final_events(std::span(&ended, 1));

    // The second output fails from here on; the first still gets the message.
    outputs[1]->close();
    stage.results(frame(2, {{0.5f, 0.5f, 0.6f, 0.7f, 0.8f, 1, "person"}}));
    for (auto& output : outputs)
        output->flush(std::chrono::seconds(1));

    CHECK(counters.published == 2);
    CHECK(counters.detections == 2);
    CHECK(counters.events == 2);
    CHECK(counters.errors == 1);

    const auto a = lines_of(dir / "a.jsonl");
    REQUIRE(a.size() == 4);
    CHECK(a[0]["frame"] == 1);
    CHECK(a[1]["event"] == "enter");
    CHECK(a[1]["zone"] == "door");
    CHECK(a[1]["frame"] == 1);
    CHECK(a[1]["object"]["id"] == 7);
    CHECK(a[1]["object"]["w"] == 40);
    // The stream ended: the track's end is at the last frame events were given.
    CHECK(a[2]["event"] == "end");
    CHECK(a[2]["frame"] == 1);
    CHECK(!a[2].contains("zone"));
    CHECK(a[3]["frame"] == 2);
    CHECK(lines_of(dir / "b.jsonl").size() == 3);
}

TEST_CASE("result counters: results per second over windows of a second, 0 once stalled") {
    ResultCounters counters;
    constexpr int64_t start = 5'000'000'000, frame = 40'000'000;  // 25 results/s
    for (int i = 0; i <= 50; ++i)
        counters.count_result(start + i * frame, start + i * frame - 10'000'000, i * frame);
    SourceSummary summary;
    counters.fill(summary, start + 50 * frame);
    CHECK(summary.fps == doctest::Approx(25.0).epsilon(0.01));
    CHECK(summary.seconds == doctest::Approx(2.0));
    CHECK(summary.latency.count() == 51);
    CHECK(summary.latency.sum_seconds == doctest::Approx(0.51));

    counters.fill(summary, start + 50 * frame + 4'000'000'000);
    CHECK(summary.fps == 0.0);

    counters.set_failure("connection refused");
    counters.fill(summary, start);
    CHECK(summary.message == "connection refused");
}
