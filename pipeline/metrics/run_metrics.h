#pragma once

#include "pipeline/flow/pipeline_set.h"

#include <memory>
#include <string>
#include <vector>

// What `edgesight run` serves on /metrics and publishes on the stats topics.
namespace es::pipeline {

// The Prometheus exposition of the runners and of the process.
std::string render_metrics(const PipelineSet& pipelines);

// Publishes each runner's stats JSON retained on the stats topic of each of its MQTT outputs.
void publish_stats(const PipelineSet& pipelines);

}  // namespace es::pipeline
