#include "pipeline/publish/json_lines_publisher.h"
#include "inference/core/error.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <sys/resource.h>

#include <csignal>
#include <filesystem>
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

namespace {

FrameResult frame_of(const std::string& source) {
    FrameResult result;
    result.pipeline = "lobby";
    result.source = source;
    result.width = 640;
    result.height = 480;
    return result;
}

// Every line of `path` parsed; a line cut short fails the test.
std::vector<nlohmann::json> lines_of(const std::filesystem::path& path) {
    std::ifstream file(path);
    std::vector<nlohmann::json> lines;
    for (std::string line; std::getline(file, line);) {
        CAPTURE(line);
        REQUIRE(nlohmann::json::accept(line));
        lines.push_back(nlohmann::json::parse(line));
    }
    return lines;
}

}  // namespace

TEST_CASE("JSON-lines file output rotates by size and keeps max_files older files") {
    const auto path = temp_dir("json-lines") / "results.jsonl";
    const uint64_t max_bytes = 600;
    {
        auto publisher =
            JsonLinesPublisher::open_file(path, {.max_bytes = max_bytes, .max_files = 2});
        for (int i = 0; i < 40; ++i)
            publisher->publish(frame_of("a"));
    }
    auto numbered = [&](int index) {
        return std::filesystem::path(path.string() + "." + std::to_string(index));
    };
    REQUIRE(std::filesystem::exists(numbered(1)));
    REQUIRE(std::filesystem::exists(numbered(2)));
    CHECK_FALSE(std::filesystem::exists(numbered(3)));
    std::vector<int64_t> seqs;
    for (const auto& file : {numbered(2), numbered(1), path}) {
        CHECK(std::filesystem::file_size(file) <= max_bytes);
        for (const auto& line : lines_of(file))
            seqs.push_back(line["seq"].get<int64_t>());
    }
    REQUIRE(!seqs.empty());
    CHECK(seqs.size() < 40);  // the oldest file was deleted
    CHECK(seqs.back() == 39);
    for (size_t i = 1; i < seqs.size(); ++i)
        CHECK(seqs[i] == seqs[i - 1] + 1);
}

TEST_CASE("JSON-lines file output starts a new file when the old one is moved away") {
    const auto dir = temp_dir("json-lines");
    const auto path = dir / "results.jsonl";
    auto publisher = JsonLinesPublisher::open_file(path);
    publisher->publish(frame_of("a"));
    publisher->publish(frame_of("a"));
    std::filesystem::rename(path, dir / "results.jsonl.old");  // as logrotate does
    publisher->publish(frame_of("a"));
    publisher->close();
    CHECK(lines_of(dir / "results.jsonl.old").size() == 2);
    const auto fresh = lines_of(path);
    REQUIRE(fresh.size() == 1);
    CHECK(fresh[0]["seq"] == 2);
}

TEST_CASE(
    "JSON-lines file output keeps messages in memory while the disk is full, then writes them") {
    // A file size limit stands in for a full disk: writes past it fail with EFBIG.
    const auto path = temp_dir("json-lines") / "results.jsonl";
    auto publisher = JsonLinesPublisher::open_file(path);
    publisher->publish(frame_of("a"));
    const auto one_line = std::filesystem::file_size(path);

    const auto previous_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit{};
    REQUIRE(getrlimit(RLIMIT_FSIZE, &limit) == 0);
    const rlimit original = limit;
    limit.rlim_cur = one_line * 3 + one_line / 2;  // room for two more lines and half of one
    REQUIRE(setrlimit(RLIMIT_FSIZE, &limit) == 0);
    for (int i = 0; i < 10; ++i)
        publisher->publish(frame_of("a"));
    const OutputStats full = publisher->stats();
    CHECK(full.published == 11);
    CHECK(full.delivered == 3);
    CHECK(full.pending == 8);
    CHECK(full.dropped == 0);
    CHECK_FALSE(publisher->flush(std::chrono::milliseconds(0)));
    CHECK(lines_of(path).size() == 3);  // whole lines only: the cut one was taken back

    REQUIRE(setrlimit(RLIMIT_FSIZE, &original) == 0);
    std::signal(SIGXFSZ, previous_handler);
    publisher->publish(frame_of("a"));
    CHECK(publisher->flush(std::chrono::milliseconds(0)));
    const OutputStats recovered = publisher->stats();
    CHECK(recovered.delivered == 12);
    CHECK(recovered.pending == 0);
    const auto lines = lines_of(path);
    REQUIRE(lines.size() == 12);
    for (size_t i = 0; i < lines.size(); ++i)
        CHECK(lines[i]["seq"] == static_cast<int64_t>(i));
}

TEST_CASE("JSON-lines output writes track events as lines among the results, with their own seq") {
    const auto path = temp_dir("json-lines") / "results.jsonl";
    EventResult event{.timestamp_ns = 42,
                      .pipeline = "lobby",
                      .source = "a",
                      .frame = 3,
                      .type = "enter",
                      .zone = "door",
                      .object = {}};
    event.object.id = 5;
    event.object.label = "person";
    {
        auto publisher = JsonLinesPublisher::open_file(path);
        publisher->publish(frame_of("a"));
        publisher->publish_event(event);
        publisher->publish(frame_of("a"));
        event.type = "new";
        publisher->publish_event(event);
        event.source = "b";
        publisher->publish_event(event);
        publisher->publish(frame_of("a"));
        CHECK(publisher->stats().published == 6);
        publisher->close();
        CHECK_THROWS_AS(publisher->publish_event(event), Error);
    }
    const auto lines = lines_of(path);
    REQUIRE(lines.size() == 6);
    // Results: lines 0, 2, 5; events: lines 1, 3 (source a) and 4 (source b).
    for (const size_t i : {0, 2, 5})
        CHECK_FALSE(lines[i].contains("event"));
    CHECK(lines[0]["seq"] == 0);
    CHECK(lines[2]["seq"] == 1);
    CHECK(lines[5]["seq"] == 2);
    CHECK(lines[1]["event"] == "enter");
    CHECK(lines[1]["zone"] == "door");
    CHECK(lines[1]["seq"] == 0);
    CHECK(lines[1]["frame"] == 3);
    CHECK(lines[1]["object"]["id"] == 5);
    CHECK(lines[1]["object"]["detection"]["label"] == "person");
    CHECK(lines[3]["event"] == "new");
    CHECK_FALSE(lines[3].contains("zone"));
    CHECK(lines[3]["seq"] == 1);
    CHECK(lines[4]["source"] == "b");
    CHECK(lines[4]["seq"] == 0);
}
