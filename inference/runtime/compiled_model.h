#pragma once

#include "inference/runtime/device.h"
#include "inference/runtime/infer_request.h"

#include <memory>
#include <string>
#include <vector>

namespace es::runtime {

// A model compiled for a device; creates requests that run it.
class CompiledModel {
  public:
    CompiledModel(std::shared_ptr<const graph::Model> model, const Device& device,
                  const CompileOptions& options);

    const std::string& device_name() const { return m_device_name; }
    const std::vector<PortInfo>& inputs() const { return m_inputs; }
    const std::vector<PortInfo>& outputs() const { return m_outputs; }
    InferRequest create_infer_request() const;

  private:
    std::shared_ptr<const Executable> m_executable;
    std::string m_device_name;
    std::vector<PortInfo> m_inputs;
    std::vector<PortInfo> m_outputs;
};

}  // namespace es::runtime
