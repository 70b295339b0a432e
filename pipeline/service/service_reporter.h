#pragma once

#include "pipeline/flow/pipeline_runner.h"
#include "pipeline/service/progress_watch.h"
#include "pipeline/service/systemd_notify.h"

#include <chrono>
#include <memory>
#include <vector>

namespace es::pipeline {

// Reports `edgesight run` to systemd: READY=1 once the pipelines started, STATUS= lines,
// WATCHDOG=1 every half watchdog period while every running pipeline makes progress, and
// STOPPING=1 once. Does nothing outside a Type=notify service.
class ServiceReporter {
  public:
    using Runners = std::vector<std::unique_ptr<PipelineRunner>>;

    explicit ServiceReporter(SystemdNotifier notifier);

    void ready(const Runners& runners, size_t failed_pipelines);
    // Call often (at least every poll_interval()): pings the watchdog when due and healthy.
    void poll(const Runners& runners);
    void stopping();
    // How often poll() must run for the watchdog; 100 ms when it is off.
    std::chrono::milliseconds poll_interval() const;

  private:
    std::vector<PipelineSummary> running(const Runners& runners) const;

    SystemdNotifier m_notifier;
    ProgressWatch m_watch;
    size_t m_failed_pipelines = 0;
    ProgressWatch::Clock::time_point m_next_ping;
    bool m_stalled = false;
    bool m_stopping = false;
};

}  // namespace es::pipeline
