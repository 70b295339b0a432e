// Frozen GraphDefs built node by node, converted, run on REF and compared with values worked
// out by hand from TensorFlow's op definitions.
#include "inference/core/error.h"
#include "inference/frontends/tf/tf_frontend.h"
#include "tests/support/op_testing.h"
#include "tests/support/test_data.h"
#include "tests/unit/frontends_tf/tf_builders.h"

#include <doctest/doctest.h>

using namespace es;
using namespace es::testing;

namespace {

graph::Model convert(const GraphBuilder& builder) {
    const auto path = temp_dir("tf-graph") / "model.pb";
    builder.write(path);
    return frontends::read_tf_frozen_graph(path);
}

std::vector<Tensor> run(const GraphBuilder& builder, const std::vector<Tensor>& inputs) {
    return run_reference(convert(builder), inputs);
}

tensorflow::NodeDef& conv_like(GraphBuilder& builder, const std::string& name,
                               const std::string& op, const std::vector<std::string>& inputs,
                               std::vector<int64_t> strides, const std::string& padding) {
    auto& node = builder.node(name, op, inputs);
    set_ints(node, "strides", strides);
    set_string(node, "padding", padding);
    set_string(node, "data_format", "NHWC");
    return node;
}

std::string error_of(const GraphBuilder& builder) {
    try {
        convert(builder);
    } catch (const Error& error) {
        CHECK(error.kind() == ErrorKind::BadInput);
        return error.what();
    }
    FAIL("no error");
    return {};
}

}  // namespace

TEST_CASE("Conv2D SAME with stride 2 pads the odd element at the end, NHWC in and out") {
    GraphBuilder builder;
    builder.placeholder("x", {1, 4, 4, 1});
    std::vector<float> filter;
    for (int i = 0; i < 9; ++i)
        filter.insert(filter.end(), {1.0f, 2.0f});  // HWIO, O = 2
    builder.constant("w", f32({3, 3, 1, 2}, filter));
    conv_like(builder, "conv", "Conv2D", {"x", "w"}, {1, 2, 2, 1}, "SAME");
    const auto outputs = run(builder, {iota_f32({1, 4, 4, 1})});
    // windows rows/cols {0..2} and {2,3}: sums of 4r + c
    check_close(outputs[0], {1, 2, 2, 2}, {45, 90, 39, 78, 66, 132, 50, 100});
}

TEST_CASE("Conv2D, BiasAdd and MaxPool in NCHW need no layout change") {
    GraphBuilder builder;
    builder.placeholder("x", {1, 1, 2, 2});
    builder.constant("w", f32({1, 1, 1, 2}, {1, 2}));
    set_string(conv_like(builder, "conv", "Conv2D", {"x", "w"}, {1, 1, 1, 1}, "VALID"),
               "data_format", "NCHW");
    builder.constant("b", f32({2}, {10, 20}));
    set_string(builder.node("biased", "BiasAdd", {"conv", "b"}), "data_format", "NCHW");
    auto& pool = conv_like(builder, "pool", "MaxPool", {"biased"}, {1, 1, 2, 2}, "VALID");
    set_ints(pool, "ksize", {1, 1, 2, 2});
    set_string(pool, "data_format", "NCHW");
    const auto outputs = run(builder, {iota_f32({1, 1, 2, 2})});
    // channels x + 10 and 2x + 20 over x = 0..3
    check_close(outputs[0], {1, 2, 1, 1}, {13, 26});
}

TEST_CASE("MaxPool and AvgPool SAME leave the padding out") {
    GraphBuilder builder;
    builder.placeholder("x", {1, 3, 3, 1});
    auto& max = conv_like(builder, "max", "MaxPool", {"x"}, {1, 2, 2, 1}, "SAME");
    set_ints(max, "ksize", {1, 2, 2, 1});
    auto& avg = conv_like(builder, "avg", "AvgPool", {"x"}, {1, 2, 2, 1}, "SAME");
    set_ints(avg, "ksize", {1, 2, 2, 1});
    const auto outputs = run(builder, {iota_f32({1, 3, 3, 1})});
    check_close(outputs[0], {1, 2, 2, 1}, {4, 5, 7, 8});
    check_close(outputs[1], {1, 2, 2, 1}, {2, 3.5f, 6.5f, 8});
}

TEST_CASE("_FusedConv2D applies BiasAdd then Relu6") {
    GraphBuilder builder;
    builder.placeholder("x", {1, 1, 2, 2});
    builder.constant("w", f32({1, 1, 2, 1}, {1, 1}));
    builder.constant("b", f32({1}, {0.5f}));
    auto& conv = conv_like(builder, "conv", "_FusedConv2D", {"x", "w", "b"}, {1, 1, 1, 1}, "VALID");
    set_strings(conv, "fused_ops", {"BiasAdd", "Relu6"});
    set_int(conv, "num_args", 1);
    const auto outputs = run(builder, {f32({1, 1, 2, 2}, {1, -2, 3, 4})});
    check_close(outputs[0], {1, 1, 2, 1}, {0, 6});
}

TEST_CASE("DepthwiseConv2dNative orders outputs channel by channel, then multiplier") {
    GraphBuilder builder;
    builder.placeholder("x", {1, 1, 1, 2});
    builder.constant("w", f32({1, 1, 2, 2}, {1, 10, 100, 1000}));
    conv_like(builder, "dw", "DepthwiseConv2dNative", {"x", "w"}, {1, 1, 1, 1}, "VALID");
    const auto outputs = run(builder, {f32({1, 1, 1, 2}, {2, 3})});
    check_close(outputs[0], {1, 1, 1, 4}, {2, 20, 300, 3000});
}

TEST_CASE("Conv2DBackpropInput SAME scatters into input_sizes with TF's forward padding") {
    GraphBuilder builder;
    builder.placeholder("dy", {1, 2, 2, 1});
    builder.constant("sizes", i32({4}, {1, 4, 4, 1}));
    builder.constant("w", f32({3, 3, 1, 1}, std::vector<float>(9, 1.0f)));
    conv_like(builder, "deconv", "Conv2DBackpropInput", {"sizes", "w", "dy"}, {1, 2, 2, 1}, "SAME");
    const auto outputs = run(builder, {f32({1, 2, 2, 1}, {1, 2, 3, 4})});
    check_close(outputs[0], {1, 4, 4, 1}, {1, 1, 3, 2, 1, 1, 3, 2, 4, 4, 10, 6, 3, 3, 7, 4});
}

TEST_CASE("FusedBatchNormV3 in inference mode, MatMul and BiasAdd") {
    GraphBuilder builder;
    builder.placeholder("x", {1, 1, 1, 2});
    builder.constant("scale", f32({2}, {2, 1}));
    builder.constant("offset", f32({2}, {0, 1}));
    builder.constant("mean", f32({2}, {1, 0}));
    builder.constant("variance", f32({2}, {3, 3}));
    auto& bn = builder.node("bn", "FusedBatchNormV3", {"x", "scale", "offset", "mean", "variance"});
    set_float(bn, "epsilon", 1.0f);
    set_bool(bn, "is_training", false);
    builder.node("y", "Identity", {"bn"});
    builder.placeholder("a", {1, 2});
    builder.constant("b", f32({3, 2}, {1, 0, 0, 1, 1, 1}));
    builder.constant("bias", f32({3}, {1, 1, 1}));
    auto& matmul = builder.node("matmul", "MatMul", {"a", "b"});
    set_bool(matmul, "transpose_b", true);
    builder.node("biased", "BiasAdd", {"matmul", "bias"});
    const auto outputs = run(builder, {f32({1, 1, 1, 2}, {1, 2}), f32({1, 2}, {1, 2})});
    check_close(outputs[0], {1, 1, 1, 2}, {0, 2});
    check_close(outputs[1], {1, 3}, {2, 3, 4});
}

TEST_CASE("StridedSlice masks: shrink, begin/end masks, ellipsis and new axis") {
    GraphBuilder builder;
    builder.placeholder("x", {2, 3, 4});
    builder.constant("b1", i32({3}, {1, 0, 0}));
    builder.constant("e1", i32({3}, {2, 0, 0}));
    builder.constant("s1", i32({3}, {1, 1, 2}));
    auto& first = builder.node("first", "StridedSlice", {"x", "b1", "e1", "s1"});
    set_int(first, "begin_mask", 0b110);
    set_int(first, "end_mask", 0b110);
    set_int(first, "shrink_axis_mask", 0b001);
    builder.constant("b2", i32({3}, {0, 0, 1}));
    builder.constant("e2", i32({3}, {0, 0, 2}));
    builder.constant("s2", i32({3}, {1, 1, 1}));
    auto& second = builder.node("second", "StridedSlice", {"x", "b2", "e2", "s2"});
    set_int(second, "ellipsis_mask", 0b001);
    set_int(second, "new_axis_mask", 0b010);
    set_int(second, "shrink_axis_mask", 0b100);
    const auto outputs = run(builder, {iota_f32({2, 3, 4})});
    check_close(outputs[0], {3, 2}, {12, 14, 16, 18, 20, 22});  // x[1, :, ::2]
    check_close(outputs[1], {2, 3, 1}, {1, 5, 9, 13, 17, 21});  // x[..., newaxis, 1]
}

TEST_CASE("Pack, Unpack, ConcatV2 and Mean") {
    GraphBuilder builder;
    builder.placeholder("a", {2});
    builder.placeholder("b", {2});
    set_int(builder.node("pack", "Pack", {"a", "b"}), "axis", 1);
    builder.placeholder("m", {2, 3});
    auto& unpack = builder.node("unpack", "Unpack", {"m"});
    set_int(unpack, "axis", 1);
    set_int(unpack, "num", 3);
    builder.node("second", "Identity", {"unpack:1"});
    builder.constant("axis", i32({}, {-1}));
    builder.node("concat", "ConcatV2", {"a", "b", "axis"});
    builder.constant("axes", i32({1}, {1}));
    set_bool(builder.node("mean", "Mean", {"m", "axes"}), "keep_dims", true);
    const auto outputs = run(builder, {f32({2}, {1, 2}), f32({2}, {3, 4}), iota_f32({2, 3})});
    // the loose ends, in graph order (unpack is read by second)
    REQUIRE(outputs.size() == 4);
    check_close(outputs[0], {2, 2}, {1, 3, 2, 4});
    check_close(outputs[1], {2}, {1, 4});
    check_close(outputs[2], {4}, {1, 2, 3, 4});
    check_close(outputs[3], {2, 1}, {1, 4});
}

TEST_CASE("ResizeBilinear and ResizeNearestNeighbor follow TF's coordinate modes") {
    GraphBuilder builder;
    builder.placeholder("x", {1, 2, 2, 1});
    builder.constant("size", i32({2}, {4, 4}));
    set_bool(builder.node("half", "ResizeBilinear", {"x", "size"}), "half_pixel_centers", true);
    builder.node("asym", "ResizeBilinear", {"x", "size"});
    builder.node("nearest", "ResizeNearestNeighbor", {"x", "size"});
    const auto outputs = run(builder, {f32({1, 2, 2, 1}, {0, 1, 2, 3})});
    // the input is 2 * row + col, so every output is 2 * R + C at the sampled coordinates
    auto grid = [](std::vector<float> coordinates) {
        std::vector<float> values;
        for (float r : coordinates)
            for (float c : coordinates)
                values.push_back(2 * r + c);
        return values;
    };
    check_close(outputs[0], {1, 4, 4, 1}, grid({0, 0.25f, 0.75f, 1}));
    check_close(outputs[1], {1, 4, 4, 1}, grid({0, 0.5f, 1, 1}));
    check_close(outputs[2], {1, 4, 4, 1}, grid({0, 0, 1, 1}));
}

TEST_CASE("TopKV2 keeps ties in index order, ArgMax takes the first maximum") {
    GraphBuilder builder;
    builder.placeholder("x", {2, 4});
    builder.constant("k", i32({}, {2}));
    builder.node("top", "TopKV2", {"x", "k"});
    builder.constant("axis", i32({}, {1}));
    builder.node("arg", "ArgMax", {"x", "axis"});
    const auto outputs = run(builder, {f32({2, 4}, {1, 3, 3, 0, 5, 2, 7, 7})});
    check_close(outputs[0], {2, 2}, {3, 3, 7, 7});
    check_equal(outputs[1], {2, 2}, {1, 2, 2, 3});
    check_equal(outputs[2], {2}, {1, 2});
}

TEST_CASE("Shape subgraphs fold while translating, so Reshape gets a static target") {
    GraphBuilder builder;
    builder.placeholder("x", {2, 3, 4});
    builder.node("shape", "Shape", {"x"});
    builder.constant("begin", i32({1}, {0}));
    builder.constant("end", i32({1}, {1}));
    builder.constant("stride", i32({1}, {1}));
    set_int(builder.node("batch", "StridedSlice", {"shape", "begin", "end", "stride"}),
            "shrink_axis_mask", 1);
    builder.constant("minus_one", i32({}, {-1}));
    builder.node("target", "Pack", {"batch", "minus_one"});
    builder.node("flat", "Reshape", {"x", "target"});
    const graph::Model model = convert(builder);
    const graph::Node* result = model.results().at(0);
    CHECK(result->input_type(0).shape == PartialShape({2, 12}));
    const auto outputs = run_reference(convert(builder), {iota_f32({2, 3, 4})});
    CHECK(outputs[0].shape() == Shape{2, 12});
}

TEST_CASE("GraphDef bad input: truncated protobuf") {
    GraphBuilder builder;
    builder.placeholder("x", {1, 2});
    builder.node("y", "Relu", {"x"});
    const auto path = temp_dir("tf-graph") / "model.pb";
    const std::string bytes = builder.graph().SerializeAsString();
    write_file(path, bytes.substr(0, bytes.size() - 5));
    CHECK_THROWS_WITH_AS(frontends::read_tf_frozen_graph(path),
                         doctest::Contains("not a valid GraphDef"), Error);
    CHECK_THROWS_WITH_AS(frontends::read_tf_frozen_graph(path.parent_path() / "none.pb"),
                         doctest::Contains("cannot open"), Error);
}

TEST_CASE("GraphDef bad input: dangling input names and output indices") {
    GraphBuilder dangling;
    dangling.placeholder("x", {1, 2});
    dangling.node("y", "Add", {"x", "missing:0"});
    CHECK(error_of(dangling).find("node 'y' (Add): input 'missing:0' names no node") !=
          std::string::npos);

    GraphBuilder index;
    index.placeholder("x", {1, 2});
    index.node("y", "Relu", {"x:3"});
    CHECK(error_of(index).find("names output 3 of a node with 1") != std::string::npos);
}

TEST_CASE("GraphDef bad input: every unsupported op is listed with its count and first node") {
    GraphBuilder builder;
    builder.placeholder("x", {1, 2});
    builder.node("a0", "Frobnicate", {"x"});
    builder.node("a1", "Frobnicate", {"a0"});
    builder.node("b0", "Twiddle", {"a1"});
    builder.node("out", "Relu", {"b0"});
    builder.node("unused", "Unused", {"x"});  // a loose end: an output too
    const std::string message = error_of(builder);
    CHECK(message.find("3 unsupported op type(s)") != std::string::npos);
    CHECK(message.find("Frobnicate: 2 (first: a0)") != std::string::npos);
    CHECK(message.find("Twiddle: 1 (first: b0)") != std::string::npos);
    CHECK(message.find("Unused: 1 (first: unused)") != std::string::npos);
}

TEST_CASE("GraphDef bad input: a cycle, a missing attribute, a bad padding") {
    GraphBuilder cycle;
    cycle.placeholder("x", {1});
    cycle.node("a", "Add", {"x", "b"});
    cycle.node("b", "Relu", {"a"});
    cycle.node("out", "Relu", {"b"});
    CHECK(error_of(cycle).find("depends on itself outside a loop") != std::string::npos);

    GraphBuilder padding;
    padding.placeholder("x", {1, 4, 4, 1});
    padding.constant("w", f32({1, 1, 1, 1}, {1}));
    conv_like(padding, "conv", "Conv2D", {"x", "w"}, {1, 1, 1, 1}, "CIRCULAR");
    CHECK(error_of(padding).find("node 'conv' (Conv2D): attribute 'padding' is 'CIRCULAR'") !=
          std::string::npos);

    GraphBuilder unknown_type;
    auto& x = unknown_type.node("x", "Placeholder");
    set_type(x, "dtype", tensorflow::DT_STRING);
    unknown_type.node("y", "Identity", {"x"});
    CHECK(error_of(unknown_type).find("no supported element type") != std::string::npos);
}
