#include "pipeline/metrics/stats_reporter.h"

#include <spdlog/spdlog.h>

namespace es::pipeline {

StatsReporter::StatsReporter(std::chrono::seconds interval, std::function<void()> report)
    : m_report(std::move(report)) {
    if (interval.count() <= 0) return;
    m_thread = std::thread([this, interval] {
        std::unique_lock lock(m_mutex);
        auto next = std::chrono::steady_clock::now() + interval;
        while (!m_wake.wait_until(lock, next, [this] { return m_stopping; })) {
            lock.unlock();
            try {
                m_report();
            } catch (const std::exception& error) {
                spdlog::warn("stats: {}", error.what());
            }
            lock.lock();
            next += interval;
        }
    });
}

StatsReporter::~StatsReporter() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable()) m_thread.join();
}

}  // namespace es::pipeline
