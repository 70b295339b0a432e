#include "tests/support/op_testing.h"

#include <limits>

using namespace es;
using namespace es::testing;
using es::graph::PortType;

namespace {

// [[1, 2, 3], [4, 5, 6]]
Tensor matrix() {
    return f32({2, 3}, {1, 2, 3, 4, 5, 6});
}

Tensor boolean(Shape shape, std::vector<bool> values) {
    Tensor tensor(ElementType::boolean, std::move(shape));
    REQUIRE(tensor.size() == values.size());
    for (size_t i = 0; i < values.size(); ++i)
        tensor.data<bool>()[i] = values[i];
    return tensor;
}

graph::Attributes keep(bool keep_dims) {
    return {{"keep_dims", keep_dims ? "true" : "false"}};
}

// TopK attributes.
graph::Attributes topk(const std::string& axis, const std::string& mode, const std::string& sort) {
    return {{"axis", axis}, {"mode", mode}, {"sort", sort}};
}

}  // namespace

TEST_CASE("ReduceSum over one axis with and without keep_dims") {
    auto rows = run_op("ReduceSum", "opset1", {matrix(), i64({1}, {1})}, keep(false));
    check_close(rows[0], {2}, {6, 15});
    auto kept = run_op("ReduceSum", "opset1", {matrix(), i64({1}, {1})}, keep(true));
    check_close(kept[0], {2, 1}, {6, 15});
    auto columns = run_op("ReduceSum", "opset1", {matrix(), i64({1}, {0})});
    check_close(columns[0], {3}, {5, 7, 9});
}

TEST_CASE("ReduceSum with negative, scalar, multiple and empty axes") {
    auto negative = run_op("ReduceSum", "opset1", {matrix(), i32({1}, {-1})}, keep(false));
    check_close(negative[0], {2}, {6, 15});
    auto scalar = run_op("ReduceSum", "opset1", {matrix(), i64({}, {-2})}, keep(true));
    check_close(scalar[0], {1, 3}, {5, 7, 9});
    auto all = run_op("ReduceSum", "opset1", {matrix(), i64({2}, {0, 1})}, keep(false));
    check_close(all[0], {}, {21});
    auto all_kept = run_op("ReduceSum", "opset1", {matrix(), i64({2}, {1, -2})}, keep(true));
    check_close(all_kept[0], {1, 1}, {21});
    // Empty axes: the identity.
    auto none = run_op("ReduceSum", "opset1", {matrix(), i64({0}, {})}, keep(false));
    check_close(none[0], {2, 3}, {1, 2, 3, 4, 5, 6});

    // [2, 2, 2] holding 0..7, axes {0, 2}: 0+1+4+5 and 2+3+6+7.
    auto outer = run_op("ReduceSum", "opset1", {iota_f32({2, 2, 2}), i64({2}, {0, 2})}, keep(true));
    check_close(outer[0], {1, 2, 1}, {10, 18});
}

TEST_CASE("ReduceSum on integers") {
    auto result = run_op("ReduceSum", "opset1", {i32({2, 2}, {1, -2, 3, 4}), i64({1}, {0})});
    REQUIRE(result[0].type() == ElementType::i32);
    check_equal(result[0], {2}, {4, 2});
}

TEST_CASE("ReduceProd on floats and shape integers") {
    auto rows = run_op("ReduceProd", "opset1", {matrix(), i64({1}, {1})});
    check_close(rows[0], {2}, {6, 120});

    // A shape subgraph: the element count of [1, 3, 224, 224].
    auto count =
        run_op("ReduceProd", "opset1", {i64({4}, {1, 3, 224, 224}), i64({1}, {0})}, keep(true));
    REQUIRE(count[0].type() == ElementType::i64);
    check_equal(count[0], {1}, {150528});
    auto count32 = run_op("ReduceProd", "opset1", {i32({3}, {2, -3, 4}), i64({}, {0})});
    check_equal(count32[0], {}, {-24});

    // Integer overflow wraps around instead of being undefined: 2^62 * 4 = 2^64 = 0 (mod 2^64).
    auto wrapped = run_op("ReduceProd", "opset1", {i64({2}, {int64_t{1} << 62, 4}), i64({1}, {0})});
    check_equal(wrapped[0], {}, {0});
}

TEST_CASE("ReduceMean on floats and integers") {
    auto rows = run_op("ReduceMean", "opset1", {matrix(), i64({1}, {-1})}, keep(true));
    check_close(rows[0], {2, 1}, {2, 5});
    auto all = run_op("ReduceMean", "opset1", {matrix(), i64({2}, {0, 1})});
    check_close(all[0], {}, {3.5f});
    // Integer mean truncates: 7 / 3 and -7 / 3.
    auto integers =
        run_op("ReduceMean", "opset1", {i32({2, 3}, {1, 2, 4, -1, -2, -4}), i64({1}, {1})});
    check_equal(integers[0], {2}, {2, -2});
}

TEST_CASE("ReduceMax and ReduceMin") {
    const Tensor data = f32({2, 3}, {-1, 5, -3, -4, 2, -6});
    auto max = run_op("ReduceMax", "opset1", {data, i64({1}, {0})}, keep(false));
    check_close(max[0], {3}, {-1, 5, -3});
    auto max_rows = run_op("ReduceMax", "opset1", {data, i64({1}, {1})}, keep(true));
    check_close(max_rows[0], {2, 1}, {5, 2});
    auto min = run_op("ReduceMin", "opset1", {data, i64({1}, {-1})}, keep(false));
    check_close(min[0], {2}, {-3, -6});
    auto min_all = run_op("ReduceMin", "opset1", {data, i64({2}, {0, 1})}, keep(true));
    check_close(min_all[0], {1, 1}, {-6});

    auto max_int = run_op("ReduceMax", "opset1", {i64({3}, {-7, -2, -9}), i64({1}, {0})});
    check_equal(max_int[0], {}, {-2});
    auto min_int = run_op("ReduceMin", "opset1", {i32({2, 2}, {3, 1, -5, 8}), i64({1}, {1})});
    check_equal(min_int[0], {2}, {1, -5});
}

TEST_CASE("ReduceL1 and ReduceL2") {
    auto l1 = run_op("ReduceL1", "opset4", {f32({2, 2}, {1, -2, -3, 4}), i64({1}, {1})});
    check_close(l1[0], {2}, {3, 7});
    auto l1_kept =
        run_op("ReduceL1", "opset4", {f32({2, 2}, {1, -2, -3, 4}), i64({1}, {0})}, keep(true));
    check_close(l1_kept[0], {1, 2}, {4, 6});
    auto l1_int = run_op("ReduceL1", "opset4", {i32({3}, {-1, -2, 3}), i64({1}, {0})});
    check_equal(l1_int[0], {}, {6});

    auto l2 = run_op("ReduceL2", "opset4", {f32({2, 2}, {3, -4, 6, 8}), i64({1}, {-1})});
    check_close(l2[0], {2}, {5, 10});
    auto l2_all =
        run_op("ReduceL2", "opset4", {f32({2, 2}, {1, 1, 1, 1}), i64({2}, {0, 1})}, keep(true));
    check_close(l2_all[0], {1, 1}, {2});
    // ReduceL1/L2 first appear in opset4.
    CHECK_THROWS_AS(run_op("ReduceL2", "opset1", {f32({1}, {1}), i64({1}, {0})}), es::Error);
}

TEST_CASE("ReduceLogicalAnd and ReduceLogicalOr") {
    const Tensor data = boolean({2, 2}, {true, false, true, true});
    auto all = run_op("ReduceLogicalAnd", "opset1", {data, i64({1}, {1})});
    REQUIRE(all[0].type() == ElementType::boolean);
    check_equal(all[0], {2}, {0, 1});
    auto any = run_op("ReduceLogicalOr", "opset1", {data, i64({1}, {0})}, keep(true));
    check_equal(any[0], {1, 2}, {1, 1});
    CHECK_THROWS_AS(run_op("ReduceLogicalAnd", "opset1", {matrix(), i64({1}, {0})}), es::Error);
}

TEST_CASE("ReduceSum shape inference with dynamic shapes") {
    const PortType data{ElementType::f32, {-1, 3, -1}};
    const PortType axes{ElementType::i64, {1}};
    auto removed =
        infer_op("ReduceSum", "opset1", {data, axes}, keep(false), {Tensor(), i64({1}, {1})});
    CHECK(removed[0] == PortType{ElementType::f32, {-1, -1}});
    auto kept =
        infer_op("ReduceSum", "opset1", {data, axes}, keep(true), {Tensor(), i64({1}, {-1})});
    CHECK(kept[0] == PortType{ElementType::f32, {-1, 3, 1}});

    // Unknown axes values: keep_dims keeps the rank (and dimensions of 1).
    auto unknown_kept =
        infer_op("ReduceMean", "opset1", {{ElementType::f32, {1, 8, 5}}, axes}, keep(true));
    CHECK(unknown_kept[0] == PortType{ElementType::f32, {1, -1, -1}});
    auto unknown = infer_op("ReduceMean", "opset1", {data, axes}, keep(false));
    CHECK(unknown[0] == PortType{ElementType::f32, PartialShape()});
    auto no_axes = infer_op("ReduceMax", "opset1", {data, {ElementType::i32, {0}}}, keep(false));
    CHECK(no_axes[0] == data);
    auto unranked = infer_op("ReduceMin", "opset1", {{ElementType::f32, PartialShape()}, axes},
                             keep(true), {Tensor(), i64({1}, {0})});
    CHECK(unranked[0] == PortType{ElementType::f32, PartialShape()});
}

TEST_CASE("ReduceSum rejects bad axes and data") {
    CHECK_THROWS_AS(run_op("ReduceSum", "opset1", {matrix(), i64({1}, {2})}), es::Error);
    CHECK_THROWS_AS(run_op("ReduceSum", "opset1", {matrix(), i64({1}, {-3})}), es::Error);
    CHECK_THROWS_AS(run_op("ReduceSum", "opset1", {matrix(), i64({1, 1}, {0})}), es::Error);
    CHECK_THROWS_AS(run_op("ReduceSum", "opset1", {matrix(), f32({1}, {0})}), es::Error);
    CHECK_THROWS_AS(run_op("ReduceSum", "opset1", {boolean({2}, {true, false}), i64({1}, {0})}),
                    es::Error);
}

TEST_CASE("ReduceProd, ReduceMax, ReduceMin, ReduceMean reject out-of-range axes") {
    for (const char* type : {"ReduceProd", "ReduceMax", "ReduceMin", "ReduceMean"})
        CHECK_THROWS_AS(run_op(type, "opset1", {matrix(), i64({1}, {5})}), es::Error);
    for (const char* type : {"ReduceL1", "ReduceL2"})
        CHECK_THROWS_AS(run_op(type, "opset4", {matrix(), i64({1}, {-5})}), es::Error);
}

TEST_CASE("TopK max and min sorted by value") {
    const Tensor data = f32({5}, {1, 3, 2, 3, 0});
    auto max = run_op("TopK", "opset3", {data, i64({}, {3})}, topk("0", "max", "value"));
    check_close(max[0], {3}, {3, 3, 2});
    REQUIRE(max[1].type() == ElementType::i32);
    check_equal(max[1], {3}, {1, 3, 2});

    auto min = run_op("TopK", "opset1", {data, i64({}, {2})}, topk("0", "min", "value"));
    check_close(min[0], {2}, {0, 1});
    check_equal(min[1], {2}, {4, 0});
}

TEST_CASE("TopK sorted by index") {
    const Tensor data = f32({5}, {1, 3, 2, 3, 0});
    auto max = run_op("TopK", "opset3", {data, i64({}, {3})}, topk("0", "max", "index"));
    check_close(max[0], {3}, {3, 2, 3});
    check_equal(max[1], {3}, {1, 2, 3});
    auto min = run_op("TopK", "opset3", {data, i32({}, {3})}, topk("0", "min", "index"));
    check_close(min[0], {3}, {1, 2, 0});
    check_equal(min[1], {3}, {0, 2, 4});
}

TEST_CASE("TopK ties keep the lower index first") {
    auto max = run_op("TopK", "opset11", {f32({4}, {2, 1, 2, 2}), i64({}, {2})},
                      {{"axis", "0"}, {"mode", "max"}, {"sort", "value"}, {"stable", "true"}});
    check_close(max[0], {2}, {2, 2});
    check_equal(max[1], {2}, {0, 2});
    auto min =
        run_op("TopK", "opset11", {f32({3}, {5, 3, 3}), i64({}, {1})}, topk("0", "min", "value"));
    check_equal(min[1], {1}, {1});
    // sort=none gives the same order as sort=value here.
    auto none =
        run_op("TopK", "opset3", {f32({4}, {2, 1, 2, 2}), i64({}, {3})}, topk("0", "max", "none"));
    check_equal(none[1], {3}, {0, 2, 3});
}

TEST_CASE("TopK along inner and negative axes of a matrix") {
    // [[1, 5, 3], [4, 2, 6]]
    const Tensor data = f32({2, 3}, {1, 5, 3, 4, 2, 6});
    auto columns = run_op("TopK", "opset3", {data, i64({}, {1})}, topk("-2", "max", "value"));
    check_close(columns[0], {1, 3}, {4, 5, 6});
    check_equal(columns[1], {1, 3}, {1, 0, 1});
    auto rows = run_op("TopK", "opset3", {data, i64({}, {2})}, topk("1", "max", "value"));
    check_close(rows[0], {2, 2}, {5, 3, 6, 4});
    check_equal(rows[1], {2, 2}, {1, 2, 2, 0});
}

TEST_CASE("TopK index_element_type, integer data, NaN and k = 0") {
    graph::Attributes attributes = topk("0", "max", "value");
    attributes.set("index_element_type", "i64");
    auto ints = run_op("TopK", "opset3", {i32({4}, {7, -1, 9, 7}), i64({}, {3})}, attributes);
    REQUIRE(ints[0].type() == ElementType::i32);
    REQUIRE(ints[1].type() == ElementType::i64);
    check_equal(ints[0], {3}, {9, 7, 7});
    check_equal(ints[1], {3}, {2, 0, 3});

    // NaN ranks above every number.
    const float nan = std::numeric_limits<float>::quiet_NaN();
    auto with_nan =
        run_op("TopK", "opset3", {f32({3}, {1, nan, 2}), i64({}, {2})}, topk("0", "max", "value"));
    check_close(with_nan[0], {2}, {nan, 2});
    check_equal(with_nan[1], {2}, {1, 2});

    auto empty =
        run_op("TopK", "opset3", {f32({2}, {1, 2}), i64({}, {0})}, topk("0", "max", "value"));
    CHECK(empty[0].shape() == Shape{0});
}

TEST_CASE("TopK shape inference with dynamic shapes") {
    const PortType data{ElementType::f32, {-1, 10}};
    const PortType k{ElementType::i64, {}};
    auto known =
        infer_op("TopK", "opset3", {data, k}, topk("1", "max", "value"), {Tensor(), i64({}, {3})});
    CHECK(known[0] == PortType{ElementType::f32, {-1, 3}});
    CHECK(known[1] == PortType{ElementType::i32, {-1, 3}});
    auto unknown = infer_op("TopK", "opset3", {data, k}, topk("-1", "min", "index"));
    CHECK(unknown[0] == PortType{ElementType::f32, {-1, -1}});
    auto dynamic_axis = infer_op("TopK", "opset3", {data, k}, topk("0", "max", "value"),
                                 {Tensor(), i64({}, {100})});
    CHECK(dynamic_axis[0] == PortType{ElementType::f32, {100, 10}});
    auto unranked = infer_op("TopK", "opset1", {{ElementType::f32, PartialShape()}, k},
                             topk("0", "max", "value"));
    CHECK(unranked[1] == PortType{ElementType::i32, PartialShape()});
}

TEST_CASE("TopK rejects bad k, axis and attributes") {
    const Tensor data = f32({3}, {1, 2, 3});
    const auto attributes = topk("0", "max", "value");
    CHECK_THROWS_AS(run_op("TopK", "opset3", {data, i64({}, {4})}, attributes), es::Error);
    CHECK_THROWS_AS(run_op("TopK", "opset3", {data, i64({}, {-1})}, attributes), es::Error);
    CHECK_THROWS_AS(run_op("TopK", "opset3", {data, i64({1}, {2})}, attributes), es::Error);
    CHECK_THROWS_AS(run_op("TopK", "opset3", {data, f32({}, {2})}, attributes), es::Error);
    CHECK_THROWS_AS(run_op("TopK", "opset3", {data, i64({}, {2})}, topk("1", "max", "value")),
                    es::Error);
    CHECK_THROWS_AS(run_op("TopK", "opset3", {data, i64({}, {2})}, topk("0", "largest", "value")),
                    es::Error);
    CHECK_THROWS_AS(run_op("TopK", "opset3", {data, i64({}, {2})}, topk("0", "max", "random")),
                    es::Error);
    graph::Attributes bad_index = attributes;
    bad_index.set("index_element_type", "f32");
    CHECK_THROWS_AS(run_op("TopK", "opset3", {data, i64({}, {2})}, bad_index), es::Error);
    CHECK_THROWS_AS(run_op("TopK", "opset3", {data, i64({}, {2})}, {{"axis", "0"}}), es::Error);
}
