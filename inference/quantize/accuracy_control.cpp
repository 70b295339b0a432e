#include "inference/quantize/accuracy_control.h"

#include <fmt/format.h>

#include <algorithm>

namespace es::quantize {

ControlResult control_accuracy(const graph::Model& model, std::vector<Layer>& layers,
                               const Calibration& calibration, const Evaluate& evaluate,
                               double max_drop) {
    ControlResult result{quantize_model(model, layers, calibration), 0, 0, false, false, {}};
    result.agreement = evaluate(result.model);
    // Bias shifts are kept where they help: per-layer means do not always move the outputs the
    // metric reads towards the float model's.
    Calibration chosen = calibration;
    if (!calibration.bias_shifts.empty()) {
        Calibration unshifted{calibration.ranges, {}};
        graph::Model plain = quantize_model(model, layers, unshifted);
        const double agreement = evaluate(plain);
        if (agreement > result.agreement) {
            result.model = std::move(plain);
            result.agreement = agreement;
            chosen = std::move(unshifted);
        } else {
            result.bias_corrected = true;
        }
    }
    result.first_agreement = result.agreement;
    const auto holds = [&] { return 1 - result.agreement <= max_drop; };
    std::vector<size_t> candidates;
    for (size_t i = 0; i < layers.size(); ++i)
        if (layers[i].quantized()) candidates.push_back(i);
    if (candidates.empty()) return result;
    if (holds()) {
        result.holds = true;
        return result;
    }

    std::vector<Reverted> sensitivity;
    for (const size_t i : candidates) {
        layers[i].float_reason = "measuring";
        sensitivity.push_back(
            {layers[i].name, evaluate(quantize_model(model, layers, chosen)) - result.agreement});
        layers[i].float_reason.clear();
    }
    std::stable_sort(sensitivity.begin(), sensitivity.end(),
                     [](const Reverted& a, const Reverted& b) { return a.gain > b.gain; });
    // The last layer never goes back: a model with nothing in int8 is no INT8 model.
    for (size_t k = 0; k + 1 < sensitivity.size() && !holds(); ++k) {
        const auto layer = std::find_if(layers.begin(), layers.end(), [&](const Layer& candidate) {
            return candidate.name == sensitivity[k].layer;
        });
        layer->float_reason =
            fmt::format("accuracy: alone in float it restores {:.4f}", sensitivity[k].gain);
        result.reverted.push_back(sensitivity[k]);
        result.model = quantize_model(model, layers, chosen);
        result.agreement = evaluate(result.model);
    }
    result.holds = holds();
    return result;
}

}  // namespace es::quantize
