// ONNX indexing, reduction and logical translators (Slice … Where), each converted from a small
// ONNX model built here and run on REF against hand-computed outputs.
#include "tests/conformance/onnx_test_model.h"
#include "tests/support/op_testing.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>

using namespace es;
using namespace es::testing;

TEST_CASE("Slice: attributes before opset 10, inputs with optional axes and steps after") {
    onnx::NodeProto* node = nullptr;
    auto old = unary_model(9, "Slice", {3, 4}, &node);
    set_ints(*node, "starts", {1});
    set_ints(*node, "ends", {1000});
    set_ints(*node, "axes", {1});
    check_close(old.run({iota_f32({3, 4})})[0], {3, 3}, {1, 2, 3, 5, 6, 7, 9, 10, 11});

    auto reverse = unary_model(13, "Slice", {3, 4}, &node,
                               {{"starts", i64({1}, {-1})},
                                {"ends", i64({1}, {std::numeric_limits<int64_t>::min()})},
                                {"axes", i64({1}, {0})},
                                {"steps", i64({1}, {-2})}});
    check_close(reverse.run({iota_f32({3, 4})})[0], {2, 4}, {8, 9, 10, 11, 0, 1, 2, 3});

    auto no_steps = unary_model(13, "Slice", {3, 4}, &node,
                                {{"starts", i64({2}, {1, -10})}, {"ends", i64({2}, {2, 2})}});
    check_close(no_steps.run({iota_f32({3, 4})})[0], {1, 2}, {4, 5});
}

TEST_CASE("Gather and GatherElements: negative axes and indices") {
    onnx::NodeProto* node = nullptr;
    auto gather = unary_model(13, "Gather", {2, 3}, &node, {{"indices", i64({2}, {-1, 0})}});
    set_int(*node, "axis", -1);
    check_close(gather.run({iota_f32({2, 3})})[0], {2, 2}, {2, 0, 5, 3});

    // The ONNX operator documentation's example 2.
    auto elements = unary_model(13, "GatherElements", {3, 3}, &node,
                                {{"indices", i64({2, 3}, {1, 2, 0, 2, 0, 0})}});
    check_close(elements.run({f32({3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9})})[0], {2, 3},
                {4, 8, 3, 7, 2, 3});
    auto along_rows =
        unary_model(13, "GatherElements", {2, 2}, &node, {{"indices", i64({2, 2}, {0, 0, -1, 0})}});
    set_int(*node, "axis", 1);
    check_close(along_rows.run({f32({2, 2}, {1, 2, 3, 4})})[0], {2, 2}, {1, 1, 4, 3});
}

TEST_CASE("Pad: attributes before opset 11, inputs after, axes from 18") {
    onnx::NodeProto* node = nullptr;
    auto old = unary_model(6, "Pad", {2, 2}, &node);
    set_ints(*node, "pads", {0, 1, 0, 0});
    set_float(*node, "value", 9.0f);
    check_close(old.run({f32({2, 2}, {1, 2, 3, 4})})[0], {2, 3}, {9, 1, 2, 9, 3, 4});

    auto reflect = unary_model(11, "Pad", {3}, &node, {{"pads", i64({2}, {2, 1})}});
    set_string(*node, "mode", "reflect");
    check_close(reflect.run({f32({3}, {1, 2, 3})})[0], {6}, {3, 2, 1, 2, 3, 2});

    auto edge = unary_model(11, "Pad", {3}, &node, {{"pads", i64({2}, {1, 2})}});
    set_string(*node, "mode", "edge");
    check_close(edge.run({f32({3}, {1, 2, 3})})[0], {6}, {1, 1, 2, 3, 3, 3});

    auto valued =
        unary_model(11, "Pad", {2}, &node, {{"pads", i64({2}, {1, -1})}, {"value", f32({}, {5})}});
    check_close(valued.run({f32({2}, {1, 2})})[0], {2}, {5, 1});

    OnnxModel axes(18);
    axes.input("x", ElementType::f32, {2, 2});
    axes.initializer("pads", i64({2}, {1, 0})).initializer("axes", i64({1}, {-1}));
    axes.node("Pad", {"x", "pads", "", "axes"}, {"y"});
    axes.output("y");
    check_close(axes.run({f32({2, 2}, {1, 2, 3, 4})})[0], {2, 3}, {0, 1, 2, 0, 3, 4});

    auto wrap = unary_model(19, "Pad", {3}, &node, {{"pads", i64({2}, {1, 1})}});
    set_string(*node, "mode", "wrap");
    CHECK_THROWS_AS(wrap.convert(), es::Error);
}

TEST_CASE("TopK: k attribute before opset 10, input after, largest and ties") {
    OnnxModel old(9);
    old.input("x", ElementType::f32, {5});
    set_int(old.node("TopK", {"x"}, {"values", "indices"}), "k", 2);
    old.output("values").output("indices");
    auto outputs = old.run({f32({5}, {1, 5, 3, 5, 2})});
    check_close(outputs[0], {2}, {5, 5});
    check_equal(outputs[1], {2}, {1, 3});

    OnnxModel smallest(11);
    smallest.input("x", ElementType::f32, {2, 3}).initializer("k", i64({1}, {2}));
    auto& node = smallest.node("TopK", {"x", "k"}, {"values", "indices"});
    set_int(node, "largest", 0);
    set_int(node, "axis", 0);
    smallest.output("values").output("indices");
    outputs = smallest.run({f32({2, 3}, {3, 1, 2, 0, 4, 2})});
    check_close(outputs[0], {2, 3}, {0, 1, 2, 3, 4, 2});
    check_equal(outputs[1], {2, 3}, {1, 0, 0, 0, 1, 1});
}

TEST_CASE("ArgMax and ArgMin: keepdims and select_last_index") {
    onnx::NodeProto* node = nullptr;
    auto first = unary_model(13, "ArgMax", {2, 3}, &node);
    set_int(*node, "axis", 1);
    set_int(*node, "keepdims", 0);
    check_equal(first.run({f32({2, 3}, {1, 3, 3, 4, 4, 0})})[0], {2}, {1, 0});

    auto last = unary_model(13, "ArgMax", {2, 3}, &node);
    set_int(*node, "axis", -1);
    set_int(*node, "select_last_index", 1);
    check_equal(last.run({f32({2, 3}, {1, 3, 3, 4, 4, 0})})[0], {2, 1}, {2, 1});

    auto dynamic_last = unary_model(13, "ArgMin", {-1, -1}, &node);
    set_int(*node, "select_last_index", 1);
    check_equal(dynamic_last.run({f32({3, 2}, {1, 0, 1, 2, 5, 0})})[0], {1, 2}, {1, 2});
}

TEST_CASE("NonMaxSuppression: ONNX's suppress-by-IoU example, corner and center boxes") {
    const Tensor scores = f32({1, 1, 6}, {0.9f, 0.75f, 0.6f, 0.95f, 0.5f, 0.3f});
    const Tensor corners = f32({1, 6, 4}, {0, 0,  1, 1,  0, 0.1f,  1, 1.1f,  0, -0.1f, 1, 0.9f,
                                           0, 10, 1, 11, 0, 10.1f, 1, 11.1f, 0, 100,   1, 101});
    const Tensor centers =
        f32({1, 6, 4}, {0.5f, 0.5f,  1, 1, 0.5f, 0.6f,  1, 1, 0.5f, 0.4f,   1, 1,
                        0.5f, 10.5f, 1, 1, 0.5f, 10.6f, 1, 1, 0.5f, 100.5f, 1, 1});
    for (const bool center : {false, true}) {
        OnnxModel model(11);
        model.input("boxes", ElementType::f32, {1, 6, 4})
            .input("scores", ElementType::f32, {1, 1, 6});
        model.initializer("max", i64({1}, {3})).initializer("iou", f32({1}, {0.5f}));
        auto& node = model.node("NonMaxSuppression", {"boxes", "scores", "max", "iou"}, {"y"});
        set_int(node, "center_point_box", center ? 1 : 0);
        model.output("y");
        check_equal(model.run({center ? centers : corners, scores})[0], {3, 3},
                    {0, 0, 3, 0, 0, 0, 0, 0, 5});
    }

    // Two classes: rows come class by class, each by score; score_threshold drops low scores.
    OnnxModel classes(11);
    classes.input("boxes", ElementType::f32, {1, 2, 4})
        .input("scores", ElementType::f32, {1, 2, 2});
    classes.initializer("max", i64({1}, {2})).initializer("iou", f32({1}, {0.5f}));
    classes.initializer("score", f32({1}, {0.2f}));
    classes.node("NonMaxSuppression", {"boxes", "scores", "max", "iou", "score"}, {"y"});
    classes.output("y");
    const Tensor boxes = f32({1, 2, 4}, {0, 0, 1, 1, 0, 5, 1, 6});
    check_equal(classes.run({boxes, f32({1, 2, 2}, {0.1f, 0.3f, 0.9f, 0.8f})})[0], {3, 3},
                {0, 0, 1, 0, 1, 0, 0, 1, 1});
}

TEST_CASE("RoiAlign: output_half_pixel before opset 16, half_pixel and max after") {
    // x = 0..15 on a 4x4 map is linear, so bilinear samples are exact: value(y, x) = 4y + x.
    OnnxModel old(10);
    old.input("x", ElementType::f32, {1, 1, 4, 4}).input("rois", ElementType::f32, {1, 4});
    old.initializer("batch", i64({1}, {0}));
    auto& node = old.node("RoiAlign", {"x", "rois", "batch"}, {"y"});
    set_int(node, "output_height", 2);
    set_int(node, "output_width", 2);
    set_int(node, "sampling_ratio", 1);
    old.output("y");
    // Bins of 1.5 pixels sampled at their centres 0.75 and 2.25.
    check_close(old.run({iota_f32({1, 1, 4, 4}), f32({1, 4}, {0, 0, 3, 3})})[0], {1, 1, 2, 2},
                {3.75f, 5.25f, 9.75f, 11.25f});

    OnnxModel shifted(16);
    shifted.input("x", ElementType::f32, {1, 1, 4, 4}).input("rois", ElementType::f32, {1, 4});
    shifted.initializer("batch", i64({1}, {0}));
    auto& half = shifted.node("RoiAlign", {"x", "rois", "batch"}, {"y"});
    set_int(half, "sampling_ratio", 1);
    set_float(half, "spatial_scale", 0.5f);
    shifted.output("y");
    // ROI (2, 2)-(6, 6) scales to (1, 1)-(3, 3), shifts to (0.5, 0.5)-(2.5, 2.5): centre 1.5.
    check_close(shifted.run({iota_f32({1, 1, 4, 4}), f32({1, 4}, {2, 2, 6, 6})})[0], {1, 1, 1, 1},
                {7.5f});

    OnnxModel max(16);
    max.input("x", ElementType::f32, {1, 1, 4, 4}).input("rois", ElementType::f32, {1, 4});
    max.initializer("batch", i64({1}, {0}));
    auto& max_node = max.node("RoiAlign", {"x", "rois", "batch"}, {"y"});
    set_int(max_node, "sampling_ratio", 2);
    set_string(max_node, "mode", "max");
    set_string(max_node, "coordinate_transformation_mode", "output_half_pixel");
    max.output("y");
    // Samples at 0.75 and 2.25 on both axes: the largest is 4 * 2.25 + 2.25.
    check_close(max.run({iota_f32({1, 1, 4, 4}), f32({1, 4}, {0, 0, 3, 3})})[0], {1, 1, 1, 1},
                {11.25f});
}

TEST_CASE("Reduce*: axes attribute before opset 18, input after, keepdims, noop_with_empty_axes") {
    onnx::NodeProto* node = nullptr;
    auto mean = unary_model(13, "ReduceMean", {2, 3}, &node);
    set_ints(*node, "axes", {-1});
    set_int(*node, "keepdims", 0);
    check_close(mean.run({iota_f32({2, 3})})[0], {2}, {1, 4});

    auto sum_all = unary_model(13, "ReduceSum", {2, 3}, &node);
    check_close(sum_all.run({iota_f32({2, 3})})[0], {1, 1}, {15});

    auto sum_input = unary_model(13, "ReduceSum", {2, 3}, &node, {{"axes", i64({1}, {0})}});
    check_close(sum_input.run({iota_f32({2, 3})})[0], {1, 3}, {3, 5, 7});

    auto max18 = unary_model(18, "ReduceMax", {2, 3}, &node, {{"axes", i64({1}, {1})}});
    set_int(*node, "keepdims", 0);
    check_close(max18.run({iota_f32({2, 3})})[0], {2}, {2, 5});

    auto noop = unary_model(18, "ReduceSumSquare", {2}, &node);
    set_int(*node, "noop_with_empty_axes", 1);
    check_close(noop.run({f32({2}, {-2, 3})})[0], {2}, {4, 9});

    auto l2 = unary_model(13, "ReduceL2", {2, 2}, &node);
    set_ints(*node, "axes", {1});
    check_close(l2.run({f32({2, 2}, {3, 4, 0, -1})})[0], {2, 1}, {5, 1});

    auto l1 = unary_model(13, "ReduceL1", {2, 2}, &node);
    set_int(*node, "keepdims", 0);
    check_close(l1.run({f32({2, 2}, {3, -4, 0, -1})})[0], {}, {8});

    auto prod = unary_model(13, "ReduceProd", {3}, &node);
    check_close(prod.run({f32({3}, {2, 3, 4})})[0], {1}, {24});

    auto min = unary_model(13, "ReduceMin", {-1, 2}, &node);
    set_ints(*node, "axes", {0});
    check_close(min.run({f32({2, 2}, {2, 3, 4, 1})})[0], {1, 2}, {2, 1});

    auto log_sum = unary_model(13, "ReduceLogSum", {2}, &node);
    check_close(log_sum.run({f32({2}, {1, 2})})[0], {1}, {std::log(3.0f)});

    OnnxModel any(20);
    any.input("x", ElementType::boolean, {2, 2}).initializer("axes", i64({1}, {1}));
    any.node("ReduceMax", {"x", "axes"}, {"any"});
    any.node("ReduceMin", {"x", "axes"}, {"all"});
    any.output("any").output("all");
    const auto flags = any.run({boolean({2, 2}, {true, false, true, true})});
    check_equal(flags[0], {2, 1}, {1, 1});
    check_equal(flags[1], {2, 1}, {0, 1});

    // exp(1000) overflows f32: the maximum is taken out first.
    auto log_sum_exp = unary_model(13, "ReduceLogSumExp", {2, 2}, &node);
    set_ints(*node, "axes", {1});
    set_int(*node, "keepdims", 0);
    check_close(log_sum_exp.run({f32({2, 2}, {1000, 1000, 0, 0})})[0], {2},
                {1000 + std::log(2.0f), std::log(2.0f)}, 1e-3f);
}

TEST_CASE("Comparisons, logical ops and Where broadcast like numpy") {
    OnnxModel compare(13);
    compare.input("a", ElementType::f32, {3}).input("b", ElementType::f32, {});
    compare.node("Greater", {"a", "b"}, {"greater"});
    compare.node("LessOrEqual", {"a", "b"}, {"less_equal"});
    compare.node("Equal", {"a", "b"}, {"equal"});
    compare.node("Less", {"a", "b"}, {"less"});
    compare.node("GreaterOrEqual", {"a", "b"}, {"greater_equal"});
    compare.node("Xor", {"greater", "equal"}, {"xor"});
    compare.node("Not", {"xor"}, {"not"});
    compare.node("Where", {"greater", "a", "b"}, {"where"});
    for (const char* name :
         {"greater", "less_equal", "equal", "xor", "not", "where", "less", "greater_equal"})
        compare.output(name);
    const auto outputs = compare.run({f32({3}, {1, 2, 3}), f32({}, {2})});
    check_equal(outputs[0], {3}, {0, 0, 1});
    check_equal(outputs[1], {3}, {1, 1, 0});
    check_equal(outputs[2], {3}, {0, 1, 0});
    check_equal(outputs[3], {3}, {0, 1, 1});
    check_equal(outputs[4], {3}, {1, 0, 0});
    check_close(outputs[5], {3}, {2, 2, 3});
    check_equal(outputs[6], {3}, {1, 0, 0});
    check_equal(outputs[7], {3}, {0, 1, 1});

    OnnxModel logical(13);
    logical.input("a", ElementType::boolean, {2}).input("b", ElementType::boolean, {2});
    logical.node("And", {"a", "b"}, {"and"});
    logical.node("Or", {"a", "b"}, {"or"});
    logical.output("and").output("or");
    const auto results = logical.run({boolean({2}, {true, false}), boolean({2}, {true, true})});
    check_equal(results[0], {2}, {1, 0});
    check_equal(results[1], {2}, {1, 1});
}
