#include "inference/core/error.h"
#include "tests/support/op_testing.h"

using namespace es;
using namespace es::testing;

TEST_CASE("ScatterNDUpdate-3 replaces slices and single elements (OpenVINO's examples)") {
    // indices [[4], [3], [1], [7]] write single elements of a rank-1 tensor
    auto outputs = run_op(
        "ScatterNDUpdate", "opset3",
        {f32({8}, {1, 2, 3, 4, 5, 6, 7, 8}), i64({4, 1}, {4, 3, 1, 7}), f32({4}, {9, 10, 11, 12})});
    check_close(outputs[0], {8}, {1, 11, 3, 10, 9, 6, 7, 12});
    // indices [[0], [2]] write whole rows
    outputs = run_op(
        "ScatterNDUpdate", "opset3",
        {f32({3, 2}, {1, 2, 3, 4, 5, 6}), i32({2, 1}, {0, 2}), f32({2, 2}, {-1, -2, -5, -6})});
    check_close(outputs[0], {3, 2}, {-1, -2, 3, 4, -5, -6});
}

TEST_CASE("ScatterNDUpdate-15 reductions combine duplicate indices in order") {
    const Tensor data = f32({2, 2}, {1, 2, 3, 4});
    const Tensor indices = i64({3, 2}, {0, 1, 1, 0, 0, 1});
    const Tensor updates = f32({3}, {10, 20, 30});
    const std::vector<std::pair<std::string, std::vector<float>>> cases{
        {"sum", {1, 2 + 10 + 30, 3 + 20, 4}},
        {"sub", {1, 2 - 10 - 30, 3 - 20, 4}},
        {"prod", {1, 2 * 10 * 30, 3 * 20, 4}},
        {"min", {1, 2, 3, 4}},
        {"max", {1, 30, 20, 4}},
        {"none", {1, 30, 20, 4}}};
    for (const auto& [reduction, expected] : cases) {
        CAPTURE(reduction);
        const auto outputs = run_op("ScatterNDUpdate", "opset15", {data, indices, updates},
                                    {{"reduction", reduction}});
        check_close(outputs[0], {2, 2}, expected);
    }
    // integer data; a negative coordinate counts from the end
    const auto outputs = run_op("ScatterNDUpdate", "opset15",
                                {i32({3}, {1, 2, 3}), i64({2, 1}, {-1, -1}), i32({2}, {5, 6})},
                                {{"reduction", "sum"}});
    check_equal(outputs[0], {3}, {1, 2, 3 + 5 + 6});
}

TEST_CASE("ScatterNDUpdate rejects bad inputs") {
    const graph::PortType data{ElementType::f32, PartialShape{4, 2}};
    // updates must be indices.shape[:-1] + data.shape[K:]
    CHECK_THROWS_AS(
        infer_op(
            "ScatterNDUpdate", "opset3",
            {data, {ElementType::i64, PartialShape{3, 1}}, {ElementType::f32, PartialShape{3, 3}}}),
        es::Error);
    CHECK_THROWS_AS(
        infer_op(
            "ScatterNDUpdate", "opset3",
            {data, {ElementType::i64, PartialShape{3, 3}}, {ElementType::f32, PartialShape{3}}}),
        es::Error);
    CHECK_THROWS_AS(
        infer_op(
            "ScatterNDUpdate", "opset3",
            {data, {ElementType::f32, PartialShape{3, 1}}, {ElementType::f32, PartialShape{3, 2}}}),
        es::Error);
    CHECK_THROWS_AS(
        infer_op(
            "ScatterNDUpdate", "opset15",
            {data, {ElementType::i64, PartialShape{3, 1}}, {ElementType::f32, PartialShape{3, 2}}},
            {{"reduction", "mean"}}),
        es::Error);
    // a coordinate outside the data
    CHECK_THROWS_AS(
        run_op("ScatterNDUpdate", "opset3", {f32({2}, {1, 2}), i64({1, 1}, {2}), f32({1}, {5})}),
        es::Error);
    const auto types = infer_op("ScatterNDUpdate", "opset15",
                                {{ElementType::f32, PartialShape{k_dynamic, 2}},
                                 {ElementType::i32, PartialShape{k_dynamic, 1}},
                                 {ElementType::f32, PartialShape{k_dynamic, 2}}},
                                {{"reduction", "sum"}});
    CHECK(types[0].shape == PartialShape({k_dynamic, 2}));
}
