#include "pipeline/config/config_checks.h"

#include <fmt/format.h>

#include <set>

namespace es::pipeline {
namespace {

// [[x, y], ...]: at least three points within the frame.
std::optional<std::vector<std::array<float, 2>>> checked_polygon(const ObjectReader& reader) {
    const nlohmann::json* points = reader.array("polygon", true);
    if (!points) return std::nullopt;
    if (points->size() < 3) {
        reader.problem("polygon",
                       fmt::format("expected at least 3 points, found {}", points->size()));
        return std::nullopt;
    }
    std::vector<std::array<float, 2>> polygon;
    for (size_t i = 0; i < points->size(); ++i) {
        const nlohmann::json& point = (*points)[i];
        const bool valid = point.is_array() && point.size() == 2 && point[0].is_number() &&
                           point[1].is_number() && point[0].get<double>() >= 0 &&
                           point[0].get<double>() <= 1 && point[1].get<double>() >= 0 &&
                           point[1].get<double>() <= 1;
        if (!valid) {
            reader.problem(fmt::format("polygon[{}]", i),
                           fmt::format("expected [x, y] with both in 0..1 (fractions of the "
                                       "frame's width and height), found {}",
                                       describe(point)));
            return std::nullopt;
        }
        polygon.push_back({point[0].get<float>(), point[1].get<float>()});
    }
    return polygon;
}

}  // namespace

TrackConfig check_track(const nlohmann::json& json, const std::string& path,
                        std::vector<ConfigProblem>& problems) {
    TrackConfig track;
    const ObjectReader reader(
        json, path, {"method", "max_age_s", "low_threshold", "match_iou", "min_hits"}, problems);
    if (!reader.is_object()) return track;
    if (const auto method = reader.string("method"); method && *method != "bytetrack")
        reader.problem("method", fmt::format("'{}': expected \"bytetrack\"", *method));
    if (const auto age = reader.number("max_age_s", 0.0, 3600.0)) track.max_age_s = *age;
    if (const auto low = reader.number("low_threshold", 0.0, 1.0))
        track.low_threshold = static_cast<float>(*low);
    if (const auto iou = reader.number("match_iou", 0.01, 1.0))
        track.match_iou = static_cast<float>(*iou);
    if (const auto hits = reader.integer("min_hits", 1, 100))
        track.min_hits = static_cast<int>(*hits);
    return track;
}

EventsConfig check_events(const nlohmann::json& json, const std::string& path,
                          std::vector<ConfigProblem>& problems) {
    EventsConfig events;
    const ObjectReader reader(json, path, {"zones"}, problems);
    if (!reader.is_object()) return events;
    const nlohmann::json* zones = reader.array("zones");
    if (!zones) return events;
    if (zones->size() > EventsConfig::k_max_zones)
        reader.problem(
            "zones", fmt::format("{} zones: at most {}", zones->size(), EventsConfig::k_max_zones));
    std::set<std::string> names;
    for (size_t i = 0; i < zones->size() && i < EventsConfig::k_max_zones; ++i) {
        const ObjectReader zone_reader((*zones)[i], element_path(reader.path("zones"), i),
                                       {"name", "polygon"}, problems);
        if (!zone_reader.is_object()) continue;
        ZoneConfig zone;
        zone.name = checked_name(zone_reader, "name", "zone name");
        if (!zone.name.empty() && !names.insert(zone.name).second)
            zone_reader.problem("name", fmt::format("duplicate zone name '{}'", zone.name));
        if (auto polygon = checked_polygon(zone_reader)) zone.polygon = std::move(*polygon);
        events.zones.push_back(std::move(zone));
    }
    return events;
}

}  // namespace es::pipeline
