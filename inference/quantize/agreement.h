#pragma once

#include "inference/core/tensor.h"

#include <vector>

namespace es::quantize {

// The outputs of a model on each frame (frames outer, outputs inner).
using FrameOutputs = std::vector<std::vector<Tensor>>;

// Mean over frames and outputs of the cosine similarity of each candidate output with the
// reference one (two zero outputs agree).
double cosine_agreement(const FrameOutputs& reference, const FrameOutputs& candidate);

// Signal-to-noise ratio of the candidate outputs against the reference, in dB, over everything.
double signal_to_noise_db(const FrameOutputs& reference, const FrameOutputs& candidate);

// The share of frames whose output `output` has its largest value at the same index.
double top1_agreement(const FrameOutputs& reference, const FrameOutputs& candidate,
                      size_t output = 0);

}  // namespace es::quantize
