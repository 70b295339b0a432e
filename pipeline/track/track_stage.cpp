#include "pipeline/track/track_stage.h"

#include <algorithm>
#include <cmath>

namespace es::pipeline {
namespace {

// A stream time step longer than this is a jump (a seek, a reconnect): the clock's is used.
constexpr int64_t k_max_stream_step_ns = 5'000'000'000;

TrackerOptions tracker_options(const TrackConfig& track, float threshold) {
    TrackerOptions options;
    options.high_threshold = threshold;
    options.low_threshold = std::min(track.low_threshold, threshold);
    options.match_iou = track.match_iou;
    options.max_age_s = track.max_age_s;
    options.min_hits = track.min_hits;
    return options;
}

std::vector<Zone> zones_of(const std::optional<EventsConfig>& events) {
    std::vector<Zone> zones;
    if (!events) return zones;
    for (const ZoneConfig& config : events->zones) {
        Zone& zone = zones.emplace_back();
        zone.name = config.name;
        for (const auto& [x, y] : config.polygon)
            zone.polygon.push_back({x, y});
    }
    return zones;
}

}  // namespace

TrackStage::TrackStage(const TrackConfig& track, const std::optional<EventsConfig>& events,
                       float threshold)
    : m_tracker(tracker_options(track, threshold)) {
    if (events) m_events.emplace(zones_of(events));
}

double TrackStage::advance(int64_t pts_ns, int64_t steady_ns) {
    int64_t step_ns = 0;
    if (m_last_steady_ns >= 0) {
        const int64_t stream_step = pts_ns - m_last_pts_ns;
        const bool by_stream = pts_ns >= 0 && m_last_pts_ns >= 0 && stream_step > 0 &&
                               stream_step <= k_max_stream_step_ns;
        step_ns = by_stream ? stream_step : std::max<int64_t>(0, steady_ns - m_last_steady_ns);
    }
    m_last_pts_ns = pts_ns;
    m_last_steady_ns = steady_ns;
    m_time_s += static_cast<double>(step_ns) * 1e-9;
    return m_time_s;
}

std::span<const TrackEvent> TrackStage::run(std::span<const Detection> detections, int64_t pts_ns,
                                            int64_t steady_ns, FrameResult& result) {
    const double time_s = advance(pts_ns, steady_ns);
    return report(m_tracker.update(detections, time_s), time_s, result);
}

std::span<const TrackEvent> TrackStage::predict(int64_t pts_ns, int64_t steady_ns,
                                                FrameResult& result) {
    const double time_s = advance(pts_ns, steady_ns);
    return report(m_tracker.predict(time_s), time_s, result);
}

std::span<const TrackEvent> TrackStage::report(std::span<const TrackedObject> tracked,
                                               double time_s, FrameResult& result) {
    result.objects.resize(tracked.size());
    for (size_t i = 0; i < tracked.size(); ++i) {
        const TrackedObject& from = tracked[i];
        ObjectResult& object = result.objects[i];
        set_box(object, from.box, result.width, result.height);
        object.id = from.id;
        object.predicted = from.predicted;
        object.confidence = from.confidence;
        object.label = from.label;
        object.label_id = from.label_id;
    }
    if (!m_events) return {};
    return m_events->update(tracked, m_tracker.ended(), time_s);
}

std::span<const TrackEvent> TrackStage::finish() {
    const std::span<const int64_t> ended = m_tracker.end_all();
    if (!m_events) return {};
    return m_events->update({}, ended, m_time_s);
}

float decoder_threshold(float threshold, const std::optional<TrackConfig>& track) {
    return track ? std::min(threshold, track->low_threshold) : threshold;
}

}  // namespace es::pipeline
