// ONNX shape translators (Reshape … NonZero), each converted from a small ONNX model built here
// and run on REF against hand-computed outputs.
#include "tests/conformance/onnx_test_model.h"
#include "tests/support/op_testing.h"

#include <doctest/doctest.h>

#include <numeric>

using namespace es;
using namespace es::testing;

TEST_CASE("Reshape: 0 copies the input dimension unless allowzero") {
    onnx::NodeProto* node = nullptr;
    auto model = unary_model(14, "Reshape", {2, 3, 4}, &node, {{"shape", i64({2}, {0, -1})}});
    auto outputs = model.run({iota_f32({2, 3, 4})});
    CHECK(outputs[0].shape() == Shape{2, 12});

    auto zero = unary_model(14, "Reshape", {0, 3}, &node, {{"shape", i64({2}, {3, 0})}});
    set_int(*node, "allowzero", 1);
    CHECK(zero.run({Tensor(ElementType::f32, {0, 3})})[0].shape() == Shape{3, 0});
}

TEST_CASE("Flatten: positive, negative and zero axes, static and dynamic shapes") {
    onnx::NodeProto* node = nullptr;
    auto model = unary_model(13, "Flatten", {2, 3, 4}, &node);
    set_int(*node, "axis", -1);
    std::vector<float> values(24);
    std::iota(values.begin(), values.end(), 0.0f);
    check_close(model.run({iota_f32({2, 3, 4})})[0], {6, 4}, values);

    auto first = unary_model(13, "Flatten", {2, 3, 4}, &node);
    set_int(*node, "axis", 0);
    CHECK(first.run({iota_f32({2, 3, 4})})[0].shape() == Shape{1, 24});

    auto dynamic = unary_model(13, "Flatten", {-1, 3, -1}, &node);
    CHECK(dynamic.run({iota_f32({2, 3, 5})})[0].shape() == Shape{2, 15});
    set_int(*node, "axis", 2);
    CHECK(dynamic.run({iota_f32({2, 3, 5})})[0].shape() == Shape{6, 5});

    // Sizes come from the runtime shape: the converted model can take another input shape.
    auto reshaped = unary_model(13, "Flatten", {2, 3, 4}, &node);
    set_int(*node, "axis", 2);
    CHECK(reshaped.run({iota_f32({3, 3, 4})}, {{"x", PartialShape{3, 3, 4}}})[0].shape() ==
          Shape{9, 4});

    auto bad = unary_model(13, "Flatten", {2, 3}, &node);
    set_int(*node, "axis", 3);
    CHECK_THROWS_AS(bad.convert(), es::Error);
}

TEST_CASE("Transpose: without perm the dimensions reverse") {
    onnx::NodeProto* node = nullptr;
    auto model = unary_model(13, "Transpose", {2, 3}, &node);
    check_close(model.run({iota_f32({2, 3})})[0], {3, 2}, {0, 3, 1, 4, 2, 5});
    auto permuted = unary_model(13, "Transpose", {1, 2, 3}, &node);
    set_ints(*node, "perm", {2, 0, 1});
    check_close(permuted.run({iota_f32({1, 2, 3})})[0], {3, 1, 2}, {0, 3, 1, 4, 2, 5});
}

TEST_CASE("Squeeze and Unsqueeze: axes attribute before opset 13, input from 13") {
    onnx::NodeProto* node = nullptr;
    auto squeeze11 = unary_model(11, "Squeeze", {1, 3, 1}, &node);
    set_ints(*node, "axes", {-1});
    CHECK(squeeze11.run({iota_f32({1, 3, 1})})[0].shape() == Shape{1, 3});
    auto squeeze_all = unary_model(11, "Squeeze", {1, 3, 1}, &node);
    CHECK(squeeze_all.run({iota_f32({1, 3, 1})})[0].shape() == Shape{3});
    auto squeeze13 = unary_model(13, "Squeeze", {1, 3, 1}, &node, {{"axes", i64({1}, {0})}});
    CHECK(squeeze13.run({iota_f32({1, 3, 1})})[0].shape() == Shape{3, 1});

    auto unsqueeze11 = unary_model(11, "Unsqueeze", {3}, &node);
    set_ints(*node, "axes", {0, -1});
    CHECK(unsqueeze11.run({iota_f32({3})})[0].shape() == Shape{1, 3, 1});
    auto unsqueeze13 = unary_model(13, "Unsqueeze", {3}, &node, {{"axes", i64({1}, {1})}});
    CHECK(unsqueeze13.run({iota_f32({3})})[0].shape() == Shape{3, 1});
    auto missing = unary_model(13, "Unsqueeze", {3}, &node);
    CHECK_THROWS_AS(missing.convert(), es::Error);
}

TEST_CASE("Concat: negative axis") {
    OnnxModel model(13);
    model.input("a", ElementType::f32, {2, 1}).input("b", ElementType::f32, {2, 2});
    set_int(model.node("Concat", {"a", "b"}, {"y"}), "axis", -1);
    model.output("y");
    check_close(model.run({f32({2, 1}, {0, 1}), f32({2, 2}, {2, 3, 4, 5})})[0], {2, 3},
                {0, 2, 3, 1, 4, 5});
}

TEST_CASE("Split: attribute, input, num_outputs with an uneven last part") {
    OnnxModel by_attribute(11);
    by_attribute.input("x", ElementType::f32, {6});
    set_ints(by_attribute.node("Split", {"x"}, {"a", "b"}), "split", {2, 4});
    by_attribute.output("a").output("b");
    auto outputs = by_attribute.run({iota_f32({6})});
    check_close(outputs[0], {2}, {0, 1});
    check_close(outputs[1], {4}, {2, 3, 4, 5});

    OnnxModel by_input(13);
    by_input.input("x", ElementType::f32, {2, 3}).initializer("split", i64({2}, {1, 2}));
    set_int(by_input.node("Split", {"x", "split"}, {"a", "b"}), "axis", -1);
    by_input.output("a").output("b");
    outputs = by_input.run({iota_f32({2, 3})});
    check_close(outputs[0], {2, 1}, {0, 3});
    check_close(outputs[1], {2, 2}, {1, 2, 4, 5});

    OnnxModel uneven(18);
    uneven.input("x", ElementType::f32, {7});
    set_int(uneven.node("Split", {"x"}, {"a", "b", "c"}), "num_outputs", 3);
    uneven.output("a").output("b").output("c");
    outputs = uneven.run({iota_f32({7})});
    check_close(outputs[0], {3}, {0, 1, 2});
    check_close(outputs[1], {3}, {3, 4, 5});
    check_close(outputs[2], {1}, {6});

    OnnxModel equal(13);
    equal.input("x", ElementType::f32, {4});
    equal.node("Split", {"x"}, {"a", "b"});
    equal.output("a").output("b");
    check_close(equal.run({iota_f32({4})})[1], {2}, {2, 3});
}

TEST_CASE("Shape: start and end clamp like Slice, dynamic dimensions come from ShapeOf") {
    onnx::NodeProto* node = nullptr;
    auto model = unary_model(15, "Shape", {2, 3, 4}, &node);
    set_int(*node, "start", -2);
    check_equal(model.run({iota_f32({2, 3, 4})})[0], {2}, {3, 4});

    auto dynamic = unary_model(15, "Shape", {-1, 3, 4}, &node);
    set_int(*node, "end", -1);
    check_equal(dynamic.run({iota_f32({5, 3, 4})})[0], {2}, {5, 3});

    auto reshaped = unary_model(15, "Shape", {2, 3}, &node);
    check_equal(reshaped.run({iota_f32({4, 5})}, {{"x", PartialShape{4, 5}}})[0], {2}, {4, 5});

    auto empty = unary_model(15, "Shape", {2, 3}, &node);
    set_int(*node, "start", 5);
    check_equal(empty.run({iota_f32({2, 3})})[0], {0}, {});
}

TEST_CASE("Size: a scalar element count") {
    onnx::NodeProto* node = nullptr;
    auto model = unary_model(13, "Size", {-1, 3}, &node);
    check_equal(model.run({iota_f32({4, 3})})[0], {}, {12});
}

TEST_CASE("Reshape to a runtime shape, NonZero") {
    OnnxModel chain(13);
    chain.input("x", ElementType::f32, {-1, 6}).input("like", ElementType::f32, {-1, -1});
    chain.node("Shape", {"like"}, {"shape"});
    chain.node("Reshape", {"x", "shape"}, {"y"});
    chain.output("y");
    check_close(chain.run({iota_f32({1, 6}), iota_f32({3, 2})})[0], {3, 2}, {0, 1, 2, 3, 4, 5});

    onnx::NodeProto* node = nullptr;
    auto non_zero = unary_model(13, "NonZero", {2, 2}, &node);
    check_equal(non_zero.run({f32({2, 2}, {1, 0, 0, 2})})[0], {2, 2}, {0, 1, 0, 1});
}

TEST_CASE("ConstantOfShape, Expand, Tile, Range") {
    OnnxModel constant(13);
    constant.input("shape", ElementType::i64, {2});
    set_tensor(constant.node("ConstantOfShape", {"shape"}, {"y"}), "value", i64({1}, {7}));
    constant.output("y");
    check_equal(constant.run({i64({2}, {2, 2})})[0], {2, 2}, {7, 7, 7, 7});

    onnx::NodeProto* node = nullptr;
    auto expand = unary_model(13, "Expand", {3, 1}, &node, {{"shape", i64({3}, {2, 1, 2})}});
    check_close(expand.run({f32({3, 1}, {1, 2, 3})})[0], {2, 3, 2},
                {1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3});

    auto tile = unary_model(13, "Tile", {2}, &node, {{"repeats", i64({1}, {2})}});
    check_close(tile.run({f32({2}, {1, 2})})[0], {4}, {1, 2, 1, 2});

    OnnxModel range(13);
    range.input("start", ElementType::f32, {}).input("limit", ElementType::f32, {});
    range.initializer("delta", f32({}, {-1.5f}));
    range.node("Range", {"start", "limit", "delta"}, {"y"});
    range.output("y");
    check_close(range.run({f32({}, {3}), f32({}, {0})})[0], {2}, {3, 1.5f});
}
