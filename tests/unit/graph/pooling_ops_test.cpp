#include "tests/support/op_testing.h"

#include <cmath>
#include <string>

using namespace es;
using namespace es::testing;
using graph::PortType;

namespace {

PortType f32_port(PartialShape shape) {
    return {ElementType::f32, std::move(shape)};
}

graph::Attributes pool_attributes(const std::string& kernel, const std::string& strides,
                                  const std::string& pads_begin, const std::string& pads_end,
                                  const std::string& auto_pad = "explicit",
                                  const std::string& rounding_type = "floor") {
    return {{"kernel", kernel},     {"strides", strides},   {"pads_begin", pads_begin},
            {"pads_end", pads_end}, {"auto_pad", auto_pad}, {"rounding_type", rounding_type}};
}

// The 3x3 input of the MaxPool specification's examples.
Tensor spec_input() {
    return f32({1, 1, 3, 3}, {-1, 2, 3, 4, 5, -6, -7, 8, 9});
}

}  // namespace

TEST_CASE("MaxPool-1 explicit pads, one output") {
    std::vector<PortType> inferred;
    auto out = run_op("MaxPool", "opset1", {spec_input()},
                      pool_attributes("2,2", "1,1", "1,1", "1,1"), &inferred);
    REQUIRE(out.size() == 1);
    check_close(out[0], {1, 1, 4, 4}, {-1, 2, 3, 3, 4, 5, 5, 3, 4, 8, 9, 9, -7, 8, 9, 9});
    CHECK(inferred[0] == f32_port({1, 1, 4, 4}));
}

TEST_CASE("MaxPool-8 values and flattened indices with explicit pads") {
    auto out =
        run_op("MaxPool", "opset8", {spec_input()}, pool_attributes("2,2", "1,1", "1,1", "1,1"));
    REQUIRE(out.size() == 2);
    check_close(out[0], {1, 1, 4, 4}, {-1, 2, 3, 3, 4, 5, 5, 3, 4, 8, 9, 9, -7, 8, 9, 9});
    CHECK(out[1].type() == ElementType::i64);
    check_equal(out[1], {1, 1, 4, 4}, {0, 1, 2, 2, 3, 4, 4, 2, 3, 7, 8, 8, 6, 7, 8, 8});
}

TEST_CASE("MaxPool-8 1-D valid") {
    auto out = run_op("MaxPool", "opset8", {f32({1, 1, 7}, {-1, 2, 3, 5, -7, 9, 1})},
                      pool_attributes("3", "1", "0", "0", "valid"));
    check_close(out[0], {1, 1, 5}, {3, 5, 5, 9, 9});
    check_equal(out[1], {1, 1, 5}, {2, 3, 3, 5, 5});
}

TEST_CASE("MaxPool-8 same_lower and same_upper, indices count whole channels") {
    auto lower = run_op("MaxPool", "opset8", {spec_input()},
                        pool_attributes("2,2", "1,1", "0,0", "0,0", "same_lower"));
    check_close(lower[0], {1, 1, 3, 3}, {-1, 2, 3, 4, 5, 5, 4, 8, 9});
    check_equal(lower[1], {1, 1, 3, 3}, {0, 1, 2, 3, 4, 4, 3, 7, 8});

    auto two_channels = f32({1, 2, 3, 3}, {-1, 2, 3, 4, 5, -6, -7, 8, 9,  //
                                           2, -1, 5, 6, -7, 1, 8, 2, -3});
    auto upper = run_op("MaxPool", "opset8", {two_channels},
                        pool_attributes("2,2", "1,1", "0,0", "0,0", "same_upper"));
    check_close(upper[0], {1, 2, 3, 3}, {5, 5, 3, 8, 9, 9, 8, 9, 9, 6, 5, 5, 8, 2, 1, 8, 2, -3});
    check_equal(upper[1], {1, 2, 3, 3},
                {4, 4, 2, 7, 8, 8, 7, 8, 8, 12, 11, 11, 15, 16, 14, 15, 16, 17});
}

TEST_CASE("MaxPool-8 dilations, i32 indices and axis") {
    auto attributes = pool_attributes("2,2", "1,1", "1,1", "1,1");
    attributes.set("dilations", "2,2");
    attributes.set("index_element_type", "i32");
    auto out = run_op("MaxPool", "opset8", {iota_f32({1, 1, 3, 3}, 1.0f)}, attributes);
    // iota gives 0..8: the spec's 1..9 example minus one.
    check_close(out[0], {1, 1, 3, 3}, {4, 5, 4, 7, 8, 7, 4, 5, 4});
    CHECK(out[1].type() == ElementType::i32);
    check_equal(out[1], {1, 1, 3, 3}, {4, 5, 4, 7, 8, 7, 4, 5, 4});

    auto axis = pool_attributes("2,2", "1,1", "0,0", "0,0");
    axis.set("axis", "2");
    auto per_channel = run_op("MaxPool", "opset8", {iota_f32({1, 2, 3, 3})}, axis);
    check_close(per_channel[0], {1, 2, 2, 2}, {4, 5, 7, 8, 13, 14, 16, 17});
    check_equal(per_channel[1], {1, 2, 2, 2}, {4, 5, 7, 8, 4, 5, 7, 8});
    axis.set("axis", "-3");
    auto negative = run_op("MaxPool", "opset8", {iota_f32({1, 2, 3, 3})}, axis);
    check_equal(negative[1], {1, 2, 2, 2}, {4, 5, 7, 8, 13, 14, 16, 17});
}

TEST_CASE("MaxPool floor vs ceil rounding, and ceil_torch in opset 14") {
    auto valid_ceil = run_op("MaxPool", "opset8", {spec_input()},
                             pool_attributes("2,2", "2,2", "0,0", "0,0", "valid", "ceil"));
    check_close(valid_ceil[0], {1, 1, 2, 2}, {5, 3, 8, 9});
    check_equal(valid_ceil[1], {1, 1, 2, 2}, {4, 2, 7, 8});
    auto valid_floor = run_op("MaxPool", "opset8", {spec_input()},
                              pool_attributes("2,2", "2,2", "0,0", "0,0", "valid", "floor"));
    check_close(valid_floor[0], {1, 1, 1, 1}, {5});

    auto input = iota_f32({1, 1, 3, 3}, 1.0f);
    auto torch = run_op("MaxPool", "opset14", {input},
                        pool_attributes("2,2", "2,2", "1,1", "1,1", "explicit", "ceil_torch"));
    check_close(torch[0], {1, 1, 2, 2}, {0, 2, 6, 8});
    check_equal(torch[1], {1, 1, 2, 2}, {0, 2, 6, 8});
    // Plain ceil keeps the last window although it starts in the end padding.
    auto ceil = infer_op("MaxPool", "opset14", {f32_port({1, 1, 3, 3})},
                         pool_attributes("2,2", "2,2", "1,1", "1,1", "explicit", "ceil"));
    CHECK(ceil[0] == f32_port({1, 1, 3, 3}));
}

TEST_CASE("MaxPool window wholly in padding gives -inf") {
    auto out = run_op("MaxPool", "opset1", {f32({1, 1, 3}, {1, 2, 3})},
                      pool_attributes("2", "2", "1", "1", "explicit", "ceil"));
    REQUIRE(out[0].shape() == Shape{1, 1, 3});
    const auto values = out[0].to_doubles();
    CHECK(values[0] == 1);
    CHECK(values[1] == 3);
    CHECK((std::isinf(values[2]) && values[2] < 0));
}

TEST_CASE("MaxPool 3-D and integer input") {
    auto cube = run_op("MaxPool", "opset1", {iota_f32({1, 1, 2, 2, 2})},
                       pool_attributes("2,2,2", "1,1,1", "0,0,0", "0,0,0"));
    check_close(cube[0], {1, 1, 1, 1, 1}, {7});
    auto integers = run_op("MaxPool", "opset8", {i32({1, 1, 4}, {3, -1, 7, 2})},
                           pool_attributes("2", "2", "0", "0"));
    CHECK(integers[0].type() == ElementType::i32);
    check_equal(integers[0], {1, 1, 2}, {3, 7});
    check_equal(integers[1], {1, 1, 2}, {0, 2});
}

TEST_CASE("MaxPool shape inference with dynamic dims") {
    auto out = infer_op("MaxPool", "opset8", {f32_port({1, 3, -1, 32})},
                        pool_attributes("2,2", "2,2", "0,0", "0,0"));
    REQUIRE(out.size() == 2);
    CHECK(out[0] == f32_port({1, 3, -1, 16}));
    CHECK(out[1] == PortType{ElementType::i64, PartialShape{1, 3, -1, 16}});
    auto same = infer_op("MaxPool", "opset1", {f32_port({-1, 3, 33, 32})},
                         pool_attributes("3,3", "2,2", "0,0", "0,0", "same_upper"));
    CHECK(same[0] == f32_port({-1, 3, 17, 16}));
    auto explicit_pads = infer_op("MaxPool", "opset1", {f32_port({1, 3, 32, 32})},
                                  pool_attributes("2,2", "2,2", "1,1", "1,1"));
    CHECK(explicit_pads[0] == f32_port({1, 3, 17, 17}));
    auto no_rank = infer_op("MaxPool", "opset1", {f32_port(PartialShape::dynamic_rank())},
                            pool_attributes("2,2", "2,2", "0,0", "0,0"));
    CHECK(no_rank[0] == f32_port({-1, -1, -1, -1}));
}

TEST_CASE("MaxPool rejects bad attributes and inputs") {
    auto data = f32_port({1, 3, 8, 8});
    CHECK_THROWS_AS(infer_op("MaxPool", "opset1", {f32_port({1, 3, 8})},
                             pool_attributes("2,2", "1,1", "0,0", "0,0")),
                    es::Error);  // kernel axes vs data rank
    CHECK_THROWS_AS(
        infer_op("MaxPool", "opset1", {data}, pool_attributes("2,2", "0,1", "0,0", "0,0")),
        es::Error);  // zero stride
    CHECK_THROWS_AS(
        infer_op("MaxPool", "opset1", {data}, pool_attributes("0,2", "1,1", "0,0", "0,0")),
        es::Error);  // zero kernel
    CHECK_THROWS_AS(
        infer_op("MaxPool", "opset1", {data}, pool_attributes("2,2", "1,1", "-1,0", "0,0")),
        es::Error);  // negative pad
    CHECK_THROWS_AS(
        infer_op("MaxPool", "opset1", {data}, pool_attributes("9,9", "1,1", "0,0", "0,0")),
        es::Error);  // window larger than the input
    CHECK_THROWS_AS(infer_op("MaxPool", "opset8", {data},
                             pool_attributes("2,2", "1,1", "0,0", "0,0", "explicit", "ceil_torch")),
                    es::Error);  // ceil_torch arrived in opset 14
    CHECK_THROWS_AS(infer_op("MaxPool", "opset1", {data},
                             pool_attributes("2,2", "1,1", "0,0", "0,0", "explicit", "round")),
                    es::Error);
    auto bad_index = pool_attributes("2,2", "1,1", "0,0", "0,0");
    bad_index.set("index_element_type", "f32");
    CHECK_THROWS_AS(infer_op("MaxPool", "opset8", {data}, bad_index), es::Error);
    auto bad_axis = pool_attributes("2,2", "1,1", "0,0", "0,0");
    bad_axis.set("axis", "4");
    CHECK_THROWS_AS(infer_op("MaxPool", "opset8", {data}, bad_axis), es::Error);
    auto bad_dilation = pool_attributes("2,2", "1,1", "0,0", "0,0");
    bad_dilation.set("dilations", "1,0");
    CHECK_THROWS_AS(infer_op("MaxPool", "opset8", {data}, bad_dilation), es::Error);
}

TEST_CASE("AvgPool basic 2-D without padding") {
    auto attributes = pool_attributes("2,2", "1,1", "0,0", "0,0");
    attributes.set("exclude-pad", "false");
    auto out = run_op("AvgPool", "opset1", {iota_f32({1, 1, 3, 3}, 1.0f)}, attributes);
    // iota 0..8: window means of {0,1,3,4}, {1,2,4,5}, {3,4,6,7}, {4,5,7,8}
    check_close(out[0], {1, 1, 2, 2}, {2, 3, 5, 6});
}

TEST_CASE("AvgPool exclude-pad true divides by the taps inside, false by the kernel") {
    auto input = f32({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
    auto attributes = pool_attributes("2,2", "2,2", "1,1", "1,1");
    attributes.set("exclude-pad", "true");
    auto excluded = run_op("AvgPool", "opset1", {input}, attributes);
    check_close(excluded[0], {1, 1, 2, 2}, {1, 2.5f, 5.5f, 7});
    attributes.set("exclude-pad", "false");
    auto included = run_op("AvgPool", "opset1", {input}, attributes);
    check_close(included[0], {1, 1, 2, 2}, {0.25f, 1.25f, 2.75f, 7});
}

TEST_CASE("AvgPool ceil rounding with and without padding") {
    auto attributes = pool_attributes("2", "2", "0", "0", "explicit", "ceil");
    attributes.set("exclude-pad", "false");
    // No padding at all: the clipped last window averages what it covers.
    auto unpadded = run_op("AvgPool", "opset1", {f32({1, 1, 5}, {1, 2, 3, 4, 5})}, attributes);
    check_close(unpadded[0], {1, 1, 3}, {1.5f, 3.5f, 5});
    attributes = pool_attributes("2", "2", "1", "0", "explicit", "ceil");
    attributes.set("exclude-pad", "false");
    // With padding present the divisor is the kernel size, also for the window past the end.
    auto padded = run_op("AvgPool", "opset1", {f32({1, 1, 4}, {1, 2, 3, 4})}, attributes);
    check_close(padded[0], {1, 1, 3}, {0.5f, 2.5f, 2});
    attributes.set("exclude-pad", "true");
    auto excluded = run_op("AvgPool", "opset1", {f32({1, 1, 4}, {1, 2, 3, 4})}, attributes);
    check_close(excluded[0], {1, 1, 3}, {1, 2.5f, 4});
}

TEST_CASE("AvgPool auto_pad modes") {
    auto input = f32({1, 1, 5}, {1, 2, 3, 4, 5});
    auto attributes = pool_attributes("2", "2", "3", "3", "same_upper");
    attributes.set("exclude-pad", "true");
    check_close(run_op("AvgPool", "opset1", {input}, attributes)[0], {1, 1, 3}, {1.5f, 3.5f, 5});
    attributes.set("exclude-pad", "false");
    check_close(run_op("AvgPool", "opset1", {input}, attributes)[0], {1, 1, 3}, {1.5f, 3.5f, 2.5f});
    attributes.set("auto_pad", "same_lower");
    check_close(run_op("AvgPool", "opset1", {input}, attributes)[0], {1, 1, 3}, {0.5f, 2.5f, 4.5f});
    attributes.set("auto_pad", "valid");
    check_close(run_op("AvgPool", "opset1", {input}, attributes)[0], {1, 1, 2}, {1.5f, 3.5f});
}

TEST_CASE("AvgPool-14 ceil_torch drops a window starting in the end padding") {
    auto attributes = pool_attributes("2,2", "2,2", "1,1", "1,1", "explicit", "ceil_torch");
    attributes.set("exclude-pad", "true");
    auto out =
        run_op("AvgPool", "opset14", {f32({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9})}, attributes);
    check_close(out[0], {1, 1, 2, 2}, {1, 2.5f, 5.5f, 7});
    attributes.set("rounding_type", "ceil");
    auto ceil = infer_op("AvgPool", "opset14", {f32_port({1, 1, 3, 3})}, attributes);
    CHECK(ceil[0] == f32_port({1, 1, 3, 3}));
    CHECK_THROWS_AS(infer_op("AvgPool", "opset1", {f32_port({1, 1, 3, 3})},
                             pool_attributes("2,2", "2,2", "1,1", "1,1", "explicit", "ceil_torch")),
                    es::Error);
}

TEST_CASE("AvgPool integer input rounds to nearest, 3-D input") {
    auto integers = run_op("AvgPool", "opset1", {i32({1, 1, 3}, {1, 2, 4})},
                           pool_attributes("3", "1", "0", "0"));
    check_equal(integers[0], {1, 1, 1}, {2});
    auto cube = run_op("AvgPool", "opset1", {iota_f32({1, 1, 2, 2, 2})},
                       pool_attributes("2,2,2", "1,1,1", "0,0,0", "0,0,0"));
    check_close(cube[0], {1, 1, 1, 1, 1}, {3.5f});
}

TEST_CASE("AvgPool shape inference and bad inputs") {
    auto out = infer_op("AvgPool", "opset1", {f32_port({1, 3, 32, -1})},
                        pool_attributes("5,5", "3,3", "1,1", "1,1"));
    CHECK(out[0] == f32_port({1, 3, 10, -1}));
    auto valid = infer_op("AvgPool", "opset1", {f32_port({1, 3, 32, 32})},
                          pool_attributes("5,5", "2,2", "1,1", "1,1", "valid"));
    CHECK(valid[0] == f32_port({1, 3, 14, 14}));
    CHECK_THROWS_AS(infer_op("AvgPool", "opset1", {f32_port({1, 3, 32, 32})},
                             pool_attributes("5,5", "2", "1,1", "1,1")),
                    es::Error);  // strides count
    auto bad_flag = pool_attributes("2,2", "1,1", "0,0", "0,0");
    bad_flag.set("exclude-pad", "maybe");
    CHECK_THROWS_AS(infer_op("AvgPool", "opset1", {f32_port({1, 3, 8, 8})}, bad_flag), es::Error);
    CHECK_THROWS_AS(infer_op("AvgPool", "opset1", {f32_port({1, 3, 8, 8, 8, 8})},
                             pool_attributes("2,2,2,2", "1,1,1,1", "0,0,0,0", "0,0,0,0")),
                    es::Error);  // 4 spatial axes
}
