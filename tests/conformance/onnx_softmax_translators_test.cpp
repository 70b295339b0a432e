// ONNX Softmax and LogSoftmax before and from opset 13, converted from small ONNX models with
// dynamic dimensions and run on REF against values computed here.
#include "tests/conformance/onnx_test_model.h"
#include "tests/support/op_testing.h"

#include <doctest/doctest.h>

#include <cmath>

using namespace es;
using namespace es::testing;

namespace {

// `input` as `rows` rows, each normalized as a whole: exp(x) / sum(exp(row)), or its log.
std::vector<float> row_softmax(const Tensor& input, size_t rows, bool log) {
    const float* values = input.data<float>();
    const size_t columns = input.size() / rows;
    std::vector<float> result(input.size());
    for (size_t row = 0; row < rows; ++row) {
        const float* x = values + row * columns;
        double sum = 0;
        for (size_t i = 0; i < columns; ++i)
            sum += std::exp(static_cast<double>(x[i]));
        for (size_t i = 0; i < columns; ++i) {
            const double log_value = x[i] - std::log(sum);
            result[row * columns + i] = static_cast<float>(log ? log_value : std::exp(log_value));
        }
    }
    return result;
}

// The values 0, 0.1, 0.2, … of `shape`, with every third one negated so rows are not monotonic.
Tensor input_values(const Shape& shape) {
    Tensor tensor = iota_f32(shape, 0.1f);
    float* values = tensor.data<float>();
    for (size_t i = 0; i < tensor.size(); i += 3)
        values[i] = -values[i];
    return tensor;
}

struct Case {
    int64_t opset;
    std::vector<int64_t> declared;  // -1: dynamic
    int64_t axis;
    Shape run_shape;
    size_t rows;  // how many groups the op normalizes separately
};

}  // namespace

TEST_CASE("Softmax and LogSoftmax flatten at axis before opset 13, with dynamic leading dims") {
    const std::vector<Case> cases{
        // Before 13, the last axis: the op on that axis.
        {11, {-1, -1, 5}, 2, {2, 3, 5}, 6},
        {11, {-1, -1, 5}, -1, {2, 4, 5}, 8},
        // Before 13, an inner axis: every dimension from it on is normalized together.
        {11, {-1, 3, 4}, 1, {2, 3, 4}, 2},
        {11, {-1, -1, 2, 3}, 2, {2, 3, 2, 3}, 6},
        {11, {-1, -1, 2, 3}, -3, {4, 2, 2, 3}, 4},
        {6, {2, -1, 3}, 0, {2, 4, 3}, 1},
        // From 13: along `axis` alone.
        {13, {-1, 4}, 1, {3, 4}, 3},
    };
    for (const std::string op : {"Softmax", "LogSoftmax"}) {
        for (const Case& c : cases) {
            CAPTURE(op);
            CAPTURE(c.opset);
            CAPTURE(c.axis);
            CAPTURE(to_string(c.run_shape));
            onnx::NodeProto* node = nullptr;
            auto model = unary_model(c.opset, op, c.declared, &node);
            set_int(*node, "axis", c.axis);
            const Tensor input = input_values(c.run_shape);
            const bool log = op == "LogSoftmax";
            check_close(model.run({input})[0], c.run_shape, row_softmax(input, c.rows, log));
        }
    }
}

TEST_CASE("Softmax from opset 13 normalizes along an inner axis alone") {
    onnx::NodeProto* node = nullptr;
    auto model = unary_model(13, "Softmax", {-1, 2, -1}, &node);
    set_int(*node, "axis", 1);
    // Each pair x[n, 0, k], x[n, 1, k] sums to 1.
    const Tensor input = f32({1, 2, 2}, {0, 0, std::log(3.0f), 0});
    check_close(model.run({input})[0], {1, 2, 2}, {0.25f, 0.5f, 0.75f, 0.5f});
}

TEST_CASE("Softmax before opset 13 names an axis out of range") {
    onnx::NodeProto* node = nullptr;
    auto model = unary_model(11, "Softmax", {-1, 3}, &node);
    set_int(*node, "axis", 2);
    CHECK_THROWS_WITH_AS(model.convert(), doctest::Contains("axis 2 is out of range for rank 2"),
                         es::Error);
}
