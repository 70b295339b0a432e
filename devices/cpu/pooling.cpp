#include "devices/cpu/primitive_family.h"
#include "devices/cpu/quantization.h"
#include "devices/cpu/window.h"
#include "inference/graph/op.h"

namespace es::devices::cpu {
namespace {

using Tag = dnnl::memory::format_tag;

// Adds a pooling primitive from `src` (any layout) to a new value of `dst_shape` and its type.
std::optional<ValueId> add_pooling(const graph::Node& node, Compiler& compiler, ValueId src,
                                   const Shape& dst_shape, dnnl::algorithm algorithm,
                                   const Window& window, const std::vector<int64_t>& kernel) {
    const Value source = compiler.value(src);
    const dnnl::memory::desc dst_any(dnnl_dims(dst_shape), source.desc.data_type(), Tag::any);
    const auto primitive = try_create([&] {
        const dnnl::pooling_v2_forward::desc desc(
            dnnl::prop_kind::forward_inference, algorithm, source.desc, dst_any, window.strides,
            dnnl::memory::dims(kernel.begin(), kernel.end()), window.dilations, window.pads_begin,
            window.pads_end);
        return dnnl::pooling_v2_forward::primitive_desc(desc, default_attr(), cpu_engine());
    });
    if (!primitive) return std::nullopt;
    const ValueId dst =
        compiler.add_value(node.name, source.type, dst_shape, primitive->dst_desc());
    compiler.add_primitive(node, *primitive, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
    return dst;
}

// MaxPool and AvgPool of `src`. oneDNN has no rounding mode: ceil rounding becomes a larger end
// pad. AvgPool without exclude-pad divides by the whole kernel only when the attributes pad (as
// the reference does); otherwise by the taps inside the input.
std::optional<ValueId> add_window_pooling(const graph::Node& node, Compiler& compiler,
                                          ValueId src) {
    const bool max = node.type == "MaxPool";
    const Shape src_shape = compiler.value(src).shape;
    const Shape& dst_shape = compiler.shape_of(output_of(node));
    const std::vector<int64_t> kernel = node.attributes.get_ints("kernel");
    const bool dilated = max && node.op->since_opset >= 8;
    const auto window = forward_window(node.attributes, src_shape, dst_shape, kernel, dilated);
    if (!window) return std::nullopt;
    dnnl::algorithm algorithm = dnnl::algorithm::pooling_max;
    if (!max) {
        const bool exclude_pad = node.attributes.get_bool("exclude-pad", false);
        algorithm = !exclude_pad && window->padded ? dnnl::algorithm::pooling_avg_include_padding
                                                   : dnnl::algorithm::pooling_avg_exclude_padding;
    }
    return add_pooling(node, compiler, src, dst_shape, algorithm, *window, kernel);
}

bool uses_indices(const graph::Node& node, const Compiler& compiler) {
    return node.outputs.size() > 1 && (!compiler.consumers(output_of(node, 1)).empty() ||
                                       compiler.is_model_output(output_of(node, 1)));
}

// The f32 input of a pooling or reduction of rank 3 to 5; nullopt otherwise.
std::optional<ValueId> spatial_input(const graph::Node& node, Compiler& compiler) {
    const ValueId src = compiler.input_value(node, 0);
    const Value& value = compiler.value(src);
    if (value.type != ElementType::f32 || value.shape.size() < 3 || value.shape.size() > 5)
        return std::nullopt;
    return src;
}

}  // namespace

bool lower_pooling(const graph::Node& node, Compiler& compiler) {
    if (uses_indices(node, compiler)) return false;
    const auto src = spatial_input(node, compiler);
    if (!src) return false;
    const auto dst = add_window_pooling(node, compiler, *src);
    if (!dst) return false;
    compiler.define(output_of(node), *dst);
    return true;
}

// MaxPool of a value a step wrote as 8-bit integers, for readers that take them.
bool lower_quantized_max_pool(const graph::Node& node, Compiler& compiler) {
    const auto form = quantization_of(output_of(node), compiler);
    if (uses_indices(node, compiler) || !form ||
        !read_as_quantized(output_of(node), *form, compiler))
        return false;
    const auto written = quantized_value(node.inputs.at(0).source, *form, compiler);
    if (!written || compiler.value(*written).shape.size() < 3) return false;
    // oneDNN 2.6 pools 8-bit integers fast only with the channels innermost.
    const Value value = compiler.value(*written);
    const ValueId src =
        compiler.to_layout(*written, axis_innermost_desc(value.shape, 1, value.desc.data_type()));
    const auto dst = add_window_pooling(node, compiler, src);
    if (!dst) return false;
    compiler.define_quantized(output_of(node), *dst, *form);
    return true;
}

// ReduceMean and ReduceMax over all spatial axes are global pooling, fast in oneDNN's blocked
// layouts; other reductions use the reduction primitive on plain tensors.
bool lower_reduction(const graph::Node& node, Compiler& compiler) {
    const Tensor* axes_value = compiler.constant_input(node, 1);
    const ValueId src = compiler.input_value(node, 0);
    const Value& value = compiler.value(src);
    if (!axes_value || value.type != ElementType::f32 || value.shape.empty()) return false;
    const Shape src_shape = value.shape;
    const size_t rank = src_shape.size();
    std::vector<bool> reduced(rank, false);
    for (int64_t axis : axes_value->to_int64s()) {
        const auto normalized = normalize_axis(axis, rank);
        if (!normalized) return false;
        reduced[*normalized] = true;
    }
    Shape kept = src_shape;
    for (size_t i = 0; i < rank; ++i)
        if (reduced[i]) kept[i] = 1;
    const Shape& dst_shape = compiler.shape_of(output_of(node));

    const bool spatial = rank >= 3 && rank <= 5 && !reduced[0] && !reduced[1] &&
                         std::all_of(reduced.begin() + 2, reduced.end(), [](bool r) { return r; });
    const bool poolable = node.type == "ReduceMean" || node.type == "ReduceMax";
    std::optional<ValueId> pooled;
    if (spatial && poolable) {
        Window window;
        std::vector<int64_t> kernel(src_shape.begin() + 2, src_shape.end());
        window.strides.assign(rank - 2, 1);
        window.dilations.assign(rank - 2, 0);
        window.pads_begin.assign(rank - 2, 0);
        window.pads_end.assign(rank - 2, 0);
        const auto algorithm = node.type == "ReduceMax"
                                   ? dnnl::algorithm::pooling_max
                                   : dnnl::algorithm::pooling_avg_exclude_padding;
        pooled = add_pooling(node, compiler, src, kept, algorithm, window, kernel);
        if (!pooled) return false;
    } else {
        static const std::vector<std::pair<std::string_view, dnnl::algorithm>> algorithms = {
            {"ReduceMean", dnnl::algorithm::reduction_mean},
            {"ReduceSum", dnnl::algorithm::reduction_sum},
            {"ReduceMax", dnnl::algorithm::reduction_max},
            {"ReduceMin", dnnl::algorithm::reduction_min},
            {"ReduceProd", dnnl::algorithm::reduction_mul},
        };
        const auto found =
            std::find_if(algorithms.begin(), algorithms.end(),
                         [&](const auto& entry) { return entry.first == node.type; });
        if (found == algorithms.end()) return false;
        const ValueId plain = compiler.to_plain(src);
        const dnnl::memory::desc src_desc = compiler.value(plain).desc;
        const auto primitive = try_create([&] {
            const dnnl::reduction::desc desc(found->second, src_desc,
                                             plain_desc(ElementType::f32, kept), 0.0f, 0.0f);
            return dnnl::reduction::primitive_desc(desc, default_attr(), cpu_engine());
        });
        if (!primitive) return false;
        const ValueId dst =
            compiler.add_value(node.name, ElementType::f32, kept, primitive->dst_desc());
        compiler.add_primitive(node, *primitive, {{DNNL_ARG_SRC, plain}, {DNNL_ARG_DST, dst}});
        pooled = dst;
    }
    if (dst_shape != kept) {  // keep_dims false: the same bytes without the reduced axes
        const ValueId plain = compiler.to_plain(*pooled);
        compiler.define(output_of(node), compiler.add_alias(plain, node.name, dst_shape,
                                                            plain_desc(ElementType::f32, dst_shape),
                                                            Compiler::Alias::reshape));
    } else {
        compiler.define(output_of(node), *pooled);
    }
    return true;
}

}  // namespace es::devices::cpu
