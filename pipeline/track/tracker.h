#pragma once

#include "pipeline/postprocess/detection.h"
#include "pipeline/track/assignment.h"
#include "pipeline/track/kalman_box.h"

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

namespace es::pipeline {

struct TrackerOptions {
    float high_threshold = 0.5f;  // at least this confident: first association, may start tracks
    float low_threshold = 0.1f;   // less confident: ignored; between the two: continue tracks only
    float match_iou = 0.3f;       // min IoU of a track's predicted box and a confident detection
    float low_match_iou = 0.5f;   // min IoU of a track's predicted box and a low-confidence one
    // Both boxes are widened by this share of their width and height on each side before the
    // overlap is measured (buffered IoU): small objects, whose predicted box lags a few pixels,
    // still overlap their detection.
    float match_buffer = 0.3f;
    double max_age_s = 2.0;  // a track unmatched for longer ends
    // A track unmatched for up to this long is still reported, its box predicted, unless the
    // motion model has taken its centre out of the image; otherwise it is lost: kept, not reported.
    double max_coast_s = 0.5;
    int min_hits = 2;  // matched updates in a row before a new track is reported
    KalmanBoxNoise noise;
};

// One object of a tracker's output.
struct TrackedObject {
    int64_t id = 0;           // stable: from 1 per tracker, increasing, never reused
    Box box;                  // the motion model's estimate, clipped to the image
    float confidence = 0.0f;  // of the last detection matched
    int label_id = 0;
    std::string label;
    bool predicted = false;  // no detection matched it in this call: the box is the motion model's
};

// A ByteTrack multi-object tracker for the detections of one source's frames. Each update
// associates detections with the tracks' predicted boxes by optimal assignment on IoU, within one
// label_id, in this order: confirmed tracks (lost ones too) with the confident detections; those
// of them still unmatched and not lost with the low-confidence detections; new, unconfirmed tracks
// with the confident detections left. Confident detections still left start new tracks.
// Keeps its buffers between frames: no allocation in the steady state.
class Tracker {
  public:
    explicit Tracker(TrackerOptions options = {});

    // The objects tracked at `time_s` after matching `detections`, ordered by id. Valid until
    // the next call. Times are in seconds from any origin; one earlier than the last counts as it.
    std::span<const TrackedObject> update(std::span<const Detection> detections, double time_s);
    // The objects at `time_s` by the motion model alone, every one predicted: for the frames that
    // skip inference. Valid until the next call.
    std::span<const TrackedObject> predict(double time_s);
    // Ends every track (the stream ended); returns the ids of those that were reported.
    std::span<const int64_t> end_all();
    // The ids of reported tracks that ended in the last update(), predict() or end_all().
    std::span<const int64_t> ended() const { return m_ended; }

    const TrackerOptions& options() const { return m_options; }

  private:
    struct Track {
        int64_t id = 0;
        KalmanBox filter;        // at `time_s` of the last update
        double matched_s = 0.0;  // when a detection last matched
        int hits = 0;            // matched updates
        bool confirmed = false;  // reached min_hits: reported while not lost
        bool matched = false;    // in this update
        float confidence = 0.0f;
        int label_id = 0;
        std::string label;
    };

    // Matches `tracks` (indices into m_tracks) with `detection_indices` by optimal assignment on
    // IoU, pairs of one label_id overlapping by at least `min_iou`; removes the matched ones from
    // both lists.
    void associate(std::span<const Detection> detections, std::vector<int>& tracks,
                   std::vector<int>& detection_indices, float min_iou);
    void match(Track& track, const Detection& detection);
    void start_track(const Detection& detection, double time_s);
    // Ends the tracks for which `ends(track)` holds, keeping the order of the others.
    template <typename Ends>
    void remove_tracks(const Ends& ends);
    bool reported(const Track& track, double time_s) const;
    std::span<const TrackedObject> report(double time_s, bool predicting);

    TrackerOptions m_options;
    int64_t m_next_id = 1;
    double m_time_s = -std::numeric_limits<double>::infinity();  // of the last update
    // Tracks live in m_tracks[0, m_track_count); the slots after them are kept for their buffers.
    std::vector<Track> m_tracks;
    size_t m_track_count = 0;
    std::vector<TrackedObject> m_objects;
    size_t m_object_count = 0;
    std::vector<int64_t> m_ended;
    // Per-update scratch.
    std::vector<int> m_high;
    std::vector<int> m_low;
    std::vector<int> m_candidates;
    std::vector<int> m_unconfirmed;
    std::vector<double> m_costs;
    std::vector<int> m_matched_tracks;
    std::vector<int> m_matched_detections;
    Assignment m_assignment;
};

}  // namespace es::pipeline
