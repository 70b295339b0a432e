#pragma once

#include "pipeline/config/config.h"
#include "pipeline/publish/frame_result.h"
#include "pipeline/track/track_events.h"
#include "pipeline/track/tracker.h"

#include <optional>
#include <span>

namespace es::pipeline {

// The track stage of one source: gives the objects of each inferred frame, in frame order,
// their track ids and turns the tracks' changes into events.
class TrackStage {
  public:
    // `threshold`: the model's, at which detections start tracks.
    TrackStage(const TrackConfig& track, const std::optional<EventsConfig>& events,
               float threshold);

    // Replaces `result.objects` (whose width and height are set) with the tracked objects of
    // `detections`; returns the events of this frame when events are on, valid until the next
    // call. `pts_ns` is the frame's stream time (-1 when unknown), `steady_ns` when it was
    // decoded: time runs by the stream where it moves forward, by the clock elsewhere (loops,
    // reconnects).
    std::span<const TrackEvent> run(std::span<const Detection> detections, int64_t pts_ns,
                                    int64_t steady_ns, FrameResult& result);

    // The same for a frame the model skipped (inference_interval): every object's box is the
    // motion model's.
    std::span<const TrackEvent> predict(int64_t pts_ns, int64_t steady_ns, FrameResult& result);
    // The events of every track ending (the stream ended), valid until the next call.
    std::span<const TrackEvent> finish();
    // The ids of the tracks that ended in the last call.
    std::span<const int64_t> ended() const { return m_tracker.ended(); }

  private:
    double advance(int64_t pts_ns, int64_t steady_ns);
    // `result.objects` from `tracked`, and the events of this call.
    std::span<const TrackEvent> report(std::span<const TrackedObject> tracked, double time_s,
                                       FrameResult& result);

    Tracker m_tracker;
    std::optional<TrackEvents> m_events;
    double m_time_s = 0.0;
    int64_t m_last_pts_ns = -1;
    int64_t m_last_steady_ns = -1;
};

// The decoder's threshold under tracking: tracks continue on detections down to the low one.
float decoder_threshold(float threshold, const std::optional<TrackConfig>& track);

}  // namespace es::pipeline
