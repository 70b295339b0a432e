#include "devices/cpu/primitive_family.h"
#include "devices/cpu/quantization.h"

#include <numeric>
#include <optional>

namespace es::devices::cpu {

namespace {

// `src` seen as the output of `node`, which moves no byte: Reshape, Squeeze and Unsqueeze see a
// plain tensor's memory with another shape; a Transpose by a constant order sees any layout with
// permuted axes. nullopt for a Transpose whose order it cannot read.
std::optional<ValueId> moved_view(const graph::Node& node, Compiler& compiler, ValueId src) {
    const Shape& shape = compiler.shape_of(output_of(node));
    if (node.type != "Transpose") {
        src = compiler.to_plain(src);
        return compiler.add_alias(src, node.name, shape,
                                  plain_desc(compiler.value(src).type, shape),
                                  Compiler::Alias::reshape);
    }
    const Tensor* order_value = compiler.constant_input(node, 1);
    const Value value = compiler.value(src);
    if (!order_value || value.desc.is_zero() || value.shape.empty()) return std::nullopt;
    std::vector<int64_t> order = order_value->to_int64s();
    if (order.empty()) {
        order.resize(value.shape.size());
        std::iota(order.rbegin(), order.rend(), 0);
    }
    if (order.size() != value.shape.size()) return std::nullopt;
    return compiler.add_alias(src, node.name, shape, permuted_desc(value.desc, order),
                              Compiler::Alias::reshape);
}

}  // namespace

bool lower_reshape(const graph::Node& node, Compiler& compiler) {
    compiler.define(output_of(node), *moved_view(node, compiler, compiler.input_value(node, 0)));
    return true;
}

// Its readers take the permuted layout as they take a blocked one (reordering it where they need
// another). The NHWC tensors between a converted TensorFlow graph's Transposes are thus the
// device's own layouts seen in TensorFlow's axis order.
bool lower_transpose(const graph::Node& node, Compiler& compiler) {
    const auto view = moved_view(node, compiler, compiler.input_value(node, 0));
    if (!view) return false;
    compiler.define(output_of(node), *view);
    compiler.computed_in_place(node);
    return true;
}

// Reshape, Squeeze, Unsqueeze and Transpose of 8-bit values a step wrote, for readers that take
// them so: the integers seen with another shape, or in another order.
bool lower_quantized_move(const graph::Node& node, Compiler& compiler) {
    const auto form = quantization_of(output_of(node), compiler);
    if (!form || !read_as_quantized(output_of(node), *form, compiler)) return false;
    const auto written = quantized_value(node.inputs.at(0).source, *form, compiler);
    if (!written) return false;
    const auto view = moved_view(node, compiler, *written);
    if (!view) return false;
    compiler.computed_in_place(node);
    compiler.define_quantized(output_of(node), *view, *form);
    return true;
}

// A Convert between float types is nothing: the device computes every float in f32.
bool lower_float_convert(const graph::Node& node, Compiler& compiler) {
    if (stored_type(node.input_type(0).type) != ElementType::f32 ||
        stored_type(node.outputs[0].type.type) != ElementType::f32)
        return false;
    compiler.define(output_of(node), compiler.input_value(node, 0));
    return true;
}

// A Convert of booleans or integers to f32 as a reorder between data types, which keeps the
// layout. (Floats to integers are left to the reference kernel: oneDNN rounds where Convert
// truncates.)
bool lower_convert_to_float(const graph::Node& node, Compiler& compiler) {
    const ValueId src = compiler.input_value(node, 0);
    const Value source = compiler.value(src);
    if (stored_type(node.outputs[0].type.type) != ElementType::f32 || source.desc.is_zero() ||
        source.type == ElementType::f32)
        return false;
    dnnl_memory_desc_t data = source.desc.data;
    data.data_type = dnnl_f32;
    const dnnl::memory::desc dst_desc(data);
    const auto primitive = try_create([&] {
        return dnnl::reorder::primitive_desc(cpu_engine(), source.desc, cpu_engine(), dst_desc,
                                             default_attr());
    });
    if (!primitive) return false;
    const ValueId dst = compiler.add_value(node.name, ElementType::f32, source.shape, dst_desc);
    compiler.add_primitive(node, *primitive, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
    compiler.define(output_of(node), dst);
    return true;
}

}  // namespace es::devices::cpu
