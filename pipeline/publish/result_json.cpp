#include "pipeline/publish/result_json.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdlib>

namespace es::pipeline {

namespace {

// The shortest decimal that reads back as `value`: 0.93f prints as 0.93, not as the
// 0.9300000071525574 its double conversion would give.
double shortest(float value) {
    return std::strtod(fmt::format("{}", value).c_str(), nullptr);
}

nlohmann::ordered_json object_json(const ObjectResult& object) {
    nlohmann::ordered_json json = {
        {"x", object.x}, {"y", object.y}, {"w", object.w}, {"h", object.h}};
    if (object.id) json["id"] = *object.id;
    if (object.predicted) json["predicted"] = true;
    json["detection"] = {{"bounding_box",
                          {{"x_min", shortest(object.bounding_box.x_min)},
                           {"y_min", shortest(object.bounding_box.y_min)},
                           {"x_max", shortest(object.bounding_box.x_max)},
                           {"y_max", shortest(object.bounding_box.y_max)}}},
                         {"confidence", shortest(object.confidence)},
                         {"label", object.label},
                         {"label_id", object.label_id}};
    if (object.tensors.empty()) return json;
    nlohmann::ordered_json& tensors = json["tensors"] = nlohmann::ordered_json::array();
    for (const ObjectAttribute& attribute : object.tensors) {
        nlohmann::ordered_json& entry = tensors.emplace_back();
        entry["name"] = attribute.name;
        if (attribute.value) {
            entry["value"] = shortest(*attribute.value);
        } else {
            entry["label"] = attribute.label;
            entry["label_id"] = attribute.label_id;
            entry["confidence"] = shortest(attribute.confidence);
        }
        entry["model"] = attribute.model;
    }
    return json;
}

// Keys keep their order; invalid UTF-8 in a label is replaced rather than thrown on.
std::string dump(const nlohmann::ordered_json& message) {
    return message.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace

std::string result_json(const FrameResult& result, uint64_t seq) {
    nlohmann::ordered_json objects = nlohmann::ordered_json::array();
    for (const ObjectResult& object : result.objects)
        objects.push_back(object_json(object));
    const nlohmann::ordered_json message = {
        {"timestamp", result.timestamp_ns},
        {"pipeline", result.pipeline},
        {"source", result.source},
        {"frame", result.frame},
        {"seq", seq},
        {"resolution", {{"width", result.width}, {"height", result.height}}},
        {"objects", std::move(objects)}};
    return dump(message);
}

std::string event_json(const EventResult& event, uint64_t seq) {
    nlohmann::ordered_json message = {{"timestamp", event.timestamp_ns},
                                      {"pipeline", event.pipeline},
                                      {"source", event.source},
                                      {"frame", event.frame},
                                      {"seq", seq},
                                      {"event", event.type}};
    if (event.type == "enter" || event.type == "leave") message["zone"] = event.zone;
    message["object"] = object_json(event.object);
    return dump(message);
}

uint64_t SequenceNumbers::next(const std::string& source) {
    std::lock_guard lock(m_mutex);
    return m_next[source]++;
}

}  // namespace es::pipeline
