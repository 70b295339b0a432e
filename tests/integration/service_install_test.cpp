// scripts/install.sh into a staging root: the files land, a second run keeps an edited config.
#include "tests/support/test_data.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

using namespace es::testing;

namespace {

std::string read_text(const std::filesystem::path& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

CommandResult install(const std::string& arguments) {
    const auto script = std::filesystem::path(ES_SOURCE_DIR) / "scripts" / "install.sh";
    return run_command("'" + script.string() + "' --binary '" + edgesight_binary().string() + "' " +
                       arguments + " 2>&1");
}

}  // namespace

TEST_CASE("install.sh --prefix installs binary, unit, example config and labels") {
    const auto root = temp_dir("install");
    const CommandResult first = install("--prefix '" + root.string() + "'");
    INFO(first.output);
    REQUIRE(first.exit_code == 0);
    const auto binary = root / "usr/local/bin/edgesight";
    CHECK(std::filesystem::file_size(binary) == std::filesystem::file_size(edgesight_binary()));
    CHECK((std::filesystem::status(binary).permissions() & std::filesystem::perms::owner_exec) !=
          std::filesystem::perms::none);
    CHECK(read_text(root / "etc/systemd/system/edgesight@.service") ==
          read_text(std::filesystem::path(ES_SOURCE_DIR) / "systemd/edgesight@.service"));
    CHECK(std::filesystem::exists(root / "etc/edgesight/labels/coco.txt"));
    const std::string config = read_text(root / "etc/edgesight/demo.json");
    CHECK(config.find("\"../") == std::string::npos);  // the service starts in /etc/edgesight
    CHECK(config.find("/var/lib/edgesight/demo/detections.jsonl") != std::string::npos);

    std::ofstream(root / "etc/edgesight/demo.json", std::ios::app) << "\n";
    const CommandResult second = install("--prefix '" + root.string() + "'");
    INFO(second.output);
    CHECK(second.exit_code == 0);
    CHECK(read_text(root / "etc/edgesight/demo.json") == config + "\n");
}

TEST_CASE("install.sh --dry-run changes nothing") {
    const auto root = temp_dir("install-dry");
    const CommandResult result = install("--dry-run --prefix '" + root.string() + "'");
    INFO(result.output);
    CHECK(result.exit_code == 0);
    CHECK(result.output.find("would run: install -m 0755") != std::string::npos);
    CHECK(std::filesystem::is_empty(root));
}

TEST_CASE("install.sh rejects an unknown option") {
    const CommandResult result = install("--frobnicate");
    CHECK(result.exit_code == 2);
    CHECK(result.output.find("--frobnicate") != std::string::npos);
}
