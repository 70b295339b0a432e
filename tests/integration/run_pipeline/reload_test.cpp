// `edgesight run` reloads its config on SIGHUP: unchanged pipelines run on, changed ones restart,
// added ones start, removed ones stop, an invalid config or a model that does not load changes
// nothing; systemd hears RELOADING=1 then READY=1, and watchdog pings while the reload drains.
#include "pipeline/config/mqtt_naming.h"
#include "tests/integration/pipeline_io/mqtt_test_subscriber.h"
#include "tests/integration/pipeline_io/test_media.h"
#include "tests/integration/run_pipeline/run_fixture.h"
#include "tests/support/child_process.h"
#include "tests/support/mosquitto_broker.h"
#include "tests/support/notify_socket.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <set>
#include <thread>

using namespace es::testing;

namespace {

nlohmann::json looping_pipeline(const std::string& name, const std::filesystem::path& model,
                                const std::filesystem::path& dir) {
    auto pipeline = face_pipeline(name, model, {dir / "clip.mp4"},
                                  {{{"file", {{"path", (dir / (name + ".jsonl")).string()}}}}});
    pipeline["sources"][0]["loop"] = true;
    // Paced, so that on a busy machine one pipeline does not starve the other.
    pipeline["sources"][0]["realtime"] = true;
    pipeline["sources"][0]["fps"] = 15;
    return pipeline;
}

void write_config(const std::filesystem::path& dir, const std::vector<nlohmann::json>& pipelines) {
    std::ofstream(dir / "config.json") << nlohmann::json{{"pipelines", pipelines}}.dump(2);
}

// The seq of each complete line of `path`: the last one may be half written.
std::vector<uint64_t> seqs(const std::filesystem::path& path) {
    std::string text = read_text(path);
    text.resize(text.rfind('\n') + 1);
    std::vector<uint64_t> values;
    for (const auto& message : json_lines(text))
        values.push_back(message.at("seq").get<uint64_t>());
    return values;
}

// How many times the seq numbering of `path` starts at 0, after checking that it otherwise
// counts up by one.
size_t starts(const std::filesystem::path& path) {
    const auto values = seqs(path);
    size_t count = 0;
    for (size_t i = 0; i < values.size(); ++i) {
        if (values[i] == 0) {
            ++count;
            continue;
        }
        INFO(path.string() << " line " << i);
        CHECK((i > 0 && values[i] == values[i - 1] + 1));
    }
    return count;
}

// Waits until `path` has `more` lines beyond what it has now.
bool grows(const std::filesystem::path& path, size_t more) {
    const size_t now = seqs(path).size();
    return wait_until([&] { return seqs(path).size() >= now + more; }, std::chrono::seconds(30));
}

}  // namespace

// One run through four reloads: each would otherwise pay for a start.
TEST_CASE("run: SIGHUP keeps unchanged pipelines, restarts changed ones, adds and removes") {
    const auto model = face_detector();
    const auto dir = temp_dir("run-reload");
    make_clip(dir / "clip.mp4", 10, 320, 240, "x264enc ! mp4mux");
    auto a = looping_pipeline("a", model, dir);
    auto b = looping_pipeline("b", model, dir);
    write_config(dir, {a, b});

    ChildProcess process({edgesight_binary().string(), "run", (dir / "config.json").string()},
                         dir / "output.txt");
    REQUIRE(grows(dir / "a.jsonl", 5));
    REQUIRE(grows(dir / "b.jsonl", 5));

    // An unchanged config keeps both running.
    process.signal(SIGHUP);
    REQUIRE(process.wait_for_output("reload: 2 unchanged, 0 restarted, 0 added, 0 removed",
                                    std::chrono::seconds(30)));
    CHECK(grows(dir / "a.jsonl", 5));
    CHECK(grows(dir / "b.jsonl", 5));
    CHECK(starts(dir / "a.jsonl") == 1);
    CHECK(starts(dir / "b.jsonl") == 1);

    // A changed threshold restarts only that pipeline.
    b["model"]["threshold"] = 0.6;
    write_config(dir, {a, b});
    process.signal(SIGHUP);
    REQUIRE(process.wait_for_output("reload: 1 unchanged, 1 restarted, 0 added, 0 removed",
                                    std::chrono::seconds(30)));
    CHECK(grows(dir / "a.jsonl", 5));
    CHECK(grows(dir / "b.jsonl", 5));
    CHECK(starts(dir / "a.jsonl") == 1);
    CHECK(starts(dir / "b.jsonl") == 2);

    // An added pipeline starts and a removed one stops.
    auto c = looping_pipeline("c", model, dir);
    write_config(dir, {a, c});
    process.signal(SIGHUP);
    REQUIRE(process.wait_for_output("reload: 1 unchanged, 0 restarted, 1 added, 1 removed",
                                    std::chrono::seconds(30)));
    // b was drained before the reload line was logged.
    const std::string b_text = read_text(dir / "b.jsonl");
    CHECK(grows(dir / "c.jsonl", 5));
    CHECK(grows(dir / "a.jsonl", 5));
    CHECK(read_text(dir / "b.jsonl") == b_text);
    CHECK(starts(dir / "a.jsonl") == 1);
    CHECK(starts(dir / "c.jsonl") == 1);

    // An invalid config is rejected as a whole and both pipelines run on.
    c["model"]["threshold"] = 7;
    write_config(dir, {a, c, b});
    process.signal(SIGHUP);
    REQUIRE(process.wait_for_output("1 problem; the running pipelines continue",
                                    std::chrono::seconds(30)));
    CHECK(process.output().find((dir / "config.json").string() +
                                ": pipelines[1].model.threshold: ") != std::string::npos);
    CHECK(grows(dir / "a.jsonl", 5));
    CHECK(grows(dir / "c.jsonl", 5));
    CHECK(read_text(dir / "b.jsonl") == b_text);
    CHECK(starts(dir / "a.jsonl") == 1);
    CHECK(starts(dir / "c.jsonl") == 1);

    const int status = process.stop(SIGTERM);
    INFO(process.output());
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("run: a reload sends RELOADING=1 then READY=1 to NOTIFY_SOCKET") {
    const auto model = face_detector();
    const auto dir = temp_dir("run-reload-notify");
    make_clip(dir / "clip.mp4", 10, 320, 240, "x264enc ! mp4mux");
    write_config(dir, {looping_pipeline("a", model, dir)});

    NotifySocket notify(dir / "notify.sock");
    std::vector<std::string> messages;
    // Receives datagrams until one starts with `prefix`.
    const auto receive = [&](const std::string& prefix) {
        return wait_until(
            [&] {
                const auto message = notify.receive(std::chrono::milliseconds(100));
                if (!message) return false;
                messages.push_back(*message);
                return message->rfind(prefix, 0) == 0;
            },
            std::chrono::seconds(30));
    };

    ChildProcess process({"env", "NOTIFY_SOCKET=" + notify.path().string(),
                          edgesight_binary().string(), "run", (dir / "config.json").string()},
                         dir / "output.txt");
    CHECK(receive("READY=1\n"));
    process.signal(SIGHUP);
    CHECK(receive("RELOADING=1\nMONOTONIC_USEC="));
    CHECK(receive("READY=1\nSTATUS=1 pipeline running"));
    const int status = process.stop(SIGTERM);
    INFO(process.output());
    CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    std::string all;
    for (const auto& message : messages)
        all += "[" + message + "]\n";
    INFO(all);
    REQUIRE(messages.size() == 3);
    CHECK(messages[1].find("STATUS=reloading") != std::string::npos);
}

TEST_CASE("run: a reload to a model that does not load keeps the pipeline running as it was") {
    const auto model = face_detector();
    const auto dir = temp_dir("run-reload-bad-model");
    make_clip(dir / "clip.mp4", 10, 320, 240, "x264enc ! mp4mux");
    auto a = looping_pipeline("a", model, dir);
    write_config(dir, {a});
    std::ofstream(dir / "broken.xml") << "<net name=\"broken\" version=\"11\"><layers>";
    std::ofstream(dir / "broken.bin") << "";

    ChildProcess process({edgesight_binary().string(), "run", (dir / "config.json").string()},
                         dir / "output.txt");
    REQUIRE(grows(dir / "a.jsonl", 5));
    a["model"]["path"] = (dir / "broken.xml").string();
    write_config(dir, {a});
    process.signal(SIGHUP);
    INFO(process.output());
    REQUIRE(process.wait_for_output(
        "reload: 0 unchanged, 0 restarted, 0 added, 0 removed, 1 kept running with the previous "
        "config",
        std::chrono::seconds(60)));
    const std::string output = process.output();
    CHECK(output.find("pipeline a: ") != std::string::npos);
    CHECK(output.find((dir / "broken.xml").string()) != std::string::npos);
    CHECK(grows(dir / "a.jsonl", 5));
    CHECK(starts(dir / "a.jsonl") == 1);  // never stopped

    // Once the file is fixed, the next reload applies it.
    a["model"]["path"] = model.string();
    a["model"]["threshold"] = 0.6;
    write_config(dir, {a});
    process.signal(SIGHUP);
    REQUIRE(process.wait_for_output("reload: 0 unchanged, 1 restarted, 0 added, 0 removed",
                                    std::chrono::seconds(60)));
    CHECK(grows(dir / "a.jsonl", 5));
    CHECK(starts(dir / "a.jsonl") == 2);
    const int status = process.stop(SIGTERM);
    INFO(process.output());
    CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
}

// The old pipeline drains into a broker that is away: the reload takes seconds, and the
// watchdog hears from the service all along.
TEST_CASE("run: the watchdog is pinged through a reload that drains to an absent broker") {
    const auto model = face_detector();
    const auto dir = temp_dir("run-reload-watchdog");
    make_clip(dir / "clip.mp4", 10, 320, 240, "x264enc ! mp4mux");
    auto broker = MosquittoBroker::start_new();
    const std::string topic = "edgesight/" + es::pipeline::mqtt_host_name() + "/m/+/detections";
    MqttTestSubscriber subscriber(broker->uri(), "sub-reload-watchdog", {topic}, true);
    auto m = looping_pipeline("m", model, dir);
    m["outputs"] = {
        {{"mqtt", {{"uri", broker->uri()}, {"persistence_dir", (dir / "mqtt").string()}}}}};
    write_config(dir, {m});

    NotifySocket notify(dir / "notify.sock");
    using Clock = std::chrono::steady_clock;
    std::vector<std::pair<Clock::time_point, std::string>> messages;
    const auto receive = [&](const std::string& prefix) {
        return wait_until(
            [&] {
                const auto message = notify.receive(std::chrono::milliseconds(100));
                if (message) messages.emplace_back(Clock::now(), *message);
                return message && message->rfind(prefix, 0) == 0;
            },
            std::chrono::seconds(60));
    };
    ChildProcess process({"env", "NOTIFY_SOCKET=" + notify.path().string(), "WATCHDOG_USEC=2000000",
                          edgesight_binary().string(), "run", (dir / "config.json").string()},
                         dir / "output.txt");
    REQUIRE(receive("READY=1\n"));
    REQUIRE(subscriber.wait_for([](const auto& received) { return received.size() >= 5; },
                                std::chrono::seconds(60)));
    broker->stop();
    REQUIRE(process.wait_for_output("; reconnecting, messages are kept", std::chrono::seconds(30)));
    std::this_thread::sleep_for(std::chrono::seconds(1));  // results wait for the broker

    m["model"]["threshold"] = 0.6;
    write_config(dir, {m});
    process.signal(SIGHUP);
    REQUIRE(receive("RELOADING=1\n"));
    const size_t reload_start = messages.size() - 1;
    REQUIRE(receive("READY=1\n"));
    // The longest silence from RELOADING=1 to READY=1; systemd kills after WATCHDOG_USEC.
    auto longest = Clock::duration::zero();
    for (size_t i = reload_start + 1; i < messages.size(); ++i)
        longest = std::max(longest, messages[i].first - messages[i - 1].first);
    const auto reload_time = messages.back().first - messages[reload_start].first;
    std::string all;
    for (const auto& [time, message] : messages)
        all += "[" + message + "]\n";
    INFO(all);
    INFO(process.output());
    CHECK(reload_time > std::chrono::seconds(3));  // it drained, waiting for the broker
    CHECK(longest < std::chrono::milliseconds(1800));
    CHECK(process.output().find("reload: 0 unchanged, 1 restarted") != std::string::npos);

    // What the old pipeline could not deliver is sent by the new one once the broker is back.
    broker->start();
    const auto gapless = [](const std::vector<ReceivedMessage>& received, size_t count) {
        std::set<uint64_t> seqs;
        for (const auto& message : received)
            seqs.insert(nlohmann::json::parse(message.payload).at("seq").get<uint64_t>());
        return seqs.size() >= count && *seqs.rbegin() == seqs.size() - 1;
    };
    CHECK(subscriber.wait_for([&](const auto& received) { return gapless(received, 40); },
                              std::chrono::seconds(60)));
    const int status = process.stop(SIGTERM);
    CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
}
