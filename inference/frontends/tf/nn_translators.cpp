#include "inference/frontends/tf/translator_util.h"
#include "inference/frontends/tf/translators.h"

#include <limits>

namespace es::frontends::tf_import {
namespace {

using Outputs = std::vector<graph::Output>;

// MaxPool / AvgPool (2-D and 3-D): TF's SAME pads at the end and leaves the padding out of
// averages, which is same_upper with exclude-pad.
template <bool Max>
Outputs translate_pool(NodeContext& context) {
    const bool volumetric = context.op_type().ends_with("3D");
    const DataFormat format = read_data_format(context, volumetric ? 5 : 4);
    const Padding padding = read_padding(context, format);
    graph::Attributes attributes{
        {"strides", join(spatial_attribute(context, "strides", format, 1))},
        {"kernel", join(spatial_attribute(context, "ksize", format, 1))},
        {"pads_begin", join(padding.begin)},
        {"pads_end", join(padding.end)},
        {"rounding_type", "floor"},
        {"auto_pad", padding.auto_pad}};
    if (!Max) attributes.set("exclude-pad", "true");
    const graph::Output x = to_channels_first(context, context.input(0), format);
    const graph::Output y =
        context.add(Max ? "MaxPool" : "AvgPool", "opset1", {x}, attributes).output();
    return {to_channels_last(context, y, format)};
}

Outputs translate_bias_add(NodeContext& context) {
    const graph::Output x = context.input(0);
    const size_t rank = context.static_rank(0, "value");
    DataFormat format = read_data_format(context, std::max<size_t>(rank, 2));
    format.rank = rank;
    return {context.add("Add", "opset1", {x, channel_vector(context, context.input(1), format)})
                .output()};
}

// FusedBatchNorm(x, scale, offset, mean, variance). With is_training set TF normalizes with
// the batch's own statistics (over every axis but channels), which the statistics outputs
// carry. The attribute defaults to true in TF, but graphs for inference state it; one without
// it is taken for an inference graph, as TF.js runs every graph.
Outputs translate_fused_batch_norm(NodeContext& context) {
    const graph::Output x = context.input(0);
    const size_t rank = context.static_rank(0, "x");
    DataFormat format = read_data_format(context, rank);
    format.rank = rank;
    const float epsilon = context.attribute_float("epsilon", 1e-4f);
    graph::Output mean = context.input(3);
    graph::Output variance = context.input(4);
    if (context.has_attribute("is_training") && context.attribute_bool("is_training", false)) {
        std::vector<int64_t> axes;
        for (size_t i = 0; i < rank; ++i)
            if (i != format.channel_axis()) axes.push_back(static_cast<int64_t>(i));
        const graph::Output axes_constant = context.i64_constant(axes);
        mean = context.add("ReduceMean", "opset1", {x, axes_constant}, {{"keep_dims", "false"}})
                   .output();
        const graph::Output centered =
            context.add("Subtract", "opset1", {x, channel_vector(context, mean, format)}).output();
        const graph::Output squared =
            context.add("Multiply", "opset1", {centered, centered}).output();
        variance =
            context.add("ReduceMean", "opset1", {squared, axes_constant}, {{"keep_dims", "false"}})
                .output();
    }
    const graph::Output y =
        batch_norm(context, x, context.input(1), context.input(2), mean, variance, epsilon, format);
    return {y, mean, variance, mean, variance, mean};
}

graph::Output matmul(NodeContext& context, const char* transpose_a, const char* transpose_b) {
    return context
        .add("MatMul", "opset1", {context.input(0), context.input(1)},
             {{"transpose_a", context.attribute_bool(transpose_a, false) ? "true" : "false"},
              {"transpose_b", context.attribute_bool(transpose_b, false) ? "true" : "false"}})
        .output();
}

Outputs translate_matmul(NodeContext& context) {
    return {matmul(context, "transpose_a", "transpose_b")};
}

Outputs translate_fused_matmul(NodeContext& context) {
    return {apply_fused_ops(context, matmul(context, "transpose_a", "transpose_b"), 2,
                            DataFormat{true, 2})};
}

Outputs translate_batch_matmul(NodeContext& context) {
    return {matmul(context, "adj_x", "adj_y")};
}

Outputs translate_softmax(NodeContext& context) {
    const bool log = context.op_type() == "LogSoftmax";
    return {context
                .add(log ? "LogSoftmax" : "SoftMax", log ? "opset5" : "opset8", {context.input(0)},
                     {{"axis", "-1"}})
                .output()};
}

// ResizeBilinear / ResizeNearestNeighbor(images NHWC, size [2]) as Interpolate-11 over axes 1
// and 2, with TF's coordinate conventions.
Outputs translate_resize(NodeContext& context) {
    const bool nearest = context.op_type() == "ResizeNearestNeighbor";
    const bool align_corners = context.attribute_bool("align_corners", false);
    const bool half_pixel = context.attribute_bool("half_pixel_centers", false);
    if (align_corners && half_pixel)
        context.fail("align_corners and half_pixel_centers cannot both be set");
    std::string transform = "asymmetric";
    std::string rounding = "floor";
    if (align_corners) {
        transform = "align_corners";
        rounding = "round_prefer_ceil";
    } else if (half_pixel) {
        transform = nearest ? "tf_half_pixel_for_nn" : "half_pixel";
    }
    return {context
                .add("Interpolate", "opset11",
                     {context.input(0), context.input(1), context.i64_constant({1, 2})},
                     {{"mode", nearest ? "nearest" : "linear_onnx"},
                      {"shape_calculation_mode", "sizes"},
                      {"coordinate_transformation_mode", transform},
                      {"nearest_mode", rounding},
                      {"antialias", "false"},
                      {"pads_begin", "0"},
                      {"pads_end", "0"},
                      {"cube_coeff", "-0.75"}})
                .output()};
}

// DepthToSpace / SpaceToDepth: TF orders the moved block before the channels, which is the IR's
// blocks_first mode in channels-first layout.
Outputs translate_depth_space(NodeContext& context) {
    const DataFormat format = read_data_format(context);
    const int64_t block_size = context.attribute_int("block_size", 0);
    if (block_size < 1) context.fail("attribute 'block_size' must be at least 1");
    const graph::Output x = to_channels_first(context, context.input(0), format);
    const graph::Output y =
        context
            .add(context.op_type(), "opset1", {x},
                 {{"mode", "blocks_first"}, {"block_size", std::to_string(block_size)}})
            .output();
    return {to_channels_last(context, y, format)};
}

// TopKV2(input, k): the k largest along the last axis, ties in index order.
Outputs translate_top_k(NodeContext& context) {
    const auto& k_shape = context.input_type(1).shape;
    if (k_shape.rank_known() && k_shape.rank() != 0) context.fail("input 1 (k) must be a scalar");
    graph::Node& node = context.add("TopK", "opset11", {context.input(0), context.input(1)},
                                    {{"axis", "-1"},
                                     {"mode", "max"},
                                     {"sort", "value"},
                                     {"index_element_type", "i32"},
                                     {"stable", "true"}});
    return {node.output(0), node.output(1)};
}

// ArgMax / ArgMin(input, dimension): TopK with k = 1, the axis squeezed.
Outputs translate_arg_max(NodeContext& context) {
    const auto axis = context.constant_ints(1, "dimension");
    if (axis.size() != 1) context.fail("input 1 (dimension) must hold one axis");
    const ElementType type = context.attribute_type("output_type", ElementType::i64);
    graph::Node& node =
        context.add("TopK", "opset11", {context.input(0), context.constant<int64_t>({}, {1})},
                    {{"axis", std::to_string(axis[0])},
                     {"mode", context.op_type() == "ArgMax" ? "max" : "min"},
                     {"sort", "none"},
                     {"index_element_type", std::string(to_string(type))},
                     {"stable", "true"}});
    return {
        context.add("Squeeze", "opset1", {node.output(1), context.i64_constant(axis)}).output()};
}

// NonMaxSuppressionV3/V4/V5(boxes [N,4], scores [N], max_output_size, iou_threshold,
// score_threshold[, soft_nms_sigma]) as NonMaxSuppression-9 over one batch and one class.
Outputs translate_nms(NodeContext& context) {
    const bool v5 = context.op_type() == "NonMaxSuppressionV5";
    const graph::Output boxes =
        context.add("Unsqueeze", "opset1", {context.input(0), context.i64_constant({0})}).output();
    const graph::Output scores =
        context.add("Unsqueeze", "opset1", {context.input(1), context.i64_constant({0, 1})})
            .output();
    const graph::Output max_output = context.input(2);
    std::vector<graph::Output> inputs{boxes, scores, max_output, context.input(3),
                                      context.input(4)};
    if (v5) inputs.push_back(context.input(5));
    graph::Node& nms = context.add(
        "NonMaxSuppression", "opset9", inputs,
        {{"box_encoding", "corner"}, {"sort_result_descending", "true"}, {"output_type", "i32"}});
    const graph::Output column = context.constant<int64_t>({}, {2});
    const graph::Output axis = context.constant<int64_t>({}, {1});
    graph::Output indices = context.add("Gather", "opset8", {nms.output(0), column, axis}).output();
    graph::Output selected_scores =
        context.add("Gather", "opset8", {nms.output(1), column, axis}).output();
    const graph::Output valid =
        context.add("Squeeze", "opset1", {nms.output(2), context.i64_constant({0})}).output();
    if (context.op_type() == "NonMaxSuppressionV3") return {indices};
    if (context.attribute_bool("pad_to_max_output_size", false)) {
        // pad with zeros up to max_output_size
        const graph::Output limit =
            context.add("Convert", "opset1", {max_output}, {{"destination_type", "i32"}}).output();
        const graph::Output limit_1d =
            context.add("Unsqueeze", "opset1", {limit, context.i64_constant({0})}).output();
        const graph::Output count =
            context.add("ShapeOf", "opset3", {indices}, {{"output_type", "i32"}}).output();
        const graph::Output missing = context.add("Subtract", "opset1", {limit_1d, count}).output();
        const graph::Output zero = context.constant<int32_t>({1}, {0});
        indices =
            context
                .add("Pad", "opset12", {indices, zero, missing, context.constant<int32_t>({}, {0})},
                     {{"pad_mode", "constant"}})
                .output();
        selected_scores =
            context
                .add("Pad", "opset12",
                     {selected_scores, zero, missing, context.constant<float>({}, {0})},
                     {{"pad_mode", "constant"}})
                .output();
    }
    if (v5) return {indices, selected_scores, valid};
    return {indices, valid};
}

// CombinedNonMaxSuppression(boxes [B, N, q, 4], scores [B, N, C], max_output_size_per_class,
// max_total_size, iou_threshold, score_threshold): NMS per batch element and class (q = 1: one
// box set for every class; q = C: a set per class), then per batch element the best
// max_total_size selections by score. Outputs nmsed_boxes [B, D, 4] (clipped to [0, 1] with
// clip_boxes), nmsed_scores and nmsed_classes [B, D], valid_detections [B] (i32), zeros after
// the valid ones; D = max_total_size, or min(max_total_size, max_output_size_per_class · C)
// with pad_per_class. Selections are scattered into a dense [B, C·N] score table (-inf where
// none), whose TopK gives the order; equal scores keep class, then box order.
Outputs translate_combined_nms(NodeContext& context) {
    const auto& boxes_shape = context.input_type(0).shape;
    const auto& scores_shape = context.input_type(1).shape;
    if (!boxes_shape.rank_known() || boxes_shape.rank() != 4 || !scores_shape.rank_known() ||
        scores_shape.rank() != 3)
        context.fail(fmt::format("boxes {} and scores {} must have ranks 4 and 3",
                                 to_string(boxes_shape), to_string(scores_shape)));
    const int64_t count = scores_shape[1];
    const int64_t classes = scores_shape[2];
    const int64_t q = boxes_shape[2];
    if (count < 0 || classes < 0 || q < 0)
        context.fail(fmt::format("scores {} and boxes {} need static box, class and q dimensions",
                                 to_string(scores_shape), to_string(boxes_shape)));
    if (q != 1 && q != classes)
        context.fail(fmt::format("boxes {} hold {} box sets, expected 1 or {} (the classes)",
                                 to_string(boxes_shape), q, classes));
    const auto total = context.constant_ints(3, "max_total_size");
    if (total.size() != 1 || total[0] < 0)
        context.fail("input 3 (max_total_size) must be one value, not negative");
    int64_t detections = total[0];
    if (detections < 1) context.fail("input 3 (max_total_size) must be at least 1");
    if (context.attribute_bool("pad_per_class", false)) {
        const auto per_class = context.constant_ints(2, "max_output_size_per_class");
        if (per_class.size() != 1) context.fail("input 2 must be one value");
        detections = std::min(detections, per_class[0] * classes);
    }
    const graph::Output boxes = context.input(0);
    const graph::Output scores = context.input(1);
    graph::Output nms_boxes, nms_scores;
    Shape table_shape;
    const graph::Output scores_by_class =
        context.add("Transpose", "opset1", {scores, context.i64_constant({0, 2, 1})}).output();
    if (q == 1) {
        nms_boxes = context.add("Squeeze", "opset1", {boxes, context.i64_constant({2})}).output();
        nms_scores = scores_by_class;
        table_shape = {classes, count};
    } else {
        // one NMS batch per (batch element, class): batch index b·C + c
        const graph::Output per_class =
            context.add("Transpose", "opset1", {boxes, context.i64_constant({0, 2, 1, 3})})
                .output();
        nms_boxes = context
                        .add("Reshape", "opset1", {per_class, context.i64_constant({-1, count, 4})},
                             {{"special_zero", "false"}})
                        .output();
        nms_scores =
            context
                .add("Reshape", "opset1", {scores_by_class, context.i64_constant({-1, 1, count})},
                     {{"special_zero", "false"}})
                .output();
        table_shape = {1, count};
    }
    graph::Node& nms = context.add(
        "NonMaxSuppression", "opset9",
        {nms_boxes, nms_scores, context.input(2), context.input(4), context.input(5)},
        {{"box_encoding", "corner"}, {"sort_result_descending", "false"}, {"output_type", "i64"}});
    const graph::Output selected = nms.output(0);
    const graph::Output selected_scores =
        context
            .add("Gather", "opset8",
                 {nms.output(1), context.constant<int64_t>({}, {2}),
                  context.constant<int64_t>({}, {1})})
            .output();
    // [NMS batches, table rows, N] tables: the selected scores (-inf elsewhere), and ones
    const graph::Output table_dims =
        context
            .add("Concat", "opset1",
                 {context
                      .add("Gather", "opset8",
                           {context.add("ShapeOf", "opset3", {nms_scores}).output(),
                            context.i64_constant({0}), context.constant<int64_t>({}, {0})})
                      .output(),
                  context.i64_constant(table_shape)},
                 {{"axis", "0"}})
            .output();
    auto scatter = [&](double fill, graph::Output updates) {
        const graph::Output base =
            context
                .add("Broadcast", "opset3", {scalar_like(context, scores, fill), table_dims},
                     {{"mode", "numpy"}})
                .output();
        return context
            .add("ScatterNDUpdate", "opset15", {base, selected, updates}, {{"reduction", "none"}})
            .output();
    };
    const graph::Output ones =
        context
            .add("Broadcast", "opset3",
                 {scalar_like(context, scores, 1),
                  context.add("ShapeOf", "opset3", {selected_scores}).output()},
                 {{"mode", "numpy"}})
            .output();
    const graph::Output row_shape = context.i64_constant({-1, classes * count});
    auto rows = [&](graph::Output table) {
        return context.add("Reshape", "opset1", {table, row_shape}, {{"special_zero", "false"}})
            .output();
    };
    const graph::Output table =
        rows(scatter(-std::numeric_limits<double>::infinity(), selected_scores));
    const graph::Output selected_count =
        context
            .add("ReduceSum", "opset1", {rows(scatter(0, ones)), context.i64_constant({1})},
                 {{"keep_dims", "false"}})
            .output();
    const graph::Output valid_f32 =
        context.add("Minimum", "opset1", {selected_count, scalar_like(context, scores, detections)})
            .output();
    const graph::Output valid =
        context.add("Convert", "opset1", {valid_f32}, {{"destination_type", "i32"}}).output();

    const int64_t k = std::min(detections, classes * count);
    graph::Node& top = context.add("TopK", "opset11", {table, context.constant<int64_t>({}, {k})},
                                   {{"axis", "-1"},
                                    {"mode", "max"},
                                    {"sort", "value"},
                                    {"index_element_type", "i64"},
                                    {"stable", "true"}});
    // rank < valid count: a detection
    Tensor rank_values(ElementType::f32, {1, k});
    for (int64_t i = 0; i < k; ++i)
        rank_values.data<float>()[i] = static_cast<float>(i);
    const graph::Output ranks = context.constant(rank_values);
    const graph::Output valid_column =
        context.add("Unsqueeze", "opset1", {valid_f32, context.i64_constant({1})}).output();
    const graph::Output is_detection =
        context.add("Less", "opset1", {ranks, valid_column}).output();
    auto keep = [&](graph::Output x, const graph::Output& mask) {
        return context
            .add("Select", "opset1", {mask, x, scalar_like(context, x, 0)},
                 {{"auto_broadcast", "numpy"}})
            .output();
    };
    const graph::Output position = top.output(1);
    const graph::Output count_constant = context.constant<int64_t>({}, {count});
    const graph::Output class_index =
        context.add("Divide", "opset1", {position, count_constant}).output();
    const graph::Output box_index =
        context.add("FloorMod", "opset1", {position, count_constant}).output();
    graph::Output box_row = box_index;
    if (q != 1)
        box_row =
            context
                .add(
                    "Add", "opset1",
                    {context
                         .add("Multiply", "opset1", {box_index, context.constant<int64_t>({}, {q})})
                         .output(),
                     class_index})
                .output();
    const graph::Output box_rows =
        context
            .add("Reshape", "opset1", {boxes, context.i64_constant({-1, count * q, 4})},
                 {{"special_zero", "false"}})
            .output();
    graph::Output nmsed_boxes =
        context
            .add("Gather", "opset8", {box_rows, box_row, context.constant<int64_t>({}, {1})},
                 {{"batch_dims", "1"}})
            .output();
    if (context.attribute_bool("clip_boxes", true))
        nmsed_boxes =
            context.add("Clamp", "opset1", {nmsed_boxes}, {{"min", "0"}, {"max", "1"}}).output();
    const graph::Output box_mask =
        context.add("Unsqueeze", "opset1", {is_detection, context.i64_constant({2})}).output();
    nmsed_boxes = keep(nmsed_boxes, box_mask);
    graph::Output nmsed_scores = keep(top.output(0), is_detection);
    graph::Output nmsed_classes = keep(
        context.add("Convert", "opset1", {class_index}, {{"destination_type", "f32"}}).output(),
        is_detection);
    if (k < detections) {
        auto pad = [&](graph::Output x, size_t rank) {
            std::vector<int64_t> end(rank, 0);
            end[1] = detections - k;
            return context
                .add("Pad", "opset1",
                     {x, context.i64_constant(std::vector<int64_t>(rank, 0)),
                      context.i64_constant(end), scalar_like(context, x, 0)},
                     {{"pad_mode", "constant"}})
                .output();
        };
        nmsed_boxes = pad(nmsed_boxes, 3);
        nmsed_scores = pad(nmsed_scores, 2);
        nmsed_classes = pad(nmsed_classes, 2);
    }
    return {nmsed_boxes, nmsed_scores, nmsed_classes, valid};
}

}  // namespace

void add_nn_translators(std::vector<OpTranslator>& table) {
    table.push_back({"MaxPool", translate_pool<true>});
    table.push_back({"MaxPool3D", translate_pool<true>});
    table.push_back({"AvgPool", translate_pool<false>});
    table.push_back({"AvgPool3D", translate_pool<false>});
    table.push_back({"BiasAdd", translate_bias_add});
    table.push_back({"BiasAddV1", translate_bias_add});
    table.push_back({"FusedBatchNorm", translate_fused_batch_norm});
    table.push_back({"FusedBatchNormV2", translate_fused_batch_norm});
    table.push_back({"FusedBatchNormV3", translate_fused_batch_norm});
    table.push_back({"MatMul", translate_matmul});
    table.push_back({"_FusedMatMul", translate_fused_matmul});
    table.push_back({"BatchMatMul", translate_batch_matmul});
    table.push_back({"BatchMatMulV2", translate_batch_matmul});
    table.push_back({"BatchMatMulV3", translate_batch_matmul});
    table.push_back({"Softmax", translate_softmax});
    table.push_back({"LogSoftmax", translate_softmax});
    table.push_back({"ResizeBilinear", translate_resize});
    table.push_back({"ResizeNearestNeighbor", translate_resize});
    table.push_back({"DepthToSpace", translate_depth_space});
    table.push_back({"SpaceToDepth", translate_depth_space});
    table.push_back({"TopKV2", translate_top_k});
    table.push_back({"ArgMax", translate_arg_max});
    table.push_back({"ArgMin", translate_arg_max});
    table.push_back({"NonMaxSuppressionV3", translate_nms});
    table.push_back({"NonMaxSuppressionV4", translate_nms});
    table.push_back({"NonMaxSuppressionV5", translate_nms});
    table.push_back({"CombinedNonMaxSuppression", translate_combined_nms});
}

}  // namespace es::frontends::tf_import
