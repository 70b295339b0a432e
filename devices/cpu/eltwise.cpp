#include "devices/cpu/post_ops.h"
#include "devices/cpu/primitive_family.h"

namespace es::devices::cpu {

namespace {

std::optional<dnnl::eltwise_forward::primitive_desc> eltwise_primitive(
    const EltwiseOp& op, const dnnl::memory::desc& src_desc, const dnnl::primitive_attr& attr) {
    return try_create([&] {
        const dnnl::eltwise_forward::desc desc(dnnl::prop_kind::forward_inference, op.algorithm,
                                               src_desc, op.alpha, op.beta);
        return dnnl::eltwise_forward::primitive_desc(desc, attr, cpu_engine());
    });
}

}  // namespace

// Activations and unary math on their own, with the activation chain that follows as post-ops.
// An op that takes several eltwise steps (HSigmoid) runs as one primitive per
// step, all but the first in place.
bool lower_eltwise(const graph::Node& node, Compiler& compiler) {
    const auto ops = eltwise_ops(node, compiler);
    if (!ops) return false;
    const ValueId src = compiler.input_value(node, 0);
    const Value value = compiler.value(src);
    const Shape& shape = value.shape;
    const dnnl::memory::desc& src_desc = value.desc;
    const size_t rank = std::max<size_t>(shape.size(), 1);
    PostOpChain chain;
    if (rank >= 2) chain = collect_post_ops(node, compiler, shape, {.channel_axis = 1});
    std::vector<dnnl::eltwise_forward::primitive_desc> rest;
    for (size_t i = 1; i < ops->size(); ++i) {
        const auto primitive = eltwise_primitive((*ops)[i], src_desc, default_attr());
        if (!primitive) return false;
        rest.push_back(*primitive);
    }
    const EltwiseOp& first = ops->front();
    const auto created = create_with_post_ops(
        chain, rank, 1, compiler, src_desc,
        [&](const dnnl::primitive_attr& attr, const dnnl::memory::desc&) {
            return *eltwise_primitive(first, src_desc, ops->size() > 1 ? default_attr() : attr);
        });
    if (!created) return false;
    const auto& [primitive, fused] = *created;
    const size_t count = ops->size() > 1 ? 0 : fused;
    const ValueId dst =
        compiler.add_value(node.name, ElementType::f32, shape, primitive.dst_desc());
    std::vector<PrimitiveArg> args = {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}};
    for (const PrimitiveArg& arg : post_op_args(chain, count, rank, 1, compiler))
        args.push_back(arg);
    compiler.add_primitive(node, primitive, std::move(args));
    for (const auto& step : rest)
        compiler.add_primitive(node, step, {{DNNL_ARG_SRC, dst}, {DNNL_ARG_DST, dst}});
    compiler.define(finish_fusion(chain, count, node, compiler), dst);
    return true;
}

// PReLU: a slope per channel (a 1-D slope as long as axis 1, as the reference reads it) or
// broadcast NumPy-style.
bool lower_prelu(const graph::Node& node, Compiler& compiler) {
    ValueId src = compiler.input_value(node, 0);
    const Value value = compiler.value(src);
    const Shape& shape = value.shape;
    const ValueId slope = compiler.to_plain(compiler.input_value(node, 1));
    const Shape slope_shape = compiler.value(slope).shape;
    if (value.type != ElementType::f32 || compiler.value(slope).type != ElementType::f32 ||
        shape.empty() || slope_shape.size() > shape.size())
        return false;
    Shape weights(shape.size(), 1);
    if (slope_shape.size() == 1 && shape.size() >= 2 && slope_shape[0] == shape[1])
        weights[1] = shape[1];
    else
        std::copy(slope_shape.begin(), slope_shape.end(),
                  weights.end() - static_cast<ptrdiff_t>(slope_shape.size()));
    // The slope plain, else in the layout the kernel picks (blocked like a blocked source:
    // the only form oneDNN 2.6's AVX2 kernel takes with one).
    const auto create = [&](const dnnl::memory::desc& src_desc, const Shape& weights_dims) {
        std::optional<dnnl::prelu_forward::primitive_desc> created;
        for (const bool plain : {true, false}) {
            created = try_create([&] {
                const dnnl::prelu_forward::desc desc(
                    dnnl::prop_kind::forward_inference, src_desc,
                    plain
                        ? plain_desc(ElementType::f32, weights_dims)
                        : dnnl::memory::desc(dnnl_dims(weights_dims), dnnl::memory::data_type::f32,
                                             dnnl::memory::format_tag::any));
                return dnnl::prelu_forward::primitive_desc(desc, default_attr(), cpu_engine());
            });
            if (created && !is_reference_implementation(*created)) break;
        }
        return created;
    };
    auto primitive = create(value.desc, weights);
    // A slope per element of the last axis only (TensorFlow's per-channel slope of an NHWC
    // tensor): seen with that axis second, the tensor is oneDNN's per-channel case, which its
    // fast kernels take in any layout where they have none for the slope on the last axis.
    std::vector<int64_t> order;
    const size_t rank = shape.size();
    const bool last_axis_slope =
        rank >= 3 && weights.back() == shape.back() &&
        std::count(weights.begin(), weights.end(), 1) == static_cast<ptrdiff_t>(rank - 1);
    if (last_axis_slope && (!primitive || is_reference_implementation(*primitive))) {
        std::vector<int64_t> last_second = {0, static_cast<int64_t>(rank - 1)};
        for (size_t axis = 1; axis + 1 < rank; ++axis)
            last_second.push_back(static_cast<int64_t>(axis));
        Shape seen, seen_weights;
        for (int64_t axis : last_second) {
            seen.push_back(shape[static_cast<size_t>(axis)]);
            seen_weights.push_back(weights[static_cast<size_t>(axis)]);
        }
        // The layout as it is, else a plain copy (channels-last in that view).
        for (bool copy : {false, true}) {
            const dnnl::memory::desc seen_desc =
                permuted_desc(copy ? plain_desc(ElementType::f32, shape) : value.desc, last_second);
            auto permuted = create(seen_desc, seen_weights);
            if (!permuted || is_reference_implementation(*permuted)) continue;
            primitive = std::move(permuted);
            order = last_second;
            src = compiler.add_alias(copy ? compiler.to_plain(src) : src, node.name, seen,
                                     seen_desc, Compiler::Alias::view);
            weights = seen_weights;
            break;
        }
    }
    if (!primitive) return false;
    const auto dst_dims = primitive->dst_desc().dims();
    ValueId dst =
        compiler.add_value(node.name, ElementType::f32, Shape(dst_dims.begin(), dst_dims.end()),
                           primitive->dst_desc());
    const ValueId weights_value = compiler.to_layout(
        compiler.add_alias(slope, node.name + "/slope", weights,
                           plain_desc(ElementType::f32, weights), Compiler::Alias::view),
        primitive->weights_desc());
    compiler.add_primitive(
        node, *primitive,
        {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights_value}, {DNNL_ARG_DST, dst}});
    if (!order.empty()) {
        std::vector<int64_t> back(order.size());
        for (size_t i = 0; i < order.size(); ++i)
            back[static_cast<size_t>(order[i])] = static_cast<int64_t>(i);
        dst = compiler.add_alias(dst, node.name, shape, permuted_desc(primitive->dst_desc(), back),
                                 Compiler::Alias::reshape);
    }
    compiler.define(output_of(node), dst);
    return true;
}

}  // namespace es::devices::cpu
