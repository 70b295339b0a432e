#include "devices/cpu/broadcast_operands.h"
#include "devices/cpu/primitive_family.h"

namespace es::devices::cpu {
namespace {

struct Comparison {
    std::string_view type;
    dnnl::algorithm algorithm;
    dnnl::algorithm swapped;  // the same test with the operands exchanged
};

const Comparison k_comparisons[] = {
    {"Equal", dnnl::algorithm::binary_eq, dnnl::algorithm::binary_eq},
    {"NotEqual", dnnl::algorithm::binary_ne, dnnl::algorithm::binary_ne},
    {"Greater", dnnl::algorithm::binary_gt, dnnl::algorithm::binary_lt},
    {"GreaterEqual", dnnl::algorithm::binary_ge, dnnl::algorithm::binary_le},
    {"Less", dnnl::algorithm::binary_lt, dnnl::algorithm::binary_gt},
    {"LessEqual", dnnl::algorithm::binary_le, dnnl::algorithm::binary_ge},
};

}  // namespace

// Comparisons of f32 tensors as oneDNN binary primitives writing 1 or 0 as u8, the device's
// boolean. oneDNN broadcasts only its second source: a broadcast first operand is exchanged
// with the second and the test mirrored.
bool lower_comparison(const graph::Node& node, Compiler& compiler) {
    const auto op = std::find_if(std::begin(k_comparisons), std::end(k_comparisons),
                                 [&](const Comparison& entry) { return entry.type == node.type; });
    const std::string broadcast = node.attributes.get_string("auto_broadcast", "numpy");
    if (op == std::end(k_comparisons) || (broadcast != "numpy" && broadcast != "none") ||
        node.outputs[0].type.type != ElementType::boolean)
        return false;
    ValueId a = compiler.input_value(node, 0);
    ValueId b = compiler.input_value(node, 1);
    if (compiler.value(a).type != ElementType::f32 || compiler.value(b).type != ElementType::f32)
        return false;
    const Shape& dst_shape = compiler.shape_of(output_of(node));
    const Shape dims = dst_shape.empty() ? Shape{1} : dst_shape;
    Shape a_dims = padded(compiler.value(a).shape, dims.size());
    Shape b_dims = padded(compiler.value(b).shape, dims.size());
    dnnl::algorithm algorithm = op->algorithm;
    if (a_dims != dims) {
        if (b_dims != dims) return false;
        std::swap(a, b);
        std::swap(a_dims, b_dims);
        algorithm = op->swapped;
    }
    a = with_dims(compiler, a, a_dims);
    // oneDNN 2.6's kernels read the common formats (nChw16c, nhwc …) and plain ones; its AVX2
    // kernel crashes on others, such as a blocked layout seen through a Transpose.
    if (desc_like(compiler.value(a).desc, dims) != compiler.value(a).desc) a = compiler.to_plain(a);
    b = with_dims(compiler, b_dims != dims ? compiler.to_plain(b) : b, b_dims);
    const dnnl::memory::desc a_desc = compiler.value(a).desc;
    const auto primitive = try_create([&] {
        const dnnl::binary::desc desc(
            algorithm, a_desc, b_dims == dims ? a_desc : compiler.value(b).desc,
            dnnl::memory::desc(dnnl_dims(dims), dnnl::memory::data_type::u8,
                               dnnl::memory::format_tag::any));
        return dnnl::binary::primitive_desc(desc, default_attr(), cpu_engine());
    });
    if (!primitive) return false;
    const ValueId src1 = compiler.to_layout(b, primitive->src1_desc());
    const ValueId dst =
        compiler.add_value(node.name, ElementType::boolean, dst_shape, primitive->dst_desc());
    compiler.add_primitive(node, *primitive,
                           {{DNNL_ARG_SRC_0, a}, {DNNL_ARG_SRC_1, src1}, {DNNL_ARG_DST, dst}});
    compiler.define(output_of(node), dst);
    return true;
}

}  // namespace es::devices::cpu
