// A FakeQuantize that no primitive before it computes as a post-op: a binary primitive adding
// zero, with the FakeQuantize (and the chain after it) as post-ops. It writes the 8-bit integers
// of its grid where its readers all take them.
#include "devices/cpu/primitive_family.h"
#include "devices/cpu/quantization.h"

namespace es::devices::cpu {

bool lower_fake_quantize(const graph::Node& node, Compiler& compiler) {
    ValueId src = compiler.input_value(node, 0);
    if (compiler.value(src).type != ElementType::f32) return false;
    const Shape& shape = compiler.shape_of(output_of(node));
    const Shape dims =
        shape.size() >= 2 ? shape : Shape{1, static_cast<int64_t>(shape_size(shape))};
    auto fake_quantize = fake_quantize_op(node, compiler, dims);
    if (!fake_quantize) return false;
    const size_t rank = dims.size();
    PostOpChain chain;
    chain.ops.push_back({&node, FusedOp::Kind::fake_quantize, {}, {}, {}, -1, *fake_quantize});
    for (FusedOp& op : collect_post_ops(node, compiler, dims, {.channel_axis = 1}).ops) {
        if (!chain.accepts_after(op)) break;
        chain.ops.push_back(std::move(op));
    }
    const Shape zero_dims(rank, 1);
    const auto create = [&](const dnnl::memory::desc& src_desc) {
        return create_fused(
            chain, compiler, [&](const PostOpChain& fused, dnnl::memory::data_type dst_type) {
                return create_with_post_ops(
                    fused, rank, 1, compiler,
                    dnnl::memory::desc(dnnl_dims(dims), dst_type, dnnl::memory::format_tag::any),
                    [&](const dnnl::primitive_attr& attr, const dnnl::memory::desc& dst_desc) {
                        const dnnl::binary::desc desc(dnnl::algorithm::binary_add, src_desc,
                                                      plain_desc(ElementType::f32, zero_dims),
                                                      dst_desc);
                        return dnnl::binary::primitive_desc(desc, attr, cpu_engine());
                    });
            });
    };
    // oneDNN 2.6 finds the channel of per-channel post-op operands only in layouts desc_like()
    // writes (binary.cpp); a plain one every kernel reads.
    const dnnl::memory::desc src_desc = desc_like(compiler.value(src).desc, dims);
    auto created = src_desc == compiler.value(src).desc ? create(src_desc) : std::nullopt;
    if (!created || created->count == 0 || is_reference_implementation(created->primitive)) {
        created = create(plain_desc(ElementType::f32, dims));
        src = compiler.to_plain(src);
    }
    if (!created || created->count == 0 || is_reference_implementation(created->primitive))
        return false;
    if (compiler.value(src).shape != dims)
        src = compiler.add_alias(src, compiler.value(src).name, dims,
                                 plain_desc(ElementType::f32, dims), Compiler::Alias::view);
    Tensor zero(ElementType::f32, zero_dims);
    zero.data<float>()[0] = 0;
    const auto zero_desc = plain_desc(ElementType::f32, zero_dims);
    const ValueId dst =
        compiler.add_value(node.name, created->dst_type(), dims, created->primitive.dst_desc());
    std::vector<PrimitiveArg> args = {
        {DNNL_ARG_SRC_0, src},
        {DNNL_ARG_SRC_1, compiler.add_weights(zero, zero_desc, zero_desc)},
        {DNNL_ARG_DST, dst}};
    for (const PrimitiveArg& arg : post_op_args(created->chain, created->count, rank, 1, compiler))
        args.push_back(arg);
    compiler.add_primitive(node, created->primitive, std::move(args));
    created->define(node, dst, compiler);
    return true;
}

}  // namespace es::devices::cpu
