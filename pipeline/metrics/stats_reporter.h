#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace es::pipeline {

// Calls `report` every `interval` on its own thread (the first call one interval after the
// start) until destroyed; a zero interval never calls it. Exceptions from `report` are logged.
class StatsReporter {
  public:
    StatsReporter(std::chrono::seconds interval, std::function<void()> report);
    ~StatsReporter();  // stops and joins
    StatsReporter(const StatsReporter&) = delete;
    StatsReporter& operator=(const StatsReporter&) = delete;

  private:
    std::function<void()> m_report;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    std::thread m_thread;
};

}  // namespace es::pipeline
