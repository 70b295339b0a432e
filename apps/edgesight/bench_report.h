#pragma once

#include "inference/runtime/device.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace es::app {

// What `edgesight bench` measured, and how the model was run.
struct BenchResult {
    std::string device;
    std::string hint;
    int nstreams = 0;
    int threads_per_stream = 0;
    int nthreads = 0;
    int nireq = 0;
    int64_t batch = 1;  // frames per inference: the first dimension of the first input
    double compile_ms = 0;
    size_t compiled_model_bytes = 0;  // the device's figure for weights and one request
    size_t max_rss_bytes = 0;         // the process's peak resident memory
    uint64_t macs = 0;                // per inference
    size_t layers_with_unknown_macs = 0;
    std::optional<double> matmul_peak_gflops;
    double duration_ms = 0;
    std::vector<double> latencies_ms;           // one per counted inference, start to completion
    std::vector<runtime::LayerProfile> layers;  // summed over the counted inferences
};

// The report as one JSON object (`--json`).
nlohmann::json bench_json(const BenchResult& result, bool per_layer);
// The report as text, benchmark_app style.
std::string bench_text(const BenchResult& result, bool per_layer);

}  // namespace es::app
