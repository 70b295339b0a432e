#include "pipeline/config/config_checks.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>

namespace es::pipeline {
namespace {

constexpr const char* k_model_formats =
    "an IR .xml, an ONNX .onnx, a TensorFlow frozen .pb, SavedModel folder or TF.js model.json";

}  // namespace

std::optional<std::filesystem::path> check_model_path(const ObjectReader& reader,
                                                      const CheckContext& context) {
    const auto text = reader.string("path", true);
    if (!text) return std::nullopt;
    const auto path = resolve_path(context, *text);
    const std::string json_path = reader.path("path");
    std::error_code error;
    if (std::filesystem::is_directory(path, error)) {
        if (!std::filesystem::exists(path / "saved_model.pb", error)) {
            context.problems.push_back(
                {json_path, fmt::format("{}: a folder without saved_model.pb; expected {}",
                                        path.string(), k_model_formats)});
            return std::nullopt;
        }
        return path;
    }
    const auto extension = path.extension();
    if (extension != ".xml" && extension != ".onnx" && extension != ".pb" && extension != ".json") {
        context.problems.push_back({json_path, fmt::format("{}: unknown model format; expected {}",
                                                           path.string(), k_model_formats)});
        return std::nullopt;
    }
    auto weights = path;
    weights.replace_extension(".bin");
    if (!check_readable(path, json_path, context) ||
        (extension == ".xml" && !check_readable(weights, json_path, context)))
        context.problems.back().deferred = true;
    return path;
}

namespace {

std::vector<std::string> read_labels_file(const std::filesystem::path& path) {
    std::vector<std::string> labels;
    std::ifstream file(path);
    std::string line;
    while (std::getline(file, line)) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
            line.pop_back();
        labels.push_back(line);
    }
    while (!labels.empty() && labels.back().empty())
        labels.pop_back();
    return labels;
}

}  // namespace

std::vector<std::string> check_labels(const ObjectReader& reader, std::string_view key,
                                      const CheckContext& context) {
    const auto* value = reader.value(key);
    if (!value) return {};
    std::vector<std::string> labels;
    if (value->is_string()) {
        const auto path = readable_file(reader, key, false, context);
        if (!path) return {};
        labels = read_labels_file(*path);
        if (labels.empty())
            reader.problem(
                key, fmt::format("{}: no labels; expected one label per line", path->string()));
        return labels;
    }
    if (!value->is_array()) {
        reader.problem(key,
                       "expected a labels file (one label per line) or an array of "
                       "strings, found " +
                           describe(*value));
        return {};
    }
    if (value->empty()) reader.problem(key, "expected at least one label");
    for (size_t i = 0; i < value->size(); ++i) {
        const auto& label = (*value)[i];
        if (!label.is_string()) {
            context.problems.push_back(
                {element_path(reader.path(key), i), "expected a string, found " + describe(label)});
            continue;
        }
        labels.push_back(label.get<std::string>());
    }
    return labels;
}

std::optional<std::string> check_device(const ObjectReader& reader, const CheckContext& context) {
    auto device = reader.string("device");
    if (!device) return std::nullopt;
    const std::vector<std::string>& names = context.device_names;
    if (std::find(names.begin(), names.end(), *device) != names.end()) return device;
    reader.problem("device", fmt::format("unknown device '{}'; expected {}", *device,
                                         join_choices({names.begin(), names.end()})));
    return std::nullopt;
}

namespace {

// A number for every channel, or three numbers.
std::optional<std::array<float, 3>> check_channels(const ObjectReader& reader, std::string_view key,
                                                   bool nonzero) {
    const auto* value = reader.value(key);
    if (!value) return std::nullopt;
    const std::string expected =
        fmt::format("a{} number or an array of 3{} numbers", nonzero ? " non-zero" : "",
                    nonzero ? " non-zero" : "");
    const auto usable = [&](const nlohmann::json& number) {
        return number.is_number() && (!nonzero || number.get<double>() != 0.0);
    };
    if (usable(*value)) {
        const float number = value->get<float>();
        return std::array<float, 3>{number, number, number};
    }
    if (value->is_array() && value->size() == 3 &&
        std::all_of(value->begin(), value->end(), usable))
        return std::array<float, 3>{(*value)[0].get<float>(), (*value)[1].get<float>(),
                                    (*value)[2].get<float>()};
    reader.problem(key, fmt::format("expected {}, found {}", expected, describe(*value)));
    return std::nullopt;
}

}  // namespace

PreprocessConfig check_preprocess(const nlohmann::json& json, const std::string& path,
                                  const CheckContext& context) {
    PreprocessConfig preprocess;
    const ObjectReader reader(json, path, {"resize", "color", "mean", "scale", "layout"},
                              context.problems);
    if (!reader.is_object()) return preprocess;
    if (auto resize = reader.choice("resize", {ResizeMode::stretch, ResizeMode::letterbox}))
        preprocess.resize = *resize;
    if (auto color = reader.choice("color", {ColorOrder::bgr, ColorOrder::rgb}))
        preprocess.color = *color;
    if (auto mean = check_channels(reader, "mean", false)) preprocess.mean = *mean;
    if (auto scale = check_channels(reader, "scale", true)) preprocess.scale = *scale;
    preprocess.layout = reader.choice("layout", {TensorLayout::nchw, TensorLayout::nhwc});
    return preprocess;
}

ModelConfig check_model(const nlohmann::json& json, const std::string& path,
                        const CheckContext& context) {
    ModelConfig model;
    const ObjectReader reader(json, path,
                              {"path", "device", "hint", "nireq", "labels", "decoder", "threshold",
                               "top_k", "preprocess"},
                              context.problems);
    if (!reader.is_object()) return model;
    if (auto model_path = check_model_path(reader, context)) model.path = std::move(*model_path);
    if (auto device = check_device(reader, context)) model.device = std::move(*device);
    if (auto hint = reader.choice("hint", {PerformanceHint::throughput, PerformanceHint::latency}))
        model.hint = *hint;
    if (auto nireq = reader.integer("nireq", 0, 64)) model.nireq = static_cast<int>(*nireq);
    model.labels = check_labels(reader, "labels", context);
    const auto decoder = reader.choice("decoder",
                                       {DecoderKind::ssd, DecoderKind::yolo, DecoderKind::centernet,
                                        DecoderKind::blazeface, DecoderKind::classification},
                                       true);
    if (decoder) model.decoder = *decoder;
    if (auto threshold = reader.number("threshold", 0.0, 1.0))
        model.threshold = static_cast<float>(*threshold);
    if (auto top_k = reader.integer("top_k", 1, 1000)) {
        if (decoder && *decoder != DecoderKind::classification)
            reader.problem("top_k", fmt::format("applies to the classification decoder only; "
                                                "this model's decoder is {}",
                                                to_string(*decoder)));
        model.top_k = static_cast<int>(*top_k);
    }
    if (const auto* preprocess = reader.object("preprocess"))
        model.preprocess = check_preprocess(*preprocess, reader.path("preprocess"), context);
    return model;
}

}  // namespace es::pipeline
