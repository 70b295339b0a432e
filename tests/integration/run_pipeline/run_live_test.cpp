// Live sources: when inference is slower than the camera, the newest frame waits and the older
// ones are dropped and counted; results stay in order with gapless `seq`.
#include "tests/integration/run_pipeline/run_fixture.h"
#include "tests/support/child_process.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>

#include <sys/wait.h>
#include <csignal>
#include <fstream>

using namespace es::testing;

TEST_CASE("run: a live source faster than inference drops its older frames") {
    const auto model = face_detector();
    const auto dir = temp_dir("run-live");
    // The reference engine is far slower than 120 frames per second on any machine.
    auto pipeline =
        face_pipeline("live", model, {}, {{{"file", {{"path", (dir / "out.jsonl").string()}}}}});
    pipeline["sources"] = nlohmann::json::array(
        {{{"id", "cam"}, {"uri", "test://?pattern=ball&width=320&height=240&fps=120"}}});
    pipeline["model"]["device"] = "REF";
    pipeline["model"]["nireq"] = 1;
    std::ofstream(dir / "config.json")
        << nlohmann::json{{"pipelines", nlohmann::json::array({pipeline})}}.dump();

    ChildProcess process({edgesight_binary().string(), "run", (dir / "config.json").string(),
                          "--json-summary", (dir / "summary.json").string()},
                         dir / "output.txt");
    REQUIRE(wait_until([&] { return json_lines(read_text(dir / "out.jsonl")).size() >= 3; },
                       std::chrono::seconds(90)));
    const int status = process.stop(SIGTERM);
    INFO(process.output());
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);

    const auto messages = json_lines(read_text(dir / "out.jsonl"));
    for (size_t i = 0; i < messages.size(); ++i) {
        CHECK(messages[i].at("seq") == i);
        if (i > 0) CHECK(messages[i].at("frame") > messages[i - 1].at("frame"));
    }
    const auto summary = nlohmann::json::parse(read_text(dir / "summary.json"));
    const auto& source = summary.at("pipelines").at(0).at("sources").at(0);
    CHECK(source.at("published") == messages.size());
    CHECK(source.at("inferred") == messages.size());
    CHECK(source.at("dropped").get<uint64_t>() > 0);
    // Decoded frames were inferred, dropped, or discarded from the queue at the stop.
    CHECK(source.at("decoded").get<uint64_t>() >=
          source.at("inferred").get<uint64_t>() + source.at("dropped").get<uint64_t>());
    CHECK(source.at("decoded").get<uint64_t>() <=
          source.at("inferred").get<uint64_t>() + source.at("dropped").get<uint64_t>() + 2);
}
