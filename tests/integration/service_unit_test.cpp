// systemd/edgesight@.service: systemd-analyze accepts it and scores its sandbox as well hardened.
#include "tests/support/test_data.h"

#include <doctest/doctest.h>

#include <fstream>
#include <regex>
#include <sstream>

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

bool has_systemd_analyze() {
    if (run_command("command -v systemd-analyze").exit_code == 0) return true;
    MESSAGE("systemd-analyze not found; skipped");
    return false;
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
          "ConfigurationDirectory=edgesight", "ProtectSystem=strict", "ProtectHome=yes",
          "PrivateTmp=yes", "NoNewPrivileges=yes", "SupplementaryGroups=video",
          "DeviceAllow=char-video4linux rw", "DeviceAllow=char-usb_device rw",
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

TEST_CASE("service unit: systemd-analyze verify accepts it") {
    if (!has_systemd_analyze()) return;
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
    if (!has_systemd_analyze()) return;
    const auto dir = temp_dir("unit-security");
    unit_copy(dir);
    const CommandResult result = run_command("systemd-analyze security --offline=yes --no-pager '" +
                                             (dir / "edgesight@demo.service").string() + "' 2>&1");
    std::smatch match;
    const std::regex exposure("Overall exposure level for [^:]*: ([0-9.]+)");
    if (!std::regex_search(result.output, match, exposure)) {
        MESSAGE("systemd-analyze security --offline is not supported here; skipped\n"
                << result.output);
        return;
    }
    const double score = std::stod(match[1]);
    MESSAGE("exposure score " << score);
    CHECK(score <= 2.5);
}
