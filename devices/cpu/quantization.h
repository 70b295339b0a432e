#pragma once

// Activations on an 8-bit grid (OpenVINO's low precision form): a FakeQuantize with at most 256
// levels whose output holds out_low + level * step, with one range for the tensor or one per
// channel, and whose zero lies on a level (ActivationQuantization in compiler.h). MaxPool of
// such values, and Concat of values on one grid, stay on the grid.
//
// A step whose result is on a grid and whose readers all take 8-bit integers writes them itself
// (Compiler::define_quantized): int8 convolutions read them without a quantizing reorder, and
// MaxPool and Concat move a quarter of the bytes.

#include "devices/cpu/post_ops.h"

namespace es::devices::cpu {

// The 8-bit form of the output of `fake_quantize` (a FakeQuantize node), or nullopt.
std::optional<ActivationQuantization> fake_quantize_form(const graph::Node& fake_quantize,
                                                         Compiler& compiler);

// The 8-bit form of `output`: a FakeQuantize's, or that of a MaxPool or Concat of such values,
// or of a Reshape or Transpose of one with a single step, or nullopt.
std::optional<ActivationQuantization> quantization_of(const graph::Output& output,
                                                      Compiler& compiler);

// What the integers q of `form` stand for when it has one step for the tensor: scale * q + shift.
struct IntegerMeaning {
    float scale;
    float shift;  // -step * (zero point + zero offset, where over a thousandth of a step)
};
std::optional<IntegerMeaning> integer_meaning(const ActivationQuantization& form);

// The 8-bit value a step wrote for `output` on the grid `form`, if there is one.
std::optional<ValueId> quantized_value(const graph::Output& output,
                                       const ActivationQuantization& form, Compiler& compiler);

// Whether every reader of `output` (which is on the grid `form`) can take it as 8-bit integers
// (or as levels in f32: convolutions alone):
// convolutions with constant weights (depthwise ones where the grid has a step per channel),
// Adds of two tensors of one shape that write 8-bit integers (where the grid has one step), and
// MaxPool, Concat, and (where the grid has one step) Reshape and Transpose whose own readers can.
bool read_as_quantized(const graph::Output& output, const ActivationQuantization& form,
                       Compiler& compiler);

// The chain up to a FakeQuantize whose readers all take 8-bit integers, with that FakeQuantize
// ending in the integers of its grid instead of its real values, for each such FakeQuantize
// (a chain may pass through others, and through a sum of a residual of 8-bit integers), the
// longest first. Empty when there is none.
struct QuantizedChain {
    PostOpChain chain;
    ActivationQuantization form;
};
std::vector<QuantizedChain> quantized_chains(const PostOpChain& chain, Compiler& compiler);

// A primitive computing a node and ops of its post-op chain.
template <typename PrimitiveDesc>
struct FusedPrimitive {
    PrimitiveDesc primitive;
    size_t count;                                    // the ops of `chain` it computes
    PostOpChain chain;                               // as given to the primitive
    std::optional<ActivationQuantization> integers;  // set when it writes 8-bit integers

    ElementType dst_type() const {
        return integers ? element_type_of(integers->type, ElementType::f32) : ElementType::f32;
    }
    // The value the primitive writes for `node` (of `shape`): the residual's buffer, in place,
    // where the ops it computes hold a sum; a new value otherwise.
    ValueId add_dst(const graph::Node& node, const Shape& shape, Compiler& compiler) const {
        const auto residual = chain.residual(count);
        return residual ? compiler.add_alias(*residual, node.name, shape, primitive.dst_desc(),
                                             Compiler::Alias::in_place)
                        : compiler.add_value(node.name, dst_type(), shape, primitive.dst_desc());
    }
    // Marks the fused ops and defines the output of the last one as `dst`.
    void define(const graph::Node& node, ValueId dst, Compiler& compiler) const {
        const graph::Output result = finish_fusion(chain, count, node, compiler);
        if (integers)
            compiler.define_quantized(result, dst, *integers);
        else
            compiler.define(result, dst);
    }
};

// The primitive from `create(chain, dst_type)` (which returns what create_with_post_ops does):
// one writing the 8-bit integers of a FakeQuantize in `chain` (quantized_chains) when the
// primitive computes the whole chain up to it without a reference implementation, one writing
// f32 otherwise. Where the primitive stops before a sum (oneDNN's AVX2 kernels take a
// sum only as the first post-op), the residual is read as a binary operand instead.
template <typename Create>
auto create_fused(const PostOpChain& chain, Compiler& compiler, Create&& create)
    -> std::optional<FusedPrimitive<
        typename decltype(create(chain, dnnl::memory::data_type::f32))::value_type::first_type>> {
    for (const QuantizedChain& quantized : quantized_chains(chain, compiler)) {
        const auto created = create(quantized.chain, quantized.form.type);
        if (created && created->second == quantized.chain.ops.size() &&
            !is_reference_implementation(created->first))
            return {{created->first, created->second, quantized.chain, quantized.form}};
    }
    const PostOpChain real = chain.before_integer_sum();
    const auto created = create(real, dnnl::memory::data_type::f32);
    const auto sum = real.sum_index();
    if (sum && (!created || created->second <= *sum)) {
        const PostOpChain reading = real.with_sum_read(compiler);
        const auto read = create(reading, dnnl::memory::data_type::f32);
        if (read && read->second > *sum)
            return {{read->first, read->second, reading, std::nullopt}};
    }
    if (!created) return std::nullopt;
    return {{created->first, created->second, real, std::nullopt}};
}

// Whether `node` is a depthwise convolution: a GroupConvolution with one input and one output
// channel per group and constant weights.
bool is_depthwise(const graph::Node& node, Compiler& compiler);

}  // namespace es::devices::cpu
