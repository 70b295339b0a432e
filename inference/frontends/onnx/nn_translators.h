#pragma once

// The NN-op translators, split over nn_*_translators.cpp and registered together from
// add_nn_translators (nn_translators.cpp). Private to the ONNX frontend.

#include "inference/frontends/onnx/node_context.h"

#include <string>
#include <vector>

namespace es::frontends::onnx_import::nn {

// "1,2,3", the IR text form of an integer list.
std::string join(const std::vector<int64_t>& values);

// A 1-D i64 constant.
graph::Output i64_constant(NodeContext& context, const std::vector<int64_t>& values);

// The static rank of input i; fails naming the input when it is unknown.
size_t static_rank(const NodeContext& context, size_t i, const char* what);

// `vector` ([C] or any shape of C elements) reshaped to [1, C, 1, …] of `rank`, to broadcast
// along the channel axis.
graph::Output channel_vector(NodeContext& context, graph::Output vector, size_t rank);

// Window attributes shared by Conv, ConvTranspose, pooling and DeformConv: ONNX pads
// [b1, b2, …, e1, e2, …] split into begin and end, auto_pad as the IR spells it.
struct WindowAttributes {
    std::vector<int64_t> kernel;  // kernel_shape, empty when absent
    std::vector<int64_t> strides;
    std::vector<int64_t> dilations;
    std::vector<int64_t> pads_begin;
    std::vector<int64_t> pads_end;
    std::string auto_pad;  // explicit, same_upper, same_lower, valid
};

// Reads kernel_shape, strides, dilations, pads and auto_pad for `spatial` spatial axes,
// checking list lengths.
WindowAttributes read_window(const NodeContext& context, size_t spatial);

std::vector<graph::Output> translate_conv(NodeContext& context);
std::vector<graph::Output> translate_conv_transpose(NodeContext& context);
std::vector<graph::Output> translate_deform_conv(NodeContext& context);

std::vector<graph::Output> translate_max_pool(NodeContext& context);
std::vector<graph::Output> translate_average_pool(NodeContext& context);
std::vector<graph::Output> translate_global_average_pool(NodeContext& context);
std::vector<graph::Output> translate_global_max_pool(NodeContext& context);

std::vector<graph::Output> translate_batch_normalization(NodeContext& context);
std::vector<graph::Output> translate_instance_normalization(NodeContext& context);
std::vector<graph::Output> translate_lrn(NodeContext& context);

std::vector<graph::Output> translate_resize(NodeContext& context);
std::vector<graph::Output> translate_upsample(NodeContext& context);

}  // namespace es::frontends::onnx_import::nn
