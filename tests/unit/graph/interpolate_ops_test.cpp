#include "tests/support/op_testing.h"

#include <string>
#include <vector>

using namespace es;
using namespace es::testing;

namespace {

graph::Attributes attributes_v4(const std::string& mode, const std::string& shape_mode,
                                const std::string& transform = "half_pixel",
                                const std::string& nearest_mode = "round_prefer_floor") {
    return {{"mode", mode},
            {"shape_calculation_mode", shape_mode},
            {"coordinate_transformation_mode", transform},
            {"nearest_mode", nearest_mode},
            {"antialias", "false"},
            {"pads_begin", "0"},
            {"pads_end", "0"},
            {"cube_coeff", "-0.75"}};
}

// Interpolate-4 in sizes mode (the scales input then only has to be well formed).
Tensor resize_sizes(const Tensor& data, const std::vector<int64_t>& sizes,
                    const std::vector<int64_t>& axes, const graph::Attributes& attributes) {
    const auto count = static_cast<int64_t>(axes.size());
    return run_op("Interpolate", "opset4",
                  {data, i64({count}, sizes), f32({count}, std::vector<float>(axes.size(), 1.0f)),
                   i64({count}, axes)},
                  attributes)[0];
}

Tensor resize_scales(const Tensor& data, const std::vector<float>& scales,
                     const std::vector<int64_t>& axes, const graph::Attributes& attributes) {
    const auto count = static_cast<int64_t>(axes.size());
    return run_op("Interpolate", "opset4",
                  {data, i64({count}, std::vector<int64_t>(axes.size(), 1)), f32({count}, scales),
                   i64({count}, axes)},
                  attributes)[0];
}

// [[1, 2], [3, 4]] as 1x1x2x2.
Tensor square() {
    return f32({1, 1, 2, 2}, {1, 2, 3, 4});
}

}  // namespace

TEST_CASE("Interpolate-4 nearest upsamples 1x1x2x2 to 1x1x4x4") {
    std::vector<graph::PortType> inferred;
    auto out = run_op("Interpolate", "opset4",
                      {square(), i64({2}, {4, 4}), f32({2}, {2, 2}), i64({2}, {2, 3})},
                      attributes_v4("nearest", "sizes"), &inferred);
    CHECK(inferred[0].shape == PartialShape{1, 1, 4, 4});
    // half_pixel maps 0..3 to -0.25, 0.25, 0.75, 1.25: rows and columns 0, 0, 1, 1.
    check_close(out[0], {1, 1, 4, 4}, {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
}

TEST_CASE("Interpolate-4 nearest: every coordinate transform with every rounding mode") {
    // Data equals its index, so the output lists the chosen source indices. Upsampling 4 -> 8:
    //   half_pixel / pytorch_half_pixel: -0.25 0.25 0.75 1.25 1.75 2.25 2.75 3.25
    //   asymmetric: 0 0.5 1 1.5 2 2.5 3 3.5
    //   tf_half_pixel_for_nn: 0.25 0.75 1.25 1.75 2.25 2.75 3.25 3.75
    //   align_corners: x * 3 / 7 = 0 0.43 0.86 1.29 1.71 2.14 2.57 3
    struct Case {
        const char* transform;
        const char* rounding;
        std::vector<float> expected;
    };
    const std::vector<Case> cases = {
        {"half_pixel", "round_prefer_floor", {0, 0, 1, 1, 2, 2, 3, 3}},
        {"half_pixel", "round_prefer_ceil", {0, 0, 1, 1, 2, 2, 3, 3}},
        {"half_pixel", "floor", {0, 0, 0, 1, 1, 2, 2, 3}},
        {"half_pixel", "ceil", {0, 1, 1, 2, 2, 3, 3, 3}},
        {"half_pixel", "simple", {0, 0, 0, 1, 1, 2, 2, 3}},
        {"pytorch_half_pixel", "round_prefer_floor", {0, 0, 1, 1, 2, 2, 3, 3}},
        {"pytorch_half_pixel", "floor", {0, 0, 0, 1, 1, 2, 2, 3}},
        {"asymmetric", "round_prefer_floor", {0, 0, 1, 1, 2, 2, 3, 3}},
        {"asymmetric", "round_prefer_ceil", {0, 1, 1, 2, 2, 3, 3, 3}},
        {"asymmetric", "floor", {0, 0, 1, 1, 2, 2, 3, 3}},
        {"asymmetric", "ceil", {0, 1, 1, 2, 2, 3, 3, 3}},
        {"asymmetric", "simple", {0, 0, 1, 1, 2, 2, 3, 3}},
        {"tf_half_pixel_for_nn", "round_prefer_floor", {0, 1, 1, 2, 2, 3, 3, 3}},
        {"tf_half_pixel_for_nn", "round_prefer_ceil", {0, 1, 1, 2, 2, 3, 3, 3}},
        {"tf_half_pixel_for_nn", "floor", {0, 0, 1, 1, 2, 2, 3, 3}},
        {"tf_half_pixel_for_nn", "ceil", {1, 1, 2, 2, 3, 3, 3, 3}},
        {"tf_half_pixel_for_nn", "simple", {0, 0, 1, 1, 2, 2, 3, 3}},
        {"align_corners", "round_prefer_floor", {0, 0, 1, 1, 2, 2, 3, 3}},
        {"align_corners", "round_prefer_ceil", {0, 0, 1, 1, 2, 2, 3, 3}},
        {"align_corners", "floor", {0, 0, 0, 1, 1, 2, 2, 3}},
        {"align_corners", "ceil", {0, 1, 1, 2, 2, 3, 3, 3}},
        {"align_corners", "simple", {0, 0, 0, 1, 1, 2, 2, 3}},
    };
    for (const auto& c : cases) {
        CAPTURE(c.transform);
        CAPTURE(c.rounding);
        auto out = resize_sizes(f32({4}, {0, 1, 2, 3}), {8}, {0},
                                attributes_v4("nearest", "sizes", c.transform, c.rounding));
        check_close(out, {8}, c.expected);
    }
}

TEST_CASE("Interpolate-4 nearest downsampling: ties and the simple mode's ceil") {
    // 8 -> 3, half_pixel: (x + 0.5) / 0.375 - 0.5 = 0.83, 3.5, 6.17.
    const Tensor data = f32({8}, {0, 1, 2, 3, 4, 5, 6, 7});
    auto with = [&](const char* rounding) {
        return resize_sizes(data, {3}, {0},
                            attributes_v4("nearest", "sizes", "half_pixel", rounding));
    };
    check_close(with("round_prefer_floor"), {3}, {1, 3, 6});
    check_close(with("round_prefer_ceil"), {3}, {1, 4, 6});
    check_close(with("floor"), {3}, {0, 3, 6});
    check_close(with("ceil"), {3}, {1, 4, 7});
    check_close(with("simple"), {3}, {1, 4, 7});
}

TEST_CASE("Interpolate-4 nearest to length 1: pytorch_half_pixel picks 0, half_pixel 1.5") {
    const Tensor data = f32({4}, {0, 1, 2, 3});
    auto with = [&](const char* transform) {
        return resize_sizes(data, {1}, {0}, attributes_v4("nearest", "sizes", transform));
    };
    check_close(with("pytorch_half_pixel"), {1}, {0});
    check_close(with("half_pixel"), {1}, {1});  // 1.5 rounds half down
    check_close(with("align_corners"), {1}, {0});
    check_close(with("tf_half_pixel_for_nn"), {1}, {2});  // 0.5 / 0.25
}

TEST_CASE("Interpolate-4 nearest copies integer elements exactly") {
    const Tensor data = i64({2}, {int64_t{1} << 60, -7});
    auto out = resize_sizes(data, {4}, {0}, attributes_v4("nearest", "sizes"));
    REQUIRE(out.type() == ElementType::i64);
    check_equal(out, {4}, {int64_t{1} << 60, int64_t{1} << 60, -7, -7});
}

TEST_CASE("Interpolate-4 linear_onnx half_pixel 2x2 to 4x4") {
    // Positions along each axis: clamp(-0.25, 0.25, 0.75, 1.25) = 0, 0.25, 0.75, 1, and the
    // data is 1 + 2 * row + col, so out = 1 + 2 * t_row + t_col.
    auto out = resize_scales(square(), {2, 2}, {2, 3}, attributes_v4("linear_onnx", "scales"));
    check_close(out, {1, 1, 4, 4},
                {1.0f, 1.25f, 1.75f, 2.0f, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f, 3.25f, 3.5f, 3.0f,
                 3.25f, 3.75f, 4.0f});
}

TEST_CASE("Interpolate-4 linear_onnx align_corners 2x2 to 4x4") {
    // Positions x / 3: 0, 1/3, 2/3, 1.
    auto out = resize_sizes(square(), {4, 4}, {2, 3},
                            attributes_v4("linear_onnx", "sizes", "align_corners"));
    const float third = 1.0f / 3.0f;
    check_close(out, {1, 1, 4, 4},
                {1, 1 + third, 2 - third, 2, 2 - third, 2, 2 + third, 3 - third, 2 + third,
                 3 - third, 3, 3 + third, 3, 3 + third, 4 - third, 4});
}

TEST_CASE("Interpolate-4 linear_onnx downsamples with scales 0.6 (ONNX example)") {
    // Output 1x1x1x2; positions (x + 0.5) / 0.6 - 0.5: row 1/3, columns 1/3 and 2.
    const Tensor data = f32({1, 1, 2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
    auto out = resize_scales(data, {0.6f, 0.6f}, {2, 3}, attributes_v4("linear_onnx", "scales"));
    check_close(out, {1, 1, 1, 2}, {1 + 4.0f / 3 + 1.0f / 3, 1 + 4.0f / 3 + 2});
}

TEST_CASE("Interpolate-4 linear_onnx resizes three axes of a 3-D tensor") {
    // Data 4z + 2y + x on 2x2x2; align_corners 2 -> 3 puts samples at 0, 0.5, 1.
    const Tensor data = f32({2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7});
    auto out = resize_sizes(data, {3, 3, 3}, {0, 1, 2},
                            attributes_v4("linear_onnx", "sizes", "align_corners"));
    std::vector<float> expected;
    const float t[] = {0.0f, 0.5f, 1.0f};
    for (float z : t)
        for (float y : t)
            for (float x : t)
                expected.push_back(4 * z + 2 * y + x);
    check_close(out, {3, 3, 3}, expected);
}

TEST_CASE("Interpolate-4 linear_onnx rounds integer results") {
    // Positions 0, 0.25, 0.75, 1 between 0 and 3: 0, 0.75, 2.25, 3.
    auto out = run_op("Interpolate", "opset4",
                      {i32({2}, {0, 3}), i64({1}, {4}), f32({1}, {2}), i64({1}, {0})},
                      attributes_v4("linear_onnx", "sizes"))[0];
    REQUIRE(out.type() == ElementType::i32);
    check_equal(out, {4}, {0, 1, 2, 3});
}

TEST_CASE("Interpolate-4 linear: triangle filter, with and without antialias") {
    // Upsampling 2 -> 4 half_pixel: positions -0.25, 0.25, 0.75, 1.25; out-of-range neighbours
    // drop out and the weights renormalize.
    check_close(resize_sizes(f32({2}, {0, 10}), {4}, {0}, attributes_v4("linear", "sizes")), {4},
                {0, 2.5f, 7.5f, 10});

    // Downsampling 4 -> 2: positions 0.5 and 2.5.
    const Tensor data = f32({4}, {0, 1, 2, 3});
    check_close(resize_sizes(data, {2}, {0}, attributes_v4("linear", "sizes")), {2}, {0.5f, 2.5f});
    // Antialias widens the triangle by 1 / 0.5: weights 0.75, 0.75, 0.25 around 0.5 (sum 1.75).
    auto attributes = attributes_v4("linear", "sizes");
    attributes.set("antialias", "true");
    check_close(resize_sizes(data, {2}, {0}, attributes), {2}, {1.25f / 1.75f, 4.0f / 1.75f});
}

TEST_CASE("Interpolate-4 cubic 1-D with cube_coeff -0.75 and -0.5") {
    // Asymmetric 4 -> 8 samples at 0, 0.5, …, 3.5. At s = 0.5 the Keys weights are
    // K(1.5), K(0.5), K(0.5), K(1.5) = 0.125a, 1 - 1.625 / 4 - a / 16 … for a = -0.75:
    // -0.09375, 0.59375, 0.59375, -0.09375; neighbours clamp at the ends.
    const Tensor data = f32({4}, {1, 2, 4, 8});
    auto attributes = attributes_v4("cubic", "sizes", "asymmetric");
    check_close(resize_sizes(data, {8}, {0}, attributes), {8},
                {1, 1.3125f, 2, 2.71875f, 4, 6.1875f, 8, 8.375f});
    // a = -0.5: -0.0625, 0.5625, 0.5625, -0.0625.
    attributes.set("cube_coeff", "-0.5");
    check_close(resize_sizes(data, {8}, {0}, attributes), {8},
                {1, 1.375f, 2, 2.8125f, 4, 6.125f, 8, 8.25f});
}

TEST_CASE("Interpolate-4 scales mode divides coordinates by the given scale") {
    // 3 -> floor(3 * 1.5) = 4. Scales mode: x / 1.5 = 0, 0.67, 1.33, 2; sizes mode uses
    // 4 / 3 instead: 0, 0.75, 1.5, 2.25 (clamped to 2).
    const Tensor data = f32({3}, {0, 1, 2});
    const auto scales_out =
        resize_scales(data, {1.5f}, {0}, attributes_v4("linear_onnx", "scales", "asymmetric"));
    check_close(scales_out, {4}, {0, 2.0f / 3, 4.0f / 3, 2});
    const auto sizes_out =
        resize_sizes(data, {4}, {0}, attributes_v4("linear_onnx", "sizes", "asymmetric"));
    check_close(sizes_out, {4}, {0, 0.75f, 1.5f, 2});
}

TEST_CASE("Interpolate-4 resizes only the listed axes, in the listed order, negative allowed") {
    // axes (W, H) with sizes (4, 1): H 2 -> 1 samples row 0.5, a tie that rounds down to 0.
    for (const auto& axes : {std::vector<int64_t>{3, 2}, std::vector<int64_t>{-1, -2}}) {
        auto out = resize_sizes(square(), {4, 1}, axes, attributes_v4("nearest", "sizes"));
        check_close(out, {1, 1, 1, 4}, {1, 1, 2, 2});
    }
    // Without the axes input every dimension is listed.
    auto out =
        run_op("Interpolate", "opset4", {square(), i64({4}, {1, 1, 4, 4}), f32({4}, {1, 1, 2, 2})},
               attributes_v4("nearest", "sizes"))[0];
    check_close(out, {1, 1, 4, 4}, {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
}

TEST_CASE("Interpolate-4 pads the input with zeros before resizing") {
    // Padded 4x4: zeros around [[1, 2], [3, 4]]. Halving with linear_onnx samples at 0.5 and
    // 2.5, i.e. the mean of each 2x2 block.
    auto attributes = attributes_v4("linear_onnx", "sizes");
    attributes.set("pads_begin", "0,0,1,1");
    attributes.set("pads_end", "0,0,1,1");
    check_close(resize_sizes(square(), {2, 2}, {2, 3}, attributes), {1, 1, 2, 2},
                {0.25f, 0.5f, 0.75f, 1.0f});

    // A short pads list covers the leading dimensions; here it pads the channel axis.
    attributes = attributes_v4("nearest", "sizes");
    attributes.set("pads_begin", "0,1");
    check_close(resize_sizes(square(), {2, 2}, {2, 3}, attributes), {1, 2, 2, 2},
                {0, 0, 0, 0, 1, 2, 3, 4});
}

TEST_CASE("Interpolate-4 shape inference") {
    const graph::PortType data{ElementType::f32, PartialShape{-1, 3, -1, -1}};
    const graph::PortType sizes{ElementType::i64, PartialShape{2}};
    const graph::PortType scales{ElementType::f32, PartialShape{2}};
    const graph::PortType axes{ElementType::i64, PartialShape{2}};
    const Tensor axes_value = i64({2}, {2, 3});

    // Constant sizes give static resized dims, whatever the input's.
    auto out = infer_op("Interpolate", "opset4", {data, sizes, scales, axes},
                        attributes_v4("nearest", "sizes"), {{}, i64({2}, {8, 9}), {}, axes_value});
    CHECK(out[0].shape == PartialShape{-1, 3, 8, 9});
    CHECK(out[0].type == ElementType::f32);

    // Scales need the input dim: floor(10 * 0.7 + eps) = 7, not 6.
    const graph::PortType partial{ElementType::f32, PartialShape{1, 3, -1, 10}};
    out = infer_op("Interpolate", "opset4", {partial, sizes, scales, axes},
                   attributes_v4("nearest", "scales"), {{}, {}, f32({2}, {2, 0.7f}), axes_value});
    CHECK(out[0].shape == PartialShape{1, 3, -1, 7});

    // Unknown sizes: resized dims are dynamic, the others stay.
    out = infer_op("Interpolate", "opset4", {partial, sizes, scales, axes},
                   attributes_v4("nearest", "sizes"), {{}, {}, {}, axes_value});
    CHECK(out[0].shape == PartialShape{1, 3, -1, -1});

    // Unknown axes: any dim may change.
    out = infer_op("Interpolate", "opset4", {partial, sizes, scales, axes},
                   attributes_v4("nearest", "sizes"), {{}, i64({2}, {4, 4})});
    CHECK(out[0].shape == PartialShape{-1, -1, -1, -1});

    out = infer_op("Interpolate", "opset4",
                   {{ElementType::f32, PartialShape::dynamic_rank()}, sizes, scales, axes},
                   attributes_v4("nearest", "sizes"), {{}, i64({2}, {4, 4}), {}, axes_value});
    CHECK(!out[0].shape.rank_known());

    // Pads add to every dimension that is not resized.
    auto padded = attributes_v4("nearest", "sizes");
    padded.set("pads_begin", "0,1,0,0");
    padded.set("pads_end", "0,1,0,0");
    out = infer_op("Interpolate", "opset4", {partial, sizes, scales, axes}, padded,
                   {{}, {}, {}, axes_value});
    CHECK(out[0].shape == PartialShape{1, 5, -1, -1});
}

TEST_CASE("Interpolate-4 rejects bad inputs") {
    const Tensor scales = f32({2}, {2, 2});
    const Tensor axes = i64({2}, {2, 3});
    auto run = [&](const Tensor& sizes, const Tensor& axes_value,
                   const graph::Attributes& attributes) {
        return run_op("Interpolate", "opset4", {square(), sizes, scales, axes_value}, attributes);
    };
    const auto nearest = attributes_v4("nearest", "sizes");
    CHECK_THROWS_AS(run(i64({1}, {4}), axes, nearest), es::Error);                 // 1 size, 2 axes
    CHECK_THROWS_AS(run(i64({2}, {4, -1}), axes, nearest), es::Error);             // negative size
    CHECK_THROWS_AS(run(i64({2}, {4, 4}), i64({2}, {2, 4}), nearest), es::Error);  // axis 4
    CHECK_THROWS_AS(run(i64({2}, {4, 4}), i64({2}, {3, -1}), nearest), es::Error);  // twice
    CHECK_THROWS_AS(run(i64({2}, {4, 4}), axes, attributes_v4("bilinear", "sizes")), es::Error);
    CHECK_THROWS_AS(run(i64({2}, {4, 4}), axes, attributes_v4("bilinear_pillow", "sizes")),
                    es::Error);  // an Interpolate-11 mode
    CHECK_THROWS_AS(run(i64({2}, {4, 4}), axes, attributes_v4("nearest", "shape")), es::Error);
    CHECK_THROWS_AS(run(i64({2}, {4, 4}), axes, attributes_v4("nearest", "sizes", "half")),
                    es::Error);
    CHECK_THROWS_AS(
        run(i64({2}, {4, 4}), axes, attributes_v4("nearest", "sizes", "half_pixel", "round")),
        es::Error);
    auto negative_pad = nearest;
    negative_pad.set("pads_begin", "0,0,-1,0");
    CHECK_THROWS_AS(run(i64({2}, {4, 4}), axes, negative_pad), es::Error);
    CHECK_THROWS_AS(
        run_op("Interpolate", "opset4", {square(), i64({2}, {1, 1}), f32({2}, {2, 0}), axes},
               attributes_v4("nearest", "scales")),
        es::Error);  // zero scale
    CHECK_THROWS_AS(run_op("Interpolate", "opset4",
                           {square(), i64({2}, {4, 4}), i64({2}, {2, 2}), axes}, nearest),
                    es::Error);  // integer scales
    graph::Attributes no_shape_mode{{"mode", "nearest"}};
    CHECK_THROWS_AS(run(i64({2}, {4, 4}), axes, no_shape_mode), es::Error);
}

TEST_CASE("Interpolate-1 nearest: align_corners true and false") {
    // Interpolate-1 rounds like `simple`: truncation when upsampling.
    graph::Attributes attributes{{"axes", "2,3"}, {"mode", "nearest"}, {"align_corners", "1"}};
    // align_corners: x / 3 = 0, 0.33, 0.67, 1 -> 0, 0, 0, 1.
    auto out = run_op("Interpolate", "opset1", {square(), i64({2}, {4, 4})}, attributes)[0];
    check_close(out, {1, 1, 4, 4}, {1, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1, 2, 3, 3, 3, 4});
    // asymmetric: x / 2 = 0, 0.5, 1, 1.5 -> 0, 0, 1, 1.
    attributes.set("align_corners", "0");
    out = run_op("Interpolate", "opset1", {square(), i64({2}, {4, 4})}, attributes)[0];
    check_close(out, {1, 1, 4, 4}, {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
}

TEST_CASE("Interpolate-1 linear: align_corners, asymmetric NCHW, half_pixel otherwise") {
    graph::Attributes attributes{{"axes", "2,3"}, {"mode", "linear"}, {"align_corners", "true"}};
    const float third = 1.0f / 3.0f;
    auto out = run_op("Interpolate", "opset1", {square(), i64({2}, {4, 4})}, attributes)[0];
    check_close(out, {1, 1, 4, 4},
                {1, 1 + third, 2 - third, 2, 2 - third, 2, 2 + third, 3 - third, 2 + third,
                 3 - third, 3, 3 + third, 3, 3 + third, 4 - third, 4});

    // Without align_corners, the NCHW {2, 3} case is asymmetric: positions 0, 0.5, 1, 1.
    attributes.set("align_corners", "false");
    out = run_op("Interpolate", "opset1", {square(), i64({2}, {4, 4})}, attributes)[0];
    check_close(out, {1, 1, 4, 4}, {1, 1.5f, 2, 2, 2, 2.5f, 3, 3, 3, 3.5f, 4, 4, 3, 3.5f, 4, 4});

    // Other layouts use half_pixel: positions 0, 0.25, 0.75, 1.
    attributes.set("axes", "0,1");
    out = run_op("Interpolate", "opset1", {f32({2, 2}, {1, 2, 3, 4}), i64({2}, {4, 4})},
                 attributes)[0];
    check_close(out, {4, 4},
                {1.0f, 1.25f, 1.75f, 2.0f, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f, 3.25f, 3.5f, 3.0f,
                 3.25f, 3.75f, 4.0f});
}

TEST_CASE("Interpolate-1 cubic and area") {
    graph::Attributes attributes{{"axes", "0"}, {"mode", "cubic"}, {"align_corners", "false"}};
    auto out =
        run_op("Interpolate", "opset1", {f32({4}, {1, 2, 4, 8}), i64({1}, {8})}, attributes)[0];
    check_close(out, {8}, {1, 1.3125f, 2, 2.71875f, 4, 6.1875f, 8, 8.375f});

    // Area: each output cell averages the input cells it covers, by overlap.
    attributes.set("mode", "area");
    out = run_op("Interpolate", "opset1", {f32({4}, {1, 2, 3, 4}), i64({1}, {2})}, attributes)[0];
    check_close(out, {2}, {1.5f, 3.5f});
    // 3 -> 2: cells [0, 1.5) and [1.5, 3).
    out = run_op("Interpolate", "opset1", {f32({3}, {0, 3, 6}), i64({1}, {2})}, attributes)[0];
    check_close(out, {2}, {1, 5});
}

TEST_CASE("Interpolate-1 shape inference and bad inputs") {
    graph::Attributes attributes{{"axes", "2,3"},
                                 {"mode", "linear"},
                                 {"align_corners", "0"},
                                 {"pads_begin", "0,1,1,1"},
                                 {"pads_end", "0,1,1,1"}};
    auto out = infer_op(
        "Interpolate", "opset1",
        {{ElementType::f32, PartialShape{1, 3, -1, 10}}, {ElementType::i64, PartialShape{2}}},
        attributes);
    CHECK(out[0].shape == PartialShape{1, 5, -1, -1});
    out = infer_op(
        "Interpolate", "opset1",
        {{ElementType::f32, PartialShape{1, 3, -1, 10}}, {ElementType::i64, PartialShape{2}}},
        attributes, {{}, i64({2}, {7, 8})});
    CHECK(out[0].shape == PartialShape{1, 5, 7, 8});

    CHECK_THROWS_AS(run_op("Interpolate", "opset1", {square(), i64({1}, {4})}, attributes),
                    es::Error);  // 1 size, 2 axes
    attributes.set("mode", "bilinear");
    CHECK_THROWS_AS(run_op("Interpolate", "opset1", {square(), i64({2}, {4, 4})}, attributes),
                    es::Error);
    attributes.set("mode", "nearest");
    attributes.set("axes", "2,4");
    CHECK_THROWS_AS(run_op("Interpolate", "opset1", {square(), i64({2}, {4, 4})}, attributes),
                    es::Error);
    attributes.set("axes", "2,3");
    CHECK_THROWS_AS(run_op("Interpolate", "opset1", {square(), f32({2}, {4, 4})}, attributes),
                    es::Error);  // float target shape
}

TEST_CASE("Interpolate-11 reads sizes or scales from input 1") {
    graph::Attributes sizes = attributes_v4("nearest", "sizes");
    auto out =
        run_op("Interpolate", "opset11", {square(), i64({2}, {4, 4}), i64({2}, {2, 3})}, sizes)[0];
    check_close(out, {1, 1, 4, 4}, {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
    // No axes input: all four dimensions.
    out = run_op("Interpolate", "opset11", {square(), i32({4}, {1, 1, 4, 4})}, sizes)[0];
    check_close(out, {1, 1, 4, 4}, {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});

    out = run_op("Interpolate", "opset11", {square(), f32({2}, {2, 2}), i64({2}, {2, 3})},
                 attributes_v4("linear_onnx", "scales"))[0];
    check_close(out, {1, 1, 4, 4},
                {1.0f, 1.25f, 1.75f, 2.0f, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f, 3.25f, 3.5f, 3.0f,
                 3.25f, 3.75f, 4.0f});

    auto inferred = infer_op("Interpolate", "opset11",
                             {{ElementType::f32, PartialShape{1, 3, -1, 10}},
                              {ElementType::f32, PartialShape{2}},
                              {ElementType::i64, PartialShape{2}}},
                             attributes_v4("nearest", "scales"),
                             {{}, f32({2}, {0.5f, 0.7f}), i64({2}, {2, 3})});
    CHECK(inferred[0].shape == PartialShape{1, 3, -1, 7});
}

TEST_CASE("Interpolate-11 bilinear_pillow and bicubic_pillow") {
    // Bilinear 4 -> 2: support 2 around centres 1 and 3; taps (x - centre + 0.5) / 2 give
    // weights 0.75, 0.75, 0.25 (sum 1.75).
    auto out = run_op("Interpolate", "opset11",
                      {f32({1, 4}, {0, 1, 2, 3}), i64({2}, {1, 2}), i64({2}, {0, 1})},
                      attributes_v4("bilinear_pillow", "sizes"))[0];
    check_close(out, {1, 2}, {1.25f / 1.75f, 4.0f / 1.75f});

    // Bicubic 2 -> 4 with a = -0.5: centre 0.25 weighs K(0.25) = 0.8671875 and K(1.25) =
    // -0.0703125; centre 0.75 weighs K(0.25) and K(0.75) = 0.2265625; then normalized.
    auto attributes = attributes_v4("bicubic_pillow", "sizes");
    attributes.set("cube_coeff", "-0.5");
    out = run_op("Interpolate", "opset11",
                 {f32({1, 2}, {0, 10}), i64({2}, {1, 4}), i64({2}, {0, 1})}, attributes)[0];
    const float first = -0.703125f / 0.796875f;
    const float second = 2.265625f / 1.09375f;
    check_close(out, {1, 4}, {first, second, 10 - second, 10 - first});
}

TEST_CASE("Interpolate-11 rejects bad inputs") {
    const auto pillow = attributes_v4("bilinear_pillow", "sizes");
    CHECK_THROWS_AS(run_op("Interpolate", "opset11",
                           {f32({1, 2, 2}, {1, 2, 3, 4}), i64({3}, {1, 4, 4})}, pillow),
                    es::Error);  // pillow needs exactly two axes
    CHECK_THROWS_AS(run_op("Interpolate", "opset11", {square(), f32({2}, {2, 2}), i64({2}, {2, 3})},
                           attributes_v4("nearest", "sizes")),
                    es::Error);  // float sizes
    CHECK_THROWS_AS(run_op("Interpolate", "opset11", {square(), i64({2}, {4, 4}), i64({2}, {2, 3})},
                           attributes_v4("nearest", "scales")),
                    es::Error);  // integer scales
    CHECK_THROWS_AS(
        run_op("Interpolate", "opset11", {square(), i64({3}, {4, 4, 4}), i64({2}, {2, 3})},
               attributes_v4("nearest", "sizes")),
        es::Error);  // 3 sizes, 2 axes
    CHECK_THROWS_AS(run_op("Interpolate", "opset11", {square(), i64({2}, {4, 4}), i64({2}, {2, 3})},
                           attributes_v4("area", "sizes")),
                    es::Error);  // an Interpolate-1 mode
}
