#pragma once

#include "inference/frontends/onnx/translators.h"

#include <cstdint>
#include <string>
#include <vector>

// The tensor family's translators, split by what they do; add_tensor_translators registers them
// all. Not part of the frontend's API.
namespace es::frontends::onnx_import::tensor {

// tensor_shape_translators.cpp: Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Concat, Split,
// Shape, Size, ConstantOfShape, Expand, Tile, Range, NonZero
void add_shape_translators(std::vector<OpTranslator>& table);
// tensor_index_translators.cpp: Slice, Gather, GatherElements, Pad, TopK, ArgMax, ArgMin,
// NonMaxSuppression, RoiAlign
void add_index_translators(std::vector<OpTranslator>& table);
// tensor_reduce_translators.cpp: Reduce*, comparisons, logical ops, Where
void add_reduce_translators(std::vector<OpTranslator>& table);

// A 1-D i64 constant.
graph::Output i64_constant(NodeContext& context, const std::vector<int64_t>& values);
// A scalar i64 constant.
graph::Output i64_scalar(NodeContext& context, int64_t value);
// The integer values of constant input `i`; fails naming `what` when it is not a constant.
std::vector<int64_t> constant_ints(const NodeContext& context, size_t i, const std::string& what);
// The rank of input `i`; fails naming `why` when it is not known.
size_t known_rank(const NodeContext& context, size_t i, const std::string& why);
// `axis` counted from the back when negative, checked against `rank`.
size_t normalized_axis(const NodeContext& context, int64_t axis, size_t rank,
                       const std::string& what);
// `data` as [d0 * … * d(axis-1), d(axis) * … * d(rank-1)], as ONNX Flatten does. The outer size
// comes from the runtime shape, not from the shape known now, so that the model can still be
// reshaped and may have dynamic leading dimensions.
graph::Output flatten_to_2d(NodeContext& context, const graph::Output& data, size_t axis);
// The single output of an IR node added for `context`.
graph::Output add_op(NodeContext& context, const std::string& type, const std::string& version,
                     std::vector<graph::Output> inputs, graph::Attributes attributes = {});

}  // namespace es::frontends::onnx_import::tensor
