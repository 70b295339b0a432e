#pragma once

#include "inference/quantize/layers.h"
#include "inference/quantize/ranges.h"
#include "inference/runtime/core.h"

#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace es::quantize {

// One frame's model inputs, in the order of the compiled model's inputs.
using Sample = std::vector<Tensor>;

// What the calibration frames say about each quantized layer, by layer name.
struct Calibration {
    std::map<std::string, Range> ranges;  // of its input activation
    // Per output channel, the mean of the float model's output less the quantized model's
    // (fast bias correction, as POT and NNCF do by default).
    std::map<std::string, std::vector<float>> bias_shifts;
};

// Runs `model` compiled on `device` over `samples`, with the inputs of the quantized `layers` as
// extra outputs, for their ranges; then the float and the quantized model with the layers'
// outputs as extra outputs, for the bias shifts. A layer whose input range is empty stays in
// float.
Calibration calibrate(const runtime::Core& core, const graph::Model& model,
                      std::vector<Layer>& layers, std::span<const Sample> samples,
                      RangeMethod method, const std::string& device = "CPU");

// A copy of `model` where each quantized layer reads its input through a FakeQuantize of 256
// levels on the grid of its range (the branches of a Concat that only quantized layers read get
// one each, so that their producers write 8 bits), its weights are an i8 Const -> Convert ->
// Multiply by a scale per output channel (symmetric, [-127, 127]), as Open Model Zoo's INT8
// IRs have them, and its bias is shifted where `calibration` has a shift for it.
graph::Model quantize_model(const graph::Model& model, const std::vector<Layer>& layers,
                            const Calibration& calibration);

// Runs `model` compiled on `device` over `samples` with `watched` (node outputs, each the name
// of the node and the port) among its outputs, and calls `consume(i, value)` with the i-th
// watched output of each frame.
void watch_outputs(const runtime::Core& core, const graph::Model& model,
                   const std::vector<std::pair<std::string, size_t>>& watched,
                   std::span<const Sample> samples, const std::string& device,
                   const std::function<void(size_t, const Tensor&)>& consume);

// `model` compiled on `device` for one frame at a time (batch 1, as the samples are).
runtime::CompiledModel compile_for_samples(const runtime::Core& core, const graph::Model& model,
                                           const std::string& device = "CPU");

// The outputs of `compiled` for each sample, in order.
std::vector<std::vector<Tensor>> run_samples(const runtime::CompiledModel& compiled,
                                             std::span<const Sample> samples);

}  // namespace es::quantize
