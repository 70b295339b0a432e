#include "pipeline/config/config_checks.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace es::pipeline {
namespace {

constexpr int64_t k_max_interval = 100000;
constexpr int64_t k_max_size = 16384;

std::optional<std::string> checked_attribute_name(const ObjectReader& reader) {
    auto name = reader.string("name");
    if (!name) return std::nullopt;
    if (is_valid_name(*name)) return name;
    reader.problem("name", fmt::format("'{}' has characters other than letters, digits, '_' and "
                                       "'-', or none",
                                       *name));
    return std::nullopt;
}

std::vector<std::string> check_object_labels(const ObjectReader& reader, const ModelConfig& model,
                                             const CheckContext& context) {
    const nlohmann::json* labels = reader.array("object_labels");
    if (!labels) return {};
    if (labels->empty())
        reader.problem("object_labels", "expected at least one label; leave it out for all");
    std::vector<std::string> checked;
    for (size_t i = 0; i < labels->size(); ++i) {
        const nlohmann::json& label = (*labels)[i];
        const std::string path = element_path(reader.path("object_labels"), i);
        if (!label.is_string() || label.get<std::string>().empty()) {
            context.problems.push_back({path, "expected a label, found " + describe(label)});
            continue;
        }
        const std::string text = label.get<std::string>();
        const auto& known = model.labels;
        if (!known.empty() && std::find(known.begin(), known.end(), text) == known.end()) {
            std::vector<std::string_view> names(known.begin(), known.end());
            const auto close = nearest(text, names);
            context.problems.push_back(
                {path,
                 fmt::format("'{}' is not a label of the model{}", text,
                             close ? fmt::format(" (did you mean '{}'?)", *close)
                                   : fmt::format("; its labels are {}", join_choices(names)))});
            continue;
        }
        checked.push_back(text);
    }
    return checked;
}

std::vector<ClassifyOutputConfig> check_outputs(const ObjectReader& parent,
                                                const CheckContext& context) {
    const nlohmann::json* outputs = parent.object("outputs");
    if (!outputs) return {};
    if (outputs->empty())
        parent.problem("outputs", "expected at least one output; leave it out for all");
    std::vector<ClassifyOutputConfig> checked;
    for (const auto& [tensor, json] : outputs->items()) {
        const ObjectReader reader(json, parent.path("outputs") + "." + tensor,
                                  {"name", "labels", "scale"}, context.problems);
        if (!reader.is_object()) continue;
        ClassifyOutputConfig& output = checked.emplace_back();
        output.tensor = tensor;
        if (auto name = checked_attribute_name(reader)) output.name = std::move(*name);
        output.labels = check_labels(reader, "labels", context);
        if (auto scale = reader.number("scale", -1e9, 1e9))
            output.scale = static_cast<float>(*scale);
    }
    return checked;
}

ClassifyConfig check_classifier(const nlohmann::json& json, const std::string& path,
                                const ModelConfig& model, bool tracked,
                                const CheckContext& context) {
    ClassifyConfig classify;
    const ObjectReader reader(json, path,
                              {"path", "name", "device", "labels", "object_labels",
                               "reclassify_interval", "min_size", "preprocess", "outputs"},
                              context.problems);
    if (!reader.is_object()) return classify;
    if (auto model_path = check_model_path(reader, context)) {
        classify.path = std::move(*model_path);
        classify.name = classify.path.stem().string();
    }
    if (auto name = checked_attribute_name(reader)) classify.name = std::move(*name);
    if (auto device = check_device(reader, context)) classify.device = std::move(*device);
    classify.labels = check_labels(reader, "labels", context);
    classify.object_labels = check_object_labels(reader, model, context);
    if (auto interval = reader.integer("reclassify_interval", 1, k_max_interval)) {
        classify.reclassify_interval = static_cast<int>(*interval);
        if (*interval > 1 && !tracked)
            reader.problem("reclassify_interval",
                           "counts the frames of a track: add a \"track\" object, or leave it "
                           "out to classify every frame");
    }
    if (auto size = reader.integer("min_size", 0, k_max_size))
        classify.min_size = static_cast<int>(*size);
    if (const auto* preprocess = reader.object("preprocess"))
        classify.preprocess = check_preprocess(*preprocess, reader.path("preprocess"), context);
    classify.outputs = check_outputs(reader, context);
    if (classify.outputs.size() > 1 && reader.has("labels"))
        reader.problem("labels",
                       "a classifier with several outputs takes its labels in "
                       "outputs.NAME.labels");
    return classify;
}

}  // namespace

std::vector<ClassifyConfig> check_classifiers(const nlohmann::json& json, const std::string& path,
                                              const ModelConfig& model, bool tracked,
                                              const CheckContext& context) {
    std::vector<ClassifyConfig> classifiers;
    if (model.decoder == DecoderKind::classification) {
        context.problems.push_back({path, "a classification model has no objects to classify"});
        return classifiers;
    }
    std::map<std::string, std::string> seen;  // name → JSON path of its classifier
    for (size_t i = 0; i < json.size(); ++i) {
        const std::string classify_path = element_path(path, i);
        ClassifyConfig classify = check_classifier(json[i], classify_path, model, tracked, context);
        if (!classify.name.empty()) {
            const auto [it, inserted] = seen.emplace(classify.name, classify_path);
            if (!inserted)
                context.problems.push_back(
                    {classify_path, fmt::format("name '{}' is also {}'s: give each classifier its "
                                                "own \"name\"",
                                                classify.name, it->second)});
        }
        classifiers.push_back(std::move(classify));
    }
    return classifiers;
}

}  // namespace es::pipeline
