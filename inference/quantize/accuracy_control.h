#pragma once

#include "inference/quantize/quantizer.h"

#include <functional>
#include <string>
#include <vector>

namespace es::quantize {

// How well a model's outputs agree with the float model's on the held-out frames: 1 when they
// are the same.
using Evaluate = std::function<double(const graph::Model&)>;

struct Reverted {
    std::string layer;
    double gain = 0;  // the agreement it restores alone, measured with every other layer int8
};

struct ControlResult {
    graph::Model model;
    double agreement = 0;            // of `model`
    double first_agreement = 0;      // with every layer the plan quantizes
    bool holds = false;              // 1 - agreement <= max_drop with some layer still int8
    bool bias_corrected = false;     // the calibration's bias shifts are applied
    std::vector<Reverted> reverted;  // in the order they went back to float
};

// Quantizes `model` as `layers` plan it, with the calibration's bias shifts where they agree
// better than without; while the drop exceeds `max_drop`, puts layers back in float in order of
// their measured sensitivity (NNCF's accuracy control). Layers put back get their reason in
// `layers`.
ControlResult control_accuracy(const graph::Model& model, std::vector<Layer>& layers,
                               const Calibration& calibration, const Evaluate& evaluate,
                               double max_drop);

}  // namespace es::quantize
