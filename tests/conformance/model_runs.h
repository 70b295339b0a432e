#pragma once

#include "inference/core/tensor.h"
#include "inference/graph/model.h"

#include <string>

namespace es::testing {

// Worst |actual - expected| relative to the largest |expected|, taken as at least `floor` (so
// that an all-but-zero tensor is not compared to a tiny range): accumulation orders differ
// between engines, so an elementwise relative error is meaningless near zero.
double scaled_error(const Tensor& actual, const Tensor& expected, double floor);

// The output named `output` of `model` run on `device` with `input` as its only input.
Tensor run_model(const std::string& device, const graph::Model& model, const Tensor& input,
                 const std::string& output);

}  // namespace es::testing
