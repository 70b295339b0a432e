#include "inference/runtime/compiled_model.h"

namespace es::runtime {
namespace {

// Float outputs are computed and returned as f32 whatever precision the file declares.
graph::PortType as_computed(graph::PortType type) {
    if (type.type == ElementType::f16) type.type = ElementType::f32;
    return type;
}

}  // namespace

CompiledModel::CompiledModel(std::shared_ptr<const graph::Model> model, const Device& device,
                             const CompileOptions& options)
    : m_executable(device.compile(model, options)), m_device_name(device.name()) {
    for (graph::Node* parameter : model->parameters())
        m_inputs.push_back({graph::output_name(parameter->output()), parameter->outputs[0].type});
    for (graph::Node* result : model->results())
        m_outputs.push_back({graph::output_name(result->inputs[0].source),
                             as_computed(result->inputs[0].source.type())});
}

InferRequest CompiledModel::create_infer_request() const {
    return InferRequest(m_executable->create_context(), m_inputs, m_outputs);
}

}  // namespace es::runtime
