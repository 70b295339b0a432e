#include "devices/cpu/quantization.h"

#include "devices/cpu/graph_rewrites.h"

#include <algorithm>
#include <cmath>

namespace es::devices::cpu {
namespace {

using DataType = dnnl::memory::data_type;

// How far 0.0 may lie from a level (in steps) for the integers to hold the grid.
constexpr float k_offset_tolerance = 0.05f;
// How far two offsets may differ and still count as one.
constexpr float k_same_offset = 1e-3f;
// How far two steps may differ (relative) and still count as one.
constexpr float k_step_tolerance = 1e-5f;

bool same_grid(const ActivationQuantization& a, const ActivationQuantization& b) {
    if (a.type != b.type || a.level_zero != b.level_zero || a.steps.size() != b.steps.size())
        return false;
    for (size_t c = 0; c < a.steps.size(); ++c)
        if (std::abs(a.steps[c] - b.steps[c]) > k_step_tolerance * a.steps[c] ||
            std::abs(a.zero_offsets[c] - b.zero_offsets[c]) > k_same_offset)
            return false;
    return true;
}

// A convolution reading `output` (on `form`) as its source, which lower_int8_convolution may
// lower (lower_convolution where the levels are floats).
bool is_convolution_source(const graph::Node& reader, const graph::Output& output,
                           const ActivationQuantization& form, Compiler& compiler) {
    const bool floats = form.type == DataType::f32;
    return (has_int8_dot_product() || floats) &&
           (reader.type == "Convolution" || reader.type == "GroupConvolution") &&
           reader.inputs.size() == 2 && reader.inputs[0].source == output &&
           reader.inputs[1].source != output && compiler.constant_input(reader, 1) != nullptr &&
           (!form.per_channel() || floats || is_depthwise(reader, compiler));
}

// An Add of two tensors of one shape reading `output` (on `form`), which lower_binary computes
// from the integers with scales and a shift, when it writes 8-bit integers itself: oneDNN 2.6
// adds 8-bit sources into f32 only in its reference kernel.
bool is_sum_source(const graph::Node& reader, const ActivationQuantization& form,
                   Compiler& compiler) {
    if (reader.type != "Add" || reader.inputs.size() != 2 || !integer_meaning(form)) return false;
    const Shape& dst = compiler.shape_of(output_of(reader));
    return dst.size() >= 2 && compiler.shape_of(reader.inputs[0].source) == dst &&
           compiler.shape_of(reader.inputs[1].source) == dst &&
           !quantized_chains(collect_post_ops(reader, compiler, dst, {.channel_axis = 1}), compiler)
                .empty();
}

}  // namespace

bool is_depthwise(const graph::Node& node, Compiler& compiler) {
    if (node.type != "GroupConvolution" || node.inputs.size() != 2) return false;
    const Tensor* weights = compiler.constant_input(node, 1);
    const Shape& src = compiler.shape_of(node.inputs[0].source);
    return weights && weights->rank() >= 3 && src.size() >= 2 && weights->shape()[1] == 1 &&
           weights->shape()[2] == 1 && weights->shape()[0] == src[1];
}

std::optional<IntegerMeaning> integer_meaning(const ActivationQuantization& form) {
    if (form.per_channel()) return std::nullopt;
    const float step = form.steps[0];
    const float offset = std::abs(form.zero_offsets[0]) > k_same_offset ? form.zero_offsets[0] : 0;
    return IntegerMeaning{step, -step * (static_cast<float>(form.zero_point()) + offset)};
}

std::optional<ActivationQuantization> fake_quantize_form(const graph::Node& fake_quantize,
                                                         Compiler& compiler) {
    const auto op =
        fake_quantize_op(fake_quantize, compiler, compiler.shape_of(output_of(fake_quantize)));
    if (!op || op->levels_minus_one > 255) return std::nullopt;
    ActivationQuantization form{DataType::u8, {}, 0, {}};
    bool one_level_zero = true;  // 0.0 on one level of every channel's grid
    for (size_t c = 0; c < op->out_low.size(); ++c) {
        const float out_low = op->out_low.data<float>()[c];
        const float step = (op->out_high.data<float>()[c] - out_low) / op->levels_minus_one;
        if (!(step > 0) || !std::isfinite(step)) return std::nullopt;
        const float zero = -out_low / step;
        const float level_zero = std::nearbyint(zero);
        one_level_zero = one_level_zero && std::abs(zero - level_zero) <= k_offset_tolerance &&
                         level_zero >= 0 && level_zero <= op->levels_minus_one &&
                         (c == 0 || static_cast<int32_t>(level_zero) == form.level_zero);
        form.level_zero = static_cast<int32_t>(level_zero);
        form.steps.push_back(step);
        form.zero_offsets.push_back(zero - level_zero);
    }
    const bool per_channel = form.steps.size() > 1;
    // Values divided by their channel's step, as floats, where integers cannot hold the grid
    // or the CPU has no 8-bit dot product: a convolution takes the steps into its weights, and
    // its padding, 0.0, is still 0.0.
    if (per_channel && (!one_level_zero || !has_int8_dot_product())) {
        form.type = DataType::f32;
        form.level_zero = 0;
        std::fill(form.zero_offsets.begin(), form.zero_offsets.end(), 0.0f);
        return form;
    }
    if (!one_level_zero) return std::nullopt;
    // Ranges about zero fit s8 without a zero point (u8 x s8 is the native int8 product where
    // zero is the lowest level).
    const int32_t top = static_cast<int32_t>(op->levels_minus_one);
    if (form.level_zero != 0 && form.level_zero >= top - 127 && form.level_zero <= 128)
        form.type = DataType::s8;
    bool uniform = true;
    for (size_t c = 0; c < form.steps.size(); ++c)
        uniform = uniform &&
                  std::abs(form.steps[c] - form.steps[0]) <= k_step_tolerance * form.steps[0] &&
                  std::abs(form.zero_offsets[c] - form.zero_offsets[0]) <= k_same_offset;
    if (uniform) {
        form.steps.resize(1);
        form.zero_offsets.resize(1);
    }
    return form;
}

std::optional<ActivationQuantization> quantization_of(const graph::Output& output,
                                                      Compiler& compiler) {
    const graph::Node& node = *output.node;
    if (node.type == "FakeQuantize") return fake_quantize_form(node, compiler);
    if (node.type == "MaxPool" && output.port == 0)
        return quantization_of(node.inputs.at(0).source, compiler);
    if (moves_elements(node)) {
        const auto moved = quantization_of(node.inputs.at(0).source, compiler);
        if (!moved || moved->per_channel()) return std::nullopt;
        return moved;
    }
    if (node.type != "Concat" || node.inputs.empty()) return std::nullopt;
    const auto first = quantization_of(node.inputs[0].source, compiler);
    if (!first || first->per_channel()) return std::nullopt;
    for (size_t i = 1; i < node.inputs.size(); ++i) {
        const auto other = quantization_of(node.inputs[i].source, compiler);
        if (!other || !same_grid(*first, *other)) return std::nullopt;
    }
    return first;
}

std::optional<ValueId> quantized_value(const graph::Output& output,
                                       const ActivationQuantization& form, Compiler& compiler) {
    const auto written = compiler.quantized(output);
    if (!written || !same_grid(written->grid, form)) return std::nullopt;
    return written->id;
}

bool read_as_quantized(const graph::Output& output, const ActivationQuantization& form,
                       Compiler& compiler) {
    const auto& readers = compiler.consumers(output);
    if (readers.empty() || compiler.is_model_output(output)) return false;
    for (const graph::Node* reader : readers) {
        if (is_convolution_source(*reader, output, form, compiler) ||
            is_sum_source(*reader, form, compiler))
            continue;
        if (form.type == DataType::f32) return false;
        const bool moves_values =
            reader->type == "Concat" ||
            (moves_elements(*reader) && reader->inputs[0].source == output &&
             !form.per_channel()) ||
            (reader->type == "MaxPool" && reader->inputs[0].source == output &&
             (reader->outputs.size() < 2 || (compiler.consumers(output_of(*reader, 1)).empty() &&
                                             !compiler.is_model_output(output_of(*reader, 1)))));
        if (!moves_values) return false;
        const auto moved = quantization_of(output_of(*reader), compiler);
        if (!moved || !read_as_quantized(output_of(*reader), *moved, compiler)) return false;
    }
    return true;
}

std::vector<QuantizedChain> quantized_chains(const PostOpChain& chain, Compiler& compiler) {
    std::vector<QuantizedChain> found;
    for (size_t i = chain.folded; i < chain.ops.size(); ++i) {
        const FusedOp& op = chain.ops[i];
        if (op.kind == FusedOp::Kind::sum && !op.integer_residual) break;  // adds to f32
        if (op.node->type != "FakeQuantize") continue;
        const auto form = fake_quantize_form(*op.node, compiler);
        if (form && op.kind == FusedOp::Kind::fake_quantize &&
            read_as_quantized(output_of(*op.node), *form, compiler)) {
            QuantizedChain quantized{chain, *form};
            quantized.chain.ops.resize(i + 1);
            FakeQuantizeOp& written = quantized.chain.ops.back().fake_quantize;
            if (form->type == DataType::f32) {
                // level + out_low / step: the value over its step
                Tensor low = written.out_low.clone();
                Tensor high = written.out_high.clone();
                for (size_t c = 0; c < form->steps.size(); ++c) {
                    low.data<float>()[c] /= form->steps[c];
                    high.data<float>()[c] = low.data<float>()[c] + written.levels_minus_one;
                }
                written.out_low = std::move(low);
                written.out_high = std::move(high);
            } else {
                written.integer_offset = static_cast<float>(form->level_offset());
            }
            found.insert(found.begin(), std::move(quantized));
        }
    }
    return found;
}

}  // namespace es::devices::cpu
