// Two boxes with one config against one broker: `edgesight run` twice, with the host names
// box-a and box-b (EDGESIGHT_HOST), each with its own state folder as on its own disk.
#include "tests/integration/pipeline_io/mqtt_test_subscriber.h"
#include "tests/integration/pipeline_io/test_media.h"
#include "tests/integration/run_pipeline/run_fixture.h"
#include "tests/support/child_process.h"
#include "tests/support/mosquitto_broker.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>

#include <sys/wait.h>
#include <algorithm>
#include <csignal>
#include <fstream>
#include <map>
#include <memory>

using namespace es::testing;
using namespace std::chrono_literals;

namespace {

size_t count_of(const std::string& text, const std::string& needle) {
    size_t count = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
        ++count;
    return count;
}

size_t messages_on(const std::vector<ReceivedMessage>& messages, const std::string& topic) {
    return static_cast<size_t>(std::count_if(messages.begin(), messages.end(),
                                             [&](const auto& m) { return m.topic == topic; }));
}

// The retained payload of each status topic, as a new subscriber finds them.
std::map<std::string, std::string> retained_statuses(const MosquittoBroker& broker,
                                                     const std::string& client_id) {
    MqttTestSubscriber late(broker.uri(), client_id, {"edgesight/+/lobby/status"}, false);
    late.wait_for([](const auto& m) { return m.size() >= 2; }, 10s);
    std::map<std::string, std::string> statuses;
    for (const auto& message : late.messages())
        if (message.retained) statuses[message.topic] = message.payload;
    return statuses;
}

}  // namespace

TEST_CASE("run: two boxes with one config keep their own broker sessions and retained status") {
    const auto model = face_detector();
    auto broker = MosquittoBroker::start_new();
    REQUIRE(broker);
    const auto dir = temp_dir("run-two-boxes");
    make_clip(dir / "clip.mp4", 30, 320, 240, "x264enc ! mp4mux");
    // Default client id and topics: the config names neither.
    auto pipeline =
        face_pipeline("lobby", model, {dir / "clip.mp4"}, {{{"mqtt", {{"uri", broker->uri()}}}}});
    pipeline["sources"][0]["realtime"] = true;
    pipeline["sources"][0]["loop"] = true;
    pipeline["sources"][0]["fps"] = 10;
    const auto config = dir / "config.json";
    // No metrics endpoint: the two boxes share this machine's ports.
    std::ofstream(config) << nlohmann::json{
        {"pipelines", nlohmann::json::array({pipeline})},
        {"metrics",
         {{"listen", ""}}}}.dump();

    MqttTestSubscriber subscriber(broker->uri(), "two-boxes", {"edgesight/#"}, false);
    const auto start_box = [&](const std::string& host) {
        return std::make_unique<ChildProcess>(
            std::vector<std::string>{"/usr/bin/env", "EDGESIGHT_HOST=" + host,
                                     "XDG_STATE_HOME=" + (dir / ("state-" + host)).string(),
                                     edgesight_binary().string(), "run", config.string()},
            dir / (host + ".log"));
    };
    auto box_a = start_box("box-a");
    auto box_b = start_box("box-b");

    const std::string detections_a = "edgesight/box-a/lobby/clip/detections";
    const std::string detections_b = "edgesight/box-b/lobby/clip/detections";
    const bool both_publish = subscriber.wait_for(
        [&](const auto& m) {
            return messages_on(m, detections_a) >= 20 && messages_on(m, detections_b) >= 20;
        },
        90s);
    INFO("box-a: " << box_a->output());
    INFO("box-b: " << box_b->output());
    INFO("broker: " << broker->log());
    REQUIRE(both_publish);

    // One connection each for the whole run: neither box knocked the other off the broker.
    const std::string log = broker->log();
    CHECK(count_of(log, "New client connected") == count_of(log, " as two-boxes ") + 2);
    CHECK(count_of(log, " as edgesight-box-a-lobby ") == 1);
    CHECK(count_of(log, " as edgesight-box-b-lobby ") == 1);
    CHECK(count_of(log, "already connected") == 0);

    CHECK(retained_statuses(*broker, "late-online") ==
          std::map<std::string, std::string>{{"edgesight/box-a/lobby/status", "online"},
                                             {"edgesight/box-b/lobby/status", "online"}});

    // box-b stops: its status says so, box-a's stays online.
    const int status_b = box_b->stop(SIGTERM);
    CHECK((WIFEXITED(status_b) && WEXITSTATUS(status_b) == 0));
    CHECK(retained_statuses(*broker, "late-one-left") ==
          std::map<std::string, std::string>{{"edgesight/box-a/lobby/status", "online"},
                                             {"edgesight/box-b/lobby/status", "offline"}});
    const int status_a = box_a->stop(SIGTERM);
    CHECK((WIFEXITED(status_a) && WEXITSTATUS(status_a) == 0));
}
