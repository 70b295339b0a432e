#pragma once

#include "pipeline/postprocess/detection.h"
#include "pipeline/publish/frame_result.h"
#include "pipeline/track/tracker.h"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace es::pipeline {

// A point normalized to 0..1 in the source image.
struct Point {
    float x = 0.0f;
    float y = 0.0f;
};

// A named polygon, in normalized coordinates; at least 3 vertices, concave ones too.
struct Zone {
    std::string name;
    std::vector<Point> polygon;
};

// Whether `point` is inside `polygon` by its crossing number (even-odd rule).
bool point_in_polygon(Point point, std::span<const Point> polygon);

enum class TrackEventType {
    started,  // "new": a track is reported for the first time
    ended,    // "end": a track ended
    entered,  // "enter": a track's bottom-centre moved into a zone
    left,     // "leave": a track's bottom-centre moved out of a zone, or it ended inside
    updated,  // "update": a classifier gave a track its first label or another one
};

// "new", "end", "enter", "leave", "update".
std::string_view to_string(TrackEventType type);

struct TrackEvent {
    TrackEventType type = TrackEventType::started;
    int64_t track_id = 0;
    int label_id = 0;
    std::string label;
    std::string zone;         // entered and left only
    Box box;                  // the track's box; its last reported one for ended
    float confidence = 0.0f;  // of the detection the track last matched
    double time_s = 0.0;
    std::vector<ObjectAttribute> tensors;  // updated only: the track's classification now
};

// Turns a tracker's successive outputs into events. Within one call: new before enter, leave
// before end. A track is inside a zone when the bottom-centre of its box is (where it stands).
class TrackEvents {
  public:
    // Throws es::Error (BadInput) for a zone with fewer than 3 vertices or more than 64 zones.
    explicit TrackEvents(std::vector<Zone> zones = {});

    // The events of one tracker call: its objects and the ids it ended (Tracker::ended()).
    // Ended ids never reported are ignored. Valid until the next call.
    std::span<const TrackEvent> update(std::span<const TrackedObject> objects,
                                       std::span<const int64_t> ended, double time_s);

    const std::vector<Zone>& zones() const { return m_zones; }

  private:
    struct Known {
        int64_t id = 0;
        int label_id = 0;
        std::string label;
        Box box;
        float confidence = 0.0f;
        uint64_t inside = 0;  // bit z: inside m_zones[z]
    };

    TrackEvent& add(TrackEventType type, const Known& track, double time_s);

    std::vector<Zone> m_zones;
    std::vector<Known> m_known;  // ordered by id
    std::vector<TrackEvent> m_events;
    size_t m_event_count = 0;
};

}  // namespace es::pipeline
