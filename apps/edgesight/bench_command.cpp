#include "apps/edgesight/bench_report.h"
#include "apps/edgesight/commands.h"
#include "apps/edgesight/model_loading.h"
#include "apps/edgesight/request_timing.h"
#include "devices/registry.h"
#include "inference/core/error.h"
#include "inference/graph/statistics.h"
#include "inference/runtime/core.h"

#include <fmt/format.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <iostream>
#include <map>
#include <random>

namespace es::app {
namespace {

using Clock = std::chrono::steady_clock;

struct BenchOptions {
    std::string model;
    std::string device = "AUTO";
    std::string hint = "throughput";
    int nireq = 0;
    int nstreams = 0;
    int nthreads = 0;
    int batch = 0;
    double seconds = 10;
    bool json = false;
    bool per_layer = false;
    ImportOptions import;
};

// The peak rate of the device named `name` with `threads` threads: what the achieved GFLOP/s
// compare with.
std::optional<double> peak_gflops(const runtime::Core& core, const std::string& name, int threads) {
    for (const runtime::Device* device : core.devices())
        if (device->name() == name) return device->peak_gflops(threads);
    return std::nullopt;
}

size_t max_rss_bytes() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<size_t>(usage.ru_maxrss) * 1024;
}

void validate(const BenchOptions& options) {
    if (!(options.seconds > 0) || !std::isfinite(options.seconds))
        throw_bad_input("--time {}: expected a positive number of seconds", options.seconds);
    if (options.nireq < 0)
        throw_bad_input("--nireq {}: expected a positive number of requests (0: the optimal one)",
                        options.nireq);
}

int run_bench(const BenchOptions& options) {
    validate(options);
    auto model = std::make_shared<graph::Model>(load_model(options.model, options.import));

    const runtime::Core core(devices::make_registry());
    runtime::RuntimeConfig config{.hint = options.hint == "latency"
                                              ? runtime::PerformanceHint::latency
                                              : runtime::PerformanceHint::throughput,
                                  .nstreams = options.nstreams,
                                  .nthreads = options.nthreads,
                                  .batch = options.batch,
                                  .profile = options.per_layer};
    const runtime::CompiledModel compiled = core.compile(model, options.device, config);
    for (const auto& input : compiled.inputs())
        if (!input.type.shape.is_static())
            throw_bad_input("input '{}' has a dynamic shape {}: give it one with --shape",
                            input.name, to_string(input.type.shape));

    BenchResult result;
    result.device = compiled.device_name();
    result.hint = options.hint;
    result.nstreams = compiled.nstreams();
    result.threads_per_stream = compiled.threads_per_stream();
    result.nthreads = compiled.nthreads();
    result.nireq = options.nireq > 0 ? options.nireq : compiled.optimal_nireq();
    const PartialShape& first =
        compiled.inputs().empty() ? PartialShape{} : compiled.inputs()[0].type.shape;
    result.batch = first.rank_known() && first.rank() >= 2 ? first[0] : 1;
    result.compile_ms = compiled.compile_milliseconds();
    const auto statistics = graph::model_statistics(compiled.model());
    result.macs = statistics.macs;
    result.layers_with_unknown_macs = statistics.layers_with_unknown_macs;
    result.matmul_peak_gflops = peak_gflops(core, result.device, result.nthreads);

    RequestTiming timing =
        time_requests(compiled, result.nireq, options.seconds, options.per_layer);
    result.duration_ms = timing.duration_ms;
    result.latencies_ms = std::move(timing.latencies_ms);
    result.layers = std::move(timing.layers);
    result.compiled_model_bytes = compiled.peak_memory_bytes();
    result.max_rss_bytes = max_rss_bytes();

    if (options.json)
        std::cout << bench_json(result, options.per_layer).dump(2) << '\n';
    else
        std::cout << bench_text(result, options.per_layer);
    return 0;
}

}  // namespace

CommandRunner add_bench_command(CLI::App& app) {
    auto options = std::make_shared<BenchOptions>();
    CLI::App* command = app.add_subcommand(
        "bench", "Measure throughput and latency with requests kept in flight (benchmark_app)");
    command
        ->add_option("MODEL", options->model,
                     "IR .xml, .onnx, TensorFlow .pb, SavedModel directory or TF.js model.json")
        ->required();
    command->add_option("--device", options->device, "AUTO or a device from `edgesight devices`");
    command->add_option("--hint", options->hint, "throughput (default) or latency")
        ->check(CLI::IsMember({"throughput", "latency"}));
    command->add_option("--nireq", options->nireq,
                        "Requests kept in flight (default: the compiled model's optimal number)");
    command->add_option("--nstreams", options->nstreams,
                        "Streams: requests run at once (default: from the hint)");
    command->add_option("--nthreads", options->nthreads,
                        "Compute threads in total (default: every core)");
    command->add_option("--batch", options->batch, "Set every input's first dimension to N");
    command->add_option("--time", options->seconds, "Seconds to measure (default 10)");
    command->add_flag("--json", options->json, "Print one JSON object");
    command->add_flag("--per-layer", options->per_layer, "Report time per layer");
    add_model_options(*command, options->import);
    return [options] { return run_bench(*options); };
}

}  // namespace es::app
