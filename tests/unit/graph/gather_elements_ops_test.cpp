#include "inference/core/error.h"
#include "tests/support/op_testing.h"

using namespace es;
using namespace es::testing;

TEST_CASE("GatherElements-6 follows the ONNX documentation's examples") {
    // Example 1: axis 1.
    auto outputs = run_op("GatherElements", "opset6",
                          {f32({2, 2}, {1, 2, 3, 4}), i64({2, 2}, {0, 0, 1, 0})}, {{"axis", "1"}});
    check_close(outputs[0], {2, 2}, {1, 1, 4, 3});
    // Example 2: axis 0, fewer index rows than data rows.
    outputs = run_op("GatherElements", "opset6",
                     {f32({3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}), i32({2, 3}, {1, 2, 0, 2, 0, 0})},
                     {{"axis", "0"}});
    check_close(outputs[0], {2, 3}, {4, 8, 3, 7, 2, 3});
}

TEST_CASE("GatherElements-6 with a negative axis, negative indices and integer data") {
    // data[i][j][k] = 100i + 10j + k; out[i][j][k] = data[i][j][indices[i][j][k]].
    const Tensor data = i64({2, 2, 3}, {0, 1, 2, 10, 11, 12, 100, 101, 102, 110, 111, 112});
    const auto outputs = run_op("GatherElements", "opset6", {data, i64({2, 2, 1}, {-1, 0, 1, -3})},
                                {{"axis", "-1"}});
    check_equal(outputs[0], {2, 2, 1}, {2, 10, 101, 110});
}

TEST_CASE("GatherElements-6 shape inference: the indices' shape, filled in from the data") {
    auto types = infer_op("GatherElements", "opset6",
                          {{ElementType::f32, PartialShape{k_dynamic, 3}},
                           {ElementType::i64, PartialShape{2, k_dynamic}}},
                          {{"axis", "0"}});
    CHECK(types[0].type == ElementType::f32);
    CHECK(types[0].shape == PartialShape{2, 3});
    types = infer_op("GatherElements", "opset6",
                     {{ElementType::f32, PartialShape::dynamic_rank()},
                      {ElementType::i32, PartialShape{4, k_dynamic}}},
                     {{"axis", "1"}});
    CHECK(types[0].shape == PartialShape{4, k_dynamic});
}

TEST_CASE("GatherElements-6 rejects bad inputs") {
    const graph::PortType data{ElementType::f32, PartialShape{2, 3}};
    CHECK_THROWS_AS(infer_op("GatherElements", "opset6",
                             {data, {ElementType::i64, PartialShape{2, 3, 1}}}, {{"axis", "0"}}),
                    es::Error);
    CHECK_THROWS_AS(infer_op("GatherElements", "opset6",
                             {data, {ElementType::i64, PartialShape{2, 4}}}, {{"axis", "0"}}),
                    es::Error);
    CHECK_THROWS_AS(infer_op("GatherElements", "opset6",
                             {data, {ElementType::i64, PartialShape{2, 3}}}, {{"axis", "2"}}),
                    es::Error);
    CHECK_THROWS_AS(infer_op("GatherElements", "opset6",
                             {data, {ElementType::f32, PartialShape{2, 3}}}, {{"axis", "0"}}),
                    es::Error);
    CHECK_THROWS_AS(
        run_op("GatherElements", "opset6", {f32({2}, {1, 2}), i64({1}, {2})}, {{"axis", "0"}}),
        es::Error);
    CHECK_THROWS_AS(
        run_op("GatherElements", "opset6", {f32({2}, {1, 2}), i64({1}, {-3})}, {{"axis", "0"}}),
        es::Error);
}
