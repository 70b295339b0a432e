#pragma once

#include "inference/graph/model.h"

namespace es::devices::cpu {

// Replaces x * HardSigmoid(x), written out as exporters write it (x * clamp(x * 1/6 + 1/2, 0, 1),
// x * (clamp(x + 3, 0, 6) / 6), (x * clamp(x + 3, 0, 6)) / 6 or (x * 1/6) * clamp(x + 3, 0, 6),
// the clamps possibly as a Maximum and a Minimum) by one HSwish, which oneDNN computes (and
// fuses) as one op; a 1/6 rounded to f16 leaves a Multiply by its ratio to 1/6 after it.
// Returns how many were replaced.
size_t recognize_hswish(graph::Model& model);

}  // namespace es::devices::cpu
