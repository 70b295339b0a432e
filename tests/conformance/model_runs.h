#pragma once

#include "inference/core/tensor.h"
#include "inference/graph/model.h"

#include <string>

namespace es::testing {

// Worst |actual - expected| relative to the largest |expected|, taken as at least `floor` (so
// that an all-but-zero tensor is not compared to a tiny range): accumulation orders differ
// between engines, so an elementwise relative error is meaningless near zero.
double scaled_error(const Tensor& actual, const Tensor& expected, double floor);

// Whether two DetectionOutput results ([1, 1, N, 7] rows of image, label, score, box, ended by
// image -1) hold the same detections: as many, each row of `expected` matched by its own row
// of `actual` within `tolerance` in every field. Detections whose scores differ by rounding
// may come in either order.
bool same_detections(const Tensor& actual, const Tensor& expected, double tolerance);

// The output named `output` of `model` run on `device` with `input` as its only input.
Tensor run_model(const std::string& device, const graph::Model& model, const Tensor& input,
                 const std::string& output);

}  // namespace es::testing
