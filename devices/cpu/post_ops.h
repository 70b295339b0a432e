#pragma once

// Chains of consumers that a primitive computes as oneDNN post-ops: a per-channel bias or scale
// (folded into the weights where the primitive allows), activations, per-channel arithmetic, a
// residual Add done in place as a `sum`, and arithmetic with a tensor computed earlier (a
// residual Add whose other input is read again later, or one after a MaxPool).

#include "devices/cpu/compiler.h"

#include <optional>

namespace es::devices::cpu {

struct EltwiseOp {
    dnnl::algorithm algorithm;
    float alpha = 0;
    float beta = 0;
};

// The eltwise post-ops computing an activation node (one, or two for HSigmoid); nullopt when
// the node is not an activation oneDNN computes exactly.
std::optional<std::vector<EltwiseOp>> eltwise_ops(const graph::Node& node, Compiler& compiler);

// A FakeQuantize with constant ranges, one for the tensor or one per channel (all four [1], or
// all four [C]).
struct FakeQuantizeOp {
    Tensor in_low, in_high, out_low, out_high;
    float levels_minus_one = 255;
    // Set when the step ends at the integer level plus this offset (an 8-bit write) instead of
    // mapping the level to [out_low, out_high].
    std::optional<float> integer_offset;
};

// The FakeQuantize `node` with constant ranges that broadcast per channel (axis 1 of `dst`) or
// to the whole tensor; nullopt otherwise.
std::optional<FakeQuantizeOp> fake_quantize_op(const graph::Node& node, Compiler& compiler,
                                               const Shape& dst);

// A residual of 8-bit integers q (a quantized Add input) that a sum adds as scale * q + shift.
// (The shift is a post-op of its own: oneDNN 2.6's jit_int8 kernels take no zero point in a sum.)
struct IntegerResidual {
    float scale = 1;
    float shift = 0;
    dnnl::memory::data_type type = dnnl::memory::data_type::u8;
};

// One fused node.
struct FusedOp {
    enum class Kind { scale, shift, eltwise, binary, prelu, sum, fake_quantize };
    const graph::Node* node = nullptr;
    Kind kind = Kind::eltwise;
    std::vector<EltwiseOp> eltwise;
    dnnl::algorithm binary = dnnl::algorithm::binary_add;
    Tensor operand;         // scale, shift, binary, prelu: per channel ([C]) or one value ([1])
    ValueId residual = -1;  // sum: the value added, whose buffer the result overwrites
    FakeQuantizeOp fake_quantize;
    // binary with a computed operand instead of a constant: that value (of the destination's
    // shape) and its layout
    ValueId tensor = -1;
    dnnl::memory::desc tensor_desc = {};
    // sum: set where the residual holds 8-bit integers; the result must then be 8-bit too
    std::optional<IntegerResidual> integer_residual = {};
};

struct PostOpChain {
    std::vector<FusedOp> ops;
    size_t folded = 0;  // leading scale and shift ops: for the weights and bias, not post-ops
    // The residual when ops [0, count) hold the sum.
    std::optional<ValueId> residual(size_t count) const;
    // The index of the sum op, if there is one.
    std::optional<size_t> sum_index() const;
    // The index of the first op with a computed operand, if there is one.
    std::optional<size_t> tensor_op_index() const;
    // The chain with its sum turned into a binary Add that reads the residual without
    // overwriting it.
    PostOpChain with_sum_read(Compiler& compiler) const;
    // The chain up to a sum of 8-bit integers, which only a step writing 8-bit integers takes.
    PostOpChain before_integer_sum() const;
    // Whether ops [folded, count) hold a FakeQuantize.
    bool quantizes_before(size_t count) const;
    // Whether `op` can follow the ops so far: oneDNN 2.6 cannot run every chain of eltwise
    // post-ops (see post_ops.cpp).
    bool accepts_after(const FusedOp& op) const;
};

struct FusionRules {
    size_t channel_axis = 1;
    bool fold = false;  // leading Add/Multiply by constants may become scale and shift ops
    bool sum = false;   // an Add of another tensor of the destination's shape may become a sum
};

// Follows the sole consumers of `node`'s output (which has shape `dst`) while each can be a
// post-op of it.
PostOpChain collect_post_ops(const graph::Node& node, Compiler& compiler, const Shape& dst,
                             const FusionRules& rules);

// A FakeQuantize in the chain (past ReLU and Clamp ops whose bounds hold its input ranges)
// starts with x * scale[c] + shift[c] on each output channel onto its levels. A primitive that
// takes that into its weights or output scales and its bias computes the chain rewritten here:
// without the ReLU and Clamp ops, the FakeQuantize reduced to its clip to [0, levels - 1] and its
// rounding (eltwise post-ops where ranges per channel took binary ones). The primitive must
// compute the chain at least up to op `index`: before it the output is in levels. Past a leaky
// ReLU or PReLU (which commute with a positive scale) only the scale is absorbed: those ops stay,
// and the FakeQuantize keeps its shift.
struct AbsorbedInput {
    size_t index;
    std::vector<float> scale;
    std::vector<float> shift;
};
std::optional<AbsorbedInput> absorb_fake_quantize_input(PostOpChain& chain, size_t channels);

// Applies the chain's folded scale and shift ops to per-output-channel `weights` (rows of the
// tensor) and `bias`.
void fold_into(const PostOpChain& chain, Tensor& weights, std::vector<float>& bias);

// oneDNN post-ops for ops [folded, count) of the chain on a destination of rank `rank`.
dnnl::post_ops make_post_ops(const PostOpChain& chain, size_t count, size_t rank,
                             size_t channel_axis);

// The arguments binding the operands of those post-ops.
std::vector<PrimitiveArg> post_op_args(const PostOpChain& chain, size_t count, size_t rank,
                                       size_t channel_axis, Compiler& compiler);

// True when oneDNN chose its slow reference implementation.
inline bool is_reference_implementation(const dnnl::primitive_desc_base& primitive) {
    return std::string(primitive.impl_info_str()).rfind("ref", 0) == 0;
}

// True when the primitive is a GEMM, which applies post-ops in a pass of its own: one that
// emulates a FakeQuantize costs more there than a FakeQuantize step.
inline bool applies_post_ops_apart(const dnnl::primitive_desc_base& primitive) {
    return std::string(primitive.impl_info_str()).find("gemm") != std::string::npos;
}

// A primitive descriptor, from `make(attr, dst_desc)`, with as many of the chain's post-ops
// as oneDNN takes without falling back to a reference implementation (and without a
// FakeQuantize where it applies post-ops apart); the destination takes the residual's layout
// (with `dst_desc`'s type) while the chain holds a sum, `dst_desc` otherwise. Returns the
// descriptor and how many ops of the chain it computes (at least the folded ones), or nullopt.
// An op reading a computed tensor is taken only where the primitive keeps the implementation it
// has without it: oneDNN 2.6 turns to slower kernels (a GEMM convolution) for some layouts of
// that tensor.
template <typename Make>
auto create_with_post_ops(const PostOpChain& chain, size_t rank, size_t channel_axis,
                          Compiler& compiler, const dnnl::memory::desc& dst_desc, Make&& make)
    -> std::optional<std::pair<decltype(make(dnnl::primitive_attr(), dst_desc)), size_t>> {
    const auto create = [&](size_t count) {
        dnnl::primitive_attr attr = default_attr();
        attr.set_post_ops(make_post_ops(chain, count, rank, channel_axis));
        const auto residual = chain.residual(count);
        return try_create([&] {
            return make(attr, residual
                                  ? with_type(compiler.value(*residual).desc, dst_desc.data_type())
                                  : dst_desc);
        });
    };
    const auto tensor_op = chain.tensor_op_index();
    std::optional<std::string> implementation_without;  // of the ops before `tensor_op`
    if (tensor_op)
        if (const auto without = create(*tensor_op))
            implementation_without = without->impl_info_str();
    for (size_t count = chain.ops.size();; --count) {
        const auto primitive = create(count);
        bool usable =
            primitive && (count == chain.folded || !is_reference_implementation(*primitive));
        if (usable && chain.quantizes_before(count)) usable = !applies_post_ops_apart(*primitive);
        if (usable && tensor_op && *tensor_op < count && implementation_without)
            usable = *implementation_without == primitive->impl_info_str();
        if (usable) return std::pair{*primitive, count};
        if (count == chain.folded) return std::nullopt;
    }
}

// Marks ops [0, count) as fused into `node` and returns the output the step computes.
graph::Output finish_fusion(const PostOpChain& chain, size_t count, const graph::Node& node,
                            Compiler& compiler);

}  // namespace es::devices::cpu
