// Convolutions of quantized activations as oneDNN int8 primitives.
//
// The pattern (OpenVINO's low precision form): FakeQuantize(levels 256, one range for the
// tensor) -> [MaxPool, Concat] -> Convolution / GroupConvolution with constant weights. The
// FakeQuantize output holds out_low + k * step for integers k in [0, 255]; when out_low is 0 (u8)
// or -128 * step (s8) it is exactly step * q for an 8-bit q, which one reorder with scale 1 / step
// extracts. The weights (constant folding has already dequantized them) are requantized to s8 per
// output channel. The primitive then computes
//   dst[oc] = step * w_scale[oc] * (sum q * w_q + bias[oc] / (step * w_scale[oc]))
// (oneDNN 2.6 applies output scales after the bias) followed by the f32 post-ops.
#include "devices/cpu/post_ops.h"
#include "devices/cpu/primitive_family.h"
#include "devices/cpu/window.h"

#include <cmath>

namespace es::devices::cpu {
namespace {

using Tag = dnnl::memory::format_tag;
using DataType = dnnl::memory::data_type;

// How far out_low / step may be from an integer and still count as one.
constexpr float k_offset_tolerance = 1e-3f;
// How far the steps of concatenated values may differ (relative) and still count as one.
constexpr float k_step_tolerance = 1e-5f;
// How far from an integer number of steps a weight on a grid may be (in steps).
constexpr float k_grid_tolerance = 1e-3f;

struct ActivationQuantization {
    DataType type;
    float step;
};

// The 8-bit form of the output of `fake_quantize` (a FakeQuantize node), or nullopt.
std::optional<ActivationQuantization> fake_quantize_form(const graph::Node& fake_quantize,
                                                         Compiler& compiler) {
    if (fake_quantize.inputs.size() != 5 || fake_quantize.attributes.get_int("levels") != 256)
        return std::nullopt;
    float limits[4];
    for (size_t i = 1; i < 5; ++i) {
        const Tensor* value = compiler.constant_input(fake_quantize, i);
        if (!value || value->type() != ElementType::f32 || value->size() != 1) return std::nullopt;
        limits[i - 1] = value->data<float>()[0];
    }
    const float out_low = limits[2];
    const float out_high = limits[3];
    if (!(out_low < out_high) || !(limits[0] < limits[1])) return std::nullopt;
    const float step = (out_high - out_low) / 255.0f;
    const float offset = out_low / step;
    if (std::abs(offset) < k_offset_tolerance) return ActivationQuantization{DataType::u8, step};
    if (std::abs(offset + 128.0f) < k_offset_tolerance)
        return ActivationQuantization{DataType::s8, step};
    return std::nullopt;
}

// The 8-bit form of `output`: a FakeQuantize's, or that of a MaxPool or Concat of such values
// (which stay on their grid), or nullopt.
std::optional<ActivationQuantization> quantization_of(const graph::Output& output,
                                                      Compiler& compiler) {
    const graph::Node& node = *output.node;
    if (node.type == "FakeQuantize") return fake_quantize_form(node, compiler);
    if (node.type == "MaxPool" && output.port == 0)
        return quantization_of(node.inputs.at(0).source, compiler);
    if (node.type != "Concat" || node.inputs.empty()) return std::nullopt;
    const auto first = quantization_of(node.inputs[0].source, compiler);
    if (!first) return std::nullopt;
    for (size_t i = 1; i < node.inputs.size(); ++i) {
        const auto other = quantization_of(node.inputs[i].source, compiler);
        if (!other || other->type != first->type ||
            std::abs(other->step - first->step) > k_step_tolerance * first->step)
            return std::nullopt;
    }
    return first;
}

struct QuantizedWeights {
    Tensor values;  // s8, the shape of the f32 weights
    std::vector<float> scales;
};

// The step of the grid that `count` weights lie on when they are integers in [-128, 127] times
// a scale (low precision IRs store them so, less a zero point of about 0), or 0: the coarsest
// step that divides the largest magnitude into at most 128 steps.
float grid_step(const float* weights, size_t count) {
    float largest = 0;
    for (size_t k = 0; k < count; ++k)
        largest = std::max(largest, std::abs(weights[k]));
    if (largest == 0) return 0;
    for (int multiple = 1; multiple <= 128; ++multiple) {
        const float step = largest / static_cast<float>(multiple);
        bool on_grid = true;
        for (size_t k = 0; k < count && on_grid; ++k) {
            const float steps = weights[k] / step;
            on_grid = std::abs(steps - std::nearbyint(steps)) <= k_grid_tolerance;
        }
        if (on_grid) return step;
    }
    return 0;
}

// s8 weights per output channel (a row of `weights`): on their grid when they have one, else
// with the scale mapping the largest magnitude to 127 (or the most negative value to -128).
QuantizedWeights quantize_weights(const Tensor& weights, size_t channels) {
    QuantizedWeights quantized{Tensor(ElementType::i8, weights.shape()), {}};
    const size_t row = weights.size() / channels;
    const float* src = weights.data<float>();
    auto* dst = quantized.values.data<int8_t>();
    for (size_t c = 0; c < channels; ++c) {
        const float* channel = src + c * row;
        float scale = grid_step(channel, row);
        if (scale == 0) {
            float high = 0;
            float low = 0;
            for (size_t k = 0; k < row; ++k) {
                high = std::max(high, channel[k]);
                low = std::min(low, channel[k]);
            }
            scale = std::max(high / 127.0f, -low / 128.0f);
        }
        if (scale == 0) scale = 1;
        for (size_t k = 0; k < row; ++k)
            dst[c * row + k] = static_cast<int8_t>(
                std::clamp(std::nearbyint(channel[k] / scale), -128.0f, 127.0f));
        quantized.scales.push_back(scale);
    }
    return quantized;
}

}  // namespace

bool lower_int8_convolution(const graph::Node& node, Compiler& compiler) {
    const auto activation = quantization_of(node.inputs.at(0).source, compiler);
    const Tensor* f32_weights = compiler.constant_input(node, 1);
    if (!activation || !f32_weights || f32_weights->type() != ElementType::f32) return false;
    const ValueId src = compiler.input_value(node, 0);
    const Value source = compiler.value(src);
    if (source.type != ElementType::f32 || source.shape.size() < 3 || source.shape.size() > 5)
        return false;
    const bool grouped = node.type == "GroupConvolution";
    const Shape& dst_shape = compiler.shape_of(output_of(node));
    const std::vector<int64_t> kernel(f32_weights->shape().begin() + (grouped ? 3 : 2),
                                      f32_weights->shape().end());
    const auto window = forward_window(node.attributes, source.shape, dst_shape, kernel, true);
    if (!window) return false;
    const size_t rank = dst_shape.size();
    const auto channels = static_cast<size_t>(dst_shape[1]);
    const PostOpChain chain =
        collect_post_ops(node, compiler, dst_shape, {.channel_axis = 1, .fold = true, .sum = true});

    Tensor weights = f32_weights->clone();
    std::vector<float> bias(channels, 0.0f);
    fold_into(chain, weights, bias);
    QuantizedWeights quantized = quantize_weights(weights, channels);
    std::vector<float> scales(channels);
    for (size_t c = 0; c < channels; ++c) {
        scales[c] = activation->step * quantized.scales[c];
        bias[c] /= scales[c];
    }

    const dnnl::memory::desc src_desc(dnnl_dims(source.shape), activation->type, Tag::any);
    const dnnl::memory::desc weights_desc(dnnl_dims(weights.shape()), DataType::s8, Tag::any);
    const dnnl::memory::desc bias_desc({dst_shape[1]}, DataType::f32, Tag::x);
    const auto created = create_with_post_ops(
        chain, rank, 1, compiler, dnnl::memory::desc(dnnl_dims(dst_shape), DataType::f32, Tag::any),
        [&](const dnnl::primitive_attr& post_ops_attr, const dnnl::memory::desc& dst_desc) {
            dnnl::primitive_attr attr = post_ops_attr;
            attr.set_output_scales(1 << 1, scales);
            const dnnl::convolution_forward::desc desc(
                dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src_desc,
                weights_desc, bias_desc, dst_desc, window->strides, window->dilations,
                window->pads_begin, window->pads_end);
            return dnnl::convolution_forward::primitive_desc(desc, attr, cpu_engine());
        });
    if (!created || is_reference_implementation(created->first)) return false;
    const auto& [primitive, count] = *created;

    Tensor bias_tensor(ElementType::f32, {dst_shape[1]});
    std::copy(bias.begin(), bias.end(), bias_tensor.data<float>());
    std::vector<PrimitiveArg> args = {
        {DNNL_ARG_SRC, compiler.to_quantized(src, primitive.src_desc(), 1.0f / activation->step)},
        {DNNL_ARG_WEIGHTS,
         compiler.add_weights(quantized.values, plain_desc(ElementType::i8, weights.shape()),
                              primitive.weights_desc())},
        {DNNL_ARG_BIAS, compiler.add_weights(bias_tensor, bias_desc, primitive.bias_desc())}};
    const auto residual = chain.residual(count);
    const ValueId dst =
        residual ? compiler.add_alias(*residual, node.name, dst_shape, primitive.dst_desc(),
                                      Compiler::Alias::in_place)
                 : compiler.add_value(node.name, ElementType::f32, dst_shape, primitive.dst_desc());
    args.push_back({DNNL_ARG_DST, dst});
    for (const PrimitiveArg& arg : post_op_args(chain, count, rank, 1, compiler))
        args.push_back(arg);
    auto step = std::make_unique<PrimitiveStep>(dnnl::primitive(primitive.get()), std::move(args),
                                                primitive.scratchpad_desc().get_size());
    step->name = node.name;
    step->type = node.type;
    step->implementation =
        implementation_of(primitive) + (activation->type == DataType::u8 ? " u8" : " s8");
    compiler.add_step(std::move(step));
    compiler.define(finish_fusion(chain, count, node, compiler), dst);
    return true;
}

}  // namespace es::devices::cpu
