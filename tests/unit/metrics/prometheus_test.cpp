// The Prometheus exposition of pipeline summaries and the latency histograms behind it.
#include "pipeline/metrics/prometheus.h"
#include "pipeline/metrics/histogram.h"
#include "pipeline/metrics/stats_json.h"
#include "tests/unit/metrics/prometheus_parser.h"

#include <doctest/doctest.h>

#include <cmath>
#include <thread>

using namespace es::pipeline;
using namespace es::testing;
using std::chrono::milliseconds;

namespace {

std::string join(const std::vector<std::string>& lines) {
    std::string text;
    for (const auto& line : lines)
        text += line + "\n";
    return text;
}

PipelineSummary lobby() {
    PipelineSummary pipeline;
    pipeline.pipeline = "lobby";
    SourceSummary door;
    door.source = "door";
    door.decoded = 120;
    door.dropped = 3;
    door.inferred = 117;
    door.published = 110;
    door.events = 14;
    door.errors = 1;
    door.reconnects = 2;
    door.fps = 29.5;
    door.state = "playing";
    LatencyHistogram latency;
    for (int ms : {1, 5, 7, 30, 30, 400, 12000})
        latency.record(milliseconds(ms));
    door.latency = latency.snapshot();
    SourceSummary yard = door;
    yard.source = "yard";
    yard.state = "retrying";
    yard.latency = {};
    pipeline.sources = {door, yard};
    pipeline.outputs.push_back(
        {.output = "file /tmp/a \"b\"\\c.jsonl", .published = 110, .delivered = 110});
    pipeline.outputs.push_back({.output = "mqtt tcp://localhost:1883",
                                .published = 110,
                                .delivered = 100,
                                .pending = 9,
                                .dropped = 1,
                                .connected = false});
    LatencyHistogram inference;
    inference.record(milliseconds(12));
    pipeline.inference_latency = inference.snapshot();
    pipeline.requests_in_flight = 2;
    return pipeline;
}

}  // namespace

TEST_CASE("histogram: values go into the first bucket whose bound they do not exceed") {
    LatencyHistogram histogram;
    histogram.record(milliseconds(5));           // on the first bound
    histogram.record(milliseconds(6));           // second bucket
    histogram.record(milliseconds(-3));          // a clock step: counted as 0
    histogram.record(std::chrono::seconds(11));  // only in +Inf
    const HistogramSnapshot snapshot = histogram.snapshot();
    CHECK(snapshot.buckets[0] == 2);
    CHECK(snapshot.buckets[1] == 3);
    CHECK(snapshot.buckets[k_latency_bounds.size() - 1] == 3);
    CHECK(snapshot.count() == 4);
    CHECK(snapshot.sum_seconds == doctest::Approx(11.011));
}

TEST_CASE("histogram: threads record without losing counts") {
    LatencyHistogram histogram;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&histogram, t] {
            for (int i = 0; i < 10000; ++i)
                histogram.record(milliseconds((i + t) % 20));
        });
    for (auto& thread : threads)
        thread.join();
    CHECK(histogram.snapshot().count() == 40000);
}

TEST_CASE("prometheus: every line parses, families are typed, histograms are cumulative") {
    const std::vector<WaitingPipeline> waiting = {{"garage", 3}};
    const std::string text = render_prometheus({lobby()}, waiting, 123456789);
    const PrometheusText parsed = parse_prometheus(text);
    CAPTURE(text);
    CHECK(join(parsed.problems) == "");
    CHECK(join(histogram_problems(parsed)) == "");

    const std::map<std::string, std::string> door = {{"pipeline", "lobby"}, {"source", "door"}};
    CHECK(parsed.types.at("edgesight_source_frames_decoded_total") == "counter");
    CHECK(sample_value(parsed, "edgesight_source_frames_decoded_total", door) == 120);
    CHECK(sample_value(parsed, "edgesight_source_frames_dropped_total", door) == 3);
    CHECK(sample_value(parsed, "edgesight_source_frames_inferred_total", door) == 117);
    CHECK(sample_value(parsed, "edgesight_source_messages_published_total", door) == 110);
    CHECK(sample_value(parsed, "edgesight_source_events_total", door) == 14);
    CHECK(sample_value(parsed, "edgesight_source_errors_total", door) == 1);
    CHECK(sample_value(parsed, "edgesight_source_reconnects_total", door) == 2);
    CHECK(parsed.types.at("edgesight_source_fps") == "gauge");
    CHECK(sample_value(parsed, "edgesight_source_fps", door) == 29.5);
    CHECK(sample_value(parsed, "edgesight_source_up", door) == 1);
    CHECK(sample_value(parsed, "edgesight_source_up",
                       {{"pipeline", "lobby"}, {"source", "yard"}}) == 0);

    CHECK(parsed.types.at("edgesight_source_latency_seconds") == "histogram");
    auto bucket = [&](const std::string& le) {
        auto labels = door;
        labels["le"] = le;
        return sample_value(parsed, "edgesight_source_latency_seconds_bucket", labels);
    };
    CHECK(bucket("0.005") == 2);
    CHECK(bucket("0.05") == 5);
    CHECK(bucket("0.5") == 6);
    CHECK(bucket("10") == 6);
    CHECK(bucket("+Inf") == 7);
    CHECK(sample_value(parsed, "edgesight_source_latency_seconds_count", door) == 7);
    CHECK(sample_value(parsed, "edgesight_source_latency_seconds_sum", door) ==
          doctest::Approx(12.473));

    const std::map<std::string, std::string> model = {{"pipeline", "lobby"}};
    CHECK(sample_value(parsed, "edgesight_inference_latency_seconds_count", model) == 1);
    CHECK(sample_value(parsed, "edgesight_inference_requests_in_flight", model) == 2);

    const std::map<std::string, std::string> mqtt = {{"pipeline", "lobby"},
                                                     {"output", "mqtt tcp://localhost:1883"}};
    CHECK(sample_value(parsed, "edgesight_output_messages_published_total", mqtt) == 110);
    CHECK(sample_value(parsed, "edgesight_output_messages_delivered_total", mqtt) == 100);
    CHECK(sample_value(parsed, "edgesight_output_messages_pending", mqtt) == 9);
    CHECK(sample_value(parsed, "edgesight_output_messages_dropped_total", mqtt) == 1);
    CHECK(sample_value(parsed, "edgesight_output_connected", mqtt) == 0);
    // The label value came back through its escapes.
    CHECK(sample_value(parsed, "edgesight_output_connected",
                       {{"pipeline", "lobby"}, {"output", "file /tmp/a \"b\"\\c.jsonl"}}) == 1);
    CHECK(text.find(R"(output="file /tmp/a \"b\"\\c.jsonl")") != std::string::npos);

    CHECK(parsed.types.at("edgesight_pipeline_start_failures") == "gauge");
    CHECK(sample_value(parsed, "edgesight_pipeline_start_failures", {{"pipeline", "garage"}}) == 3);
    CHECK(sample_value(parsed, "edgesight_process_resident_memory_bytes", {}) == 123456789);
    for (const auto& sample : parsed.samples)
        CHECK(sample.name.rfind("edgesight_", 0) == 0);
}

TEST_CASE("prometheus: no pipelines, and label escaping") {
    const PrometheusText parsed = parse_prometheus(render_prometheus({}, {}, std::nullopt));
    CHECK(join(parsed.problems) == "");
    CHECK(parsed.samples.empty());
    CHECK(escape_label_value("a\\b\"c\nd") == "a\\\\b\\\"c\\nd");
}

TEST_CASE("prometheus: the process's resident memory is read") {
    const auto bytes = resident_memory_bytes();
    REQUIRE(bytes);
    CHECK(*bytes > 1024 * 1024);
}

TEST_CASE("stats json: the summary's numbers and mean latencies") {
    const auto stats = stats_json(lobby(), 1700000000000000000, 4096);
    CHECK(stats.at("pipeline") == "lobby");
    CHECK(stats.at("timestamp") == 1700000000000000000);
    CHECK(stats.at("resident_memory_bytes") == 4096);
    const auto& door = stats.at("sources").at(0);
    CHECK(door.at("source") == "door");
    CHECK(door.at("decoded") == 120);
    CHECK(door.at("reconnects") == 2);
    CHECK(door.at("state") == "playing");
    CHECK(door.at("latency").at("count") == 7);
    CHECK(door.at("latency").at("mean_ms").get<double>() == doctest::Approx(12473.0 / 7));
    CHECK(stats.at("inference").at("requests_in_flight") == 2);
    CHECK(stats.at("outputs").at(1).at("pending") == 9);
    CHECK(stats.at("outputs").at(1).at("connected") == false);
}
