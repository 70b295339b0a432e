#include "pipeline/flow/pipeline_set.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace es::pipeline {
namespace {

// The latest modification of the model's files (an IR's .xml and .bin); min() when unknown.
std::filesystem::file_time_type model_time(const std::filesystem::path& model) {
    std::error_code error;
    auto time = std::filesystem::last_write_time(model, error);
    if (error) return std::filesystem::file_time_type::min();
    if (model.extension() == ".xml") {
        const auto weights_time = std::filesystem::last_write_time(
            std::filesystem::path(model).replace_extension(".bin"), error);
        if (!error) time = std::max(time, weights_time);
    }
    return time;
}

// The latest modification of the files of the pipeline's models, its classifiers' too.
std::filesystem::file_time_type models_time(const PipelineConfig& pipeline) {
    auto time = model_time(pipeline.model.path);
    for (const ClassifyConfig& classify : pipeline.classify)
        time = std::max(time, model_time(classify.path));
    return time;
}

}  // namespace

PipelineSet::PipelineSet(RunnerFactory factory) : m_factory(std::move(factory)) {}

PipelineSet::~PipelineSet() {
    stop();
    wait();
}

RunnerStart PipelineSet::prepare(Entry& entry) {
    entry.model_time = models_time(entry.config);
    try {
        return m_factory(entry.config, m_pipelines);
    } catch (const std::exception& error) {
        failed_to_start(entry, error.what());
        return nullptr;
    }
}

void PipelineSet::launch(Entry& entry, const RunnerStart& start) {
    try {
        entry.runner = start();
    } catch (const std::exception& error) {
        failed_to_start(entry, error.what());
        return;
    }
    if (entry.failures > 0)
        spdlog::info("pipeline {}: started after {} failed attempt{}", entry.config.name,
                     entry.failures, entry.failures == 1 ? "" : "s");
    entry.failures = 0;
    entry.error.clear();
    entry.retry_delay = std::chrono::seconds(0);
}

void PipelineSet::failed_to_start(Entry& entry, const std::string& error) {
    entry.runner.reset();
    entry.retry_delay =
        entry.failures == 0 ? k_first_retry : std::min(entry.retry_delay * 2, k_longest_retry);
    ++entry.failures;
    entry.retry_at = Clock::now() + entry.retry_delay;
    // Logged again only when the reason changes or the delay has grown to its longest.
    if (error != entry.error || entry.retry_delay == k_longest_retry)
        spdlog::error("pipeline {}: {}; trying again in {} s", entry.config.name, error,
                      entry.retry_delay.count());
    entry.error = error;
}

void PipelineSet::retire(Entry& entry) {
    if (!entry.runner) return;
    entry.runner->stop();
    entry.runner->wait();
    m_retired.push_back(entry.runner->summary());
    entry.runner.reset();
}

void PipelineSet::start(const Config& config) {
    std::lock_guard lock(m_mutex);
    m_pipelines = config.pipelines.size();
    for (const auto& pipeline : config.pipelines) {
        Entry& entry = m_entries.emplace_back(pipeline);
        if (const RunnerStart start = prepare(entry)) launch(entry, start);
    }
}

ReloadCounts PipelineSet::reload(const Config& config) {
    std::lock_guard lock(m_mutex);
    m_pipelines = config.pipelines.size();
    ReloadCounts counts;
    std::vector<Entry> old_entries = std::move(m_entries);
    m_entries.clear();
    // Each pipeline of the new config with what starts it: null for one that runs on as it is.
    std::vector<RunnerStart> starts;
    for (const auto& pipeline : config.pipelines) {
        const auto old =
            std::find_if(old_entries.begin(), old_entries.end(),
                         [&](const Entry& entry) { return entry.config.name == pipeline.name; });
        const bool known = old != old_entries.end();
        if (known && old->runner && pipeline == old->config &&
            models_time(pipeline) == old->model_time) {
            ++counts.unchanged;
            m_entries.push_back(std::move(*old));
            starts.emplace_back();
            continue;
        }
        Entry entry(pipeline);
        RunnerStart start;
        if (known && old->runner) {
            entry.model_time = models_time(pipeline);
            try {
                start = m_factory(pipeline, m_pipelines);
            } catch (const std::exception& error) {
                spdlog::error("pipeline {}: {}; it runs on with its previous config", pipeline.name,
                              error.what());
                ++counts.kept;
                m_entries.push_back(std::move(*old));
                starts.emplace_back();
                continue;
            }
        } else {
            if (known) {
                entry.failures = old->failures;
                entry.retry_delay = old->retry_delay;
            }
            start = prepare(entry);
            counts.failed += start ? 0 : 1;
        }
        ++(known ? counts.restarted : counts.added);
        m_entries.push_back(std::move(entry));
        starts.push_back(std::move(start));
    }
    // Removed and replaced pipelines stop before anything starts: a new runner may write the
    // same file or use the same MQTT client id. Entries moved into m_entries have no runner.
    counts.removed = old_entries.size() - counts.unchanged - counts.kept - counts.restarted;
    for (auto& old : old_entries)
        retire(old);
    for (size_t i = 0; i < m_entries.size(); ++i)
        if (starts[i]) {
            launch(m_entries[i], starts[i]);
            counts.failed += m_entries[i].runner ? 0 : 1;
        }
    return counts;
}

std::optional<PipelineSet::Clock::time_point> PipelineSet::next_retry() const {
    std::lock_guard lock(m_mutex);
    std::optional<Clock::time_point> next;
    if (m_stopped) return next;
    for (const auto& entry : m_entries)
        if (!entry.runner && (!next || entry.retry_at < *next)) next = entry.retry_at;
    return next;
}

void PipelineSet::retry_due(Clock::time_point now) {
    std::lock_guard lock(m_mutex);
    if (m_stopped) return;
    for (auto& entry : m_entries)
        if (!entry.runner && entry.retry_at <= now)
            if (const RunnerStart start = prepare(entry)) launch(entry, start);
}

void PipelineSet::stop() {
    std::lock_guard lock(m_mutex);
    m_stopped = true;
    for (auto& entry : m_entries)
        if (entry.runner) entry.runner->stop();
}

bool PipelineSet::running() const {
    std::lock_guard lock(m_mutex);
    const bool none_started =
        std::none_of(m_entries.begin(), m_entries.end(),
                     [](const Entry& entry) { return entry.runner != nullptr; });
    if (none_started) return !m_stopped && !m_entries.empty();
    return std::any_of(m_entries.begin(), m_entries.end(), [](const Entry& entry) {
        return entry.runner && !entry.runner->wait_for(std::chrono::milliseconds(0));
    });
}

void PipelineSet::wait() {
    std::lock_guard lock(m_mutex);
    for (auto& entry : m_entries)
        if (entry.runner) entry.runner->wait();
}

std::vector<PipelineSummary> PipelineSet::running_summaries() const {
    std::lock_guard lock(m_mutex);
    std::vector<PipelineSummary> summaries;
    for (const auto& entry : m_entries)
        if (entry.runner && !entry.runner->wait_for(std::chrono::milliseconds(0)))
            summaries.push_back(entry.runner->summary());
    return summaries;
}

std::vector<PipelineSummary> PipelineSet::summaries() const {
    std::lock_guard lock(m_mutex);
    std::vector<PipelineSummary> summaries = m_retired;
    for (const auto& entry : m_entries)
        if (entry.runner) summaries.push_back(entry.runner->summary());
    return summaries;
}

std::vector<WaitingPipeline> PipelineSet::waiting() const {
    std::lock_guard lock(m_mutex);
    std::vector<WaitingPipeline> waiting;
    for (const auto& entry : m_entries)
        if (!entry.runner) waiting.push_back({entry.config.name, entry.failures});
    return waiting;
}

void PipelineSet::for_each_runner(const std::function<void(PipelineRunner&)>& visit) const {
    std::lock_guard lock(m_mutex);
    for (const auto& entry : m_entries)
        if (entry.runner) visit(*entry.runner);
}

}  // namespace es::pipeline
