#pragma once

#include "inference/quantize/quantizer.h"

#include <map>
#include <string>

namespace es::quantize {

struct LayerTimes {
    double float_ms = 0;  // per frame, in the float model
    double int8_ms = 0;   // per frame, quantized: the layer and the quantizing of its input

    // Slower in int8 by more than counters taken on a busy machine move (25 % and 5 µs), so
    // that the same frames give the same model.
    bool int8_slower() const { return int8_ms > float_ms * 1.25 + 0.005; }
};

// Times each quantized depthwise layer per frame in `model` and in `model` quantized with
// `calibration`, on `device` with one thread over `samples` (per-layer counters), and leaves in
// float those that are slower in int8 (oneDNN's int8 depthwise kernels are on some CPUs).
// Returns the times of every layer timed.
std::map<std::string, LayerTimes> leave_slower_layers_in_float(const runtime::Core& core,
                                                               const graph::Model& model,
                                                               std::vector<Layer>& layers,
                                                               const Calibration& calibration,
                                                               std::span<const Sample> samples,
                                                               const std::string& device = "CPU");

}  // namespace es::quantize
