#include "devices/cpu/primitive_family.h"

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

// A Convert between float types is nothing: the device computes every float in f32.
bool lower_float_convert(const graph::Node& node, Compiler& compiler) {
    if (stored_type(node.input_type(0).type) != ElementType::f32 ||
        stored_type(node.outputs[0].type.type) != ElementType::f32)
        return false;
    compiler.define(output_of(node), compiler.input_value(node, 0));
    return true;
}

}  // namespace es::devices::cpu
