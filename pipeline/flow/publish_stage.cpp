#include "pipeline/flow/publish_stage.h"

#include <spdlog/spdlog.h>

namespace es::pipeline {

void set_objects(std::span<const Detection> detections, FrameResult& result) {
    result.objects.resize(detections.size());
    for (size_t i = 0; i < detections.size(); ++i) {
        const Detection& detection = detections[i];
        ObjectResult& object = result.objects[i];
        set_box(object, box_of(detection), result.width, result.height);
        object.id.reset();
        object.predicted = false;
        object.confidence = detection.confidence;
        object.label = detection.label;
        object.label_id = detection.label_id;
    }
}

PublishStage::PublishStage(std::string pipeline, std::string source, bool publish_empty,
                           std::span<const std::unique_ptr<Publisher>> outputs,
                           ResultCounters& counters)
    : m_pipeline(std::move(pipeline)),
      m_source(std::move(source)),
      m_publish_empty(publish_empty),
      m_outputs(outputs),
      m_counters(counters) {
    m_event.pipeline = m_pipeline;
    m_event.source = m_source;
}

template <typename Send>
void PublishStage::to_outputs(const Send& send) {
    for (const auto& output : m_outputs) {
        try {
            send(*output);
        } catch (const std::exception& error) {
            if (m_counters.errors++ == 0)
                spdlog::error("pipeline {}: source {}: {}", m_pipeline, m_source, error.what());
        }
    }
}

void PublishStage::results(const FrameResult& result) {
    if (!m_publish_empty && result.objects.empty()) return;
    to_outputs([&](Publisher& output) { output.publish(result); });
    ++m_counters.published;
    m_counters.detections += result.objects.size();
}

void PublishStage::events(const FrameResult& at, std::span<const TrackEvent> events) {
    m_event.timestamp_ns = at.timestamp_ns;
    m_event.frame = at.frame;
    m_width = at.width;
    m_height = at.height;
    final_events(events);
}

void PublishStage::final_events(std::span<const TrackEvent> events) {
    for (const TrackEvent& event : events) {
        m_event.type = to_string(event.type);
        m_event.zone = event.zone;
        ObjectResult& object = m_event.object;
        set_box(object, event.box, m_width, m_height);
        object.id = event.track_id;
        object.confidence = event.confidence;
        object.label = event.label;
        object.label_id = event.label_id;
        object.tensors = event.tensors;
        to_outputs([&](Publisher& output) { output.publish_event(m_event); });
        ++m_counters.events;
    }
}

}  // namespace es::pipeline
