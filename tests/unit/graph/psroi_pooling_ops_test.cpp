#include "inference/core/error.h"
#include "tests/support/op_testing.h"

using namespace es;
using namespace es::testing;

namespace {

graph::Attributes psroi_attributes(const char* mode, const char* group_size, const char* scale,
                                   const char* bins_x = "1", const char* bins_y = "1") {
    return {{"output_dim", "1"}, {"group_size", group_size}, {"spatial_scale", scale},
            {"mode", mode},      {"spatial_bins_x", bins_x}, {"spatial_bins_y", bins_y}};
}

}  // namespace

// iota_f32({1, 4, 4, 4}): map m holds 16m + 4y + x.

TEST_CASE("PSROIPooling-1 average: each bin averages its pixels from its own map") {
    // Scale 1: ROI (0, 0)-(3, 3) inclusive gives bins of 2 x 2 pixels. Scale 0.5: the same ROI
    // spans 0..2, bins of one pixel; (0.4, 0.4)-(5.6, 5.6) rounds to (0, 0)-(6, 6), scaled to
    // 0..3.5: bins of 1.75 cover pixels [0, 2) and [1, 4). Batch index -1 (the row after the
    // last proposal) gives zeros.
    const Tensor rois = f32({3, 5}, {0, 0, 0, 3, 3, 0, 0.4f, 0.4f, 5.6f, 5.6f, -1, 0, 0, 0, 0});
    auto outputs =
        run_op("PSROIPooling", "opset1", {iota_f32({1, 4, 4, 4}), f32({1, 5}, {0, 0, 0, 3, 3})},
               psroi_attributes("average", "2", "1"));
    check_close(outputs[0], {1, 1, 2, 2}, {2.5f, 20.5f, 42.5f, 60.5f});
    outputs = run_op("PSROIPooling", "opset1", {iota_f32({1, 4, 4, 4}), rois},
                     psroi_attributes("average", "2", "0.5"));
    check_close(outputs[0], {3, 1, 2, 2},
                {0.0f, 17.0f, 36.0f, 53.0f, 2.5f, 20.0f, 40.5f, 58.0f, 0, 0, 0, 0});
}

TEST_CASE("PSROIPooling-1 bilinear: one sample per spatial bin, averaged over the bins") {
    // Normalized ROI (0, 0)-(1, 1), 2 x 2 bins of 0.5 and a 2 x 2 output: output (ph, pw) samples
    // map 2 by + bx at (1.5 (pw + bx), 1.5 (ph + by)); the maps are linear, so the samples are
    // exact: 16 (2 by + bx) + 6 (ph + by) + 1.5 (pw + bx), averaged over (by, bx).
    const auto outputs =
        run_op("PSROIPooling", "opset1", {iota_f32({1, 4, 4, 4}), f32({1, 5}, {0, 0, 0, 1, 1})},
               psroi_attributes("bilinear", "2", "1", "2", "2"));
    check_close(outputs[0], {1, 1, 2, 2}, {27.75f, 29.25f, 33.75f, 35.25f});
}

TEST_CASE("PSROIPooling-1 bilinear with a 1 x 1 output samples each bin at its centre") {
    // Bins 2 x 1 over (0, 0)-(1, 1): centres x 0.75 and 2.25 at y 1.5, from maps 0 and 1.
    const auto outputs =
        run_op("PSROIPooling", "opset1", {iota_f32({1, 2, 4, 4}), f32({1, 5}, {0, 0, 0, 1, 1})},
               psroi_attributes("bilinear", "1", "1", "2", "1"));
    check_close(outputs[0], {1, 1, 1, 1}, {15.5f});
}

TEST_CASE("PSROIPooling-1 rejects channel counts, ROIs and attributes that do not fit") {
    const graph::PortType data{ElementType::f32, PartialShape{1, 4, 4, 4}};
    const graph::PortType rois{ElementType::f32, PartialShape{3, 5}};
    CHECK(infer_op("PSROIPooling", "opset1", {data, rois}, psroi_attributes("average", "2", "1"))[0]
              .shape == PartialShape{3, 1, 2, 2});
    CHECK_THROWS_AS(
        infer_op("PSROIPooling", "opset1", {data, rois}, psroi_attributes("average", "3", "1")),
        es::Error);
    CHECK_THROWS_AS(
        infer_op("PSROIPooling", "opset1", {data, {ElementType::f32, PartialShape{3, 4}}},
                 psroi_attributes("average", "2", "1")),
        es::Error);
    CHECK_THROWS_AS(
        infer_op("PSROIPooling", "opset1", {data, rois}, psroi_attributes("max", "2", "1")),
        es::Error);
    CHECK_THROWS_AS(infer_op("PSROIPooling", "opset1", {data, rois},
                             psroi_attributes("bilinear", "2", "1", "0", "2")),
                    es::Error);
    CHECK_THROWS_AS(
        run_op("PSROIPooling", "opset1", {iota_f32({1, 4, 4, 4}), f32({1, 5}, {1, 0, 0, 3, 3})},
               psroi_attributes("average", "2", "1")),
        es::Error);
}
