#pragma once

#include "inference/graph/model.h"

namespace es::devices::cpu {

// Replaces x * HardSigmoid(x), written out as exporters write it (x * clamp(x * 1/6 + 1/2, 0, 1),
// x * (clamp(x + 3, 0, 6) / 6), (x * clamp(x + 3, 0, 6)) / 6 or (x * 1/6) * clamp(x + 3, 0, 6),
// the clamps possibly as a Maximum and a Minimum) by one HSwish, which oneDNN computes (and
// fuses) as one op; a 1/6 rounded to f16 leaves a Multiply by its ratio to 1/6 after it.
// Returns how many were replaced.
size_t recognize_hswish(graph::Model& model);

// A convolution reading a Concat of FakeQuantize outputs on different grids becomes the sum of
// one convolution per Concat input (concat_split.cpp), which int8 kernels compute. Returns how
// many were replaced.
size_t split_concat_convolutions(graph::Model& model);

// Removes every FakeQuantize of at most 256 levels on a computed tensor (weights' ones are
// folded before): on a CPU without an 8-bit dot product an INT8 IR runs as the float network
// its FakeQuantizes approximate, at the speed of its FP32 form, since emulating them in f32
// costs more than the int8 kernels could not save. Returns the names of those removed.
std::vector<std::string> skip_activation_quantization(graph::Model& model);

// Whether `node` only moves the elements of its first input: Reshape, Squeeze, Unsqueeze,
// Transpose.
bool moves_elements(const graph::Node& node);

// Moves ReLU, Clamp and FakeQuantize with one range for the tensor ahead of the chain of
// element moves before them (each move read by the next alone), which they commute with: they
// join the post-ops of the step before (a depth-to-space upsampler's convolution then writes the
// 8-bit values its moves carry to the next int8 convolution). Returns how many were moved.
size_t hoist_elementwise_over_moves(graph::Model& model);

// Whether `concat` joins tensors of rank 3 or more along axis 1, their channels.
bool concatenates_channels(const graph::Node& concat);

// Gives a node made by a rewrite its op and one output of type `port`. (Shape inference would
// refuse the f32 weights that constant folding for the device leaves on f16 data.)
void give_output(graph::Node& node, const graph::PortType& port);

// Replaces each CReLU block, a Concat of a convolution's output and its negation (through
// FakeQuantizes in INT8 IRs), by one convolution computing both halves, followed by
// FakeQuantizes with a range per channel (crelu.cpp). Returns how many were replaced.
size_t fold_crelu(graph::Model& model);

}  // namespace es::devices::cpu
