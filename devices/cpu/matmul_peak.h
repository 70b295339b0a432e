#pragma once

namespace es::devices {

// oneDNN's f32 matmul rate on this machine with `threads` threads, in GFLOP/s: a 1024³ product
// repeated for about 0.3 s. What `edgesight bench` compares a model's rate with.
double cpu_matmul_peak_gflops(int threads);

}  // namespace es::devices
