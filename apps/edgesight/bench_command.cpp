#include "apps/edgesight/bench_report.h"
#include "apps/edgesight/commands.h"
#include "apps/edgesight/model_loading.h"
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

// Fills `tensor` in place from `random`: floats in [0, 1), integers in [0, 10), booleans 0/1.
void fill_random(Tensor& tensor, std::mt19937& random) {
    Tensor values(ElementType::f64, tensor.shape());
    const bool integral = is_integer(tensor.type()) || tensor.type() == ElementType::boolean;
    const double high = tensor.type() == ElementType::boolean ? 2 : 10;
    std::uniform_real_distribution<double> uniform(0.0, integral ? high : 1.0);
    for (size_t i = 0; i < values.size(); ++i)
        values.data<double>()[i] = integral ? std::floor(uniform(random)) : uniform(random);
    const Tensor converted = convert(values, tensor.type());
    std::memcpy(tensor.bytes(), converted.bytes(), converted.byte_size());
}

size_t max_rss_bytes() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<size_t>(usage.ru_maxrss) * 1024;
}

// Per-layer counters of every request, summed; minus `before` (the warm-up).
std::vector<runtime::LayerProfile> summed_profile(
    const std::vector<runtime::InferRequest>& requests,
    const std::vector<runtime::LayerProfile>& before = {}) {
    std::vector<runtime::LayerProfile> total;
    // A node may take several steps (a deconvolution and its pixel shuffle): one row per type.
    std::map<std::pair<std::string, std::string>, size_t> index;
    auto add = [&](const runtime::LayerProfile& layer, double sign) {
        auto [it, inserted] = index.try_emplace({layer.name, layer.type}, total.size());
        if (inserted) total.push_back({layer.name, layer.type, layer.implementation, 0, 0});
        total[it->second].milliseconds += sign * layer.milliseconds;
        total[it->second].runs += static_cast<int>(sign) * layer.runs;
    };
    for (const auto& request : requests)
        for (const auto& layer : request.layer_profile())
            add(layer, 1);
    for (const auto& layer : before)
        add(layer, -1);
    return total;
}

// Waits for every request before rethrowing the first failure: the callbacks use this frame.
void wait_all(std::vector<runtime::InferRequest>& requests) {
    std::exception_ptr failure;
    for (auto& request : requests) {
        try {
            request.wait();
        } catch (...) {
            if (!failure) failure = std::current_exception();
        }
    }
    if (failure) std::rethrow_exception(failure);
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

    std::mt19937 random(20240601);
    std::vector<runtime::InferRequest> requests;
    requests.reserve(static_cast<size_t>(result.nireq));
    for (int i = 0; i < result.nireq; ++i) {
        requests.push_back(compiled.create_infer_request());
        for (size_t input = 0; input < compiled.inputs().size(); ++input)
            fill_random(requests.back().input(input), random);
    }
    for (auto& request : requests)
        request.start_async();
    wait_all(requests);
    const auto warm_up_profile = summed_profile(requests);

    // Each completion restarts its request until the deadline. A request's start time and
    // latencies are touched only by its own callback (one at a time) and, after wait(), here.
    struct Slot {
        Clock::time_point start;
        std::vector<double> latencies_ms;
    };
    std::vector<Slot> slots(requests.size());
    std::atomic<bool> failed = false;
    const Clock::time_point begin = Clock::now();
    const auto deadline = begin + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(options.seconds));
    for (size_t i = 0; i < requests.size(); ++i) {
        requests[i].set_callback([&, i](std::exception_ptr error) {
            const Clock::time_point now = Clock::now();
            if (error) {
                failed = true;
                return;
            }
            slots[i].latencies_ms.push_back(
                std::chrono::duration<double, std::milli>(now - slots[i].start).count());
            if (now >= deadline || failed) return;
            slots[i].start = now;
            requests[i].start_async();
        });
        slots[i].start = Clock::now();
        requests[i].start_async();
    }
    wait_all(requests);
    result.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - begin).count();
    for (const auto& slot : slots)
        result.latencies_ms.insert(result.latencies_ms.end(), slot.latencies_ms.begin(),
                                   slot.latencies_ms.end());
    if (options.per_layer) result.layers = summed_profile(requests, warm_up_profile);
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
