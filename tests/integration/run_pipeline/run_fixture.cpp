#include "tests/integration/run_pipeline/run_fixture.h"

#include "tests/support/test_data.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

namespace es::testing {

std::filesystem::path face_detector() {
    const auto shared = shared_dir();
    return shared / "models" / "ir" / "face-detection-retail-0004" / "FP16" /
           "face-detection-retail-0004.xml";
}

nlohmann::json person_detector_model() {
    const auto model = shared_dir() / "models" / "ir" / "person-detection-0200" / "FP16" /
                       "person-detection-0200.xml";
    return {{"path", model.string()},
            {"device", "CPU"},
            {"decoder", "ssd"},
            {"labels", {"person"}},
            {"threshold", 0.5}};
}

nlohmann::json face_pipeline(const std::string& name, const std::filesystem::path& model,
                             const std::vector<std::filesystem::path>& sources,
                             nlohmann::json outputs) {
    nlohmann::json source_list = nlohmann::json::array();
    for (size_t i = 0; i < sources.size(); ++i)
        source_list.push_back({{"id", i == 0 ? std::string("clip") : "clip" + std::to_string(i)},
                               {"uri", "file://" + sources[i].string()}});
    return {{"name", name},
            {"sources", source_list},
            {"model",
             {{"path", model.string()},
              {"device", "CPU"},
              {"nireq", 2},
              {"decoder", "ssd"},
              {"labels", {"background", "face"}},
              {"threshold", 0.5}}},
            {"outputs", std::move(outputs)}};
}

std::string read_text(const std::filesystem::path& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

RunResult run_edgesight(const std::filesystem::path& dir,
                        const std::vector<nlohmann::json>& pipelines,
                        const std::string& arguments) {
    const auto config = dir / "config.json";
    std::ofstream(config) << nlohmann::json{{"pipelines", pipelines}}.dump(2);
    const auto err = dir / "stderr.txt";
    const CommandResult result =
        run_command("(" + edgesight_binary().string() + " run '" + config.string() + "' " +
                    arguments + " 2>'" + err.string() + "')");
    RunResult run{result.exit_code, result.output, read_text(err)};
    MESSAGE("edgesight run stderr:\n" << run.err);
    return run;
}

std::vector<nlohmann::json> json_lines(const std::string& text) {
    std::vector<nlohmann::json> lines;
    std::istringstream stream(text.substr(0, text.rfind('\n') + 1));
    for (std::string line; std::getline(stream, line);)
        if (!line.empty() && line[0] == '{') lines.push_back(nlohmann::json::parse(line));
    return lines;
}

void check_message(const nlohmann::json& message, const std::string& pipeline,
                   const std::string& source, int width, int height) {
    CHECK(message.at("pipeline") == pipeline);
    CHECK(message.at("source") == source);
    CHECK(message.at("timestamp").get<int64_t>() > 0);
    CHECK(message.at("frame").is_number_unsigned());
    CHECK(message.at("resolution").at("width") == width);
    CHECK(message.at("resolution").at("height") == height);
    for (const auto& object : message.at("objects")) {
        const int x = object.at("x"), y = object.at("y"), w = object.at("w"), h = object.at("h");
        CHECK(x >= 0);
        CHECK(y >= 0);
        CHECK(x + w <= width);
        CHECK(y + h <= height);
        const auto& box = object.at("detection").at("bounding_box");
        CHECK(box.at("x_min").get<float>() >= 0.0f);
        CHECK(box.at("x_max").get<float>() <= 1.0f);
        CHECK(box.at("x_min").get<float>() <= box.at("x_max").get<float>());
        CHECK(box.at("y_min").get<float>() <= box.at("y_max").get<float>());
        CHECK(object.at("detection").at("confidence").get<float>() > 0.0f);
        CHECK(object.at("detection").at("confidence").get<float>() <= 1.0f);
        CHECK(object.at("detection").at("label").is_string());
    }
}

}  // namespace es::testing
