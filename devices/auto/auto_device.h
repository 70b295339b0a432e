#pragma once

#include "inference/runtime/device.h"

#include <memory>
#include <string>
#include <vector>

namespace es::devices {

// AUTO: runs a model on the first of its devices that supports every op of it (the primary),
// with another device (the fallback, the CPU) kept ready where the primary is not the fallback:
// - requests run on the fallback at once while the primary compiles in the background, and
//   move to the primary when it is ready (a primary that fails to compile is left out);
// - when a run on the primary fails and the same run then succeeds on the fallback, that run's
//   results are the fallback's (no frame is lost) and every later run goes to the fallback.
//   A run that fails on both was the model's or the input's fault, not the device's: its error
//   is the fallback's and the primary stays.
class AutoDevice : public runtime::Device {
  public:
    // `devices` most capable first; `fallback` names one of them.
    AutoDevice(std::vector<std::unique_ptr<runtime::Device>> devices, std::string fallback);

    std::string name() const override { return "AUTO"; }
    std::string description() const override;
    // The first device's: a model AUTO runs starts there unless that device lacks an op.
    int compute_units() const override;
    bool supports(const graph::Node& node) const override;
    // Throws es::Error (BadInput) when no device runs every op, saying what each one lacks.
    std::unique_ptr<runtime::Executable> compile(
        std::shared_ptr<const graph::Model> model,
        const runtime::CompileOptions& options) const override;

  private:
    // Shared with the background compiles, which may outlive this.
    std::vector<std::shared_ptr<const runtime::Device>> m_devices;
    std::string m_fallback;
};

}  // namespace es::devices
