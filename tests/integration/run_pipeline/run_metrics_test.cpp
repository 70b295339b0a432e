// `edgesight run` with metrics: /metrics scraped over plain HTTP while a looping clip runs, the
// stats topic retained on the broker, and a port already taken.
#include "pipeline/config/mqtt_naming.h"
#include "tests/integration/pipeline_io/mqtt_test_subscriber.h"
#include "tests/integration/pipeline_io/test_media.h"
#include "tests/integration/run_pipeline/run_fixture.h"
#include "tests/support/child_process.h"
#include "tests/support/mosquitto_broker.h"
#include "tests/support/test_data.h"
#include "tests/unit/metrics/http_client.h"
#include "tests/unit/metrics/prometheus_parser.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <fstream>

using namespace es::testing;

namespace {

const std::map<std::string, std::string> k_clip = {{"pipeline", "lobby"}, {"source", "clip"}};

double value(const PrometheusText& text, const std::string& name,
             const std::map<std::string, std::string>& labels = k_clip) {
    return sample_value(text, name, labels);
}

// Parses a /metrics body and checks that it is valid.
PrometheusText checked_metrics(const std::string& body) {
    const PrometheusText text = parse_prometheus(body);
    CAPTURE(body);
    for (const auto& problem : text.problems)
        FAIL_CHECK(problem);
    for (const auto& problem : histogram_problems(text))
        FAIL_CHECK(problem);
    return text;
}

}  // namespace

TEST_CASE("run: /metrics over HTTP while a looping clip runs, and stats retained on MQTT") {
    const auto model = face_detector();
    auto broker = MosquittoBroker::start_new();
    const auto dir = temp_dir("run-metrics");
    make_clip(dir / "clip.mp4", 10, 320, 240, "x264enc ! mp4mux");
    auto pipeline = face_pipeline(
        "lobby", model, {dir / "clip.mp4"},
        {{{"mqtt", {{"uri", broker->uri()}, {"persistence_dir", (dir / "mqtt").string()}}}}});
    pipeline["sources"][0]["loop"] = true;
    const int port = free_tcp_port();
    const nlohmann::json config = {{"pipelines", {pipeline}},
                                   {"metrics", {{"listen", "127.0.0.1:" + std::to_string(port)}}},
                                   {"stats_interval", 1}};
    std::ofstream(dir / "config.json") << config.dump();
    MqttTestSubscriber live(broker->uri(), "stats-live",
                            {"edgesight/" + es::pipeline::mqtt_host_name() + "/lobby/stats"},
                            false);

    ChildProcess process({edgesight_binary().string(), "run", (dir / "config.json").string()},
                         dir / "output.txt");
    HttpResponse first;
    REQUIRE(wait_until(
        [&] {
            first = http_get(port, "/metrics");
            return value(parse_prometheus(first.body), "edgesight_source_frames_inferred_total") >
                   0;
        },
        std::chrono::seconds(30)));
    INFO(process.output());
    CHECK(first.head.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(first.head.find("Content-Type: text/plain; version=0.0.4") != std::string::npos);
    const PrometheusText before = checked_metrics(first.body);

    // A client that connects and sends nothing holds the server only until its read timeout.
    const int stuck = connect_loopback(port);
    REQUIRE(stuck >= 0);
    // A frame counts as inferred a moment before it counts as published: wait for all four.
    const char* const counters[] = {
        "edgesight_source_frames_decoded_total", "edgesight_source_frames_inferred_total",
        "edgesight_source_messages_published_total", "edgesight_source_latency_seconds_count"};
    HttpResponse second;
    const bool all_grew = wait_until(
        [&] {
            second = http_get(port, "/metrics");
            const PrometheusText now = parse_prometheus(second.body);
            return std::all_of(std::begin(counters), std::end(counters), [&](const char* counter) {
                return value(now, counter) > value(before, counter);
            });
        },
        std::chrono::seconds(30));
    close(stuck);
    const PrometheusText after = checked_metrics(second.body);
    for (const char* counter : counters) {
        CAPTURE(counter);
        CHECK(value(after, counter) > value(before, counter));
    }
    CHECK(all_grew);
    CHECK(value(after, "edgesight_source_errors_total") == 0);
    CHECK(value(after, "edgesight_source_reconnects_total") == 0);
    CHECK(value(after, "edgesight_inference_latency_seconds_count", {{"pipeline", "lobby"}}) >=
          value(after, "edgesight_source_frames_inferred_total"));
    const std::map<std::string, std::string> mqtt = {{"pipeline", "lobby"},
                                                     {"output", "mqtt " + broker->uri()}};
    CHECK(value(after, "edgesight_output_messages_published_total", mqtt) >
          value(before, "edgesight_output_messages_published_total", mqtt));
    CHECK(value(after, "edgesight_output_connected", mqtt) == 1);
    CHECK(value(after, "edgesight_process_resident_memory_bytes", {}) > 0);
    CHECK(http_get(port, "/other").head.rfind("HTTP/1.1 404 Not Found\r\n", 0) == 0);

    // Received live first; a later subscriber gets it from the broker as retained.
    REQUIRE(live.wait_for([](const auto& messages) { return !messages.empty(); },
                          std::chrono::seconds(10)));
    MqttTestSubscriber late(broker->uri(), "stats-late",
                            {"edgesight/" + es::pipeline::mqtt_host_name() + "/lobby/stats"},
                            false);
    REQUIRE(late.wait_for([](const auto& messages) { return !messages.empty(); },
                          std::chrono::seconds(10)));
    const ReceivedMessage retained = late.messages().front();
    CHECK(retained.retained);
    const auto stats = nlohmann::json::parse(retained.payload);
    CHECK(stats.at("pipeline") == "lobby");
    CHECK(stats.at("sources").at(0).at("source") == "clip");
    CHECK(stats.at("sources").at(0).at("inferred").get<uint64_t>() > 0);
    CHECK(stats.at("outputs").at(0).at("connected") == true);

    const int status = process.stop(SIGTERM);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("run: a metrics port already in use is logged and the pipelines run on") {
    const auto model = face_detector();
    const auto dir = temp_dir("run-metrics-busy");
    make_clip(dir / "clip.mp4", 6, 320, 240, "x264enc ! mp4mux");
    const int taken = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof(address);
    REQUIRE(bind(taken, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0);
    REQUIRE(listen(taken, 1) == 0);
    REQUIRE(getsockname(taken, reinterpret_cast<sockaddr*>(&address), &size) == 0);
    const std::string listen_at = "127.0.0.1:" + std::to_string(ntohs(address.sin_port));

    const auto pipeline = face_pipeline("busy", model, {dir / "clip.mp4"},
                                        {{{"file", {{"path", (dir / "out.jsonl").string()}}}}});
    std::ofstream(dir / "config.json")
        << nlohmann::json{{"pipelines", {pipeline}}, {"metrics", {{"listen", listen_at}}}}.dump();
    const auto run = run_command(edgesight_binary().string() + " run '" +
                                 (dir / "config.json").string() + "' 2>&1");
    close(taken);
    INFO(run.output);
    CHECK(run.exit_code == 0);
    CHECK(run.output.find("metrics: cannot listen on " + listen_at) != std::string::npos);
    CHECK(json_lines(read_text(dir / "out.jsonl")).size() == 6);
}

TEST_CASE("run: a reload moves /metrics to the new listen address") {
    const auto model = face_detector();
    const auto dir = temp_dir("run-metrics-reload");
    make_clip(dir / "clip.mp4", 10, 320, 240, "x264enc ! mp4mux");
    auto pipeline = face_pipeline("lobby", model, {dir / "clip.mp4"},
                                  {{{"file", {{"path", (dir / "out.jsonl").string()}}}}});
    pipeline["sources"][0]["loop"] = true;
    pipeline["sources"][0]["realtime"] = true;
    const int first_port = free_tcp_port();
    const int second_port = free_tcp_port();
    auto write_config = [&](int port) {
        std::ofstream(dir / "config.json")
            << nlohmann::json{{"pipelines", {pipeline}},
                              {"metrics", {{"listen", "127.0.0.1:" + std::to_string(port)}}}}
                   .dump();
    };
    write_config(first_port);
    ChildProcess process({edgesight_binary().string(), "run", (dir / "config.json").string()},
                         dir / "output.txt");
    auto answers = [](int port) {
        return http_get(port, "/metrics").head.rfind("HTTP/1.1 200", 0) == 0;
    };
    REQUIRE(wait_until([&] { return answers(first_port); }, std::chrono::seconds(30)));
    write_config(second_port);
    REQUIRE(kill(process.pid(), SIGHUP) == 0);
    INFO(process.output());
    CHECK(wait_until([&] { return answers(second_port); }, std::chrono::seconds(30)));
    CHECK(connect_loopback(first_port) < 0);  // the old port is closed
    const int status = process.stop(SIGTERM);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}
