#pragma once

#include "pipeline/flow/pipeline_runner.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace es::pipeline {

// One pipeline's summary as JSON: per source its counters, state (and why it failed), seconds
// from start to the last result, average fps over them, fps over about the last second and mean
// end-to-end latency; the inference's mean latency and requests in flight; each output's
// counters. What `edgesight run --json-summary` writes per pipeline.
nlohmann::json summary_json(const PipelineSummary& summary);

// summary_json with `time_ns` (system clock) and the process's resident memory: the message of
// the stats topic (an MQTT output's `stats_topic`).
nlohmann::json stats_json(const PipelineSummary& summary, int64_t time_ns,
                          std::optional<uint64_t> resident_memory_bytes);

}  // namespace es::pipeline
