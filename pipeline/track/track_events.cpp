#include "pipeline/track/track_events.h"

#include "inference/core/error.h"
#include "pipeline/config/config.h"

#include <algorithm>

namespace es::pipeline {
namespace {

static_assert(EventsConfig::k_max_zones <= 64, "a track's zones are the bits of a uint64_t");

Point bottom_centre(const Box& box) {
    return {0.5f * (box.x_min + box.x_max), box.y_max};
}

}  // namespace

bool point_in_polygon(Point point, std::span<const Point> polygon) {
    bool inside = false;
    for (size_t i = 0, j = polygon.size() - 1; i < polygon.size(); j = i++) {
        const Point& a = polygon[i];
        const Point& b = polygon[j];
        // Edges that straddle the horizontal through the point (half-open, so a vertex on it counts
        // once), crossed right of the point.
        if ((a.y > point.y) != (b.y > point.y) &&
            point.x < a.x + (point.y - a.y) * (b.x - a.x) / (b.y - a.y))
            inside = !inside;
    }
    return inside;
}

std::string_view to_string(TrackEventType type) {
    switch (type) {
        case TrackEventType::started:
            return "new";
        case TrackEventType::ended:
            return "end";
        case TrackEventType::entered:
            return "enter";
        case TrackEventType::left:
            return "leave";
        case TrackEventType::updated:
            return "update";
    }
    return "?";
}

TrackEvents::TrackEvents(std::vector<Zone> zones) : m_zones(std::move(zones)) {
    if (m_zones.size() > EventsConfig::k_max_zones)
        throw_bad_input("track events: {} zones, at most {}", m_zones.size(),
                        EventsConfig::k_max_zones);
    for (const Zone& zone : m_zones)
        if (zone.polygon.size() < 3)
            throw_bad_input("track events: zone '{}' has {} vertices, expected at least 3",
                            zone.name, zone.polygon.size());
}

std::span<const TrackEvent> TrackEvents::update(std::span<const TrackedObject> objects,
                                                std::span<const int64_t> ended, double time_s) {
    m_event_count = 0;
    const auto by_id = [](const Known& known, int64_t id) { return known.id < id; };
    for (const TrackedObject& object : objects) {
        auto known = std::lower_bound(m_known.begin(), m_known.end(), object.id, by_id);
        const bool is_new = known == m_known.end() || known->id != object.id;
        if (is_new) {
            // Ids increase, so this is an append but for callers that do not use a Tracker's.
            known = m_known.insert(known, Known{});
            known->id = object.id;
        }
        known->label_id = object.label_id;
        known->label = object.label;
        known->box = object.box;
        known->confidence = object.confidence;
        if (is_new) add(TrackEventType::started, *known, time_s);
        const Point foot = bottom_centre(object.box);
        for (size_t z = 0; z < m_zones.size(); ++z) {
            const uint64_t bit = uint64_t{1} << z;
            const bool inside = point_in_polygon(foot, m_zones[z].polygon);
            if (inside == ((known->inside & bit) != 0)) continue;
            known->inside ^= bit;
            add(inside ? TrackEventType::entered : TrackEventType::left, *known, time_s).zone =
                m_zones[z].name;
        }
    }
    for (const int64_t id : ended) {
        const auto known = std::lower_bound(m_known.begin(), m_known.end(), id, by_id);
        if (known == m_known.end() || known->id != id) continue;
        for (size_t z = 0; z < m_zones.size(); ++z)
            if (known->inside & (uint64_t{1} << z))
                add(TrackEventType::left, *known, time_s).zone = m_zones[z].name;
        add(TrackEventType::ended, *known, time_s);
        m_known.erase(known);
    }
    return {m_events.data(), m_event_count};
}

TrackEvent& TrackEvents::add(TrackEventType type, const Known& track, double time_s) {
    if (m_event_count == m_events.size()) m_events.emplace_back();
    TrackEvent& event = m_events[m_event_count++];
    event.type = type;
    event.track_id = track.id;
    event.label_id = track.label_id;
    event.label = track.label;
    event.zone.clear();
    event.box = track.box;
    event.confidence = track.confidence;
    event.time_s = time_s;
    return event;
}

}  // namespace es::pipeline
