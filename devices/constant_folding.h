#pragma once

#include "inference/graph/model.h"

namespace es::devices {

// Replaces every node whose inputs are all constants (weight decompression included) and every
// ShapeOf of a static shape by a Const, stored as f32 where the model says f16, then drops what
// no output needs and restores topological order.
void fold_constants(graph::Model& model);

}  // namespace es::devices
