#pragma once

#include "pipeline/flow/pipeline_set.h"
#include "pipeline/service/progress_watch.h"
#include "pipeline/service/systemd_notify.h"

#include <chrono>
#include <functional>

namespace es::pipeline {

// Reports `edgesight run` to systemd: READY=1 once the pipelines started, STATUS= lines,
// WATCHDOG=1 every half watchdog period while every running pipeline makes progress (pipelines
// waiting for a retry of their start count as idle), RELOADING=1 then READY=1 around a reload,
// and STOPPING=1 once. Does nothing outside a Type=notify service.
class ServiceReporter {
  public:
    explicit ServiceReporter(SystemdNotifier notifier);

    // After the start and after each reload.
    void ready(const PipelineSet& pipelines);
    void reloading();
    // Call often (at least every poll_interval()): pings the watchdog when due and healthy.
    void poll(const PipelineSet& pipelines);
    // Sends a STATUS= line, as after a pipeline's start was retried.
    void status(const PipelineSet& pipelines);
    // Runs `work` (a reload, a retried start) while another thread pings the watchdog every half
    // period: loading a model or draining a pipeline may take longer than the watchdog waits,
    // and the pipelines' progress cannot be checked meanwhile.
    void while_busy(const std::function<void()>& work);
    void stopping();
    // How often poll() must run for the watchdog; 100 ms when it is off.
    std::chrono::milliseconds poll_interval() const;

  private:
    SystemdNotifier m_notifier;
    ProgressWatch m_watch;
    ProgressWatch::Clock::time_point m_next_ping;
    bool m_stalled = false;
    bool m_stopping = false;
};

}  // namespace es::pipeline
