#pragma once

#include "inference/graph/model.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace es::testing {

// Builds a one-op model whose inputs are Consts with the given values, infers its shapes, then
// runs the op's reference kernel. Returns the outputs; `inferred` (if given) receives the port
// types shape inference produced, so tests can check the two agree.
std::vector<Tensor> run_op(const std::string& type, const std::string& version,
                           const std::vector<Tensor>& inputs,
                           const graph::Attributes& attributes = {},
                           std::vector<graph::PortType>* inferred = nullptr);

// Shape inference only, with inputs of the given types; `values` may hold constant inputs (empty
// tensors where unknown). Returns the output types.
std::vector<graph::PortType> infer_op(const std::string& type, const std::string& version,
                                      const std::vector<graph::PortType>& inputs,
                                      const graph::Attributes& attributes = {},
                                      const std::vector<Tensor>& values = {});

// A f32 tensor of `shape` holding `values` (row-major).
Tensor f32(Shape shape, std::vector<float> values);
Tensor i64(Shape shape, std::vector<int64_t> values);
Tensor i32(Shape shape, std::vector<int32_t> values);
// f32 tensor filled with 0, 1, 2, … (times `scale`).
Tensor iota_f32(Shape shape, float scale = 1.0f);

// "small": y = relu(x + 1) with x of shape [?, 2] (input "x", output "y").
std::shared_ptr<graph::Model> small_model();

// CHECKs shape equality and every element within `tolerance` (absolute), reporting the first
// mismatching index.
void check_close(const Tensor& actual, const Shape& expected_shape,
                 const std::vector<float>& expected, float tolerance = 1e-5f);
void check_equal(const Tensor& actual, const Shape& expected_shape,
                 const std::vector<int64_t>& expected);

}  // namespace es::testing
