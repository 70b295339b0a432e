// `edgesight run` under a Type=notify service: READY=1, WATCHDOG=1 while frames flow, and
// STOPPING=1 on SIGTERM reach $NOTIFY_SOCKET.
#include "tests/support/test_data.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <thread>

using namespace es::testing;

TEST_CASE("run: sd_notify READY, WATCHDOG and STOPPING reach NOTIFY_SOCKET") {
    const auto shared = shared_dir();
    if (!shared) return;
    const auto dir = temp_dir("run-notify");
    const auto model =
        *shared / "models/ir/face-detection-retail-0004/FP16/face-detection-retail-0004.xml";
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

    const std::string socket_path = (dir / "notify.sock").string();
    const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    REQUIRE(socket_path.size() < sizeof(address.sun_path));
    std::strcpy(address.sun_path, socket_path.c_str());
    REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
    const timeval receive_timeout{0, 100'000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &receive_timeout, sizeof(receive_timeout));

    // Stops the run with SIGTERM after two watchdog pings, or after a minute in any case.
    std::vector<std::string> messages;
    std::atomic<bool> exited{false};
    std::thread listener([&] {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
        int pings = 0;
        bool terminated = false;
        while (!exited) {
            char buffer[4096];
            const ssize_t size = recv(fd, buffer, sizeof(buffer), 0);
            if (size > 0) {
                messages.emplace_back(buffer, static_cast<size_t>(size));
                if (messages.back().rfind("WATCHDOG=1", 0) == 0) ++pings;
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
        char buffer[4096];
        for (ssize_t size; (size = recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT)) > 0;)
            messages.emplace_back(buffer, static_cast<size_t>(size));
    });
    const CommandResult result =
        run_command("echo $$ > '" + (dir / "pid").string() + "'; exec env NOTIFY_SOCKET='" +
                    socket_path + "' WATCHDOG_USEC=1000000 '" + edgesight_binary().string() +
                    "' run '" + (dir / "config.json").string() + "'");
    exited = true;
    listener.join();
    close(fd);
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
