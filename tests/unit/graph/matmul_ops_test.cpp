#include "tests/support/op_testing.h"

#include <cstdint>

using namespace es;
using namespace es::testing;
using graph::PortType;

namespace {

PortType f32_port(PartialShape shape) {
    return {ElementType::f32, std::move(shape)};
}

graph::Attributes transposes(bool a, bool b) {
    return {{"transpose_a", a ? "true" : "false"}, {"transpose_b", b ? "true" : "false"}};
}

// A = [[1, 2, 3], [4, 5, 6]], B = [[7, 8], [9, 10], [11, 12]]; A x B = [[58, 64], [139, 154]].
Tensor matrix_a() {
    return f32({2, 3}, {1, 2, 3, 4, 5, 6});
}
Tensor matrix_a_transposed() {
    return f32({3, 2}, {1, 4, 2, 5, 3, 6});
}
Tensor matrix_b() {
    return f32({3, 2}, {7, 8, 9, 10, 11, 12});
}
Tensor matrix_b_transposed() {
    return f32({2, 3}, {7, 9, 11, 8, 10, 12});
}

// Deterministic values in [-1, 1).
std::vector<float> pseudo_random(size_t count, uint32_t seed) {
    std::vector<float> values(count);
    uint32_t state = seed;
    for (auto& value : values) {
        state = state * 1664525u + 1013904223u;
        value = static_cast<float>(state >> 8) / static_cast<float>(1u << 23) - 1.0f;
    }
    return values;
}

}  // namespace

TEST_CASE("MatMul 2-D with every combination of transposes") {
    std::vector<PortType> inferred;
    auto plain = run_op("MatMul", "opset1", {matrix_a(), matrix_b()}, {}, &inferred);
    check_close(plain[0], {2, 2}, {58, 64, 139, 154});
    CHECK(inferred[0] == f32_port({2, 2}));
    auto ta =
        run_op("MatMul", "opset1", {matrix_a_transposed(), matrix_b()}, transposes(true, false));
    check_close(ta[0], {2, 2}, {58, 64, 139, 154});
    auto tb =
        run_op("MatMul", "opset1", {matrix_a(), matrix_b_transposed()}, transposes(false, true));
    check_close(tb[0], {2, 2}, {58, 64, 139, 154});
    auto both = run_op("MatMul", "opset1", {matrix_a_transposed(), matrix_b_transposed()},
                       transposes(true, true));
    check_close(both[0], {2, 2}, {58, 64, 139, 154});
}

TEST_CASE("MatMul 1-D operands are unsqueezed and squeezed back") {
    auto dot = run_op("MatMul", "opset1", {f32({3}, {1, 2, 3}), f32({3}, {4, 5, 6})});
    check_close(dot[0], {}, {32});
    auto vector_matrix = run_op("MatMul", "opset1", {f32({3}, {1, 2, 3}), matrix_b()});
    check_close(vector_matrix[0], {2}, {58, 64});
    auto matrix_vector = run_op("MatMul", "opset1", {matrix_a(), f32({3}, {1, 1, 1})});
    check_close(matrix_vector[0], {2}, {6, 15});
    // Transposes do not apply to 1-D operands.
    auto ignored = run_op("MatMul", "opset1", {f32({3}, {1, 2, 3}), matrix_b_transposed()},
                          transposes(true, true));
    check_close(ignored[0], {2}, {58, 64});
}

TEST_CASE("MatMul broadcasts batch dimensions") {
    auto a = f32({2, 1, 2, 2}, {1, 0, 0, 1, 2, 0, 0, 2});
    auto b = f32({3, 2, 2}, {1, 2, 3, 4, 0, 1, 1, 0, 5, 5, 5, 5});
    auto out = run_op("MatMul", "opset1", {a, b});
    check_close(out[0], {2, 3, 2, 2}, {1, 2, 3, 4, 0, 1, 1, 0, 5,  5,  5,  5,  //
                                       2, 4, 6, 8, 0, 2, 2, 0, 10, 10, 10, 10});
    auto vector_batch = run_op("MatMul", "opset1", {f32({2}, {1, 1}), b});
    check_close(vector_batch[0], {3, 2}, {4, 6, 1, 1, 10, 10});
    auto batch_transposed =
        run_op("MatMul", "opset1", {b, f32({2, 2}, {1, 2, 3, 4})}, transposes(false, true));
    // b[i] x [[1, 3], [2, 4]]
    check_close(batch_transposed[0], {3, 2, 2}, {5, 11, 11, 25, 2, 4, 1, 3, 15, 35, 15, 35});
}

TEST_CASE("MatMul integer types") {
    auto longs = run_op("MatMul", "opset1", {i64({1, 2}, {1, 2}), i64({2, 1}, {3, -4})});
    CHECK(longs[0].type() == ElementType::i64);
    check_equal(longs[0], {1, 1}, {-5});
    auto ints = run_op("MatMul", "opset1", {i32({2, 2}, {1, 2, 3, 4}), i32({2}, {5, 6})},
                       transposes(true, false));
    check_equal(ints[0], {2}, {23, 34});
}

TEST_CASE("MatMul shape inference with dynamic dims and rank") {
    auto batched = infer_op("MatMul", "opset1", {f32_port({-1, -1, 4}), f32_port({4, 5})});
    CHECK(batched[0] == f32_port({-1, -1, 5}));
    auto inner_unknown = infer_op("MatMul", "opset1", {f32_port({2, -1}), f32_port({-1, 3})});
    CHECK(inner_unknown[0] == f32_port({2, 3}));
    auto transposed = infer_op("MatMul", "opset1", {f32_port({5, 1, 7, 3}), f32_port({4, 1, 7})},
                               transposes(true, true));
    CHECK(transposed[0] == f32_port({5, 4, 3, 1}));
    auto vector = infer_op("MatMul", "opset1", {f32_port({3}), f32_port({2, -1, 6})});
    CHECK(vector[0] == f32_port({2, 6}));
    auto no_rank =
        infer_op("MatMul", "opset1", {f32_port(PartialShape::dynamic_rank()), f32_port({4, 5})});
    CHECK(!no_rank[0].shape.rank_known());
}

TEST_CASE("MatMul rejects mismatched and scalar operands") {
    CHECK_THROWS_AS(infer_op("MatMul", "opset1", {f32_port({2, 3}), f32_port({4, 2})}), es::Error);
    CHECK_THROWS_AS(
        infer_op("MatMul", "opset1", {f32_port({2, 3}), f32_port({3, 2})}, transposes(true, false)),
        es::Error);
    CHECK_THROWS_AS(infer_op("MatMul", "opset1", {f32_port({2, 2, 3}), f32_port({3, 3, 2})}),
                    es::Error);  // batch 2 vs 3
    CHECK_THROWS_AS(infer_op("MatMul", "opset1",
                             {f32_port(PartialShape(std::vector<int64_t>{})), f32_port({3, 2})}),
                    es::Error);
    CHECK_THROWS_AS(
        infer_op("MatMul", "opset1", {f32_port({2, 3}), {ElementType::i64, PartialShape{3, 2}}}),
        es::Error);
    CHECK_THROWS_AS(infer_op("MatMul", "opset1", {f32_port({2, 3}), f32_port({3, 2})},
                             {{"transpose_a", "yes"}}),
                    es::Error);
}

TEST_CASE("MatMul matches the definition on shapes with partial tiles") {
    const int64_t m = 5, k = 9, n = 11;
    const auto a = pseudo_random(static_cast<size_t>(2 * m * k), 7);
    const auto b = pseudo_random(static_cast<size_t>(3 * k * n), 8);
    // expected[i][j][r][c] = sum_kk a[i][r][kk] * b[j][kk][c] with batches [2, 1] x [3]
    std::vector<float> expected;
    for (int64_t i = 0; i < 2; ++i)
        for (int64_t j = 0; j < 3; ++j)
            for (int64_t r = 0; r < m; ++r)
                for (int64_t c = 0; c < n; ++c) {
                    double sum = 0;
                    for (int64_t kk = 0; kk < k; ++kk)
                        sum += a[(i * m + r) * k + kk] * b[(j * k + kk) * n + c];
                    expected.push_back(static_cast<float>(sum));
                }
    // The same operands stored transposed, for transpose_a / transpose_b.
    std::vector<float> a_t(a.size()), b_t(b.size());
    for (int64_t i = 0; i < 2; ++i)
        for (int64_t r = 0; r < m; ++r)
            for (int64_t kk = 0; kk < k; ++kk)
                a_t[(i * k + kk) * m + r] = a[(i * m + r) * k + kk];
    for (int64_t j = 0; j < 3; ++j)
        for (int64_t kk = 0; kk < k; ++kk)
            for (int64_t c = 0; c < n; ++c)
                b_t[(j * n + c) * k + kk] = b[(j * k + kk) * n + c];
    for (bool ta : {false, true}) {
        for (bool tb : {false, true}) {
            CAPTURE(ta);
            CAPTURE(tb);
            auto lhs = ta ? f32({2, 1, k, m}, a_t) : f32({2, 1, m, k}, a);
            auto rhs = tb ? f32({3, n, k}, b_t) : f32({3, k, n}, b);
            auto out = run_op("MatMul", "opset1", {lhs, rhs}, transposes(ta, tb));
            check_close(out[0], {2, 3, m, n}, expected, 1e-4f);
        }
    }
}
