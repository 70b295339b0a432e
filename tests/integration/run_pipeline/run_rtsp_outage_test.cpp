// An RTSP camera that goes away for 5 s: `edgesight run` reconnects by itself, and the other
// source of the same pipeline keeps publishing all along.
#include "tests/integration/run_pipeline/run_fixture.h"
#include "tests/support/child_process.h"
#include "tests/support/mosquitto_broker.h"
#include "tests/support/rtsp_test_server.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>

#include <sys/wait.h>
#include <algorithm>
#include <csignal>
#include <fstream>

using namespace es::testing;
using namespace std::chrono_literals;

namespace {

int64_t wall_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The `timestamp` fields of the messages of `source`, in the order published.
std::vector<int64_t> timestamps(const std::vector<nlohmann::json>& messages,
                                const std::string& source) {
    std::vector<int64_t> found;
    for (const auto& message : messages)
        if (message.at("source") == source) found.push_back(message.at("timestamp"));
    return found;
}

size_t count_after(const std::vector<int64_t>& stamps, int64_t since_ns) {
    return static_cast<size_t>(
        std::count_if(stamps.begin(), stamps.end(), [&](int64_t t) { return t > since_ns; }));
}

}  // namespace

TEST_CASE("run: an RTSP source reconnects after a 5 s outage, the other source never stops") {
    const auto model = face_detector();
    const auto dir = temp_dir("run-rtsp-outage");
    RtspTestServer server(free_tcp_port());
    server.start();

    auto pipeline =
        face_pipeline("yard", model, {}, {{{"file", {{"path", (dir / "out.jsonl").string()}}}}});
    pipeline["sources"] = nlohmann::json::array(
        {{{"id", "gate"}, {"uri", server.url() + "?transport=tcp"}},
         {{"id", "cam"}, {"uri", "test://?pattern=ball&width=320&height=240&fps=15"}}});
    std::ofstream(dir / "config.json")
        << nlohmann::json{{"pipelines", nlohmann::json::array({pipeline})}}.dump();
    ChildProcess process({edgesight_binary().string(), "run", (dir / "config.json").string(),
                          "--json-summary", (dir / "summary.json").string()},
                         dir / "output.txt");
    const auto messages = [&] { return json_lines(read_text(dir / "out.jsonl")); };

    REQUIRE(wait_until(
        [&] {
            const auto all = messages();
            return timestamps(all, "gate").size() >= 5 && timestamps(all, "cam").size() >= 5;
        },
        20s));
    const int64_t stopped_ns = wall_ns();
    server.stop();
    std::this_thread::sleep_for(5s);
    const int64_t restarted_ns = wall_ns();
    server.start();
    const bool reconnected = wait_until(
        [&] { return count_after(timestamps(messages(), "gate"), restarted_ns) >= 5; }, 20s);
    const int status = process.stop(SIGTERM);
    INFO(process.output());
    CHECK(reconnected);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);

    const auto all = messages();
    const auto gate = timestamps(all, "gate");
    const auto cam = timestamps(all, "cam");
    CHECK(count_after(gate, restarted_ns) >= 5);
    // While the server was away no frame of the camera could have been decoded.
    CHECK(std::none_of(gate.begin(), gate.end(), [&](int64_t t) {
        return t > stopped_ns + 1'000'000'000 && t < restarted_ns;
    }));
    REQUIRE(cam.size() >= 2);
    CHECK(cam.front() < stopped_ns);
    CHECK(cam.back() > restarted_ns);
    int64_t longest_gap_ns = 0;
    for (size_t i = 1; i < cam.size(); ++i)
        longest_gap_ns = std::max(longest_gap_ns, cam[i] - cam[i - 1]);
    MESSAGE("longest gap between the messages of 'cam': " << longest_gap_ns / 1'000'000 << " ms");
    CHECK(longest_gap_ns < 1'000'000'000);

    const auto summary = nlohmann::json::parse(read_text(dir / "summary.json"));
    for (const auto& source : summary.at("pipelines").at(0).at("sources")) {
        INFO(source.dump());
        CHECK(source.at("errors") == 0);
        CHECK(source.at("published") == timestamps(all, source.at("source")).size());
    }
}
