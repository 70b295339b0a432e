#include "inference/quantize/quantizer.h"

#include "inference/quantize/bias_correction.h"
#include "inference/quantize/quantized_nodes.h"

#include "inference/core/error.h"
#include "inference/graph/shape_inference.h"
#include "inference/passes/rewrite_util.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>

namespace es::quantize {
namespace {

void run_each(const runtime::CompiledModel& compiled, std::span<const Sample> samples,
              const std::function<void(const runtime::InferRequest&)>& consume) {
    runtime::InferRequest request = compiled.create_infer_request();
    for (const Sample& sample : samples) {
        if (sample.size() != compiled.inputs().size())
            throw_runtime("quantize: a sample has {} inputs; the model takes {}", sample.size(),
                          compiled.inputs().size());
        for (size_t i = 0; i < sample.size(); ++i)
            request.set_input(i, sample[i]);
        request.infer();
        consume(request);
    }
}

// Where the FakeQuantize of an activation goes. Values move unchanged through MaxPool and
// Concat, so the FakeQuantize moves above them where everything that reads them ends in
// quantized layers: the producers then write 8 bits and the MaxPool and Concat move bytes.
class ActivationPlacer {
  public:
    ActivationPlacer(graph::Model& model, const std::vector<Layer>& layers) : m_model(model) {
        for (const Layer& layer : layers)
            if (layer.quantized()) m_quantized.insert(layer.name);
    }

    // The output quantized layers read instead of `source`.
    graph::Output place(graph::Output source, const Range& grid, const std::string& name) {
        const auto key = std::make_tuple(static_cast<const graph::Node*>(source.node), source.port,
                                         grid.low, grid.high);
        if (const auto found = m_placed.find(key); found != m_placed.end()) return found->second;
        graph::Node& producer = *source.node;
        graph::Output placed = source;
        if (moves_values(producer) && source.port == 0 && reads_only_integers(source)) {
            for (size_t i = 0; i < moved_inputs(producer); ++i)
                producer.inputs[i].source = place(producer.inputs[i].source, grid,
                                                  fmt::format("{}/fq_input_{}", producer.name, i));
        } else {
            placed = add_fake_quantize(m_model, source, grid, name);
        }
        m_placed.emplace(key, placed);
        return placed;
    }

  private:
    bool moves_values(graph::Node& node) const {
        // MaxPool-8's indices must not be read.
        return (node.type == "MaxPool" &&
                (node.outputs.size() == 1 || passes::consumers(m_model, node.output(1)).empty())) ||
               (node.type == "Concat" &&
                std::none_of(node.inputs.begin(), node.inputs.end(),
                             [](const auto& input) { return input.source.node->type == "Const"; }));
    }
    static size_t moved_inputs(const graph::Node& node) {
        return node.type == "MaxPool" ? 1 : node.inputs.size();
    }

    // Whether every reader of `output` is a quantized layer reading it as its input, or moves
    // it on to such readers only.
    bool reads_only_integers(graph::Output output) const {
        const auto readers = passes::consumers(m_model, output);
        return !readers.empty() &&
               std::all_of(readers.begin(), readers.end(), [&](const auto& use) {
                   graph::Node& reader = *use.first;
                   if (use.second == 0 && m_quantized.contains(reader.name)) return true;
                   return moves_values(reader) && use.second < moved_inputs(reader) &&
                          reads_only_integers(reader.output(0));
               });
    }

    graph::Model& m_model;
    std::set<std::string> m_quantized;
    std::map<std::tuple<const graph::Node*, size_t, float, float>, graph::Output> m_placed;
};

}  // namespace

void watch_outputs(const runtime::Core& core, const graph::Model& model,
                   const std::vector<std::pair<std::string, size_t>>& watched,
                   std::span<const Sample> samples, const std::string& device,
                   const std::function<void(size_t, const Tensor&)>& consume) {
    graph::Model observed = model.clone();
    std::set<std::string> outputs;
    for (const graph::Node* result : observed.results())
        outputs.insert(graph::output_name(result->inputs[0].source));
    std::vector<std::string> names;
    for (const auto& [node, port] : watched) {
        const graph::Output output = layer_node(observed, node).output(port);
        names.push_back(graph::output_name(output));
        if (outputs.insert(names.back()).second)
            observed.add_result(output, names.back() + "/watched");
    }
    graph::infer_shapes(observed);
    const runtime::CompiledModel compiled = compile_for_samples(core, observed, device);
    std::vector<size_t> indices;
    const runtime::InferRequest probe = compiled.create_infer_request();
    for (const std::string& name : names)
        indices.push_back(probe.output_index(name));
    run_each(compiled, samples, [&](const runtime::InferRequest& request) {
        for (size_t i = 0; i < indices.size(); ++i)
            consume(i, request.output(indices[i]));
    });
}

Calibration calibrate(const runtime::Core& core, const graph::Model& model,
                      std::vector<Layer>& layers, std::span<const Sample> samples,
                      RangeMethod method, const std::string& device) {
    // One statistic per activation, which several layers may read.
    std::vector<std::pair<std::string, size_t>> activations;
    std::map<std::string, size_t> activation_of;
    for (const Layer& layer : layers) {
        if (!layer.quantized()) continue;
        const graph::Output source = layer_node(model, layer.name).inputs[0].source;
        const std::pair<std::string, size_t> key{source.node->name, source.port};
        const auto found = std::find(activations.begin(), activations.end(), key);
        activation_of[layer.name] = static_cast<size_t>(found - activations.begin());
        if (found == activations.end()) activations.push_back(key);
    }
    std::vector<RangeStatistic> statistics(activations.size(), RangeStatistic(method));
    watch_outputs(core, model, activations, samples, device,
                  [&](size_t i, const Tensor& value) { statistics[i].add(value); });
    Calibration calibration;
    for (Layer& layer : layers) {
        if (!layer.quantized()) continue;
        const Range range = statistics[activation_of.at(layer.name)].range();
        if (grid_range(range, k_activation_levels))
            calibration.ranges[layer.name] = range;
        else
            layer.float_reason = "its input is constant on the calibration frames";
    }
    calibration.bias_shifts =
        measure_bias_shifts(core, model, layers, calibration, samples, device);
    return calibration;
}

graph::Model quantize_model(const graph::Model& model, const std::vector<Layer>& layers,
                            const Calibration& calibration) {
    graph::Model quantized = model.clone();
    ActivationPlacer placer(quantized, layers);
    for (const Layer& layer : layers) {
        if (!layer.quantized()) continue;
        graph::Node& node = layer_node(quantized, layer.name);
        const auto grid = grid_range(calibration.ranges.at(layer.name), k_activation_levels);
        if (!grid) throw_runtime("quantize: layer '{}' has an empty input range", layer.name);
        node.inputs[0].source =
            placer.place(node.inputs[0].source, *grid, layer.name + "/fq_input_0");

        node.inputs[1].source = add_quantized_weights(quantized, node);
        if (const auto shift = calibration.bias_shifts.find(layer.name);
            shift != calibration.bias_shifts.end())
            shift_bias(quantized, node, shift->second);
    }
    quantized.remove_unused();
    quantized.sort_topologically();
    graph::infer_shapes(quantized);
    return quantized;
}

runtime::CompiledModel compile_for_samples(const runtime::Core& core, const graph::Model& model,
                                           const std::string& device) {
    return core.compile(std::make_shared<graph::Model>(model.clone()), device,
                        {.batch = 1, .exact_int8 = true});
}

std::vector<std::vector<Tensor>> run_samples(const runtime::CompiledModel& compiled,
                                             std::span<const Sample> samples) {
    std::vector<std::vector<Tensor>> outputs;
    outputs.reserve(samples.size());
    run_each(compiled, samples, [&](const runtime::InferRequest& request) {
        auto& frame = outputs.emplace_back();
        for (size_t i = 0; i < compiled.outputs().size(); ++i)
            frame.push_back(request.output(i).clone());
    });
    return outputs;
}

}  // namespace es::quantize
