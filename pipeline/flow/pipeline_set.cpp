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

}  // namespace

PipelineSet::PipelineSet(RunnerFactory factory) : m_factory(std::move(factory)) {}

PipelineSet::~PipelineSet() {
    stop();
    wait();
}

PipelineSet::Entry PipelineSet::start_pipeline(const PipelineConfig& config, size_t pipelines) {
    Entry entry{config, model_time(config.model.path), nullptr};
    try {
        entry.runner = m_factory(config, pipelines);
    } catch (const std::exception& error) {
        spdlog::error("pipeline {}: {}", config.name, error.what());
    }
    return entry;
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
    for (const auto& pipeline : config.pipelines)
        m_entries.push_back(start_pipeline(pipeline, config.pipelines.size()));
}

ReloadCounts PipelineSet::reload(const Config& config) {
    std::lock_guard lock(m_mutex);
    ReloadCounts counts;
    std::vector<Entry> old_entries = std::move(m_entries);
    m_entries.clear();
    const auto find_old = [&](const std::string& name) {
        return std::find_if(old_entries.begin(), old_entries.end(),
                            [&](const Entry& entry) { return entry.config.name == name; });
    };
    // Removed and changed pipelines stop before anything starts: a new runner may write the same
    // file or use the same MQTT client id.
    for (auto& old : old_entries) {
        const auto next = std::find_if(
            config.pipelines.begin(), config.pipelines.end(),
            [&](const PipelineConfig& pipeline) { return pipeline.name == old.config.name; });
        if (next == config.pipelines.end()) {
            ++counts.removed;
            retire(old);
        } else if (*next != old.config || model_time(next->model.path) != old.model_time) {
            retire(old);
        }
    }
    for (const auto& pipeline : config.pipelines) {
        const auto old = find_old(pipeline.name);
        if (old != old_entries.end() && old->runner) {
            ++counts.unchanged;
            m_entries.push_back(std::move(*old));
            continue;
        }
        ++(old == old_entries.end() ? counts.added : counts.restarted);
        m_entries.push_back(start_pipeline(pipeline, config.pipelines.size()));
        if (!m_entries.back().runner) ++counts.failed;
    }
    return counts;
}

void PipelineSet::stop() {
    std::lock_guard lock(m_mutex);
    for (auto& entry : m_entries)
        if (entry.runner) entry.runner->stop();
}

bool PipelineSet::running() const {
    std::lock_guard lock(m_mutex);
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

std::vector<std::string> PipelineSet::failed() const {
    std::lock_guard lock(m_mutex);
    std::vector<std::string> names;
    for (const auto& entry : m_entries)
        if (!entry.runner) names.push_back(entry.config.name);
    return names;
}

void PipelineSet::for_each_runner(const std::function<void(PipelineRunner&)>& visit) const {
    std::lock_guard lock(m_mutex);
    for (const auto& entry : m_entries)
        if (entry.runner) visit(*entry.runner);
}

}  // namespace es::pipeline
