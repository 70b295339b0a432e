#include "pipeline/publish/mqtt_publisher.h"
#include "inference/core/error.h"
#include "tests/integration/pipeline_io/mqtt_test_subscriber.h"
#include "tests/support/child_process.h"
#include "tests/support/mosquitto_broker.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <signal.h>

#include <array>
#include <fstream>
#include <map>
#include <set>
#include <thread>

using namespace es;
using namespace es::pipeline;
using namespace es::testing;
using namespace std::chrono_literals;

namespace {

// Where the publishers of pipeline "lobby" publish by default on this host.
const std::string k_lobby = "edgesight/" + mqtt_host_name() + "/lobby/";

FrameResult result_of(const std::string& source, uint64_t frame) {
    FrameResult result;
    result.timestamp_ns = 1764133000123456789 + static_cast<int64_t>(frame);
    result.pipeline = "lobby";
    result.source = source;
    result.frame = frame;
    result.width = 1920;
    result.height = 1080;
    ObjectResult person;
    person.x = 192;
    person.y = 108;
    person.w = 96;
    person.h = 240;
    person.id = 17;
    person.bounding_box = {0.1f, 0.1f, 0.15f, 0.32f};
    person.confidence = 0.93f;
    person.label = "person";
    person.label_id = 1;
    result.objects.push_back(person);
    return result;
}

// Track `frame` of `source`: "new", "enter" and "leave" zone "door", "end", again and again.
EventResult event_of(const std::string& source, uint64_t frame) {
    static const std::array<const char*, 4> types = {"new", "enter", "leave", "end"};
    const std::string type = types[frame % types.size()];
    return {.timestamp_ns = 1764133000123456789 + static_cast<int64_t>(frame),
            .pipeline = "lobby",
            .source = source,
            .frame = frame,
            .type = type,
            .zone = type == "enter" || type == "leave" ? "door" : "",
            .object = result_of(source, frame).objects[0]};
}

MqttOptions options_for(const MosquittoBroker& broker, const std::string& client_id) {
    MqttOptions options;
    options.broker = broker.uri();
    options.pipeline = "lobby";
    options.client_id = client_id;
    options.persistence_dir = temp_dir("mqtt-persistence");
    options.reconnect_min = 1s;
    options.reconnect_max = 1s;
    return options;
}

// The seq numbers per source in the detection messages received, each message's schema checked.
std::map<std::string, std::vector<uint64_t>> sequences(const std::vector<ReceivedMessage>& messages,
                                                       bool* schema_ok) {
    std::map<std::string, std::vector<uint64_t>> seqs;
    for (const auto& message : messages) {
        if (message.topic.find("/detections") == std::string::npos) continue;
        const auto json = nlohmann::json::parse(message.payload, nullptr, false);
        const bool valid =
            json.is_object() && json["timestamp"].is_number_integer() &&
            json["pipeline"] == "lobby" && json["source"].is_string() &&
            message.topic == k_lobby + json["source"].get<std::string>() + "/detections" &&
            json["frame"].is_number_unsigned() && json["seq"].is_number_unsigned() &&
            json["resolution"]["width"] == 1920 && json["resolution"]["height"] == 1080 &&
            json["objects"].is_array();
        *schema_ok &= valid;
        if (valid) seqs[json["source"]].push_back(json["seq"]);
    }
    return seqs;
}

// The seq numbers per source in the event messages received, in arrival order, each message's
// schema checked: DESIGN.md's object, `zone` for enter and leave only.
std::map<std::string, std::vector<uint64_t>> event_sequences(
    const std::vector<ReceivedMessage>& messages, bool* schema_ok) {
    const std::set<std::string> types = {"new", "end", "enter", "leave"};
    std::map<std::string, std::vector<uint64_t>> seqs;
    for (const auto& message : messages) {
        if (message.topic.find("/events") == std::string::npos) continue;
        // Not const: a missing key reads as null.
        auto json = nlohmann::json::parse(message.payload, nullptr, false);
        const bool valid =
            json.is_object() && json["timestamp"].is_number_integer() &&
            json["pipeline"] == "lobby" && json["source"].is_string() &&
            message.topic == k_lobby + json["source"].get<std::string>() + "/events" &&
            json["frame"].is_number_unsigned() && json["seq"].is_number_unsigned() &&
            json["event"].is_string() && types.count(json["event"].get<std::string>()) &&
            json.contains("zone") == (json["event"] == "enter" || json["event"] == "leave") &&
            json["object"]["id"].is_number_integer() &&
            json["object"]["detection"]["bounding_box"].is_object();
        *schema_ok &= valid;
        if (valid) seqs[json["source"]].push_back(json["seq"]);
    }
    return seqs;
}

std::vector<uint64_t> zero_to(uint64_t count) {
    std::vector<uint64_t> numbers(count);
    for (uint64_t i = 0; i < count; ++i)
        numbers[i] = i;
    return numbers;
}

size_t count_detections(const std::vector<ReceivedMessage>& messages) {
    size_t count = 0;
    for (const auto& message : messages)
        count += message.topic.find("/detections") != std::string::npos;
    return count;
}

// Every seq from 0 to count-1 arrived (QoS 1 may deliver one twice).
bool gapless(std::vector<uint64_t> seqs, uint64_t count) {
    const std::set<uint64_t> unique(seqs.begin(), seqs.end());
    return unique.size() == count && *unique.begin() == 0 && *unique.rbegin() == count - 1;
}

std::vector<std::string> payloads_on(const std::vector<ReceivedMessage>& messages,
                                     const std::string& topic) {
    std::vector<std::string> payloads;
    for (const auto& message : messages)
        if (message.topic == topic) payloads.push_back(message.payload);
    return payloads;
}

}  // namespace

TEST_CASE("MQTT: every message arrives in the documented schema with gapless seq per source") {
    auto broker = MosquittoBroker::start_new();
    MqttTestSubscriber subscriber(broker->uri(), "sub-schema", {"edgesight/#"}, false);
    MqttPublisher publisher(options_for(*broker, "pub-schema"));
    for (uint64_t frame = 0; frame < 50; ++frame) {
        publisher.publish(result_of("cam1", frame));
        publisher.publish(result_of("cam2", frame * 2));
    }
    CHECK(publisher.flush(10s));
    REQUIRE(subscriber.wait_for(
        [](const auto& messages) {
            return count_detections(messages) >= 100 &&
                   !payloads_on(messages, k_lobby + "status").empty();
        },
        10s));
    const auto messages = subscriber.messages();
    bool schema_ok = true;
    const auto seqs = sequences(messages, &schema_ok);
    CHECK(schema_ok);
    CHECK(seqs.at("cam1") == [] {
        std::vector<uint64_t> expected(50);
        for (uint64_t i = 0; i < 50; ++i)
            expected[i] = i;
        return expected;
    }());
    CHECK(gapless(seqs.at("cam2"), 50));
    CHECK(
        payloads_on(messages, k_lobby + "cam1/detections")[0] ==
        R"({"timestamp":1764133000123456789,"pipeline":"lobby","source":"cam1","frame":0,"seq":0,)"
        R"("resolution":{"width":1920,"height":1080},"objects":[{"x":192,"y":108,"w":96,"h":240,)"
        R"("id":17,"detection":{"bounding_box":{"x_min":0.1,"y_min":0.1,"x_max":0.15,"y_max":0.32},)"
        R"("confidence":0.93,"label":"person","label_id":1}}]})");
    CHECK(publisher.stats().delivered == 100);
    const auto statuses = payloads_on(messages, k_lobby + "status");
    REQUIRE(statuses.size() == 1);
    CHECK(statuses[0] == "online");
}

TEST_CASE(
    "MQTT: track events arrive on the events topic, in order, with a seq apart from results") {
    auto broker = MosquittoBroker::start_new();
    MqttTestSubscriber subscriber(broker->uri(), "sub-events", {"edgesight/#"}, false);
    MqttPublisher publisher(options_for(*broker, "pub-events"));
    for (uint64_t frame = 0; frame < 40; ++frame) {
        publisher.publish(result_of("cam1", frame));
        publisher.publish_event(event_of("cam1", frame));
        if (frame % 2 == 0) publisher.publish_event(event_of("cam2", frame));
    }
    CHECK(publisher.flush(10s));
    const auto complete = [](const std::vector<ReceivedMessage>& messages) {
        bool schema_ok = true;
        const auto events = event_sequences(messages, &schema_ok);
        return count_detections(messages) >= 40 && events.count("cam1") &&
               events.at("cam1").size() >= 40 && events.count("cam2") &&
               events.at("cam2").size() >= 20;
    };
    REQUIRE(subscriber.wait_for(complete, 10s));
    const auto messages = subscriber.messages();
    bool schema_ok = true;
    const auto events = event_sequences(messages, &schema_ok);
    CHECK(schema_ok);
    CHECK(events.at("cam1") == zero_to(40));
    CHECK(events.at("cam2") == zero_to(20));
    // Results keep their own numbering: events take none of it.
    const auto results = sequences(messages, &schema_ok);
    CHECK(schema_ok);
    CHECK(results.at("cam1") == zero_to(40));
    // In publishing order: frame i of cam1 is event seq i.
    std::vector<uint64_t> frames;
    for (const auto& payload : payloads_on(messages, k_lobby + "cam1/events"))
        frames.push_back(nlohmann::json::parse(payload)["frame"]);
    CHECK(frames == zero_to(40));
    const auto enter = payloads_on(messages, k_lobby + "cam1/events").at(1);
    CHECK(
        enter ==
        R"({"timestamp":1764133000123456790,"pipeline":"lobby","source":"cam1","frame":1,"seq":1,)"
        R"("event":"enter","zone":"door","object":{"x":192,"y":108,"w":96,"h":240,"id":17,)"
        R"("detection":{"bounding_box":{"x_min":0.1,"y_min":0.1,"x_max":0.15,"y_max":0.32},)"
        R"("confidence":0.93,"label":"person","label_id":1}}})");
    CHECK(publisher.stats().delivered == 100);
}

TEST_CASE("MQTT: a custom events topic is used, with {source} replaced") {
    auto broker = MosquittoBroker::start_new();
    MqttTestSubscriber subscriber(broker->uri(), "sub-events-topic", {"site/#"}, false);
    auto options = options_for(*broker, "pub-events-topic");
    options.topic = "site/{pipeline}/{source}/objects";
    options.events_topic = "site/{pipeline}/{source}/tracks";
    MqttPublisher publisher(options);
    publisher.publish(result_of("cam1", 0));
    publisher.publish_event(event_of("cam1", 0));
    CHECK(publisher.flush(10s));
    REQUIRE(subscriber.wait_for([](const auto& messages) { return messages.size() >= 2; }, 10s));
    const auto events = payloads_on(subscriber.messages(), "site/lobby/cam1/tracks");
    REQUIRE(events.size() == 1);
    CHECK(nlohmann::json::parse(events[0])["event"] == "new");
    CHECK(payloads_on(subscriber.messages(), "site/lobby/cam1/objects").size() == 1);
}

TEST_CASE("MQTT: the retained status is online, and offline by last will when the publisher dies") {
    auto broker = MosquittoBroker::start_new();
    const auto dir = temp_dir("mqtt-will");
    ChildProcess publisher({ES_MQTT_PUBLISH_PROCESS, broker->uri(), (dir / "persist").string(),
                            "pub-will", "lobby", "cam", "1"},
                           dir / "publisher.log");
    MqttTestSubscriber watcher(broker->uri(), "sub-will", {k_lobby + "status"}, false);
    REQUIRE(watcher.wait_for(
        [](const auto& m) { return !m.empty() && m.back().payload == "online"; }, 10s));
    {
        MqttTestSubscriber late(broker->uri(), "sub-online", {k_lobby + "status"}, false);
        REQUIRE(late.wait_for([](const auto& m) { return !m.empty(); }, 5s));
        CHECK(late.messages()[0].payload == "online");
        CHECK(late.messages()[0].retained);
    }
    publisher.stop(SIGKILL);
    CHECK(watcher.wait_for(
        [](const auto& m) { return !m.empty() && m.back().payload == "offline"; }, 10s));
    MqttTestSubscriber after(broker->uri(), "sub-after", {k_lobby + "status"}, false);
    REQUIRE(after.wait_for([](const auto& m) { return !m.empty(); }, 5s));
    CHECK(after.messages()[0].payload == "offline");
    CHECK(after.messages()[0].retained);
}

TEST_CASE("MQTT: messages published while the broker is down arrive once it is back (QoS 1)") {
    auto broker = MosquittoBroker::start_new();
    MqttTestSubscriber subscriber(broker->uri(), "sub-outage", {k_lobby + "+/detections"}, true);
    MqttPublisher publisher(options_for(*broker, "pub-outage"));
    REQUIRE(wait_until([&] { return publisher.stats().connected; }, 5s));
    uint64_t frame = 0;
    for (; frame < 20; ++frame)
        publisher.publish(result_of("cam1", frame));

    broker->stop();
    REQUIRE(wait_until([&] { return !publisher.stats().connected; }, 5s));
    for (; frame < 40; ++frame) {
        publisher.publish(result_of("cam1", frame));
        std::this_thread::sleep_for(50ms);  // the broker stays away for about a second
    }
    CHECK_FALSE(publisher.flush(0ms));
    broker->start();
    for (; frame < 60; ++frame)
        publisher.publish(result_of("cam1", frame));

    CHECK(publisher.flush(15s));
    CHECK(subscriber.wait_for(
        [](const auto& messages) {
            bool schema_ok = true;
            const auto seqs = sequences(messages, &schema_ok);
            return seqs.count("cam1") && gapless(seqs.at("cam1"), 60);
        },
        15s));
    CHECK(publisher.stats().dropped == 0);
}

TEST_CASE("MQTT: track events published while the broker is down arrive once it is back") {
    auto broker = MosquittoBroker::start_new();
    MqttTestSubscriber subscriber(broker->uri(), "sub-events-outage",
                                  {k_lobby + "+/events", k_lobby + "+/detections"}, true);
    MqttPublisher publisher(options_for(*broker, "pub-events-outage"));
    REQUIRE(wait_until([&] { return publisher.stats().connected; }, 5s));
    const auto publish = [&](uint64_t frame) {
        publisher.publish_event(event_of("cam1", frame));
        publisher.publish(result_of("cam1", frame));
        publisher.publish_event(event_of("cam2", frame));
    };
    uint64_t frame = 0;
    for (; frame < 20; ++frame)
        publish(frame);

    broker->stop();
    REQUIRE(wait_until([&] { return !publisher.stats().connected; }, 5s));
    for (; frame < 40; ++frame) {
        publish(frame);
        std::this_thread::sleep_for(50ms);  // the broker stays away for about a second
    }
    CHECK_FALSE(publisher.flush(0ms));
    broker->start();
    for (; frame < 60; ++frame)
        publish(frame);

    CHECK(publisher.flush(15s));
    CHECK(subscriber.wait_for(
        [](const auto& messages) {
            bool schema_ok = true;
            const auto events = event_sequences(messages, &schema_ok);
            const auto results = sequences(messages, &schema_ok);
            return events.count("cam1") && gapless(events.at("cam1"), 60) && events.count("cam2") &&
                   gapless(events.at("cam2"), 60) && results.count("cam1") &&
                   gapless(results.at("cam1"), 60);
        },
        15s));
    CHECK(publisher.stats().dropped == 0);
    CHECK(publisher.stats().delivered == 180);
}

TEST_CASE(
    "MQTT: a broker stopped in the middle of bursts, again and again, loses nothing (QoS 1)") {
    // Stopping the broker while a burst is being written makes writes fail half-way, which
    // leaves Paho C 1.3.12 with messages it can no longer send (see MqttPublisher::Impl). QoS 1
    // may deliver a message twice (`seq` tells the copies apart), and Paho may send such a
    // message's freed bytes once before the new client takes over, so the schema is not checked.
    auto broker = MosquittoBroker::start_new();
    INFO(broker->log());
    MqttTestSubscriber subscriber(broker->uri(), "sub-bursts", {k_lobby + "+/detections"}, true);
    MqttPublisher publisher(options_for(*broker, "pub-bursts"));
    REQUIRE(wait_until([&] { return publisher.stats().connected; }, 5s));
    uint64_t frame = 0;
    // 800 in all, some sent twice after a takeover (the test broker queues them all for the
    // subscriber while it is away).
    for (int outage = 0; outage < 4; ++outage) {
        std::thread burst([&] {
            for (int i = 0; i < 200; ++i)
                publisher.publish(result_of("cam1", frame++));
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(1 + outage));
        broker->stop();
        burst.join();
        broker->start();
        REQUIRE(wait_until([&] { return publisher.stats().connected; }, 15s));
    }
    CHECK(publisher.flush(30s));
    CHECK(subscriber.wait_for(
        [&](const auto& messages) {
            bool schema_ok = true;
            const auto seqs = sequences(messages, &schema_ok);
            return seqs.count("cam1") && gapless(seqs.at("cam1"), frame);
        },
        30s));
    CHECK(publisher.stats().dropped == 0);
}

TEST_CASE("MQTT: messages persisted by a publisher that was killed are sent by its next start") {
    auto broker = MosquittoBroker::create();
    const auto dir = temp_dir("mqtt-restart");
    const std::string persist = (dir / "persist").string();
    {
        // The broker is not running: 25 messages go to the offline buffer and its files.
        ChildProcess publisher(
            {ES_MQTT_PUBLISH_PROCESS, broker->uri(), persist, "pub-restart", "lobby", "cam", "25"},
            dir / "first.log");
        REQUIRE(publisher.wait_for_output("published 25", 10s));
        publisher.stop(SIGKILL);
    }
    broker->start();
    MqttTestSubscriber subscriber(broker->uri(), "sub-restart", {k_lobby + "+/detections"}, true);
    // The restarted publisher sends the 25 persisted messages before a new one of its own.
    ChildProcess restarted({ES_MQTT_PUBLISH_PROCESS, broker->uri(), persist, "pub-restart", "lobby",
                            "cam-new", "1", "--wait"},
                           dir / "second.log");
    CHECK(subscriber.wait_for(
        [](const auto& messages) {
            bool schema_ok = true;
            const auto seqs = sequences(messages, &schema_ok);
            return seqs.count("cam") && gapless(seqs.at("cam"), 25) && seqs.count("cam-new");
        },
        15s));
    INFO(restarted.output());
    CHECK(restarted.wait_for_output("delivered", 15s));
}

TEST_CASE(
    "MQTT: track events persisted by a publisher that was killed are sent by its next start") {
    auto broker = MosquittoBroker::create();
    const auto dir = temp_dir("mqtt-events-restart");
    const std::string persist = (dir / "persist").string();
    {
        // The broker is not running: 25 results and 25 events go to the offline buffer and its
        // files.
        ChildProcess publisher({ES_MQTT_PUBLISH_PROCESS, broker->uri(), persist,
                                "pub-events-restart", "lobby", "cam", "25", "--events"},
                               dir / "first.log");
        REQUIRE(publisher.wait_for_output("published 25", 10s));
        publisher.stop(SIGKILL);
    }
    broker->start();
    MqttTestSubscriber subscriber(broker->uri(), "sub-events-restart",
                                  {k_lobby + "+/events", k_lobby + "+/detections"}, true);
    // The restarted publisher sends the persisted messages, then numbers its own event of the
    // same source above every number the killed one used.
    ChildProcess restarted({ES_MQTT_PUBLISH_PROCESS, broker->uri(), persist, "pub-events-restart",
                            "lobby", "cam", "1", "--events", "--wait"},
                           dir / "second.log");
    const auto persisted_and_one_more = [](const std::vector<uint64_t>& seqs) {
        const std::set<uint64_t> unique(seqs.begin(), seqs.end());
        return unique.size() == 26 && *unique.begin() == 0 && *std::next(unique.begin(), 24) == 24;
    };
    CHECK(subscriber.wait_for(
        [&](const auto& messages) {
            bool schema_ok = true;
            const auto events = event_sequences(messages, &schema_ok);
            const auto results = sequences(messages, &schema_ok);
            return events.count("cam") && persisted_and_one_more(events.at("cam")) &&
                   results.count("cam") && persisted_and_one_more(results.at("cam"));
        },
        15s));
    INFO(restarted.output());
    CHECK(restarted.wait_for_output("delivered", 15s));
}

TEST_CASE("MQTT options: a bad topic, qos, TLS setup or password file is refused") {
    const auto refused = [](const std::function<void(MqttOptions&)>& change) {
        MqttOptions options;
        options.pipeline = "lobby";
        options.persistence_dir = temp_dir("mqtt-options");
        change(options);
        try {
            MqttPublisher publisher(options);
        } catch (const Error& error) {
            MESSAGE(std::string(error.what()));
            return error.kind() == ErrorKind::BadInput;
        }
        return false;
    };
    CHECK(refused([](auto& o) { o.topic = "edgesight/{camera}/detections"; }));
    CHECK(refused([](auto& o) { o.topic = "edgesight/+/detections"; }));
    CHECK(refused([](auto& o) { o.events_topic = "edgesight/{camera}/events"; }));
    CHECK(refused([](auto& o) { o.events_topic = "edgesight/#"; }));
    CHECK(refused([](auto& o) { o.events_topic = o.topic; }));
    CHECK(refused([](auto& o) { o.qos = 3; }));
    CHECK(refused([](auto& o) { o.password_file = "/nonexistent/password"; }));
    CHECK(refused([](auto& o) {
        o.broker = "ssl://localhost:8883";
        o.tls = MqttTls{"/nonexistent/ca.pem", {}, {}, true};
    }));
    CHECK(refused([](auto& o) {
        o.broker = "tcp://localhost:8883";
        o.tls = MqttTls{};
    }));
    CHECK(refused([](auto& o) { o.broker = "udp://localhost:1883"; }));
    CHECK(refused([](auto& o) { o.status_topic = "edgesight/{source}/status"; }));
    CHECK(refused([](auto& o) { o.stats_topic = "edgesight/#"; }));
    CHECK(refused([](auto& o) { o.client_id = "{camera}"; }));
    // TLS settings where the config check takes them: exactly the TLS schemes.
    for (const MqttScheme& scheme : mqtt_schemes()) {
        CAPTURE(scheme.name);
        CHECK(refused([&](auto& o) {
                  o.broker = std::string(scheme.name) + "://127.0.0.1:1";
                  o.tls = MqttTls{};
              }) == !scheme.tls);
    }
}

TEST_CASE("MQTT: a full offline buffer drops the oldest messages and counts them") {
    auto broker = MosquittoBroker::start_new();
    MqttTestSubscriber subscriber(broker->uri(), "sub-full", {k_lobby + "+/detections"}, true);
    broker->stop();
    auto options = options_for(*broker, "pub-full");
    options.max_buffered_messages = 5;
    MqttPublisher publisher(options);
    for (uint64_t frame = 0; frame < 20; ++frame)
        publisher.publish(result_of("cam1", frame));
    CHECK(publisher.stats().published == 20);

    broker->start();
    CHECK(publisher.flush(15s));
    const OutputStats stats = publisher.stats();
    MESSAGE("delivered ", stats.delivered, ", dropped ", stats.dropped);
    CHECK(stats.delivered == 5);
    CHECK(stats.dropped == 15);
    CHECK(stats.pending == 0);
    // The newest messages arrive, and only they.
    CHECK(subscriber.wait_for(
        [&](const auto& messages) {
            bool schema_ok = true;
            const auto seqs = sequences(messages, &schema_ok);
            std::set<uint64_t> newest;
            for (uint64_t seq = stats.dropped; seq < 20; ++seq)
                newest.insert(seq);
            return seqs.count("cam1") &&
                   std::set<uint64_t>(seqs.at("cam1").begin(), seqs.at("cam1").end()) == newest;
        },
        15s));
}

TEST_CASE("MQTT: seq continues where the previous start stopped") {
    auto broker = MosquittoBroker::start_new();
    MqttTestSubscriber subscriber(broker->uri(), "sub-continue",
                                  {k_lobby + "+/detections", k_lobby + "+/events"}, false);
    const auto options = options_for(*broker, "pub-continue");
    for (uint64_t frame = 0; frame < 3; ++frame) {
        MqttPublisher publisher(options);
        publisher.publish(result_of("cam1", frame));
        publisher.publish_event(event_of("cam1", frame));
        publisher.publish_event(event_of("cam1", frame));
        publisher.publish(result_of("cam2", frame));
        CHECK(publisher.flush(5s));
        CHECK(std::filesystem::exists(publisher.seq_file()));
    }
    CHECK(subscriber.wait_for(
        [](const auto& messages) {
            bool schema_ok = true;
            const auto seqs = sequences(messages, &schema_ok);
            const auto events = event_sequences(messages, &schema_ok);
            return seqs.count("cam1") && gapless(seqs.at("cam1"), 3) && seqs.count("cam2") &&
                   gapless(seqs.at("cam2"), 3) && events.count("cam1") &&
                   gapless(events.at("cam1"), 6);
        },
        10s));
}

TEST_CASE("MQTT: a persistence folder that cannot be created is an error naming it") {
    const auto dir = temp_dir("mqtt-unwritable");
    std::ofstream(dir / "a_file") << "not a folder";
    MqttOptions options;
    options.pipeline = "lobby";
    options.persistence_dir = dir / "a_file" / "sub";
    std::string message;
    try {
        MqttPublisher publisher(options);
    } catch (const Error& error) {
        message = error.what();
    }
    CHECK(message.find((dir / "a_file" / "sub").string()) != std::string::npos);
}
