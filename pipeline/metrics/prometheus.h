#pragma once

#include "pipeline/flow/pipeline_set.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace es::pipeline {

// The Prometheus text exposition (format 0.0.4) of the pipelines' counters, gauges and latency
// histograms, of the failed starts of the `waiting` pipelines, and of the process's resident
// memory when known. Every name starts with `edgesight_`; labels are `pipeline`, `source` and
// `output`.
std::string render_prometheus(const std::vector<PipelineSummary>& pipelines,
                              const std::vector<WaitingPipeline>& waiting,
                              std::optional<uint64_t> resident_memory_bytes);

// `value` escaped for a label value: backslash, double quote and newline.
std::string escape_label_value(std::string_view value);

// The process's resident set size from /proc/self/statm; nullopt where it cannot be read.
std::optional<uint64_t> resident_memory_bytes();

}  // namespace es::pipeline
