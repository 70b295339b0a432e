#pragma once

#include "inference/runtime/device.h"

namespace es::devices {

// CPU: oneDNN primitives (layouts chosen by oneDNN, post-op fusion, weights reordered once, one
// arena per request) with reference kernels for what oneDNN cannot express.
class CpuDevice : public runtime::Device {
  public:
    std::string name() const override { return "CPU"; }
    // The CPU model and the instruction set oneDNN uses, e.g. "Intel(R) Xeon(R) …
    // (avx512_core_amx)".
    std::string description() const override;
    int compute_units() const override;  // the cores this process may run on
    // oneDNN's f32 matmul rate (matmul_peak.h).
    std::optional<double> peak_gflops(int threads) const override;
    bool supports(const graph::Node& node) const override;
    std::unique_ptr<runtime::Executable> compile(
        std::shared_ptr<const graph::Model> model,
        const runtime::CompileOptions& options) const override;
};

}  // namespace es::devices
