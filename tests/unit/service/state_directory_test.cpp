// Under systemd the MQTT store goes to the unit's StateDirectory, else to the user's XDG state
// folder; either way into a folder of this user's that nobody else can write to or redirect.
#include "pipeline/publish/mqtt_publisher.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

using namespace es::pipeline;
using es::testing::temp_dir;

namespace {

// The message of the error that `make_private_folder(folder)` throws; empty when none.
std::string refusal(const std::filesystem::path& folder) {
    try {
        make_private_folder(folder);
    } catch (const std::exception& error) {
        return error.what();
    }
    return {};
}

unsigned mode_of(const std::filesystem::path& path) {
    struct stat info {};
    REQUIRE(lstat(path.c_str(), &info) == 0);
    return info.st_mode & 07777;
}

}  // namespace

TEST_CASE("MQTT persistence defaults to $STATE_DIRECTORY/mqtt, else the XDG state folder") {
    setenv("XDG_STATE_HOME", "/home/someone/.local/state", 1);
    setenv("STATE_DIRECTORY", "/var/lib/edgesight/demo", 1);
    CHECK(default_mqtt_persistence_dir() == "/var/lib/edgesight/demo/mqtt");
    setenv("STATE_DIRECTORY", "/var/lib/edgesight/demo:/var/lib/other", 1);
    CHECK(default_mqtt_persistence_dir() == "/var/lib/edgesight/demo/mqtt");
    unsetenv("STATE_DIRECTORY");
    CHECK(default_mqtt_persistence_dir() == "/home/someone/.local/state/edgesight/mqtt");
    unsetenv("XDG_STATE_HOME");
    const std::string home = std::getenv("HOME") ? std::getenv("HOME") : "";
    setenv("HOME", "/home/other", 1);
    CHECK(default_mqtt_persistence_dir() == "/home/other/.local/state/edgesight/mqtt");
    setenv("HOME", home.c_str(), 1);
}

TEST_CASE("MQTT persistence: the default folders are created with mode 700") {
    const auto state = temp_dir("state-mode");
    setenv("XDG_STATE_HOME", state.c_str(), 1);
    {
        MqttOptions options;
        options.broker = "tcp://127.0.0.1:1";
        options.pipeline = "lobby";
        MqttPublisher publisher(options);
        CHECK(publisher.persistence_dir() == state / "edgesight" / "mqtt" / "lobby");
    }
    unsetenv("XDG_STATE_HOME");
    CHECK(mode_of(state / "edgesight") == 0700);
    CHECK(mode_of(state / "edgesight" / "mqtt") == 0700);
    CHECK(mode_of(state / "edgesight" / "mqtt" / "lobby") == 0700);
}

TEST_CASE("MQTT persistence: a symbolic link planted at the folder is refused, naming it") {
    const auto state = temp_dir("state-link");
    const auto elsewhere = temp_dir("state-link-target");
    std::filesystem::create_directories(state / "edgesight" / "mqtt");
    std::filesystem::create_directory_symlink(elsewhere, state / "edgesight" / "mqtt" / "lobby");
    setenv("XDG_STATE_HOME", state.c_str(), 1);
    std::string message;
    try {
        MqttOptions options;
        options.broker = "tcp://127.0.0.1:1";
        options.pipeline = "lobby";
        MqttPublisher publisher(options);
    } catch (const std::exception& error) {
        message = error.what();
    }
    unsetenv("XDG_STATE_HOME");
    CHECK(message.find((state / "edgesight" / "mqtt" / "lobby").string()) != std::string::npos);
    CHECK(message.find("symbolic link") != std::string::npos);
    CHECK(std::filesystem::is_empty(elsewhere));
}

TEST_CASE("MQTT persistence: a folder of another user or writable by others is refused") {
    const auto dir = temp_dir("state-owner");
    std::filesystem::create_directory(dir / "shared");
    chmod((dir / "shared").c_str(), 0777);
    CHECK(refusal(dir / "shared").find("can be written by other users (mode 777)") !=
          std::string::npos);
    std::filesystem::create_directory(dir / "theirs");
    const uid_t other = geteuid() == 0 ? 65534 : 0;
    // Only root may give a folder away; others find root's folders instead.
    const auto theirs = geteuid() == 0 ? dir / "theirs" : std::filesystem::path("/usr");
    if (geteuid() == 0) REQUIRE(chown(theirs.c_str(), other, other) == 0);
    CHECK(refusal(theirs).find(fmt::format("belongs to user id {}", other)) != std::string::npos);
    CHECK(refusal(dir / "mine" / "sub") == "");
    CHECK(mode_of(dir / "mine") == 0700);
}
