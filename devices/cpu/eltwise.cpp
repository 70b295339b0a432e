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
    const ValueId src = compiler.input_value(node, 0);
    const Value& value = compiler.value(src);
    const Shape shape = value.shape;
    const dnnl::memory::desc src_desc = value.desc;
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
    const auto weights_desc = plain_desc(ElementType::f32, weights);
    const auto primitive = try_create([&] {
        const dnnl::prelu_forward::desc desc(dnnl::prop_kind::forward_inference, src_desc,
                                             weights_desc);
        return dnnl::prelu_forward::primitive_desc(desc, default_attr(), cpu_engine());
    });
    if (!primitive) return false;
    const ValueId dst =
        compiler.add_value(node.name, ElementType::f32, shape, primitive->dst_desc());
    const ValueId weights_value =
        compiler.to_layout(compiler.add_alias(slope, node.name + "/slope", weights, weights_desc,
                                              Compiler::Alias::view),
                           primitive->weights_desc());
    compiler.add_primitive(
        node, *primitive,
        {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights_value}, {DNNL_ARG_DST, dst}});
    compiler.define(output_of(node), dst);
    return true;
}

}  // namespace es::devices::cpu
