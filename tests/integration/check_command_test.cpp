// `edgesight check`: the example configs pass; bad configs list every problem and exit 2.
#include "tests/support/test_data.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

using namespace es::testing;

namespace {

CommandResult check(const std::filesystem::path& config, const std::string& flags = "") {
    return run_command(edgesight_binary().string() + " check " + config.string() + flags);
}

// An example config with its "../../shared/" paths pointed at the shared folder in use,
// written to a temporary folder.
std::filesystem::path example_config(const std::string& name, const std::filesystem::path& shared) {
    std::ifstream file(std::filesystem::path(ES_SOURCE_DIR) / "configs" / name);
    REQUIRE(file.is_open());
    std::ostringstream text;
    text << file.rdbuf();
    std::string config = text.str();
    const std::string from = "../../shared/";
    const std::string to = (std::filesystem::absolute(shared) / "").string();
    for (size_t at = config.find(from); at != std::string::npos; at = config.find(from, at))
        config.replace(at, from.size(), to);
    const auto path = temp_dir("check") / name;
    std::ofstream(path) << config;
    return path;
}

}  // namespace

TEST_CASE("check: the example configs are valid") {
    const auto shared = shared_dir();
    const std::vector<std::pair<std::string, std::string>> examples = {
        {"file-video.json", "ok: 1 pipeline, 1 source\n"},
        {"rtsp-camera.json", "ok: 1 pipeline, 2 sources\n"},
        {"usb-camera.json", "ok: 1 pipeline, 1 source\n"},
    };
    for (const auto& [name, expected] : examples) {
        CAPTURE(name);
        const auto result = check(example_config(name, shared));
        INFO(result.output);
        CHECK(result.exit_code == 0);
        CHECK(result.output == expected);
    }
}

TEST_CASE("check: every problem with its JSON path, exit code 2") {
    const auto dir = temp_dir("check");
    const auto path = dir / "bad.json";
    std::ofstream(path) << R"({"pipelines": [{
        "name": "lobby",
        "sources": [{"id": "cam", "uri": "rtp://10.0.0.2:5004"}],
        "model": {"path": "missing.xml", "decoder": "ssd", "treshold": 0.3},
        "outputs": [{"stdout": {}}]}]})";
    const auto result = check(path);
    INFO(result.output);
    CHECK(result.exit_code == 2);
    const std::string prefix = path.string() + ": ";
    CHECK(result.output ==
          prefix +
              "pipelines[0].sources[0].uri: unsupported scheme 'rtp'; expected file, rtsp, "
              "http(s), v4l2, test\n" +
              prefix + "pipelines[0].model.treshold: unknown key; did you mean 'threshold'?\n" +
              prefix + "pipelines[0].model.path: " + (dir / "missing.xml").string() +
              ": no such file\n3 problems\n");

    const auto absent = check(dir / "absent.json");
    CHECK(absent.exit_code == 2);
    CHECK(absent.output == (dir / "absent.json").string() + ": no such file\n1 problem\n");
    CHECK(run_command(edgesight_binary().string() + " check").exit_code == 2);
}

TEST_CASE("check --json: one object with the counts and the problems") {
    const auto dir = temp_dir("check");
    const auto path = dir / "bad.json";
    std::ofstream(path) << R"({"pipelines": [{"name": "x", "sources": [], "model": {},
                                              "outputs": [{"stdout": {}}]}]})";
    const auto result = check(path, " --json");
    INFO(result.output);
    CHECK(result.exit_code == 2);
    const auto report = nlohmann::json::parse(result.output);
    CHECK(report["ok"] == false);
    CHECK(report["config"] == path.string());
    CHECK(report["pipelines"] == 1);
    CHECK(report["sources"] == 0);
    REQUIRE(report["problems"].size() == 3);
    CHECK(report["problems"][0]["path"] == "pipelines[0].sources");
    CHECK(report["problems"][0]["message"] == "expected at least one source");
    CHECK(report["problems"][1]["path"] == "pipelines[0].model.path");
    CHECK(report["problems"][2]["path"] == "pipelines[0].model.decoder");

    const auto shared = shared_dir();
    const auto ok = check(example_config("rtsp-camera.json", shared), " --json");
    INFO(ok.output);
    CHECK(ok.exit_code == 0);
    const auto ok_report = nlohmann::json::parse(ok.output);
    CHECK(ok_report["ok"] == true);
    CHECK(ok_report["pipelines"] == 1);
    CHECK(ok_report["sources"] == 2);
    CHECK(ok_report["problems"].empty());
}
