#pragma once

// The parts of the config check, one per object of the schema.
#include "pipeline/config/config.h"
#include "pipeline/config/json_reader.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace es::pipeline {

struct CheckContext {
    std::filesystem::path base_dir;  // relative paths start here
    std::vector<ConfigProblem>& problems;
    const std::vector<std::string>& device_names;  // what a model's device may be
};

SourceConfig check_source(const nlohmann::json& json, const std::string& path,
                          const CheckContext& context);
ModelConfig check_model(const nlohmann::json& json, const std::string& path,
                        const CheckContext& context);
TrackConfig check_track(const nlohmann::json& json, const std::string& path,
                        std::vector<ConfigProblem>& problems);
EventsConfig check_events(const nlohmann::json& json, const std::string& path,
                          std::vector<ConfigProblem>& problems);
// The pipeline's "classify" array; `model` is the pipeline's detector, `tracked` whether it
// has a "track" object.
std::vector<ClassifyConfig> check_classifiers(const nlohmann::json& json, const std::string& path,
                                              const ModelConfig& model, bool tracked,
                                              const CheckContext& context);
OutputConfig check_output(const nlohmann::json& json, const std::string& path,
                          const std::string& pipeline_name, const CheckContext& context);

// The parts of a model object that a classifier's has too.
// The model file under "path", resolved; a missing one is reported as deferred.
std::optional<std::filesystem::path> check_model_path(const ObjectReader& reader,
                                                      const CheckContext& context);
// "labels": a file of one label per line or an array of strings.
std::vector<std::string> check_labels(const ObjectReader& reader, std::string_view key,
                                      const CheckContext& context);
// "device": one of context.device_names.
std::optional<std::string> check_device(const ObjectReader& reader, const CheckContext& context);
PreprocessConfig check_preprocess(const nlohmann::json& json, const std::string& path,
                                  const CheckContext& context);

// `text` taken relative to the config's folder unless absolute.
std::filesystem::path resolve_path(const CheckContext& context, const std::string& text);

// The readable file that `key` names, resolved; nullopt (reported) when it is absent, not a
// regular file or unreadable.
std::optional<std::filesystem::path> readable_file(const ObjectReader& reader, std::string_view key,
                                                   bool required, const CheckContext& context);

// Whether `path` can be opened for reading; reports under `json_path` when not.
// readable_file for a secret: "credential:NAME" names a systemd credential
// ($CREDENTIALS_DIRECTORY/NAME, from the unit's LoadCredential=NAME:PATH); anything else is a
// path. The file's contents are mixed into `digest`, so that a changed secret changes the config.
std::optional<std::filesystem::path> secret_file(const ObjectReader& reader, std::string_view key,
                                                 const CheckContext& context, uint64_t& digest);

bool check_readable(const std::filesystem::path& path, const std::string& json_path,
                    const CheckContext& context);

// Names of pipelines, sources: [A-Za-z0-9_-]+
bool is_valid_name(const std::string& name);

// The required name under `key`, empty (reported) when absent or not a valid name.
std::string checked_name(const ObjectReader& reader, std::string_view key, std::string_view what);

}  // namespace es::pipeline
