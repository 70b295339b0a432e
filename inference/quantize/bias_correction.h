#pragma once

#include "inference/quantize/quantizer.h"

#include <map>
#include <string>
#include <vector>

namespace es::quantize {

// Per output channel of each quantized layer, the mean of its output in `model` less the mean
// of its int8 twin's (its weights and input quantized, the input from the float model), over
// `samples`: each layer's own error, which the shifts of the layers before it do not change.
std::map<std::string, std::vector<float>> measure_bias_shifts(
    const runtime::Core& core, const graph::Model& model, const std::vector<Layer>& layers,
    const Calibration& calibration, std::span<const Sample> samples, const std::string& device);

// Adds `shift` (a value per output channel) to the bias of `layer`: the constant of the Add that
// alone reads its output, or a new Add. A layer whose output is a model output keeps its bias.
void shift_bias(graph::Model& model, graph::Node& layer, const std::vector<float>& shift);

}  // namespace es::quantize
