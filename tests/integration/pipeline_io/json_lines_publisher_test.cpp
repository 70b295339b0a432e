#include "pipeline/publish/json_lines_publisher.h"
#include "inference/core/error.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fstream>

using namespace es;
using namespace es::pipeline;
using namespace es::testing;

TEST_CASE("JSON-lines file output appends one message per line with per-source seq") {
    const auto path = temp_dir("json-lines") / "results.jsonl";
    FrameResult result;
    result.timestamp_ns = 42;
    result.pipeline = "lobby";
    result.width = 640;
    result.height = 480;
    {
        auto publisher = JsonLinesPublisher::open_file(path);
        for (const char* source : {"a", "b", "a"}) {
            result.source = source;
            publisher->publish(result);
            // Flushed per message: readable before close.
            std::ifstream partial(path);
            CHECK(std::count(std::istreambuf_iterator<char>(partial), {}, '\n') > 0);
        }
        publisher->close();
        CHECK_THROWS_AS(publisher->publish(result), Error);
    }
    {
        auto again = JsonLinesPublisher::open_file(path);  // appends
        result.source = "a";
        ObjectResult object;
        object.label = "car";
        object.confidence = 0.5f;
        result.objects.push_back(object);
        again->publish(result);
    }
    std::ifstream file(path);
    std::vector<nlohmann::json> lines;
    for (std::string line; std::getline(file, line);)
        lines.push_back(nlohmann::json::parse(line));
    REQUIRE(lines.size() == 4);
    CHECK(lines[0]["source"] == "a");
    CHECK(lines[0]["seq"] == 0);
    CHECK(lines[1]["seq"] == 0);
    CHECK(lines[2]["seq"] == 1);
    CHECK(lines[3]["seq"] == 0);  // a new publisher numbers from 0 again
    CHECK(lines[3]["objects"][0]["detection"]["label"] == "car");
    CHECK(lines[3]["objects"][0]["detection"]["confidence"] == 0.5);
    CHECK_FALSE(lines[3]["objects"][0].contains("id"));
    CHECK(lines[0]["resolution"]["width"] == 640);
}

TEST_CASE("JSON-lines output to a folder that does not exist is a bad-input error") {
    try {
        JsonLinesPublisher::open_file("/nonexistent/folder/results.jsonl");
        FAIL("expected an error");
    } catch (const Error& error) {
        CHECK(error.kind() == ErrorKind::BadInput);
        CHECK(std::string(error.what()).find("/nonexistent/folder/results.jsonl") !=
              std::string::npos);
    }
}
