#pragma once

namespace es::runtime {

// What to optimize for when the runtime picks streams and threads (OpenVINO's performance hint).
enum class PerformanceHint {
    latency,    // one stream using every core: each request finishes as soon as possible
    throughput  // one stream per core: the most requests per second
};

// How the runtime compiles and runs a model. Zero means "from the hint".
struct RuntimeConfig {
    PerformanceHint hint = PerformanceHint::latency;
    int nstreams = 0;      // requests that run at once, each on its own thread(s)
    int nthreads = 0;      // compute threads in total, at most the cores available
    int batch = 0;         // > 0: every input's first dimension is set to it before compiling
    bool profile = false;  // keep per-layer counters (InferRequest::layer_profile)
    // Where the device has no int8 kernels, compute an INT8 IR's FakeQuantizes exactly rather
    // than run its float network: what measuring the accuracy of a quantization needs.
    bool exact_int8 = false;
};

// Streams and threads resolved from a RuntimeConfig: nstreams × threads_per_stream ≤ nthreads.
struct StreamsConfig {
    int nstreams = 1;
    int threads_per_stream = 1;
    int nthreads = 1;
    int optimal_nireq = 1;  // requests to keep in flight to keep every stream busy
};

// Resolves `config` for a process that may use `cores` CPUs, as OpenVINO's CPU plugin does:
// latency → one stream of `nthreads` threads; throughput → one single-thread stream per
// thread. An explicit nstreams or nthreads overrides the hint. optimal_nireq is nstreams for
// latency and 2 × nstreams for throughput, so that each stream has the next request queued
// while the application handles the one that finished. Throws es::Error (BadInput) naming
// the option for a negative value, more threads than cores or more streams than threads.
StreamsConfig resolve_streams(const RuntimeConfig& config, int cores);

// CPUs in this process's affinity mask (sched_getaffinity); at least 1.
int available_cores();

}  // namespace es::runtime
