#include "pipeline/metrics/stats_json.h"

#include <fmt/format.h>

namespace es::pipeline {
namespace {

nlohmann::json latency_json(const HistogramSnapshot& latency) {
    const uint64_t count = latency.count();
    return {
        {"count", count},
        {"mean_ms", count > 0 ? latency.sum_seconds * 1000.0 / static_cast<double>(count) : 0.0}};
}

}  // namespace

nlohmann::json summary_json(const PipelineSummary& summary) {
    nlohmann::json sources = nlohmann::json::array();
    for (const auto& source : summary.sources)
        sources.push_back({{"source", source.source},
                           {"state", source.state},
                           {"message", source.message},
                           {"decoded", source.decoded},
                           {"dropped", source.dropped},
                           {"inferred", source.inferred},
                           {"published", source.published},
                           {"detections", source.detections},
                           {"events", source.events},
                           {"classified", source.classified},
                           {"errors", source.errors},
                           {"reconnects", source.reconnects},
                           {"seconds", source.seconds},
                           {"fps", source.seconds > 0 ? source.inferred / source.seconds : 0.0},
                           {"current_fps", source.fps},
                           {"latency", latency_json(source.latency)}});
    nlohmann::json outputs = nlohmann::json::array();
    for (const auto& output : summary.outputs)
        outputs.push_back({{"output", output.output},
                           {"published", output.published},
                           {"delivered", output.delivered},
                           {"pending", output.pending},
                           {"dropped", output.dropped},
                           {"failed_saves", output.failed_saves},
                           {"connected", output.connected}});
    nlohmann::json inference = latency_json(summary.inference_latency);
    inference["requests_in_flight"] = summary.requests_in_flight;
    return {{"pipeline", summary.pipeline},
            {"sources", sources},
            {"inference", inference},
            {"outputs", outputs}};
}

nlohmann::json stats_json(const PipelineSummary& summary, int64_t time_ns,
                          std::optional<uint64_t> resident_memory_bytes) {
    nlohmann::json stats = summary_json(summary);
    stats["timestamp"] = time_ns;
    if (resident_memory_bytes) stats["resident_memory_bytes"] = *resident_memory_bytes;
    return stats;
}

}  // namespace es::pipeline
