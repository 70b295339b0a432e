#include "inference/runtime/infer_request.h"

#include "inference/core/error.h"

namespace es::runtime {

InferRequest::InferRequest(std::unique_ptr<ExecutionContext> context, std::vector<PortInfo> inputs,
                           std::vector<PortInfo> outputs)
    : m_context(std::move(context)),
      m_input_info(std::move(inputs)),
      m_output_info(std::move(outputs)),
      m_inputs(m_input_info.size()),
      m_outputs(m_output_info.size()) {
    for (size_t i = 0; i < m_input_info.size(); ++i)
        if (m_input_info[i].type.shape.is_static())
            m_inputs[i] = Tensor(m_input_info[i].type.type, m_input_info[i].type.shape.to_shape());
}

InferRequest::InferRequest(InferRequest&&) noexcept = default;
InferRequest& InferRequest::operator=(InferRequest&&) noexcept = default;
InferRequest::~InferRequest() = default;

namespace {

size_t index_of(const std::vector<PortInfo>& ports, const std::string& name, const char* what) {
    for (size_t i = 0; i < ports.size(); ++i)
        if (ports[i].name == name) return i;
    std::string known;
    for (const auto& port : ports)
        known += (known.empty() ? "" : ", ") + port.name;
    throw_bad_input("the model has no {} named '{}' (it has: {})", what, name, known);
}

}  // namespace

size_t InferRequest::input_index(const std::string& name) const {
    return index_of(m_input_info, name, "input");
}

size_t InferRequest::output_index(const std::string& name) const {
    return index_of(m_output_info, name, "output");
}

void InferRequest::set_input(size_t index, const Tensor& tensor) {
    const PortInfo& port = m_input_info.at(index);
    if (!port.type.shape.accepts(tensor.shape()))
        throw_bad_input("input '{}' expects shape {}, got {}", port.name,
                        to_string(port.type.shape), to_string(tensor.shape()));
    const bool numeric =
        tensor.type() != ElementType::boolean && port.type.type != ElementType::boolean;
    if (tensor.type() != port.type.type && !numeric)
        throw_bad_input("input '{}' expects {}, got {}", port.name, to_string(port.type.type),
                        to_string(tensor.type()));
    m_inputs[index] = tensor.type() == port.type.type ? tensor : convert(tensor, port.type.type);
}

const Tensor& InferRequest::input(size_t index) const {
    return m_inputs.at(index);
}

const Tensor& InferRequest::output(size_t index) const {
    return m_outputs.at(index);
}

void InferRequest::infer() {
    for (size_t i = 0; i < m_inputs.size(); ++i)
        if (m_inputs[i].empty())
            throw_bad_input("input '{}' has a dynamic shape {} and was not set",
                            (m_input_info)[i].name, to_string((m_input_info)[i].type.shape));
    m_context->run(m_inputs, m_outputs);
}

}  // namespace es::runtime
