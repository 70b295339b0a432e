#include "devices/cpu/post_ops.h"
#include "devices/cpu/primitive_family.h"
#include "devices/cpu/quantization.h"
#include "devices/cpu/window.h"
#include "inference/graph/op.h"

namespace es::devices::cpu {
namespace {

using Tag = dnnl::memory::format_tag;

bool is_slow(const dnnl::primitive_desc_base& primitive) {
    const std::string name = primitive.impl_info_str();
    return name.rfind("ref", 0) == 0 || name.rfind("simple", 0) == 0;
}

// oneDNN 2.7's SSE4.1 pooling kernel crashes while it is generated with an eltwise post-op.
bool takes_post_ops(const dnnl::primitive_desc_base& primitive) {
    return std::string(primitive.impl_info_str()).find("sse41") == std::string::npos;
}

}  // namespace

bool pooling_takes_post_ops(const dnnl::primitive_desc_base& primitive) {
    return takes_post_ops(primitive);
}

namespace {

// Adds a pooling primitive from `src` to a new value of `dst_shape` and its type. oneDNN's fast
// kernels take blocked and channels-last layouts: `src` in another layout (plain NCHW, a
// Transpose's view) is reordered to channels-last when that makes the difference. Nullopt when
// oneDNN has no implementation, or only its reference one and `reference` is false.
// The chain's ops are computed as post-ops where oneDNN takes them: the returned value is then
// defined as the output of the last one fused.
std::optional<ValueId> add_pooling(const graph::Node& node, Compiler& compiler, ValueId src,
                                   const Shape& dst_shape, dnnl::algorithm algorithm,
                                   const Window& window, const std::vector<int64_t>& kernel,
                                   bool reference = true, const PostOpChain& chain = {}) {
    const Value source = compiler.value(src);
    const size_t rank = dst_shape.size();
    const dnnl::memory::desc dst_any(dnnl_dims(dst_shape), source.desc.data_type(), Tag::any);
    const auto create = [&](const dnnl::memory::desc& src_desc) {
        const auto created = create_with_post_ops(
            chain, rank, 1, compiler, dst_any,
            [&](const dnnl::primitive_attr& attr, const dnnl::memory::desc& dst_desc) {
                const dnnl::pooling_v2_forward::desc desc(
                    dnnl::prop_kind::forward_inference, algorithm, src_desc, dst_desc,
                    window.strides, dnnl::memory::dims(kernel.begin(), kernel.end()),
                    window.dilations, window.pads_begin, window.pads_end);
                return dnnl::pooling_v2_forward::primitive_desc(desc, attr, cpu_engine());
            });
        const bool fused = created && created->second > 0;
        return fused && (is_slow(created->first) || !takes_post_ops(created->first)) ? std::nullopt
                                                                                     : created;
    };
    auto created = create(source.desc);
    if (!created || is_slow(created->first)) {
        static const Tag channels_last[] = {Tag::nwc, Tag::nhwc, Tag::ndhwc};
        const dnnl::memory::desc last(dnnl_dims(source.shape), source.desc.data_type(),
                                      channels_last[source.shape.size() - 3]);
        auto reordered = create(last);
        if (reordered && !is_slow(reordered->first)) {
            created = std::move(reordered);
            src = compiler.to_layout(src, last);
        }
    }
    if (!created && !chain.ops.empty())
        return add_pooling(node, compiler, src, dst_shape, algorithm, window, kernel, reference);
    if (!created || (!reference && is_reference_implementation(created->first)))
        return std::nullopt;
    const auto& [primitive, count] = *created;
    const ValueId dst = compiler.add_value(node.name, source.type, dst_shape, primitive.dst_desc());
    std::vector<PrimitiveArg> args = {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}};
    for (const PrimitiveArg& arg : post_op_args(chain, count, rank, 1, compiler))
        args.push_back(arg);
    compiler.add_primitive(node, primitive, std::move(args));
    if (count > 0) compiler.define(finish_fusion(chain, count, node, compiler), dst);
    return dst;
}

// MaxPool and AvgPool of `src`. oneDNN has no rounding mode: ceil rounding becomes a larger end
// pad. AvgPool without exclude-pad divides by the whole kernel only when the attributes pad (as
// the reference does); otherwise by the taps inside the input.
std::optional<ValueId> add_window_pooling(const graph::Node& node, Compiler& compiler, ValueId src,
                                          const PostOpChain& chain = {}) {
    const bool max = node.type == "MaxPool";
    const Shape src_shape = compiler.value(src).shape;
    const Shape& dst_shape = compiler.shape_of(output_of(node));
    const std::vector<int64_t> kernel = node.attributes.get_ints("kernel");
    const bool dilated = max && node.op->since_opset >= 8;
    const auto window = forward_window(node.attributes, src_shape, dst_shape, kernel, dilated);
    if (!window) return std::nullopt;
    dnnl::algorithm algorithm = dnnl::algorithm::pooling_max;
    if (!max) {
        const bool exclude_pad = node.attributes.get_bool("exclude-pad", false);
        algorithm = !exclude_pad && window->padded ? dnnl::algorithm::pooling_avg_include_padding
                                                   : dnnl::algorithm::pooling_avg_exclude_padding;
    }
    return add_pooling(node, compiler, src, dst_shape, algorithm, *window, kernel, true, chain);
}

bool uses_indices(const graph::Node& node, const Compiler& compiler) {
    return node.outputs.size() > 1 && (!compiler.consumers(output_of(node, 1)).empty() ||
                                       compiler.is_model_output(output_of(node, 1)));
}

// The f32 input of a pooling or reduction of rank 3 to 5; nullopt otherwise.
std::optional<ValueId> spatial_input(const graph::Node& node, Compiler& compiler) {
    const ValueId src = compiler.input_value(node, 0);
    const Value& value = compiler.value(src);
    if (value.type != ElementType::f32 || value.shape.size() < 3 || value.shape.size() > 5)
        return std::nullopt;
    return src;
}

}  // namespace

bool lower_pooling(const graph::Node& node, Compiler& compiler) {
    if (uses_indices(node, compiler)) return false;
    const auto src = spatial_input(node, compiler);
    if (!src) return false;
    // Activations after a pooling (Keras' Conv2D, MaxPool, ReLU) are its post-ops.
    const PostOpChain chain =
        collect_post_ops(node, compiler, compiler.shape_of(output_of(node)), {.channel_axis = 1});
    const auto dst = add_window_pooling(node, compiler, *src, chain);
    if (!dst) return false;
    if (chain.ops.empty() || !compiler.is_fused(*chain.ops[0].node))
        compiler.define(output_of(node), *dst);
    return true;
}

// MaxPool of a value a step wrote as 8-bit integers, for readers that take them.
bool lower_quantized_max_pool(const graph::Node& node, Compiler& compiler) {
    const auto form = quantization_of(output_of(node), compiler);
    if (uses_indices(node, compiler) || !form ||
        !read_as_quantized(output_of(node), *form, compiler))
        return false;
    const auto written = quantized_value(node.inputs.at(0).source, *form, compiler);
    if (!written || compiler.value(*written).shape.size() < 3) return false;
    const auto dst = add_window_pooling(node, compiler, *written);
    if (!dst) return false;
    compiler.define_quantized(output_of(node), *dst, *form);
    return true;
}

namespace {

// oneDNN's reduction of `src_desc` to plain `kept`; nullopt when it has none or only its
// reference kernel.
std::optional<dnnl::reduction::primitive_desc> fast_reduction(dnnl::algorithm algorithm,
                                                              const dnnl::memory::desc& src_desc,
                                                              const Shape& kept) {
    const auto primitive = try_create([&] {
        const dnnl::reduction::desc desc(algorithm, src_desc, plain_desc(ElementType::f32, kept),
                                         0.0f, 0.0f);
        return dnnl::reduction::primitive_desc(desc, default_attr(), cpu_engine());
    });
    if (!primitive || is_reference_implementation(*primitive)) return std::nullopt;
    return primitive;
}

ValueId add_reduction_step(const graph::Node& node, Compiler& compiler,
                           const dnnl::reduction::primitive_desc& primitive, ValueId src,
                           const Shape& kept) {
    const ValueId dst = compiler.add_value(node.name, ElementType::f32, kept, primitive.dst_desc());
    compiler.add_primitive(node, primitive, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
    return dst;
}

// The kept axes of `reduced` in order, then the reduced ones.
std::vector<int64_t> kept_axes_first(const std::vector<bool>& reduced) {
    std::vector<int64_t> order;
    for (bool pick_reduced : {false, true})
        for (size_t axis = 0; axis < reduced.size(); ++axis)
            if (reduced[axis] == pick_reduced) order.push_back(static_cast<int64_t>(axis));
    return order;
}

Shape permuted(const Shape& shape, const std::vector<int64_t>& order) {
    Shape result;
    for (int64_t axis : order)
        result.push_back(shape[static_cast<size_t>(axis)]);
    return result;
}

// The inverse of the Transpose order `order`.
std::vector<int64_t> inverse(const std::vector<int64_t>& order) {
    std::vector<int64_t> result(order.size());
    for (size_t i = 0; i < order.size(); ++i)
        result[static_cast<size_t>(order[i])] = static_cast<int64_t>(i);
    return result;
}

// A reduction other than a global pooling, into a plain value of `kept`. oneDNN's fast kernels
// reduce the innermost axes of plain tensors: where the reduced axes are not innermost, `src` is
// first reordered so that they are.
std::optional<ValueId> add_reduction(const graph::Node& node, Compiler& compiler, ValueId src,
                                     const std::vector<bool>& reduced, const Shape& kept) {
    static const std::pair<std::string_view, dnnl::algorithm> algorithms[] = {
        {"ReduceMean", dnnl::algorithm::reduction_mean},
        {"ReduceSum", dnnl::algorithm::reduction_sum},
        {"ReduceMax", dnnl::algorithm::reduction_max},
        {"ReduceMin", dnnl::algorithm::reduction_min},
        {"ReduceProd", dnnl::algorithm::reduction_mul},
    };
    const auto found = std::find_if(std::begin(algorithms), std::end(algorithms),
                                    [&](const auto& entry) { return entry.first == node.type; });
    if (found == std::end(algorithms)) return std::nullopt;
    const Shape shape = compiler.value(src).shape;
    if (const auto primitive =
            fast_reduction(found->second, plain_desc(ElementType::f32, shape), kept))
        return add_reduction_step(node, compiler, *primitive, compiler.to_plain(src), kept);
    // Plain in the order kept axes, reduced axes: the kept ones keep their relative order, so
    // the result's bytes are those of `kept`.
    const std::vector<int64_t> order = kept_axes_first(reduced);
    const Shape seen = permuted(shape, order);
    const auto primitive =
        fast_reduction(found->second, plain_desc(ElementType::f32, seen), permuted(kept, order));
    if (!primitive) return std::nullopt;
    const ValueId reordered =
        compiler.to_layout(src, permuted_desc(plain_desc(ElementType::f32, seen), inverse(order)));
    const ValueId view = compiler.add_alias(
        reordered, node.name, seen, plain_desc(ElementType::f32, seen), Compiler::Alias::view);
    const ValueId dst = add_reduction_step(node, compiler, *primitive, view, permuted(kept, order));
    return compiler.add_alias(dst, node.name, kept, plain_desc(ElementType::f32, kept),
                              Compiler::Alias::reshape);
}

// ReduceMean or ReduceMax of `src` keeping two axes and reducing one to three as global pooling,
// fast in any layout oneDNN's pooling kernels take (nChw16c, nhwc …): `src` is seen with its
// kept axes first, so that TensorFlow's mean over H and W of an NHWC tensor is a pooling of
// the NCHW tensor in nhwc layout. Returns the result seen in `kept`'s axis order.
std::optional<ValueId> add_global_pooling(const graph::Node& node, Compiler& compiler, ValueId src,
                                          const std::vector<bool>& reduced, const Shape& kept) {
    const bool max = node.type == "ReduceMax";
    if (!max && node.type != "ReduceMean") return std::nullopt;
    const auto kept_count = std::count(reduced.begin(), reduced.end(), false);
    if (kept_count != 2 || reduced.size() < 3 || reduced.size() > 5) return std::nullopt;
    const std::vector<int64_t> order = kept_axes_first(reduced);
    const Value source = compiler.value(src);
    const Shape seen = permuted(source.shape, order);
    const ValueId view = compiler.add_alias(src, node.name, seen, permuted_desc(source.desc, order),
                                            Compiler::Alias::view);
    const size_t spatial = reduced.size() - 2;
    Window window;
    window.strides.assign(spatial, 1);
    window.dilations.assign(spatial, 0);
    window.pads_begin.assign(spatial, 0);
    window.pads_end.assign(spatial, 0);
    const std::vector<int64_t> kernel(seen.begin() + 2, seen.end());
    Shape pooled_shape(seen.begin(), seen.begin() + 2);
    pooled_shape.resize(seen.size(), 1);
    const auto pooled = add_pooling(
        node, compiler, view, pooled_shape,
        max ? dnnl::algorithm::pooling_max : dnnl::algorithm::pooling_avg_exclude_padding, window,
        kernel, false);
    if (!pooled) return std::nullopt;
    const Value result = compiler.value(*pooled);
    return compiler.add_alias(*pooled, node.name, kept, permuted_desc(result.desc, inverse(order)),
                              Compiler::Alias::reshape);
}

}  // namespace

// Reductions with the axes given by a constant. Means and maxima over all axes but two are
// global pooling; the others use oneDNN's reduction primitive on plain tensors.
bool lower_reduction(const graph::Node& node, Compiler& compiler) {
    const Tensor* axes_value = compiler.constant_input(node, 1);
    const ValueId src = compiler.input_value(node, 0);
    const Value& value = compiler.value(src);
    if (!axes_value || value.type != ElementType::f32 || value.shape.empty() ||
        shape_size(value.shape) == 0)
        return false;
    const Shape src_shape = value.shape;
    const size_t rank = src_shape.size();
    std::vector<bool> reduced(rank, false);
    for (int64_t axis : axes_value->to_int64s()) {
        const auto normalized = normalize_axis(axis, rank);
        if (!normalized) return false;
        reduced[*normalized] = true;
    }
    Shape kept = src_shape;
    for (size_t i = 0; i < rank; ++i)
        if (reduced[i]) kept[i] = 1;
    auto result = add_global_pooling(node, compiler, src, reduced, kept);
    if (!result) result = add_reduction(node, compiler, src, reduced, kept);
    if (!result) return false;
    const Shape& dst_shape = compiler.shape_of(output_of(node));
    if (dst_shape != kept) {  // keep_dims false: the same bytes without the reduced axes
        const ValueId plain = compiler.to_plain(*result);
        compiler.define(output_of(node), compiler.add_alias(plain, node.name, dst_shape,
                                                            plain_desc(ElementType::f32, dst_shape),
                                                            Compiler::Alias::reshape));
    } else {
        compiler.define(output_of(node), *result);
    }
    return true;
}

}  // namespace es::devices::cpu
