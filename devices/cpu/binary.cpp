#include "devices/cpu/primitive_family.h"
#include "devices/cpu/quantization.h"

namespace es::devices::cpu {
namespace {

struct BinaryOp {
    std::string_view type;
    dnnl::algorithm algorithm;
    bool commutative;
};

const BinaryOp k_binary_ops[] = {
    {"Add", dnnl::algorithm::binary_add, true},
    {"Multiply", dnnl::algorithm::binary_mul, true},
    {"Subtract", dnnl::algorithm::binary_sub, false},
    {"Divide", dnnl::algorithm::binary_div, false},
    {"Maximum", dnnl::algorithm::binary_max, true},
    {"Minimum", dnnl::algorithm::binary_min, true},
};

// `shape` with leading 1s up to `rank` (NumPy broadcasting aligns shapes at the right).
Shape padded(const Shape& shape, size_t rank) {
    Shape result(rank - shape.size(), 1);
    result.insert(result.end(), shape.begin(), shape.end());
    return result;
}

// `id` seen with dimensions `dims` (its own with leading 1s): itself when its rank already
// matches, a plain alias otherwise.
ValueId with_dims(Compiler& compiler, ValueId id, const Shape& dims) {
    if (compiler.value(id).shape.size() == dims.size()) return id;
    const ValueId plain = compiler.to_plain(id);
    return compiler.add_alias(plain, compiler.value(plain).name, dims,
                              plain_desc(ElementType::f32, dims), Compiler::Alias::view);
}

}  // namespace

// Element-wise arithmetic with NumPy broadcasting. oneDNN broadcasts only its second source:
// the operands are swapped when the first one is broadcast and the op commutes.
bool lower_binary(const graph::Node& node, Compiler& compiler) {
    const auto op = std::find_if(std::begin(k_binary_ops), std::end(k_binary_ops),
                                 [&](const BinaryOp& entry) { return entry.type == node.type; });
    const std::string broadcast = node.attributes.get_string("auto_broadcast", "numpy");
    if (op == std::end(k_binary_ops) || (broadcast != "numpy" && broadcast != "none")) return false;
    ValueId a = compiler.input_value(node, 0);
    ValueId b = compiler.input_value(node, 1);
    if (compiler.value(a).type != ElementType::f32 || compiler.value(b).type != ElementType::f32)
        return false;
    const Shape& dst_shape = compiler.shape_of(output_of(node));
    const Shape dims = dst_shape.empty() ? Shape{1} : dst_shape;
    const size_t rank = dims.size();
    Shape a_dims = padded(compiler.value(a).shape, rank);
    Shape b_dims = padded(compiler.value(b).shape, rank);
    if (a_dims != dims) {
        if (!op->commutative || b_dims != dims) return false;
        std::swap(a, b);
        std::swap(a_dims, b_dims);
    }
    a = with_dims(compiler, a, a_dims);
    b = with_dims(compiler, b, b_dims);
    PostOpChain chain;
    if (rank >= 2) chain = collect_post_ops(node, compiler, dims, {.channel_axis = 1});
    // The second operand in the first one's format: oneDNN's kernels want that.
    const auto create = [&](const dnnl::memory::desc& a_desc) {
        const dnnl::memory::desc b_desc = b_dims == dims ? a_desc : desc_like(a_desc, b_dims);
        return create_fused(
            chain, compiler, [&](const PostOpChain& fused, dnnl::memory::data_type dst_type) {
                return create_with_post_ops(
                    fused, rank, 1, compiler,
                    dnnl::memory::desc(dnnl_dims(dims), dst_type, dnnl::memory::format_tag::any),
                    [&](const dnnl::primitive_attr& attr, const dnnl::memory::desc& dst_desc) {
                        const dnnl::binary::desc desc(op->algorithm, a_desc, b_desc, dst_desc);
                        return dnnl::binary::primitive_desc(desc, attr, cpu_engine());
                    });
            });
    };
    // The first operand's layout as desc_like() writes it, or plain where it has no such form:
    // oneDNN 2.6's kernel finds the channel of a per-channel post-op operand from the strides
    // as given, and reads channel c mod the block from a layout with the channel blocks
    // outermost (Bacd16b), which oneDNN holds equal to aBcd16b at batch 1.
    const dnnl::memory::desc a_desc = desc_like(compiler.value(a).desc, dims);
    auto created = a_desc == compiler.value(a).desc ? create(a_desc) : std::nullopt;
    if (!created || is_reference_implementation(created->primitive)) {
        // oneDNN's kernels may lack the first operand's layout; a plain one they all read.
        const auto plain = create(plain_desc(ElementType::f32, dims));
        if (plain && !is_reference_implementation(plain->primitive)) {
            created = plain;
            a = compiler.to_plain(a);
        }
    }
    if (!created) return false;
    const auto& primitive = created->primitive;
    const ValueId src1 = compiler.to_layout(b, primitive.src1_desc());
    const ValueId dst =
        compiler.add_value(node.name, created->dst_type(), dst_shape, primitive.dst_desc());
    std::vector<PrimitiveArg> args = {
        {DNNL_ARG_SRC_0, a}, {DNNL_ARG_SRC_1, src1}, {DNNL_ARG_DST, dst}};
    for (const PrimitiveArg& arg : post_op_args(created->chain, created->count, rank, 1, compiler))
        args.push_back(arg);
    compiler.add_primitive(node, primitive, std::move(args));
    created->define(node, dst, compiler);
    return true;
}

}  // namespace es::devices::cpu
