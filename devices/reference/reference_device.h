#pragma once

#include "inference/runtime/device.h"

namespace es::devices {

// REF: runs every node with its reference kernel, one after the other, on the stream's thread.
// The oracle that optimized devices are tested against.
class ReferenceDevice : public runtime::Device {
  public:
    std::string name() const override { return "REF"; }
    std::string description() const override;
    int compute_units() const override;  // the cores this process may run on
    bool supports(const graph::Node& node) const override;
    std::unique_ptr<runtime::Executable> compile(
        std::shared_ptr<const graph::Model> model,
        const runtime::CompileOptions& options) const override;
};

}  // namespace es::devices
