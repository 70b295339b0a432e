#include "tests/support/op_testing.h"

using namespace es;
using namespace es::testing;
using graph::PortType;

namespace {

graph::Attributes grid_attributes(const std::string& mode, const std::string& padding,
                                  bool align_corners) {
    return {{"mode", mode},
            {"padding_mode", padding},
            {"align_corners", align_corners ? "true" : "false"}};
}

Tensor square() {
    return f32({1, 1, 2, 2}, {1, 2, 3, 4});
}

}  // namespace

TEST_CASE("GridSample bilinear with align_corners maps the extrema to the corner centres") {
    // (x, y) points: top-left, bottom-right, centre, top-right.
    const Tensor grid = f32({1, 1, 4, 2}, {-1, -1, 1, 1, 0, 0, 1, -1});
    std::vector<PortType> inferred;
    auto out = run_op("GridSample", "opset9", {square(), grid},
                      grid_attributes("bilinear", "zeros", true), &inferred);
    check_close(out[0], {1, 1, 1, 4}, {1, 4, 2.5f, 2});
    CHECK(inferred[0] == PortType{ElementType::f32, {1, 1, 1, 4}});
}

TEST_CASE("GridSample bilinear without align_corners: zeros, border and reflection padding") {
    // Points (x, y): (0, 0) is the centre (0.5, 0.5); (-1, -1) is the outer corner (-0.5,
    // -0.5); (0.5, -1) is (1.0, -0.5), half a row above the top edge.
    const Tensor grid = f32({1, 1, 3, 2}, {0, 0, -1, -1, 0.5f, -1});
    auto zeros = run_op("GridSample", "opset9", {square(), grid},
                        grid_attributes("bilinear", "zeros", false));
    check_close(zeros[0], {1, 1, 1, 3}, {2.5f, 0.25f, 1.0f});
    auto border = run_op("GridSample", "opset9", {square(), grid},
                         grid_attributes("bilinear", "border", false));
    check_close(border[0], {1, 1, 1, 3}, {2.5f, 1, 2});
    auto reflection = run_op("GridSample", "opset9", {square(), grid},
                             grid_attributes("bilinear", "reflection", false));
    check_close(reflection[0], {1, 1, 1, 3}, {2.5f, 1, 2});
}

TEST_CASE("GridSample reflection mirrors coordinates beyond the border") {
    // align_corners: x = 1.5 maps to 1.5 * (3 - 1) / 2 + 1 = 2.5 on a row of 3, reflected
    // about 2 to 1.5: between 20 and 30.
    const Tensor data = f32({1, 1, 1, 3}, {10, 20, 30});
    auto out = run_op("GridSample", "opset9", {data, f32({1, 1, 1, 2}, {1.5f, 0})},
                      grid_attributes("bilinear", "reflection", true));
    check_close(out[0], {1, 1, 1, 1}, {25});
}

TEST_CASE("GridSample nearest rounds half to even and pads per mode") {
    // (-0.2, 0.3) -> (0.3, 0.8) -> (0, 1) = 3; (0, 0) -> (0.5, 0.5) -> (0, 0) = 1 (ties to
    // even); (0.5, 0.5) -> (1, 1) = 4; (1.5, 0.5) -> x = 2, outside.
    const Tensor grid = f32({1, 1, 4, 2}, {-0.2f, 0.3f, 0, 0, 0.5f, 0.5f, 1.5f, 0.5f});
    auto zeros = run_op("GridSample", "opset9", {square(), grid},
                        grid_attributes("nearest", "zeros", false));
    check_close(zeros[0], {1, 1, 1, 4}, {3, 1, 4, 0});
    auto border = run_op("GridSample", "opset9", {square(), grid},
                         grid_attributes("nearest", "border", false));
    check_close(border[0], {1, 1, 1, 4}, {3, 1, 4, 4});
    auto reflection = run_op("GridSample", "opset9", {square(), grid},
                             grid_attributes("nearest", "reflection", false));
    check_close(reflection[0], {1, 1, 1, 4}, {3, 1, 4, 4});
}

TEST_CASE("GridSample bicubic uses Keys' kernel with a = -0.75") {
    // Rows 0, 1, 2, 3 in every column; x = ((-0.125 + 1) * 4 - 1) / 2 = 1.25, y = 1 exactly.
    // Weights at t = 0.25 of columns 0..3: -0.10546875, 0.87890625, 0.26171875, -0.03515625.
    const Tensor data = f32({1, 1, 4, 4}, {0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3});
    auto out = run_op("GridSample", "opset9", {data, f32({1, 1, 1, 2}, {-0.125f, -0.25f})},
                      grid_attributes("bicubic", "zeros", false));
    check_close(out[0], {1, 1, 1, 1}, {1.296875f});
}

TEST_CASE("GridSample volumetric trilinear and nearest (ONNX GridSample-20 form)") {
    const Tensor data = iota_f32({1, 1, 2, 2, 2});
    // (x, y, z): the centre, then (x = 1, y = -1, z = 1) = element [d 1, h 0, w 1] = 5.
    const Tensor grid = f32({1, 1, 1, 2, 3}, {0, 0, 0, 1, -1, 1});
    std::vector<PortType> inferred;
    auto out = run_op("GridSample", "opset9", {data, grid},
                      grid_attributes("bilinear", "zeros", true), &inferred);
    check_close(out[0], {1, 1, 1, 1, 2}, {3.5f, 5});
    CHECK(inferred[0] == PortType{ElementType::f32, {1, 1, 1, 1, 2}});
    auto nearest = run_op("GridSample", "opset9", {data, f32({1, 1, 1, 1, 3}, {1, -1, 1})},
                          grid_attributes("nearest", "zeros", true));
    check_close(nearest[0], {1, 1, 1, 1, 1}, {5});
}

TEST_CASE("GridSample infers shapes from data and grid, dynamic dimensions included") {
    const auto types =
        infer_op("GridSample", "opset9",
                 {{ElementType::f32, {-1, 3, -1, -1}}, {ElementType::f32, {2, 5, -1, 2}}});
    CHECK(types[0] == PortType{ElementType::f32, {2, 3, 5, -1}});
    const auto unknown = infer_op("GridSample", "opset9",
                                  {{ElementType::f32, PartialShape::dynamic_rank()},
                                   {ElementType::f32, PartialShape::dynamic_rank()}});
    CHECK(!unknown[0].shape.rank_known());
}

TEST_CASE("GridSample rejects bad inputs and attributes") {
    const PortType data{ElementType::f32, {1, 1, 4, 4}};
    CHECK_THROWS_AS(infer_op("GridSample", "opset9", {data, {ElementType::f32, {1, 2, 2, 3}}}),
                    es::Error);
    CHECK_THROWS_AS(infer_op("GridSample", "opset9", {data, {ElementType::f32, {2, 2, 2, 2}}}),
                    es::Error);
    CHECK_THROWS_AS(infer_op("GridSample", "opset9",
                             {{ElementType::i32, {1, 1, 4, 4}}, {ElementType::f32, {1, 2, 2, 2}}}),
                    es::Error);
    CHECK_THROWS_AS(
        infer_op("GridSample", "opset9",
                 {{ElementType::f32, {1, 1, 4, 4, 4}}, {ElementType::f32, {1, 2, 2, 2, 3}}},
                 {{"mode", "bicubic"}}),
        es::Error);
    CHECK_THROWS_AS(infer_op("GridSample", "opset9", {data, {ElementType::f32, {1, 2, 2, 2}}},
                             {{"padding_mode", "wrap"}}),
                    es::Error);
    CHECK_THROWS_AS(infer_op("GridSample", "opset9", {data, {ElementType::f32, {1, 2, 2}}}),
                    es::Error);
}
