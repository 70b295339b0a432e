#include "devices/cpu/primitive_family.h"
#include "devices/cpu/quantization.h"

#include <set>

namespace es::devices::cpu {

namespace {

// The output of a Concat whose inputs are already where they belong in it: each input's
// buffer becomes its part of the output's (no step), when each input is read by the Concat
// alone and its layout is that of its part of an output laid out like the first input (true
// along the outermost axis longer than 1, and along the channels of a blocked layout in steps
// of its block).
std::optional<ValueId> concat_in_place(const graph::Node& node, Compiler& compiler, size_t axis,
                                       const std::vector<ValueId>& sources, ElementType type) {
    const graph::Output output = output_of(node);
    if (compiler.is_model_output(output)) return std::nullopt;
    std::set<int> buffers;
    for (size_t i = 0; i < sources.size(); ++i) {
        const Value& source = compiler.value(sources[i]);
        if (compiler.sole_consumer(node.inputs[i].source) != &node ||
            !compiler.can_place(sources[i]) || !buffers.insert(source.index).second)
            return std::nullopt;
    }
    const Shape& dst_shape = compiler.shape_of(output);
    const dnnl::memory::desc dst_desc = desc_like(compiler.value(sources[0]).desc, dst_shape);
    if (dst_desc.data_type() != compiler.value(sources[0]).desc.data_type()) return std::nullopt;
    std::vector<size_t> offsets;
    dnnl::memory::dims at(dst_shape.size(), 0);
    for (ValueId id : sources) {
        const Value& source = compiler.value(id);
        const auto part =
            try_create([&] { return dst_desc.submemory_desc(dnnl_dims(source.shape), at); });
        if (!part || !same_layout_at_offset(*part, source.desc)) return std::nullopt;
        offsets.push_back(static_cast<size_t>(part->data.offset0) * element_size(type));
        at[axis] += source.shape[axis];
    }
    const ValueId dst = compiler.add_value(node.name, type, dst_shape, dst_desc);
    for (size_t i = 0; i < sources.size(); ++i)
        compiler.place_inside(sources[i], dst, offsets[i]);
    compiler.computed_in_place(node);
    return dst;
}

// Concat of `sources` (all of `type`) along `axis`: in place when it can be, else a primitive
// where the inputs keep their layouts and the output takes the first one's (or plain ones all).
// Returns the output value.
//
// The output's layout is not left to oneDNN: for inputs with blocked channels its concat picks
// the blocks outermost (Bacd16b, which it holds equal to aBcd16b at batch 1), a layout other
// primitives handle badly. oneDNN 2.6's pooling has only its reference kernel for it, and its
// binary kernel reads a per-channel post-op operand at channel c mod the block (a Concat, then
// a BatchNorm's Multiply and Add; see lower_binary).
std::optional<ValueId> add_concat(const graph::Node& node, Compiler& compiler, size_t axis,
                                  const std::vector<ValueId>& sources, ElementType type) {
    if (const auto in_place = concat_in_place(node, compiler, axis, sources, type)) return in_place;
    const Shape& dst_shape = compiler.shape_of(output_of(node));
    const auto make = [&](bool plain) {
        std::vector<dnnl::memory::desc> descs;
        for (ValueId id : sources)
            descs.push_back(plain ? plain_desc(type, compiler.value(id).shape)
                                  : compiler.value(id).desc);
        dnnl::memory::desc dst_desc = desc_like(descs[0], dst_shape);
        if (plain || dst_desc.data_type() != descs[0].data_type())
            dst_desc = plain_desc(type, dst_shape);
        return try_create([&] {
            return dnnl::concat::primitive_desc(dst_desc, static_cast<int>(axis), descs,
                                                cpu_engine(), default_attr());
        });
    };
    auto primitive = make(false);
    if (!primitive || std::string(primitive->impl_info_str()).rfind("ref", 0) == 0)
        primitive = make(true);
    if (!primitive) return std::nullopt;
    std::vector<PrimitiveArg> args;
    for (size_t i = 0; i < sources.size(); ++i)
        args.push_back({DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i),
                        compiler.to_layout(sources[i], primitive->src_desc(static_cast<int>(i)))});
    const ValueId dst = compiler.add_value(node.name, type, dst_shape, primitive->dst_desc());
    args.push_back({DNNL_ARG_DST, dst});
    compiler.add_primitive(node, *primitive, std::move(args));
    return dst;
}

std::optional<size_t> concat_axis(const graph::Node& node, Compiler& compiler) {
    const Shape& dst_shape = compiler.shape_of(output_of(node));
    if (dst_shape.empty()) return std::nullopt;
    return normalize_axis(node.attributes.get_int("axis"), dst_shape.size());
}

}  // namespace

bool lower_concat(const graph::Node& node, Compiler& compiler) {
    const auto axis = concat_axis(node, compiler);
    if (!axis) return false;
    const size_t rank = compiler.shape_of(output_of(node)).size();
    std::vector<ValueId> sources;
    for (size_t i = 0; i < node.inputs.size(); ++i) {
        const ValueId id = compiler.input_value(node, i);
        const Value& value = compiler.value(id);
        if (value.type != ElementType::f32 || value.shape.size() != rank ||
            shape_size(value.shape) == 0)
            return false;
        sources.push_back(id);
    }
    const auto dst = add_concat(node, compiler, *axis, sources, ElementType::f32);
    if (!dst) return false;
    compiler.define(output_of(node), *dst);
    return true;
}

// Concat of values that steps wrote as 8-bit integers on one grid, for readers that take them.
bool lower_quantized_concat(const graph::Node& node, Compiler& compiler) {
    const auto axis = concat_axis(node, compiler);
    const auto form = quantization_of(output_of(node), compiler);
    if (!axis || !form || !read_as_quantized(output_of(node), *form, compiler)) return false;
    std::vector<ValueId> sources;
    for (const auto& input : node.inputs) {
        const auto written = quantized_value(input.source, *form, compiler);
        if (!written || shape_size(compiler.value(*written).shape) == 0) return false;
        sources.push_back(*written);
    }
    const ElementType type = compiler.value(sources[0]).type;
    const auto dst = add_concat(node, compiler, *axis, sources, type);
    if (!dst) return false;
    compiler.define_quantized(output_of(node), *dst, *form);
    return true;
}

// SoftMax-1 and -8, on a layout with the axis dense.
bool lower_softmax(const graph::Node& node, Compiler& compiler) {
    ValueId src = compiler.input_value(node, 0);
    const Shape shape = compiler.value(src).shape;
    const auto axis = normalize_axis(node.attributes.get_int("axis", 1), shape.size());
    if (compiler.value(src).type != ElementType::f32 || !axis) return false;
    if (lower_short_axis_softmax(node, compiler, *axis)) return true;
    const auto create = [&](const dnnl::memory::desc& desc) {
        return try_create([&] {
            const dnnl::softmax_forward::desc softmax(dnnl::prop_kind::forward_inference, desc,
                                                      static_cast<int>(*axis));
            return dnnl::softmax_forward::primitive_desc(softmax, default_attr(), cpu_engine());
        });
    };
    // oneDNN 2.6's kernels want the axis dense; plain layouts have only the last one so.
    auto primitive = create(plain_desc(ElementType::f32, shape));
    if ((!primitive || is_reference_implementation(*primitive)) && *axis + 1 < shape.size()) {
        const auto dense = create(axis_innermost_desc(shape, *axis, dnnl::memory::data_type::f32));
        if (dense && !is_reference_implementation(*dense)) primitive = dense;
    }
    if (!primitive) return false;
    src = compiler.to_layout(src, primitive->src_desc());
    const ValueId dst =
        compiler.add_value(node.name, ElementType::f32, shape, primitive->dst_desc());
    compiler.add_primitive(node, *primitive, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
    compiler.define(output_of(node), dst);
    return true;
}

}  // namespace es::devices::cpu
