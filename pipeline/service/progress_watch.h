#pragma once

#include "pipeline/flow/pipeline_runner.h"

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace es::pipeline {

// Decides from successive summaries whether every source of the running pipelines makes
// progress, for the service watchdog. A playing source progresses when inference completes
// (results or errors), or when it decodes frames without dropping any (nothing waits for
// inference). A source that is not playing (connecting, retrying, ended, failed, stopped) is
// idle and counts as progressing. So a stuck decoder stops the progress of a playing source,
// and so does a stuck inference stage: a file source then stops decoding, a live one only drops.
class ProgressWatch {
  public:
    using Clock = std::chrono::steady_clock;

    // `window`: how long a source may go without progress.
    explicit ProgressWatch(Clock::duration window);

    // Records `pipelines` as seen at `now`; true when no source went longer than the window
    // without progress. A source seen for the first time starts its window now.
    bool update(const std::vector<PipelineSummary>& pipelines, Clock::time_point now);
    // "pipeline/source" of the sources the last update found stalled.
    const std::vector<std::string>& stalled() const { return m_stalled; }

  private:
    struct Seen {
        uint64_t decoded = 0;
        uint64_t dropped = 0;
        uint64_t completed = 0;  // inferred + errors
        Clock::time_point progressed;
    };

    Clock::duration m_window;
    std::map<std::string, Seen> m_sources;
    std::vector<std::string> m_stalled;
};

// One line for systemd's STATUS=: pipelines, frames inferred, dropped and errors.
std::string status_line(const std::vector<PipelineSummary>& pipelines, size_t failed_pipelines);

}  // namespace es::pipeline
