#pragma once

#include "inference/runtime/device.h"

#include <memory>
#include <string>
#include <vector>

namespace es::runtime {

struct PortInfo {
    std::string name;  // the tensor name users know it by
    graph::PortType type;
};

// One set of input and output tensors and the executable that maps the first to the second.
class InferRequest {
  public:
    InferRequest(std::unique_ptr<ExecutionContext> context, std::vector<PortInfo> inputs,
                 std::vector<PortInfo> outputs);
    InferRequest(InferRequest&&) noexcept;
    InferRequest& operator=(InferRequest&&) noexcept;
    ~InferRequest();

    // Index of the input or output known by `name`; throws es::Error (BadInput) when none is.
    size_t input_index(const std::string& name) const;
    size_t output_index(const std::string& name) const;

    // Sets input `index`. Floating-point and integer values are converted to the model's
    // element type; the shape must fit the model's (possibly dynamic) input shape.
    void set_input(size_t index, const Tensor& tensor);
    const Tensor& input(size_t index) const;
    const Tensor& output(size_t index) const;

    void infer();

  private:
    std::unique_ptr<ExecutionContext> m_context;
    std::vector<PortInfo> m_input_info;
    std::vector<PortInfo> m_output_info;
    std::vector<Tensor> m_inputs;
    std::vector<Tensor> m_outputs;
};

}  // namespace es::runtime
