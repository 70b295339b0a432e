#include "tests/support/op_testing.h"

#include <cstdint>
#include <limits>

using namespace es;
using namespace es::testing;

namespace {

Tensor boolean(Shape shape, std::vector<int> values) {
    Tensor tensor(ElementType::boolean, std::move(shape));
    REQUIRE(tensor.size() == values.size());
    for (size_t i = 0; i < values.size(); ++i)
        tensor.data<bool>()[i] = values[i] != 0;
    return tensor;
}

graph::PortType port(ElementType type, PartialShape shape) {
    return {type, std::move(shape)};
}

}  // namespace

TEST_CASE("Add adds equal shapes, scalars and per-channel constants") {
    auto same = run_op("Add", "opset1", {f32({2, 2}, {1, 2, 3, 4}), f32({2, 2}, {10, 20, 30, 40})});
    check_close(same[0], {2, 2}, {11, 22, 33, 44});

    auto scalar = run_op("Add", "opset1", {f32({3}, {1, 2, 3}), f32({}, {0.5f})});
    check_close(scalar[0], {3}, {1.5f, 2.5f, 3.5f});

    auto channel = run_op("Add", "opset1", {iota_f32({1, 2, 2, 2}), f32({1, 2, 1, 1}, {100, 200})});
    check_close(channel[0], {1, 2, 2, 2}, {100, 101, 102, 103, 204, 205, 206, 207});
}

TEST_CASE("Add broadcasts both inputs NumPy-style") {
    std::vector<graph::PortType> inferred;
    auto out =
        run_op("Add", "opset1", {f32({2, 1}, {1, 2}), f32({3}, {10, 20, 30})}, {}, &inferred);
    check_close(out[0], {2, 3}, {11, 21, 31, 12, 22, 32});
    CHECK(inferred[0] == port(ElementType::f32, {2, 3}));
}

TEST_CASE("Add matches an index-by-index reference on mixed broadcasts") {
    // a [2,3,4,5], b [3,1,5]: b is indexed by (c, w) only.
    const Tensor a = iota_f32({2, 3, 4, 5});
    const Tensor b = iota_f32({3, 1, 5}, 1000.0f);
    auto out = run_op("Add", "opset1", {a, b});
    std::vector<float> expected;
    for (int n = 0; n < 2; ++n)
        for (int c = 0; c < 3; ++c)
            for (int h = 0; h < 4; ++h)
                for (int w = 0; w < 5; ++w)
                    expected.push_back(static_cast<float>(((n * 3 + c) * 4 + h) * 5 + w) +
                                       1000.0f * static_cast<float>(c * 5 + w));
    check_close(out[0], {2, 3, 4, 5}, expected);

    // Reversed roles: the small input first, broadcast along an inner axis.
    auto reversed = run_op("Add", "opset1", {f32({2, 1, 1}, {1, 2}), iota_f32({2, 3, 2})});
    check_close(reversed[0], {2, 3, 2}, {1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13});
}

TEST_CASE("Add works on integer types and wraps around on overflow") {
    check_equal(run_op("Add", "opset1", {i32({2}, {1, -5}), i32({2}, {2, 3})})[0], {2}, {3, -2});
    check_equal(run_op("Add", "opset1", {i64({2}, {1, 2}), i64({}, {10})})[0], {2}, {11, 12});
    auto u8 = run_op("Add", "opset1",
                     {make_tensor<uint8_t>({2}, {250, 1}), make_tensor<uint8_t>({2}, {10, 2})});
    CHECK(u8[0].type() == ElementType::u8);
    check_equal(u8[0], {2}, {4, 3});
    auto i8 = run_op("Add", "opset1",
                     {make_tensor<int8_t>({2}, {100, -1}), make_tensor<int8_t>({2}, {100, -2})});
    check_equal(i8[0], {2}, {-56, -3});
    const int32_t max = std::numeric_limits<int32_t>::max();
    check_equal(run_op("Add", "opset1", {i32({1}, {max}), i32({1}, {1})})[0], {1},
                {std::numeric_limits<int32_t>::min()});
}

TEST_CASE("Add handles empty tensors") {
    auto out = run_op("Add", "opset1", {f32({0, 3}, {}), f32({3}, {1, 2, 3})});
    check_close(out[0], {0, 3}, {});
}

TEST_CASE("Add auto_broadcast none requires identical shapes") {
    auto out =
        run_op("Add", "opset1", {f32({2}, {1, 2}), f32({2}, {3, 4})}, {{"auto_broadcast", "none"}});
    check_close(out[0], {2}, {4, 6});
    CHECK_THROWS_AS(
        run_op("Add", "opset1", {f32({2}, {1, 2}), f32({1}, {3})}, {{"auto_broadcast", "none"}}),
        es::Error);
    auto dynamic = infer_op("Add", "opset1",
                            {port(ElementType::f32, {-1, 3}), port(ElementType::f32, {2, -1})},
                            {{"auto_broadcast", "none"}});
    CHECK(dynamic[0].shape == PartialShape({2, 3}));
}

TEST_CASE("Add rejects bad inputs") {
    CHECK_THROWS_AS(run_op("Add", "opset1", {f32({2}, {1, 2}), f32({3}, {1, 2, 3})}), es::Error);
    CHECK_THROWS_AS(run_op("Add", "opset1", {f32({2}, {1, 2}), i32({2}, {1, 2})}), es::Error);
    CHECK_THROWS_AS(run_op("Add", "opset1", {boolean({1}, {1}), boolean({1}, {0})}), es::Error);
    CHECK_THROWS_AS(
        run_op("Add", "opset1", {f32({2}, {1, 2}), f32({2}, {1, 2})}, {{"auto_broadcast", "pdpd"}}),
        es::Error);
    CHECK_THROWS_AS(run_op("Add", "opset1", {f32({2}, {1, 2}), f32({2}, {1, 2})},
                           {{"auto_broadcast", "sideways"}}),
                    es::Error);
    CHECK_THROWS_AS(run_op("Add", "opset1", {f32({2}, {1, 2})}), es::Error);
}

TEST_CASE("Add infers dynamic shapes") {
    auto partial = infer_op("Add", "opset1",
                            {port(ElementType::f32, {-1, 3}), port(ElementType::f32, {1, 3})});
    CHECK(partial[0] == port(ElementType::f32, {-1, 3}));
    auto grown = infer_op("Add", "opset1",
                          {port(ElementType::i64, {2, -1}), port(ElementType::i64, {1, -1})});
    CHECK(grown[0] == port(ElementType::i64, {2, -1}));
    auto resolved = infer_op("Add", "opset1",
                             {port(ElementType::f32, {-1, 1}), port(ElementType::f32, {4, 5})});
    CHECK(resolved[0].shape == PartialShape({4, 5}));
    auto rank = infer_op(
        "Add", "opset1",
        {port(ElementType::f32, PartialShape::dynamic_rank()), port(ElementType::f32, {3})});
    CHECK(!rank[0].shape.rank_known());
    CHECK_THROWS_AS(
        infer_op("Add", "opset1", {port(ElementType::f32, {-1, 3}), port(ElementType::f32, {4})}),
        es::Error);
}

TEST_CASE("Subtract subtracts with broadcasting") {
    check_close(run_op("Subtract", "opset1", {f32({2}, {5, 3}), f32({2}, {1, 4})})[0], {2},
                {4, -1});
    check_close(run_op("Subtract", "opset1", {f32({}, {10}), f32({3}, {1, 2, 3})})[0], {3},
                {9, 8, 7});
    check_equal(run_op("Subtract", "opset1", {i64({2, 2}, {5, 6, 7, 8}), i64({2}, {1, 2})})[0],
                {2, 2}, {4, 4, 6, 6});
    CHECK_THROWS_AS(run_op("Subtract", "opset1", {i64({2}, {1, 2}), i32({2}, {1, 2})}), es::Error);
}

TEST_CASE("Multiply multiplies with broadcasting") {
    check_close(run_op("Multiply", "opset1", {f32({2, 2}, {1, 2, 3, 4}), f32({2}, {10, -1})})[0],
                {2, 2}, {10, -2, 30, -4});
    check_equal(run_op("Multiply", "opset1", {i32({3}, {2, -3, 4}), i32({1}, {3})})[0], {3},
                {6, -9, 12});
    CHECK_THROWS_AS(run_op("Multiply", "opset1", {f32({2, 2}, {1, 2, 3, 4}), f32({3}, {1, 2, 3})}),
                    es::Error);
}

TEST_CASE("Divide divides floats and floors integers by default") {
    check_close(run_op("Divide", "opset1", {f32({2}, {7, -7}), f32({}, {2})})[0], {2},
                {3.5f, -3.5f});
    const Tensor a = i32({4}, {7, -7, 7, -7});
    const Tensor b = i32({4}, {2, 2, -2, -2});
    check_equal(run_op("Divide", "opset1", {a, b})[0], {4}, {3, -4, -4, 3});
    check_equal(run_op("Divide", "opset1", {a, b}, {{"m_pythondiv", "true"}})[0], {4},
                {3, -4, -4, 3});
    check_equal(run_op("Divide", "opset1", {a, b}, {{"m_pythondiv", "false"}})[0], {4},
                {3, -3, -3, 3});
    check_equal(run_op("Divide", "opset1", {i64({2}, {-6, 6}), i64({2}, {3, -3})})[0], {2},
                {-2, -2});
    check_equal(
        run_op("Divide", "opset1",
               {make_tensor<uint8_t>({2}, {7, 255}), make_tensor<uint8_t>({2}, {2, 16})})[0],
        {2}, {3, 15});
    const int32_t min = std::numeric_limits<int32_t>::min();
    check_equal(run_op("Divide", "opset1", {i32({1}, {min}), i32({1}, {-1})})[0], {1}, {min});
}

TEST_CASE("Divide rejects integer division by zero and bad attributes") {
    CHECK_THROWS_AS(run_op("Divide", "opset1", {i32({2}, {1, 2}), i32({2}, {1, 0})}), es::Error);
    CHECK_THROWS_AS(run_op("Divide", "opset1", {i32({2}, {1, 2}), i32({2}, {1, 1})},
                           {{"m_pythondiv", "maybe"}}),
                    es::Error);
    auto inf = run_op("Divide", "opset1", {f32({1}, {1}), f32({1}, {0})});
    CHECK(inf[0].data<float>()[0] == std::numeric_limits<float>::infinity());
}

TEST_CASE("Maximum and Minimum pick element-wise extremes") {
    const Tensor a = f32({3}, {1, 5, 3});
    const Tensor b = f32({3}, {4, 2, 3});
    check_close(run_op("Maximum", "opset1", {a, b})[0], {3}, {4, 5, 3});
    check_close(run_op("Minimum", "opset1", {a, b})[0], {3}, {1, 2, 3});
    check_equal(run_op("Maximum", "opset1", {i64({2, 2}, {1, 9, -3, 4}), i64({}, {2})})[0], {2, 2},
                {2, 9, 2, 4});
    check_equal(run_op("Minimum", "opset1", {i32({2, 2}, {1, 9, -3, 4}), i32({2, 1}, {2, 0})})[0],
                {2, 2}, {1, 2, -3, 0});
}

TEST_CASE("Maximum and Minimum reject bad inputs") {
    CHECK_THROWS_AS(run_op("Maximum", "opset1", {f32({2}, {1, 2}), f32({3}, {1, 2, 3})}),
                    es::Error);
    CHECK_THROWS_AS(run_op("Minimum", "opset1", {boolean({1}, {1}), boolean({1}, {0})}), es::Error);
}

TEST_CASE("Power raises floats and integers") {
    check_close(run_op("Power", "opset1", {f32({3}, {2, 3, 4}), f32({}, {2})})[0], {3}, {4, 9, 16});
    check_close(run_op("Power", "opset1", {f32({2}, {4, 9}), f32({1}, {0.5f})})[0], {2}, {2, 3});
    check_equal(run_op("Power", "opset1", {i32({3}, {2, -3, 5}), i32({3}, {3, 3, 0})})[0], {3},
                {8, -27, 1});
    check_equal(
        run_op("Power", "opset1", {i64({4}, {1, -1, -1, 2}), i64({4}, {-2, -3, -2, -1})})[0], {4},
        {1, -1, 1, 0});
    check_equal(run_op("Power", "opset1", {i64({1}, {3}), i64({1}, {20})})[0], {1}, {3486784401});
}

TEST_CASE("Power rejects zero to a negative integer exponent") {
    CHECK_THROWS_AS(run_op("Power", "opset1", {i32({1}, {0}), i32({1}, {-1})}), es::Error);
    CHECK_THROWS_AS(run_op("Power", "opset1", {f32({1}, {2}), i64({1}, {2})}), es::Error);
}

TEST_CASE("SquaredDifference squares the difference") {
    check_close(run_op("SquaredDifference", "opset1", {f32({2}, {1, 5}), f32({2}, {4, 2})})[0], {2},
                {9, 9});
    check_equal(
        run_op("SquaredDifference", "opset1", {i32({2, 2}, {1, 2, 3, 4}), i32({2}, {0, 4})})[0],
        {2, 2}, {1, 4, 9, 0});
    CHECK_THROWS_AS(run_op("SquaredDifference", "opset1", {f32({2}, {1, 5}), f32({3}, {4, 2, 1})}),
                    es::Error);
}

TEST_CASE("Mod keeps the sign of the dividend") {
    check_close(run_op("Mod", "opset1", {f32({4}, {7, -7, 7, -7}), f32({4}, {3, 3, -3, -3})})[0],
                {4}, {1, -1, 1, -1});
    check_close(run_op("Mod", "opset1", {f32({1}, {5.5f}), f32({}, {2})})[0], {1}, {1.5f});
    check_equal(run_op("Mod", "opset1", {i32({4}, {7, -7, 7, -7}), i32({4}, {3, 3, -3, -3})})[0],
                {4}, {1, -1, 1, -1});
    check_equal(run_op("Mod", "opset1",
                       {i64({2}, {std::numeric_limits<int64_t>::min(), 5}), i64({}, {-1})})[0],
                {2}, {0, 0});
    CHECK_THROWS_AS(run_op("Mod", "opset1", {i32({1}, {7}), i32({1}, {0})}), es::Error);
}

TEST_CASE("FloorMod keeps the sign of the divisor") {
    check_close(
        run_op("FloorMod", "opset1", {f32({4}, {7, -7, 7, -7}), f32({4}, {3, 3, -3, -3})})[0], {4},
        {1, 2, -2, -1});
    check_close(run_op("FloorMod", "opset1", {f32({2}, {-7.5f, 6}), f32({}, {2})})[0], {2},
                {0.5f, 0});
    check_equal(
        run_op("FloorMod", "opset1", {i32({4}, {7, -7, 7, -7}), i32({4}, {3, 3, -3, -3})})[0], {4},
        {1, 2, -2, -1});
    check_equal(run_op("FloorMod", "opset1",
                       {make_tensor<uint8_t>({2}, {7, 9}), make_tensor<uint8_t>({}, {3})})[0],
                {2}, {1, 0});
    CHECK_THROWS_AS(run_op("FloorMod", "opset1", {i64({1}, {7}), i64({1}, {0})}), es::Error);
}

TEST_CASE("Equal and NotEqual compare into booleans") {
    std::vector<graph::PortType> inferred;
    auto equal =
        run_op("Equal", "opset1", {f32({3}, {1, 2, 3}), f32({3}, {1, 0, 3})}, {}, &inferred);
    CHECK(equal[0].type() == ElementType::boolean);
    CHECK(inferred[0] == port(ElementType::boolean, {3}));
    check_equal(equal[0], {3}, {1, 0, 1});
    check_equal(run_op("NotEqual", "opset1", {f32({3}, {1, 2, 3}), f32({3}, {1, 0, 3})})[0], {3},
                {0, 1, 0});
    check_equal(run_op("Equal", "opset1", {i64({2, 2}, {1, 2, 3, 1}), i64({}, {1})})[0], {2, 2},
                {1, 0, 0, 1});
    check_equal(run_op("Equal", "opset1", {boolean({2}, {1, 0}), boolean({2}, {1, 1})})[0], {2},
                {1, 0});
    check_equal(run_op("NotEqual", "opset1", {boolean({2}, {1, 0}), boolean({}, {1})})[0], {2},
                {0, 1});
    CHECK_THROWS_AS(run_op("Equal", "opset1", {f32({1}, {1}), i32({1}, {1})}), es::Error);
    CHECK_THROWS_AS(run_op("NotEqual", "opset1", {f32({2}, {1, 2}), f32({3}, {1, 2, 3})}),
                    es::Error);
}

TEST_CASE("Greater, GreaterEqual, Less and LessEqual compare with broadcasting") {
    const Tensor a = f32({2, 2}, {1, 2, 3, 4});
    const Tensor b = f32({}, {2});
    check_equal(run_op("Greater", "opset1", {a, b})[0], {2, 2}, {0, 0, 1, 1});
    check_equal(run_op("GreaterEqual", "opset1", {a, b})[0], {2, 2}, {0, 1, 1, 1});
    check_equal(run_op("Less", "opset1", {a, b})[0], {2, 2}, {1, 0, 0, 0});
    check_equal(run_op("LessEqual", "opset1", {a, b})[0], {2, 2}, {1, 1, 0, 0});
    const Tensor c = i32({2, 1}, {1, 3});
    const Tensor d = i32({3}, {0, 1, 2});
    check_equal(run_op("Greater", "opset1", {c, d})[0], {2, 3}, {1, 0, 0, 1, 1, 1});
    check_equal(run_op("LessEqual", "opset1", {c, d})[0], {2, 3}, {0, 1, 1, 0, 0, 0});
    check_equal(
        run_op("Less", "opset1",
               {make_tensor<uint8_t>({2}, {1, 200}), make_tensor<uint8_t>({2}, {2, 100})})[0],
        {2}, {1, 0});
}

TEST_CASE("Greater and Less reject bad inputs and infer dynamic shapes") {
    CHECK_THROWS_AS(run_op("Greater", "opset1", {i32({1}, {1}), i64({1}, {1})}), es::Error);
    CHECK_THROWS_AS(run_op("GreaterEqual", "opset1", {f32({2}, {1, 2}), f32({3}, {1, 2, 3})}),
                    es::Error);
    CHECK_THROWS_AS(run_op("Less", "opset1", {f32({2}, {1, 2}), f32({2}, {1, 2})},
                           {{"auto_broadcast", "pdpd"}}),
                    es::Error);
    CHECK_THROWS_AS(run_op("LessEqual", "opset1", {f32({2}, {1, 2}), f32({1}, {1})},
                           {{"auto_broadcast", "none"}}),
                    es::Error);
    auto out = infer_op("Less", "opset1",
                        {port(ElementType::f32, {-1, 1, 4}), port(ElementType::f32, {3, 1})});
    CHECK(out[0] == port(ElementType::boolean, {-1, 3, 4}));
}

TEST_CASE("LogicalAnd, LogicalOr and LogicalXor combine booleans") {
    const Tensor a = boolean({4}, {1, 1, 0, 0});
    const Tensor b = boolean({4}, {1, 0, 1, 0});
    check_equal(run_op("LogicalAnd", "opset1", {a, b})[0], {4}, {1, 0, 0, 0});
    check_equal(run_op("LogicalOr", "opset1", {a, b})[0], {4}, {1, 1, 1, 0});
    check_equal(run_op("LogicalXor", "opset1", {a, b})[0], {4}, {0, 1, 1, 0});
    const Tensor column = boolean({2, 1}, {1, 0});
    const Tensor row = boolean({2}, {1, 0});
    auto out = run_op("LogicalAnd", "opset1", {column, row});
    CHECK(out[0].type() == ElementType::boolean);
    check_equal(out[0], {2, 2}, {1, 0, 0, 0});
    check_equal(run_op("LogicalXor", "opset1", {column, row})[0], {2, 2}, {0, 1, 1, 0});
    check_equal(run_op("LogicalOr", "opset1", {column, row})[0], {2, 2}, {1, 1, 1, 0});
}

TEST_CASE("LogicalAnd, LogicalOr and LogicalXor reject non-boolean inputs") {
    CHECK_THROWS_AS(run_op("LogicalAnd", "opset1", {f32({1}, {1}), f32({1}, {0})}), es::Error);
    CHECK_THROWS_AS(run_op("LogicalOr", "opset1", {boolean({1}, {1}), i32({1}, {0})}), es::Error);
    CHECK_THROWS_AS(run_op("LogicalXor", "opset1", {boolean({2}, {1, 0}), boolean({3}, {1, 0, 1})}),
                    es::Error);
    auto out = infer_op("LogicalOr", "opset1",
                        {port(ElementType::boolean, {-1, 2}), port(ElementType::boolean, {2})});
    CHECK(out[0] == port(ElementType::boolean, {-1, 2}));
}

TEST_CASE("LogicalNot negates booleans") {
    check_equal(run_op("LogicalNot", "opset1", {boolean({2, 2}, {1, 0, 0, 1})})[0], {2, 2},
                {0, 1, 1, 0});
    CHECK_THROWS_AS(run_op("LogicalNot", "opset1", {i32({1}, {1})}), es::Error);
    auto out = infer_op("LogicalNot", "opset1", {port(ElementType::boolean, {-1, 3})});
    CHECK(out[0] == port(ElementType::boolean, {-1, 3}));
}

TEST_CASE("Select picks then or else with three-way broadcasting") {
    auto simple = run_op("Select", "opset1",
                         {boolean({2, 2}, {1, 0, 0, 1}), f32({2, 2}, {1, 2, 3, 4}), f32({}, {0})});
    check_close(simple[0], {2, 2}, {1, 0, 0, 4});

    // cond [3], then [2,1], else [2,3] -> [2,3]
    std::vector<graph::PortType> inferred;
    auto mixed =
        run_op("Select", "opset1",
               {boolean({3}, {1, 0, 1}), i64({2, 1}, {10, 20}), i64({2, 3}, {1, 2, 3, 4, 5, 6})},
               {}, &inferred);
    check_equal(mixed[0], {2, 3}, {10, 2, 10, 20, 5, 20});
    CHECK(inferred[0] == port(ElementType::i64, {2, 3}));

    auto booleans = run_op("Select", "opset1",
                           {boolean({2}, {0, 1}), boolean({2}, {1, 1}), boolean({2}, {0, 0})});
    CHECK(booleans[0].type() == ElementType::boolean);
    check_equal(booleans[0], {2}, {0, 1});
}

TEST_CASE("Select rejects bad inputs and infers dynamic shapes") {
    CHECK_THROWS_AS(run_op("Select", "opset1", {f32({1}, {1}), f32({1}, {1}), f32({1}, {2})}),
                    es::Error);
    CHECK_THROWS_AS(run_op("Select", "opset1", {boolean({1}, {1}), f32({1}, {1}), i32({1}, {2})}),
                    es::Error);
    CHECK_THROWS_AS(
        run_op("Select", "opset1", {boolean({2}, {1, 0}), f32({3}, {1, 2, 3}), f32({1}, {2})}),
        es::Error);
    CHECK_THROWS_AS(
        run_op("Select", "opset1", {boolean({2}, {1, 0}), f32({2}, {1, 2}), f32({1}, {2})},
               {{"auto_broadcast", "none"}}),
        es::Error);
    auto out = infer_op("Select", "opset1",
                        {port(ElementType::boolean, {-1, 1}), port(ElementType::f32, {4}),
                         port(ElementType::f32, {1})});
    CHECK(out[0] == port(ElementType::f32, {-1, 4}));
}
