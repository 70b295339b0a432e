#include "inference/runtime/runtime_config.h"

#include "inference/core/error.h"

#include <sched.h>

#include <algorithm>
#include <thread>

namespace es::runtime {

StreamsConfig resolve_streams(const RuntimeConfig& config, int cores) {
    if (config.nthreads < 0)
        throw_bad_input("nthreads {}: expected 0 (every core) or a positive count",
                        config.nthreads);
    if (config.nthreads > cores)
        throw_bad_input("nthreads {}: more than the {} cores this process may use", config.nthreads,
                        cores);
    if (config.nstreams < 0)
        throw_bad_input("nstreams {}: expected 0 (from the hint) or a positive count",
                        config.nstreams);
    StreamsConfig resolved;
    resolved.nthreads = config.nthreads > 0 ? config.nthreads : cores;
    if (config.nstreams > resolved.nthreads)
        throw_bad_input("nstreams {}: each stream needs a thread, and there are only {} ({})",
                        config.nstreams, resolved.nthreads,
                        config.nthreads > 0 ? "nthreads" : "cores");
    if (config.nstreams > 0)
        resolved.nstreams = config.nstreams;
    else
        resolved.nstreams = config.hint == PerformanceHint::latency ? 1 : resolved.nthreads;
    resolved.threads_per_stream = resolved.nthreads / resolved.nstreams;
    resolved.optimal_nireq =
        config.hint == PerformanceHint::latency ? resolved.nstreams : 2 * resolved.nstreams;
    return resolved;
}

int available_cores() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
    return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

}  // namespace es::runtime
