#pragma once

#include "pipeline/config/config.h"
#include "pipeline/flow/pipeline_runner.h"

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace es::pipeline {

// What builds and starts the runner of a pipeline (opens its outputs, starts its sources); throws
// when it cannot.
using RunnerStart = std::function<std::unique_ptr<PipelineRunner>()>;
// Prepares the runner of one pipeline of a config with `pipelines` in all (loads and compiles its
// model); throws when it cannot.
using RunnerFactory = std::function<RunnerStart(const PipelineConfig&, size_t pipelines)>;

// What PipelineSet::reload did.
struct ReloadCounts {
    size_t unchanged = 0;  // kept running untouched
    size_t restarted = 0;  // changed: stopped, drained and started with the new config
    size_t added = 0;
    size_t removed = 0;
    size_t failed = 0;  // restarted or added pipelines that did not start: they are retried
    size_t kept = 0;    // changed ones whose new model did not load: they run on unchanged
};

// A pipeline that failed to start and waits for its next attempt.
struct WaitingPipeline {
    std::string pipeline;
    uint64_t failures = 0;  // attempts that failed in a row
};

// The pipelines of `edgesight run`, by name, in config order. A pipeline that fails to start is
// logged and tried again after 1 s, then after twice the previous delay up to 60 s, while the
// others run on. Thread-safe: metrics are read from other threads while a reload changes the set.
class PipelineSet {
  public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::chrono::seconds k_first_retry{1};
    static constexpr std::chrono::seconds k_longest_retry{60};

    explicit PipelineSet(RunnerFactory factory);
    ~PipelineSet();  // stops and waits
    PipelineSet(const PipelineSet&) = delete;
    PipelineSet& operator=(const PipelineSet&) = delete;

    void start(const Config& config);
    // Applies a new config. A pipeline whose config and model files are unchanged keeps its
    // runner. A changed one is prepared first (its model loaded and compiled) while it runs on:
    // when that fails it keeps running with its previous config; else it is stopped, drained (its
    // admitted frames are still published, its outputs flushed) and started again. Removed ones
    // are stopped and drained; new ones and those waiting for a retry are started.
    ReloadCounts reload(const Config& config);
    // When the next waiting pipeline is due for a retry; nullopt when none waits.
    std::optional<Clock::time_point> next_retry() const;
    // Tries again to start the waiting pipelines whose retry is due at `now`.
    void retry_due(Clock::time_point now);

    // Stops the sources of every pipeline (their admitted frames are still published) and the
    // retries.
    void stop();
    // Whether some pipeline has not ended yet, or none has started and some waits for a retry.
    bool running() const;
    void wait();

    // The summaries of the pipelines that have not ended yet.
    std::vector<PipelineSummary> running_summaries() const;
    // Every runner's summary, those a reload stopped first.
    std::vector<PipelineSummary> summaries() const;
    // The pipelines that failed to start (and were not started since).
    std::vector<WaitingPipeline> waiting() const;
    // Calls `visit` on each running runner while the set cannot change.
    void for_each_runner(const std::function<void(PipelineRunner&)>& visit) const;

  private:
    struct Entry {
        explicit Entry(PipelineConfig config_) : config(std::move(config_)) {}

        PipelineConfig config;
        std::filesystem::file_time_type model_time{};  // its models' files' latest change
        std::unique_ptr<PipelineRunner> runner;        // null while it waits for a retry
        uint64_t failures = 0;
        std::string error;
        std::chrono::seconds retry_delay{0};
        Clock::time_point retry_at;
    };

    // Loads the entry's model; on failure logs why, schedules a retry and returns null.
    RunnerStart prepare(Entry& entry);
    // Builds and starts the entry's runner with `start`; on failure as prepare().
    void launch(Entry& entry, const RunnerStart& start);
    void failed_to_start(Entry& entry, const std::string& error);
    void retire(Entry& entry);

    RunnerFactory m_factory;
    mutable std::mutex m_mutex;
    std::vector<Entry> m_entries;
    size_t m_pipelines = 0;  // in the config
    bool m_stopped = false;
    std::vector<PipelineSummary> m_retired;  // of the runners a reload stopped
};

}  // namespace es::pipeline
