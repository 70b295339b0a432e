// `edgesight run` retries the start of a pipeline whose model is not there yet, as on a mount that
// comes up late: the service keeps running and pinging its watchdog, the other pipeline runs on,
// and the pipeline starts and publishes once the file appears.
#include "tests/integration/pipeline_io/mqtt_test_subscriber.h"
#include "tests/integration/pipeline_io/test_media.h"
#include "tests/integration/run_pipeline/run_fixture.h"
#include "tests/support/child_process.h"
#include "tests/support/mosquitto_broker.h"
#include "tests/support/notify_socket.h"
#include "tests/support/test_data.h"
#include "tests/unit/metrics/http_client.h"
#include "tests/unit/metrics/prometheus_parser.h"

#include <doctest/doctest.h>

#include <sys/wait.h>

#include <cmath>
#include <csignal>
#include <fstream>

using namespace es::testing;
using namespace std::chrono_literals;

namespace {

nlohmann::json looping(nlohmann::json pipeline) {
    pipeline["sources"][0]["loop"] = true;
    pipeline["sources"][0]["realtime"] = true;
    pipeline["sources"][0]["fps"] = 10;
    return pipeline;
}

// The failed starts of `pipeline` on the /metrics of `port`; NaN when it has none.
double start_failures(int port, const std::string& pipeline) {
    return sample_value(parse_prometheus(http_get(port, "/metrics").body),
                        "edgesight_pipeline_start_failures", {{"pipeline", pipeline}});
}

// Copies `from` to `to` by a rename within `to`'s folder, so that it appears whole.
void place(const std::filesystem::path& from, const std::filesystem::path& to) {
    const auto partial = to.parent_path() / (to.filename().string() + ".part");
    std::filesystem::copy_file(from, partial);
    std::filesystem::rename(partial, to);
}

}  // namespace

TEST_CASE("run: a model that appears after a few seconds starts its pipeline without a restart") {
    const auto model = face_detector();
    const auto dir = temp_dir("run-late-model");
    make_clip(dir / "clip.mp4", 10, 320, 240, "x264enc ! mp4mux");
    auto broker = MosquittoBroker::start_new();
    MqttTestSubscriber subscriber(broker->uri(), "sub-late", {"edgesight/+/late/+/detections"},
                                  false);
    std::filesystem::create_directory(dir / "mount");
    const auto late_model = dir / "mount" / "model.xml";
    const auto late = looping(face_pipeline(
        "late", late_model, {dir / "clip.mp4"},
        {{{"mqtt", {{"uri", broker->uri()}, {"persistence_dir", (dir / "mqtt").string()}}}}}));
    const auto steady =
        looping(face_pipeline("steady", model, {dir / "clip.mp4"},
                              {{{"file", {{"path", (dir / "steady.jsonl").string()}}}}}));
    const int port = free_tcp_port();
    std::ofstream(dir / "config.json") << nlohmann::json{
        {"metrics", {{"listen", "127.0.0.1:" + std::to_string(port)}}},
        {"pipelines", {late, steady}}}.dump(2);

    NotifySocket notify(dir / "notify.sock");
    std::vector<std::string> messages;
    // Receives notifications until `condition` holds for one.
    const auto receive_until = [&](const std::function<bool(const std::string&)>& condition) {
        return wait_until(
            [&] {
                const auto message = notify.receive(100ms);
                if (message) messages.push_back(*message);
                return message && condition(*message);
            },
            60s);
    };
    ChildProcess process({"env", "NOTIFY_SOCKET=" + notify.path().string(), "WATCHDOG_USEC=2000000",
                          edgesight_binary().string(), "run", (dir / "config.json").string()},
                         dir / "output.txt");
    const pid_t pid = process.pid();
    REQUIRE(process.wait_for_output("pipeline late: ", 60s));
    CHECK(process.output().find(late_model.string()) != std::string::npos);
    CHECK(receive_until([](const std::string& message) {
        return message.find("1 failed to start, retrying") != std::string::npos;
    }));
    // Pings go on while it waits: three more watchdog periods.
    int pings = 0;
    CHECK(receive_until([&](const std::string& message) {
        pings += message.rfind("WATCHDOG=1\n", 0) == 0 ? 1 : 0;
        return pings >= 6;
    }));
    CHECK(start_failures(port, "late") >= 2);
    const size_t steady_lines = json_lines(read_text(dir / "steady.jsonl")).size();
    CHECK(steady_lines > 0);

    place(model.parent_path() / (model.stem().string() + ".bin"), dir / "mount" / "model.bin");
    place(model, late_model);
    CHECK(process.wait_for_output("pipeline late: started after", 90s));
    CHECK(subscriber.wait_for([](const auto& received) { return received.size() >= 5; }, 60s));
    CHECK(receive_until([](const std::string& message) {
        return message.rfind("WATCHDOG=1\nSTATUS=2 pipelines running (2 sources)", 0) == 0 &&
               message.find("failed to start") == std::string::npos;
    }));
    CHECK(json_lines(read_text(dir / "steady.jsonl")).size() > steady_lines);
    CHECK(std::isnan(start_failures(port, "late")));
    CHECK(process.pid() == pid);  // the same process throughout
    CHECK(process.running());

    const int status = process.stop(SIGTERM);
    INFO(process.output());
    std::string all;
    for (const auto& message : messages)
        all += "[" + message + "]\n";
    INFO(all);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}
