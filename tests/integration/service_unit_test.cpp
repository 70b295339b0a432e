// systemd/edgesight@.service: systemd-analyze accepts it and scores its sandbox as well hardened.
#include "tests/support/test_data.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <regex>
#include <sstream>
#include <vector>

using namespace es::testing;

namespace {

const std::filesystem::path k_unit =
    std::filesystem::path(ES_SOURCE_DIR) / "systemd" / "edgesight@.service";

std::string read_unit() {
    std::ifstream file(k_unit);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

// The unit, with ExecStart on the built binary, as DIR/edgesight@.service.
std::filesystem::path unit_copy(const std::filesystem::path& dir) {
    std::string text = read_unit();
    const std::string installed = "/usr/local/bin/edgesight";
    const size_t at = text.find(installed);
    REQUIRE(at != std::string::npos);
    text.replace(at, installed.size(), edgesight_binary().string());
    const auto path = dir / "edgesight@.service";
    std::ofstream(path) << text;
    return path;
}

}  // namespace

TEST_CASE("service unit: has the settings the service relies on") {
    const std::string unit = read_unit();
    for (const char* line :
         {"ExecStart=/usr/local/bin/edgesight run /etc/edgesight/%i.json", "Type=notify",
          "WatchdogSec=30", "Restart=on-failure", "DynamicUser=yes", "StateDirectory=edgesight/%i",
          "CacheDirectory=edgesight/%i", "ConfigurationDirectory=edgesight", "ProtectSystem=strict",
          "ProtectHome=yes", "PrivateTmp=yes", "NoNewPrivileges=yes", "SupplementaryGroups=video",
          "DeviceAllow=char-video4linux rw",
          // A bad config (exit 2) is not restarted forever.
          "RestartPreventExitStatus=2",
          // Bounded resources, no core dumps (they would hold frames and credentials).
          "MemoryMax=", "TasksMax=", "LimitCORE=0",
          // No /proc files beyond the processes', no System V IPC shared with other services.
          "ProcSubset=pid", "PrivateIPC=yes",
          "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK",
          "SystemCallFilter=@system-service", "CapabilityBoundingSet=\n", "LockPersonality=yes",
          "ProtectKernelTunables=yes", "ProtectKernelModules=yes", "ProtectKernelLogs=yes",
          "ProtectControlGroups=yes", "RestrictNamespaces=yes",
          // `systemctl reload`: SIGHUP rereads the config.
          "ExecReload=/bin/kill -HUP $MAINPID",
          // The CPU device's JIT writes code at run time.
          "MemoryDenyWriteExecute=no"}) {
        INFO(line);
        CHECK(unit.find(line) != std::string::npos);
    }
}

TEST_CASE("service unit: devices are the cameras only, USB is a commented drop-in") {
    std::istringstream lines(read_unit());
    std::vector<std::string> device_allow;
    bool usb_drop_in = false;
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("DeviceAllow=", 0) == 0) device_allow.push_back(line);
        if (line.find("#   DeviceAllow=char-usb_device rw") == 0) usb_drop_in = true;
    }
    CHECK(device_allow == std::vector<std::string>{"DeviceAllow=char-video4linux rw"});
    CHECK(usb_drop_in);
}

TEST_CASE("service unit: every example config writes only where the unit lets it write") {
    // Writable under ProtectSystem=strict: the instance's StateDirectory= and the private /tmp.
    // The service starts in /etc/edgesight, where the configs live.
    const std::filesystem::path configs = std::filesystem::path(ES_SOURCE_DIR) / "configs";
    const std::string unit = read_unit();
    REQUIRE(unit.find("StateDirectory=edgesight/%i\n") != std::string::npos);
    REQUIRE(unit.find("PrivateTmp=yes\n") != std::string::npos);
    // install.sh installs the demo configs with their paths rewritten; those copies are the ones
    // the unit runs.
    const auto root = temp_dir("unit-configs");
    const CommandResult install = run_command(
        "'" + (std::filesystem::path(ES_SOURCE_DIR) / "scripts/install.sh").string() +
        "' --binary '" + edgesight_binary().string() + "' --prefix '" + root.string() + "' 2>&1");
    INFO(install.output);
    REQUIRE(install.exit_code == 0);
    size_t checked = 0;
    for (const auto& entry : std::filesystem::directory_iterator(configs)) {
        if (entry.path().extension() != ".json") continue;
        const std::string instance = entry.path().stem().string();
        const auto path = instance.starts_with("demo")
                              ? root / "etc/edgesight" / entry.path().filename()
                              : entry.path();
        std::ifstream file(path);
        const auto config = nlohmann::json::parse(file);
        const std::filesystem::path state = "/var/lib/edgesight/" + instance;
        const auto writable = [&](const std::string& text) {
            const auto where = (std::filesystem::path("/etc/edgesight") / text).lexically_normal();
            const auto inside = [&](const std::filesystem::path& dir) {
                const auto relative = where.lexically_relative(dir);
                return !relative.empty() && *relative.begin() != "..";
            };
            return inside(state) || inside("/tmp") || inside("/var/tmp");
        };
        for (const auto& pipeline : config.at("pipelines"))
            for (const auto& output : pipeline.at("outputs")) {
                CAPTURE(path);
                CAPTURE(output.dump());
                if (output.contains("file")) CHECK(writable(output["file"].at("path")));
                if (output.contains("mqtt") && output["mqtt"].contains("persistence_dir"))
                    CHECK(writable(output["mqtt"]["persistence_dir"]));
            }
        ++checked;
    }
    CHECK(checked >= 4);
}

TEST_CASE("service unit: systemd-analyze verify accepts it") {
    const auto dir = temp_dir("unit-verify");
    unit_copy(dir);
    const CommandResult result = run_command("systemd-analyze verify '" +
                                             (dir / "edgesight@demo.service").string() + "' 2>&1");
    INFO(result.output);
    CHECK(result.exit_code == 0);
    CHECK(result.output.find("Unknown") == std::string::npos);
    CHECK(result.output.find("ignoring") == std::string::npos);
}

TEST_CASE("service unit: offline security exposure is 2.5 or less") {
    const auto dir = temp_dir("unit-security");
    unit_copy(dir);
    const CommandResult result = run_command("systemd-analyze security --offline=yes --no-pager '" +
                                             (dir / "edgesight@demo.service").string() + "' 2>&1");
    std::smatch match;
    const std::regex exposure("Overall exposure level for [^:]*: ([0-9.]+)");
    INFO(result.output);
    REQUIRE(std::regex_search(result.output, match, exposure));
    const double score = std::stod(match[1]);
    MESSAGE("exposure score " << score);
    CHECK(score <= 2.5);
    // The settings this unit adds show as passed; the device ACL names no USB device.
    CHECK(result.output.find("\xe2\x9c\x93 ProcSubset=") != std::string::npos);  // a check mark
    std::smatch devices;
    REQUIRE(std::regex_search(result.output, devices, std::regex("DeviceAllow=[^\n]*")));
    CHECK(devices.str().find("char-video4linux") != std::string::npos);
    CHECK(devices.str().find("usb") == std::string::npos);
}
