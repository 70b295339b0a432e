// A FakeQuantize that no primitive before it computes as a post-op: a binary primitive adding
// zero, with the FakeQuantize (and the chain after it) as post-ops. It writes the 8-bit integers
// of its grid where its readers all take them.
#include "devices/cpu/primitive_family.h"
#include "devices/cpu/quantization.h"

namespace es::devices::cpu {

namespace {

// Whether `op` has one operand (or range) for the whole tensor, so that a step may compute it on
// the tensor's memory in any order.
bool is_per_tensor(const FusedOp& op) {
    if (op.kind == FusedOp::Kind::sum || op.tensor >= 0 || op.operand.size() > 1) return false;
    return op.kind != FusedOp::Kind::fake_quantize || op.fake_quantize.in_low.size() == 1;
}

// Whether `desc` lays out `elements` f32 values without padding.
bool is_dense(const dnnl::memory::desc& desc, size_t elements) {
    return desc.data.format_kind == dnnl_blocked && desc.get_size() == elements * sizeof(float);
}

}  // namespace

bool lower_fake_quantize(const graph::Node& node, Compiler& compiler) {
    ValueId src = compiler.input_value(node, 0);
    if (compiler.value(src).type != ElementType::f32) return false;
    const Shape& shape = compiler.shape_of(output_of(node));
    const size_t elements = shape_size(shape);
    const Shape row{1, static_cast<int64_t>(elements)};
    auto fake_quantize = fake_quantize_op(node, compiler, shape.size() >= 2 ? shape : row);
    if (!fake_quantize) return false;
    PostOpChain chain;
    chain.ops.push_back({&node, FusedOp::Kind::fake_quantize, {}, {}, {}, -1, *fake_quantize});
    // One range for the tensor on a layout without padding: the step runs over its memory as
    // one row, whatever the layout (a 3-channel NHWC image would give oneDNN rows of three).
    const bool flat = is_per_tensor(chain.ops[0]) && is_dense(compiler.value(src).desc, elements);
    const Shape dims = flat || shape.size() < 2 ? row : shape;
    if (shape.size() >= 2)
        for (FusedOp& op : collect_post_ops(node, compiler, shape, {.channel_axis = 1}).ops) {
            if ((flat && !is_per_tensor(op)) || !chain.accepts_after(op)) break;
            chain.ops.push_back(std::move(op));
        }
    const size_t rank = dims.size();
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
    auto created = !flat && src_desc == compiler.value(src).desc ? create(src_desc) : std::nullopt;
    if (!created || created->count == 0 || is_reference_implementation(created->primitive)) {
        created = create(plain_desc(ElementType::f32, dims));
        if (!flat) src = compiler.to_plain(src);
    }
    if (!created || created->count == 0 || is_reference_implementation(created->primitive))
        return false;
    const dnnl::memory::desc layout = compiler.value(src).desc;
    if (compiler.value(src).shape != dims)
        src = compiler.add_alias(src, compiler.value(src).name, dims,
                                 plain_desc(ElementType::f32, dims), Compiler::Alias::view);
    Tensor zero(ElementType::f32, zero_dims);
    zero.data<float>()[0] = 0;
    const auto zero_desc = plain_desc(ElementType::f32, zero_dims);
    // Flat, the result takes the source's layout; the step writes it as one row.
    const ValueId dst =
        flat ? compiler.add_value(node.name, created->dst_type(), shape,
                                  with_type(layout, created->primitive.dst_desc().data_type()))
             : compiler.add_value(node.name, created->dst_type(), dims,
                                  created->primitive.dst_desc());
    const ValueId written =
        flat ? compiler.add_alias(dst, node.name, dims, created->primitive.dst_desc(),
                                  Compiler::Alias::view)
             : dst;
    std::vector<PrimitiveArg> args = {
        {DNNL_ARG_SRC_0, src},
        {DNNL_ARG_SRC_1, compiler.add_weights(zero, zero_desc, zero_desc)},
        {DNNL_ARG_DST, written}};
    for (const PrimitiveArg& arg : post_op_args(created->chain, created->count, rank, 1, compiler))
        args.push_back(arg);
    compiler.add_primitive(node, created->primitive, std::move(args));
    created->define(node, dst, compiler);
    return true;
}

}  // namespace es::devices::cpu
