#include "apps/edgesight/bench_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace es::app {
namespace {

struct LatencySummary {
    double min = 0, median = 0, p90 = 0, p99 = 0, max = 0;
};

// Nearest-rank percentiles of the sorted latencies.
LatencySummary summarize(std::vector<double> latencies) {
    if (latencies.empty()) return {};
    std::sort(latencies.begin(), latencies.end());
    auto percentile = [&](double p) {
        const auto rank = static_cast<size_t>(std::ceil(p / 100.0 * latencies.size()));
        return latencies[std::clamp<size_t>(rank, 1, latencies.size()) - 1];
    };
    return {latencies.front(), percentile(50), percentile(90), percentile(99), latencies.back()};
}

double inferences_per_second(const BenchResult& result) {
    return result.duration_ms > 0 ? result.latencies_ms.size() * 1000.0 / result.duration_ms : 0;
}

double achieved_gflops(const BenchResult& result) {
    return 2.0 * static_cast<double>(result.macs) * inferences_per_second(result) / 1e9;
}

struct LayerRow {
    const runtime::LayerProfile* layer;
    double average_ms;
    double percent;
};

// Layers by time, slowest first; average per inference and share of the summed layer time.
std::vector<LayerRow> layer_rows(const BenchResult& result) {
    double total = 0;
    for (const auto& layer : result.layers)
        total += layer.milliseconds;
    std::vector<LayerRow> rows;
    for (const auto& layer : result.layers)
        rows.push_back({&layer, layer.runs ? layer.milliseconds / layer.runs : 0.0,
                        total > 0 ? 100.0 * layer.milliseconds / total : 0.0});
    std::stable_sort(rows.begin(), rows.end(), [](const LayerRow& a, const LayerRow& b) {
        return a.layer->milliseconds > b.layer->milliseconds;
    });
    return rows;
}

}  // namespace

nlohmann::json bench_json(const BenchResult& result, bool per_layer) {
    const LatencySummary latency = summarize(result.latencies_ms);
    nlohmann::json report = {
        {"device", result.device},
        {"hint", result.hint},
        {"nstreams", result.nstreams},
        {"threads_per_stream", result.threads_per_stream},
        {"nthreads", result.nthreads},
        {"nireq", result.nireq},
        {"batch", result.batch},
        {"count", result.latencies_ms.size()},
        {"duration_ms", result.duration_ms},
        {"inferences_per_second", inferences_per_second(result)},
        {"throughput_fps", inferences_per_second(result) * static_cast<double>(result.batch)},
        {"latency_ms",
         {{"min", latency.min},
          {"median", latency.median},
          {"p90", latency.p90},
          {"p99", latency.p99},
          {"max", latency.max}}},
        {"compile_ms", result.compile_ms},
        {"peak_memory_bytes", result.compiled_model_bytes},
        {"max_rss_bytes", result.max_rss_bytes},
        {"macs", result.macs},
        {"layers_with_unknown_macs", result.layers_with_unknown_macs},
        {"gflops", achieved_gflops(result)},
        {"matmul_peak_gflops", nullptr},
    };
    if (result.matmul_peak_gflops) report["matmul_peak_gflops"] = *result.matmul_peak_gflops;
    if (per_layer) {
        report["layers"] = nlohmann::json::array();
        for (const auto& row : layer_rows(result))
            report["layers"].push_back({{"name", row.layer->name},
                                        {"type", row.layer->type},
                                        {"implementation", row.layer->implementation},
                                        {"avg_ms", row.average_ms},
                                        {"percent", row.percent}});
    }
    return report;
}

std::string bench_text(const BenchResult& result, bool per_layer) {
    const LatencySummary latency = summarize(result.latencies_ms);
    std::string text;
    auto line = [&](fmt::string_view label, const std::string& value) {
        text += fmt::format("{:<14}{}\n", label, value);
    };
    line("device:", result.device);
    line("streams:",
         fmt::format("{} of {} thread(s) each, {} thread(s) in all (hint {})", result.nstreams,
                     result.threads_per_stream, result.nthreads, result.hint));
    line("requests:", fmt::format("{} in flight, batch {}", result.nireq, result.batch));
    line("compile:", fmt::format("{:.2f} ms", result.compile_ms));
    line("count:",
         fmt::format("{} inferences in {:.2f} ms", result.latencies_ms.size(), result.duration_ms));
    line("throughput:", fmt::format("{:.2f} FPS (frames/s = {:.2f} inferences/s × batch {})",
                                    inferences_per_second(result) * result.batch,
                                    inferences_per_second(result), result.batch));
    line("latency:",
         fmt::format("min {:.2f}  median {:.2f}  p90 {:.2f}  p99 {:.2f}  max {:.2f} ms",
                     latency.min, latency.median, latency.p90, latency.p99, latency.max));
    line("memory:", fmt::format("compiled model {:.2f} MB, process max RSS {:.2f} MB",
                                result.compiled_model_bytes / 1e6, result.max_rss_bytes / 1e6));
    std::string compute = fmt::format(
        "{:.3f} GFLOP/s ({:.3f} GMAC per inference{})", achieved_gflops(result), result.macs / 1e9,
        result.layers_with_unknown_macs
            ? fmt::format(", {} layers with unknown MACs", result.layers_with_unknown_macs)
            : "");
    if (result.matmul_peak_gflops)
        compute += fmt::format("; {:.0f}% of oneDNN's f32 matmul peak, {:.1f} GFLOP/s",
                               100 * achieved_gflops(result) / *result.matmul_peak_gflops,
                               *result.matmul_peak_gflops);
    line("compute:", compute);
    if (!per_layer) return text;
    text += fmt::format("\n{:<40} {:<20} {:<16} {:>10} {:>7}\n", "layer", "type", "implementation",
                        "avg ms", "%");
    for (const auto& row : layer_rows(result))
        text +=
            fmt::format("{:<40} {:<20} {:<16} {:>10.4f} {:>7.2f}\n", row.layer->name,
                        row.layer->type, row.layer->implementation, row.average_ms, row.percent);
    return text;
}

}  // namespace es::app
