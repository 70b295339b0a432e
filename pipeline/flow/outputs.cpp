#include "pipeline/flow/outputs.h"

#include "inference/core/error.h"
#include "pipeline/publish/json_lines_publisher.h"
#include "pipeline/publish/mqtt_publisher.h"

#include <fmt/format.h>

namespace es::pipeline {
namespace {

MqttOptions mqtt_options(const PipelineConfig& pipeline, const MqttOutputConfig& config) {
    MqttOptions options;
    options.broker = config.uri;
    options.pipeline = pipeline.name;
    options.topic = config.topic;
    options.events_topic = config.events_topic;
    options.status_topic = config.status_topic;
    options.stats_topic = config.stats_topic;
    options.qos = config.qos;
    options.client_id = config.client_id;
    options.username = config.username;
    options.password_file = config.password_file;
    if (config.tls)
        options.tls =
            MqttTls{config.tls->ca, config.tls->cert, config.tls->key, config.tls->verify_hostname};
    options.persistence_dir = config.persistence_dir;
    options.max_buffered_messages = config.max_buffered;
    return options;
}

}  // namespace

std::vector<std::unique_ptr<Publisher>> make_publishers(const PipelineConfig& config) {
    std::vector<std::unique_ptr<Publisher>> publishers;
    for (size_t i = 0; i < config.outputs.size(); ++i) {
        const auto& output = config.outputs[i];
        if (const auto* mqtt = std::get_if<MqttOutputConfig>(&output)) {
            try {
                publishers.push_back(std::make_unique<MqttPublisher>(mqtt_options(config, *mqtt)));
            } catch (const Error& error) {
                throw Error(error.kind(), fmt::format("outputs[{}].mqtt: {}", i, error.what()));
            }
        } else if (const auto* file = std::get_if<FileOutputConfig>(&output))
            publishers.push_back(JsonLinesPublisher::open_file(
                file->path, {.max_bytes = file->max_bytes, .max_files = file->max_files}));
        else
            publishers.push_back(JsonLinesPublisher::to_stdout());
    }
    return publishers;
}

}  // namespace es::pipeline
