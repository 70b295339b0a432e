#include "pipeline/metrics/run_metrics.h"

#include "pipeline/metrics/prometheus.h"
#include "pipeline/metrics/stats_json.h"

#include <chrono>

namespace es::pipeline {

std::string render_metrics(const PipelineSet& pipelines) {
    std::vector<PipelineSummary> summaries;
    pipelines.for_each_runner(
        [&](PipelineRunner& runner) { summaries.push_back(runner.summary()); });
    return render_prometheus(summaries, pipelines.waiting(), resident_memory_bytes());
}

void publish_stats(const PipelineSet& pipelines) {
    const int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    const auto memory = resident_memory_bytes();
    pipelines.for_each_runner([&](PipelineRunner& runner) {
        runner.publish_stats(stats_json(runner.summary(), now_ns, memory).dump());
    });
}

}  // namespace es::pipeline
