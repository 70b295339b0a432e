#include "devices/cpu/post_ops.h"
#include "devices/cpu/primitive_family.h"
#include "devices/cpu/window.h"
#include "inference/core/error.h"
#include "inference/graph/op.h"

namespace es::devices::cpu {

// Runs a convolution and the pooling of its output one band of rows at a time: the band stays
// in the cache between the two primitives, where the whole convolution output (megabytes for a
// first layer) would go to memory and back.
class BandedConvolutionStep : public Step {
  public:
    // One pair of primitives: the convolution of a band's source rows into the band buffer, and
    // the pooling of the band into its rows of the destination.
    struct Pair {
        dnnl::primitive conv;
        std::vector<PrimitiveArg> conv_args;  // DNNL_ARG_SRC first
        dnnl::primitive pool;
        std::vector<PrimitiveArg> pool_args;  // DNNL_ARG_DST first
    };
    struct Band {
        size_t pair;
        size_t src_offset;  // bytes into the source
        size_t dst_offset;  // bytes into the destination
    };
    BandedConvolutionStep(std::vector<Pair> pairs, std::vector<Band> bands,
                          size_t scratchpad_bytes);
    std::unique_ptr<StepInstance> instantiate(Frame& frame) const override;
    size_t scratchpad_bytes() const override { return m_scratchpad_bytes; }

  private:
    friend class BandedConvolutionInstance;
    std::vector<Pair> m_pairs;
    std::vector<Band> m_bands;
    size_t m_scratchpad_bytes;
};

class BandedConvolutionInstance : public StepInstance {
  public:
    BandedConvolutionInstance(const BandedConvolutionStep& step, Frame& frame) : m_step(step) {
        for (const auto& pair : step.m_pairs) {
            m_convs.emplace_back(pair.conv, pair.conv_args, step.m_scratchpad_bytes, frame);
            m_pools.emplace_back(pair.pool, pair.pool_args, step.m_scratchpad_bytes, frame);
        }
    }

    // Argument 0 of each primitive (the convolution's source, the pooling's destination) moves
    // from band to band.
    void run(Frame& frame) override {
        std::byte* src = frame.address(m_step.m_pairs[0].conv_args[0].value);
        std::byte* dst = frame.address(m_step.m_pairs[0].pool_args[0].value);
        for (size_t i = 0; i < m_convs.size(); ++i) {
            m_convs[i].bind(frame);
            m_pools[i].bind(frame);
        }
        for (const auto& band : m_step.m_bands) {
            BoundPrimitive& conv = m_convs[band.pair];
            conv.set_address(0, src + band.src_offset);
            conv.execute(frame);
            BoundPrimitive& pool = m_pools[band.pair];
            pool.set_address(0, dst + band.dst_offset);
            pool.execute(frame);
        }
    }

  private:
    const BandedConvolutionStep& m_step;
    std::vector<BoundPrimitive> m_convs;
    std::vector<BoundPrimitive> m_pools;
};

BandedConvolutionStep::BandedConvolutionStep(std::vector<Pair> pairs, std::vector<Band> bands,
                                             size_t scratchpad_bytes)
    : m_pairs(std::move(pairs)), m_bands(std::move(bands)), m_scratchpad_bytes(scratchpad_bytes) {
    for (const Pair& pair : m_pairs) {
        for (const auto* args : {&pair.conv_args, &pair.pool_args})
            for (const PrimitiveArg& arg : *args)
                (arg.arg == DNNL_ARG_DST ? writes : reads).push_back(arg.value);
    }
}

std::unique_ptr<StepInstance> BandedConvolutionStep::instantiate(Frame& frame) const {
    return std::make_unique<BandedConvolutionInstance>(*this, frame);
}

namespace {

using Tag = dnnl::memory::format_tag;
using DataType = dnnl::memory::data_type;

// The convolution output bytes from which banding pays: below, the output stays in the cache.
constexpr size_t k_least_output_bytes = size_t{1} << 20;
// Bytes of convolution output per band.
constexpr size_t k_band_bytes = size_t{256} << 10;

bool is_slow(const dnnl::primitive_desc_base& primitive) {
    const std::string name = primitive.impl_info_str();
    return name.rfind("ref", 0) == 0 || name.rfind("simple", 0) == 0;
}

// The pooling that alone reads `output` (its only output read), with windows that neither
// overlap nor pad along H; nullptr otherwise.
const graph::Node* banded_pooling(const graph::Output& output, Compiler& compiler) {
    const graph::Node* pool = compiler.sole_consumer(output);
    if (!pool || (pool->type != "MaxPool" && pool->type != "AvgPool")) return nullptr;
    for (size_t i = 1; i < pool->outputs.size(); ++i)
        if (!compiler.consumers(output_of(*pool, i)).empty() ||
            compiler.is_model_output(output_of(*pool, i)))
            return nullptr;
    return pool;
}

struct BandShapes {
    Shape src;   // the convolution's source rows
    Shape conv;  // the convolution's output rows
    Shape pool;  // the pooled rows
};

}  // namespace

// A convolution (with its post-ops) whose output only a pooling reads, with windows that do not
// overlap along H (Keras' Conv2D and MaxPooling2D), computed in bands of rows by one step: for
// outputs of a megabyte or more, on a channels-last source of batch 1 not padded along H.
bool lower_banded_convolution(const graph::Node& node, Compiler& compiler) {
    const Tensor* weights_value = compiler.constant_input(node, 1);
    const ValueId src = compiler.input_value(node, 0);
    const Value source = compiler.value(src);
    if (!weights_value || weights_value->type() != ElementType::f32 ||
        source.type != ElementType::f32 || source.shape.size() != 4 || source.shape[0] != 1 ||
        source.desc != dnnl::memory::desc(dnnl_dims(source.shape), DataType::f32, Tag::nhwc))
        return false;
    const Shape& conv_shape = compiler.shape_of(output_of(node));
    if (shape_size(conv_shape) * sizeof(float) < k_least_output_bytes) return false;
    const Shape& weights_shape = weights_value->shape();
    const std::vector<int64_t> kernel(weights_shape.begin() + 2, weights_shape.end());
    const auto window = forward_window(node.attributes, source.shape, conv_shape, kernel, true);
    if (!window || window->pads_begin[0] != 0 || window->pads_end[0] > 0) return false;

    PostOpChain chain =
        collect_post_ops(node, compiler, conv_shape, {.channel_axis = 1, .fold = true});
    for (const FusedOp& op : chain.ops)
        if (op.kind == FusedOp::Kind::fake_quantize || op.kind == FusedOp::Kind::sum) return false;
    const graph::Node* pool = banded_pooling(
        chain.ops.empty() ? output_of(node) : output_of(*chain.ops.back().node), compiler);
    if (!pool) return false;
    const Shape& pool_shape = compiler.shape_of(output_of(*pool));
    const std::vector<int64_t> pool_kernel = pool->attributes.get_ints("kernel");
    const bool max = pool->type == "MaxPool";
    const auto pool_window = forward_window(pool->attributes, conv_shape, pool_shape, pool_kernel,
                                            max && pool->op->since_opset >= 8);
    if (!pool_window || pool_kernel.size() != 2 || pool_window->strides[0] != pool_kernel[0] ||
        pool_window->dilations[0] != 0 || pool_window->pads_begin[0] != 0 ||
        pool_window->pads_end[0] > 0)
        return false;
    dnnl::algorithm algorithm = dnnl::algorithm::pooling_max;
    if (!max)
        algorithm = !pool->attributes.get_bool("exclude-pad", false) && pool_window->padded
                        ? dnnl::algorithm::pooling_avg_include_padding
                        : dnnl::algorithm::pooling_avg_exclude_padding;
    const PostOpChain pool_chain =
        collect_post_ops(*pool, compiler, pool_shape, {.channel_axis = 1});

    Tensor weights = *weights_value;
    std::vector<float> bias;
    if (chain.folded > 0) {
        weights = weights.clone();
        bias.assign(static_cast<size_t>(conv_shape[1]), 0.0f);
        fold_into(chain, weights, bias);
    }
    // Bands of `rows` pooled rows: the pooling reads the convolution's first
    // pool_shape[2] * pool_kernel[0] rows only.
    const int64_t window_rows = pool_kernel[0];
    const size_t row_bytes = static_cast<size_t>(conv_shape[1] * conv_shape[3]) * sizeof(float);
    const int64_t rows = std::max<int64_t>(
        1, static_cast<int64_t>(k_band_bytes / (row_bytes * static_cast<size_t>(window_rows))));
    const auto shapes_of = [&](int64_t pooled_rows) {
        const int64_t conv_rows = pooled_rows * window_rows;
        const int64_t src_rows =
            (conv_rows - 1) * window->strides[0] + (kernel[0] - 1) * (window->dilations[0] + 1) + 1;
        return BandShapes{{1, source.shape[1], src_rows, source.shape[3]},
                          {1, conv_shape[1], conv_rows, conv_shape[3]},
                          {1, pool_shape[1], pooled_rows, pool_shape[3]}};
    };
    if (rows >= pool_shape[2]) return false;  // one band: nothing to gain

    const dnnl::memory::desc bias_desc({conv_shape[1]}, DataType::f32, Tag::x);
    struct Created {
        BandShapes shapes;
        dnnl::convolution_forward::primitive_desc conv;
        dnnl::pooling_v2_forward::primitive_desc pool;
    };
    std::vector<Created> created;
    size_t pool_count = 0, scratchpad = 0;
    for (const int64_t pooled_rows : {rows, pool_shape[2] % rows}) {
        if (pooled_rows == 0) continue;
        const BandShapes shapes = shapes_of(pooled_rows);
        const auto conv = create_with_post_ops(
            chain, 4, 1, compiler,
            dnnl::memory::desc(dnnl_dims(shapes.conv), DataType::f32, Tag::any),
            [&](const dnnl::primitive_attr& attr, const dnnl::memory::desc& dst_desc) {
                const dnnl::memory::desc src_desc(dnnl_dims(shapes.src), DataType::f32, Tag::nhwc);
                const dnnl::memory::desc weights_desc(dnnl_dims(weights.shape()), DataType::f32,
                                                      Tag::any);
                const dnnl::memory::dims pads_begin{0, window->pads_begin[1]};
                const dnnl::memory::dims pads_end{0, window->pads_end[1]};
                constexpr auto inference = dnnl::prop_kind::forward_inference;
                constexpr auto direct = dnnl::algorithm::convolution_direct;
                const auto desc =
                    bias.empty()
                        ? dnnl::convolution_forward::desc(inference, direct, src_desc, weights_desc,
                                                          dst_desc, window->strides,
                                                          window->dilations, pads_begin, pads_end)
                        : dnnl::convolution_forward::desc(inference, direct, src_desc, weights_desc,
                                                          bias_desc, dst_desc, window->strides,
                                                          window->dilations, pads_begin, pads_end);
                return dnnl::convolution_forward::primitive_desc(desc, attr, cpu_engine());
            });
        if (!conv || conv->second != chain.ops.size() || is_slow(conv->first)) return false;
        // Each pooling window lies inside one band: a band's pooled rows are its own.
        const auto pooling = create_with_post_ops(
            pool_chain, 4, 1, compiler,
            dnnl::memory::desc(dnnl_dims(shapes.pool), DataType::f32, Tag::nhwc),
            [&](const dnnl::primitive_attr& attr, const dnnl::memory::desc& dst_desc) {
                const dnnl::memory::dims pads_begin{0, pool_window->pads_begin[1]};
                const dnnl::memory::dims pads_end{0, pool_window->pads_end[1]};
                const dnnl::pooling_v2_forward::desc desc(
                    dnnl::prop_kind::forward_inference, algorithm, conv->first.dst_desc(), dst_desc,
                    pool_window->strides,
                    dnnl::memory::dims(pool_kernel.begin(), pool_kernel.end()),
                    pool_window->dilations, pads_begin, pads_end);
                return dnnl::pooling_v2_forward::primitive_desc(desc, attr, cpu_engine());
            });
        if (!pooling || is_slow(pooling->first) ||
            (pooling->second > 0 && !pooling_takes_post_ops(pooling->first)) ||
            (!created.empty() && pooling->second != pool_count) ||
            pooling->first.dst_desc() !=
                dnnl::memory::desc(dnnl_dims(shapes.pool), DataType::f32, Tag::nhwc))
            return false;
        pool_count = pooling->second;
        scratchpad = std::max({scratchpad, conv->first.scratchpad_desc().get_size(),
                               pooling->first.scratchpad_desc().get_size()});
        created.push_back({shapes, conv->first, pooling->first});
    }

    // Every check has passed: add the values and bind the arguments.
    const auto band_of = [&](ValueId base, const Shape& shape) {
        return compiler.add_alias(base, compiler.value(base).name, shape,
                                  dnnl::memory::desc(dnnl_dims(shape), DataType::f32, Tag::nhwc),
                                  Compiler::Alias::view);
    };
    const ValueId dst =
        compiler.add_value(pool->name, ElementType::f32, pool_shape,
                           dnnl::memory::desc(dnnl_dims(pool_shape), DataType::f32, Tag::nhwc));
    // The primitives of the two band heights may want the weights in different layouts.
    std::vector<std::pair<dnnl::memory::desc, ValueId>> weights_ids;
    const auto weights_in = [&](const dnnl::memory::desc& desc) {
        for (const auto& [layout, id] : weights_ids)
            if (layout == desc) return id;
        weights_ids.emplace_back(
            desc,
            compiler.add_weights(weights, plain_desc(ElementType::f32, weights.shape()), desc));
        return weights_ids.back().second;
    };
    std::optional<ValueId> bias_id;
    if (!bias.empty()) {
        Tensor bias_tensor(ElementType::f32, {conv_shape[1]});
        std::copy(bias.begin(), bias.end(), bias_tensor.data<float>());
        bias_id = compiler.add_weights(bias_tensor, bias_desc, created[0].conv.bias_desc());
    }
    const std::vector<PrimitiveArg> conv_post_args =
        post_op_args(chain, chain.ops.size(), 4, 1, compiler);
    const std::vector<PrimitiveArg> pool_post_args =
        post_op_args(pool_chain, pool_count, 4, 1, compiler);
    std::vector<BandedConvolutionStep::Pair> pairs;
    for (const Created& pair_desc : created) {
        BandedConvolutionStep::Pair pair;
        pair.conv = dnnl::convolution_forward(pair_desc.conv);
        pair.pool = dnnl::pooling_v2_forward(pair_desc.pool);
        const ValueId band = compiler.add_value(node.name, ElementType::f32, pair_desc.shapes.conv,
                                                pair_desc.conv.dst_desc());
        pair.conv_args = {{DNNL_ARG_SRC, band_of(src, pair_desc.shapes.src)},
                          {DNNL_ARG_WEIGHTS, weights_in(pair_desc.conv.weights_desc())}};
        if (bias_id) pair.conv_args.push_back({DNNL_ARG_BIAS, *bias_id});
        pair.conv_args.push_back({DNNL_ARG_DST, band});
        pair.conv_args.insert(pair.conv_args.end(), conv_post_args.begin(), conv_post_args.end());
        pair.pool_args = {{DNNL_ARG_DST, band_of(dst, pair_desc.shapes.pool)},
                          {DNNL_ARG_SRC, band}};
        pair.pool_args.insert(pair.pool_args.end(), pool_post_args.begin(), pool_post_args.end());
        pairs.push_back(std::move(pair));
    }
    const size_t src_row_bytes =
        static_cast<size_t>(source.shape[1] * source.shape[3]) * sizeof(float);
    const size_t pooled_row_bytes =
        static_cast<size_t>(pool_shape[1] * pool_shape[3]) * sizeof(float);
    std::vector<BandedConvolutionStep::Band> bands;
    for (int64_t first = 0; first < pool_shape[2]; first += rows)
        bands.push_back(
            {first + rows <= pool_shape[2] ? size_t{0} : size_t{1},
             static_cast<size_t>(first * window_rows * window->strides[0]) * src_row_bytes,
             static_cast<size_t>(first) * pooled_row_bytes});
    auto step =
        std::make_unique<BandedConvolutionStep>(std::move(pairs), std::move(bands), scratchpad);
    step->name = node.name;
    step->type = node.type;
    step->implementation = fmt::format("{} + {}, in bands", implementation_of(created[0].conv),
                                       implementation_of(created[0].pool));
    compiler.add_step(std::move(step));
    finish_fusion(chain, chain.ops.size(), node, compiler);
    compiler.fuse(*pool, node);
    compiler.define(finish_fusion(pool_chain, pool_count, *pool, compiler), dst);
    return true;
}

}  // namespace es::devices::cpu
