#pragma once

#include "inference/graph/ops/op_util.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

// Shared by the data-movement op files (movement*.cpp); not part of the public op API.
namespace es::graph::ops::movement {

// Fills `dst` in row-major order over `dst_shape` with src[offset + sum(index[k] * strides[k])].
// Offsets and strides count elements and may be zero (repeat) or negative (reverse). Copies
// `element_size` bytes per element, so it works for every element type.
void copy_strided(const std::byte* src, size_t element_size, int64_t offset,
                  std::span<const int64_t> strides, const Shape& dst_shape, std::byte* dst);

// Row-major strides, in elements, of a static shape.
std::vector<int64_t> element_strides(const Shape& shape);

// The single value of constant integer input `i` (a scalar or a one-element tensor), or nullopt
// when not known yet.
std::optional<int64_t> constant_scalar(const InferContext& context, size_t i, const char* what);

// Throws unless input `i` is a scalar or 1-D (unknown rank passes).
void expect_scalar_or_1d(const InferContext& context, size_t i, const char* what);

// Throws when a static output shape would hold more elements than a buffer can (guards
// allocations sized by input values such as pads or repeats).
void check_output_size(const PartialShape& shape);

// movement_slice.cpp
std::vector<PortType> infer_strided_slice(const InferContext& context);
void evaluate_strided_slice(const Node& node, std::span<const Tensor> inputs,
                            std::vector<Tensor>& outputs);
std::vector<PortType> infer_slice(const InferContext& context);
void evaluate_slice(const Node& node, std::span<const Tensor> inputs, std::vector<Tensor>& outputs);

// movement_broadcast.cpp
std::vector<PortType> infer_broadcast_v1(const InferContext& context);
std::vector<PortType> infer_broadcast_v3(const InferContext& context);
void evaluate_broadcast(const Node& node, std::span<const Tensor> inputs,
                        std::vector<Tensor>& outputs);
std::vector<PortType> infer_tile(const InferContext& context);
void evaluate_tile(const Node& node, std::span<const Tensor> inputs, std::vector<Tensor>& outputs);

// movement_pad.cpp
std::vector<PortType> infer_pad_v1(const InferContext& context);
std::vector<PortType> infer_pad_v12(const InferContext& context);
void evaluate_pad(const Node& node, std::span<const Tensor> inputs, std::vector<Tensor>& outputs);

// movement_space.cpp
std::vector<PortType> infer_depth_to_space(const InferContext& context);
void evaluate_depth_to_space(const Node& node, std::span<const Tensor> inputs,
                             std::vector<Tensor>& outputs);
std::vector<PortType> infer_space_to_depth(const InferContext& context);
void evaluate_space_to_depth(const Node& node, std::span<const Tensor> inputs,
                             std::vector<Tensor>& outputs);

// movement_generate.cpp
std::vector<PortType> infer_range_v1(const InferContext& context);
std::vector<PortType> infer_range_v4(const InferContext& context);
void evaluate_range(const Node& node, std::span<const Tensor> inputs, std::vector<Tensor>& outputs);
std::vector<PortType> infer_non_zero(const InferContext& context);
void evaluate_non_zero(const Node& node, std::span<const Tensor> inputs,
                       std::vector<Tensor>& outputs);

}  // namespace es::graph::ops::movement
