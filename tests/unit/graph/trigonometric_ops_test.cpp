#include "inference/core/error.h"
#include "tests/support/op_testing.h"

#include <cmath>
#include <numbers>

using namespace es;
using namespace es::testing;

TEST_CASE("Sin, Cos and Atan-1 at known angles") {
    constexpr float pi = std::numbers::pi_v<float>;
    const Tensor angles = f32({4}, {0, pi / 6, pi / 2, -pi});
    check_close(run_op("Sin", "opset1", {angles})[0], {4}, {0, 0.5f, 1, 0});
    check_close(run_op("Cos", "opset1", {angles})[0], {4}, {1, std::sqrt(3.0f) / 2, 0, -1});
    check_close(run_op("Atan", "opset1", {f32({3}, {0, 1, -1})})[0], {3}, {0, pi / 4, -pi / 4});
    CHECK_THROWS_AS(infer_op("Sin", "opset1", {{ElementType::i32, PartialShape{2}}}), es::Error);
}
