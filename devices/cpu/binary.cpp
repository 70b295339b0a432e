#include "devices/cpu/broadcast_operands.h"
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

// An operand: f32, or 8-bit integers q standing for scale * q + shift.
struct Operand {
    ValueId id;
    float scale = 1;
    float shift = 0;
};

// Input `input` as the integers a step wrote for it, when they have one step for the tensor and
// no f32 form exists already. (oneDNN 2.6's binary scales its sources but has no zero points:
// the shifts are a post-op.)
std::optional<Operand> integer_operand(const graph::Node& node, size_t input, Compiler& compiler) {
    const graph::Output source = node.inputs.at(input).source;
    const auto written = compiler.quantized(source);
    const auto meaning = written ? integer_meaning(written->grid) : std::nullopt;
    if (!meaning || compiler.computed(source)) return std::nullopt;
    return Operand{written->id, meaning->scale, meaning->shift};
}

// The integer operands' shifts (an Add's), added to the scaled sum.
FusedOp shift_op(const graph::Node& node, float shift) {
    Tensor operand(ElementType::f32, {1});
    operand.data<float>()[0] = shift;
    return {&node, FusedOp::Kind::binary, {}, dnnl::algorithm::binary_add, std::move(operand), -1,
            {}};
}

bool lower_binary_with(const graph::Node& node, const BinaryOp& op, Operand first, Operand second,
                       const Shape& dims, Compiler& compiler) {
    ValueId a = first.id;
    ValueId b = second.id;
    const auto is_number = [&](ValueId id) {
        const ElementType type = compiler.value(id).type;
        return type == ElementType::f32 || type == ElementType::u8 || type == ElementType::i8;
    };
    if (!is_number(a) || !is_number(b)) return false;
    const size_t rank = dims.size();
    Shape a_dims = padded(compiler.value(a).shape, rank);
    Shape b_dims = padded(compiler.value(b).shape, rank);
    if (a_dims != dims) {
        if (!op.commutative || b_dims != dims) return false;
        std::swap(a, b);
        std::swap(a_dims, b_dims);
        std::swap(first.scale, second.scale);
    }
    a = with_dims(compiler, a, a_dims);
    b = with_dims(compiler, b, b_dims);
    const bool integers = is_integer(compiler.value(a).type) || is_integer(compiler.value(b).type);
    PostOpChain chain;
    if (rank >= 2) chain = collect_post_ops(node, compiler, dims, {.channel_axis = 1});
    const float shift = first.shift + second.shift;
    if (shift != 0) chain.ops.insert(chain.ops.begin(), shift_op(node, shift));
    // The second operand in the first one's format: oneDNN's kernels want that.
    const auto create = [&](const dnnl::memory::desc& a_desc) {
        const dnnl::memory::desc b_desc =
            with_type(b_dims == dims ? a_desc : desc_like(a_desc, b_dims),
                      compiler.value(b).desc.data_type());
        return create_fused(
            chain, compiler, [&](const PostOpChain& fused, dnnl::memory::data_type dst_type) {
                return create_with_post_ops(
                    fused, rank, 1, compiler,
                    dnnl::memory::desc(dnnl_dims(dims), dst_type, dnnl::memory::format_tag::any),
                    [&](const dnnl::primitive_attr& post_ops_attr,
                        const dnnl::memory::desc& dst_desc) {
                        dnnl::primitive_attr attr = post_ops_attr;
                        if (integers) {
                            attr.set_scales(DNNL_ARG_SRC_0, 0, {first.scale});
                            attr.set_scales(DNNL_ARG_SRC_1, 0, {second.scale});
                        }
                        const dnnl::binary::desc desc(op.algorithm, a_desc, b_desc, dst_desc);
                        return dnnl::binary::primitive_desc(desc, attr, cpu_engine());
                    });
            });
    };
    // The first operand's layout as desc_like() writes it, or plain where it has no such form:
    // oneDNN 2.6's kernel finds the channel of a per-channel post-op operand from the strides
    // as given, and reads channel c mod the block from a layout with the channel blocks
    // outermost (Bacd16b), which oneDNN holds equal to aBcd16b at batch 1. A second operand
    // broadcast across the channels (a [N, 1, H, W] mask) is read plain: oneDNN 2.6 broadcasts it
    // over NHWC's dense channels element by element, 13 times slower than over NCHW's planes.
    const bool across_channels =
        rank >= 3 && b_dims[1] == 1 && dims[1] > 1 && shape_size(b_dims) > 1;
    const dnnl::memory::desc a_desc = desc_like(compiler.value(a).desc, dims);
    auto created =
        a_desc == compiler.value(a).desc && !across_channels ? create(a_desc) : std::nullopt;
    if (!created || is_reference_implementation(created->primitive)) {
        // oneDNN's kernels may lack the first operand's layout; a plain one they all read.
        const auto plain = create(plain_desc(compiler.value(a).type, dims));
        if (plain && !is_reference_implementation(plain->primitive)) {
            created = plain;
            a = compiler.to_plain(a);
        }
    }
    if (!created || (integers && is_reference_implementation(created->primitive)) ||
        (shift != 0 && created->count == 0))
        return false;
    const auto& primitive = created->primitive;
    const ValueId src1 = compiler.to_layout(b, primitive.src1_desc());
    const ValueId dst = compiler.add_value(
        node.name, created->dst_type(), compiler.shape_of(output_of(node)), primitive.dst_desc());
    std::vector<PrimitiveArg> args = {
        {DNNL_ARG_SRC_0, a}, {DNNL_ARG_SRC_1, src1}, {DNNL_ARG_DST, dst}};
    for (const PrimitiveArg& arg : post_op_args(created->chain, created->count, rank, 1, compiler))
        args.push_back(arg);
    compiler.add_primitive(node, primitive, std::move(args));
    created->define(node, dst, compiler);
    return true;
}

}  // namespace

// Element-wise arithmetic with NumPy broadcasting. oneDNN broadcasts only its second source:
// the operands are swapped when the first one is broadcast and the op commutes. An Add of
// values on 8-bit grids (a quantized residual sum) reads their integers with scales.
bool lower_binary(const graph::Node& node, Compiler& compiler) {
    const auto op = std::find_if(std::begin(k_binary_ops), std::end(k_binary_ops),
                                 [&](const BinaryOp& entry) { return entry.type == node.type; });
    const std::string broadcast = node.attributes.get_string("auto_broadcast", "numpy");
    if (op == std::end(k_binary_ops) || (broadcast != "numpy" && broadcast != "none")) return false;
    const Shape& dst_shape = compiler.shape_of(output_of(node));
    const Shape dims = dst_shape.empty() ? Shape{1} : dst_shape;
    const bool integers_allowed = op->type == "Add" &&
                                  compiler.shape_of(node.inputs[0].source) == dst_shape &&
                                  compiler.shape_of(node.inputs[1].source) == dst_shape;
    for (const bool integers : {true, false}) {
        if (integers && !integers_allowed) continue;
        std::optional<Operand> a = integers ? integer_operand(node, 0, compiler) : std::nullopt;
        std::optional<Operand> b = integers ? integer_operand(node, 1, compiler) : std::nullopt;
        if (integers && !a && !b) continue;
        if (!a) a = Operand{compiler.input_value(node, 0)};
        if (!b) b = Operand{compiler.input_value(node, 1)};
        if (is_integer(compiler.value(a->id).type) && !is_integer(compiler.value(b->id).type))
            std::swap(a, b);  // oneDNN reads an f32 first source
        if (lower_binary_with(node, *op, *a, *b, dims, compiler)) return true;
    }
    return false;
}

}  // namespace es::devices::cpu
