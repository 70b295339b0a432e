#include "inference/frontends/onnx/nn_translators.h"

#include <fmt/format.h>

#include <cmath>
#include <numeric>

namespace es::frontends::onnx_import::nn {
namespace {

struct ResizeSettings {
    std::string mode;       // nearest, linear, cubic
    std::string transform;  // ONNX coordinate_transformation_mode
    std::string nearest_mode;
    float cubic_a = -0.75f;
    bool exclude_outside = false;
    bool antialias = false;
};

// Resize-10 and Upsample resize with asymmetric coordinates, nearest rounding down.
ResizeSettings legacy_settings(const NodeContext& context) {
    ResizeSettings settings;
    settings.mode = context.attribute_string("mode", "nearest");
    if (settings.mode == "bilinear") settings.mode = "linear";
    if (settings.mode != "nearest" && settings.mode != "linear")
        context.fail(
            fmt::format("attribute 'mode' is '{}', expected nearest or linear", settings.mode));
    settings.transform = "asymmetric";
    settings.nearest_mode = "floor";
    return settings;
}

ResizeSettings read_settings(const NodeContext& context) {
    ResizeSettings settings;
    settings.mode = context.attribute_string("mode", "nearest");
    if (settings.mode != "nearest" && settings.mode != "linear" && settings.mode != "cubic")
        context.fail(fmt::format("attribute 'mode' is '{}', expected nearest, linear or cubic",
                                 settings.mode));
    settings.transform = context.attribute_string("coordinate_transformation_mode", "half_pixel");
    static const char* const transforms[] = {"half_pixel",         "half_pixel_symmetric",
                                             "pytorch_half_pixel", "align_corners",
                                             "asymmetric",         "tf_half_pixel_for_nn"};
    if (settings.transform == "tf_crop_and_resize")
        context.fail(
            "coordinate_transformation_mode tf_crop_and_resize (crop by roi) is not "
            "supported");
    if (std::find(std::begin(transforms), std::end(transforms), settings.transform) ==
        std::end(transforms))
        context.fail(
            fmt::format("attribute 'coordinate_transformation_mode' is '{}', which is "
                        "not an ONNX mode",
                        settings.transform));
    settings.nearest_mode = context.attribute_string("nearest_mode", "round_prefer_floor");
    if (settings.nearest_mode != "round_prefer_floor" &&
        settings.nearest_mode != "round_prefer_ceil" && settings.nearest_mode != "floor" &&
        settings.nearest_mode != "ceil")
        context.fail(
            fmt::format("attribute 'nearest_mode' is '{}', expected round_prefer_floor, "
                        "round_prefer_ceil, floor or ceil",
                        settings.nearest_mode));
    settings.cubic_a = context.attribute_float("cubic_coeff_a", -0.75f);
    settings.exclude_outside = context.attribute_int("exclude_outside", 0) != 0;
    settings.antialias = context.attribute_int("antialias", 0) != 0;
    const std::string policy = context.attribute_string("keep_aspect_ratio_policy", "stretch");
    if (policy != "stretch")
        context.fail(
            fmt::format("keep_aspect_ratio_policy '{}' is not supported (only stretch)", policy));
    return settings;
}

// The resized axes, normalized; all axes when `raw` is empty.
std::vector<size_t> resized_axes(const NodeContext& context, const std::vector<int64_t>& raw,
                                 size_t rank) {
    std::vector<size_t> axes;
    if (raw.empty()) {
        axes.resize(rank);
        std::iota(axes.begin(), axes.end(), size_t{0});
        return axes;
    }
    for (int64_t value : raw) {
        const auto axis = normalize_axis(value, rank);
        if (!axis) context.fail(fmt::format("axis {} is out of range for rank {}", value, rank));
        axes.push_back(*axis);
    }
    return axes;
}

// Builds the elementwise graph of one resized axis in f32.
class AxisWeights {
  public:
    AxisWeights(NodeContext& context, const ResizeSettings& settings)
        : m_context(context), m_settings(settings) {}

    graph::Output value(float v) { return m_context.constant<float>({}, {v}); }
    graph::Output op(const char* type, graph::Output a, graph::Output b) {
        return m_context.add(type, "opset1", {a, b}).output();
    }
    graph::Output unary(const char* type, graph::Output a) {
        return m_context.add(type, "opset1", {a}).output();
    }
    graph::Output reshape(graph::Output a, std::vector<int64_t> shape) {
        return m_context
            .add("Reshape", "opset1", {a, i64_constant(m_context, shape)},
                 {{"special_zero", "false"}})
            .output();
    }

    // Source coordinate of every output position o (a [O] vector) as ONNX defines it.
    // `out_len` is the output length, `scaled_len` in · scale before rounding down (the
    // output length again when sizes are given): align_corners divides by the latter.
    graph::Output source_coordinates(graph::Output o, graph::Output scale, graph::Output out_len,
                                     graph::Output scaled_len, int64_t in_len) {
        const std::string& mode = m_settings.transform;
        const graph::Output centre = op("Add", o, value(0.5f));
        if (mode == "asymmetric") return op("Divide", o, scale);
        if (mode == "tf_half_pixel_for_nn") return op("Divide", centre, scale);
        const graph::Output half_pixel = op("Subtract", op("Divide", centre, scale), value(0.5f));
        const graph::Output several = op("Greater", out_len, value(1.0f));
        if (mode == "half_pixel") return half_pixel;
        if (mode == "pytorch_half_pixel")
            return m_context.add("Select", "opset1", {several, half_pixel, value(0.0f)}).output();
        if (mode == "align_corners") {
            const graph::Output step = op("Divide", value(static_cast<float>(in_len - 1)),
                                          op("Subtract", scaled_len, value(1.0f)));
            const graph::Output not_one = op("NotEqual", scaled_len, value(1.0f));
            return m_context
                .add("Select", "opset1", {not_one, op("Multiply", o, step), value(0.0f)})
                .output();
        }
        // half_pixel_symmetric: half_pixel shifted so that the sampled span stays centred when
        // in * scale is not a whole number: offset = in / 2 · (1 - out / (in · scale)).
        const auto in = static_cast<float>(in_len);
        const graph::Output adjustment = op("Divide", out_len, op("Multiply", scale, value(in)));
        const graph::Output offset =
            op("Multiply", value(in / 2.0f), op("Subtract", value(1.0f), adjustment));
        return op("Add", offset, half_pixel);
    }

    // [O, L] weights of the input positions for every output position.
    graph::Output weights(graph::Output coordinates, graph::Output scale, int64_t in_len) {
        if (m_settings.mode == "nearest") return nearest_weights(coordinates, in_len);
        // Taps may fall outside the input: evaluate the kernel over an extended range of
        // positions, wide enough for an antialiased downscale (at most 2 / scale each side,
        // and scale >= 1 / L), then fold the outside taps onto the edges or drop them.
        const int64_t pad = m_settings.antialias ? 2 * in_len + 4 : 4;
        const int64_t extended = in_len + 2 * pad;
        Tensor positions(ElementType::f32, {1, extended});
        for (int64_t j = 0; j < extended; ++j)
            positions.data<float>()[j] = static_cast<float>(j - pad);
        graph::Output t =
            op("Subtract", m_context.constant(positions), reshape(coordinates, {-1, 1}));
        if (m_settings.antialias) t = op("Multiply", t, op("Minimum", scale, value(1.0f)));
        const graph::Output distance = unary("Abs", t);
        const graph::Output taps =
            m_settings.mode == "linear"
                ? op("Maximum", value(0.0f), op("Subtract", value(1.0f), distance))
                : cubic(distance);
        graph::Output folded;
        if (m_settings.exclude_outside) {
            folded = slice(taps, pad, pad + in_len);
        } else if (in_len == 1) {
            folded = sum(taps);
        } else {
            folded = m_context
                         .add("Concat", "opset1",
                              {sum(slice(taps, 0, pad + 1)), slice(taps, pad + 1, pad + in_len - 1),
                               sum(slice(taps, pad + in_len - 1, extended))},
                              {{"axis", "1"}})
                         .output();
        }
        return op("Divide", folded, sum(folded));
    }

  private:
    // Keys' cubic kernel with parameter a of |t|.
    graph::Output cubic(graph::Output d) {
        const float a = m_settings.cubic_a;
        // |t| <= 1: ((a + 2)|t| - (a + 3))|t|² + 1
        const graph::Output near =
            op("Add",
               op("Multiply", op("Subtract", op("Multiply", value(a + 2.0f), d), value(a + 3.0f)),
                  op("Multiply", d, d)),
               value(1.0f));
        // 1 < |t| < 2: (((|t| - 5)|t| + 8)|t| - 4) a
        const graph::Output far =
            op("Multiply",
               op("Subtract",
                  op("Multiply",
                     op("Add", op("Multiply", op("Subtract", d, value(5.0f)), d), value(8.0f)), d),
                  value(4.0f)),
               value(a));
        const graph::Output outer =
            m_context.add("Select", "opset1", {op("Less", d, value(2.0f)), far, value(0.0f)})
                .output();
        return m_context.add("Select", "opset1", {op("LessEqual", d, value(1.0f)), near, outer})
            .output();
    }

    graph::Output nearest_weights(graph::Output coordinates, int64_t in_len) {
        const std::string& mode = m_settings.nearest_mode;
        graph::Output index;
        if (mode == "round_prefer_floor")
            index = unary("Ceiling", op("Subtract", coordinates, value(0.5f)));
        else if (mode == "round_prefer_ceil")
            index = unary("Floor", op("Add", coordinates, value(0.5f)));
        else if (mode == "floor")
            index = unary("Floor", coordinates);
        else
            index = unary("Ceiling", coordinates);
        index = m_context
                    .add("Clamp", "opset1", {index},
                         {{"min", "0"}, {"max", std::to_string(in_len - 1)}})
                    .output();
        Tensor positions(ElementType::f32, {1, in_len});
        for (int64_t i = 0; i < in_len; ++i)
            positions.data<float>()[i] = static_cast<float>(i);
        const graph::Output chosen =
            op("Equal", m_context.constant(positions), reshape(index, {-1, 1}));
        return m_context.add("Convert", "opset1", {chosen}, {{"destination_type", "f32"}}).output();
    }

    graph::Output slice(graph::Output a, int64_t begin, int64_t end) {
        return m_context
            .add("Slice", "opset8",
                 {a, i64_constant(m_context, {begin}), i64_constant(m_context, {end}),
                  i64_constant(m_context, {1}), i64_constant(m_context, {1})})
            .output();
    }

    graph::Output sum(graph::Output a) {
        return m_context
            .add("ReduceSum", "opset1", {a, i64_constant(m_context, {1})}, {{"keep_dims", "true"}})
            .output();
    }

    NodeContext& m_context;
    const ResizeSettings& m_settings;
};

// Resize as ONNX's reference computes it, one axis at a time: an [O, L] weight matrix built
// at run time from the scale (or size) and applied with MatMul. Used for what Interpolate
// cannot express: half_pixel_symmetric, exclude_outside and ONNX's antialias filters.
graph::Output resize_with_weights(NodeContext& context, const ResizeSettings& settings,
                                  const std::vector<size_t>& axes, graph::Output target,
                                  bool sizes) {
    const graph::PortType& data = context.input_type(0);
    if (!is_float(data.type))
        context.fail(fmt::format("this resize mode supports floating-point data only, found {}",
                                 to_string(data.type)));
    const size_t rank = data.shape.rank();
    AxisWeights builder(context, settings);
    graph::Output y = context.input(0);
    if (is_float(target.type().type) && target.type().type != ElementType::f32)
        target = context.add("Convert", "opset1", {target}, {{"destination_type", "f32"}}).output();
    for (size_t k = 0; k < axes.size(); ++k) {
        const size_t axis = axes[k];
        const int64_t in_len = data.shape[axis];
        if (in_len < 1)
            context.fail(
                fmt::format("this resize mode needs the size of axis {} to be known and "
                            "non-zero",
                            axis));
        graph::Output picked =
            context
                .add("Gather", "opset8",
                     {target, context.constant<int64_t>({}, {static_cast<int64_t>(k)}),
                      context.constant<int64_t>({}, {0})})
                .output();
        graph::Output scale, out_len, scaled_len;
        const auto in = static_cast<float>(in_len);
        if (sizes) {
            out_len =
                context.add("Convert", "opset1", {picked}, {{"destination_type", "f32"}}).output();
            scale = builder.op("Divide", out_len, builder.value(in));
            scaled_len = out_len;
        } else {
            scale = picked;
            scaled_len = builder.op("Multiply", scale, builder.value(in));
            out_len = builder.unary("Floor", scaled_len);
        }
        const graph::Output positions =
            context
                .add("Range", "opset4", {builder.value(0.0f), out_len, builder.value(1.0f)},
                     {{"output_type", "f32"}})
                .output();
        const graph::Output coordinates =
            builder.source_coordinates(positions, scale, out_len, scaled_len, in_len);
        graph::Output weights = builder.weights(coordinates, scale, in_len);
        if (data.type != ElementType::f32)
            weights = context
                          .add("Convert", "opset1", {weights},
                               {{"destination_type", std::string(to_string(data.type))}})
                          .output();
        // Move the axis last, contract it with the weights, move it back.
        std::vector<int64_t> order(rank);
        std::iota(order.begin(), order.end(), 0);
        std::swap(order[axis], order[rank - 1]);
        const bool move = axis != rank - 1;
        if (move)
            y = context.add("Transpose", "opset1", {y, i64_constant(context, order)}).output();
        y = context
                .add("MatMul", "opset1", {y, weights},
                     {{"transpose_a", "false"}, {"transpose_b", "true"}})
                .output();
        if (move)
            y = context.add("Transpose", "opset1", {y, i64_constant(context, order)}).output();
    }
    return y;
}

// Interpolate-11 with scales (f32) or sizes (i64) and optional axes.
graph::Output interpolate(NodeContext& context, const ResizeSettings& settings,
                          graph::Output target, bool sizes, const std::vector<int64_t>& axes) {
    std::string mode = settings.mode;
    if (mode == "linear") mode = "linear_onnx";
    if (!sizes && target.type().type != ElementType::f32)
        target = context.add("Convert", "opset1", {target}, {{"destination_type", "f32"}}).output();
    std::vector<graph::Output> inputs{context.input(0), target};
    if (!axes.empty()) inputs.push_back(i64_constant(context, axes));
    return context
        .add("Interpolate", "opset11", std::move(inputs),
             {{"mode", mode},
              {"shape_calculation_mode", sizes ? "sizes" : "scales"},
              {"coordinate_transformation_mode", settings.transform},
              {"nearest_mode", settings.nearest_mode},
              {"antialias", "false"},
              {"cube_coeff", fmt::format("{}", settings.cubic_a)},
              {"pads_begin", "0"},
              {"pads_end", "0"}})
        .output();
}

// True when every in · scale is a whole number (known only for constant scales).
bool whole_scaled_lengths(const NodeContext& context, graph::Output scales,
                          const std::vector<int64_t>& raw_axes) {
    const graph::Node* producer = scales.node;
    const PartialShape& shape = context.input_type(0).shape;
    if (producer->type != "Const" || !shape.rank_known()) return false;
    const auto axes = resized_axes(context, raw_axes, shape.rank());
    const auto values = producer->value.to_doubles();
    if (values.size() != axes.size()) return false;
    for (size_t k = 0; k < axes.size(); ++k) {
        const int64_t in = shape[axes[k]];
        const double scaled =
            static_cast<double>(static_cast<float>(values[k])) * static_cast<double>(in);
        if (in < 0 || scaled != std::floor(scaled)) return false;
    }
    return true;
}

// Interpolate where it computes what ONNX does; the weight matrices otherwise:
// half_pixel_symmetric, exclude_outside, ONNX's antialias filters, and align_corners with
// scales, which ONNX divides by in · scale - 1 rather than by the rounded output length - 1.
graph::Output resize(NodeContext& context, const ResizeSettings& settings, graph::Output target,
                     bool sizes, const std::vector<int64_t>& raw_axes) {
    const bool filtered =
        settings.mode != "nearest" && (settings.antialias || settings.exclude_outside);
    const bool fractional_corners = settings.transform == "align_corners" && !sizes &&
                                    !whole_scaled_lengths(context, target, raw_axes);
    if (settings.transform != "half_pixel_symmetric" && !filtered && !fractional_corners)
        return interpolate(context, settings, target, sizes, raw_axes);
    const size_t rank = static_rank(context, 0, "X");
    return resize_with_weights(context, settings, resized_axes(context, raw_axes, rank), target,
                               sizes);
}

// An input that is absent or an empty constant (opset 11 passes an empty scales with sizes).
bool given(const NodeContext& context, size_t i) {
    if (!context.has_input(i)) return false;
    const PartialShape& shape = context.input_type(i).shape;
    return !(shape.rank_known() && shape.rank() == 1 && shape[0] == 0);
}

}  // namespace

std::vector<graph::Output> translate_resize(NodeContext& context) {
    if (context.opset() < 11)
        return {resize(context, legacy_settings(context), context.input(1), false, {})};
    const ResizeSettings settings = read_settings(context);
    const auto axes = context.attribute_ints("axes");
    if (given(context, 3)) return {resize(context, settings, context.input(3), true, axes)};
    if (!given(context, 2)) context.fail("one of the inputs scales and sizes is required");
    return {resize(context, settings, context.input(2), false, axes)};
}

// Upsample-7 takes the scales as an attribute, Upsample-9 as an input.
std::vector<graph::Output> translate_upsample(NodeContext& context) {
    const ResizeSettings settings = legacy_settings(context);
    if (context.opset() >= 9) return {resize(context, settings, context.input(1), false, {})};
    const auto scales = context.attribute_floats("scales");
    if (scales.empty()) context.fail("attribute 'scales' is required");
    Tensor tensor(ElementType::f32, {static_cast<int64_t>(scales.size())});
    std::copy(scales.begin(), scales.end(), tensor.data<float>());
    return {resize(context, settings, context.constant(tensor), false, {})};
}

}  // namespace es::frontends::onnx_import::nn
