#include "devices/cpu/primitive_family.h"
#include "devices/cpu/quantization.h"

#include <numeric>

namespace es::devices::cpu {

// Reshape, Squeeze and Unsqueeze of a plain tensor change no byte: the output is the input's
// memory seen with another shape.
bool lower_reshape(const graph::Node& node, Compiler& compiler) {
    const ValueId src = compiler.to_plain(compiler.input_value(node, 0));
    const Value& value = compiler.value(src);
    const Shape& shape = compiler.shape_of(output_of(node));
    compiler.define(output_of(node),
                    compiler.add_alias(src, node.name, shape, plain_desc(value.type, shape),
                                       Compiler::Alias::reshape));
    return true;
}

// Reshape, Squeeze, Unsqueeze and Transpose of 8-bit values a step wrote, for readers that take
// them so: the integers seen with another shape, or in another order.
bool lower_quantized_move(const graph::Node& node, Compiler& compiler) {
    const auto form = quantization_of(output_of(node), compiler);
    if (!form || !read_as_quantized(output_of(node), *form, compiler)) return false;
    const auto written = quantized_value(node.inputs.at(0).source, *form, compiler);
    if (!written) return false;
    const Shape& shape = compiler.shape_of(output_of(node));
    ValueId moved;
    if (node.type == "Transpose") {
        const Tensor* order_value = compiler.constant_input(node, 1);
        const Value& value = compiler.value(*written);
        if (!order_value || value.desc.is_zero()) return false;
        std::vector<int64_t> order = order_value->to_int64s();
        if (order.empty()) {
            order.resize(value.shape.size());
            std::iota(order.rbegin(), order.rend(), 0);
        }
        if (order.size() != value.shape.size()) return false;
        moved = compiler.add_alias(*written, node.name, shape, permuted_desc(value.desc, order),
                                   Compiler::Alias::reshape);
    } else {
        const ValueId src = compiler.to_plain(*written);
        moved =
            compiler.add_alias(src, node.name, shape, plain_desc(compiler.value(src).type, shape),
                               Compiler::Alias::reshape);
    }
    compiler.computed_in_place(node);
    compiler.define_quantized(output_of(node), moved, *form);
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
