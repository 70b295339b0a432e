#pragma once

#include "pipeline/flow/pipeline_set.h"
#include "pipeline/service/progress_watch.h"
#include "pipeline/service/systemd_notify.h"

#include <chrono>

namespace es::pipeline {

// Reports `edgesight run` to systemd: READY=1 once the pipelines started, STATUS= lines,
// WATCHDOG=1 every half watchdog period while every running pipeline makes progress,
// RELOADING=1 then READY=1 around a reload, and STOPPING=1 once. Does nothing outside a
// Type=notify service.
class ServiceReporter {
  public:
    explicit ServiceReporter(SystemdNotifier notifier);

    // After the start and after each reload.
    void ready(const PipelineSet& pipelines);
    void reloading();
    // Call often (at least every poll_interval()): pings the watchdog when due and healthy.
    void poll(const PipelineSet& pipelines);
    void stopping();
    // How often poll() must run for the watchdog; 100 ms when it is off.
    std::chrono::milliseconds poll_interval() const;

  private:
    SystemdNotifier m_notifier;
    ProgressWatch m_watch;
    size_t m_failed_pipelines = 0;
    ProgressWatch::Clock::time_point m_next_ping;
    bool m_stalled = false;
    bool m_stopping = false;
};

}  // namespace es::pipeline
