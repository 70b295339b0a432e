#pragma once

#include "pipeline/config/config.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace es::testing {

// The registry's device names (the runtime tests check devices::device_names() against them).
inline const std::vector<std::string> k_device_names = {"AUTO", "CPU", "REF"};

// A folder holding a (fake) model.xml + model.bin, labels.txt and a clip.mp4, and a valid
// config naming them by relative paths.
struct ConfigFixture {
    std::filesystem::path dir;
    nlohmann::json config;

    ConfigFixture();
    // Problems of `config` checked from `dir`, as "PATH: MESSAGE".
    std::vector<std::string> problems() const;
    pipeline::Config checked() const;
    nlohmann::json& pipeline() { return config["pipelines"][0]; }
    nlohmann::json& model() { return pipeline()["model"]; }
    nlohmann::json& source() { return pipeline()["sources"][0]; }
    nlohmann::json& output() { return pipeline()["outputs"][0]; }
    std::filesystem::path write_file(const std::string& name, const std::string& text) const;
};

// The example config's text with "../../shared/" pointed at the shared folder in use.
std::string example_config_text(const std::string& name, const std::filesystem::path& shared);

}  // namespace es::testing
