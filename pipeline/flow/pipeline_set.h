#pragma once

#include "pipeline/config/config.h"
#include "pipeline/flow/pipeline_runner.h"

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace es::pipeline {

// Builds and starts the runner of one pipeline of a config with `pipelines` in all; throws when
// it cannot.
using RunnerFactory =
    std::function<std::unique_ptr<PipelineRunner>(const PipelineConfig&, size_t pipelines)>;

// What PipelineSet::reload did.
struct ReloadCounts {
    size_t unchanged = 0;  // kept running untouched
    size_t restarted = 0;  // changed: stopped, drained and started with the new config
    size_t added = 0;
    size_t removed = 0;
    size_t failed = 0;  // restarted or added pipelines that did not start
};

// The pipelines of `edgesight run`, by name, in config order. A pipeline that fails to start is
// logged and kept without a runner; the others run on. Thread-safe: metrics are read from other
// threads while a reload changes the set.
class PipelineSet {
  public:
    explicit PipelineSet(RunnerFactory factory);
    ~PipelineSet();  // stops and waits
    PipelineSet(const PipelineSet&) = delete;
    PipelineSet& operator=(const PipelineSet&) = delete;

    void start(const Config& config);
    // Applies a new config. A pipeline whose config and model files are unchanged keeps its
    // runner; a changed one is stopped, drained (its admitted frames are still published and its
    // outputs flushed) and started again; removed ones are stopped and drained; new ones and
    // those that had failed to start are started.
    ReloadCounts reload(const Config& config);

    // Stops the sources of every pipeline; their admitted frames are still published.
    void stop();
    // Whether some pipeline has not ended yet.
    bool running() const;
    void wait();

    // The summaries of the pipelines that have not ended yet.
    std::vector<PipelineSummary> running_summaries() const;
    // Every runner's summary, those a reload stopped first.
    std::vector<PipelineSummary> summaries() const;
    // The names of the pipelines that failed to start (and were not started since).
    std::vector<std::string> failed() const;
    // Calls `visit` on each running runner while the set cannot change.
    void for_each_runner(const std::function<void(PipelineRunner&)>& visit) const;

  private:
    struct Entry {
        PipelineConfig config;
        std::filesystem::file_time_type model_time;
        std::unique_ptr<PipelineRunner> runner;  // null when it failed to start
    };

    Entry start_pipeline(const PipelineConfig& config, size_t pipelines);
    void retire(Entry& entry);

    RunnerFactory m_factory;
    mutable std::mutex m_mutex;
    std::vector<Entry> m_entries;
    std::vector<PipelineSummary> m_retired;  // of the runners a reload stopped
};

}  // namespace es::pipeline
