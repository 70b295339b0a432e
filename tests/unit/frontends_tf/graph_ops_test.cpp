// More TensorFlow ops, each group converted from a hand-built GraphDef and run on REF; the
// expected values are worked out by hand from TensorFlow's op definitions.
#include "inference/core/error.h"
#include "inference/frontends/tf/tf_frontend.h"
#include "tests/support/op_testing.h"
#include "tests/support/test_data.h"
#include "tests/unit/frontends_tf/tf_builders.h"

#include <doctest/doctest.h>

#include <cmath>

using namespace es;
using namespace es::testing;

namespace {

// Runs the graph; its outputs are its loose ends in graph order.
std::vector<Tensor> run(const GraphBuilder& builder, const std::vector<Tensor>& inputs = {}) {
    const auto path = temp_dir("tf-ops") / "model.pb";
    builder.write(path);
    return run_reference(frontends::read_tf_frozen_graph(path), inputs);
}

Tensor booleans(Shape shape, std::vector<bool> values) {
    Tensor tensor(ElementType::boolean, std::move(shape));
    for (size_t i = 0; i < values.size(); ++i)
        tensor.data<bool>()[i] = values[i];
    return tensor;
}

}  // namespace

TEST_CASE("Pad, PadV2 and MirrorPad") {
    GraphBuilder builder;
    builder.placeholder("x", {1, 2});
    builder.constant("paddings", i32({2, 2}, {0, 0, 1, 2}));
    builder.node("pad", "Pad", {"x", "paddings"});
    builder.constant("value", f32({}, {9}));
    builder.node("pad_v2", "PadV2", {"x", "paddings", "value"});
    builder.placeholder("v", {3});
    builder.constant("mirror", i32({1, 2}, {2, 1}));
    set_string(builder.node("reflect", "MirrorPad", {"v", "mirror"}), "mode", "REFLECT");
    set_string(builder.node("symmetric", "MirrorPad", {"v", "mirror"}), "mode", "SYMMETRIC");
    const auto outputs = run(builder, {f32({1, 2}, {1, 2}), f32({3}, {1, 2, 3})});
    check_close(outputs[0], {1, 5}, {0, 1, 2, 0, 0});
    check_close(outputs[1], {1, 5}, {9, 1, 2, 9, 9});
    check_close(outputs[2], {6}, {3, 2, 1, 2, 3, 2});
    check_close(outputs[3], {6}, {2, 1, 1, 2, 3, 3});
}

TEST_CASE("Slice, Split, SplitV, GatherV2 and Tile") {
    GraphBuilder builder;
    builder.placeholder("x", {3, 4});
    builder.constant("begin", i32({2}, {1, 1}));
    builder.constant("size", i32({2}, {2, -1}));
    builder.node("slice", "Slice", {"x", "begin", "size"});
    builder.placeholder("v", {5});
    builder.constant("axis", i32({}, {0}));
    builder.constant("splits", i32({2}, {2, -1}));
    builder.node("split_v", "SplitV", {"v", "splits", "axis"});
    builder.node("second", "Identity", {"split_v:1"});
    builder.constant("four", f32({4}, {0, 1, 2, 3}));
    set_int(builder.node("split", "Split", {"axis", "four"}), "num_split", 2);
    builder.node("half", "Identity", {"split:1"});
    builder.constant("indices", i32({2}, {2, 0}));
    builder.node("gather", "GatherV2", {"x", "indices", "axis"});
    builder.constant("multiples", i32({1}, {2}));
    builder.node("tile", "Tile", {"begin", "multiples"});
    const auto outputs = run(builder, {iota_f32({3, 4}), iota_f32({5})});
    check_close(outputs[0], {2, 3}, {5, 6, 7, 9, 10, 11});
    check_close(outputs[1], {3}, {2, 3, 4});
    check_close(outputs[2], {2}, {2, 3});
    check_close(outputs[3], {2, 4}, {8, 9, 10, 11, 0, 1, 2, 3});
    check_equal(outputs[4], {4}, {1, 1, 1, 1});
}

TEST_CASE("Select picks rows by a vector condition, SelectV2 broadcasts, Fill, Range, Cast") {
    GraphBuilder builder;
    builder.placeholder("c", {2}, tensorflow::DT_BOOL);
    builder.placeholder("t", {2, 2});
    builder.constant("e", f32({2, 2}, {-1, -1, -1, -1}));
    builder.node("select", "Select", {"c", "t", "e"});
    builder.constant("column", booleans({2}, {false, true}));
    builder.node("select_v2", "SelectV2", {"column", "t", "e"});
    builder.constant("dims", i32({2}, {2, 2}));
    builder.constant("three", f32({}, {3}));
    builder.node("fill", "Fill", {"dims", "three"});
    builder.constant("start", i32({}, {1}));
    builder.constant("limit", i32({}, {7}));
    builder.constant("delta", i32({}, {2}));
    set_type(builder.node("range", "Range", {"start", "limit", "delta"}), "Tidx",
             tensorflow::DT_INT32);
    builder.placeholder("f", {2});
    set_type(builder.node("cast", "Cast", {"f"}), "DstT", tensorflow::DT_INT32);
    const auto outputs =
        run(builder, {booleans({2}, {true, false}), iota_f32({2, 2}), f32({2}, {1.7f, -1.7f})});
    check_close(outputs[0], {2, 2}, {0, 1, -1, -1});
    check_close(outputs[1], {2, 2}, {-1, 1, -1, 3});
    check_close(outputs[2], {2, 2}, {3, 3, 3, 3});
    check_equal(outputs[3], {3}, {1, 3, 5});
    CHECK(outputs[4].type() == ElementType::i32);
    check_equal(outputs[4], {2}, {1, -1});
}

TEST_CASE("DepthToSpace, SpaceToDepth, Squeeze, ExpandDims, Transpose") {
    GraphBuilder builder;
    builder.placeholder("x", {1, 1, 1, 4});
    set_int(builder.node("d2s", "DepthToSpace", {"x"}), "block_size", 2);
    builder.placeholder("y", {1, 2, 2, 1});
    set_int(builder.node("s2d", "SpaceToDepth", {"y"}), "block_size", 2);
    builder.placeholder("m", {1, 2});
    set_ints(builder.node("squeeze", "Squeeze", {"m"}), "squeeze_dims", {0});
    builder.constant("last", i32({}, {-1}));
    builder.node("expand", "ExpandDims", {"m", "last"});
    builder.placeholder("z", {2, 3});
    builder.constant("perm", i32({2}, {1, 0}));
    builder.node("transpose", "Transpose", {"z", "perm"});
    const auto outputs =
        run(builder, {f32({1, 1, 1, 4}, {1, 2, 3, 4}), f32({1, 2, 2, 1}, {1, 2, 3, 4}),
                      f32({1, 2}, {5, 6}), iota_f32({2, 3})});
    check_close(outputs[0], {1, 2, 2, 1}, {1, 2, 3, 4});
    check_close(outputs[1], {1, 1, 1, 4}, {1, 2, 3, 4});
    check_close(outputs[2], {2}, {5, 6});
    check_close(outputs[3], {1, 2, 1}, {5, 6});
    check_close(outputs[4], {3, 2}, {0, 3, 1, 4, 2, 5});
}

TEST_CASE("FloorDiv, FloorMod, comparisons and reductions") {
    GraphBuilder builder;
    builder.placeholder("a", {2}, tensorflow::DT_INT32);
    builder.constant("two", i32({2}, {2, 2}));
    set_type(builder.node("floordiv", "FloorDiv", {"a", "two"}), "T", tensorflow::DT_INT32);
    set_type(builder.node("floormod", "FloorMod", {"a", "two"}), "T", tensorflow::DT_INT32);
    builder.placeholder("f", {1});
    builder.constant("half", f32({1}, {2}));
    builder.node("floordiv_f", "FloorDiv", {"f", "half"});
    builder.placeholder("p", {3});
    builder.constant("q", f32({3}, {2, 2, 2}));
    builder.node("equal", "Equal", {"p", "q"});
    builder.node("greater", "Greater", {"p", "q"});
    builder.node("less", "Less", {"p", "q"});
    builder.placeholder("m", {2, 2});
    builder.constant("axis", i32({1}, {0}));
    builder.node("sum", "Sum", {"m", "axis"});
    builder.node("max", "Max", {"m", "axis"});
    builder.node("min", "Min", {"m", "axis"});
    const auto outputs =
        run(builder, {i32({2}, {-7, 7}), f32({1}, {-7.5f}), f32({3}, {1, 2, 3}), iota_f32({2, 2})});
    check_equal(outputs[0], {2}, {-4, 3});
    check_equal(outputs[1], {2}, {1, 1});
    check_close(outputs[2], {1}, {-4});
    check_equal(outputs[3], {3}, {0, 1, 0});
    check_equal(outputs[4], {3}, {0, 0, 1});
    check_equal(outputs[5], {3}, {1, 0, 0});
    check_close(outputs[6], {2}, {2, 4});
    check_close(outputs[7], {2}, {2, 3});
    check_close(outputs[8], {2}, {0, 1});
}

TEST_CASE("LeakyRelu, Prelu along the last axis, Softmax, Rsqrt, Square, AddN, BatchMatMulV2") {
    GraphBuilder builder;
    builder.placeholder("x", {2});
    set_float(builder.node("leaky", "LeakyRelu", {"x"}), "alpha", 0.1f);
    // x has shape [1, 2, 1, 2]: its axis 1 has the slope's length, yet TF applies the slope
    // along the last axis
    builder.placeholder("n", {1, 2, 1, 2});
    builder.constant("alpha", f32({2}, {0.5f, 3}));
    builder.node("prelu", "Prelu", {"n", "alpha"});
    builder.placeholder("s", {1, 2});
    builder.node("softmax", "Softmax", {"s"});
    builder.placeholder("r", {1});
    builder.node("rsqrt", "Rsqrt", {"r"});
    builder.node("square", "Square", {"x"});
    builder.node("add_n", "AddN", {"x", "x", "x"});
    builder.placeholder("a", {2, 1, 2});
    builder.constant("b", f32({2, 2, 1}, {1, 1, 1, 1}));
    builder.node("bmm", "BatchMatMulV2", {"a", "b"});
    const auto outputs =
        run(builder, {f32({2}, {-10, 4}), f32({1, 2, 1, 2}, {-1, -1, -1, -1}),
                      f32({1, 2}, {0, std::log(3.0f)}), f32({1}, {4}), iota_f32({2, 1, 2})});
    check_close(outputs[0], {2}, {-1, 4});
    check_close(outputs[1], {1, 2, 1, 2}, {-0.5f, -3, -0.5f, -3});
    check_close(outputs[2], {1, 2}, {0.25f, 0.75f});
    check_close(outputs[3], {1}, {0.5f});
    check_close(outputs[4], {2}, {100, 16});
    check_close(outputs[5], {2}, {-30, 12});
    check_close(outputs[6], {2, 1, 1}, {1, 5});
}

TEST_CASE("NonMaxSuppressionV3, V4 (padded) and V5") {
    GraphBuilder builder;
    builder.placeholder("boxes", {4, 4});
    builder.placeholder("scores", {4});
    builder.constant("max_output", i32({}, {3}));
    builder.constant("iou", f32({}, {0.5f}));
    builder.constant("score", f32({}, {0.2f}));
    builder.constant("sigma", f32({}, {0}));
    builder.node("v3", "NonMaxSuppressionV3", {"boxes", "scores", "max_output", "iou", "score"});
    set_bool(builder.node("v4", "NonMaxSuppressionV4",
                          {"boxes", "scores", "max_output", "iou", "score"}),
             "pad_to_max_output_size", true);
    builder.node("v5", "NonMaxSuppressionV5",
                 {"boxes", "scores", "max_output", "iou", "score", "sigma"});
    // box 1 overlaps box 0 with IoU 0.9 / 1.1; box 3 scores below the threshold
    const auto outputs =
        run(builder, {f32({4, 4}, {0, 0, 1, 1, 0, 0.1f, 1, 1.1f, 0, 2, 1, 3, 0, 4, 1, 5}),
                      f32({4}, {0.9f, 0.8f, 0.7f, 0.1f})});
    REQUIRE(outputs.size() == 6);
    check_equal(outputs[0], {2}, {0, 2});
    check_equal(outputs[1], {3}, {0, 2, 0});
    check_equal(outputs[2], {}, {2});
    check_equal(outputs[3], {2}, {0, 2});
    check_close(outputs[4], {2}, {0.9f, 0.7f});
    check_equal(outputs[5], {}, {2});
}

TEST_CASE("FusedBatchNorm with is_training normalizes with the batch's statistics") {
    GraphBuilder builder;
    builder.placeholder("x", {2, 1, 1, 2});
    builder.constant("scale", f32({2}, {1, 2}));
    builder.constant("offset", f32({2}, {0, 1}));
    builder.constant("empty", f32({0}, {}));
    auto& bn = builder.node("bn", "FusedBatchNorm", {"x", "scale", "offset", "empty", "empty"});
    set_bool(bn, "is_training", true);
    set_float(bn, "epsilon", 0);
    builder.node("y", "Identity", {"bn"});
    builder.node("mean", "Identity", {"bn:1"});
    // channel 0 holds 1 and 3 (mean 2, variance 1), channel 1 holds 4 and 6 (mean 5, variance
    // 1): y = (x - mean) * scale + offset
    const auto outputs = run(builder, {f32({2, 1, 1, 2}, {1, 4, 3, 6})});
    check_close(outputs[0], {2, 1, 1, 2}, {-1, -1, 1, 3});
    check_close(outputs[1], {2}, {2, 5});
}
