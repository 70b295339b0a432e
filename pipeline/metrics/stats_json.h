#pragma once

#include "pipeline/flow/pipeline_runner.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace es::pipeline {

// "edgesight/{pipeline}/stats": where a pipeline's stats are published, retained.
std::string stats_topic(const std::string& pipeline);

// The numbers of /metrics for one pipeline as one JSON object: per source its counters, state,
// fps and mean latency; the inference's mean latency and requests in flight; each output's
// counters; `time_ns` (system clock) and the process's resident memory.
nlohmann::json stats_json(const PipelineSummary& summary, int64_t time_ns,
                          std::optional<uint64_t> resident_memory_bytes);

}  // namespace es::pipeline
