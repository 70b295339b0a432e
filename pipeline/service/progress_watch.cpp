#include "pipeline/service/progress_watch.h"

#include <fmt/format.h>

namespace es::pipeline {

ProgressWatch::ProgressWatch(Clock::duration window) : m_window(window) {}

bool ProgressWatch::update(const std::vector<PipelineSummary>& pipelines, Clock::time_point now) {
    m_stalled.clear();
    for (const PipelineSummary& pipeline : pipelines)
        for (const SourceSummary& source : pipeline.sources) {
            const std::string key = pipeline.pipeline + "/" + source.source;
            const uint64_t completed = source.inferred + source.errors;
            auto [it, first] = m_sources.try_emplace(key);
            Seen& seen = it->second;
            const bool inferring = completed != seen.completed;
            const bool decoding_freely =
                source.decoded != seen.decoded && source.dropped == seen.dropped;
            if (first || source.state != "playing" || inferring || decoding_freely)
                seen.progressed = now;
            seen.decoded = source.decoded;
            seen.dropped = source.dropped;
            seen.completed = completed;
            if (now - seen.progressed > m_window) m_stalled.push_back(key);
        }
    return m_stalled.empty();
}

std::string status_line(const std::vector<PipelineSummary>& pipelines, size_t failed_pipelines) {
    uint64_t inferred = 0, dropped = 0, errors = 0;
    size_t sources = 0;
    for (const PipelineSummary& pipeline : pipelines)
        for (const SourceSummary& source : pipeline.sources) {
            ++sources;
            inferred += source.inferred;
            dropped += source.dropped;
            errors += source.errors;
        }
    std::string line = fmt::format(
        "{} pipeline{} running ({} source{}): {} frames inferred, {} dropped, {} errors",
        pipelines.size(), pipelines.size() == 1 ? "" : "s", sources, sources == 1 ? "" : "s",
        inferred, dropped, errors);
    if (failed_pipelines > 0)
        line += fmt::format("; {} failed to start, retrying", failed_pipelines);
    return line;
}

}  // namespace es::pipeline
