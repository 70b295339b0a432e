#include "pipeline/metrics/prometheus.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <initializer_list>
#include <utility>

namespace es::pipeline {
namespace {

using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

std::string format_value(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    return fmt::format("{}", value);
}

std::string format_value(uint64_t value) {
    return fmt::format("{}", value);
}

class Exposition {
  public:
    // Starts a metric family: its HELP and TYPE lines. Its samples must follow.
    void family(std::string_view name, std::string_view type, std::string_view help) {
        m_text += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
    }

    template <typename Value>
    void sample(std::string_view name, Labels labels, Value value,
                std::pair<std::string_view, std::string_view> extra = {}) {
        m_text += name;
        char separator = '{';
        for (const auto& [key, label] : labels) {
            m_text += fmt::format("{}{}=\"{}\"", separator, key, escape_label_value(label));
            separator = ',';
        }
        if (!extra.first.empty()) {
            m_text += fmt::format("{}{}=\"{}\"", separator, extra.first, extra.second);
            separator = ',';
        }
        if (separator == ',') m_text += '}';
        m_text += ' ';
        m_text += format_value(value);
        m_text += '\n';
    }

    void histogram(std::string_view name, Labels labels, const HistogramSnapshot& snapshot) {
        const std::string bucket = fmt::format("{}_bucket", name);
        for (size_t i = 0; i < k_latency_bounds.size(); ++i)
            sample(bucket, labels, snapshot.buckets[i], {"le", format_value(k_latency_bounds[i])});
        sample(bucket, labels, snapshot.count(), {"le", "+Inf"});
        sample(fmt::format("{}_sum", name), labels, snapshot.sum_seconds);
        sample(fmt::format("{}_count", name), labels, snapshot.count());
    }

    std::string take() { return std::move(m_text); }

  private:
    std::string m_text;
};

template <typename Get>
void source_family(Exposition& out, const std::vector<PipelineSummary>& pipelines,
                   std::string_view name, std::string_view type, std::string_view help, Get value) {
    out.family(name, type, help);
    for (const auto& pipeline : pipelines)
        for (const auto& source : pipeline.sources)
            out.sample(name, {{"pipeline", pipeline.pipeline}, {"source", source.source}},
                       value(source));
}

template <typename Get>
void output_family(Exposition& out, const std::vector<PipelineSummary>& pipelines,
                   std::string_view name, std::string_view type, std::string_view help, Get value) {
    out.family(name, type, help);
    for (const auto& pipeline : pipelines)
        for (const auto& output : pipeline.outputs)
            out.sample(name, {{"pipeline", pipeline.pipeline}, {"output", output.output}},
                       value(output));
}

void render_sources(Exposition& out, const std::vector<PipelineSummary>& pipelines) {
    source_family(out, pipelines, "edgesight_source_frames_decoded_total", "counter",
                  "Frames the source decoded.",
                  [](const SourceSummary& source) { return source.decoded; });
    source_family(out, pipelines, "edgesight_source_frames_dropped_total", "counter",
                  "Live frames replaced by newer ones while inference was busy.",
                  [](const SourceSummary& source) { return source.dropped; });
    source_family(out, pipelines, "edgesight_source_frames_inferred_total", "counter",
                  "Frames the model ran on.",
                  [](const SourceSummary& source) { return source.inferred; });
    source_family(out, pipelines, "edgesight_source_messages_published_total", "counter",
                  "Result messages handed to the outputs.",
                  [](const SourceSummary& source) { return source.published; });
    source_family(out, pipelines, "edgesight_source_detections_total", "counter",
                  "Objects in the published messages.",
                  [](const SourceSummary& source) { return source.detections; });
    source_family(out, pipelines, "edgesight_source_events_total", "counter",
                  "Track events handed to the outputs.",
                  [](const SourceSummary& source) { return source.events; });
    source_family(out, pipelines, "edgesight_source_errors_total", "counter",
                  "Frames lost to preprocessing, inference or output failures.",
                  [](const SourceSummary& source) { return source.errors; });
    source_family(out, pipelines, "edgesight_source_reconnects_total", "counter",
                  "New attempts to open the source after it failed.",
                  [](const SourceSummary& source) { return source.reconnects; });
    source_family(out, pipelines, "edgesight_source_fps", "gauge",
                  "Results per second over about the last second.",
                  [](const SourceSummary& source) { return source.fps; });
    source_family(
        out, pipelines, "edgesight_source_up", "gauge", "1 while the source delivers frames.",
        [](const SourceSummary& source) { return source.state == "playing" ? 1.0 : 0.0; });

    constexpr std::string_view latency = "edgesight_source_latency_seconds";
    out.family(latency, "histogram",
               "From a frame leaving the decoder to its result being handed to the outputs.");
    for (const auto& pipeline : pipelines)
        for (const auto& source : pipeline.sources)
            out.histogram(latency, {{"pipeline", pipeline.pipeline}, {"source", source.source}},
                          source.latency);
}

void render_models(Exposition& out, const std::vector<PipelineSummary>& pipelines) {
    constexpr std::string_view latency = "edgesight_inference_latency_seconds";
    out.family(latency, "histogram", "From starting an infer request to its completion.");
    for (const auto& pipeline : pipelines)
        out.histogram(latency, {{"pipeline", pipeline.pipeline}}, pipeline.inference_latency);
    constexpr std::string_view in_flight = "edgesight_inference_requests_in_flight";
    out.family(in_flight, "gauge", "Infer requests running.");
    for (const auto& pipeline : pipelines)
        out.sample(in_flight, {{"pipeline", pipeline.pipeline}},
                   static_cast<uint64_t>(pipeline.requests_in_flight));
}

void render_outputs(Exposition& out, const std::vector<PipelineSummary>& pipelines) {
    output_family(out, pipelines, "edgesight_output_messages_published_total", "counter",
                  "Messages the output accepted.",
                  [](const OutputStats& output) { return output.published; });
    output_family(out, pipelines, "edgesight_output_messages_delivered_total", "counter",
                  "Messages written (files) or acknowledged by the broker (MQTT).",
                  [](const OutputStats& output) { return output.delivered; });
    output_family(out, pipelines, "edgesight_output_messages_pending", "gauge",
                  "Messages accepted and not yet delivered.",
                  [](const OutputStats& output) { return output.pending; });
    output_family(out, pipelines, "edgesight_output_messages_dropped_total", "counter",
                  "Messages lost: refused by a full buffer, or failed writes.",
                  [](const OutputStats& output) { return output.dropped; });
    output_family(
        out, pipelines, "edgesight_output_connected", "gauge",
        "1 while the output is connected (MQTT: to its broker).",
        [](const OutputStats& output) { return output.connected ? uint64_t{1} : uint64_t{0}; });
}

}  // namespace

std::string escape_label_value(std::string_view value) {
    std::string escaped;
    escaped.reserve(value.size());
    for (char c : value) {
        if (c == '\\')
            escaped += "\\\\";
        else if (c == '"')
            escaped += "\\\"";
        else if (c == '\n')
            escaped += "\\n";
        else
            escaped += c;
    }
    return escaped;
}

std::string render_prometheus(const std::vector<PipelineSummary>& pipelines,
                              const std::vector<WaitingPipeline>& waiting,
                              std::optional<uint64_t> resident_memory_bytes) {
    Exposition out;
    render_sources(out, pipelines);
    render_models(out, pipelines);
    render_outputs(out, pipelines);
    constexpr std::string_view failures = "edgesight_pipeline_start_failures";
    out.family(failures, "gauge",
               "Failed attempts in a row to start a pipeline that waits for its next attempt.");
    for (const auto& pipeline : waiting)
        out.sample(failures, {{"pipeline", pipeline.pipeline}}, pipeline.failures);
    if (resident_memory_bytes) {
        constexpr std::string_view memory = "edgesight_process_resident_memory_bytes";
        out.family(memory, "gauge", "Resident memory of the edgesight process.");
        out.sample(memory, {}, *resident_memory_bytes);
    }
    return out.take();
}

std::optional<uint64_t> resident_memory_bytes() {
    std::ifstream statm("/proc/self/statm");
    uint64_t size_pages = 0;
    uint64_t resident_pages = 0;
    if (!(statm >> size_pages >> resident_pages)) return std::nullopt;
    const long page_size = sysconf(_SC_PAGESIZE);
    if (page_size <= 0) return std::nullopt;
    return resident_pages * static_cast<uint64_t>(page_size);
}

}  // namespace es::pipeline
