#include "devices/cpu/primitive_family.h"
#include "inference/graph/op.h"
#include "inference/graph/ops/interpolate_kernel.h"

#include <numeric>

namespace es::devices::cpu {
namespace {

// Interpolate's attributes where they decide whether oneDNN computes the same thing.
struct Resize {
    bool nearest = false;  // else linear
    std::string transform;
    std::string rounding;
};

bool pads_are_zero(const graph::Attributes& attributes) {
    for (const char* key : {"pads_begin", "pads_end"})
        for (int64_t pad : attributes.get_ints(key, {0}))
            if (pad != 0) return false;
    return true;
}

std::optional<Resize> read_resize(const graph::Node& node) {
    const auto& attributes = node.attributes;
    Resize resize;
    if (node.op->since_opset < 4) {
        // Interpolate-1 (see the reference kernel): nearest with truncation, or linear below rank
        // 5; align_corners coordinates, else asymmetric ones, but half_pixel for unpadded linear
        // resizes other than NCHW's {2, 3}.
        const std::string mode = attributes.get_string("mode");
        const size_t rank = node.input_type(0).shape.rank();
        if (mode != "nearest" && (mode != "linear" || rank >= 5)) return std::nullopt;
        resize.nearest = mode == "nearest";
        resize.rounding = "simple";
        auto axes = attributes.get_ints("axes");
        std::sort(axes.begin(), axes.end());
        if (attributes.get_bool("align_corners", true))
            resize.transform = "align_corners";
        else if (!resize.nearest && pads_are_zero(attributes) &&
                 !(rank == 4 && axes == std::vector<int64_t>{2, 3}))
            resize.transform = "half_pixel";
        else
            resize.transform = "asymmetric";
        return resize;
    }
    const std::string mode = attributes.get_string("mode");
    if (mode != "nearest" && mode != "linear_onnx") return std::nullopt;
    resize.nearest = mode == "nearest";
    resize.transform = attributes.get_string("coordinate_transformation_mode", "half_pixel");
    resize.rounding = attributes.get_string("nearest_mode", "round_prefer_floor");
    return resize;
}

// Whether oneDNN's nearest neighbour (for whole upscaling factors, source index = floor(dst
// index / factor)) is what the coordinate transform and rounding give.
bool nearest_matches(const Resize& resize) {
    const std::string& t = resize.transform;
    const std::string& r = resize.rounding;
    const bool floors = r == "floor" || r == "simple";
    if (t == "asymmetric" || t == "tf_half_pixel_for_nn") return floors;
    if (t == "half_pixel" || t == "pytorch_half_pixel")
        return r == "round_prefer_floor" || r == "round_prefer_ceil";
    return false;
}

// The scales input, when the output size comes from scales: each must equal out / in as the
// reference computes it in float, or the coordinates differ.
bool scales_match(const graph::Node& node, Compiler& compiler, const Shape& src, const Shape& dst) {
    if (node.op->since_opset < 4 ||
        node.attributes.get_string("shape_calculation_mode", "sizes") != "scales")
        return true;
    const bool v11 = node.op->since_opset >= 11;
    const Tensor* scales = compiler.constant_input(node, v11 ? 1 : 2);
    const size_t axes_input = v11 ? 2 : 3;
    if (!scales) return false;
    std::vector<int64_t> axes(src.size());
    std::iota(axes.begin(), axes.end(), 0);
    if (node.inputs.size() > axes_input) {
        const Tensor* axes_value = compiler.constant_input(node, axes_input);
        if (!axes_value) return false;
        axes = axes_value->to_int64s();
    }
    const auto values = scales->to_doubles();
    if (values.size() != axes.size()) return false;
    for (size_t i = 0; i < axes.size(); ++i) {
        const auto axis = normalize_axis(axes[i], src.size());
        if (!axis) return false;
        const float ratio = static_cast<float>(dst[*axis]) / static_cast<float>(src[*axis]);
        if (src[*axis] != dst[*axis] && static_cast<float>(values[i]) != ratio) return false;
    }
    return true;
}

}  // namespace

// Interpolate in the modes oneDNN's resampling computes exactly: nearest neighbour for whole
// upscaling factors with matching coordinate rules, and linear_onnx with half-pixel
// coordinates; batch and channels unchanged, no pads, no antialiasing.
bool lower_interpolate(const graph::Node& node, Compiler& compiler) {
    const auto resize = read_resize(node);
    if (!resize || node.attributes.get_bool("antialias", false) || !pads_are_zero(node.attributes))
        return false;
    const ValueId src = compiler.input_value(node, 0);
    const Value& value = compiler.value(src);
    const Shape src_shape = value.shape;
    const dnnl::memory::desc src_desc = value.desc;
    const Shape& dst_shape = compiler.shape_of(output_of(node));
    if (value.type != ElementType::f32 || src_shape.size() < 3 || src_shape.size() > 5 ||
        src_shape[0] != dst_shape[0] || src_shape[1] != dst_shape[1] ||
        !scales_match(node, compiler, src_shape, dst_shape))
        return false;
    if (resize->nearest) {
        if (!nearest_matches(*resize)) return false;
        for (size_t i = 2; i < src_shape.size(); ++i)
            if (dst_shape[i] < src_shape[i] || dst_shape[i] % src_shape[i] != 0) return false;
    } else if (resize->transform != "half_pixel" && resize->transform != "pytorch_half_pixel") {
        return false;
    } else if (resize->transform == "pytorch_half_pixel") {
        for (size_t i = 2; i < src_shape.size(); ++i)
            if (dst_shape[i] == 1 && src_shape[i] != 1) return false;
    }
    const auto algorithm =
        resize->nearest ? dnnl::algorithm::resampling_nearest : dnnl::algorithm::resampling_linear;
    const dnnl::memory::desc dst_any(dnnl_dims(dst_shape), dnnl::memory::data_type::f32,
                                     dnnl::memory::format_tag::any);
    const auto primitive = try_create([&] {
        const dnnl::resampling_forward::desc desc(dnnl::prop_kind::forward_inference, algorithm,
                                                  src_desc, dst_any);
        return dnnl::resampling_forward::primitive_desc(desc, default_attr(), cpu_engine());
    });
    if (!primitive) return false;
    const ValueId dst =
        compiler.add_value(node.name, ElementType::f32, dst_shape, primitive->dst_desc());
    compiler.add_primitive(node, *primitive, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
    compiler.define(output_of(node), dst);
    return true;
}

// linear_onnx where oneDNN's resampling differs (asymmetric and align_corners coordinates, as
// TensorFlow's ResizeBilinear has them) or lacks the layout (NHWC, where H and W are not the last
// axes), on the device's own kernel: sizes mode, at most two resized axes and those adjacent.
// The taps are the reference kernel's.
bool lower_linear_interpolate(const graph::Node& node, Compiler& compiler) {
    namespace interpolate = graph::ops::interpolate;
    using interpolate::Transform;
    static const std::pair<std::string_view, Transform> transforms[] = {
        {"half_pixel", Transform::half_pixel},
        {"pytorch_half_pixel", Transform::pytorch_half_pixel},
        {"asymmetric", Transform::asymmetric},
        {"tf_half_pixel_for_nn", Transform::tf_half_pixel_for_nn},
        {"align_corners", Transform::align_corners},
    };
    const auto resize = read_resize(node);
    if (!resize || resize->nearest || node.attributes.get_bool("antialias", false) ||
        !pads_are_zero(node.attributes) ||
        node.attributes.get_string("shape_calculation_mode", "sizes") != "sizes")
        return false;
    const auto transform =
        std::find_if(std::begin(transforms), std::end(transforms),
                     [&](const auto& entry) { return entry.first == resize->transform; });
    const ValueId src = compiler.input_value(node, 0);
    const Shape src_shape = compiler.value(src).shape;
    const Shape& dst_shape = compiler.shape_of(output_of(node));
    if (transform == std::end(transforms) || compiler.value(src).type != ElementType::f32 ||
        src_shape.size() < 2 || src_shape.size() != dst_shape.size() ||
        shape_size(src_shape) == 0 || shape_size(dst_shape) == 0)
        return false;
    std::vector<size_t> resized;
    for (size_t axis = 0; axis < src_shape.size(); ++axis)
        if (src_shape[axis] != dst_shape[axis]) resized.push_back(axis);
    if (resized.empty() || resized.size() > 2 ||
        (resized.size() == 2 && resized[1] != resized[0] + 1))
        return false;
    const size_t first = resized[0] + 1 < src_shape.size() ? resized[0] : resized[0] - 1;
    interpolate::Config config;
    config.mode = interpolate::Mode::linear_onnx;
    config.transform = transform->second;
    const auto taps_of = [&](size_t axis) {
        const interpolate::AxisResize r{
            axis, src_shape[axis], dst_shape[axis],
            static_cast<float>(dst_shape[axis]) / static_cast<float>(src_shape[axis])};
        const interpolate::AxisTaps taps = interpolate::linear_onnx_taps(config, r);
        return BilinearStep::Taps{taps.index, taps.weight};
    };
    // An image whose producer chose another layout than the plain one is resized channels
    // last: whole pixels of channels at a time, and no plain copy in between.
    const bool channels_last = src_shape.size() == 4 && first == 2 && src_shape[1] > 1 &&
                               !is_plain(compiler.value(src).desc);
    int64_t outer = 1, inner = 1;
    if (channels_last) {
        outer = src_shape[0];
        inner = src_shape[1];
    } else {
        for (size_t axis = 0; axis < src_shape.size(); ++axis) {
            if (axis < first) outer *= src_shape[axis];
            if (axis > first + 1) inner *= src_shape[axis];
        }
    }
    const auto layout = [&](const Shape& shape) {
        return channels_last ? axis_innermost_desc(shape, 1, dnnl::memory::data_type::f32)
                             : plain_desc(ElementType::f32, shape);
    };
    const ValueId source = compiler.to_layout(src, layout(src_shape));
    const ValueId dst =
        compiler.add_value(node.name, ElementType::f32, dst_shape, layout(dst_shape));
    auto step =
        std::make_unique<BilinearStep>(source, dst, outer, src_shape[first], src_shape[first + 1],
                                       inner, taps_of(first), taps_of(first + 1));
    step->name = node.name;
    compiler.add_step(std::move(step));
    compiler.define(output_of(node), dst);
    return true;
}

}  // namespace es::devices::cpu
