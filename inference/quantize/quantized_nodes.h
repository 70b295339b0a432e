#pragma once

#include "inference/graph/model.h"
#include "inference/quantize/ranges.h"

#include <string>

namespace es::quantize {

constexpr int k_activation_levels = 256;

// A FakeQuantize of `source` with k_activation_levels levels from grid.low to grid.high (in the
// source's float type), named `name`.
graph::Output add_fake_quantize(graph::Model& model, graph::Output source, const Range& grid,
                                const std::string& name);

// `layer`'s constant weights as integers in [-127, 127] in an i8 Const, converted back to their
// float type and multiplied by a scale per output channel. Throws es::Error (Runtime) when the
// weights are not constant f32 or f16.
graph::Output add_quantized_weights(graph::Model& model, const graph::Node& layer);

}  // namespace es::quantize
