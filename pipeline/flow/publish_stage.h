#pragma once

#include "pipeline/flow/result_counters.h"
#include "pipeline/postprocess/detection.h"
#include "pipeline/publish/publisher.h"
#include "pipeline/track/track_events.h"

#include <memory>
#include <span>
#include <string>
#include <vector>

namespace es::pipeline {

// `result.objects` (its width and height set) from untracked `detections`.
void set_objects(std::span<const Detection> detections, FrameResult& result);

// The last stage of one source's frames: their results and track events to every output, in
// frame order. An output's error is counted, and logged for the first of the source's errors.
class PublishStage {
  public:
    PublishStage(std::string pipeline, std::string source, bool publish_empty,
                 std::span<const std::unique_ptr<Publisher>> outputs, ResultCounters& counters);

    // Publishes `result` (skipped when it has no objects and empty results are not published).
    void results(const FrameResult& result);
    // Publishes `events`, which happened in the frame of `at`.
    void events(const FrameResult& at, std::span<const TrackEvent> events);
    // Publishes `events` at the last frame given to events(): the stream ended.
    void final_events(std::span<const TrackEvent> events);

  private:
    template <typename Send>
    void to_outputs(const Send& send);

    std::string m_pipeline;
    std::string m_source;
    bool m_publish_empty;
    std::span<const std::unique_ptr<Publisher>> m_outputs;
    ResultCounters& m_counters;
    EventResult m_event;  // the message of one event, reused
    int m_width = 0;      // of the frames the events are in
    int m_height = 0;
};

}  // namespace es::pipeline
