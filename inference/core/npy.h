#pragma once

#include "inference/core/tensor.h"

#include <filesystem>

namespace es {

// NumPy .npy files: versions 1.0 to 3.0, little-endian <f4 <f2 <f8 <i4 <i8 <i2 |u1 |i1 |b1,
// C order. Anything else is an es::Error (BadInput) naming the file.
Tensor read_npy(const std::filesystem::path& path);
// Writes version 1.0 (2.0 when the header needs it).
void write_npy(const std::filesystem::path& path, const Tensor& tensor);

}  // namespace es
