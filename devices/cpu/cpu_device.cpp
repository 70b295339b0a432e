#include "devices/cpu/cpu_device.h"

#include "devices/cpu/dnnl_util.h"
#include "devices/cpu/executable.h"
#include "devices/cpu/matmul_peak.h"
#include "inference/graph/op.h"
#include "inference/runtime/runtime_config.h"

#include <fstream>

namespace es::devices {
namespace {

std::string cpu_model() {
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpuinfo, line)) {
        if (line.rfind("model name", 0) != 0) continue;
        const size_t colon = line.find(':');
        if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
    return "unknown CPU";
}

}  // namespace

std::string CpuDevice::description() const {
    return cpu_model() + " (oneDNN " + cpu::effective_isa() + ")";
}

int CpuDevice::compute_units() const {
    return runtime::available_cores();
}

std::optional<double> CpuDevice::peak_gflops(int threads) const {
    return cpu_matmul_peak_gflops(threads);
}

bool CpuDevice::supports(const graph::Node& node) const {
    return node.op != nullptr && node.op->evaluate != nullptr;
}

std::unique_ptr<runtime::Executable> CpuDevice::compile(
    std::shared_ptr<const graph::Model> model, const runtime::CompileOptions& options) const {
    return std::make_unique<cpu::CpuExecutable>(std::move(model), options);
}

}  // namespace es::devices
