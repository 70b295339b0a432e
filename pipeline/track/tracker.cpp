#include "pipeline/track/tracker.h"

#include "inference/core/error.h"

#include <algorithm>

namespace es::pipeline {
namespace {

constexpr size_t k_reserved = 64;

// Drops the entries marked -1, keeping the order of the others.
void drop_marked(std::vector<int>& indices) {
    indices.erase(std::remove(indices.begin(), indices.end(), -1), indices.end());
}

}  // namespace

Tracker::Tracker(TrackerOptions options) : m_options(std::move(options)) {
    if (m_options.low_threshold > m_options.high_threshold)
        throw_bad_input("tracker: low_threshold {} is above high_threshold {}",
                        m_options.low_threshold, m_options.high_threshold);
    if (m_options.min_hits < 1)
        throw_bad_input("tracker: min_hits is {}, expected at least 1", m_options.min_hits);
    if (m_options.match_buffer < 0.0f)
        throw_bad_input("tracker: match_buffer is {}, expected 0 or more", m_options.match_buffer);
    m_tracks.reserve(k_reserved);
    m_objects.reserve(k_reserved);
    m_ended.reserve(k_reserved);
    for (auto* buffer : {&m_high, &m_low, &m_candidates, &m_unconfirmed})
        buffer->reserve(k_reserved);
    m_costs.reserve(k_reserved * k_reserved);
}

std::span<const TrackedObject> Tracker::update(std::span<const Detection> detections,
                                               double time_s) {
    m_ended.clear();
    time_s = std::max(time_s, m_time_s);
    const double previous_s = m_time_s;
    m_time_s = time_s;

    m_candidates.clear();
    m_unconfirmed.clear();
    for (size_t i = 0; i < m_track_count; ++i) {
        Track& track = m_tracks[i];
        track.filter.predict(time_s - previous_s);
        track.matched = false;
        (track.confirmed ? m_candidates : m_unconfirmed).push_back(static_cast<int>(i));
    }
    m_high.clear();
    m_low.clear();
    for (size_t i = 0; i < detections.size(); ++i) {
        if (detections[i].confidence >= m_options.high_threshold)
            m_high.push_back(static_cast<int>(i));
        else if (detections[i].confidence >= m_options.low_threshold)
            m_low.push_back(static_cast<int>(i));
    }

    // BYTE: confident detections go first to the tracks most likely real, the lost ones too; a
    // low-confidence detection (often an occluded object) may only continue a track that was not
    // lost at the last update, with a stricter overlap, and never starts one.
    associate(detections, m_candidates, m_high, m_options.match_iou);
    std::erase_if(m_candidates, [&](int i) {
        return previous_s - m_tracks[static_cast<size_t>(i)].matched_s > m_options.max_coast_s;
    });
    associate(detections, m_candidates, m_low, m_options.low_match_iou);
    associate(detections, m_unconfirmed, m_high, m_options.match_iou);

    remove_tracks([&](Track& track) {
        if (track.matched) return false;
        track.filter.hold_size();
        // A new track must be matched in every update until it is confirmed.
        return !track.confirmed || time_s - track.matched_s > m_options.max_age_s;
    });
    for (const int i : m_high)
        start_track(detections[static_cast<size_t>(i)], time_s);
    return report(time_s, false);
}

std::span<const TrackedObject> Tracker::predict(double time_s) {
    m_ended.clear();
    time_s = std::max(time_s, m_time_s);
    remove_tracks([&](const Track& track) {
        return track.confirmed && time_s - track.matched_s > m_options.max_age_s;
    });
    return report(time_s, true);
}

std::span<const int64_t> Tracker::end_all() {
    m_ended.clear();
    remove_tracks([](const Track&) { return true; });
    m_object_count = 0;
    return m_ended;
}

namespace {

Box buffered(const Box& box, float share) {
    const float dx = share * (box.x_max - box.x_min);
    const float dy = share * (box.y_max - box.y_min);
    return {box.x_min - dx, box.y_min - dy, box.x_max + dx, box.y_max + dy};
}

}  // namespace

void Tracker::associate(std::span<const Detection> detections, std::vector<int>& tracks,
                        std::vector<int>& detection_indices, float min_iou) {
    const int rows = static_cast<int>(tracks.size());
    const int cols = static_cast<int>(detection_indices.size());
    if (rows == 0 || cols == 0) return;
    // Cost 1 - IoU; a pair that may not match costs as much as leaving both unmatched (`limit`),
    // so that the optimum matches a pair only where that lowers the total.
    const double limit = 1.0 - min_iou + 1e-6;
    m_costs.resize(static_cast<size_t>(rows) * cols);
    for (int row = 0; row < rows; ++row) {
        const Track& track = m_tracks[static_cast<size_t>(tracks[row])];
        const Box predicted = track.filter.box();
        for (int col = 0; col < cols; ++col) {
            const Detection& detection = detections[static_cast<size_t>(detection_indices[col])];
            const float overlap = detection.label_id == track.label_id
                                      ? iou(buffered(predicted, m_options.match_buffer),
                                            buffered(box_of(detection), m_options.match_buffer))
                                      : 0.0f;
            m_costs[static_cast<size_t>(row) * cols + col] =
                overlap >= min_iou ? 1.0 - overlap : limit;
        }
    }
    const std::span<const int> assigned = m_assignment.solve(m_costs, rows, cols);
    for (int row = 0; row < rows; ++row) {
        const int col = assigned[row];
        if (col < 0 || m_costs[static_cast<size_t>(row) * cols + col] >= limit) continue;
        match(m_tracks[static_cast<size_t>(tracks[row])],
              detections[static_cast<size_t>(detection_indices[col])]);
        tracks[row] = -1;
        detection_indices[col] = -1;
    }
    drop_marked(tracks);
    drop_marked(detection_indices);
}

void Tracker::match(Track& track, const Detection& detection) {
    track.filter.update(box_of(detection));
    track.matched = true;
    track.matched_s = m_time_s;
    track.confidence = detection.confidence;
    ++track.hits;
    track.confirmed = track.confirmed || track.hits >= m_options.min_hits;
}

void Tracker::start_track(const Detection& detection, double time_s) {
    if (m_track_count == m_tracks.size()) m_tracks.emplace_back();
    Track& track = m_tracks[m_track_count++];
    track.id = m_next_id++;
    track.filter = KalmanBox(box_of(detection), m_options.noise);
    track.matched_s = time_s;
    track.hits = 1;
    track.confirmed = m_options.min_hits <= 1;
    track.matched = true;
    track.confidence = detection.confidence;
    track.label_id = detection.label_id;
    track.label = detection.label;
}

template <typename Ends>
void Tracker::remove_tracks(const Ends& ends) {
    size_t kept = 0;
    for (size_t i = 0; i < m_track_count; ++i) {
        if (ends(m_tracks[i])) {
            if (m_tracks[i].confirmed) m_ended.push_back(m_tracks[i].id);
            continue;
        }
        // Swapped, not moved: the slot left behind keeps its label's buffer for a later track.
        if (kept != i) std::swap(m_tracks[kept], m_tracks[i]);
        ++kept;
    }
    m_track_count = kept;
}

std::span<const TrackedObject> Tracker::report(double time_s, bool predicting) {
    m_object_count = 0;
    for (size_t i = 0; i < m_track_count; ++i) {
        const Track& track = m_tracks[i];
        const bool matched = track.matched && !predicting;
        if (!track.confirmed || (!matched && time_s - track.matched_s > m_options.max_coast_s))
            continue;
        const Box box =
            predicting ? track.filter.predicted_box(time_s - m_time_s) : track.filter.box();
        // An unseen track whose centre the motion model has taken out of the image has left it:
        // lost, not reported as if hidden.
        const float centre_x = 0.5f * (box.x_min + box.x_max);
        const float centre_y = 0.5f * (box.y_min + box.y_max);
        if (!matched && (centre_x < 0.0f || centre_x > 1.0f || centre_y < 0.0f || centre_y > 1.0f))
            continue;
        // Objects past m_object_count are kept, like tracks, for their labels' buffers.
        if (m_object_count == m_objects.size()) m_objects.emplace_back();
        TrackedObject& object = m_objects[m_object_count++];
        object.id = track.id;
        object.box = {std::clamp(box.x_min, 0.0f, 1.0f), std::clamp(box.y_min, 0.0f, 1.0f),
                      std::clamp(box.x_max, 0.0f, 1.0f), std::clamp(box.y_max, 0.0f, 1.0f)};
        object.confidence = track.confidence;
        object.label_id = track.label_id;
        object.label = track.label;
        object.predicted = !matched;
    }
    return {m_objects.data(), m_object_count};
}

}  // namespace es::pipeline
