// `edgesight run` with MQTT loses no message: across a broker outage, across a SIGKILL and the
// next start (seq continues), and refuses a persistence folder it cannot write.
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
#include <map>
#include <set>
#include <thread>

using namespace es::testing;
using namespace std::chrono_literals;

namespace {

// A looping clip paced at 10 frames per second, published to `broker`, and to `lines` when set.
nlohmann::json live_pipeline(const std::string& name, const std::filesystem::path& model,
                             const std::filesystem::path& dir, const MosquittoBroker& broker,
                             const std::filesystem::path& lines = {}) {
    make_clip(dir / "clip.mp4", 30, 320, 240, "x264enc ! mp4mux");
    nlohmann::json outputs = {
        {{"mqtt", {{"uri", broker.uri()}, {"persistence_dir", (dir / "mqtt").string()}}}}};
    if (!lines.empty()) outputs.push_back({{"file", {{"path", lines.string()}}}});
    auto pipeline = face_pipeline(name, model, {dir / "clip.mp4"}, outputs);
    pipeline["sources"][0]["realtime"] = true;
    pipeline["sources"][0]["loop"] = true;
    pipeline["sources"][0]["fps"] = 10;
    std::ofstream(dir / "config.json")
        << nlohmann::json{{"pipelines", nlohmann::json::array({pipeline})}}.dump();
    return pipeline;
}

std::unique_ptr<ChildProcess> start_run(const std::filesystem::path& dir, const std::string& log) {
    return std::make_unique<ChildProcess>(
        std::vector<std::string>{edgesight_binary().string(), "run", (dir / "config.json").string(),
                                 "--json-summary", (dir / (log + ".json")).string()},
        dir / (log + ".txt"));
}

// Each seq received and the payloads that carried it.
std::map<uint64_t, std::set<std::string>> by_seq(const std::vector<ReceivedMessage>& messages) {
    std::map<uint64_t, std::set<std::string>> seqs;
    for (const auto& message : messages)
        if (message.topic.ends_with("/detections"))
            seqs[nlohmann::json::parse(message.payload).at("seq")].insert(message.payload);
    return seqs;
}

// Every seq from 0 to `count` - 1 arrived, and nothing else.
bool all_of_0_to(const std::map<uint64_t, std::set<std::string>>& seqs, uint64_t count) {
    return seqs.size() == count && (count == 0 || seqs.rbegin()->first == count - 1);
}

}  // namespace

TEST_CASE("run: a broker away for 20 s loses no message, seq stays gapless") {
    const auto model = face_detector();
    auto broker = MosquittoBroker::start_new();
    const auto dir = temp_dir("run-outage");
    live_pipeline("outage", model, dir, *broker);
    MqttTestSubscriber subscriber(
        broker->uri(), "noloss-outage",
        {"edgesight/" + es::pipeline::mqtt_host_name() + "/outage/+/detections"}, true);
    auto run = start_run(dir, "run");
    REQUIRE(subscriber.wait_for([](const auto& m) { return by_seq(m).size() >= 5; }, 60s));

    broker->stop();
    std::this_thread::sleep_for(20s);
    broker->start();
    const size_t before = by_seq(subscriber.messages()).size();
    // Paho's reconnection backoff reaches 16 s during the outage.
    CHECK(subscriber.wait_for([&](const auto& m) { return by_seq(m).size() >= before + 20; }, 45s));
    const int status = run->stop(SIGTERM);
    INFO(run->output());
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(run->output().find("delivered") != std::string::npos);

    const auto summary = nlohmann::json::parse(read_text(dir / "run.json"));
    const auto& output = summary.at("pipelines").at(0).at("outputs").at(0);
    const uint64_t published = output.at("published");
    CHECK(published == summary.at("pipelines").at(0).at("sources").at(0).at("published"));
    CHECK(output.at("dropped") == 0);
    CHECK(published > before + 20);
    CHECK(
        subscriber.wait_for([&](const auto& m) { return all_of_0_to(by_seq(m), published); }, 15s));
    for (const auto& [seq, payloads] : by_seq(subscriber.messages())) {
        CAPTURE(seq);
        CHECK(payloads.size() == 1);
    }
}

TEST_CASE("run: after a SIGKILL the next start sends what was kept and numbers above it") {
    const auto model = face_detector();
    auto broker = MosquittoBroker::create();
    const auto dir = temp_dir("run-sigkill");
    live_pipeline("crash", model, dir, *broker, dir / "first.jsonl");
    const auto seq_file =
        dir / "mqtt" / ("edgesight-" + es::pipeline::mqtt_host_name() + "-crash.seq.json");
    const auto next_seq = [&]() -> uint64_t {
        const auto json = nlohmann::json::parse(read_text(seq_file), nullptr, false);
        return json.is_object() ? json["next"].value("clip", uint64_t{0}) : 0;
    };
    uint64_t before_kill = 0;  // results of the first start, as its file output has them
    {
        // The broker is away: results stay in Paho's buffer and its files.
        auto run = start_run(dir, "first");
        REQUIRE(wait_until([&] { return json_lines(read_text(dir / "first.jsonl")).size() >= 10; },
                           60s));
        run->stop(SIGKILL);
        before_kill = json_lines(read_text(dir / "first.jsonl")).size();
    }
    // The saved reservation: above every number the first start used.
    const uint64_t reserved = next_seq();
    CHECK(reserved >= before_kill + 1);

    broker->start();
    MqttTestSubscriber subscriber(
        broker->uri(), "noloss-crash",
        {"edgesight/" + es::pipeline::mqtt_host_name() + "/crash/+/detections"}, false);
    auto run = start_run(dir, "second");
    CHECK(subscriber.wait_for(
        [&](const auto& m) { return by_seq(m).size() >= before_kill - 1 + 10; }, 60s));
    const int status = run->stop(SIGTERM);
    INFO(run->output());
    REQUIRE(WIFEXITED(status));
    const auto summary = nlohmann::json::parse(read_text(dir / "second.json"));
    const uint64_t published = summary.at("pipelines").at(0).at("outputs").at(0).at("published");
    // A clean stop saves the exact next number.
    CHECK(next_seq() == reserved + published);
    // Every result of the first start arrives (but the last one when the kill fell between
    // numbering it and handing it to Paho), then the second start's from the reservation on.
    const auto expected = [&](const std::map<uint64_t, std::set<std::string>>& seqs) {
        std::set<uint64_t> numbers;
        for (const auto& [seq, payloads] : seqs)
            numbers.insert(seq);
        std::set<uint64_t> wanted;
        for (uint64_t seq = 0; seq + 1 < before_kill; ++seq)
            wanted.insert(seq);
        for (uint64_t seq = reserved; seq < reserved + published; ++seq)
            wanted.insert(seq);
        numbers.erase(before_kill - 1);
        numbers.erase(before_kill);  // numbered and persisted just before the kill
        return numbers == wanted;
    };
    CHECK(subscriber.wait_for([&](const auto& m) { return expected(by_seq(m)); }, 15s));

    const auto seqs = by_seq(subscriber.messages());
    for (const auto& [seq, payloads] : seqs) {
        CAPTURE(seq);
        CHECK(payloads.size() == 1);  // resent duplicates, never a number used twice
    }
    // The second start numbers its first frame from the reservation.
    REQUIRE(seqs.count(reserved));
    CHECK(nlohmann::json::parse(*seqs.at(reserved).begin()).at("frame") == 0);
}

TEST_CASE("run: a persistence folder that cannot be created is a config error naming it") {
    const auto model = face_detector();
    const auto dir = temp_dir("run-unwritable");
    std::ofstream(dir / "a_file") << "not a folder";
    const auto folder = dir / "a_file" / "sub";
    const auto pipeline = face_pipeline(
        "stuck", model, {dir / "clip.mp4"},
        {{{"mqtt", {{"uri", "tcp://127.0.0.1:1"}, {"persistence_dir", folder.string()}}}}});
    make_clip(dir / "clip.mp4", 3, 320, 240, "x264enc ! mp4mux");
    const auto run = run_edgesight(dir, {pipeline});
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("pipelines[0].outputs[0].mqtt.persistence_dir") != std::string::npos);
    CHECK(run.err.find(folder.string()) != std::string::npos);
}
