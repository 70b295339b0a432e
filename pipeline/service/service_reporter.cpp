#include "pipeline/service/service_reporter.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <ctime>
#include <mutex>
#include <thread>

namespace es::pipeline {

ServiceReporter::ServiceReporter(SystemdNotifier notifier)
    : m_notifier(std::move(notifier)), m_watch(m_notifier.watchdog_timeout()) {}

void ServiceReporter::ready(const PipelineSet& pipelines) {
    if (!m_notifier.enabled()) return;
    const auto now = ProgressWatch::Clock::now();
    const std::vector<PipelineSummary> summaries = pipelines.running_summaries();
    m_watch.update(summaries, now);
    m_notifier.notify("READY=1\nSTATUS=" + status_line(summaries, pipelines.waiting().size()));
    m_next_ping = now;
}

// MONOTONIC_USEC lets systemd (253 and later) match the READY=1 that ends this reload.
void ServiceReporter::reloading() {
    if (!m_notifier.enabled()) return;
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    const int64_t usec = int64_t{now.tv_sec} * 1'000'000 + now.tv_nsec / 1'000;
    m_notifier.notify(fmt::format("RELOADING=1\nMONOTONIC_USEC={}\nSTATUS=reloading", usec));
}

void ServiceReporter::poll(const PipelineSet& pipelines) {
    if (m_notifier.watchdog_interval().count() == 0 || m_stopping) return;
    const auto now = ProgressWatch::Clock::now();
    if (now < m_next_ping) return;
    m_next_ping = now + m_notifier.watchdog_interval();
    const std::vector<PipelineSummary> summaries = pipelines.running_summaries();
    if (m_watch.update(summaries, now)) {
        if (m_stalled) spdlog::info("watchdog: every pipeline makes progress again");
        m_stalled = false;
        m_notifier.notify("WATCHDOG=1\nSTATUS=" +
                          status_line(summaries, pipelines.waiting().size()));
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

void ServiceReporter::status(const PipelineSet& pipelines) {
    if (!m_notifier.enabled()) return;
    m_notifier.notify("STATUS=" +
                      status_line(pipelines.running_summaries(), pipelines.waiting().size()));
}

void ServiceReporter::while_busy(const std::function<void()>& work) {
    const auto interval = m_notifier.watchdog_interval();
    if (interval.count() == 0 || m_stopping) {
        work();
        return;
    }
    m_notifier.notify("WATCHDOG=1");
    // Stopped and joined when `work` returns or throws.
    const std::jthread pinger([this, interval](std::stop_token stop) {
        std::mutex mutex;
        std::condition_variable_any wake;
        std::unique_lock lock(mutex);
        while (!wake.wait_for(lock, stop, interval, [] { return false; }) && !stop.stop_requested())
            m_notifier.notify("WATCHDOG=1");
    });
    work();
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
