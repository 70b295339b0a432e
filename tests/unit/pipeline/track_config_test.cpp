// The "track" and "events" objects of a pipeline: defaults, values, and each error with its
// JSON path.
#include "tests/unit/pipeline/config_testing.h"

#include <doctest/doctest.h>

#include <functional>

using namespace es::testing;
using nlohmann::json;

TEST_CASE("track and events config: absent by default, values as written") {
    ConfigFixture fixture;
    CHECK(!fixture.checked().pipelines[0].track);
    CHECK(!fixture.checked().pipelines[0].events);

    fixture.pipeline()["track"] = json::parse(
        R"({"method": "bytetrack", "max_age_s": 1.5, "low_threshold": 0.2, "match_iou": 0.4,
            "min_hits": 3})");
    fixture.pipeline()["events"] = json::parse(
        R"({"zones": [{"name": "door", "polygon": [[0.1, 0.2], [0.4, 0.2], [0.4, 0.9]]}]})");
    REQUIRE(fixture.problems().empty());
    const auto pipeline = fixture.checked().pipelines[0];
    REQUIRE(pipeline.track);
    CHECK(pipeline.track->max_age_s == 1.5);
    CHECK(pipeline.track->low_threshold == doctest::Approx(0.2));
    CHECK(pipeline.track->match_iou == doctest::Approx(0.4));
    CHECK(pipeline.track->min_hits == 3);
    REQUIRE(pipeline.events);
    REQUIRE(pipeline.events->zones.size() == 1);
    CHECK(pipeline.events->zones[0].name == "door");
    CHECK(pipeline.events->zones[0].polygon.size() == 3);
    CHECK(pipeline.events->zones[0].polygon[2][1] == doctest::Approx(0.9));

    fixture.pipeline()["track"] = json::object();
    REQUIRE(fixture.problems().empty());
    CHECK(fixture.checked().pipelines[0].track->max_age_s == 2.0);
}

TEST_CASE("track and events config errors name their JSON path") {
    const std::vector<std::pair<std::function<void(ConfigFixture&)>, std::string>> cases = {
        {[](auto& f) { f.pipeline()["track"] = json::parse(R"({"method": "sort"})"); },
         "pipelines[0].track.method: 'sort': expected \"bytetrack\""},
        {[](auto& f) { f.pipeline()["track"] = json::parse(R"({"max_age_s": -1})"); },
         "pipelines[0].track.max_age_s: expected a number from 0 to 3600, found number -1"},
        {[](auto& f) { f.pipeline()["events"] = json::parse(R"({"zones": []})"); },
         "pipelines[0].events: events come from tracks: add a \"track\" object"},
        {[](auto& f) {
             f.pipeline()["track"] = json::object();
             f.pipeline()["events"] =
                 json::parse(R"({"zones": [{"name": "door", "polygon": [[0, 0], [1, 1]]}]})");
         },
         "pipelines[0].events.zones[0].polygon: expected at least 3 points, found 2"},
        {[](auto& f) {
             f.pipeline()["track"] = json::object();
             f.pipeline()["events"] = json::parse(
                 R"({"zones": [{"name": "door", "polygon": [[0, 0], [1, 1], [1.5, 0]]}]})");
         },
         "pipelines[0].events.zones[0].polygon[2]: expected [x, y] with both in 0..1 (fractions "
         "of the frame's width and height), found an array"},
        {[](auto& f) {
             f.pipeline()["track"] = json::object();
             f.pipeline()["events"] = json::parse(
                 R"({"zones": [{"name": "a", "polygon": [[0, 0], [1, 1], [1, 0]]},
                               {"name": "a", "polygon": [[0, 0], [1, 1], [0, 1]]}]})");
         },
         "pipelines[0].events.zones[1].name: duplicate zone name 'a'"},
        {[](auto& f) {
             f.pipeline()["track"] = json::object();
             f.model()["decoder"] = "classification";
         },
         "pipelines[0].track: a classification model has no boxes to track"},
    };
    for (const auto& [change, expected] : cases) {
        ConfigFixture fixture;
        change(fixture);
        const auto problems = fixture.problems();
        CAPTURE(fixture.config.dump());
        REQUIRE(problems.size() == 1);
        CHECK(problems[0] == expected);
    }
}
