#include "inference/core/error.h"
#include "tests/support/op_testing.h"

#include <limits>

using namespace es;
using namespace es::testing;

namespace {

graph::Attributes roi_attributes(int64_t pooled, int64_t sampling_ratio, const char* mode,
                                 const char* aligned_mode = nullptr, const char* scale = "1") {
    graph::Attributes attributes{{"pooled_h", std::to_string(pooled)},
                                 {"pooled_w", std::to_string(pooled)},
                                 {"sampling_ratio", std::to_string(sampling_ratio)},
                                 {"spatial_scale", scale},
                                 {"mode", mode}};
    if (aligned_mode) attributes.set("aligned_mode", aligned_mode);
    return attributes;
}

}  // namespace

// On iota_f32 maps of 4x4, value(y, x) = 4y + x is linear, so every bilinear sample is exact.

TEST_CASE("ROIAlign-3 averages bilinear samples at the bin centres") {
    const auto outputs = run_op("ROIAlign", "opset3",
                                {iota_f32({1, 1, 4, 4}), f32({1, 4}, {0, 0, 3, 3}), i64({1}, {0})},
                                roi_attributes(2, 1, "avg"));
    // Bins of 1.5 pixels, sampled at 0.75 and 2.25.
    check_close(outputs[0], {1, 1, 2, 2}, {3.75f, 5.25f, 9.75f, 11.25f});
}

TEST_CASE("ROIAlign-3 max takes the largest sample, avg their mean") {
    const std::vector<Tensor> inputs{iota_f32({1, 1, 4, 4}), f32({1, 4}, {0, 0, 3, 3}),
                                     i64({1}, {0})};
    // Two samples per axis in one bin of 3 pixels: at 0.75 and 2.25.
    check_close(run_op("ROIAlign", "opset3", inputs, roi_attributes(1, 2, "max"))[0], {1, 1, 1, 1},
                {11.25f});
    check_close(run_op("ROIAlign", "opset3", inputs, roi_attributes(1, 2, "avg"))[0], {1, 1, 1, 1},
                {7.5f});
    // sampling_ratio 0: ceil(3 / 1) = 3 samples per axis, at 0.5, 1.5 and 2.5.
    check_close(run_op("ROIAlign", "opset3", inputs, roi_attributes(1, 0, "max"))[0], {1, 1, 1, 1},
                {12.5f});
    check_close(run_op("ROIAlign", "opset3", inputs, roi_attributes(1, 0, "avg"))[0], {1, 1, 1, 1},
                {7.5f});
}

TEST_CASE("ROIAlign-3 picks the batch of each ROI, scales ROIs and handles every channel") {
    // Batch 1 channel c holds 32 + 16c + 4y + x; the ROI (0, 0)-(6, 6) scales by 0.5 to a bin
    // of 3 pixels sampled once at (1.5, 1.5).
    const auto outputs =
        run_op("ROIAlign", "opset3",
               {iota_f32({2, 2, 4, 4}), f32({2, 4}, {0, 0, 6, 6, 0, 0, 6, 6}), i64({2}, {1, 0})},
               roi_attributes(1, 1, "avg", nullptr, "0.5"));
    check_close(outputs[0], {2, 2, 1, 1}, {39.5f, 55.5f, 7.5f, 23.5f});
}

TEST_CASE("ROIAlign-3 clamps samples at the border and zeroes those far outside") {
    // Centres (4, 4) (on the border: clamps to pixel (3, 3)) and (6, 6) (outside: 0).
    const auto outputs =
        run_op("ROIAlign", "opset3",
               {iota_f32({1, 1, 4, 4}), f32({2, 4}, {2, 2, 6, 6, 4, 4, 8, 8}), i64({2}, {0, 0})},
               roi_attributes(1, 1, "avg"));
    check_close(outputs[0], {2, 1, 1, 1}, {15.0f, 0.0f});
}

TEST_CASE("ROIAlign-9 aligned modes shift the ROI by half a pixel") {
    const auto run = [](const char* aligned_mode, std::vector<float> roi, int64_t sampling) {
        return run_op("ROIAlign", "opset9",
                      {iota_f32({1, 1, 4, 4}), f32({1, 4}, std::move(roi)), i64({1}, {0})},
                      roi_attributes(1, sampling, "avg", aligned_mode))[0];
    };
    // half_pixel: (1.5 + 0.5) - 0.5 = 1.5 .. 3.5, centre 2.5.
    check_close(run("half_pixel", {1.5f, 1.5f, 3.5f, 3.5f}, 1), {1, 1, 1, 1}, {12.5f});
    // half_pixel_for_nn: 1.5 - 0.5 = 1 .. 3, centre 2.
    check_close(run("half_pixel_for_nn", {1.5f, 1.5f, 3.5f, 3.5f}, 1), {1, 1, 1, 1}, {10.0f});
    check_close(run("asymmetric", {1.5f, 1.5f, 3.5f, 3.5f}, 1), {1, 1, 1, 1}, {12.5f});
    // An empty ROI stays empty when aligned (no adaptive samples: 0) but grows to one pixel
    // when asymmetric (centre 1.5).
    check_close(run("half_pixel_for_nn", {1, 1, 1, 1}, 0), {1, 1, 1, 1}, {0.0f});
    check_close(run("half_pixel_for_nn", {1, 1, 1, 1}, 1), {1, 1, 1, 1}, {2.5f});
    check_close(run("asymmetric", {1, 1, 1, 1}, 0), {1, 1, 1, 1}, {7.5f});
}

TEST_CASE("ROIAlign shape inference with dynamic dimensions") {
    const auto types =
        infer_op("ROIAlign", "opset9",
                 {{ElementType::f32, PartialShape{k_dynamic, 3, k_dynamic, k_dynamic}},
                  {ElementType::f32, PartialShape{k_dynamic, 4}},
                  {ElementType::i32, PartialShape{5}}},
                 roi_attributes(2, 0, "avg", "half_pixel"));
    CHECK(types[0].type == ElementType::f32);
    CHECK(types[0].shape == PartialShape{5, 3, 2, 2});
    const auto unknown = infer_op("ROIAlign", "opset3",
                                  {{ElementType::f32, PartialShape::dynamic_rank()},
                                   {ElementType::f32, PartialShape::dynamic_rank()},
                                   {ElementType::i64, PartialShape::dynamic_rank()}},
                                  roi_attributes(7, 2, "max"));
    CHECK(unknown[0].shape == PartialShape{k_dynamic, k_dynamic, 7, 7});
}

TEST_CASE("ROIAlign rejects bad inputs and attributes") {
    const graph::PortType data{ElementType::f32, PartialShape{1, 1, 4, 4}};
    const graph::PortType rois{ElementType::f32, PartialShape{2, 4}};
    const graph::PortType indices{ElementType::i64, PartialShape{2}};
    const auto attributes = roi_attributes(2, 1, "avg");
    CHECK_THROWS_AS(infer_op("ROIAlign", "opset3",
                             {data, {ElementType::f32, PartialShape{2, 5}}, indices}, attributes),
                    es::Error);
    CHECK_THROWS_AS(infer_op("ROIAlign", "opset3",
                             {data, rois, {ElementType::i64, PartialShape{3}}}, attributes),
                    es::Error);
    CHECK_THROWS_AS(infer_op("ROIAlign", "opset3",
                             {data, rois, {ElementType::f32, PartialShape{2}}}, attributes),
                    es::Error);
    CHECK_THROWS_AS(
        infer_op("ROIAlign", "opset3", {{ElementType::f32, PartialShape{1, 4, 4}}, rois, indices},
                 attributes),
        es::Error);
    CHECK_THROWS_AS(
        infer_op("ROIAlign", "opset3", {data, rois, indices}, roi_attributes(0, 1, "avg")),
        es::Error);
    CHECK_THROWS_AS(
        infer_op("ROIAlign", "opset3", {data, rois, indices}, roi_attributes(2, -1, "avg")),
        es::Error);
    CHECK_THROWS_AS(
        infer_op("ROIAlign", "opset3", {data, rois, indices}, roi_attributes(2, 1, "sum")),
        es::Error);
    CHECK_THROWS_AS(
        infer_op("ROIAlign", "opset9", {data, rois, indices}, roi_attributes(2, 1, "avg", "half")),
        es::Error);
    CHECK_THROWS_AS(
        run_op("ROIAlign", "opset3",
               {iota_f32({1, 1, 4, 4}), f32({1, 4}, {0, 0, 3, 3}), i64({1}, {1})}, attributes),
        es::Error);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    CHECK_THROWS_AS(
        run_op("ROIAlign", "opset3",
               {iota_f32({1, 1, 4, 4}), f32({1, 4}, {0, 0, nan, 3}), i64({1}, {0})}, attributes),
        es::Error);
}
