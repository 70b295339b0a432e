#include "inference/quantize/quantized_nodes.h"

#include "inference/core/error.h"
#include "inference/passes/rewrite_util.h"

#include <algorithm>
#include <cmath>

namespace es::quantize {
namespace {

constexpr float k_weight_top = 127;

// A scalar of `type` (f32 or f16: the model's float type).
Tensor scalar(float value, ElementType type) {
    Tensor tensor(ElementType::f32, {});
    tensor.data<float>()[0] = value;
    return convert(tensor, type);
}

}  // namespace

graph::Output add_quantized_weights(graph::Model& model, const graph::Node& layer) {
    Tensor scratch;
    const Tensor* stored = passes::constant_value(layer.inputs[1].source, scratch);
    if (!stored || (stored->type() != ElementType::f32 && stored->type() != ElementType::f16))
        throw_runtime("quantize: layer '{}' has no constant float weights", layer.name);
    const ElementType type = stored->type();
    const Tensor weights = convert(*stored, ElementType::f32);
    const Shape& shape = weights.shape();
    const bool grouped = layer.type == "GroupConvolution";
    Shape scale_shape(shape.size(), 1);
    scale_shape[0] = shape[0];
    if (grouped) scale_shape[1] = shape[1];
    const size_t channels = grouped ? shape[0] * shape[1] : shape[0];
    const size_t row = weights.size() / channels;
    Tensor integers(ElementType::i8, shape);
    Tensor scales(ElementType::f32, scale_shape);
    const float* values = weights.data<float>();
    for (size_t c = 0; c < channels; ++c) {
        float largest = 0;
        for (size_t k = 0; k < row; ++k)
            largest = std::max(largest, std::abs(values[c * row + k]));
        const float scale = largest > 0 ? largest / k_weight_top : 1.0f;
        scales.data<float>()[c] = scale;
        for (size_t k = 0; k < row; ++k)
            integers.data<int8_t>()[c * row + k] = static_cast<int8_t>(std::clamp(
                std::nearbyint(values[c * row + k] / scale), -k_weight_top, k_weight_top));
    }
    const graph::Output integer_weights = model.add_constant(integers, layer.name + "/weights_i8");
    const graph::Output converted =
        model
            .add_op("Convert", "opset1", {integer_weights},
                    {{"destination_type", std::string(to_string(type))}},
                    layer.name + "/weights_float")
            .output();
    return model
        .add_op(
            "Multiply", "opset1",
            {converted, model.add_constant(convert(scales, type), layer.name + "/weights_scale")},
            {{"auto_broadcast", "numpy"}}, layer.name + "/weights")
        .output();
}

graph::Output add_fake_quantize(graph::Model& model, graph::Output source, const Range& grid,
                                const std::string& name) {
    const ElementType type = source.type().type;
    const graph::Output low = model.add_constant(scalar(grid.low, type), name + "/low");
    const graph::Output high = model.add_constant(scalar(grid.high, type), name + "/high");
    return model
        .add_op("FakeQuantize", "opset1", {source, low, high, low, high},
                {{"levels", std::to_string(k_activation_levels)}, {"auto_broadcast", "numpy"}},
                name)
        .output();
}

}  // namespace es::quantize
