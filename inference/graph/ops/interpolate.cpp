#include "inference/graph/ops/families.h"
#include "inference/graph/ops/interpolate_kernel.h"
#include "inference/graph/ops/op_util.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace es::graph::ops {
namespace {

using interpolate::AxisResize;
using interpolate::Config;
using interpolate::Mode;
using interpolate::Rounding;
using interpolate::Transform;

template <typename E>
struct Named {
    std::string_view name;
    E value;
};

// Interpolate-4 knows the first four modes, Interpolate-11 the first six.
constexpr Named<Mode> k_modes[] = {
    {"nearest", Mode::nearest},
    {"linear", Mode::linear},
    {"linear_onnx", Mode::linear_onnx},
    {"cubic", Mode::cubic},
    {"bilinear_pillow", Mode::bilinear_pillow},
    {"bicubic_pillow", Mode::bicubic_pillow},
};
constexpr Named<Mode> k_modes_v1[] = {
    {"nearest", Mode::nearest},
    {"linear", Mode::linear},
    {"cubic", Mode::cubic},
    {"area", Mode::area},
};
constexpr Named<Transform> k_transforms[] = {
    {"half_pixel", Transform::half_pixel},
    {"pytorch_half_pixel", Transform::pytorch_half_pixel},
    {"asymmetric", Transform::asymmetric},
    {"tf_half_pixel_for_nn", Transform::tf_half_pixel_for_nn},
    {"align_corners", Transform::align_corners},
};
constexpr Named<Rounding> k_roundings[] = {
    {"round_prefer_floor", Rounding::round_prefer_floor},
    {"round_prefer_ceil", Rounding::round_prefer_ceil},
    {"floor", Rounding::floor},
    {"ceil", Rounding::ceil},
    {"simple", Rounding::simple},
};
constexpr Named<bool> k_shape_modes[] = {{"sizes", false}, {"scales", true}};

template <typename E>
E parse_choice(const Attributes& attributes, const std::string& key,
               std::span<const Named<E>> choices, std::optional<E> fallback) {
    if (!attributes.has(key) && fallback) return *fallback;
    const std::string text = attributes.get_string(key);
    std::string expected;
    for (const auto& choice : choices) {
        if (choice.name == text) return choice.value;
        expected += (expected.empty() ? "" : ", ") + std::string(choice.name);
    }
    throw_bad_input("attribute '{}': unknown value '{}', expected one of {}", key, text, expected);
}

Config parse_config(const Attributes& attributes, std::span<const Named<Mode>> modes) {
    Config config;
    config.mode = parse_choice<Mode>(attributes, "mode", modes, std::nullopt);
    config.use_scales =
        parse_choice<bool>(attributes, "shape_calculation_mode", k_shape_modes, std::nullopt);
    config.transform = parse_choice<Transform>(attributes, "coordinate_transformation_mode",
                                               k_transforms, Transform::half_pixel);
    config.rounding = parse_choice<Rounding>(attributes, "nearest_mode", k_roundings,
                                             Rounding::round_prefer_floor);
    config.antialias = attributes.get_bool("antialias", false);
    config.cube_coeff = static_cast<float>(attributes.get_float("cube_coeff", -0.75));
    config.pads_begin = attributes.get_ints("pads_begin", {0});
    config.pads_end = attributes.get_ints("pads_end", {0});
    return config;
}

// Interpolate-1 expressed in Interpolate-4 terms, the way OpenVINO converts one into the other:
// linear is linear_onnx below rank 5, rounding is `simple`, coordinates are asymmetric unless
// align_corners, and unpadded linear resizes that are not the plain NCHW {2, 3} case use
// half_pixel.
Config parse_config_v1(const Attributes& attributes, size_t rank) {
    Config config;
    config.mode = parse_choice<Mode>(attributes, "mode", k_modes_v1, std::nullopt);
    if (config.mode == Mode::linear && rank < 5) config.mode = Mode::linear_onnx;
    config.rounding = Rounding::simple;
    config.antialias = attributes.get_bool("antialias", false);
    config.pads_begin = attributes.get_ints("pads_begin", {0});
    config.pads_end = attributes.get_ints("pads_end", {0});
    config.transform = Transform::asymmetric;
    auto axes = attributes.get_ints("axes");
    std::sort(axes.begin(), axes.end());
    const auto is_zero = [](int64_t pad) { return pad == 0; };
    const bool unpadded =
        std::all_of(config.pads_begin.begin(), config.pads_begin.end(), is_zero) &&
        std::all_of(config.pads_end.begin(), config.pads_end.end(), is_zero);
    const bool linear = config.mode == Mode::linear || config.mode == Mode::linear_onnx;
    if (attributes.get_bool("align_corners", true))
        config.transform = Transform::align_corners;
    else if (linear && unpadded && !(rank == 4 && axes == std::vector<int64_t>{2, 3}))
        config.transform = Transform::half_pixel;
    return config;
}

std::vector<int64_t> fit_pads(std::vector<int64_t> pads, size_t rank, const char* name) {
    // Keeps padded dimensions far from int64 overflow; shape_size bounds what is allocated.
    constexpr int64_t k_max_pad = int64_t{1} << 48;
    for (int64_t pad : pads)
        if (pad < 0 || pad > k_max_pad)
            throw_bad_input("attribute '{}': pad {} is out of range [0, 2^48]", name, pad);
    pads.resize(rank, 0);
    return pads;
}

// What the inputs say about the resized axes; each part is nullopt while unknown.
struct Target {
    std::optional<std::vector<size_t>> axes;
    std::optional<std::vector<int64_t>> sizes;
    std::optional<std::vector<double>> scales;
};

void check_count(int64_t found, int64_t axes_count, size_t input, const char* what) {
    if (found >= 0 && axes_count >= 0 && found != axes_count)
        throw_bad_input("input {} ({}) has {} elements but there are {} axes", input, what, found,
                        axes_count);
}

// Input `target_input` (named `what`) holds sizes or scales; `raw_axes` are the axes as given
// (nullopt while unknown) and `axes_count` their number if known.
Target read_target(const InferContext& context, const Config& config, size_t target_input,
                   const char* what, const std::optional<std::vector<int64_t>>& raw_axes,
                   int64_t axes_count) {
    const PartialShape& data = context.input(0).shape;
    Target target;
    if (raw_axes) {
        axes_count = static_cast<int64_t>(raw_axes->size());
        if (data.rank_known()) {
            std::vector<size_t> axes;
            for (int64_t raw : *raw_axes) {
                const auto axis = normalize_axis(raw, data.rank());
                if (!axis)
                    throw_bad_input("axis {} is out of range for input 0 of rank {}", raw,
                                    data.rank());
                if (std::find(axes.begin(), axes.end(), *axis) != axes.end())
                    throw_bad_input("axis {} appears twice in the axes", raw);
                axes.push_back(*axis);
            }
            target.axes = std::move(axes);
        }
    }
    const PartialShape& target_shape = context.input(target_input).shape;
    if (target_shape.rank_known() && target_shape.rank() == 1)
        check_count(target_shape[0], axes_count, target_input, what);
    const bool pillow = config.mode == Mode::bilinear_pillow || config.mode == Mode::bicubic_pillow;
    if (pillow && axes_count >= 0 && axes_count != 2)
        throw_bad_input("pillow modes resize exactly two axes (H, W), found {} axes", axes_count);

    const Tensor* value = context.value(target_input);
    if (!value) return target;
    check_count(static_cast<int64_t>(value->size()), axes_count, target_input, what);
    if (config.use_scales) {
        target.scales = value->to_doubles();
        for (double scale : *target.scales)
            if (!(scale > 0.0) || !std::isfinite(scale))
                throw_bad_input("input {} ({}): scale {} is not a positive number", target_input,
                                what, scale);
    } else {
        target.sizes = value->to_int64s();
        for (int64_t size : *target.sizes)
            if (size < 0)
                throw_bad_input("input {} ({}): size {} is negative", target_input, what, size);
    }
    return target;
}

// floor(dim * scale), with the small epsilon OpenVINO adds so that 10 * 0.7f gives 7, not 6.
int64_t scaled_dim(int64_t dim, double scale) {
    const double multiplier = static_cast<float>(scale) + 1.0e-6f;
    const double result = std::floor(static_cast<double>(dim) * multiplier);
    if (result > static_cast<double>(int64_t{1} << 48))
        throw_bad_input("scale {} makes dimension {} too large", scale, dim);
    return static_cast<int64_t>(result);
}

// The padded input shape with the resized axes replaced by sizes or scaled dimensions.
PartialShape resized_shape(const PartialShape& data, const Config& config, const Target& target) {
    if (!data.rank_known()) return PartialShape::dynamic_rank();
    const size_t rank = data.rank();
    const auto pads_begin = fit_pads(config.pads_begin, rank, "pads_begin");
    const auto pads_end = fit_pads(config.pads_end, rank, "pads_end");
    if (!target.axes) return PartialShape::dynamic_of_rank(rank);
    PartialShape shape = data;
    for (size_t d = 0; d < rank; ++d)
        if (data[d] >= 0) shape[d] = data[d] + pads_begin[d] + pads_end[d];
    for (size_t k = 0; k < target.axes->size(); ++k) {
        const size_t axis = (*target.axes)[k];
        if (config.use_scales)
            shape[axis] = target.scales && shape[axis] >= 0
                              ? scaled_dim(shape[axis], (*target.scales)[k])
                              : k_dynamic;
        else
            shape[axis] = target.sizes ? (*target.sizes)[k] : k_dynamic;
    }
    return shape;
}

const char* target_name(const Config& config) {
    return config.use_scales ? "scales" : "sizes";
}

void check_data(const InferContext& context) {
    if (context.input(0).type == ElementType::boolean)
        throw_bad_input("input 0 (data) has element type boolean, expected a numeric type");
}

void expect_float_input(const InferContext& context, size_t i, const char* what) {
    const ElementType type = context.input(i).type;
    if (!is_float(type))
        throw_bad_input("input {} ({}) has element type {}, expected a floating-point type", i,
                        what, to_string(type));
}

std::vector<int64_t> all_axes(size_t rank) {
    std::vector<int64_t> axes(rank);
    std::iota(axes.begin(), axes.end(), 0);
    return axes;
}

// Axes of Interpolate-4/11 from input `i`, or every dimension when the input is absent.
std::optional<std::vector<int64_t>> axes_from_input(const InferContext& context, size_t i,
                                                    int64_t& axes_count) {
    const PartialShape& data = context.input(0).shape;
    if (i < context.input_count()) {
        expect_rank(context, i, 1, "axes");
        expect_integer(context, i, "axes");
        const PartialShape& shape = context.input(i).shape;
        axes_count = shape.rank_known() && shape.rank() == 1 ? shape[0] : k_dynamic;
        return constant_ints(context, i);
    }
    if (!data.rank_known()) return std::nullopt;
    axes_count = static_cast<int64_t>(data.rank());
    return all_axes(data.rank());
}

std::vector<PortType> infer_v1(const InferContext& context) {
    check_data(context);
    expect_rank(context, 1, 1, "target_spatial_shape");
    expect_integer(context, 1, "target_spatial_shape");
    const PartialShape& data = context.input(0).shape;
    const Attributes& attributes = context.attributes();
    const Config config = parse_config_v1(attributes, data.rank_known() ? data.rank() : 0);
    const auto axes = attributes.get_ints("axes");
    const Target target = read_target(context, config, 1, "target_spatial_shape", axes,
                                      static_cast<int64_t>(axes.size()));
    return {{context.input(0).type, resized_shape(data, config, target)}};
}

std::vector<PortType> infer_v4(const InferContext& context) {
    const Config config = parse_config(context.attributes(), std::span(k_modes).first(4));
    check_data(context);
    expect_rank(context, 1, 1, "sizes");
    expect_integer(context, 1, "sizes");
    expect_rank(context, 2, 1, "scales");
    expect_float_input(context, 2, "scales");
    int64_t axes_count = k_dynamic;
    const auto axes = axes_from_input(context, 3, axes_count);
    const Target target = read_target(context, config, config.use_scales ? 2 : 1,
                                      target_name(config), axes, axes_count);
    return {{context.input(0).type, resized_shape(context.input(0).shape, config, target)}};
}

std::vector<PortType> infer_v11(const InferContext& context) {
    const Config config = parse_config(context.attributes(), k_modes);
    check_data(context);
    if (config.use_scales) {
        expect_rank(context, 1, 1, "scales");
        expect_float_input(context, 1, "scales");
    } else {
        expect_rank(context, 1, 1, "sizes");
        expect_integer(context, 1, "sizes");
    }
    int64_t axes_count = k_dynamic;
    const auto axes = axes_from_input(context, 2, axes_count);
    const Target target = read_target(context, config, 1, target_name(config), axes, axes_count);
    return {{context.input(0).type, resized_shape(context.input(0).shape, config, target)}};
}

// Shared by all versions: `target_input` holds sizes or scales, `raw_axes` the resized axes.
void evaluate_resize(const Node& node, const Config& config, std::span<const Tensor> inputs,
                     std::vector<Tensor>& outputs, size_t target_input, const char* what,
                     const std::vector<int64_t>& raw_axes) {
    std::vector<PortType> types;
    std::vector<const Tensor*> values;
    for (const auto& input : inputs) {
        types.push_back({input.type(), PartialShape(input.shape())});
        values.push_back(&input);
    }
    const InferContext context{node, types, values};
    const auto axes_count = static_cast<int64_t>(raw_axes.size());
    const Target target = read_target(context, config, target_input, what, raw_axes, axes_count);
    const Tensor& data = inputs[0];
    const Shape out_shape = resized_shape(PartialShape(data.shape()), config, target).to_shape();
    const auto pads_begin = fit_pads(config.pads_begin, data.rank(), "pads_begin");
    const auto pads_end = fit_pads(config.pads_end, data.rank(), "pads_end");
    const auto is_zero = [](int64_t pad) { return pad == 0; };
    const bool padded = !std::all_of(pads_begin.begin(), pads_begin.end(), is_zero) ||
                        !std::all_of(pads_end.begin(), pads_end.end(), is_zero);
    const Tensor src = padded ? interpolate::pad_zeros(data, pads_begin, pads_end) : data;

    std::vector<AxisResize> axes;
    for (size_t k = 0; k < target.axes->size(); ++k) {
        const size_t axis = (*target.axes)[k];
        const int64_t in_len = src.shape()[axis];
        const int64_t out_len = out_shape[axis];
        // Scales mode divides coordinates by the given scale, sizes mode by out / in.
        float scale = 1.0f;
        if (config.use_scales)
            scale = static_cast<float>((*target.scales)[k]);
        else if (in_len > 0)
            scale = static_cast<float>(out_len) / static_cast<float>(in_len);
        axes.push_back({axis, in_len, out_len, scale});
    }
    if (outputs[0].empty() || outputs[0].shape() != out_shape)
        outputs[0] = Tensor(data.type(), out_shape);
    interpolate::resample(config, axes, src, outputs[0]);
}

void evaluate_v1(const Node& node, std::span<const Tensor> inputs, std::vector<Tensor>& outputs) {
    const Config config = parse_config_v1(node.attributes, inputs[0].rank());
    evaluate_resize(node, config, inputs, outputs, 1, "target_spatial_shape",
                    node.attributes.get_ints("axes"));
}

void evaluate_v4(const Node& node, std::span<const Tensor> inputs, std::vector<Tensor>& outputs) {
    const Config config = parse_config(node.attributes, std::span(k_modes).first(4));
    const auto axes = inputs.size() > 3 ? inputs[3].to_int64s() : all_axes(inputs[0].rank());
    evaluate_resize(node, config, inputs, outputs, config.use_scales ? 2 : 1, target_name(config),
                    axes);
}

void evaluate_v11(const Node& node, std::span<const Tensor> inputs, std::vector<Tensor>& outputs) {
    const Config config = parse_config(node.attributes, k_modes);
    const auto axes = inputs.size() > 2 ? inputs[2].to_int64s() : all_axes(inputs[0].rank());
    evaluate_resize(node, config, inputs, outputs, 1, target_name(config), axes);
}

}  // namespace

namespace interpolate {

Config config_of(const Node& node) {
    if (node.op->since_opset < 4)
        return parse_config_v1(node.attributes, node.input_type(0).shape.rank());
    return node.op->since_opset < 11 ? parse_config(node.attributes, std::span(k_modes).first(4))
                                     : parse_config(node.attributes, k_modes);
}

}  // namespace interpolate

void add_interpolate_ops(std::vector<OpDef>& ops) {
    ops.push_back({"Interpolate", 1, 2, 2, infer_v1, evaluate_v1});
    ops.push_back({"Interpolate", 4, 3, 4, infer_v4, evaluate_v4});
    ops.push_back({"Interpolate", 11, 2, 3, infer_v11, evaluate_v11});
}

}  // namespace es::graph::ops
