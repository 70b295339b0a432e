// Convolutions of quantized activations as oneDNN int8 primitives.
//
// The pattern (OpenVINO's low precision form): FakeQuantize (at most 256 levels) ->
// [MaxPool, Concat] -> Convolution / GroupConvolution with constant weights. The FakeQuantize
// output is step * (q - zero_point) for 8-bit integers q (quantization.h), with one step for the
// tensor, or one per channel where the convolution is depthwise. One reorder extracts q, unless
// the step before wrote q itself. The weights (constant folding has already dequantized them)
// are requantized to s8 per output channel. The primitive then computes
//   dst[oc] = step[oc] * w_scale[oc] * (sum (q - zero_point) * w_q + bias[oc] / (...))
// (oneDNN 2.6 applies output scales after the bias; it takes padding as real zeros, the zero
// point in q) followed by the f32 post-ops. When those end in a FakeQuantize whose readers all
// take 8-bit integers, the primitive writes its q.
//
// Only where the instruction set adds u8 x s8 products in 32 bits (VNNI, AMX): without it,
// oneDNN's kernels add pairs of products in 16 bits with saturation (vpmaddubsw), which 8-bit
// weights overflow, and 7-bit ones lose too much precision. There the f32 convolution runs.
#include "devices/cpu/post_ops.h"
#include "devices/cpu/primitive_family.h"
#include "devices/cpu/quantization.h"
#include "devices/cpu/steps.h"
#include "devices/cpu/window.h"

#include <algorithm>
#include <cmath>

namespace es::devices::cpu {
namespace {

using Tag = dnnl::memory::format_tag;
using DataType = dnnl::memory::data_type;

// How far from an integer number of steps a weight on a grid may be (in steps).
constexpr float k_grid_tolerance = 1e-3f;

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

// The integers stand for step * (q - zero_point - zero_offset): the zero offsets' share of each
// output channel comes off its bias. (Padding, real zeros, takes no share: the correction is
// exact away from the borders.)
void correct_zero_offsets(const Tensor& weights, const ActivationQuantization& activation,
                          std::vector<float>& bias) {
    const size_t channels = bias.size();
    const size_t row = weights.size() / channels;
    const float* w = weights.data<float>();
    for (size_t c = 0; c < channels; ++c) {
        const size_t grid = activation.per_channel() ? c : 0;
        const float shift = activation.steps[grid] * activation.zero_offsets[grid];
        if (shift == 0) continue;
        double sum = 0;
        for (size_t k = 0; k < row; ++k)
            sum += w[c * row + k];
        bias[c] -= static_cast<float>(shift * sum);
    }
}

// The narrow convolution step computing the convolution and the chain's folded ops; the rest of
// the chain (from the bias on) follows as a binary Add of the bias with post-ops where oneDNN
// takes it, else as the steps of its own nodes.
bool lower_narrow_convolution(const graph::Node& node, Compiler& compiler, const PostOpChain& chain,
                              const ActivationQuantization& activation, const Tensor& weights,
                              std::vector<float> scales, std::vector<float> bias,
                              const Window& window) {
    const graph::Output input = node.inputs.at(0).source;
    const Shape& src_shape = compiler.shape_of(input);
    const Shape& dst_shape = compiler.shape_of(output_of(node));
    // Channels last where a pixel's channels divide a vector (2 or 4: the readers' vectors then
    // hold whole pixels; a resize of planes runs element by element), unless a residual is added
    // in place: its layout is the plain one of the value it overwrites.
    const bool channels_last = (dst_shape[1] == 2 || dst_shape[1] == 4) && !chain.sum_index();
    const dnnl::memory::desc sum_desc =
        channels_last ? dnnl::memory::desc(dnnl_dims(dst_shape), DataType::f32, Tag::nhwc)
                      : plain_desc(ElementType::f32, dst_shape);
    const Shape bias_shape{1, dst_shape[1], 1, 1};
    const dnnl::memory::desc bias_desc = plain_desc(ElementType::f32, bias_shape);
    const auto created =
        chain.ops.size() == chain.folded
            ? std::nullopt
            : create_fused(chain, compiler, [&](const PostOpChain& fused, DataType dst_type) {
                  return create_with_post_ops(
                      fused, 4, 1, compiler,
                      dnnl::memory::desc(dnnl_dims(dst_shape), dst_type, Tag::any),
                      [&](const dnnl::primitive_attr& attr, const dnnl::memory::desc& dst_desc) {
                          const dnnl::binary::desc desc(dnnl::algorithm::binary_add, sum_desc,
                                                        bias_desc, dst_desc);
                          return dnnl::binary::primitive_desc(desc, attr, cpu_engine());
                      });
              });
    const bool chained = created && created->count > chain.folded;

    const dnnl::memory::desc src_desc(dnnl_dims(src_shape), DataType::u8, Tag::nhwc);
    const auto written = quantized_value(input, activation, compiler);
    const ValueId src = written
                            ? compiler.to_layout(*written, src_desc)
                            : compiler.to_quantized(compiler.value_of(input), src_desc, activation);
    const ValueId sum = compiler.add_value(node.name, ElementType::f32, dst_shape, sum_desc);
    auto step = std::make_unique<NarrowConvolutionStep>(
        src, sum,
        NarrowConvolutionStep::Geometry{src_shape, dst_shape, window.pads_begin[0],
                                        window.pads_begin[1], channels_last},
        weights, std::move(scales), chained ? std::vector<float>(bias.size(), 0.0f) : bias,
        activation.zero_point());
    step->name = node.name;
    compiler.add_step(std::move(step));
    if (!chained) {
        compiler.define(finish_fusion(chain, chain.folded, node, compiler), sum);
        return true;
    }

    const auto& primitive = created->primitive;
    Tensor bias_tensor(ElementType::f32, bias_shape);
    std::copy(bias.begin(), bias.end(), bias_tensor.data<float>());
    const ValueId dst = created->add_dst(node, dst_shape, compiler);
    std::vector<PrimitiveArg> args = {
        {DNNL_ARG_SRC_0, sum},
        {DNNL_ARG_SRC_1, compiler.add_weights(bias_tensor, bias_desc, primitive.src1_desc())},
        {DNNL_ARG_DST, dst}};
    for (const PrimitiveArg& arg : post_op_args(created->chain, created->count, 4, 1, compiler))
        args.push_back(arg);
    compiler.add_primitive(*created->chain.ops[chain.folded].node, primitive, std::move(args));
    created->define(node, dst, compiler);
    return true;
}

}  // namespace

bool lower_int8_convolution(const graph::Node& node, Compiler& compiler) {
    if (!has_int8_dot_product()) return false;
    const graph::Output input = node.inputs.at(0).source;
    const auto activation = quantization_of(input, compiler);
    const Tensor* f32_weights = compiler.constant_input(node, 1);
    if (!activation || activation->type == DataType::f32 || !f32_weights ||
        f32_weights->type() != ElementType::f32 ||
        stored_type(input.type().type) != ElementType::f32)
        return false;
    const Shape& src_shape = compiler.shape_of(input);
    if (src_shape.size() < 3 || src_shape.size() > 5) return false;
    const bool grouped = node.type == "GroupConvolution";
    if (activation->per_channel() && !is_depthwise(node, compiler)) return false;
    const Shape& dst_shape = compiler.shape_of(output_of(node));
    const std::vector<int64_t> kernel(f32_weights->shape().begin() + (grouped ? 3 : 2),
                                      f32_weights->shape().end());
    const auto window = forward_window(node.attributes, src_shape, dst_shape, kernel, true);
    if (!window) return false;
    const size_t rank = dst_shape.size();
    const auto channels = static_cast<size_t>(dst_shape[1]);
    PostOpChain chain =
        collect_post_ops(node, compiler, dst_shape, {.channel_axis = 1, .fold = true, .sum = true});

    Tensor weights = f32_weights->clone();
    std::vector<float> bias(channels, 0.0f);
    fold_into(chain, weights, bias);
    correct_zero_offsets(weights, *activation, bias);
    QuantizedWeights quantized = quantize_weights(weights, channels);
    std::vector<float> scales(channels);
    for (size_t c = 0; c < channels; ++c)
        scales[c] = activation->steps[activation->per_channel() ? c : 0] * quantized.scales[c];
    const bool dense = std::all_of(window->strides.begin(), window->strides.end(),
                                   [](int64_t stride) { return stride == 1; }) &&
                       std::all_of(window->dilations.begin(), window->dilations.end(),
                                   [](int64_t gaps) { return gaps == 0; });
    if (!grouped && dense && activation->type == DataType::u8 &&
        NarrowConvolutionStep::fits(src_shape, dst_shape, weights.shape()))
        return lower_narrow_convolution(node, compiler, chain, *activation, quantized.values,
                                        std::move(scales), std::move(bias), *window);
    const auto absorbed = absorb_fake_quantize_input(chain, channels);
    if (absorbed)
        for (size_t c = 0; c < channels; ++c) {
            scales[c] *= absorbed->scale[c];
            bias[c] = bias[c] * absorbed->scale[c] + absorbed->shift[c];
        }
    for (size_t c = 0; c < channels; ++c)
        bias[c] /= scales[c];

    const dnnl::memory::desc src_desc(dnnl_dims(src_shape), activation->type, Tag::any);
    const dnnl::memory::desc weights_desc(dnnl_dims(weights.shape()), DataType::s8, Tag::any);
    const dnnl::memory::desc bias_desc({dst_shape[1]}, DataType::f32, Tag::x);
    const auto created =
        create_fused(chain, compiler, [&](const PostOpChain& fused, DataType dst_type) {
            return create_with_post_ops(
                fused, rank, 1, compiler,
                dnnl::memory::desc(dnnl_dims(dst_shape), dst_type, Tag::any),
                [&](const dnnl::primitive_attr& post_ops_attr, const dnnl::memory::desc& dst_desc) {
                    dnnl::primitive_attr attr = post_ops_attr;
                    attr.set_output_scales(1 << 1, scales);
                    if (activation->zero_point() != 0)
                        attr.set_zero_points(DNNL_ARG_SRC, 0, {DNNL_RUNTIME_S32_VAL});
                    const dnnl::convolution_forward::desc desc(
                        dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                        src_desc, weights_desc, bias_desc, dst_desc, window->strides,
                        window->dilations, window->pads_begin, window->pads_end);
                    return dnnl::convolution_forward::primitive_desc(desc, attr, cpu_engine());
                });
        });
    if (!created || is_reference_implementation(created->primitive) ||
        (absorbed && created->count <= absorbed->index))
        return false;
    const auto& primitive = created->primitive;
    const size_t count = created->count;

    Tensor bias_tensor(ElementType::f32, {dst_shape[1]});
    std::copy(bias.begin(), bias.end(), bias_tensor.data<float>());
    const auto written = quantized_value(input, *activation, compiler);
    const ValueId src = written ? compiler.to_layout(*written, primitive.src_desc())
                                : compiler.to_quantized(compiler.value_of(input),
                                                        primitive.src_desc(), *activation);
    std::vector<PrimitiveArg> args = {
        {DNNL_ARG_SRC, src},
        {DNNL_ARG_WEIGHTS,
         compiler.add_weights(quantized.values, plain_desc(ElementType::i8, weights.shape()),
                              primitive.weights_desc())},
        {DNNL_ARG_BIAS, compiler.add_weights(bias_tensor, bias_desc, primitive.bias_desc())}};
    if (activation->zero_point() != 0) {
        Tensor zero_point(ElementType::i32, {1});
        zero_point.data<int32_t>()[0] = activation->zero_point();
        const auto desc = plain_desc(ElementType::i32, {1});
        args.push_back({DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC,
                        compiler.add_weights(zero_point, desc, desc)});
    }
    const ValueId dst = created->add_dst(node, dst_shape, compiler);
    args.push_back({DNNL_ARG_DST, dst});
    for (const PrimitiveArg& arg : post_op_args(created->chain, count, rank, 1, compiler))
        args.push_back(arg);
    auto step = std::make_unique<PrimitiveStep>(dnnl::primitive(primitive.get()), std::move(args),
                                                primitive.scratchpad_desc().get_size());
    step->name = node.name;
    step->type = node.type;
    step->implementation =
        implementation_of(primitive) + (activation->type == DataType::u8 ? " u8" : " s8");
    compiler.add_step(std::move(step));
    created->define(node, dst, compiler);
    return true;
}

}  // namespace es::devices::cpu
