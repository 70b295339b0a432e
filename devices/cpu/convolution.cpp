#include "devices/cpu/post_ops.h"
#include "devices/cpu/primitive_family.h"
#include "devices/cpu/quantization.h"
#include "devices/cpu/window.h"

#include <algorithm>
#include <numeric>

namespace es::devices::cpu {
namespace {

using Tag = dnnl::memory::format_tag;
using DataType = dnnl::memory::data_type;

dnnl::memory::desc any_desc(const Shape& shape) {
    return dnnl::memory::desc(dnnl_dims(shape), DataType::f32, Tag::any);
}

// The destination: a new value, or the residual's buffer when the chain ends in a sum.
ValueId destination(const PostOpChain& chain, size_t count, const graph::Node& node,
                    Compiler& compiler, const Shape& shape, const dnnl::memory::desc& desc) {
    if (const auto residual = chain.residual(count))
        return compiler.add_alias(*residual, node.name, shape, desc, Compiler::Alias::in_place);
    return compiler.add_value(node.name, ElementType::f32, shape, desc);
}

// Adds a (de)convolution primitive whose source and weights are in `args`, binding its bias
// (when there is one) as a [C] tensor, `dst` and the operands of the chain's first `count` ops.
template <typename PrimitiveDesc>
void add_biased_primitive(const graph::Node& node, Compiler& compiler,
                          const PrimitiveDesc& primitive, std::vector<PrimitiveArg> args,
                          const std::vector<float>& bias, const PostOpChain& chain, size_t count,
                          ValueId dst, std::string_view source = {}) {
    const size_t rank = compiler.value(dst).shape.size();
    if (!bias.empty()) {
        const auto channels = static_cast<int64_t>(bias.size());
        Tensor bias_tensor(ElementType::f32, {channels});
        std::copy(bias.begin(), bias.end(), bias_tensor.data<float>());
        const dnnl::memory::desc bias_desc({channels}, DataType::f32, Tag::x);
        args.push_back(
            {DNNL_ARG_BIAS, compiler.add_weights(bias_tensor, bias_desc, primitive.bias_desc())});
    }
    args.push_back({DNNL_ARG_DST, dst});
    for (const PrimitiveArg& arg : post_op_args(chain, count, rank, 1, compiler))
        args.push_back(arg);
    compiler.add_primitive(node, primitive, std::move(args), source);
}

// add_biased_primitive into a new destination (or the residual's buffer when the chain ends in
// a sum), which then holds the output of the last fused node.
template <typename PrimitiveDesc>
void add_primitive_with_bias(const graph::Node& node, Compiler& compiler,
                             const PrimitiveDesc& primitive, std::vector<PrimitiveArg> args,
                             const std::vector<float>& bias, const PostOpChain& chain,
                             size_t count) {
    const Shape& dst_shape = compiler.shape_of(output_of(node));
    const ValueId dst = destination(chain, count, node, compiler, dst_shape, primitive.dst_desc());
    add_biased_primitive(node, compiler, primitive, std::move(args), bias, chain, count, dst);
    compiler.define(finish_fusion(chain, count, node, compiler), dst);
}

// The source in the layout `primitive` reads, and `weights` (laid out as `weights_desc`)
// reordered once into the layout it wants.
template <typename PrimitiveDesc>
std::vector<PrimitiveArg> source_and_weights(Compiler& compiler, ValueId src, const Tensor& weights,
                                             const dnnl::memory::desc& weights_desc,
                                             const PrimitiveDesc& primitive) {
    return {
        {DNNL_ARG_SRC, compiler.to_layout(src, primitive.src_desc())},
        {DNNL_ARG_WEIGHTS, compiler.add_weights(weights, weights_desc, primitive.weights_desc())}};
}

struct ConvInputs {
    ValueId src = 0;
    Shape src_shape;
    Shape dst_shape;
    Tensor weights;
    std::vector<int64_t> kernel;
    bool levels = false;  // the source holds levels in f32, their steps are in the weights
};

// `weights` ([C_out, C_in, k…], or [G, C_out/G, C_in/G, k…] where `grouped`) with input
// channel c times steps[c].
Tensor scaled_input_channels(const Tensor& weights, const std::vector<float>& steps, bool grouped) {
    Tensor scaled = weights.clone();
    const Shape& shape = weights.shape();
    const int64_t groups = grouped ? shape[0] : 1;
    const int64_t outputs = shape[grouped ? 1 : 0];
    const int64_t inputs = shape[grouped ? 2 : 1];
    const auto kernel = static_cast<int64_t>(weights.size()) / (groups * outputs * inputs);
    float* w = scaled.data<float>();
    for (int64_t g = 0; g < groups; ++g)
        for (int64_t o = 0; o < outputs; ++o)
            for (int64_t i = 0; i < inputs; ++i) {
                const float step = steps[static_cast<size_t>(g * inputs + i)];
                float* row = w + ((g * outputs + o) * inputs + i) * kernel;
                for (int64_t k = 0; k < kernel; ++k)
                    row[k] *= step;
            }
    return scaled;
}

// The source and weights of a (de)convolution. A convolution whose source a step wrote as
// levels in f32 reads them, with the grid's steps in its weights.
std::optional<ConvInputs> read_inputs(const graph::Node& node, Compiler& compiler, bool grouped) {
    ConvInputs inputs;
    const Tensor* weights = compiler.constant_input(node, 1);
    if (!weights || weights->type() != ElementType::f32) return std::nullopt;
    inputs.weights = *weights;
    const auto levels = compiler.quantized(node.inputs.at(0).source);
    if (levels && levels->grid.type == DataType::f32 &&
        (node.type == "Convolution" || node.type == "GroupConvolution")) {
        inputs.src = levels->id;
        inputs.weights = scaled_input_channels(*weights, levels->grid.steps, grouped);
        inputs.levels = true;
    } else {
        inputs.src = compiler.input_value(node, 0);
    }
    const Value& src = compiler.value(inputs.src);
    if (src.type != ElementType::f32 || src.shape.size() < 3 || src.shape.size() > 5)
        return std::nullopt;
    inputs.src_shape = src.shape;
    inputs.dst_shape = compiler.shape_of(output_of(node));
    const Shape& shape = inputs.weights.shape();
    inputs.kernel.assign(shape.begin() + (grouped ? 3 : 2), shape.end());
    return inputs;
}

// A forward convolution, with a bias argument when `biased`.
dnnl::convolution_forward::desc convolution_desc(const dnnl::memory::desc& src,
                                                 const dnnl::memory::desc& weights, bool biased,
                                                 const dnnl::memory::desc& bias,
                                                 const dnnl::memory::desc& dst,
                                                 const Window& window) {
    constexpr auto inference = dnnl::prop_kind::forward_inference;
    constexpr auto direct = dnnl::algorithm::convolution_direct;
    return biased ? dnnl::convolution_forward::desc(inference, direct, src, weights, bias, dst,
                                                    window.strides, window.dilations,
                                                    window.pads_begin, window.pads_end)
                  : dnnl::convolution_forward::desc(inference, direct, src, weights, dst,
                                                    window.strides, window.dilations,
                                                    window.pads_begin, window.pads_end);
}

// `chain` for a destination whose channel c is repeated `blocks` times: channel
// b·C + c takes the operands of channel c. The chain ends before an op with a computed operand,
// which has the untiled shape.
PostOpChain tiled(PostOpChain chain, int64_t blocks) {
    const auto computed = std::find_if(chain.ops.begin(), chain.ops.end(),
                                       [](const FusedOp& op) { return op.tensor >= 0; });
    chain.ops.erase(computed, chain.ops.end());
    const auto tile = [blocks](Tensor& per_channel) {
        if (per_channel.size() <= 1) return;
        const auto channels = static_cast<int64_t>(per_channel.size());
        Tensor repeated(ElementType::f32, {channels * blocks});
        for (int64_t b = 0; b < blocks; ++b)
            std::copy_n(per_channel.data<float>(), channels, repeated.data<float>() + b * channels);
        per_channel = std::move(repeated);
    };
    for (FusedOp& op : chain.ops) {
        tile(op.operand);
        FakeQuantizeOp& ranges = op.fake_quantize;
        for (Tensor* range : {&ranges.in_low, &ranges.in_high, &ranges.out_low, &ranges.out_high})
            tile(*range);
    }
    return chain;
}

// Output channel c of the weights (a row) and the bias times scale[c], the bias plus shift[c].
void scale_channels(Tensor& weights, std::vector<float>& bias, const AbsorbedInput& absorbed) {
    const size_t row = weights.size() / bias.size();
    float* w = weights.data<float>();
    for (size_t c = 0; c < bias.size(); ++c) {
        for (size_t k = 0; k < row; ++k)
            w[c * row + k] *= absorbed.scale[c];
        bias[c] = bias[c] * absorbed.scale[c] + absorbed.shift[c];
    }
}

// The convolution with `chain` as post-ops; false when the primitive would compute fewer than
// `least` of its ops.
bool lower_convolution_with(const graph::Node& node, Compiler& compiler, const ConvInputs& inputs,
                            const Window& window, const PostOpChain& chain, const Tensor& weights,
                            const std::vector<float>& bias, size_t least) {
    const Shape& dst_shape = inputs.dst_shape;
    const size_t rank = dst_shape.size();
    const dnnl::memory::desc bias_desc({dst_shape[1]}, DataType::f32, Tag::x);
    const auto create = [&](const dnnl::memory::desc& src_desc) {
        return create_fused(chain, compiler, [&](const PostOpChain& fused, DataType dst_type) {
            return create_with_post_ops(
                fused, rank, 1, compiler,
                dnnl::memory::desc(dnnl_dims(dst_shape), dst_type, Tag::any),
                [&](const dnnl::primitive_attr& attr, const dnnl::memory::desc& dst_desc) {
                    const auto desc = convolution_desc(src_desc, any_desc(weights.shape()),
                                                       !bias.empty(), bias_desc, dst_desc, window);
                    return dnnl::convolution_forward::primitive_desc(desc, attr, cpu_engine());
                });
        });
    };
    // A first layer (few input channels, a plain image) is faster read as it is than reordered
    // into the layout oneDNN would pick.
    const dnnl::memory::desc& src_desc = compiler.value(inputs.src).desc;
    auto created = inputs.src_shape[1] <= 4 && is_plain(src_desc) ? create(src_desc) : std::nullopt;
    if (!created || is_reference_implementation(created->primitive))
        created = create(any_desc(inputs.src_shape));
    if (!created || created->count < least) return false;
    const auto& primitive = created->primitive;
    std::vector<PrimitiveArg> args = source_and_weights(
        compiler, inputs.src, weights, plain_desc(ElementType::f32, weights.shape()), primitive);
    const ValueId dst = created->add_dst(node, dst_shape, compiler);
    add_biased_primitive(node, compiler, primitive, std::move(args), bias, created->chain,
                         created->count, dst, inputs.levels ? "levels" : "");
    created->define(node, dst, compiler);
    return true;
}

}  // namespace

bool lower_convolution(const graph::Node& node, Compiler& compiler) {
    const bool grouped = node.type == "GroupConvolution";
    const auto inputs = read_inputs(node, compiler, grouped);
    if (!inputs) return false;
    const auto window =
        forward_window(node.attributes, inputs->src_shape, inputs->dst_shape, inputs->kernel, true);
    if (!window) return false;
    const Shape& dst_shape = inputs->dst_shape;
    const PostOpChain collected =
        collect_post_ops(node, compiler, dst_shape, {.channel_axis = 1, .fold = true, .sum = true});
    for (const bool absorb : {true, false}) {
        PostOpChain chain = collected;
        const auto channels = static_cast<size_t>(dst_shape[1]);
        const auto absorbed = absorb ? absorb_fake_quantize_input(chain, channels) : std::nullopt;
        if (absorb && !absorbed) continue;
        Tensor weights = inputs->weights;
        std::vector<float> bias;
        if (chain.folded > 0 || absorbed) {
            weights = weights.clone();
            bias.assign(channels, 0.0f);
            fold_into(chain, weights, bias);
        }
        if (absorbed) scale_channels(weights, bias, *absorbed);
        if (lower_convolution_with(node, compiler, *inputs, *window, chain, weights, bias,
                                   absorbed ? absorbed->index + 1 : 0))
            return true;
    }
    return false;
}

// A deconvolution whose stride equals its kernel, without padding, writes each input pixel to a
// kh×kw block of its own: a 1×1 convolution to C_out·kh·kw channels and a pixel shuffle.
// oneDNN 2.6's deconvolution runs such layers (2×2, stride 2) at a tenth of its 1×1
// convolution rate, and slower still with post-ops, which the convolution takes.
bool lower_subpixel_deconvolution(const graph::Node& node, Compiler& compiler) {
    if (node.type != "ConvolutionBackpropData") return false;
    const auto inputs = read_inputs(node, compiler, false);
    if (!inputs || inputs->src_shape.size() != 4) return false;
    const Shape& src_shape = inputs->src_shape;
    const Shape& dst_shape = inputs->dst_shape;
    const auto window = backward_window(node.attributes, src_shape, dst_shape, inputs->kernel,
                                        node.inputs.size() > 2);
    if (!window) return false;
    const int64_t kh = inputs->kernel[0], kw = inputs->kernel[1];
    const bool subpixel = window->strides == dnnl::memory::dims{kh, kw} &&
                          window->dilations == dnnl::memory::dims{0, 0} &&
                          window->pads_begin == dnnl::memory::dims{0, 0} &&
                          window->pads_end == dnnl::memory::dims{0, 0} &&
                          dst_shape[2] == src_shape[2] * kh && dst_shape[3] == src_shape[3] * kw;
    // The shuffle copies runs of kw·C_out floats: short ones would cost more than they save.
    if (!subpixel || dst_shape[1] * kw < 12) return false;

    const int64_t c_in = src_shape[1], c_out = dst_shape[1], channels = c_out * kh * kw;
    const float* deconv_weights = inputs->weights.data<float>();  // [C_in, C_out, kh, kw]
    Tensor weights(ElementType::f32, {channels, c_in, 1, 1});
    float* w = weights.data<float>();
    for (int64_t ci = 0; ci < c_in; ++ci)
        for (int64_t co = 0; co < c_out; ++co)
            for (int64_t k = 0; k < kh * kw; ++k)
                w[(k * c_out + co) * c_in + ci] = deconv_weights[(ci * c_out + co) * kh * kw + k];
    // The chain is tiled over the blocks once its FakeQuantize forms are chosen: they are per
    // output channel of the deconvolution.
    const PostOpChain chain =
        collect_post_ops(node, compiler, dst_shape, {.channel_axis = 1, .fold = true});
    std::vector<float> bias;
    if (chain.folded > 0) {
        bias.assign(static_cast<size_t>(channels), 0.0f);
        fold_into(tiled(chain, kh * kw), weights, bias);
    }

    const Shape conv_shape{dst_shape[0], channels, src_shape[2], src_shape[3]};
    const dnnl::memory::desc bias_desc({channels}, DataType::f32, Tag::x);
    const Window one_by_one{{1, 1}, {0, 0}, {0, 0}, {0, 0}};
    // Where the readers take the integers of a FakeQuantize in the chain, the convolution
    // computes them as floats and the shuffle writes them as 8-bit values: oneDNN 2.6 has no
    // f32 convolution writing 8-bit integers but its reference one.
    const dnnl::memory::desc conv_desc(dnnl_dims(conv_shape), DataType::f32, Tag::nhwc);
    const auto created = create_fused(chain, compiler, [&](const PostOpChain& fused, DataType) {
        return create_with_post_ops(
            tiled(fused, kh * kw), 4, 1, compiler, conv_desc,
            [&](const dnnl::primitive_attr& attr, const dnnl::memory::desc& dst_desc) {
                const auto desc = convolution_desc(any_desc(src_shape), any_desc(weights.shape()),
                                                   !bias.empty(), bias_desc, dst_desc, one_by_one);
                return dnnl::convolution_forward::primitive_desc(desc, attr, cpu_engine());
            });
    });
    if (!created || is_reference_implementation(created->primitive)) return false;
    const auto& primitive = created->primitive;

    std::vector<PrimitiveArg> args = source_and_weights(
        compiler, inputs->src, weights, plain_desc(ElementType::f32, weights.shape()), primitive);
    const ValueId blocks = compiler.add_value(node.name, ElementType::f32, conv_shape, conv_desc);
    add_biased_primitive(node, compiler, primitive, std::move(args), bias,
                         tiled(created->chain, kh * kw), created->count, blocks);

    const ElementType type = created->dst_type();
    const ValueId dst =
        compiler.add_value(node.name, type, dst_shape,
                           dnnl::memory::desc(dnnl_dims(dst_shape), *dnnl_type(type), Tag::nhwc));
    auto shuffle = std::make_unique<PixelShuffleStep>(blocks, dst, dst_shape, kh, kw, type);
    shuffle->name = node.name;
    compiler.add_step(std::move(shuffle));
    created->define(node, dst, compiler);
    return true;
}

// ConvolutionBackpropData is oneDNN's deconvolution; its weights are [C_in, C_out, k…]
// ([G, C_in, C_out, k…] grouped) where oneDNN reads [C_out, C_in, k…]: the plain weights are
// described with those axes swapped and reordered once.
bool lower_deconvolution(const graph::Node& node, Compiler& compiler) {
    const bool grouped = node.type == "GroupConvolutionBackpropData";
    const auto inputs = read_inputs(node, compiler, grouped);
    if (!inputs) return false;
    const bool has_output_shape = node.inputs.size() > 2;
    const auto window = backward_window(node.attributes, inputs->src_shape, inputs->dst_shape,
                                        inputs->kernel, has_output_shape);
    if (!window) return false;
    for (auto pad : window->pads_end)
        if (pad < 0) return false;
    const Shape& dst_shape = inputs->dst_shape;
    const size_t rank = dst_shape.size();
    // oneDNN 2.6 runs a deconvolution with any post-op some 60 times slower (a 2×2 stride-2
    // deconvolution with a ReLU: 150 ms instead of 2.4), so only a bias is fused, as the
    // primitive's bias argument; activations after it are primitives of their own.
    PostOpChain chain =
        collect_post_ops(node, compiler, dst_shape, {.channel_axis = 1, .fold = true});
    size_t shifts = 0;
    while (shifts < chain.folded && chain.ops[shifts].kind == FusedOp::Kind::shift)
        ++shifts;
    chain.ops.resize(shifts);
    chain.folded = shifts;
    std::vector<float> bias;
    if (shifts > 0) bias.assign(static_cast<size_t>(dst_shape[1]), 0.0f);
    for (const FusedOp& op : chain.ops)
        for (size_t c = 0; c < bias.size(); ++c)
            bias[c] += op.operand.data<float>()[op.operand.size() > 1 ? c : 0];
    const dnnl::memory::desc bias_desc({dst_shape[1]}, DataType::f32, Tag::x);

    const Tensor& weights = inputs->weights;
    std::vector<int64_t> order(weights.rank());
    std::iota(order.begin(), order.end(), 0);
    std::swap(order[grouped ? 1 : 0], order[grouped ? 2 : 1]);
    const dnnl::memory::desc weights_desc =
        permuted_desc(plain_desc(ElementType::f32, weights.shape()), order);
    // A few output channels padded to oneDNN's channel blocks would waste most of the work.
    const auto dst_desc =
        dst_shape[1] < 8 ? plain_desc(ElementType::f32, dst_shape) : any_desc(dst_shape);
    const auto created = create_with_post_ops(
        chain, rank, 1, compiler, dst_desc,
        [&](const dnnl::primitive_attr& attr, const dnnl::memory::desc& dst_desc) {
            const dnnl::memory::desc src_desc = any_desc(inputs->src_shape);
            const dnnl::memory::desc weights_any(weights_desc.dims(), DataType::f32, Tag::any);
            const auto desc =
                bias.empty()
                    ? dnnl::deconvolution_forward::desc(
                          dnnl::prop_kind::forward_inference, dnnl::algorithm::deconvolution_direct,
                          src_desc, weights_any, dst_desc, window->strides, window->dilations,
                          window->pads_begin, window->pads_end)
                    : dnnl::deconvolution_forward::desc(
                          dnnl::prop_kind::forward_inference, dnnl::algorithm::deconvolution_direct,
                          src_desc, weights_any, bias_desc, dst_desc, window->strides,
                          window->dilations, window->pads_begin, window->pads_end);
            return dnnl::deconvolution_forward::primitive_desc(desc, attr, cpu_engine());
        });
    if (!created) return false;
    const auto& [primitive, count] = *created;

    std::vector<PrimitiveArg> args =
        source_and_weights(compiler, inputs->src, weights, weights_desc, primitive);
    add_primitive_with_bias(node, compiler, primitive, std::move(args), bias, chain, count);
    return true;
}

}  // namespace es::devices::cpu
