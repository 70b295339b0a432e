#include "tests/unit/pipeline/config_testing.h"

#include "tests/support/test_data.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

namespace es::testing {

ConfigFixture::ConfigFixture() : dir(temp_dir("config")) {
    write_file("model.xml", "<net/>");
    write_file("model.bin", "");
    write_file("labels.txt", "background\nperson\r\ncar\n\n");
    write_file("clip.mp4", "");
    config = nlohmann::json::parse(R"({
      "pipelines": [{
        "name": "lobby",
        "sources": [{"id": "cam1", "uri": "rtsp://10.0.0.2/stream"}],
        "model": {"path": "model.xml", "decoder": "ssd"},
        "outputs": [{"mqtt": {}}]
      }]
    })");
}

std::vector<std::string> ConfigFixture::problems() const {
    std::vector<std::string> lines;
    for (const auto& problem : pipeline::check_config(config, dir, k_device_names).problems)
        lines.push_back(pipeline::to_string(problem));
    return lines;
}

pipeline::Config ConfigFixture::checked() const {
    auto check = pipeline::check_config(config, dir, k_device_names);
    for (const auto& problem : check.problems)
        FAIL_CHECK(pipeline::to_string(problem));
    return check.config;
}

std::filesystem::path ConfigFixture::write_file(const std::string& name,
                                                const std::string& text) const {
    const auto path = dir / name;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
    return path;
}

std::string example_config_text(const std::string& name, const std::filesystem::path& shared) {
    std::ifstream file(std::filesystem::path(ES_SOURCE_DIR) / "configs" / name);
    REQUIRE(file.is_open());
    std::ostringstream text;
    text << file.rdbuf();
    std::string config = text.str();
    const std::string from = "../../shared/";
    const std::string to = (std::filesystem::absolute(shared) / "").string();
    for (size_t at = config.find(from); at != std::string::npos; at = config.find(from, at))
        config.replace(at, from.size(), to);
    return config;
}

}  // namespace es::testing
