#include "tests/support/op_testing.h"

#include <cstdint>

using namespace es;
using namespace es::testing;

namespace {

graph::PortType port(ElementType type, PartialShape shape) {
    return {type, std::move(shape)};
}

Tensor boolean(Shape shape, std::vector<int> values) {
    Tensor tensor(ElementType::boolean, std::move(shape));
    REQUIRE(tensor.size() == values.size());
    for (size_t i = 0; i < values.size(); ++i)
        tensor.data<bool>()[i] = values[i] != 0;
    return tensor;
}

// Checks that a unary op keeps a dynamic shape and the element type through inference.
void check_keeps_dynamic_shape(const std::string& type, const std::string& version) {
    auto out = infer_op(type, version, {port(ElementType::f32, {-1, 3, -1})});
    CHECK(out[0] == port(ElementType::f32, {-1, 3, -1}));
    auto rank = infer_op(type, version, {port(ElementType::f16, PartialShape::dynamic_rank())});
    CHECK(rank[0] == port(ElementType::f16, PartialShape::dynamic_rank()));
}

}  // namespace

TEST_CASE("ReLU zeroes negatives for floats and integers") {
    std::vector<graph::PortType> inferred;
    auto out = run_op("ReLU", "opset1", {f32({2, 2}, {-1, 0, 2.5f, -0.5f})}, {}, &inferred);
    check_close(out[0], {2, 2}, {0, 0, 2.5f, 0});
    CHECK(inferred[0] == port(ElementType::f32, {2, 2}));
    auto integers = run_op("ReLU", "opset1", {i32({2}, {-3, 4})});
    CHECK(integers[0].type() == ElementType::i32);
    check_equal(integers[0], {2}, {0, 4});
    check_equal(run_op("ReLU", "opset1", {i64({2}, {-3, 4})})[0], {2}, {0, 4});
    check_keeps_dynamic_shape("ReLU", "opset1");
    CHECK_THROWS_AS(run_op("ReLU", "opset1", {boolean({1}, {1})}), es::Error);
}

TEST_CASE("PReLU applies a 1-D slope along axis 1") {
    // data [1,2,2]: the slope [2] follows the channel axis, not the last one.
    auto out = run_op("PReLU", "opset1", {f32({1, 2, 2}, {-1, 2, -3, 4}), f32({2}, {0.1f, 0.5f})});
    check_close(out[0], {1, 2, 2}, {-0.1f, 2, -1.5f, 4});

    auto nchw = run_op("PReLU", "opset1",
                       {f32({1, 3, 1, 2}, {-1, 1, -2, 2, -4, 4}), f32({3}, {1, 0.5f, 0.25f})});
    check_close(nchw[0], {1, 3, 1, 2}, {-1, 1, -1, 2, -1, 4});
}

TEST_CASE("PReLU broadcasts other slopes NumPy-style") {
    // data [2,2,3] with slope [3]: axis 1 has 2 channels, so the slope follows the last axis.
    auto out =
        run_op("PReLU", "opset1",
               {f32({2, 2, 3}, {-1, -1, -1, 1, 1, 1, -2, -2, -2, 2, 2, 2}), f32({3}, {1, 2, 3})});
    check_close(out[0], {2, 2, 3}, {-1, -2, -3, 1, 1, 1, -2, -4, -6, 2, 2, 2});
    auto scalar = run_op("PReLU", "opset1", {f32({3}, {-2, 0, 2}), f32({1}, {0.25f})});
    check_close(scalar[0], {3}, {-0.5f, 0, 2});
    auto same =
        run_op("PReLU", "opset1", {f32({2, 2}, {-1, -1, -1, 1}), f32({2, 2}, {1, 2, 3, 4})});
    check_close(same[0], {2, 2}, {-1, -2, -3, 1});
}

TEST_CASE("PReLU rejects bad inputs and keeps dynamic shapes") {
    CHECK_THROWS_AS(
        run_op("PReLU", "opset1", {f32({1, 3, 2}, {1, 2, 3, 4, 5, 6}), f32({4}, {1, 2, 3, 4})}),
        es::Error);
    CHECK_THROWS_AS(run_op("PReLU", "opset1", {i32({2}, {-1, 1}), i32({1}, {2})}), es::Error);
    CHECK_THROWS_AS(run_op("PReLU", "opset1", {f32({2}, {-1, 1}), f32({1, 2}, {1, 2})}), es::Error);
    auto out = infer_op("PReLU", "opset1",
                        {port(ElementType::f32, {-1, -1, 8, 8}), port(ElementType::f32, {16})});
    CHECK(out[0] == port(ElementType::f32, {-1, -1, 8, 8}));
}

TEST_CASE("Clamp clips floats and integers") {
    check_close(
        run_op("Clamp", "opset1", {f32({3}, {-2, 0.5f, 3})}, {{"min", "0"}, {"max", "1"}})[0], {3},
        {0, 0.5f, 1});
    // Integer bounds round inwards: ceil(-1.5) = -1, floor(1.5) = 1.
    auto integers =
        run_op("Clamp", "opset1", {i32({5}, {-5, 0, 1, 2, 5})}, {{"min", "-1.5"}, {"max", "1.5"}});
    CHECK(integers[0].type() == ElementType::i32);
    check_equal(integers[0], {5}, {-1, 0, 1, 1, 1});
    check_equal(
        run_op("Clamp", "opset1", {i64({3}, {-5, 0, 100})}, {{"min", "-1e30"}, {"max", "1e30"}})[0],
        {3}, {-5, 0, 100});
    auto out = infer_op("Clamp", "opset1", {port(ElementType::f32, {-1, 4})},
                        {{"min", "0"}, {"max", "6"}});
    CHECK(out[0] == port(ElementType::f32, {-1, 4}));
}

TEST_CASE("Clamp rejects bad attributes") {
    CHECK_THROWS_AS(run_op("Clamp", "opset1", {f32({1}, {1})}, {{"min", "2"}, {"max", "1"}}),
                    es::Error);
    CHECK_THROWS_AS(run_op("Clamp", "opset1", {f32({1}, {1})}, {{"min", "0"}}), es::Error);
    CHECK_THROWS_AS(run_op("Clamp", "opset1", {f32({1}, {1})}, {{"min", "low"}, {"max", "1"}}),
                    es::Error);
}

TEST_CASE("Elu scales negative exponentials by alpha") {
    check_close(run_op("Elu", "opset1", {f32({3}, {-1, 0, 2})}, {{"alpha", "0.5"}})[0], {3},
                {-0.31606028f, 0, 2});
    check_close(run_op("Elu", "opset1", {f32({2}, {-1, 1})}, {{"alpha", "1"}})[0], {2},
                {-0.63212056f, 1});
    auto out = infer_op("Elu", "opset1", {port(ElementType::f32, {-1, 2})}, {{"alpha", "1"}});
    CHECK(out[0] == port(ElementType::f32, {-1, 2}));
    CHECK_THROWS_AS(run_op("Elu", "opset1", {i32({1}, {1})}, {{"alpha", "1"}}), es::Error);
    CHECK_THROWS_AS(run_op("Elu", "opset1", {f32({1}, {1})}), es::Error);
}

TEST_CASE("Sigmoid computes the logistic function") {
    check_close(run_op("Sigmoid", "opset1", {f32({3}, {0, 1, -1})})[0], {3},
                {0.5f, 0.73105858f, 0.26894142f});
    check_keeps_dynamic_shape("Sigmoid", "opset1");
    CHECK_THROWS_AS(run_op("Sigmoid", "opset1", {i32({1}, {1})}), es::Error);
}

TEST_CASE("Tanh computes the hyperbolic tangent, rounded for integers") {
    check_close(run_op("Tanh", "opset1", {f32({3}, {0, 1, -0.5f})})[0], {3},
                {0, 0.76159416f, -0.46211716f});
    check_equal(run_op("Tanh", "opset1", {i32({3}, {-2, 0, 3})})[0], {3}, {-1, 0, 1});
    check_keeps_dynamic_shape("Tanh", "opset1");
    CHECK_THROWS_AS(run_op("Tanh", "opset1", {boolean({1}, {0})}), es::Error);
}

TEST_CASE("Swish multiplies by the sigmoid of beta * x") {
    check_close(run_op("Swish", "opset4", {f32({3}, {-1, 0, 2})})[0], {3},
                {-0.26894142f, 0, 1.76159416f});
    check_close(run_op("Swish", "opset4", {f32({3}, {-1, 0, 2}), f32({}, {2})})[0], {3},
                {-0.11920292f, 0, 1.96402758f});
    check_close(run_op("Swish", "opset4", {f32({1}, {2}), f32({1}, {2})})[0], {1}, {1.96402758f});
    check_keeps_dynamic_shape("Swish", "opset4");
}

TEST_CASE("Swish rejects a non-scalar or mistyped beta") {
    CHECK_THROWS_AS(run_op("Swish", "opset4", {f32({2}, {1, 2}), f32({2}, {1, 2})}), es::Error);
    CHECK_THROWS_AS(run_op("Swish", "opset4", {f32({2}, {1, 2}), i32({}, {1})}), es::Error);
    CHECK_THROWS_AS(run_op("Swish", "opset4", {i32({2}, {1, 2})}), es::Error);
    CHECK_THROWS_AS(run_op("Swish", "opset1", {f32({2}, {1, 2})}), es::Error);
}

TEST_CASE("HSwish and HSigmoid follow the hard piecewise-linear curves") {
    const Tensor x = f32({5}, {-4, -1, 0, 1, 4});
    check_close(run_op("HSwish", "opset4", {x})[0], {5}, {0, -0.33333333f, 0, 0.66666667f, 4});
    check_close(run_op("HSigmoid", "opset5", {x})[0], {5}, {0, 0.33333333f, 0.5f, 0.66666667f, 1});
    check_keeps_dynamic_shape("HSwish", "opset4");
    check_keeps_dynamic_shape("HSigmoid", "opset5");
    CHECK_THROWS_AS(run_op("HSwish", "opset4", {i32({1}, {1})}), es::Error);
    CHECK_THROWS_AS(run_op("HSigmoid", "opset5", {i64({1}, {1})}), es::Error);
}

TEST_CASE("Exp and Log are inverse on floats") {
    check_close(run_op("Exp", "opset1", {f32({3}, {0, 1, -1})})[0], {3},
                {1, 2.71828183f, 0.36787944f});
    check_close(run_op("Log", "opset1", {f32({3}, {1, 2.71828183f, 10})})[0], {3},
                {0, 1, 2.30258509f});
    check_keeps_dynamic_shape("Exp", "opset1");
    check_keeps_dynamic_shape("Log", "opset1");
    CHECK_THROWS_AS(run_op("Exp", "opset1", {i32({1}, {1})}), es::Error);
    CHECK_THROWS_AS(run_op("Log", "opset1", {i64({1}, {1})}), es::Error);
}

TEST_CASE("Sqrt takes roots, rounding integer results") {
    check_close(run_op("Sqrt", "opset1", {f32({3}, {4, 2, 0})})[0], {3}, {2, 1.41421356f, 0});
    // The Sqrt-1 specification's integer example.
    check_equal(run_op("Sqrt", "opset1", {i32({4}, {4, 7, 9, 10})})[0], {4}, {2, 3, 3, 3});
    check_keeps_dynamic_shape("Sqrt", "opset1");
    CHECK_THROWS_AS(run_op("Sqrt", "opset1", {i32({1}, {-4})}), es::Error);
    CHECK_THROWS_AS(run_op("Sqrt", "opset1", {boolean({1}, {1})}), es::Error);
}

TEST_CASE("Floor and Ceiling round floats and keep integers") {
    const Tensor x = f32({4}, {1.5f, -1.5f, 2, -0.25f});
    check_close(run_op("Floor", "opset1", {x})[0], {4}, {1, -2, 2, -1});
    check_close(run_op("Ceiling", "opset1", {x})[0], {4}, {2, -1, 2, 0});
    check_equal(run_op("Floor", "opset1", {i64({2}, {-3, 3})})[0], {2}, {-3, 3});
    check_equal(run_op("Ceiling", "opset1", {i32({2}, {-3, 3})})[0], {2}, {-3, 3});
    check_keeps_dynamic_shape("Floor", "opset1");
    check_keeps_dynamic_shape("Ceiling", "opset1");
    CHECK_THROWS_AS(run_op("Floor", "opset1", {boolean({1}, {1})}), es::Error);
    CHECK_THROWS_AS(run_op("Ceiling", "opset1", {boolean({1}, {1})}), es::Error);
}

TEST_CASE("Abs and Negative work on floats and integers") {
    check_close(run_op("Abs", "opset1", {f32({3}, {-1.5f, 2, 0})})[0], {3}, {1.5f, 2, 0});
    check_equal(run_op("Abs", "opset1", {i32({2}, {-3, 3})})[0], {2}, {3, 3});
    check_equal(run_op("Abs", "opset1", {i64({2}, {-7, 0})})[0], {2}, {7, 0});
    check_close(run_op("Negative", "opset1", {f32({2}, {1.5f, -2})})[0], {2}, {-1.5f, 2});
    check_equal(run_op("Negative", "opset1", {i32({2}, {-3, 3})})[0], {2}, {3, -3});
    check_equal(run_op("Negative", "opset1", {make_tensor<int8_t>({2}, {5, -128})})[0], {2},
                {-5, -128});
    check_keeps_dynamic_shape("Abs", "opset1");
    check_keeps_dynamic_shape("Negative", "opset1");
    CHECK_THROWS_AS(run_op("Abs", "opset1", {boolean({1}, {1})}), es::Error);
    CHECK_THROWS_AS(run_op("Negative", "opset1", {boolean({1}, {1})}), es::Error);
}

TEST_CASE("Sign maps to -1, 0 or 1") {
    check_close(run_op("Sign", "opset1", {f32({3}, {-2, 0, 3.5f})})[0], {3}, {-1, 0, 1});
    check_equal(run_op("Sign", "opset1", {i32({3}, {-5, 0, 7})})[0], {3}, {-1, 0, 1});
    check_keeps_dynamic_shape("Sign", "opset1");
    CHECK_THROWS_AS(run_op("Sign", "opset1", {boolean({1}, {1})}), es::Error);
}

TEST_CASE("Erf computes the Gauss error function") {
    check_close(run_op("Erf", "opset1", {f32({3}, {0, 1, -0.5f})})[0], {3},
                {0, 0.84270079f, -0.52049988f});
    check_keeps_dynamic_shape("Erf", "opset1");
    CHECK_THROWS_AS(run_op("Erf", "opset1", {i32({1}, {1})}), es::Error);
}

TEST_CASE("SoftPlus computes log(1 + e^x), linear for large x") {
    check_close(run_op("SoftPlus", "opset4", {f32({4}, {0, 1, -1, 30})})[0], {4},
                {0.69314718f, 1.31326169f, 0.31326169f, 30});
    check_keeps_dynamic_shape("SoftPlus", "opset4");
    CHECK_THROWS_AS(run_op("SoftPlus", "opset4", {i32({1}, {1})}), es::Error);
}

TEST_CASE("Gelu uses erf in opset2 and by default in opset7") {
    const Tensor x = f32({3}, {1, -1, 2});
    const std::vector<float> erf_values = {0.84134475f, -0.15865525f, 1.95449974f};
    check_close(run_op("Gelu", "opset2", {x})[0], {3}, erf_values);
    check_close(run_op("Gelu", "opset7", {x})[0], {3}, erf_values);
    check_close(run_op("Gelu", "opset7", {x}, {{"approximation_mode", "erf"}})[0], {3}, erf_values);
}

TEST_CASE("Gelu opset7 tanh approximation") {
    const Tensor x = f32({3}, {1, -1, 2});
    check_close(run_op("Gelu", "opset7", {x}, {{"approximation_mode", "tanh"}})[0], {3},
                {0.84119199f, -0.15880801f, 1.95459769f});
    check_keeps_dynamic_shape("Gelu", "opset2");
    check_keeps_dynamic_shape("Gelu", "opset7");
    CHECK_THROWS_AS(run_op("Gelu", "opset7", {x}, {{"approximation_mode", "sigmoid"}}), es::Error);
    CHECK_THROWS_AS(run_op("Gelu", "opset2", {i32({1}, {1})}), es::Error);
}

TEST_CASE("Mish computes x * tanh(softplus(x))") {
    check_close(run_op("Mish", "opset4", {f32({4}, {0, 1, -1, 3})})[0], {4},
                {0, 0.86509839f, -0.30340146f, 2.98653500f});
    check_keeps_dynamic_shape("Mish", "opset4");
    CHECK_THROWS_AS(run_op("Mish", "opset4", {i32({1}, {1})}), es::Error);
}

TEST_CASE("FakeQuantize quantizes with scalar limits") {
    // Range [0, 10] in 3 levels: 0, 5, 10. Rounding halves go to even (2.5 -> 0, 7.5 -> 10).
    auto out = run_op("FakeQuantize", "opset1",
                      {f32({8}, {-1, 0, 2, 2.5f, 3, 7.5f, 10, 11}), f32({}, {0}), f32({}, {10}),
                       f32({}, {0}), f32({}, {10})},
                      {{"levels", "3"}});
    check_close(out[0], {8}, {0, 0, 0, 0, 5, 10, 10, 10});

    // Output range [-1, 1] in 256 levels: 0.5 * 255 = 127.5 rounds to the even 128, and
    // 128 / 255 * 2 - 1 = 1 / 255.
    auto wide =
        run_op("FakeQuantize", "opset1",
               {f32({2}, {0.5f, 1}), f32({1}, {0}), f32({1}, {1}), f32({1}, {-1}), f32({1}, {1})},
               {{"levels", "256"}});
    check_close(wide[0], {2}, {1.0f / 255.0f, 1});
}

TEST_CASE("FakeQuantize broadcasts per-channel limits") {
    // data [1,2,2]; input_high and output_high per channel, the lows shared.
    auto out = run_op("FakeQuantize", "opset1",
                      {f32({1, 2, 2}, {0.2f, 0.8f, 0.6f, 1.8f}), f32({1, 2, 1}, {0, 0}),
                       f32({1, 2, 1}, {1, 2}), f32({}, {0}), f32({2, 1}, {1, 4})},
                      {{"levels", "2"}});
    check_close(out[0], {1, 2, 2}, {0, 1, 0, 4});
}

TEST_CASE("FakeQuantize handles inverted and equal input limits") {
    // in_low 10 > in_high 0: (3 - 10) / (0 - 10) * 2 = 1.4 -> 1 -> 5.
    auto inverted =
        run_op("FakeQuantize", "opset1",
               {f32({4}, {-1, 3, 8, 11}), f32({}, {10}), f32({}, {0}), f32({}, {0}), f32({}, {10})},
               {{"levels", "3"}});
    check_close(inverted[0], {4}, {0, 5, 0, 10});
    // Binarization: equal limits split at the threshold.
    auto binary = run_op("FakeQuantize", "opset1",
                         {f32({3}, {0.4f, 0.5f, 0.6f}), f32({}, {0.5f}), f32({}, {0.5f}),
                          f32({}, {-1}), f32({}, {1})},
                         {{"levels", "2"}});
    check_close(binary[0], {3}, {-1, -1, 1});
}

TEST_CASE("FakeQuantize rejects bad inputs and keeps dynamic shapes") {
    const Tensor limit = f32({}, {0});
    const Tensor data = f32({1, 2, 2}, {1, 2, 3, 4});
    CHECK_THROWS_AS(
        run_op("FakeQuantize", "opset1", {data, limit, limit, limit, limit}, {{"levels", "1"}}),
        es::Error);
    CHECK_THROWS_AS(run_op("FakeQuantize", "opset1", {data, limit, limit, limit, limit}),
                    es::Error);
    CHECK_THROWS_AS(run_op("FakeQuantize", "opset1",
                           {data, f32({3}, {0, 0, 0}), limit, limit, limit}, {{"levels", "2"}}),
                    es::Error);
    CHECK_THROWS_AS(run_op("FakeQuantize", "opset1",
                           {data, f32({1, 1, 1, 1}, {0}), limit, limit, limit}, {{"levels", "2"}}),
                    es::Error);
    CHECK_THROWS_AS(run_op("FakeQuantize", "opset1", {data, limit, limit, limit, limit},
                           {{"levels", "2"}, {"auto_broadcast", "none"}}),
                    es::Error);
    CHECK_THROWS_AS(run_op("FakeQuantize", "opset1",
                           {i32({1}, {1}), i32({}, {0}), i32({}, {1}), i32({}, {0}), i32({}, {1})},
                           {{"levels", "2"}}),
                    es::Error);
    CHECK_THROWS_AS(run_op("FakeQuantize", "opset1", {data, i32({}, {0}), limit, limit, limit},
                           {{"levels", "2"}}),
                    es::Error);
    const graph::PortType channel = port(ElementType::f32, {1, 3, 1, 1});
    auto out = infer_op("FakeQuantize", "opset1",
                        {port(ElementType::f32, {-1, 3, -1, -1}), channel, channel,
                         port(ElementType::f32, PartialShape(std::vector<int64_t>{})),
                         port(ElementType::f32, PartialShape(std::vector<int64_t>{1}))},
                        {{"levels", "256"}});
    CHECK(out[0] == port(ElementType::f32, {-1, 3, -1, -1}));
}
