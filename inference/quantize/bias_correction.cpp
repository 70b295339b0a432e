#include "inference/quantize/bias_correction.h"

#include "inference/graph/shape_inference.h"
#include "inference/passes/rewrite_util.h"
#include "inference/quantize/quantized_nodes.h"

#include <algorithm>

namespace es::quantize {
namespace {

// Sums and counts per channel (axis 1) of one layer's outputs.
struct ChannelMeans {
    std::vector<double> sums;
    size_t count = 0;  // values per channel so far

    void add(const Tensor& value) {
        const Tensor floats =
            value.type() == ElementType::f32 ? value : convert(value, ElementType::f32);
        const Shape& shape = floats.shape();
        if (shape.size() < 2) return;
        const auto channels = static_cast<size_t>(shape[1]);
        const size_t inner = floats.size() / (static_cast<size_t>(shape[0]) * channels);
        sums.resize(channels, 0.0);
        const float* data = floats.data<float>();
        for (size_t n = 0; n < static_cast<size_t>(shape[0]); ++n)
            for (size_t c = 0; c < channels; ++c) {
                const float* plane = data + (n * channels + c) * inner;
                double sum = 0;
                for (size_t k = 0; k < inner; ++k)
                    sum += plane[k];
                sums[c] += sum;
            }
        count += static_cast<size_t>(shape[0]) * inner;
    }
    double mean(size_t channel) const { return sums[channel] / static_cast<double>(count); }
};

// The constant `shift` as a per-channel operand of an output of `rank`, in `type`.
Tensor channel_operand(const std::vector<float>& shift, size_t rank, ElementType type) {
    Shape shape(rank, 1);
    shape[1] = static_cast<int64_t>(shift.size());
    Tensor values(ElementType::f32, shape);
    std::copy(shift.begin(), shift.end(), values.data<float>());
    return convert(values, type);
}

}  // namespace

std::map<std::string, std::vector<float>> measure_bias_shifts(
    const runtime::Core& core, const graph::Model& model, const std::vector<Layer>& layers,
    const Calibration& calibration, std::span<const Sample> samples, const std::string& device) {
    graph::Model probe = model.clone();
    std::vector<std::pair<std::string, size_t>> outputs;  // each layer, then its twin
    for (const Layer& layer : layers) {
        if (!layer.quantized()) continue;
        const graph::Node& node = layer_node(probe, layer.name);
        const graph::Output input =
            add_fake_quantize(probe, node.inputs[0].source,
                              *grid_range(calibration.ranges.at(layer.name), k_activation_levels),
                              layer.name + "/twin_input");
        const graph::Output weights = add_quantized_weights(probe, node);
        const graph::Node& twin = probe.add_op(node.type, node.version, {input, weights},
                                               node.attributes, layer.name + "/int8_twin");
        outputs.emplace_back(layer.name, 0);
        outputs.emplace_back(twin.name, 0);
    }
    graph::infer_shapes(probe);
    std::vector<ChannelMeans> means(outputs.size());
    watch_outputs(core, probe, outputs, samples, device,
                  [&](size_t i, const Tensor& value) { means[i].add(value); });
    std::map<std::string, std::vector<float>> shifts;
    for (size_t i = 0; i < outputs.size(); i += 2) {
        auto& shift = shifts[outputs[i].first];
        for (size_t c = 0; c < means[i].sums.size(); ++c)
            shift.push_back(static_cast<float>(means[i].mean(c) - means[i + 1].mean(c)));
    }
    return shifts;
}

void shift_bias(graph::Model& model, graph::Node& layer, const std::vector<float>& shift) {
    const graph::Output output = layer.output(0);
    const auto readers = passes::consumers(model, output);
    if (readers.empty() || std::any_of(readers.begin(), readers.end(), [](const auto& reader) {
            return reader.first->type == "Result";
        }))
        return;
    const ElementType type = output.type().type;
    const size_t rank = output.type().shape.rank();
    if (readers.size() == 1 && readers[0].first->type == "Add") {
        graph::Node& add = *readers[0].first;
        graph::InputPort& bias = add.inputs[1 - readers[0].second];
        Tensor scratch;
        const Tensor* value = passes::constant_value(bias.source, scratch);
        if (value && value->rank() == rank && value->size() == shift.size() &&
            value->shape()[1] == static_cast<int64_t>(shift.size())) {
            Tensor shifted = convert(*value, ElementType::f32);
            for (size_t c = 0; c < shift.size(); ++c)
                shifted.data<float>()[c] += shift[c];
            bias.source = model.add_constant(convert(shifted, value->type()), layer.name + "/bias");
            return;
        }
    }
    graph::Node& add = model.add_op("Add", "opset1",
                                    {output, model.add_constant(channel_operand(shift, rank, type),
                                                                layer.name + "/bias_shift_value")},
                                    {{"auto_broadcast", "numpy"}}, layer.name + "/bias_shift");
    // Typed now: the layers after it read its type before shapes are inferred again.
    add.outputs.push_back({output.type(), {}, {}});
    for (const auto& [reader, index] : readers)
        reader->inputs[index].source = add.output();
}

}  // namespace es::quantize
