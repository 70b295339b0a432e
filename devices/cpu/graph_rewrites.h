#pragma once

#include "inference/graph/model.h"

namespace es::devices::cpu {

// Replaces x * HardSigmoid(x), written out as ONNX exports it (clamp(x * 1/6 + 1/2, 0, 1)) or
// as clamp(x + 3, 0, 6) * 1/6, by one HSwish, which oneDNN computes (and fuses) as one op.
// Returns how many were replaced.
size_t recognize_hswish(graph::Model& model);

}  // namespace es::devices::cpu
