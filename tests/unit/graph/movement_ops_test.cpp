#include "tests/support/op_testing.h"

#include <limits>

using namespace es;
using namespace es::testing;
using graph::PortType;

namespace {

PortType port(ElementType type, PartialShape shape) {
    return {type, std::move(shape)};
}

const PartialShape k_scalar(std::vector<int64_t>{});

std::vector<float> range_of(int count) {
    std::vector<float> values(static_cast<size_t>(count));
    for (int i = 0; i < count; ++i)
        values[static_cast<size_t>(i)] = static_cast<float>(i);
    return values;
}

// StridedSlice with masks given as attribute text ("" leaves a mask out).
std::vector<Tensor> strided_slice(const Tensor& data, const std::vector<int64_t>& begin,
                                  const std::vector<int64_t>& end,
                                  const std::vector<int64_t>& strides,
                                  graph::Attributes masks = {}) {
    const auto n = static_cast<int64_t>(begin.size());
    for (const char* mask : {"begin_mask", "end_mask"})
        if (!masks.has(mask)) masks.set(mask, "");
    return run_op("StridedSlice", "opset1",
                  {data, i64({n}, begin), i64({n}, end), i64({n}, strides)}, masks);
}

std::vector<Tensor> slice(const Tensor& data, const std::vector<int64_t>& start,
                          const std::vector<int64_t>& stop, const std::vector<int64_t>& step,
                          const std::vector<int64_t>& axes) {
    const auto n = static_cast<int64_t>(start.size());
    return run_op("Slice", "opset8",
                  {data, i64({n}, start), i64({n}, stop), i64({n}, step), i64({n}, axes)});
}

std::vector<Tensor> pad(const std::string& version, const std::string& mode, const Tensor& data,
                        const std::vector<int64_t>& begin, const std::vector<int64_t>& end) {
    const auto n = static_cast<int64_t>(begin.size());
    return run_op("Pad", version, {data, i64({n}, begin), i64({n}, end)}, {{"pad_mode", mode}});
}

// The 3x4 matrix 1..12 of the Pad specification's examples.
Tensor pad_data() {
    return f32({3, 4}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
}

}  // namespace

TEST_CASE("Concat joins along a negative axis and along axis 0") {
    const Tensor a = f32({2, 2}, {1, 2, 3, 4});
    check_close(run_op("Concat", "opset1", {a, f32({2, 1}, {5, 6})}, {{"axis", "-1"}})[0], {2, 3},
                {1, 2, 5, 3, 4, 6});
    check_close(run_op("Concat", "opset1", {a, f32({1, 2}, {7, 8}), a}, {{"axis", "0"}})[0], {5, 2},
                {1, 2, 3, 4, 7, 8, 1, 2, 3, 4});
    check_equal(run_op("Concat", "opset1", {i64({1}, {2}), i64({0}, {}), i64({2}, {-1, 7})},
                       {{"axis", "0"}})[0],
                {3}, {2, -1, 7});
    check_equal(run_op("Concat", "opset1",
                       {make_tensor<bool>({1, 1}, {true}), make_tensor<bool>({1, 1}, {false})},
                       {{"axis", "1"}})[0],
                {1, 2}, {1, 0});
}

TEST_CASE("Concat rejects mismatched inputs and axes") {
    const Tensor a = f32({2, 2}, {1, 2, 3, 4});
    CHECK_THROWS_AS(run_op("Concat", "opset1", {a, f32({3, 1}, {1, 2, 3})}, {{"axis", "1"}}),
                    es::Error);
    CHECK_THROWS_AS(run_op("Concat", "opset1", {a, a}, {{"axis", "2"}}), es::Error);
    CHECK_THROWS_AS(run_op("Concat", "opset1", {a, i32({2, 2}, {1, 2, 3, 4})}, {{"axis", "0"}}),
                    es::Error);
    CHECK_THROWS_AS(run_op("Concat", "opset1", {a, iota_f32({2})}, {{"axis", "0"}}), es::Error);
}

TEST_CASE("Concat infers dynamic shapes") {
    CHECK(infer_op("Concat", "opset1",
                   {port(ElementType::f32, {-1, 2}), port(ElementType::f32, {3, -1})},
                   {{"axis", "0"}})[0]
              .shape == PartialShape{-1, 2});
    CHECK(infer_op("Concat", "opset1",
                   {port(ElementType::f32, {2, 3}), port(ElementType::f32, {4, 3})},
                   {{"axis", "-2"}})[0]
              .shape == PartialShape{6, 3});
    CHECK(infer_op("Concat", "opset1",
                   {port(ElementType::f32, PartialShape::dynamic_rank()),
                    port(ElementType::f32, {2, 3})},
                   {{"axis", "1"}})[0]
              .shape == PartialShape{2, -1});
}

TEST_CASE("Split cuts an axis into equal parts") {
    auto parts =
        run_op("Split", "opset1", {iota_f32({2, 6}), i64({}, {-1})}, {{"num_splits", "3"}});
    REQUIRE(parts.size() == 3);
    check_close(parts[0], {2, 2}, {0, 1, 6, 7});
    check_close(parts[1], {2, 2}, {2, 3, 8, 9});
    check_close(parts[2], {2, 2}, {4, 5, 10, 11});
    auto rows =
        run_op("Split", "opset1", {i32({2, 2}, {1, 2, 3, 4}), i32({}, {0})}, {{"num_splits", "2"}});
    check_equal(rows[0], {1, 2}, {1, 2});
    check_equal(rows[1], {1, 2}, {3, 4});
}

TEST_CASE("Split rejects uneven splits and bad axes") {
    CHECK_THROWS_AS(
        run_op("Split", "opset1", {iota_f32({2, 6}), i64({}, {1})}, {{"num_splits", "4"}}),
        es::Error);
    CHECK_THROWS_AS(
        run_op("Split", "opset1", {iota_f32({2, 6}), i64({}, {2})}, {{"num_splits", "2"}}),
        es::Error);
    CHECK_THROWS_AS(
        run_op("Split", "opset1", {iota_f32({2, 6}), i64({}, {1})}, {{"num_splits", "0"}}),
        es::Error);
}

TEST_CASE("Split infers dynamic shapes") {
    const auto data = port(ElementType::f32, {-1, 6});
    auto unknown_axis = infer_op("Split", "opset1", {data, port(ElementType::i64, k_scalar)},
                                 {{"num_splits", "2"}});
    REQUIRE(unknown_axis.size() == 2);
    CHECK(unknown_axis[1].shape == PartialShape::dynamic_of_rank(2));
    auto known_axis = infer_op("Split", "opset1", {data, port(ElementType::i64, k_scalar)},
                               {{"num_splits", "3"}}, {Tensor(), i64({}, {1})});
    CHECK(known_axis[2].shape == PartialShape{-1, 2});
}

TEST_CASE("VariadicSplit infers one -1 length") {
    auto parts =
        run_op("VariadicSplit", "opset1", {iota_f32({2, 5}), i64({}, {1}), i64({3}, {1, -1, 2})});
    REQUIRE(parts.size() == 3);
    check_close(parts[0], {2, 1}, {0, 5});
    check_close(parts[1], {2, 2}, {1, 2, 6, 7});
    check_close(parts[2], {2, 2}, {3, 4, 8, 9});
    auto with_empty = run_op("VariadicSplit", "opset1",
                             {i64({4}, {1, 2, 3, 4}), i32({}, {-1}), i32({3}, {0, 3, -1})});
    check_equal(with_empty[0], {0}, {});
    check_equal(with_empty[1], {3}, {1, 2, 3});
    check_equal(with_empty[2], {1}, {4});
}

TEST_CASE("VariadicSplit rejects bad lengths") {
    const Tensor data = iota_f32({2, 5});
    CHECK_THROWS_AS(run_op("VariadicSplit", "opset1", {data, i64({}, {1}), i64({2}, {-1, -1})}),
                    es::Error);
    CHECK_THROWS_AS(run_op("VariadicSplit", "opset1", {data, i64({}, {1}), i64({2}, {1, 2})}),
                    es::Error);
    CHECK_THROWS_AS(run_op("VariadicSplit", "opset1", {data, i64({}, {1}), i64({2}, {6, -1})}),
                    es::Error);
    CHECK_THROWS_AS(run_op("VariadicSplit", "opset1", {data, i64({}, {1}), i64({2}, {-2, 7})}),
                    es::Error);
}

TEST_CASE("VariadicSplit infers dynamic shapes") {
    auto outputs = infer_op("VariadicSplit", "opset1",
                            {port(ElementType::f32, {-1, 5}), port(ElementType::i64, k_scalar),
                             port(ElementType::i64, {2})},
                            {}, {Tensor(), i64({}, {0}), i64({2}, {2, -1})});
    REQUIRE(outputs.size() == 2);
    CHECK(outputs[0].shape == PartialShape{2, 5});
    CHECK(outputs[1].shape == PartialShape{-1, 5});
}

TEST_CASE("Gather takes slices along an axis, negative axes included") {
    const Tensor data = f32({3, 2}, {1, 2, 3, 4, 5, 6});
    check_close(run_op("Gather", "opset1", {data, i64({2}, {2, 0}), i64({}, {0})})[0], {2, 2},
                {5, 6, 1, 2});
    check_close(run_op("Gather", "opset1", {data, i32({1}, {1}), i64({1}, {-1})})[0], {3, 1},
                {2, 4, 6});
    check_close(run_op("Gather", "opset7", {data, i64({}, {1}), i32({}, {0})})[0], {2}, {3, 4});
    check_close(run_op("Gather", "opset8", {data, i64({2, 2}, {0, 1, 1, 0}), i64({}, {1})})[0],
                {3, 2, 2}, {1, 2, 2, 1, 3, 4, 4, 3, 5, 6, 6, 5});
    check_equal(
        run_op("Gather", "opset8",
               {make_tensor<bool>({3}, {true, false, true}), i64({2}, {1, 2}), i64({}, {0})})[0],
        {2}, {0, 1});
    check_equal(run_op("Gather", "opset8",
                       {make_tensor<uint8_t>({3}, {7, 8, 9}), i64({1}, {2}), i64({}, {0})})[0],
                {1}, {9});
}

TEST_CASE("Gather with batch_dims follows the specification's examples") {
    const Tensor data = i32({2, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
    const Tensor indices = i64({2, 3}, {0, 0, 4, 4, 0, 0});
    check_equal(run_op("Gather", "opset7", {data, indices, i64({}, {1})}, {{"batch_dims", "1"}})[0],
                {2, 3}, {1, 1, 5, 10, 6, 6});
    check_equal(
        run_op("Gather", "opset7", {data, indices, i64({}, {1})}, {{"batch_dims", "-1"}})[0],
        {2, 3}, {1, 1, 5, 10, 6, 6});
    // Example 4: batch_dims 1, axis 2.
    std::vector<int32_t> values(40);
    for (int32_t i = 0; i < 40; ++i)
        values[static_cast<size_t>(i)] = i + 1;
    auto gathered =
        run_op("Gather", "opset8",
               {i32({2, 1, 5, 4}, values), i64({2, 3}, {1, 2, 4, 4, 3, 2}), i64({}, {2})},
               {{"batch_dims", "1"}});
    check_equal(gathered[0], {2, 1, 3, 4}, {5,  6,  7,  8,  9,  10, 11, 12, 17, 18, 19, 20,
                                            37, 38, 39, 40, 33, 34, 35, 36, 29, 30, 31, 32});
}

TEST_CASE("Gather-8 counts negative indices from the end and zeroes out-of-range ones") {
    const Tensor data = i64({5}, {1, 2, 3, 4, 5});
    check_equal(run_op("Gather", "opset8", {data, i64({3}, {0, -2, -1}), i64({}, {0})})[0], {3},
                {1, 4, 5});
    check_equal(run_op("Gather", "opset8", {data, i64({3}, {3, 10, -20}), i64({}, {0})})[0], {3},
                {4, 0, 0});
}

TEST_CASE("Gather before v8 rejects out-of-range indices") {
    const Tensor data = i64({5}, {1, 2, 3, 4, 5});
    CHECK_THROWS_AS(run_op("Gather", "opset7", {data, i64({1}, {5}), i64({}, {0})}), es::Error);
    CHECK_THROWS_AS(run_op("Gather", "opset1", {data, i64({1}, {-6}), i64({}, {0})}), es::Error);
    CHECK_THROWS_AS(run_op("Gather", "opset8", {data, i64({1}, {0}), i64({}, {1})}), es::Error);
    CHECK_THROWS_AS(run_op("Gather", "opset8", {data, f32({1}, {0}), i64({}, {0})}), es::Error);
    const Tensor matrix = iota_f32({2, 3});
    CHECK_THROWS_AS(run_op("Gather", "opset7", {matrix, i64({3, 1}, {0, 0, 0}), i64({}, {1})},
                           {{"batch_dims", "1"}}),
                    es::Error);
    CHECK_THROWS_AS(run_op("Gather", "opset7", {matrix, i64({2, 1}, {0, 0}), i64({}, {0})},
                           {{"batch_dims", "1"}}),
                    es::Error);
}

TEST_CASE("Gather infers dynamic shapes") {
    const auto data = port(ElementType::f32, {-1, 5});
    const auto indices = port(ElementType::i64, {2, 3});
    CHECK(infer_op("Gather", "opset8", {data, indices, port(ElementType::i64, k_scalar)}, {},
                   {Tensor(), Tensor(), i64({}, {1})})[0]
              .shape == PartialShape{-1, 2, 3});
    CHECK(
        infer_op("Gather", "opset8", {data, indices, port(ElementType::i64, k_scalar)})[0].shape ==
        PartialShape::dynamic_of_rank(3));
    CHECK(infer_op("Gather", "opset8",
                   {data, port(ElementType::i64, {4, -1}), port(ElementType::i64, k_scalar)},
                   {{"batch_dims", "1"}}, {Tensor(), Tensor(), i64({}, {1})})[0]
              .shape == PartialShape{4, -1});
}

TEST_CASE("StridedSlice follows the specification's basic example") {
    // array[0:4, 1:4, 0:4:2, 1:4:2, 3:0:-1, 3:0:-2]; the spec's comment lists 4 elements for
    // 3:0:-1, but Python (and OpenVINO) take 3, 2, 1.
    const auto data = port(ElementType::f32, {4, 4, 4, 4, 4, 4});
    const auto bounds = port(ElementType::i64, {6});
    auto out = infer_op("StridedSlice", "opset1", {data, bounds, bounds, bounds},
                        {{"begin_mask", ""}, {"end_mask", ""}},
                        {Tensor(), i64({6}, {0, 1, 0, 1, 3, 3}), i64({6}, {4, 4, 4, 4, 0, 0}),
                         i64({6}, {1, 1, 2, 2, -1, -2})});
    CHECK(out[0].shape == PartialShape{4, 3, 2, 2, 3, 2});
}

TEST_CASE("StridedSlice with negative strides and clamped bounds") {
    const Tensor data = iota_f32({10});
    check_close(strided_slice(data, {8}, {1}, {-3})[0], {3}, {8, 5, 2});
    check_close(strided_slice(data, {0}, {0}, {-1}, {{"begin_mask", "1"}, {"end_mask", "1"}})[0],
                {10}, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0});
    check_close(strided_slice(data, {100}, {-100}, {-4})[0], {3}, {9, 5, 1});
    check_close(strided_slice(data, {-3}, {100}, {1})[0], {3}, {7, 8, 9});
    check_close(strided_slice(data, {5}, {2}, {1})[0], {0}, {});
    // array[0:2, 0:2, 0:-1] on 2x3x4
    check_close(strided_slice(iota_f32({2, 3, 4}), {0, 0, 0}, {2, 2, -1}, {1, 1, 1})[0], {2, 2, 3},
                {0, 1, 2, 4, 5, 6, 12, 13, 14, 16, 17, 18});
}

TEST_CASE("StridedSlice begin_mask and end_mask, also in reverse") {
    // array[1:, :, ::-1] on 2x3x4.
    auto out = strided_slice(iota_f32({2, 3, 4}), {1, 1, 123}, {0, 0, 2}, {1, 1, -1},
                             {{"begin_mask", "0,1,1"}, {"end_mask", "1,1,1"}});
    check_close(out[0], {1, 3, 4}, {15, 14, 13, 12, 19, 18, 17, 16, 23, 22, 21, 20});
}

TEST_CASE("StridedSlice new_axis_mask ignores the entry's bounds") {
    // array[np.newaxis, 0:2, np.newaxis, 0:4] on 2x4.
    auto out = strided_slice(iota_f32({2, 4}), {1234, 0, -1, 0}, {1234, 2, 9876, 4},
                             {132, 1, 241, 1}, {{"new_axis_mask", "1,0,1,0"}});
    check_close(out[0], {1, 2, 1, 4}, range_of(8));
}

TEST_CASE("StridedSlice shrink_axis_mask removes the axis") {
    // array[0:1, 1, 0:3, 0:2] and array[0:1, -1, ...] on 1x2x3x2.
    const Tensor data = iota_f32({1, 2, 3, 2});
    const std::vector<float> second{6, 7, 8, 9, 10, 11};
    check_close(strided_slice(data, {0, 1, 0, 0}, {1, 1, 3, 2}, {1, 1, 1, 1},
                              {{"shrink_axis_mask", "0,1"}})[0],
                {1, 3, 2}, second);
    check_close(strided_slice(data, {0, -1, 0, 0}, {1, 0, 3, 2}, {1, 1, 1, 1},
                              {{"shrink_axis_mask", "0,1,0,0"}})[0],
                {1, 3, 2}, second);
    check_close(strided_slice(iota_f32({3}), {2}, {0}, {1}, {{"shrink_axis_mask", "1"}})[0], {},
                {2});
    CHECK_THROWS_AS(strided_slice(data, {0, 2}, {1, 3}, {1, 1}, {{"shrink_axis_mask", "0,1"}}),
                    es::Error);
}

TEST_CASE("StridedSlice ellipsis_mask covers the axes left over") {
    // array[0:1, ..., 1:3] on 2x3x4.
    check_close(strided_slice(iota_f32({2, 3, 4}), {0, 0, 1}, {1, 0, 3}, {1, 1, 1},
                              {{"ellipsis_mask", "0,1"}})[0],
                {1, 3, 2}, {1, 2, 5, 6, 9, 10});
    // array[..., 1] with shrink: the last column.
    check_close(strided_slice(iota_f32({2, 3}), {0, 1}, {0, 2}, {1, 1},
                              {{"ellipsis_mask", "1"}, {"shrink_axis_mask", "0,1"}})[0],
                {2}, {1, 4});
    // array[2:, ..., np.newaxis, :5] on a 10-D array (the specification's last example).
    const auto data = port(ElementType::f32, PartialShape(std::vector<int64_t>(10, 10)));
    const auto bounds = port(ElementType::i64, {4});
    auto out = infer_op(
        "StridedSlice", "opset1", {data, bounds, bounds, bounds},
        {{"begin_mask", "0,0,1,1"},
         {"end_mask", "1,1,0,0"},
         {"new_axis_mask", "0,0,1"},
         {"ellipsis_mask", "0,1"}},
        {Tensor(), i64({4}, {2, 1, 10, 10}), i64({4}, {123, 1, 10, 5}), i64({4}, {1, -1, 1, 1})});
    CHECK(out[0].shape == PartialShape{8, 10, 10, 10, 10, 10, 10, 10, 10, 1, 5});
}

TEST_CASE("StridedSlice slices every element type") {
    check_equal(
        strided_slice(make_tensor<bool>({4}, {true, false, false, true}), {3}, {0}, {-2})[0], {2},
        {1, 0});
    check_equal(strided_slice(i64({2, 2}, {1, 2, 3, 4}), {0, 1}, {2, 2}, {1, 1})[0], {2, 1},
                {2, 4});
}

TEST_CASE("StridedSlice rejects bad masks, strides and lengths") {
    const Tensor data = iota_f32({2, 3});
    CHECK_THROWS_AS(strided_slice(data, {0, 0}, {1, 1}, {1, 0}), es::Error);
    CHECK_THROWS_AS(strided_slice(data, {0, 0}, {1, 1}, {1, 1}, {{"ellipsis_mask", "1,1"}}),
                    es::Error);
    CHECK_THROWS_AS(strided_slice(data, {0, 0, 0}, {1, 1, 1}, {1, 1, 1}), es::Error);
    CHECK_THROWS_AS(
        run_op("StridedSlice", "opset1", {data, i64({2}, {0, 0}), i64({1}, {1}), i64({2}, {1, 1})},
               {{"begin_mask", ""}, {"end_mask", ""}}),
        es::Error);
}

TEST_CASE("StridedSlice infers dynamic shapes") {
    const auto data = port(ElementType::f32, {2, 3, 4});
    const auto bounds = port(ElementType::i64, {3});
    CHECK(infer_op("StridedSlice", "opset1", {data, bounds, bounds},
                   {{"begin_mask", ""}, {"end_mask", ""}})[0]
              .shape == PartialShape{-1, -1, -1});
    CHECK(infer_op("StridedSlice", "opset1", {data, bounds, bounds},
                   {{"begin_mask", "1,1,1"}, {"end_mask", "1,1,1"}})[0]
              .shape == PartialShape{2, 3, 4});
    CHECK(infer_op("StridedSlice", "opset1", {data, bounds, bounds},
                   {{"begin_mask", ""}, {"end_mask", ""}, {"shrink_axis_mask", "1"}})[0]
              .shape == PartialShape{-1, -1});
    const auto pair = port(ElementType::i64, {2});
    CHECK(infer_op("StridedSlice", "opset1", {port(ElementType::f32, {-1, 4}), pair, pair},
                   {{"begin_mask", ""}, {"end_mask", ""}},
                   {Tensor(), i64({2}, {0, 1}), i64({2}, {1, 3})})[0]
              .shape == PartialShape{-1, 2});
    CHECK(infer_op("StridedSlice", "opset1",
                   {port(ElementType::f32, PartialShape::dynamic_rank()), pair, pair},
                   {{"begin_mask", ""}, {"end_mask", ""}})[0]
              .shape == PartialShape::dynamic_rank());
}

TEST_CASE("Slice follows Python slicing (specification examples)") {
    const Tensor data = iota_f32({10});
    check_close(slice(data, {1}, {8}, {1}, {0})[0], {7}, {1, 2, 3, 4, 5, 6, 7});
    check_close(slice(data, {1}, {8}, {2}, {0})[0], {4}, {1, 3, 5, 7});
    check_close(slice(data, {-100}, {100}, {1}, {0})[0], {10}, range_of(10));
    check_close(slice(data, {9}, {-11}, {-1}, {0})[0], {10}, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0});
    check_close(slice(data, {9}, {0}, {-1}, {0})[0], {9}, {9, 8, 7, 6, 5, 4, 3, 2, 1});
    check_close(slice(data, {9}, {-10}, {-1}, {0})[0], {9}, {9, 8, 7, 6, 5, 4, 3, 2, 1});
    check_close(slice(data, {9}, {-11}, {-2}, {0})[0], {5}, {9, 7, 5, 3, 1});
    check_close(slice(data, {100}, {-100}, {-1}, {0})[0], {10}, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0});
    constexpr int64_t min = std::numeric_limits<int64_t>::min();
    constexpr int64_t max = std::numeric_limits<int64_t>::max();
    check_close(slice(data, {-1}, {min}, {-4}, {0})[0], {3}, {9, 5, 1});
    check_close(slice(data, {7}, {max}, {max}, {0})[0], {1}, {7});
    check_close(slice(iota_f32({2, 5}), {0, 1}, {2, 4}, {1, 2}, {0, 1})[0], {2, 2}, {1, 3, 6, 8});
    check_close(slice(iota_f32({2, 5}), {1}, {3}, {1}, {-1})[0], {2, 2}, {1, 2, 6, 7});
    auto default_axes =
        run_op("Slice", "opset8",
               {i32({2, 3}, {1, 2, 3, 4, 5, 6}), i64({1}, {1}), i64({1}, {2}), i64({1}, {1})});
    check_equal(default_axes[0], {1, 3}, {4, 5, 6});
}

TEST_CASE("Slice rejects zero steps and bad axes") {
    const Tensor data = iota_f32({2, 5});
    CHECK_THROWS_AS(slice(data, {0}, {1}, {0}, {0}), es::Error);
    CHECK_THROWS_AS(slice(data, {0, 0}, {1, 1}, {1, 1}, {1, -1}), es::Error);
    CHECK_THROWS_AS(slice(data, {0}, {1}, {1}, {2}), es::Error);
    CHECK_THROWS_AS(
        run_op("Slice", "opset8", {data, i64({2}, {0, 0}), i64({1}, {1}), i64({1}, {1})}),
        es::Error);
}

TEST_CASE("Slice infers dynamic shapes") {
    const auto data = port(ElementType::f32, {-1, 5, 6});
    const auto one = port(ElementType::i64, {1});
    CHECK(infer_op("Slice", "opset8", {data, one, one, one, one}, {},
                   {Tensor(), Tensor(), Tensor(), Tensor(), i64({1}, {1})})[0]
              .shape == PartialShape{-1, -1, 6});
    CHECK(infer_op("Slice", "opset8", {data, one, one, one, one})[0].shape ==
          PartialShape::dynamic_of_rank(3));
    CHECK(infer_op("Slice", "opset8", {data, one, one, one, one}, {},
                   {Tensor(), i64({1}, {1}), i64({1}, {5}), i64({1}, {2}), i64({1}, {-1})})[0]
              .shape == PartialShape{-1, 5, 2});
}

TEST_CASE("Transpose permutes axes, an empty order reverses them") {
    check_close(run_op("Transpose", "opset1", {iota_f32({2, 3}), i64({2}, {1, 0})})[0], {3, 2},
                {0, 3, 1, 4, 2, 5});
    check_close(run_op("Transpose", "opset1", {iota_f32({2, 3}), i64({0}, {})})[0], {3, 2},
                {0, 3, 1, 4, 2, 5});
    check_close(run_op("Transpose", "opset1", {iota_f32({2, 2, 3}), i32({3}, {2, 0, 1})})[0],
                {3, 2, 2}, {0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11});
    check_equal(run_op("Transpose", "opset1", {i64({1, 2}, {5, -6}), i64({2}, {1, 0})})[0], {2, 1},
                {5, -6});
}

TEST_CASE("Transpose rejects orders that are not permutations") {
    const Tensor data = iota_f32({2, 3});
    CHECK_THROWS_AS(run_op("Transpose", "opset1", {data, i64({2}, {0, 0})}), es::Error);
    CHECK_THROWS_AS(run_op("Transpose", "opset1", {data, i64({3}, {0, 1, 2})}), es::Error);
    CHECK_THROWS_AS(run_op("Transpose", "opset1", {data, i64({2}, {-1, 0})}), es::Error);
}

TEST_CASE("Transpose infers dynamic shapes") {
    const auto data = port(ElementType::f32, {-1, 3});
    CHECK(infer_op("Transpose", "opset1", {data, port(ElementType::i64, {2})})[0].shape ==
          PartialShape::dynamic_of_rank(2));
    CHECK(infer_op("Transpose", "opset1", {data, port(ElementType::i64, {2})}, {},
                   {Tensor(), i64({2}, {1, 0})})[0]
              .shape == PartialShape{3, -1});
}

TEST_CASE("Broadcast numpy mode repeats leading and size-1 axes") {
    check_close(run_op("Broadcast", "opset1", {f32({3}, {1, 2, 3}), i64({2}, {2, 3})})[0], {2, 3},
                {1, 2, 3, 1, 2, 3});
    check_close(run_op("Broadcast", "opset3", {f32({2, 1}, {1, 2}), i32({2}, {2, 3})},
                       {{"mode", "numpy"}})[0],
                {2, 3}, {1, 1, 1, 2, 2, 2});
    check_equal(run_op("Broadcast", "opset3", {make_tensor<bool>({}, {true}), i64({1}, {3})})[0],
                {3}, {1, 1, 1});
}

TEST_CASE("Broadcast explicit mode maps axes through axes_mapping") {
    check_close(
        run_op("Broadcast", "opset1", {f32({3}, {1, 2, 3}), i64({2}, {3, 2}), i64({1}, {0})},
               {{"mode", "explicit"}})[0],
        {3, 2}, {1, 1, 2, 2, 3, 3});
    check_equal(
        run_op("Broadcast", "opset3", {i32({2, 1}, {4, 5}), i64({3}, {2, 2, 3}), i64({2}, {0, 2})},
               {{"mode", "explicit"}})[0],
        {2, 2, 3}, {4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5});
}

TEST_CASE("Broadcast bidirectional mode (v3) broadcasts both ways") {
    check_close(run_op("Broadcast", "opset3", {f32({3, 1}, {1, 2, 3}), i64({3}, {2, 1, 4})},
                       {{"mode", "bidirectional"}})[0],
                {2, 3, 4},
                {1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3});
    check_close(run_op("Broadcast", "opset3", {f32({2, 2}, {1, 2, 3, 4}), i64({1}, {1})},
                       {{"mode", "bidirectional"}})[0],
                {2, 2}, {1, 2, 3, 4});
}

TEST_CASE("Broadcast rejects incompatible shapes and modes") {
    const Tensor data = f32({3}, {1, 2, 3});
    CHECK_THROWS_AS(run_op("Broadcast", "opset1", {data, i64({2}, {2, 4})}), es::Error);
    CHECK_THROWS_AS(
        run_op("Broadcast", "opset1", {data, i64({1}, {3})}, {{"mode", "bidirectional"}}),
        es::Error);
    CHECK_THROWS_AS(run_op("Broadcast", "opset3", {data, i64({2}, {3, 2}), i64({1}, {1})},
                           {{"mode", "explicit"}}),
                    es::Error);
    CHECK_THROWS_AS(
        run_op("Broadcast", "opset3", {iota_f32({2, 3}), i64({3}, {2, 3, 4}), i64({2}, {1, 0})},
               {{"mode", "explicit"}}),
        es::Error);
    CHECK_THROWS_AS(run_op("Broadcast", "opset3", {data, i64({2}, {3, 2})}, {{"mode", "explicit"}}),
                    es::Error);
    CHECK_THROWS_AS(
        run_op("Broadcast", "opset3", {data, i64({2}, {2, 4})}, {{"mode", "bidirectional"}}),
        es::Error);
}

TEST_CASE("Broadcast infers dynamic shapes") {
    const auto target = port(ElementType::i64, {4});
    CHECK(infer_op("Broadcast", "opset3", {port(ElementType::f32, {16}), target})[0].shape ==
          PartialShape::dynamic_of_rank(4));
    CHECK(infer_op("Broadcast", "opset3", {port(ElementType::f32, {-1}), target}, {},
                   {Tensor(), i64({4}, {1, 16, 50, 50})})[0]
              .shape == PartialShape{1, 16, 50, 50});
    CHECK(infer_op("Broadcast", "opset3",
                   {port(ElementType::f32, {-1, 1, 1}), port(ElementType::i64, {4})},
                   {{"mode", "bidirectional"}}, {Tensor(), i64({4}, {1, 1, 50, 50})})[0]
              .shape == PartialShape{1, -1, 50, 50});
}

TEST_CASE("Tile repeats data along each axis") {
    const Tensor data = f32({2, 2}, {1, 2, 3, 4});
    check_close(run_op("Tile", "opset1", {data, i64({2}, {1, 2})})[0], {2, 4},
                {1, 2, 1, 2, 3, 4, 3, 4});
    check_close(run_op("Tile", "opset1", {data, i64({1}, {2})})[0], {2, 4},
                {1, 2, 1, 2, 3, 4, 3, 4});
    check_close(run_op("Tile", "opset1", {data, i64({2}, {2, 1})})[0], {4, 2},
                {1, 2, 3, 4, 1, 2, 3, 4});
    check_equal(run_op("Tile", "opset1", {i32({2}, {1, 2}), i32({2}, {2, 2})})[0], {2, 4},
                {1, 2, 1, 2, 1, 2, 1, 2});
    check_close(run_op("Tile", "opset1", {data, i64({2}, {0, 3})})[0], {0, 6}, {});
}

TEST_CASE("Tile rejects negative repeats and infers dynamic shapes") {
    CHECK_THROWS_AS(run_op("Tile", "opset1", {iota_f32({2}), i64({1}, {-1})}), es::Error);
    CHECK_THROWS_AS(run_op("Tile", "opset1", {iota_f32({2}), f32({1}, {2})}), es::Error);
    const auto data = port(ElementType::f32, {-1, 3});
    CHECK(infer_op("Tile", "opset1", {data, port(ElementType::i64, {2})}, {},
                   {Tensor(), i64({2}, {2, 2})})[0]
              .shape == PartialShape{-1, 6});
    CHECK(infer_op("Tile", "opset1", {data, port(ElementType::i64, {3})})[0].shape ==
          PartialShape::dynamic_of_rank(3));
}

TEST_CASE("Range generates integer sequences with positive and negative steps") {
    auto up = run_op("Range", "opset4", {i64({}, {2}), i64({}, {23}), i64({}, {3})},
                     {{"output_type", "i32"}});
    REQUIRE(up[0].type() == ElementType::i32);
    check_equal(up[0], {7}, {2, 5, 8, 11, 14, 17, 20});
    check_equal(run_op("Range", "opset4", {i32({}, {23}), i32({}, {2}), i32({}, {-3})},
                       {{"output_type", "i64"}})[0],
                {7}, {23, 20, 17, 14, 11, 8, 5});
    check_equal(run_op("Range", "opset1", {i64({}, {2}), i64({}, {10}), i64({}, {3})})[0], {3},
                {2, 5, 8});
    check_equal(run_op("Range", "opset1", {i64({}, {5}), i64({}, {1}), i64({}, {1})})[0], {0}, {});
    // Inputs are cast toward zero before counting: 0, 3, 1.
    check_equal(run_op("Range", "opset4", {f32({}, {0.5f}), f32({}, {3.9f}), f32({}, {1.7f})},
                       {{"output_type", "i32"}})[0],
                {3}, {0, 1, 2});
}

TEST_CASE("Range generates float sequences") {
    check_close(run_op("Range", "opset4", {f32({}, {1}), f32({}, {2.5f}), f32({}, {0.5f})},
                       {{"output_type", "f32"}})[0],
                {3}, {1, 1.5f, 2});
    check_close(run_op("Range", "opset1", {f32({}, {1}), f32({}, {-0.5f}), f32({}, {-0.5f})})[0],
                {3}, {1, 0.5f, 0});
    check_close(run_op("Range", "opset4", {i64({}, {0}), f32({}, {1}), f32({}, {0.25f})},
                       {{"output_type", "f32"}})[0],
                {4}, {0, 0.25f, 0.5f, 0.75f});
}

TEST_CASE("Range rejects zero steps and mixed v1 types, infers a dynamic length") {
    CHECK_THROWS_AS(run_op("Range", "opset4", {i64({}, {0}), i64({}, {5}), i64({}, {0})},
                           {{"output_type", "i64"}}),
                    es::Error);
    CHECK_THROWS_AS(run_op("Range", "opset4", {f32({}, {0}), f32({}, {5}), f32({}, {0.5f})},
                           {{"output_type", "i64"}}),
                    es::Error);
    CHECK_THROWS_AS(run_op("Range", "opset1", {i64({}, {0}), i32({}, {5}), i64({}, {1})}),
                    es::Error);
    CHECK_THROWS_AS(run_op("Range", "opset1", {i64({2}, {0, 1}), i64({}, {5}), i64({}, {1})}),
                    es::Error);
    const auto scalar = port(ElementType::f32, k_scalar);
    CHECK(infer_op("Range", "opset4", {scalar, scalar, scalar}, {{"output_type", "f32"}})[0] ==
          port(ElementType::f32, {-1}));
}

TEST_CASE("Pad in every mode (specification, positive pads)") {
    const Tensor data = pad_data();
    check_close(pad("opset1", "constant", data, {0, 1}, {2, 3})[0], {5, 8},
                {0,  1, 2, 3, 4, 0, 0, 0, 0, 5, 6, 7, 8, 0, 0, 0, 0, 9, 10, 11,
                 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  0});
    check_close(pad("opset1", "edge", data, {0, 1}, {2, 3})[0], {5, 8},
                {1,  1,  2,  3,  4, 4, 4,  4,  5,  5,  6,  7,  8, 8, 8,  8,  9,  9,  10, 11,
                 12, 12, 12, 12, 9, 9, 10, 11, 12, 12, 12, 12, 9, 9, 10, 11, 12, 12, 12, 12});
    check_close(pad("opset12", "reflect", data, {0, 1}, {2, 3})[0], {5, 8},
                {2,  1,  2,  3, 4, 3, 2, 1, 6, 5, 6, 7, 8, 7, 6, 5, 10, 9, 10, 11,
                 12, 11, 10, 9, 6, 5, 6, 7, 8, 7, 6, 5, 2, 1, 2, 3, 4,  3, 2,  1});
    check_close(pad("opset12", "symmetric", data, {0, 1}, {2, 3})[0], {5, 8},
                {1,  1,  2,  3,  4, 4, 3,  2,  5,  5,  6,  7,  8, 8, 7, 6, 9, 9, 10, 11,
                 12, 12, 11, 10, 9, 9, 10, 11, 12, 12, 11, 10, 5, 5, 6, 7, 8, 8, 7,  6});
}

TEST_CASE("Pad-12 crops with negative pads in every mode") {
    for (const char* mode : {"constant", "edge", "reflect", "symmetric"})
        check_close(pad("opset12", mode, pad_data(), {-1, -1}, {-1, -1})[0], {1, 2}, {6, 7});
    const Tensor data = pad_data();
    check_close(pad("opset12", "constant", data, {2, -1}, {-1, 3})[0], {4, 6},
                {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 4, 0, 0, 0, 6, 7, 8, 0, 0, 0});
    check_close(pad("opset12", "edge", data, {2, -1}, {-1, 3})[0], {4, 6},
                {2, 3, 4, 4, 4, 4, 2, 3, 4, 4, 4, 4, 2, 3, 4, 4, 4, 4, 6, 7, 8, 8, 8, 8});
    check_close(pad("opset12", "reflect", data, {2, -1}, {-1, 3})[0], {4, 6},
                {10, 11, 12, 11, 10, 9, 6, 7, 8, 7, 6, 5, 2, 3, 4, 3, 2, 1, 6, 7, 8, 7, 6, 5});
    check_close(pad("opset12", "symmetric", data, {2, -1}, {-1, 3})[0], {4, 6},
                {6, 7, 8, 8, 7, 6, 2, 3, 4, 4, 3, 2, 2, 3, 4, 4, 3, 2, 6, 7, 8, 8, 7, 6});
    check_close(pad("opset12", "constant", data, {-5, 0}, {0, 0})[0], {0, 4}, {});
}

TEST_CASE("Pad fills constant mode with pad_value, for any element type") {
    check_close(
        run_op("Pad", "opset1", {f32({2}, {1, 2}), i64({1}, {1}), i64({1}, {2}), f32({}, {9})},
               {{"pad_mode", "constant"}})[0],
        {5}, {9, 1, 2, 9, 9});
    check_equal(run_op("Pad", "opset12",
                       {i32({1, 2}, {1, 2}), i32({2}, {1, 0}), i32({2}, {0, 1}), i32({}, {-7})},
                       {{"pad_mode", "constant"}})[0],
                {2, 3}, {-7, -7, -7, 1, 2, -7});
    check_equal(pad("opset12", "edge", make_tensor<bool>({2}, {true, false}), {1}, {1})[0], {4},
                {1, 1, 0, 0});
}

TEST_CASE("Pad rejects negative v1 pads and pads beyond what a mode can mirror") {
    const Tensor data = pad_data();
    CHECK_THROWS_AS(pad("opset1", "constant", data, {-1, 0}, {0, 0}), es::Error);
    CHECK_THROWS_AS(pad("opset12", "reflect", data, {0, 4}, {0, 0}), es::Error);
    CHECK_THROWS_AS(pad("opset12", "symmetric", data, {0, 0}, {0, 5}), es::Error);
    CHECK_THROWS_AS(pad("opset12", "wrap", data, {0, 0}, {0, 0}), es::Error);
    CHECK_THROWS_AS(pad("opset12", "constant", data, {0}, {0}), es::Error);
    CHECK_THROWS_AS(pad("opset12", "constant", data, {0, int64_t{1} << 50}, {0, 0}), es::Error);
    CHECK_THROWS_AS(
        run_op("Pad", "opset12", {data, i64({2}, {1, 1}), i64({2}, {1, 1}), i32({}, {0})},
               {{"pad_mode", "constant"}}),
        es::Error);
}

TEST_CASE("Pad infers dynamic shapes") {
    const auto data = port(ElementType::f32, {-1, 4});
    const auto pads = port(ElementType::i64, {2});
    CHECK(infer_op("Pad", "opset12", {data, pads, pads}, {{"pad_mode", "constant"}},
                   {Tensor(), i64({2}, {1, 1}), i64({2}, {1, -3})})[0]
              .shape == PartialShape{-1, 2});
    CHECK(infer_op("Pad", "opset12", {data, pads, pads}, {{"pad_mode", "edge"}})[0].shape ==
          PartialShape::dynamic_of_rank(2));
}

TEST_CASE("DepthToSpace in blocks_first and depth_first modes") {
    const Tensor channels = iota_f32({1, 8, 1, 1});
    check_close(run_op("DepthToSpace", "opset1", {channels},
                       {{"mode", "blocks_first"}, {"block_size", "2"}})[0],
                {1, 2, 2, 2}, {0, 2, 4, 6, 1, 3, 5, 7});
    check_close(run_op("DepthToSpace", "opset1", {channels},
                       {{"mode", "depth_first"}, {"block_size", "2"}})[0],
                {1, 2, 2, 2}, range_of(8));
    check_close(run_op("DepthToSpace", "opset1", {iota_f32({1, 4, 1, 2})},
                       {{"mode", "depth_first"}, {"block_size", "2"}})[0],
                {1, 1, 2, 4}, {0, 2, 1, 3, 4, 6, 5, 7});
    check_equal(run_op("DepthToSpace", "opset1", {i64({1, 2, 1}, {5, 6})},
                       {{"mode", "blocks_first"}, {"block_size", "2"}})[0],
                {1, 1, 2}, {5, 6});
}

TEST_CASE("DepthToSpace rejects channels that do not divide and bad attributes") {
    const graph::Attributes attributes{{"mode", "blocks_first"}, {"block_size", "2"}};
    CHECK_THROWS_AS(run_op("DepthToSpace", "opset1", {iota_f32({1, 6, 1, 1})}, attributes),
                    es::Error);
    CHECK_THROWS_AS(run_op("DepthToSpace", "opset1", {iota_f32({4, 4})}, attributes), es::Error);
    CHECK_THROWS_AS(run_op("DepthToSpace", "opset1", {iota_f32({1, 4, 1, 1})},
                           {{"mode", "columns_first"}, {"block_size", "2"}}),
                    es::Error);
    CHECK(
        infer_op("DepthToSpace", "opset1", {port(ElementType::f32, {-1, 12, -1, 5})}, attributes)[0]
            .shape == PartialShape{-1, 3, -1, 10});
}

TEST_CASE("SpaceToDepth in blocks_first and depth_first modes") {
    check_close(run_op("SpaceToDepth", "opset1", {iota_f32({1, 1, 2, 4})},
                       {{"mode", "blocks_first"}, {"block_size", "2"}})[0],
                {1, 4, 1, 2}, {0, 2, 1, 3, 4, 6, 5, 7});
    const Tensor data = iota_f32({1, 2, 2, 2});
    check_close(run_op("SpaceToDepth", "opset1", {data},
                       {{"mode", "blocks_first"}, {"block_size", "2"}})[0],
                {1, 8, 1, 1}, {0, 4, 1, 5, 2, 6, 3, 7});
    check_close(
        run_op("SpaceToDepth", "opset1", {data}, {{"mode", "depth_first"}, {"block_size", "2"}})[0],
        {1, 8, 1, 1}, range_of(8));
}

TEST_CASE("SpaceToDepth rejects spatial sizes that do not divide") {
    const graph::Attributes attributes{{"mode", "depth_first"}, {"block_size", "2"}};
    CHECK_THROWS_AS(run_op("SpaceToDepth", "opset1", {iota_f32({1, 1, 3, 2})}, attributes),
                    es::Error);
    CHECK_THROWS_AS(run_op("SpaceToDepth", "opset1", {iota_f32({1, 1, 2, 2})},
                           {{"mode", "depth_first"}, {"block_size", "0"}}),
                    es::Error);
    CHECK(
        infer_op("SpaceToDepth", "opset1", {port(ElementType::f32, {-1, 3, 4, -1})}, attributes)[0]
            .shape == PartialShape{-1, 12, 2, -1});
}

TEST_CASE("NonZero lists the coordinates of non-zero elements") {
    auto found = run_op("NonZero", "opset3", {f32({2, 2}, {1, 0, 0, 3})});
    REQUIRE(found[0].type() == ElementType::i64);
    check_equal(found[0], {2, 2}, {0, 1, 0, 1});
    auto flags = run_op("NonZero", "opset3",
                        {make_tensor<bool>({2, 3}, {false, true, true, false, false, true})},
                        {{"output_type", "i32"}});
    REQUIRE(flags[0].type() == ElementType::i32);
    check_equal(flags[0], {2, 3}, {0, 0, 1, 1, 2, 2});
    check_equal(run_op("NonZero", "opset3", {i32({3}, {0, 0, 0})})[0], {1, 0}, {});
    check_equal(run_op("NonZero", "opset3", {f32({}, {5})})[0], {1, 1}, {0});
    CHECK_THROWS_AS(run_op("NonZero", "opset3", {iota_f32({2})}, {{"output_type", "f32"}}),
                    es::Error);
}

TEST_CASE("NonZero output length is data dependent") {
    const auto data = port(ElementType::f32, {2, 3});
    CHECK(infer_op("NonZero", "opset3", {data})[0] == port(ElementType::i64, {2, -1}));
    CHECK(infer_op("NonZero", "opset3", {data}, {}, {f32({2, 3}, {0, 1, 0, 2, 0, 3})})[0] ==
          port(ElementType::i64, {2, 3}));
    CHECK(infer_op("NonZero", "opset3", {port(ElementType::f32, PartialShape::dynamic_rank())})[0]
              .shape == PartialShape{-1, -1});
}
