#include "inference/quantize/layer_timing.h"

#include <fmt/format.h>

#include <set>

namespace es::quantize {
namespace {

// Runs per frame to smooth the counters.
constexpr int k_rounds = 3;

// Milliseconds per frame of the steps named after each of `names` in `model`.
std::map<std::string, double> step_times(const runtime::Core& core, const graph::Model& model,
                                         const std::set<std::string>& names,
                                         std::span<const Sample> samples,
                                         const std::string& device) {
    const runtime::CompiledModel compiled =
        core.compile(std::make_shared<graph::Model>(model.clone()), device,
                     {.nthreads = 1, .batch = 1, .profile = true});
    runtime::InferRequest request = compiled.create_infer_request();
    size_t frames = 0;
    for (int round = 0; round < k_rounds; ++round)
        for (const Sample& sample : samples) {
            for (size_t i = 0; i < sample.size(); ++i)
                request.set_input(i, sample[i]);
            request.infer();
            ++frames;
        }
    std::map<std::string, double> times;
    for (const auto& layer : request.layer_profile())
        if (names.contains(layer.name))
            times[layer.name] += layer.milliseconds / static_cast<double>(frames);
    return times;
}

}  // namespace

std::map<std::string, LayerTimes> leave_slower_layers_in_float(
    const runtime::Core& core, const graph::Model& model, std::vector<Layer>& layers,
    const Calibration& calibration, std::span<const Sample> samples, const std::string& device) {
    std::set<std::string> names;
    for (const Layer& layer : layers)
        if (layer.quantized() && layer.depthwise) names.insert(layer.name);
    std::map<std::string, LayerTimes> times;
    if (names.empty()) return times;
    for (const auto& [name, ms] : step_times(core, model, names, samples, device))
        times[name].float_ms = ms;
    const graph::Model quantized = quantize_model(model, layers, calibration);
    for (const auto& [name, ms] : step_times(core, quantized, names, samples, device))
        times[name].int8_ms = ms;
    for (Layer& layer : layers) {
        const auto timed = times.find(layer.name);
        if (timed != times.end() && timed->second.int8_slower())
            layer.float_reason =
                fmt::format("slower in int8 on this CPU ({:.3f} ms, float {:.3f} ms)",
                            timed->second.int8_ms, timed->second.float_ms);
    }
    return times;
}

}  // namespace es::quantize
