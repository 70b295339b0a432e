#pragma once

#include "inference/runtime/compiled_model.h"

#include <vector>

namespace es::app {

struct RequestTiming {
    double duration_ms = 0;
    std::vector<double> latencies_ms;           // of every run, in no particular order
    std::vector<runtime::LayerProfile> layers;  // summed over every run, with per_layer
};

// Keeps `nireq` requests of `compiled` in flight on random inputs for `seconds`, after one
// warm-up run each (benchmark_app's way). `compiled` must have been compiled with profiling
// for `per_layer`.
RequestTiming time_requests(const runtime::CompiledModel& compiled, int nireq, double seconds,
                            bool per_layer);

}  // namespace es::app
