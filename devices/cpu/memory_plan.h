#pragma once

#include "devices/cpu/plan.h"

namespace es::devices::cpu {

// Gives every buffer an offset in one arena so that buffers whose lifetimes overlap never
// overlap in memory: largest first, each into the smallest gap that fits (greedy best fit).
// Returns the arena's size in bytes.
size_t assign_offsets(std::vector<Buffer>& buffers);

}  // namespace es::devices::cpu
