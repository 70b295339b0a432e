#include "inference/frontends/onnx/tensor_translators.h"

#include "inference/core/error.h"

#include <limits>

namespace es::frontends::onnx_import::tensor {
namespace {

// A value reshaped to a scalar (ONNX often passes one-element 1-D tensors where the IR wants a
// scalar).
graph::Output to_scalar(NodeContext& context, graph::Output value) {
    const PartialShape& shape = value.type().shape;
    if (shape.rank_known() && shape.rank() == 0) return value;
    if (value.node->type == "Const" && value.node->value.size() == 1)
        return context.constant(value.node->value.reshaped({}));
    return add_op(context, "Reshape", "opset1", {value, i64_constant(context, {})},
                  {{"special_zero", "false"}});
}

// Slice: starts, ends and axes are attributes before opset 10; from 10 they are inputs, with
// optional axes and steps. Out-of-range starts and ends clamp, as in the IR Slice-8.
std::vector<graph::Output> translate_slice(NodeContext& context) {
    const graph::Output data = context.input(0);
    if (context.opset() < 10) {
        const auto starts = context.attribute_ints("starts");
        const auto ends = context.attribute_ints("ends");
        std::vector<graph::Output> inputs{
            data, i64_constant(context, starts), i64_constant(context, ends),
            i64_constant(context, std::vector<int64_t>(starts.size(), 1))};
        if (context.has_attribute("axes"))
            inputs.push_back(i64_constant(context, context.attribute_ints("axes")));
        return {add_op(context, "Slice", "opset8", std::move(inputs))};
    }
    std::vector<graph::Output> inputs{data, context.input(1), context.input(2)};
    if (context.has_input(4)) {
        inputs.push_back(context.input(4));
    } else {
        // Steps of 1, as many as there are starts.
        const PartialShape& starts_shape = context.input_type(1).shape;
        if (starts_shape.is_static() && starts_shape.rank() == 1) {
            inputs.push_back(i64_constant(
                context, std::vector<int64_t>(static_cast<size_t>(starts_shape[0]), 1)));
        } else {
            const graph::Output count =
                add_op(context, "ShapeOf", "opset3", {context.input(1)}, {{"output_type", "i64"}});
            inputs.push_back(add_op(context, "Broadcast", "opset3", {i64_scalar(context, 1), count},
                                    {{"mode", "numpy"}}));
        }
    }
    if (context.has_input(3)) inputs.push_back(context.input(3));
    return {add_op(context, "Slice", "opset8", std::move(inputs))};
}

std::vector<graph::Output> translate_gather(NodeContext& context) {
    const int64_t axis = context.attribute_int("axis", 0);
    return {add_op(context, "Gather", "opset8",
                   {context.input(0), context.input(1), i64_scalar(context, axis)},
                   {{"batch_dims", "0"}})};
}

std::vector<graph::Output> translate_gather_elements(NodeContext& context) {
    const int64_t axis = context.attribute_int("axis", 0);
    return {add_op(context, "GatherElements", "opset6", {context.input(0), context.input(1)},
                   {{"axis", std::to_string(axis)}})};
}

// Pad: pads (all begins, then all ends), mode and value are attributes before opset 11; from 11
// pads, constant_value and (from 18) axes are inputs.
std::vector<graph::Output> translate_pad(NodeContext& context) {
    const graph::Output data = context.input(0);
    const ElementType type = context.input_type(0).type;
    const std::string mode = context.attribute_string("mode", "constant");
    if (mode == "wrap") context.fail("mode 'wrap' is not supported: the IR Pad has no wrap mode");
    if (mode != "constant" && mode != "reflect" && mode != "edge")
        context.fail(
            fmt::format("attribute 'mode' is '{}', expected constant, reflect or edge", mode));
    std::vector<graph::Output> inputs{data};
    std::optional<graph::Output> value;
    auto add_halves = [&](const std::vector<int64_t>& pads) {
        if (pads.size() % 2 != 0)
            context.fail(fmt::format("pads hold {} values, expected an even count", pads.size()));
        const auto half = static_cast<std::ptrdiff_t>(pads.size() / 2);
        inputs.push_back(i64_constant(context, {pads.begin(), pads.begin() + half}));
        inputs.push_back(i64_constant(context, {pads.begin() + half, pads.end()}));
    };
    if (context.opset() < 11) {
        add_halves(context.attribute_ints("pads"));
        const Tensor pad_value = make_tensor<float>({}, {context.attribute_float("value", 0.0f)});
        value = context.constant(convert(pad_value, type));
    } else if (context.has_input(3)) {
        // Pads for the listed axes only; the others get none.
        const size_t rank = known_rank(context, 0, "padding selected axes");
        const auto axes = constant_ints(context, 3, "axes");
        const auto pads = constant_ints(context, 1, "pads");
        if (pads.size() != 2 * axes.size())
            context.fail(fmt::format("input 1 (pads) holds {} values, expected {} for {} axes",
                                     pads.size(), 2 * axes.size(), axes.size()));
        std::vector<int64_t> full(2 * rank, 0);
        for (size_t i = 0; i < axes.size(); ++i) {
            const size_t axis = normalized_axis(context, axes[i], rank, "input 3 (axes) holds");
            full[axis] = pads[i];
            full[rank + axis] = pads[axes.size() + i];
        }
        add_halves(full);
    } else if (context.constant_input(1)) {
        add_halves(constant_ints(context, 1, "pads"));
    } else {
        graph::Node& halves = context.add(
            "Split", "opset1", {context.input(1), i64_scalar(context, 0)}, {{"num_splits", "2"}});
        inputs.push_back(halves.output(0));
        inputs.push_back(halves.output(1));
    }
    if (context.opset() >= 11 && context.has_input(2)) value = to_scalar(context, context.input(2));
    if (mode == "constant" && value) inputs.push_back(*value);
    return {add_op(context, "Pad", "opset12", std::move(inputs), {{"pad_mode", mode}})};
}

// TopK: k is an attribute before opset 10, a one-element input from 10. Ties keep the lower
// index first, as ONNX requires. sorted=0 leaves the order open; value order is one choice.
std::vector<graph::Output> translate_top_k(NodeContext& context) {
    const graph::Output k = context.opset() < 10
                                ? i64_scalar(context, context.attribute_int("k", 0))
                                : to_scalar(context, context.input(1));
    const bool largest = context.attribute_int("largest", 1) != 0;
    graph::Node& node = context.add("TopK", "opset11", {context.input(0), k},
                                    {{"axis", std::to_string(context.attribute_int("axis", -1))},
                                     {"mode", largest ? "max" : "min"},
                                     {"sort", "value"},
                                     {"index_element_type", "i64"},
                                     {"stable", "true"}});
    return {node.output(0), node.output(1)};
}

// ArgMax, ArgMin: the index of TopK with k = 1. select_last_index searches the reversed axis and
// maps the index back (dim - 1 - index).
std::vector<graph::Output> translate_arg(NodeContext& context, const char* mode) {
    const graph::Output data = context.input(0);
    const int64_t axis = context.attribute_int("axis", 0);
    const bool keep_dims = context.attribute_int("keepdims", 1) != 0;
    const bool last = context.attribute_int("select_last_index", 0) != 0;
    graph::Output searched = data;
    if (last)
        searched = add_op(context, "Slice", "opset8",
                          {data, i64_constant(context, {-1}),
                           i64_constant(context, {std::numeric_limits<int64_t>::min()}),
                           i64_constant(context, {-1}), i64_constant(context, {axis})});
    graph::Node& top = context.add("TopK", "opset11", {searched, i64_scalar(context, 1)},
                                   {{"axis", std::to_string(axis)},
                                    {"mode", mode},
                                    {"sort", "none"},
                                    {"index_element_type", "i64"},
                                    {"stable", "true"}});
    graph::Output index = top.output(1);
    if (last) {
        const graph::Output dims =
            add_op(context, "ShapeOf", "opset3", {data}, {{"output_type", "i64"}});
        const graph::Output dim = add_op(context, "Gather", "opset8",
                                         {dims, i64_scalar(context, axis), i64_scalar(context, 0)},
                                         {{"batch_dims", "0"}});
        const graph::Output last_index =
            add_op(context, "Subtract", "opset1", {dim, i64_scalar(context, 1)});
        index = add_op(context, "Subtract", "opset1", {last_index, index});
    }
    if (!keep_dims)
        index = add_op(context, "Squeeze", "opset1", {index, i64_constant(context, {axis})});
    return {index};
}

std::vector<graph::Output> translate_arg_max(NodeContext& context) {
    return translate_arg(context, "max");
}

std::vector<graph::Output> translate_arg_min(NodeContext& context) {
    return translate_arg(context, "min");
}

// NonMaxSuppression: [selected, 3] rows of (batch, class, box), ordered by batch, then class,
// then score. Without score_threshold every box takes part.
std::vector<graph::Output> translate_non_max_suppression(NodeContext& context) {
    const int64_t center = context.attribute_int("center_point_box", 0);
    if (center != 0 && center != 1)
        context.fail(fmt::format("attribute 'center_point_box' is {}, expected 0 or 1", center));
    const graph::Output max_boxes =
        context.has_input(2) ? context.input(2) : i64_scalar(context, 0);
    const graph::Output iou_threshold =
        context.has_input(3) ? context.input(3) : context.constant<float>({}, {0.0f});
    const graph::Output score_threshold =
        context.has_input(4)
            ? context.input(4)
            : context.constant<float>({}, {-std::numeric_limits<float>::infinity()});
    graph::Node& node =
        context.add("NonMaxSuppression", "opset9",
                    {context.input(0), context.input(1), max_boxes, iou_threshold, score_threshold},
                    {{"box_encoding", center ? "center" : "corner"},
                     {"sort_result_descending", "false"},
                     {"output_type", "i64"}});
    // The first valid_outputs rows: all of them where the IR kernel returns no padding rows.
    return {add_op(context, "Slice", "opset8",
                   {node.output(0), i64_constant(context, {0}), node.output(2),
                    i64_constant(context, {1}), i64_constant(context, {0})})};
}

// RoiAlign: opset 10 has no coordinate_transformation_mode and behaves as output_half_pixel
// (no shift, ROI sizes of at least 1: IR asymmetric); half_pixel shifts the scaled ROI by -0.5
// (IR half_pixel_for_nn, which does not shift the unscaled coordinates first).
std::vector<graph::Output> translate_roi_align(NodeContext& context) {
    const std::string transform =
        context.opset() >= 16
            ? context.attribute_string("coordinate_transformation_mode", "half_pixel")
            : "output_half_pixel";
    std::string aligned_mode;
    if (transform == "half_pixel")
        aligned_mode = "half_pixel_for_nn";
    else if (transform == "output_half_pixel")
        aligned_mode = "asymmetric";
    else
        context.fail(
            fmt::format("attribute 'coordinate_transformation_mode' is '{}', expected "
                        "half_pixel or output_half_pixel",
                        transform));
    return {add_op(
        context, "ROIAlign", "opset9", {context.input(0), context.input(1), context.input(2)},
        {{"pooled_h", std::to_string(context.attribute_int("output_height", 1))},
         {"pooled_w", std::to_string(context.attribute_int("output_width", 1))},
         {"sampling_ratio", std::to_string(context.attribute_int("sampling_ratio", 0))},
         {"spatial_scale", fmt::format("{}", context.attribute_float("spatial_scale", 1.0f))},
         {"mode", context.attribute_string("mode", "avg")},
         {"aligned_mode", aligned_mode}})};
}

}  // namespace

void add_index_translators(std::vector<OpTranslator>& table) {
    table.push_back({"Slice", translate_slice});
    table.push_back({"Gather", translate_gather});
    table.push_back({"GatherElements", translate_gather_elements});
    table.push_back({"Pad", translate_pad});
    table.push_back({"TopK", translate_top_k});
    table.push_back({"ArgMax", translate_arg_max});
    table.push_back({"ArgMin", translate_arg_min});
    table.push_back({"NonMaxSuppression", translate_non_max_suppression});
    table.push_back({"RoiAlign", translate_roi_align});
}

}  // namespace es::frontends::onnx_import::tensor
