#pragma once

namespace es::devices::gpu {

// The OpenCL C source of every kernel of the GPU device: one program.
extern const char* const k_kernel_source;

}  // namespace es::devices::gpu
