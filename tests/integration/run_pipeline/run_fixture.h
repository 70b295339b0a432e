#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace es::testing {

// face-detection-retail-0004 (FP16) in ../shared.
std::filesystem::path face_detector();

// The "model" object of person-detection-0200 (FP16, ../shared) on the CPU with the SSD decoder.
nlohmann::json person_detector_model();

// A pipeline config object: `sources` file paths (ids "clip", "clip1" ...), the face detector
// with the SSD decoder, and `outputs` as written.
nlohmann::json face_pipeline(const std::string& name, const std::filesystem::path& model,
                             const std::vector<std::filesystem::path>& sources,
                             nlohmann::json outputs);

// Writes {"pipelines": pipelines} into DIR/config.json and runs `edgesight run` on it with
// `arguments`; stdout and stderr come back apart.
struct RunResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};
RunResult run_edgesight(const std::filesystem::path& dir,
                        const std::vector<nlohmann::json>& pipelines,
                        const std::string& arguments = "");

// The complete JSON lines of `text` (lines starting with '{' and ending in a newline): a file
// read while edgesight writes it may end in part of a line.
std::vector<nlohmann::json> json_lines(const std::string& text);
std::string read_text(const std::filesystem::path& path);

// Checks one published message against the DESIGN.md schema for a frame of this size.
void check_message(const nlohmann::json& message, const std::string& pipeline,
                   const std::string& source, int width, int height);

}  // namespace es::testing
