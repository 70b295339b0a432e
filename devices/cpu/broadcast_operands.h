#pragma once

// Operands of NumPy-broadcasting binary ops as oneDNN's binary primitive takes them: every
// operand with the destination's rank.

#include "devices/cpu/compiler.h"

namespace es::devices::cpu {

// `shape` with leading 1s up to `rank` (NumPy broadcasting aligns shapes at the right).
Shape padded(const Shape& shape, size_t rank);

// `id` seen with dimensions `dims` (its own with leading 1s): itself when its rank already
// matches, a plain view otherwise.
ValueId with_dims(Compiler& compiler, ValueId id, const Shape& dims);

}  // namespace es::devices::cpu
