#pragma once

#include "inference/graph/attributes.h"

#include <cstdint>
#include <vector>

// How Pad-1 and Pad-12 map output indices to data indices, shared by the reference kernel and
// the devices' own.
namespace es::graph::ops::pad {

enum class Mode { constant, edge, reflect, symmetric };

// The node's `pad_mode`; throws BadInput for a mode Pad does not have.
Mode mode_of(const Attributes& attributes);

// For each output index along one axis of `dim` elements padded by `before` to `size`, the data
// index it copies, or -1 for the pad value.
std::vector<int64_t> source_indices(Mode mode, int64_t dim, int64_t before, int64_t size);

}  // namespace es::graph::ops::pad
