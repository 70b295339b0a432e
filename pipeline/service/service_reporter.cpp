#include "pipeline/service/service_reporter.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace es::pipeline {

ServiceReporter::ServiceReporter(SystemdNotifier notifier)
    : m_notifier(std::move(notifier)), m_watch(m_notifier.watchdog_timeout()) {}

std::vector<PipelineSummary> ServiceReporter::running(const Runners& runners) const {
    std::vector<PipelineSummary> summaries;
    for (const auto& runner : runners)
        if (!runner->wait_for(std::chrono::milliseconds(0))) summaries.push_back(runner->summary());
    return summaries;
}

void ServiceReporter::ready(const Runners& runners, size_t failed_pipelines) {
    if (!m_notifier.enabled()) return;
    m_failed_pipelines = failed_pipelines;
    const auto now = ProgressWatch::Clock::now();
    const std::vector<PipelineSummary> summaries = running(runners);
    m_watch.update(summaries, now);
    m_notifier.notify("READY=1\nSTATUS=" + status_line(summaries, m_failed_pipelines));
    m_next_ping = now;
}

void ServiceReporter::poll(const Runners& runners) {
    if (m_notifier.watchdog_interval().count() == 0 || m_stopping) return;
    const auto now = ProgressWatch::Clock::now();
    if (now < m_next_ping) return;
    m_next_ping = now + m_notifier.watchdog_interval();
    const std::vector<PipelineSummary> summaries = running(runners);
    if (m_watch.update(summaries, now)) {
        if (m_stalled) spdlog::info("watchdog: every pipeline makes progress again");
        m_stalled = false;
        m_notifier.notify("WATCHDOG=1\nSTATUS=" + status_line(summaries, m_failed_pipelines));
        return;
    }
    const std::string stalled = fmt::format("{}", fmt::join(m_watch.stalled(), ", "));
    if (!m_stalled)
        spdlog::error(
            "watchdog: no progress for {} s from {}; not pinging systemd",
            std::chrono::duration_cast<std::chrono::seconds>(m_notifier.watchdog_timeout()).count(),
            stalled);
    m_stalled = true;
    m_notifier.notify("STATUS=stalled: " + stalled);
}

void ServiceReporter::stopping() {
    if (m_stopping) return;
    m_stopping = true;
    m_notifier.notify("STOPPING=1");
}

std::chrono::milliseconds ServiceReporter::poll_interval() const {
    const auto interval =
        std::chrono::duration_cast<std::chrono::milliseconds>(m_notifier.watchdog_interval());
    if (interval.count() == 0) return std::chrono::milliseconds(100);
    return std::clamp(interval, std::chrono::milliseconds(1), std::chrono::milliseconds(100));
}

}  // namespace es::pipeline
