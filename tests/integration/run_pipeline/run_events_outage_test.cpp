// Track events across a broker outage: people tracked in vtest.avi (Debian's opencv-doc) at the
// clip's pace, their events published to mosquitto and to a JSON-lines file; the broker is
// stopped mid-run and started again. Every event of the file reaches a subscriber with a
// persistent session, with the same content, and the events' seq has no gap.
#include "pipeline/config/mqtt_naming.h"
#include "tests/integration/pipeline_io/mqtt_test_subscriber.h"
#include "tests/integration/run_pipeline/run_fixture.h"
#include "tests/support/child_process.h"
#include "tests/support/mosquitto_broker.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>

#include <sys/wait.h>
#include <csignal>
#include <fstream>
#include <map>
#include <thread>

using namespace es::testing;
using namespace std::chrono_literals;

namespace {

// seq → the events with that seq (parsed, so that key order does not matter).
using EventsBySeq = std::map<uint64_t, std::vector<nlohmann::json>>;

EventsBySeq file_events(const std::filesystem::path& path) {
    EventsBySeq events;
    for (auto& message : json_lines(read_text(path)))
        if (message.contains("event")) events[message.at("seq")].push_back(std::move(message));
    return events;
}

EventsBySeq received_events(const std::vector<ReceivedMessage>& messages) {
    EventsBySeq events;
    for (const auto& message : messages) {
        auto event = nlohmann::json::parse(message.payload);
        events[event.at("seq")].push_back(std::move(event));
    }
    return events;
}

// Whether every seq of `published` arrived.
bool all_arrived(const EventsBySeq& published, const EventsBySeq& received) {
    for (const auto& entry : published)
        if (!received.count(entry.first)) return false;
    return true;
}

}  // namespace

TEST_CASE("run: track events published while the broker is away all arrive, seq gapless") {
    const std::filesystem::path clip = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
    REQUIRE_MESSAGE(std::filesystem::exists(clip), clip << " is missing: install opencv-doc");
    auto broker = MosquittoBroker::start_new();
    const auto dir = temp_dir("run-events-outage");
    const auto lines = dir / "out.jsonl";
    const nlohmann::json pipeline = {
        {"name", "street"},
        {"sources", {{{"id", "vtest"}, {"uri", "file://" + clip.string()}, {"realtime", true}}}},
        {"model", person_detector_model()},
        {"track", {{"method", "bytetrack"}}},
        {"events",
         {{"zones", {{{"name", "left"}, {"polygon", {{0, 0}, {0.5, 0}, {0.5, 1}, {0, 1}}}}}}}},
        {"outputs",
         {{{"mqtt", {{"uri", broker->uri()}, {"persistence_dir", (dir / "mqtt").string()}}}},
          {{"file", {{"path", lines.string()}}}}}}};
    std::ofstream(dir / "config.json")
        << nlohmann::json{{"pipelines", nlohmann::json::array({pipeline})}}.dump();
    MqttTestSubscriber subscriber(
        broker->uri(), "events-outage",
        {"edgesight/" + es::pipeline::mqtt_host_name() + "/street/vtest/events"}, true);
    ChildProcess run({edgesight_binary().string(), "run", (dir / "config.json").string(),
                      "--json-summary", (dir / "summary.json").string()},
                     dir / "run.txt");
    REQUIRE(subscriber.wait_for([](const auto& m) { return received_events(m).size() >= 3; }, 60s));

    broker->stop();
    const size_t before_outage = file_events(lines).size();
    // People keep coming and going while the broker is away.
    std::this_thread::sleep_for(8s);
    REQUIRE(wait_until([&] { return file_events(lines).size() >= before_outage + 5; }, 30s));
    const size_t during_outage = file_events(lines).size() - before_outage;
    broker->start();
    REQUIRE(wait_until(
        [&] { return file_events(lines).size() >= before_outage + during_outage + 5; }, 30s));
    const int status = run.stop(SIGTERM);
    INFO(run.output());
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);

    const EventsBySeq published = file_events(lines);
    CHECK(subscriber.wait_for(
        [&](const auto& m) { return all_arrived(published, received_events(m)); }, 30s));
    const EventsBySeq received = received_events(subscriber.messages());
    size_t duplicates = 0;
    uint64_t expected_seq = 0;
    for (const auto& [seq, events] : published) {
        CAPTURE(seq);
        CHECK(seq == expected_seq++);
        REQUIRE(events.size() == 1);
        REQUIRE(received.count(seq));
        // QoS 1 may deliver a message twice; never two messages with one seq.
        for (const auto& event : received.at(seq))
            CHECK(event == events.front());
        duplicates += received.at(seq).size() - 1;
    }
    CHECK(received.size() == published.size());
    MESSAGE(published.size(), " events (", during_outage, " while the broker was away), ",
            duplicates, " delivered twice");
    const auto summary = nlohmann::json::parse(read_text(dir / "summary.json"));
    CHECK(summary["pipelines"][0]["sources"][0]["events"] == published.size());
    CHECK(summary["pipelines"][0]["outputs"][0]["dropped"] == 0);
}
