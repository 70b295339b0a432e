// `edgesight run` end to end: real GStreamer decoding, the face detector on CPU, stdout, file
// and MQTT outputs, against a broker on a free loopback port.
#include "pipeline/config/mqtt_naming.h"
#include "tests/integration/pipeline_io/mqtt_test_subscriber.h"
#include "tests/integration/pipeline_io/test_media.h"
#include "tests/integration/run_pipeline/run_fixture.h"
#include "tests/support/child_process.h"
#include "tests/support/mosquitto_broker.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>

#include <sys/wait.h>
#include <csignal>
#include <fstream>
#include <set>

using namespace es::testing;

namespace {

constexpr int k_frames = 24;

}  // namespace

TEST_CASE("run: every frame of a clip reaches stdout, a file and MQTT, in order") {
    const auto model = face_detector();
    auto broker = MosquittoBroker::start_new();
    const auto dir = temp_dir("run-outputs");
    make_clip(dir / "clip.mp4", k_frames, 320, 240, "x264enc ! mp4mux");
    MqttTestSubscriber subscriber(broker->uri(), "run-test", {"edgesight/#"}, false);

    const nlohmann::json outputs = {
        {{"stdout", nlohmann::json::object()}},
        {{"file", {{"path", (dir / "out.jsonl").string()}}}},
        {{"mqtt", {{"uri", broker->uri()}, {"persistence_dir", (dir / "mqtt").string()}}}}};
    const auto run =
        run_edgesight(dir, {face_pipeline("lobby", model, {dir / "clip.mp4"}, outputs)},
                      "--json-summary '" + (dir / "summary.json").string() + "'");
    REQUIRE(run.exit_code == 0);

    const auto messages = json_lines(run.out);
    REQUIRE(messages.size() == k_frames);
    for (size_t i = 0; i < messages.size(); ++i) {
        CAPTURE(i);
        check_message(messages[i], "lobby", "clip", 320, 240);
        CHECK(messages[i].at("seq") == i);
        CHECK(messages[i].at("frame") == i);
    }
    CHECK(json_lines(read_text(dir / "out.jsonl")) == messages);

    const std::string topic =
        "edgesight/" + es::pipeline::mqtt_host_name() + "/lobby/clip/detections";
    auto detection_messages = [&](const std::vector<ReceivedMessage>& received) {
        std::vector<nlohmann::json> found;
        for (const auto& message : received)
            if (message.topic == topic) found.push_back(nlohmann::json::parse(message.payload));
        return found;
    };
    // Delivery was acknowledged before the exit; the subscriber may still be receiving.
    subscriber.wait_for(
        [&](const auto& received) { return detection_messages(received).size() >= k_frames; },
        std::chrono::seconds(10));
    CHECK(detection_messages(subscriber.messages()) == messages);

    const auto summary = nlohmann::json::parse(read_text(dir / "summary.json"));
    const auto& source = summary.at("pipelines").at(0).at("sources").at(0);
    CHECK(source.at("decoded") == k_frames);
    CHECK(source.at("inferred") == k_frames);
    CHECK(source.at("published") == k_frames);
    CHECK(source.at("dropped") == 0);
    CHECK(source.at("state") == "ended");
}

TEST_CASE("run: inference_interval and publish_empty") {
    const auto model = face_detector();
    const auto dir = temp_dir("run-interval");
    make_clip(dir / "clip.mp4", k_frames, 320, 240, "x264enc ! mp4mux");

    auto every_third = face_pipeline("every-third", model, {dir / "clip.mp4"},
                                     {{{"file", {{"path", (dir / "third.jsonl").string()}}}}});
    every_third["inference_interval"] = 3;
    // The moving ball has no faces: with publish_empty false nothing is published.
    auto faces_only = face_pipeline("faces-only", model, {dir / "clip.mp4"},
                                    {{{"file", {{"path", (dir / "faces.jsonl").string()}}}}});
    faces_only["publish_empty"] = false;
    const auto run = run_edgesight(dir, {every_third, faces_only});
    REQUIRE(run.exit_code == 0);

    const auto third = json_lines(read_text(dir / "third.jsonl"));
    REQUIRE(third.size() == k_frames / 3);
    for (size_t i = 0; i < third.size(); ++i) {
        CHECK(third[i].at("frame") == 3 * i);
        CHECK(third[i].at("seq") == i);
        CHECK(third[i].at("objects").empty());
    }
    CHECK(json_lines(read_text(dir / "faces.jsonl")).empty());
    CHECK(run.err.find("faces-only/clip: 24 frames decoded, 24 inferred, 0 dropped, 0 published") !=
          std::string::npos);
}

TEST_CASE("run: SIGTERM stops a looping source cleanly") {
    const auto model = face_detector();
    const auto dir = temp_dir("run-sigterm");
    make_clip(dir / "clip.mp4", 10, 320, 240, "x264enc ! mp4mux");
    auto pipeline = face_pipeline("loop", model, {dir / "clip.mp4"},
                                  {{{"file", {{"path", (dir / "out.jsonl").string()}}}}});
    pipeline["sources"][0]["loop"] = true;
    std::ofstream(dir / "config.json")
        << nlohmann::json{{"pipelines", nlohmann::json::array({pipeline})}}.dump();

    ChildProcess process({edgesight_binary().string(), "run", (dir / "config.json").string()},
                         dir / "output.txt");
    REQUIRE(wait_until([&] { return json_lines(read_text(dir / "out.jsonl")).size() >= 25; },
                       std::chrono::seconds(30)));
    const int status = process.stop(SIGTERM);
    INFO(process.output());
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    const auto messages = json_lines(read_text(dir / "out.jsonl"));
    for (size_t i = 0; i < messages.size(); ++i)
        CHECK(messages[i].at("seq") == i);
    CHECK(process.output().find("loop/clip:") != std::string::npos);
}

TEST_CASE("run: snapshots keep the newest N of the pipeline, older runs' included") {
    const auto model = face_detector();
    const auto dir = temp_dir("run-snapshots");
    make_clip(dir / "clip.mp4", k_frames, 320, 240, "x264enc ! mp4mux");
    const auto snapshots = dir / "snapshots";
    std::filesystem::create_directories(snapshots);
    std::ofstream(snapshots / "lobby-clip-earlier-run.jpg") << "old";
    std::ofstream(snapshots / "other-clip-000000.jpg") << "another pipeline's";

    const nlohmann::json outputs = {{{"stdout", nlohmann::json::object()}}};
    const auto run = run_edgesight(
        dir, {face_pipeline("lobby", model, {dir / "clip.mp4"}, outputs)},
        "--snapshots '" + snapshots.string() + "' --snapshot-every 2 --snapshot-keep 3");
    REQUIRE(run.exit_code == 0);
    std::set<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(snapshots))
        names.insert(entry.path().filename().string());
    // 12 snapshots were written, frames 0, 2, … 22: the last 3 stay
    const std::set<std::string> expected{"lobby-clip-000018.jpg", "lobby-clip-000020.jpg",
                                         "lobby-clip-000022.jpg", "other-clip-000000.jpg"};
    CHECK(names == expected);
}
