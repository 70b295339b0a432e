// The ONNX NN translators (Conv … Resize) on cases the conformance suite does not reach: older
// opsets, dynamic weights, the decompositions, and bad attributes. Each model is one node built
// here, converted and run on REF against hand-computed outputs.
#include "tests/conformance/onnx_test_model.h"
#include "tests/support/op_testing.h"

#include <doctest/doctest.h>

using namespace es;
using namespace es::testing;

namespace {

bool has_op(const graph::Model& model, const std::string& type) {
    for (const auto& node : model.nodes())
        if (node->type == type) return true;
    return false;
}

// A Resize node over f32 input "x" of `shape` with (roi absent) constant scales.
OnnxModel resize_model(int64_t opset, std::vector<int64_t> shape, const Tensor& scales,
                       onnx::NodeProto** node) {
    OnnxModel model(opset);
    model.input("x", ElementType::f32, std::move(shape)).initializer("scales", scales);
    *node = &model.node("Resize", {"x", "", "scales"}, {"y"});
    model.output("y");
    return model;
}

}  // namespace

TEST_CASE("Conv with dynamic weights and groups splits the weights at run time") {
    OnnxModel model(13);
    model.input("x", ElementType::f32, {1, 2, 2, 2}).input("w", ElementType::f32, {-1, -1, -1, -1});
    set_int(model.node("Conv", {"x", "w"}, {"y"}), "group", 2);
    model.output("y");
    auto y = model.run({iota_f32({1, 2, 2, 2}), f32({2, 1, 1, 1}, {2, 3})});
    check_close(y[0], {1, 2, 2, 2}, {0, 2, 4, 6, 12, 15, 18, 21});
}

TEST_CASE("Conv rejects bad pads, strides and groups") {
    onnx::NodeProto* node = nullptr;
    auto pads = unary_model(13, "Conv", {1, 1, 3, 3}, &node, {{"w", iota_f32({1, 1, 2, 2})}});
    set_ints(*node, "pads", {1, 1});
    CHECK_THROWS_AS(pads.convert(), es::Error);
    auto groups = unary_model(13, "Conv", {1, 2, 3, 3}, &node, {{"w", iota_f32({3, 1, 2, 2})}});
    set_int(*node, "group", 2);
    CHECK_THROWS_AS(groups.convert(), es::Error);
    auto strides = unary_model(13, "Conv", {1, 1, 3, 3}, &node, {{"w", iota_f32({1, 1, 2, 2})}});
    set_ints(*node, "strides", {0, 1});
    CHECK_THROWS_AS(strides.convert(), es::Error);
}

TEST_CASE("Conv and ConvTranspose name the ranks of X and W when they differ") {
    for (const char* op : {"Conv", "ConvTranspose"}) {
        CAPTURE(op);
        onnx::NodeProto* node = nullptr;
        auto model = unary_model(13, op, {1, 1, 4}, &node, {{"w", iota_f32({1, 1, 2, 2})}});
        set_string(*node, "auto_pad", "SAME_UPPER");
        CHECK_THROWS_WITH_AS(model.convert(), doctest::Contains("X has rank 3 and W rank 4"),
                             es::Error);
    }
}

TEST_CASE("ConvTranspose output_shape larger than the full result pads with zeros at the end") {
    // in 2, kernel 2, stride 1: full output 3; output_shape 4 adds a zero.
    onnx::NodeProto* node = nullptr;
    auto model =
        unary_model(13, "ConvTranspose", {1, 1, 2}, &node, {{"w", f32({1, 1, 2}, {1, 10})}});
    set_ints(*node, "output_shape", {4});
    check_close(model.run({f32({1, 1, 2}, {1, 2})})[0], {1, 1, 4}, {1, 12, 20, 0});
}

TEST_CASE("ConvTranspose SAME_LOWER puts the odd padding at the beginning") {
    // in 2, kernel 3, stride 2: full [1, 10, 100 + 2, 20, 200] of 5, target 4, total padding 1.
    onnx::NodeProto* node = nullptr;
    auto model =
        unary_model(13, "ConvTranspose", {1, 1, 2}, &node, {{"w", f32({1, 1, 3}, {1, 10, 100})}});
    set_ints(*node, "strides", {2});
    set_string(*node, "auto_pad", "SAME_LOWER");
    check_close(model.run({f32({1, 1, 2}, {1, 2})})[0], {1, 1, 4}, {10, 102, 20, 200});
}

TEST_CASE("AveragePool count_include_pad with a ceil window past the end padding") {
    // Windows start at -1, 1, 3 over [1, 2, 3, 4] padded by one each side; the last one reads
    // 4 and the end pad, and its third tap lies beyond both: ONNX divides by 2.
    onnx::NodeProto* node = nullptr;
    auto model = unary_model(19, "AveragePool", {1, 1, 4}, &node);
    set_ints(*node, "kernel_shape", {3});
    set_ints(*node, "strides", {2});
    set_ints(*node, "pads", {1, 1});
    set_int(*node, "ceil_mode", 1);
    set_int(*node, "count_include_pad", 1);
    check_close(model.run({f32({1, 1, 4}, {1, 2, 3, 4})})[0], {1, 1, 3}, {1, 3, 2});
}

TEST_CASE("AveragePool with dilations excludes the padding from the count") {
    // Windows read (-1, 1), (0, 2), (1, 3), (2, 4), (3, 5).
    onnx::NodeProto* node = nullptr;
    auto model = unary_model(19, "AveragePool", {1, 1, 5}, &node);
    set_ints(*node, "kernel_shape", {2});
    set_ints(*node, "dilations", {2});
    set_ints(*node, "pads", {1, 1});
    check_close(model.run({f32({1, 1, 5}, {1, 2, 3, 4, 5})})[0], {1, 1, 5}, {2, 2, 3, 4, 4});
}

TEST_CASE("MaxPool storage_order 1 numbers the indices column by column") {
    // Channel 0 is [[1, 5, 2], [6, 3, 4]], channel 1 the same plus 10. The 2x2 windows pick
    // (1, 0) and (0, 1): row-major offsets 3 and 1, column-major 1 and 2, plus 6 per plane.
    const Tensor x = f32({1, 2, 2, 3}, {1, 5, 2, 6, 3, 4, 11, 15, 12, 16, 13, 14});
    for (int64_t order : {0, 1}) {
        OnnxModel model(12);
        model.input("x", ElementType::f32, {1, 2, 2, 3});
        auto& node = model.node("MaxPool", {"x"}, {"y", "indices"});
        set_ints(node, "kernel_shape", {2, 2});
        set_int(node, "storage_order", order);
        model.output("y").output("indices");
        const auto outputs = model.run({x});
        check_close(outputs[0], {1, 2, 1, 2}, {6, 5, 16, 15});
        if (order == 0)
            check_equal(outputs[1], {1, 2, 1, 2}, {3, 1, 9, 7});
        else
            check_equal(outputs[1], {1, 2, 1, 2}, {1, 2, 7, 8});
    }
}

TEST_CASE("BatchNormalization-7 and -9 run in inference mode") {
    for (int64_t opset : {7, 9}) {
        onnx::NodeProto* node = nullptr;
        auto model = unary_model(opset, "BatchNormalization", {1, 2, 1, 2}, &node,
                                 {{"scale", f32({2}, {1, 2})},
                                  {"bias", f32({2}, {0, 1})},
                                  {"mean", f32({2}, {1, 0})},
                                  {"var", f32({2}, {4, 1})}});
        set_float(*node, "epsilon", 0.0f);
        check_close(model.run({f32({1, 2, 1, 2}, {1, 3, 1, -1})})[0], {1, 2, 1, 2}, {0, 1, 3, -1});
    }
}

TEST_CASE("Gemm-6 with transB and a broadcast bias") {
    // A · Bᵀ sums each row: 3 and 7, times alpha 2, plus 10.
    onnx::NodeProto* node = nullptr;
    auto model =
        unary_model(6, "Gemm", {2, 2}, &node, {{"b", f32({1, 2}, {1, 1})}, {"c", f32({1}, {10})}});
    set_int(*node, "transB", 1);
    set_int(*node, "broadcast", 1);
    set_float(*node, "alpha", 2.0f);
    check_close(model.run({f32({2, 2}, {1, 2, 3, 4})})[0], {2, 1}, {16, 24});
}

TEST_CASE("GridSample-16 spells the modes bilinear and bicubic") {
    OnnxModel model(16);
    model.input("x", ElementType::f32, {1, 1, 2, 2}).input("grid", ElementType::f32, {1, 1, 1, 2});
    set_string(model.node("GridSample", {"x", "grid"}, {"y"}), "mode", "bilinear");
    model.output("y");
    auto y = model.run({f32({1, 1, 2, 2}, {1, 2, 3, 4}), f32({1, 1, 1, 2}, {0, 0})});
    check_close(y[0], {1, 1, 1, 1}, {2.5f});
}

TEST_CASE("Resize-10 nearest is asymmetric and rounds down") {
    onnx::NodeProto* node = nullptr;
    auto model =
        unary_model(10, "Resize", {1, 1, 2, 2}, &node, {{"scales", f32({4}, {1, 1, 2, 3})}});
    check_close(model.run({f32({1, 1, 2, 2}, {1, 2, 3, 4})})[0], {1, 1, 4, 6},
                {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4});
}

TEST_CASE("Resize-11 takes sizes after an empty roi and scales") {
    // half_pixel: x = (o + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25, clamped into [0, 1].
    onnx::NodeProto* node = nullptr;
    auto model = unary_model(11, "Resize", {1, 1, 1, 2}, &node,
                             {{"roi", Tensor(ElementType::f32, {0})},
                              {"scales", Tensor(ElementType::f32, {0})},
                              {"sizes", i64({4}, {1, 1, 1, 4})}});
    set_string(*node, "mode", "linear");
    check_close(model.run({f32({1, 1, 1, 2}, {0, 1})})[0], {1, 1, 1, 4}, {0, 0.25f, 0.75f, 1});
}

TEST_CASE("Resize-18 linear antialias replicates the edges as ONNX does") {
    // scale 0.5 on [0, 1, 2, 3]: centres 0.5 and 2.5, triangle of half-width 2; the taps
    // outside fold onto the edge: weights [.5, .375, .125, 0] and [0, .125, .375, .5].
    onnx::NodeProto* node = nullptr;
    auto model = resize_model(18, {1, 1, 1, 4}, f32({4}, {1, 1, 1, 0.5f}), &node);
    set_string(*node, "mode", "linear");
    set_int(*node, "antialias", 1);
    check_close(model.run({f32({1, 1, 1, 4}, {0, 1, 2, 3})})[0], {1, 1, 1, 2}, {0.625f, 2.375f});
    CHECK(!has_op(model.convert(), "Interpolate"));
}

TEST_CASE("Resize-19 nearest half_pixel_symmetric keeps the sampled span centred") {
    // in 4, scale 0.6: out 2, offset 2 · (1 - 2 / 2.4) = 1/3, so x = 1/3 + (o + 0.5) / 0.6 - 0.5
    // = 2/3 and 7/3, rounded to 1 and 2 (half_pixel would read 0 and 2).
    onnx::NodeProto* node = nullptr;
    auto model = resize_model(19, {1, 1, 1, 4}, f32({4}, {1, 1, 1, 0.6f}), &node);
    set_string(*node, "coordinate_transformation_mode", "half_pixel_symmetric");
    check_close(model.run({f32({1, 1, 1, 4}, {0, 1, 2, 3})})[0], {1, 1, 1, 2}, {1, 2});
}

TEST_CASE("Resize align_corners uses Interpolate when in · scale is whole") {
    onnx::NodeProto* node = nullptr;
    auto model = resize_model(13, {1, 1, 1, 2}, f32({4}, {1, 1, 1, 2}), &node);
    set_string(*node, "mode", "linear");
    set_string(*node, "coordinate_transformation_mode", "align_corners");
    CHECK(has_op(model.convert(), "Interpolate"));
    check_close(model.run({f32({1, 1, 1, 2}, {0, 3})})[0], {1, 1, 1, 4}, {0, 1, 2, 3});
}

TEST_CASE("Resize rejects tf_crop_and_resize and unknown modes") {
    onnx::NodeProto* node = nullptr;
    auto crop = resize_model(13, {1, 1, 2, 2}, f32({4}, {1, 1, 2, 2}), &node);
    set_string(*node, "coordinate_transformation_mode", "tf_crop_and_resize");
    CHECK_THROWS_AS(crop.convert(), es::Error);
    auto mode = resize_model(13, {1, 1, 2, 2}, f32({4}, {1, 1, 2, 2}), &node);
    set_string(*node, "mode", "area");
    CHECK_THROWS_AS(mode.convert(), es::Error);
}

TEST_CASE("Upsample-7 takes the scales as an attribute") {
    // asymmetric: x = o / 2 = 0, 0.5, 1, 1.5 (clamped to 1).
    onnx::NodeProto* node = nullptr;
    auto model = unary_model(7, "Upsample", {1, 1, 1, 2}, &node);
    set_string(*node, "mode", "linear");
    auto* scales = node->add_attribute();
    scales->set_name("scales");
    scales->set_type(onnx::AttributeProto::FLOATS);
    for (float scale : {1.0f, 1.0f, 1.0f, 2.0f})
        scales->add_floats(scale);
    check_close(model.run({f32({1, 1, 1, 2}, {0, 2})})[0], {1, 1, 1, 4}, {0, 1, 2, 2});
}

TEST_CASE("DepthToSpace CRD and SpaceToDepth invert each other") {
    onnx::NodeProto* node = nullptr;
    auto depth = unary_model(13, "DepthToSpace", {1, 4, 1, 1}, &node);
    set_int(*node, "blocksize", 2);
    set_string(*node, "mode", "CRD");
    check_close(depth.run({f32({1, 4, 1, 1}, {1, 2, 3, 4})})[0], {1, 1, 2, 2}, {1, 2, 3, 4});
    auto space = unary_model(13, "SpaceToDepth", {1, 1, 2, 2}, &node);
    set_int(*node, "blocksize", 2);
    check_close(space.run({f32({1, 1, 2, 2}, {1, 2, 3, 4})})[0], {1, 4, 1, 1}, {1, 2, 3, 4});
    auto missing = unary_model(13, "SpaceToDepth", {1, 1, 2, 2}, &node);
    CHECK_THROWS_AS(missing.convert(), es::Error);
}
