#include "pipeline/config/config.h"

#include "inference/core/error.h"
#include "pipeline/config/config_checks.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

namespace es::pipeline {

std::string_view to_string(ResizeMode mode) {
    return mode == ResizeMode::stretch ? "stretch" : "letterbox";
}

std::string_view to_string(ColorOrder order) {
    return order == ColorOrder::bgr ? "bgr" : "rgb";
}

std::string_view to_string(TensorLayout layout) {
    return layout == TensorLayout::nchw ? "NCHW" : "NHWC";
}

std::string_view to_string(PerformanceHint hint) {
    return hint == PerformanceHint::throughput ? "throughput" : "latency";
}

std::string_view to_string(DecoderKind kind) {
    switch (kind) {
        case DecoderKind::ssd:
            return "ssd";
        case DecoderKind::yolo:
            return "yolo";
        case DecoderKind::centernet:
            return "centernet";
        case DecoderKind::blazeface:
            return "blazeface";
        case DecoderKind::classification:
            return "classification";
    }
    return "?";
}

std::optional<ListenAddress> parse_listen_address(std::string_view text) {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    std::string_view host = text.substr(0, colon);
    if (host.front() == '[') {
        if (host.size() < 3 || host.back() != ']') return std::nullopt;
        host = host.substr(1, host.size() - 2);
    } else if (host.find(':') != std::string_view::npos) {
        return std::nullopt;  // IPv6 without brackets
    }
    const std::string_view port = text.substr(colon + 1);
    if (port.empty() || port.size() > 5) return std::nullopt;
    int number = 0;
    for (char c : port) {
        if (c < '0' || c > '9') return std::nullopt;
        number = number * 10 + (c - '0');
    }
    if (number < 1 || number > 65535) return std::nullopt;
    return ListenAddress{std::string(host), number};
}

std::string to_string(const ConfigProblem& problem) {
    if (problem.path.empty()) return problem.message;
    return fmt::format("{}: {}", problem.path, problem.message);
}

std::filesystem::path resolve_path(const CheckContext& context, const std::string& text) {
    const std::filesystem::path path(text);
    return (path.is_absolute() ? path : context.base_dir / path).lexically_normal();
}

bool ConfigCheck::runnable() const {
    return std::all_of(problems.begin(), problems.end(),
                       [](const ConfigProblem& problem) { return problem.deferred; });
}

bool check_readable(const std::filesystem::path& path, const std::string& json_path,
                    const CheckContext& context) {
    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    std::string problem;
    if (!std::filesystem::exists(status))
        problem = "no such file";
    else if (std::filesystem::is_directory(status))
        problem = "is a folder; expected a file";
    else if (!std::ifstream(path, std::ios::binary).is_open())
        problem = "cannot be read (permissions?)";
    if (problem.empty()) return true;
    context.problems.push_back({json_path, fmt::format("{}: {}", path.string(), problem)});
    return false;
}

std::optional<std::filesystem::path> readable_file(const ObjectReader& reader, std::string_view key,
                                                   bool required, const CheckContext& context) {
    const auto text = reader.string(key, required);
    if (!text) return std::nullopt;
    auto path = resolve_path(context, *text);
    if (!check_readable(path, reader.path(key), context)) return std::nullopt;
    return path;
}

std::optional<std::filesystem::path> secret_file(const ObjectReader& reader, std::string_view key,
                                                 const CheckContext& context, uint64_t& digest) {
    constexpr std::string_view k_credential = "credential:";
    const auto text = reader.string(key);
    if (!text) return std::nullopt;
    std::filesystem::path path;
    if (text->starts_with(k_credential)) {
        const std::string name = text->substr(k_credential.size());
        const char* directory = std::getenv("CREDENTIALS_DIRECTORY");
        if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
            reader.problem(key,
                           fmt::format("{}: expected credential:NAME, NAME without '/'", *text));
            return std::nullopt;
        }
        if (!directory || !*directory) {
            reader.problem(key, fmt::format("{}: CREDENTIALS_DIRECTORY is not set; systemd sets "
                                            "it for a unit with LoadCredential={}:PATH",
                                            *text, name));
            return std::nullopt;
        }
        path = std::filesystem::path(directory) / name;
    } else {
        path = resolve_path(context, *text);
    }
    if (!check_readable(path, reader.path(key), context)) return std::nullopt;
    // FNV-1a over the contents, secrets being a few bytes to a few kilobytes.
    std::ifstream file(path, std::ios::binary);
    char buffer[4096];
    for (size_t total = 0; file && total < (1u << 20); total += sizeof(buffer)) {
        file.read(buffer, sizeof(buffer));
        for (std::streamsize i = 0; i < file.gcount(); ++i)
            digest = (digest ^ static_cast<unsigned char>(buffer[i])) * 1099511628211ull;
    }
    return path;
}

bool is_valid_name(const std::string& name) {
    if (name.empty()) return false;
    for (char c : name) {
        const bool allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                             (c >= '0' && c <= '9') || c == '_' || c == '-';
        if (!allowed) return false;
    }
    return true;
}

std::string checked_name(const ObjectReader& reader, std::string_view key, std::string_view what) {
    auto name = reader.string(key, true);
    if (!name) return {};
    if (!is_valid_name(*name)) {
        reader.problem(key, fmt::format("{} '{}' has characters other than letters, digits, '_' "
                                        "and '-'",
                                        what, *name));
        return {};
    }
    return *name;
}

namespace {

PipelineConfig check_pipeline(const nlohmann::json& json, const std::string& path,
                              const CheckContext& context) {
    PipelineConfig pipeline;
    const ObjectReader reader(json, path,
                              {"name", "sources", "model", "inference_interval", "publish_empty",
                               "track", "events", "classify", "outputs"},
                              context.problems);
    if (!reader.is_object()) return pipeline;
    pipeline.name = checked_name(reader, "name", "pipeline name");

    if (const auto* sources = reader.array("sources", true)) {
        if (sources->empty()) reader.problem("sources", "expected at least one source");
        std::map<std::string, std::string> seen;  // id → its JSON path
        for (size_t i = 0; i < sources->size(); ++i) {
            const std::string source_path = element_path(reader.path("sources"), i);
            SourceConfig source = check_source((*sources)[i], source_path, context);
            if (!source.id.empty()) {
                const auto [it, inserted] = seen.emplace(source.id, source_path);
                if (!inserted)
                    context.problems.push_back(
                        {source_path + ".id",
                         fmt::format("duplicate source id '{}' (also {})", source.id, it->second)});
            }
            pipeline.sources.push_back(std::move(source));
        }
    }
    if (const auto* model = reader.object("model", true))
        pipeline.model = check_model(*model, reader.path("model"), context);
    if (const auto interval = reader.integer("inference_interval", 1, 1000))
        pipeline.inference_interval = static_cast<int>(*interval);
    if (const auto publish_empty = reader.boolean("publish_empty"))
        pipeline.publish_empty = *publish_empty;
    if (const auto* track = reader.object("track"))
        pipeline.track = check_track(*track, reader.path("track"), context.problems);
    if (pipeline.track && pipeline.model.decoder == DecoderKind::classification)
        reader.problem("track", "a classification model has no boxes to track");
    if (const auto* events = reader.object("events")) {
        pipeline.events = check_events(*events, reader.path("events"), context.problems);
        if (!pipeline.track)
            reader.problem("events", "events come from tracks: add a \"track\" object");
    }
    if (const auto* classify = reader.array("classify"))
        pipeline.classify = check_classifiers(*classify, reader.path("classify"), pipeline.model,
                                              pipeline.track.has_value(), context);

    if (const auto* outputs = reader.array("outputs", true)) {
        if (outputs->empty()) reader.problem("outputs", "expected at least one output");
        for (size_t i = 0; i < outputs->size(); ++i)
            pipeline.outputs.push_back(check_output(
                (*outputs)[i], element_path(reader.path("outputs"), i), pipeline.name, context));
    }
    return pipeline;
}

MetricsConfig check_metrics(const ObjectReader& parent, std::string_view key,
                            std::vector<ConfigProblem>& problems) {
    MetricsConfig metrics;
    const auto* json = parent.object(key);
    if (!json) return metrics;
    const ObjectReader reader(*json, parent.path(key), {"listen"}, problems);
    const nlohmann::json* value = reader.value("listen");
    if (!value) return metrics;
    if (!value->is_string()) {
        reader.problem("listen", fmt::format("expected a string \"HOST:PORT\" or \"\", found {}",
                                             describe(*value)));
        return metrics;
    }
    const auto listen = value->get<std::string>();
    if (!listen.empty() && !parse_listen_address(listen))
        reader.problem("listen", fmt::format("'{}': expected HOST:PORT with a port 1..65535 "
                                             "(\"127.0.0.1:9464\"), or \"\" for no metrics",
                                             listen));
    else
        metrics.listen = listen;
    return metrics;
}

// Brokers drop the older of two connections with one client id; compared as rendered on this
// host.
void check_client_ids(const Config& config, std::vector<ConfigProblem>& problems) {
    const std::string host = mqtt_host_name();
    std::map<std::string, std::string> seen;  // client id → JSON path of its output
    for (size_t p = 0; p < config.pipelines.size(); ++p) {
        const auto& outputs = config.pipelines[p].outputs;
        for (size_t o = 0; o < outputs.size(); ++o) {
            const auto* mqtt = std::get_if<MqttOutputConfig>(&outputs[o]);
            if (!mqtt) continue;
            const std::string client_id =
                render_mqtt_template(mqtt->client_id, {host, config.pipelines[p].name, ""}, false)
                    .text;
            if (client_id.empty()) continue;
            const std::string path = fmt::format("pipelines[{}].outputs[{}].mqtt", p, o);
            const auto [it, inserted] = seen.emplace(client_id, path);
            if (!inserted)
                problems.push_back(
                    {path + ".client_id", fmt::format("client id '{}' is also used by {}; a broker "
                                                      "keeps only one connection per client id",
                                                      client_id, it->second)});
        }
    }
}

}  // namespace

ConfigCheck check_config(const nlohmann::json& document, const std::filesystem::path& base_dir,
                         const std::vector<std::string>& device_names) {
    ConfigCheck check;
    const CheckContext context{base_dir, check.problems, device_names};
    const ObjectReader reader(document, "", {"pipelines", "metrics", "stats_interval"},
                              check.problems);
    check.config.metrics = check_metrics(reader, "metrics", check.problems);
    if (const auto interval = reader.integer("stats_interval", 0, 86400))
        check.config.stats_interval = static_cast<int>(*interval);
    const auto* pipelines = reader.array("pipelines", true);
    if (!pipelines) return check;
    if (pipelines->empty()) reader.problem("pipelines", "expected at least one pipeline");
    std::map<std::string, std::string> seen;  // name → its JSON path
    for (size_t i = 0; i < pipelines->size(); ++i) {
        const std::string path = element_path("pipelines", i);
        PipelineConfig pipeline = check_pipeline((*pipelines)[i], path, context);
        if (!pipeline.name.empty()) {
            const auto [it, inserted] = seen.emplace(pipeline.name, path);
            if (!inserted)
                check.problems.push_back(
                    {path + ".name", fmt::format("duplicate pipeline name '{}' (also {})",
                                                 pipeline.name, it->second)});
        }
        check.config.pipelines.push_back(std::move(pipeline));
    }
    check_client_ids(check.config, check.problems);
    return check;
}

ConfigCheck check_config_file(const std::filesystem::path& path,
                              const std::vector<std::string>& device_names) {
    ConfigCheck check;
    std::error_code error;
    std::ifstream file(path, std::ios::binary);
    if (!std::filesystem::exists(path, error)) {
        check.problems.push_back({"", "no such file"});
        return check;
    }
    if (std::filesystem::is_directory(path, error) || !file.is_open()) {
        check.problems.push_back({"", "cannot be read as a file"});
        return check;
    }
    std::ostringstream text;
    text << file.rdbuf();
    nlohmann::json document;
    try {
        document = nlohmann::json::parse(text.str());
    } catch (const nlohmann::json::exception& parse_error) {
        // nlohmann's message: "[json.exception.parse_error.101] parse error at line 3, ...", or
        // out_of_range.406 for a number too large for a double
        std::string message = parse_error.what();
        if (const size_t start = message.find("] "); start != std::string::npos)
            message = message.substr(start + 2);
        check.problems.push_back({"", "not valid JSON: " + message});
        return check;
    }
    const auto base_dir = std::filesystem::absolute(path, error).parent_path();
    return check_config(document, base_dir, device_names);
}

Config parse_config(const std::filesystem::path& path,
                    const std::vector<std::string>& device_names) {
    ConfigCheck check = check_config_file(path, device_names);
    if (check.ok()) return std::move(check.config);
    std::string message;
    for (const auto& problem : check.problems)
        message += (message.empty() ? "" : "\n") + path.string() + ": " + to_string(problem);
    throw_bad_input("{}", message);
}

}  // namespace es::pipeline
