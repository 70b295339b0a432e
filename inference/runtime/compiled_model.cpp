#include "inference/runtime/compiled_model.h"

#include "inference/runtime/compiled_state.h"

#include <chrono>

namespace es::runtime {
namespace {

// Float outputs are computed and returned as f32 whatever precision the file declares.
graph::PortType as_computed(graph::PortType type) {
    if (type.type == ElementType::f16) type.type = ElementType::f32;
    return type;
}

}  // namespace

CompiledModel::CompiledModel(std::shared_ptr<const graph::Model> model, const Device& device,
                             const std::string& instance, const StreamsConfig& streams,
                             const RuntimeConfig& config) {
    const auto start = std::chrono::steady_clock::now();
    auto executable =
        device.compile(model, CompileOptions{.threads_per_stream = streams.threads_per_stream,
                                             .profile = config.profile,
                                             .instance = instance,
                                             .exact_int8 = config.exact_int8});
    const std::chrono::duration<double, std::milli> compile_time =
        std::chrono::steady_clock::now() - start;

    m_state = std::make_shared<CompiledState>(streams.nstreams);
    m_state->executable = std::move(executable);
    m_state->compile_milliseconds = compile_time.count();
    m_state->device_name = device.name();
    m_state->streams = streams;
    for (graph::Node* parameter : model->parameters())
        m_state->inputs.push_back(
            {graph::output_name(parameter->output()), parameter->outputs[0].type});
    for (graph::Node* result : model->results())
        m_state->outputs.push_back({graph::output_name(result->inputs[0].source),
                                    as_computed(result->inputs[0].source.type())});
    m_state->model = std::move(model);
}

std::string CompiledModel::device_name() const {
    std::string running = m_state->executable->execution_device();
    return running.empty() ? m_state->device_name : running;
}

const std::vector<PortInfo>& CompiledModel::inputs() const {
    return m_state->inputs;
}

const std::vector<PortInfo>& CompiledModel::outputs() const {
    return m_state->outputs;
}

const graph::Model& CompiledModel::model() const {
    return *m_state->model;
}

int CompiledModel::nstreams() const {
    return m_state->streams.nstreams;
}

int CompiledModel::threads_per_stream() const {
    return m_state->streams.threads_per_stream;
}

int CompiledModel::nthreads() const {
    return m_state->streams.nthreads;
}

int CompiledModel::optimal_nireq() const {
    return m_state->streams.optimal_nireq;
}

size_t CompiledModel::peak_memory_bytes() const {
    return m_state->executable->peak_memory_bytes();
}

double CompiledModel::compile_milliseconds() const {
    return m_state->compile_milliseconds;
}

InferRequest CompiledModel::create_infer_request() const {
    return InferRequest(m_state);
}

}  // namespace es::runtime
