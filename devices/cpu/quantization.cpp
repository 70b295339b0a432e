#include "devices/cpu/quantization.h"

#include <cmath>

namespace es::devices::cpu {
namespace {

using DataType = dnnl::memory::data_type;

// How far out_low / step may be from an integer and still count as one.
constexpr float k_offset_tolerance = 1e-3f;
// How far two steps may differ (relative) and still count as one.
constexpr float k_step_tolerance = 1e-5f;

bool same_grid(const ActivationQuantization& a, const ActivationQuantization& b) {
    return a.type == b.type && std::abs(a.step - b.step) <= k_step_tolerance * a.step;
}

// A convolution reading `output` as its source, which lower_int8_convolution may lower.
bool is_convolution_source(const graph::Node& reader, const graph::Output& output,
                           Compiler& compiler) {
    return has_int8_dot_product() &&
           (reader.type == "Convolution" || reader.type == "GroupConvolution") &&
           reader.inputs.size() == 2 && reader.inputs[0].source == output &&
           reader.inputs[1].source != output && compiler.constant_input(reader, 1) != nullptr;
}

}  // namespace

std::optional<ActivationQuantization> fake_quantize_form(const graph::Node& fake_quantize,
                                                         Compiler& compiler) {
    if (fake_quantize.inputs.size() != 5 || fake_quantize.attributes.get_int("levels") != 256)
        return std::nullopt;
    float limits[4];
    for (size_t i = 1; i < 5; ++i) {
        const Tensor* value = compiler.constant_input(fake_quantize, i);
        if (!value || value->type() != ElementType::f32 || value->size() != 1) return std::nullopt;
        limits[i - 1] = value->data<float>()[0];
    }
    const float out_low = limits[2];
    const float out_high = limits[3];
    if (!(out_low < out_high) || !(limits[0] < limits[1])) return std::nullopt;
    const float step = (out_high - out_low) / 255.0f;
    const float offset = out_low / step;
    if (std::abs(offset) < k_offset_tolerance) return ActivationQuantization{DataType::u8, step};
    if (std::abs(offset + 128.0f) < k_offset_tolerance)
        return ActivationQuantization{DataType::s8, step};
    return std::nullopt;
}

std::optional<ActivationQuantization> quantization_of(const graph::Output& output,
                                                      Compiler& compiler) {
    const graph::Node& node = *output.node;
    if (node.type == "FakeQuantize") return fake_quantize_form(node, compiler);
    if (node.type == "MaxPool" && output.port == 0)
        return quantization_of(node.inputs.at(0).source, compiler);
    if (node.type != "Concat" || node.inputs.empty()) return std::nullopt;
    const auto first = quantization_of(node.inputs[0].source, compiler);
    if (!first) return std::nullopt;
    for (size_t i = 1; i < node.inputs.size(); ++i) {
        const auto other = quantization_of(node.inputs[i].source, compiler);
        if (!other || !same_grid(*first, *other)) return std::nullopt;
    }
    return first;
}

std::optional<ValueId> quantized_value(const graph::Output& output,
                                       const ActivationQuantization& form, Compiler& compiler) {
    const auto written = compiler.quantized(output);
    if (!written) return std::nullopt;
    const ActivationQuantization grid{
        compiler.value(written->id).type == ElementType::u8 ? DataType::u8 : DataType::s8,
        written->step};
    if (!same_grid(grid, form)) return std::nullopt;
    return written->id;
}

bool read_as_quantized(const graph::Output& output, Compiler& compiler) {
    const auto& readers = compiler.consumers(output);
    if (readers.empty() || compiler.is_model_output(output)) return false;
    for (const graph::Node* reader : readers) {
        if (is_convolution_source(*reader, output, compiler)) continue;
        const bool moves_values =
            reader->type == "Concat" ||
            (reader->type == "MaxPool" && reader->inputs[0].source == output &&
             (reader->outputs.size() < 2 || (compiler.consumers(output_of(*reader, 1)).empty() &&
                                             !compiler.is_model_output(output_of(*reader, 1)))));
        if (moves_values && quantization_of(output_of(*reader), compiler) &&
            read_as_quantized(output_of(*reader), compiler))
            continue;
        return false;
    }
    return true;
}

std::optional<QuantizedChain> quantized_chain(const PostOpChain& chain, Compiler& compiler) {
    for (size_t i = chain.folded; i < chain.ops.size(); ++i) {
        const FusedOp& op = chain.ops[i];
        if (op.kind == FusedOp::Kind::sum) return std::nullopt;  // adds to an f32 residual
        if (op.node->type != "FakeQuantize") continue;
        const auto form = fake_quantize_form(*op.node, compiler);
        if (!form || op.kind != FusedOp::Kind::eltwise ||
            !read_as_quantized(output_of(*op.node), compiler))
            return std::nullopt;
        QuantizedChain quantized{chain, *form};
        quantized.chain.ops.resize(i + 1);
        std::vector<EltwiseOp>& ops = quantized.chain.ops.back().eltwise;
        ops.pop_back();  // the linear step from [0, 255] to [out_low, out_high]
        if (form->type == DataType::s8) ops.push_back({dnnl::algorithm::eltwise_linear, 1, -128});
        return quantized;
    }
    return std::nullopt;
}

}  // namespace es::devices::cpu
