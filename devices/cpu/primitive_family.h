#pragma once

// How a node becomes oneDNN primitives.
//
// A family (convolution.cpp, pooling.cpp …) provides lowerings: functions that take one node,
// check that oneDNN can express its exact semantics for the shapes at hand, and then add the
// steps that compute it through the Compiler (compiler.h), returning true. A lowering that
// returns false must not have changed anything: the next lowering listed for the op type is
// tried, and the node's reference kernel runs when none accepts it.
//
// To add a family:
//   1. write `bool lower_xxx(const graph::Node& node, Compiler& compiler)` in a new file
//      devices/cpu/xxx.cpp and declare it below;
//   2. list it for its op types in lowerings() (primitive_family.cpp), before any lowering it
//      should take precedence over;
//   3. add cases to the op table in tests/unit/cpu that compare it with the reference kernel.
//
// Inside a lowering: read inputs with compiler.input_value() (constants with constant_input()),
// ask oneDNN for a primitive with `format_tag::any` where the layout is free, bring inputs into
// the layouts it chose with compiler.to_layout(), reorder weights once with add_weights(),
// create the destination with add_value(), then add_primitive() and define() each output.
// A lowering may compute consumers of the node as post-ops: it calls compiler.fuse() for each
// one and defines the last fused node's output instead (post_ops.h collects such chains).
// Values a step wrote as 8-bit integers (quantization.h) reach f32 lowerings through
// input_value() as well: the first call adds the dequantizing reorder, which any lowering of
// the node then reads.

#include "devices/cpu/compiler.h"

#include <string_view>
#include <vector>

namespace es::devices::cpu {

using Lowering = bool (*)(const graph::Node& node, Compiler& compiler);

struct LoweringEntry {
    std::string_view op_type;
    Lowering lower;
};

// Every lowering, in the order they are tried for an op type.
const std::vector<LoweringEntry>& lowerings();

bool lower_convolution(const graph::Node& node, Compiler& compiler);    // convolution.cpp
bool lower_deconvolution(const graph::Node& node, Compiler& compiler);  // convolution.cpp
bool lower_subpixel_deconvolution(const graph::Node& node, Compiler& compiler);
bool lower_pooling(const graph::Node& node, Compiler& compiler);        // pooling.cpp
bool lower_reduction(const graph::Node& node, Compiler& compiler);      // pooling.cpp
bool lower_matmul(const graph::Node& node, Compiler& compiler);         // matmul.cpp
bool lower_eltwise(const graph::Node& node, Compiler& compiler);        // eltwise.cpp
bool lower_prelu(const graph::Node& node, Compiler& compiler);          // eltwise.cpp
bool lower_binary(const graph::Node& node, Compiler& compiler);         // binary.cpp
bool lower_concat(const graph::Node& node, Compiler& compiler);         // data_movement.cpp
bool lower_softmax(const graph::Node& node, Compiler& compiler);        // data_movement.cpp
bool lower_transpose(const graph::Node& node, Compiler& compiler);      // reshape.cpp
bool lower_interpolate(const graph::Node& node, Compiler& compiler);    // interpolate.cpp
bool lower_reshape(const graph::Node& node, Compiler& compiler);        // reshape.cpp
bool lower_float_convert(const graph::Node& node, Compiler& compiler);  // reshape.cpp
bool lower_fake_quantize(const graph::Node& node, Compiler& compiler);  // fake_quantize.cpp
bool lower_pad(const graph::Node& node, Compiler& compiler);            // pad_step.cpp

// A convolution and the pooling that alone reads its output, in bands of rows
// (banded_convolution.cpp); whether a pooling primitive can take post-ops (pooling.cpp).
bool lower_banded_convolution(const graph::Node& node, Compiler& compiler);
bool pooling_takes_post_ops(const dnnl::primitive_desc_base& primitive);

// FakeQuantize -> Convolution as an int8 convolution (int8_convolution.cpp), and MaxPool,
// Concat, Reshape and Transpose of the 8-bit values between them (quantization.h).
bool lower_int8_convolution(const graph::Node& node, Compiler& compiler);
bool lower_quantized_max_pool(const graph::Node& node, Compiler& compiler);  // pooling.cpp
bool lower_quantized_concat(const graph::Node& node, Compiler& compiler);    // data_movement.cpp
bool lower_quantized_move(const graph::Node& node, Compiler& compiler);      // reshape.cpp

// Comparisons, conversions to f32, TopK, and the linear resizes oneDNN's resampling lacks (the
// forms converted TensorFlow graphs have).
bool lower_comparison(const graph::Node& node, Compiler& compiler);          // comparison.cpp
bool lower_convert_to_float(const graph::Node& node, Compiler& compiler);    // reshape.cpp
bool lower_topk(const graph::Node& node, Compiler& compiler);                // topk_step.cpp
bool lower_linear_interpolate(const graph::Node& node, Compiler& compiler);  // interpolate.cpp

// NormalizeL2 over adjacent axes (normalize_l2_step.cpp).
bool lower_normalize_l2(const graph::Node& node, Compiler& compiler);

// SoftMax over a short axis that is not the last, on the plain layout (softmax_step.cpp).
bool lower_short_axis_softmax(const graph::Node& node, Compiler& compiler, size_t axis);

}  // namespace es::devices::cpu
