// `edgesight run` under a Type=notify service: READY=1, WATCHDOG=1 while frames flow, and
// STOPPING=1 on SIGTERM reach $NOTIFY_SOCKET.
#include "tests/support/notify_socket.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <thread>

using namespace es::testing;

TEST_CASE("run: sd_notify READY, WATCHDOG and STOPPING reach NOTIFY_SOCKET") {
    const auto shared = shared_dir();
    const auto dir = temp_dir("run-notify");
    const auto model =
        shared / "models/ir/face-detection-retail-0004/FP16/face-detection-retail-0004.xml";
    const nlohmann::json pipeline = {
        {"name", "live"},
        {"sources", {{{"id", "cam"}, {"uri", "test://?pattern=ball&width=320&height=240&fps=30"}}}},
        {"model",
         {{"path", model.string()},
          {"device", "CPU"},
          {"nireq", 1},
          {"decoder", "ssd"},
          {"labels", {"background", "face"}}}},
        {"outputs", {{{"file", {{"path", (dir / "out.jsonl").string()}}}}}}};
    std::ofstream(dir / "config.json") << nlohmann::json{{"pipelines", {pipeline}}}.dump(2);

    NotifySocket notify(dir / "notify.sock");

    // Stops the run with SIGTERM after two watchdog pings, or after a minute in any case.
    std::vector<std::string> messages;
    std::atomic<bool> exited{false};
    std::thread listener([&] {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
        int pings = 0;
        bool terminated = false;
        while (!exited) {
            if (auto message = notify.receive(std::chrono::milliseconds(100))) {
                messages.push_back(*message);
                if (message->rfind("WATCHDOG=1", 0) == 0) ++pings;
            }
            if (!terminated && (pings >= 2 || std::chrono::steady_clock::now() > deadline)) {
                std::ifstream pid_file(dir / "pid");
                pid_t pid = 0;
                if (pid_file >> pid && pid > 0) {
                    kill(pid, SIGTERM);
                    terminated = true;
                }
            }
        }
        // Datagrams sent just before the exit.
        while (auto message = notify.receive(std::chrono::milliseconds(0)))
            messages.push_back(*message);
    });
    const CommandResult result =
        run_command("echo $$ > '" + (dir / "pid").string() + "'; exec env NOTIFY_SOCKET='" +
                    notify.path().string() + "' WATCHDOG_USEC=1000000 '" +
                    edgesight_binary().string() + "' run '" + (dir / "config.json").string() + "'");
    exited = true;
    listener.join();
    INFO(result.output);
    CHECK(result.exit_code == 0);

    std::string all;
    for (const auto& message : messages)
        all += "[" + message + "]\n";
    INFO(all);
    REQUIRE(messages.size() >= 4);
    CHECK(messages.front().rfind("READY=1\nSTATUS=1 pipeline running (1 source)", 0) == 0);
    CHECK(messages[1].rfind("WATCHDOG=1\nSTATUS=", 0) == 0);
    CHECK(messages[2].rfind("WATCHDOG=1\nSTATUS=", 0) == 0);
    CHECK(messages.back() == "STOPPING=1");
}
