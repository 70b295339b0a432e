#include "inference/graph/shape_inference.h"
#include "tests/support/op_testing.h"

using namespace es;
using namespace es::testing;
using graph::PortType;

namespace {

PortType port(ElementType type, PartialShape shape) {
    return {type, std::move(shape)};
}

const PartialShape k_scalar(std::vector<int64_t>{});

}  // namespace

TEST_CASE("Reshape copies dimensions with 0 and infers -1") {
    const Tensor data = iota_f32({2, 3, 4});
    std::vector<graph::PortType> inferred;
    auto flat = run_op("Reshape", "opset1", {data, i64({2}, {0, -1})}, {{"special_zero", "true"}},
                       &inferred);
    REQUIRE(inferred[0].shape == PartialShape{2, 12});
    std::vector<float> expected(24);
    for (size_t i = 0; i < expected.size(); ++i)
        expected[i] = static_cast<float>(i);
    check_close(flat[0], {2, 12}, expected);

    check_close(run_op("Reshape", "opset1", {data, i64({1}, {-1})})[0], {24}, expected);
    check_close(
        run_op("Reshape", "opset1", {data, i32({3}, {4, 0, 2})}, {{"special_zero", "true"}})[0],
        {4, 3, 2}, expected);
    check_close(
        run_op("Reshape", "opset1", {data, i64({3}, {-1, 2, 0})}, {{"special_zero", "true"}})[0],
        {3, 2, 4}, expected);
}

TEST_CASE("Reshape without special_zero reads 0 as an empty dimension") {
    auto empty = run_op("Reshape", "opset1", {f32({0, 3}, {}), i64({2}, {3, 0})},
                        {{"special_zero", "false"}});
    CHECK(empty[0].shape() == Shape{3, 0});
    auto inferred = run_op("Reshape", "opset1", {f32({0, 3}, {}), i64({2}, {0, -1})},
                           {{"special_zero", "false"}});
    CHECK(inferred[0].shape() == Shape{0, 0});
    CHECK_THROWS_AS(run_op("Reshape", "opset1", {iota_f32({2, 3}), i64({2}, {0, 6})},
                           {{"special_zero", "false"}}),
                    es::Error);
}

TEST_CASE("Reshape moves every element type") {
    auto integers = run_op("Reshape", "opset1", {i32({2, 2}, {1, -2, 3, -4}), i64({1}, {4})});
    REQUIRE(integers[0].type() == ElementType::i32);
    check_equal(integers[0], {4}, {1, -2, 3, -4});
    auto flags = run_op("Reshape", "opset1",
                        {make_tensor<bool>({4}, {true, false, false, true}), i64({2}, {2, 2})});
    REQUIRE(flags[0].type() == ElementType::boolean);
    check_equal(flags[0], {2, 2}, {1, 0, 0, 1});
    auto bytes =
        run_op("Reshape", "opset1", {make_tensor<int8_t>({3}, {-1, 2, -3}), i64({2}, {3, 1})});
    check_equal(bytes[0], {3, 1}, {-1, 2, -3});
}

TEST_CASE("Reshape infers shapes from known and unknown target values") {
    const auto data = port(ElementType::f32, {-1, 3, 4});
    const auto target = port(ElementType::i64, {2});
    CHECK(infer_op("Reshape", "opset1", {data, target})[0].shape == PartialShape{-1, -1});
    CHECK(infer_op("Reshape", "opset1", {data, target}, {{"special_zero", "true"}},
                   {Tensor(), i64({2}, {0, -1})})[0]
              .shape == PartialShape{-1, 12});
    CHECK(
        infer_op("Reshape", "opset1", {data, target}, {}, {Tensor(), i64({2}, {-1, 6})})[0].shape ==
        PartialShape{-1, 6});
    CHECK(infer_op("Reshape", "opset1",
                   {port(ElementType::f32, PartialShape::dynamic_rank()), target}, {},
                   {Tensor(), i64({2}, {5, 2})})[0]
              .shape == PartialShape{5, 2});
    CHECK(infer_op("Reshape", "opset1", {port(ElementType::f32, k_scalar), target}, {},
                   {Tensor(), i64({2}, {1, -1})})[0]
              .shape == PartialShape{1, 1});
    CHECK(infer_op("Reshape", "opset1", {data, port(ElementType::i64, {-1})})[0].shape ==
          PartialShape::dynamic_rank());
    CHECK(infer_op("Reshape", "opset1", {port(ElementType::f32, {4, 6}), target}, {},
                   {Tensor(), i64({2}, {-1, 8})})[0]
              .shape == PartialShape{3, 8});
}

TEST_CASE("Reshape rejects bad target shapes") {
    const Tensor data = iota_f32({2, 3});
    CHECK_THROWS_AS(run_op("Reshape", "opset1", {data, i64({1}, {4})}), es::Error);
    CHECK_THROWS_AS(run_op("Reshape", "opset1", {data, i64({2}, {-1, -1})}), es::Error);
    CHECK_THROWS_AS(run_op("Reshape", "opset1", {data, i64({2}, {-2, -3})}), es::Error);
    CHECK_THROWS_AS(run_op("Reshape", "opset1", {data, i64({2}, {-1, 4})}), es::Error);
    CHECK_THROWS_AS(
        run_op("Reshape", "opset1", {data, i64({3}, {1, 6, 0})}, {{"special_zero", "true"}}),
        es::Error);
    CHECK_THROWS_AS(run_op("Reshape", "opset1", {data, f32({2}, {3, 2})}), es::Error);
    CHECK_THROWS_AS(run_op("Reshape", "opset1", {data, i64({1, 2}, {3, 2})}), es::Error);
}

TEST_CASE("ShapeOf returns the dimensions as i64, or as output_type in v3") {
    auto dims = run_op("ShapeOf", "opset1", {iota_f32({2, 3, 4})});
    REQUIRE(dims[0].type() == ElementType::i64);
    check_equal(dims[0], {3}, {2, 3, 4});
    auto narrow = run_op("ShapeOf", "opset3", {make_tensor<bool>({1, 2}, {true, false})},
                         {{"output_type", "i32"}});
    REQUIRE(narrow[0].type() == ElementType::i32);
    check_equal(narrow[0], {2}, {1, 2});
    check_equal(run_op("ShapeOf", "opset3", {f32({}, {1})})[0], {0}, {});
    CHECK_THROWS_AS(run_op("ShapeOf", "opset3", {iota_f32({2})}, {{"output_type", "f32"}}),
                    es::Error);
}

TEST_CASE("ShapeOf infers a 1-D shape from the input rank") {
    CHECK(infer_op("ShapeOf", "opset1", {port(ElementType::f32, {-1, 3})})[0] ==
          port(ElementType::i64, {2}));
    CHECK(infer_op("ShapeOf", "opset3", {port(ElementType::f32, PartialShape::dynamic_rank())},
                   {{"output_type", "i32"}})[0] == port(ElementType::i32, {-1}));
}

TEST_CASE("ShapeOf chains fold so that Reshape gets a static shape") {
    // data [2,3,4] -> Reshape(data, Concat(Gather(ShapeOf(data), [0]), [-1])) = [2, 12]
    graph::Model model;
    auto data = model.add_parameter("data", ElementType::f32, PartialShape{2, 3, 4});
    auto& shape = model.add_op("ShapeOf", "opset3", {data}, {{"output_type", "i32"}});
    auto& batch = model.add_op(
        "Gather", "opset8",
        {shape.output(), model.add_constant(i32({1}, {0})), model.add_constant(i64({}, {0}))});
    auto& target = model.add_op(
        "Concat", "opset1", {batch.output(), model.add_constant(i32({1}, {-1}))}, {{"axis", "0"}});
    auto& reshape =
        model.add_op("Reshape", "opset1", {data, target.output()}, {{"special_zero", "false"}});
    model.add_result(reshape.output());
    graph::infer_shapes(model);
    CHECK(reshape.outputs[0].type.shape == PartialShape{2, 12});
}

TEST_CASE("Squeeze without axes removes every dimension of size 1") {
    auto squeezed = run_op("Squeeze", "opset1", {iota_f32({1, 3, 1, 2})});
    check_close(squeezed[0], {3, 2}, {0, 1, 2, 3, 4, 5});
    check_close(run_op("Squeeze", "opset1", {iota_f32({1, 1})})[0], {}, {0});
    check_close(run_op("Squeeze", "opset1", {iota_f32({1, 3, 1, 2}), i64({0}, {})})[0], {3, 2},
                {0, 1, 2, 3, 4, 5});
}

TEST_CASE("Squeeze with axes, negative and repeated") {
    const Tensor data = iota_f32({1, 3, 1, 2});
    check_close(run_op("Squeeze", "opset1", {data, i64({1}, {-2})})[0], {1, 3, 2},
                {0, 1, 2, 3, 4, 5});
    check_close(run_op("Squeeze", "opset1", {data, i32({}, {0})})[0], {3, 1, 2},
                {0, 1, 2, 3, 4, 5});
    check_close(run_op("Squeeze", "opset1", {data, i64({3}, {0, 2, -4})})[0], {3, 2},
                {0, 1, 2, 3, 4, 5});
    check_equal(run_op("Squeeze", "opset1", {i64({1, 2}, {7, 8}), i64({1}, {0})})[0], {2}, {7, 8});
}

TEST_CASE("Squeeze rejects axes that are not of size 1 or out of range") {
    const Tensor data = iota_f32({1, 3, 1, 2});
    CHECK_THROWS_AS(run_op("Squeeze", "opset1", {data, i64({1}, {1})}), es::Error);
    CHECK_THROWS_AS(run_op("Squeeze", "opset1", {data, i64({1}, {4})}), es::Error);
    CHECK_THROWS_AS(run_op("Squeeze", "opset1", {data, i64({1}, {-5})}), es::Error);
    CHECK_THROWS_AS(run_op("Squeeze", "opset1", {data, f32({1}, {0})}), es::Error);
}

TEST_CASE("Squeeze infers dynamic shapes") {
    const auto data = port(ElementType::f32, {-1, 1, 3});
    CHECK(infer_op("Squeeze", "opset1", {data})[0].shape == PartialShape::dynamic_rank());
    CHECK(infer_op("Squeeze", "opset1", {data, port(ElementType::i64, {1})}, {},
                   {Tensor(), i64({1}, {1})})[0]
              .shape == PartialShape{-1, 3});
    CHECK(infer_op("Squeeze", "opset1", {data, port(ElementType::i64, {1})}, {},
                   {Tensor(), i64({1}, {0})})[0]
              .shape == PartialShape{1, 3});
    CHECK(infer_op("Squeeze", "opset1", {data, port(ElementType::i64, {1})})[0].shape ==
          PartialShape::dynamic_rank());
}

TEST_CASE("Unsqueeze inserts several axes, counted in the output rank") {
    const Tensor data = iota_f32({2, 3});
    const std::vector<float> values{0, 1, 2, 3, 4, 5};
    check_close(run_op("Unsqueeze", "opset1", {data, i64({2}, {0, 3})})[0], {1, 2, 3, 1}, values);
    check_close(run_op("Unsqueeze", "opset1", {data, i64({2}, {3, 0})})[0], {1, 2, 3, 1}, values);
    check_close(run_op("Unsqueeze", "opset1", {data, i64({1}, {-1})})[0], {2, 3, 1}, values);
    check_close(run_op("Unsqueeze", "opset1", {data, i32({2}, {0, -1})})[0], {1, 2, 3, 1}, values);
    check_close(run_op("Unsqueeze", "opset1", {data, i64({}, {1})})[0], {2, 1, 3}, values);
    check_close(run_op("Unsqueeze", "opset1", {data, i64({2}, {1, 2})})[0], {2, 1, 1, 3}, values);
    check_equal(run_op("Unsqueeze", "opset1", {make_tensor<uint8_t>({}, {9}), i64({1}, {0})})[0],
                {1}, {9});
}

TEST_CASE("Unsqueeze rejects repeated or out-of-range axes") {
    const Tensor data = iota_f32({2, 3});
    CHECK_THROWS_AS(run_op("Unsqueeze", "opset1", {data, i64({2}, {1, 1})}), es::Error);
    CHECK_THROWS_AS(run_op("Unsqueeze", "opset1", {data, i64({2}, {0, -4})}), es::Error);
    CHECK_THROWS_AS(run_op("Unsqueeze", "opset1", {data, i64({1}, {3})}), es::Error);
}

TEST_CASE("Unsqueeze infers dynamic shapes") {
    const auto data = port(ElementType::f32, {-1, 3});
    CHECK(infer_op("Unsqueeze", "opset1", {data, port(ElementType::i64, {2})})[0].shape ==
          PartialShape::dynamic_of_rank(4));
    CHECK(infer_op("Unsqueeze", "opset1", {data, port(ElementType::i64, {2})}, {},
                   {Tensor(), i64({2}, {0, -1})})[0]
              .shape == PartialShape{1, -1, 3, 1});
    CHECK(infer_op("Unsqueeze", "opset1",
                   {port(ElementType::f32, PartialShape::dynamic_rank()),
                    port(ElementType::i64, {1})})[0]
              .shape == PartialShape::dynamic_rank());
}
