#include "devices/reference/reference_device.h"

#include "inference/core/error.h"
#include "inference/graph/evaluate.h"
#include "inference/graph/op.h"
#include "inference/runtime/runtime_config.h"

#include <chrono>
#include <unordered_map>

namespace es::devices {
namespace {

// When each node's values can be dropped: the position of its last consumer.
struct Schedule {
    std::unordered_map<const graph::Node*, size_t> position;
    std::vector<size_t> last_use;

    explicit Schedule(const graph::Model& model) {
        const auto& nodes = model.nodes();
        for (size_t i = 0; i < nodes.size(); ++i)
            position[nodes[i].get()] = i;
        last_use.assign(nodes.size(), 0);
        for (size_t i = 0; i < nodes.size(); ++i)
            for (const auto& input : nodes[i]->inputs)
                last_use[position.at(input.source.node)] = i;
    }
};

size_t static_output_bytes(const graph::Node& node) {
    size_t bytes = 0;
    for (const auto& output : node.outputs)
        if (output.type.shape.is_static())
            bytes += shape_size(output.type.shape.to_shape()) * element_size(output.type.type);
    return bytes;
}

// Constants plus the most bytes of node outputs alive at once while a request runs, from the
// static shapes (dynamic ones count as zero). Inputs and the outputs read by a Result stay
// alive: the request holds them.
size_t estimate_peak_memory(const graph::Model& model, const Schedule& schedule) {
    const auto& nodes = model.nodes();
    std::vector<bool> held(nodes.size(), false);
    for (const graph::Node* result : model.results())
        held[schedule.position.at(result->inputs[0].source.node)] = true;
    for (const graph::Node* parameter : model.parameters())
        held[schedule.position.at(parameter)] = true;
    std::vector<bool> released(nodes.size(), false);
    size_t constants = 0;
    size_t live = 0;
    size_t peak = 0;
    for (size_t i = 0; i < nodes.size(); ++i) {
        const graph::Node& node = *nodes[i];
        if (node.type == "Const") {
            constants += node.value.byte_size();
            continue;
        }
        live += static_output_bytes(node);
        peak = std::max(peak, live);
        for (const auto& input : node.inputs) {
            const size_t producer = schedule.position.at(input.source.node);
            if (schedule.last_use[producer] != i || held[producer] || released[producer] ||
                nodes[producer]->type == "Const")
                continue;
            released[producer] = true;
            live -= static_output_bytes(*nodes[producer]);
        }
    }
    return constants + peak;
}

class ReferenceContext : public runtime::ExecutionContext {
  public:
    ReferenceContext(std::shared_ptr<const graph::Model> model,
                     std::shared_ptr<const Schedule> schedule, bool profile)
        : m_model(std::move(model)), m_schedule(std::move(schedule)), m_profile(profile) {
        if (!m_profile) return;
        for (const auto& node : m_model->nodes())
            m_layers.push_back({.name = node->name, .type = node->type, .implementation = "ref"});
    }

    void run(const std::vector<Tensor>& inputs, std::vector<Tensor>& outputs) override {
        const auto& nodes = m_model->nodes();
        std::vector<std::vector<Tensor>> values(nodes.size());
        outputs.clear();
        size_t next_input = 0;
        for (size_t i = 0; i < nodes.size(); ++i) {
            const graph::Node& node = *nodes[i];
            const auto start = std::chrono::steady_clock::now();
            std::vector<Tensor> arguments;
            arguments.reserve(node.inputs.size());
            for (const auto& input : node.inputs)
                arguments.push_back(
                    values[m_schedule->position.at(input.source.node)][input.source.port]);
            if (node.type == "Parameter") {
                values[i] = {check_input(node, inputs.at(next_input++))};
            } else if (node.type == "Result") {
                outputs.push_back(arguments[0].type() == ElementType::f16
                                      ? convert(arguments[0], ElementType::f32)
                                      : arguments[0]);
            } else {
                values[i] = graph::evaluate_node(node, arguments);
            }
            for (const auto& input : node.inputs) {
                const size_t producer = m_schedule->position.at(input.source.node);
                if (m_schedule->last_use[producer] == i) values[producer].clear();
            }
            if (m_profile) {
                m_layers[i].milliseconds += std::chrono::duration<double, std::milli>(
                                                std::chrono::steady_clock::now() - start)
                                                .count();
                ++m_layers[i].runs;
            }
        }
    }

    std::vector<runtime::LayerProfile> layer_profile() const override { return m_layers; }

  private:
    static const Tensor& check_input(const graph::Node& node, const Tensor& tensor) {
        const graph::PortType& expected = node.outputs[0].type;
        if (tensor.type() != expected.type || !expected.shape.accepts(tensor.shape()))
            throw_bad_input("{}: expects {}{}, got {}{}", node.describe(), to_string(expected.type),
                            to_string(expected.shape), to_string(tensor.type()),
                            to_string(tensor.shape()));
        return tensor;
    }

    std::shared_ptr<const graph::Model> m_model;
    std::shared_ptr<const Schedule> m_schedule;
    bool m_profile;
    std::vector<runtime::LayerProfile> m_layers;  // one per node, with m_profile
};

class ReferenceExecutable : public runtime::Executable {
  public:
    ReferenceExecutable(std::shared_ptr<const graph::Model> model, bool profile)
        : m_model(std::move(model)),
          m_schedule(std::make_shared<const Schedule>(*m_model)),
          m_peak_memory_bytes(estimate_peak_memory(*m_model, *m_schedule)),
          m_profile(profile) {}

    std::unique_ptr<runtime::ExecutionContext> create_context() const override {
        return std::make_unique<ReferenceContext>(m_model, m_schedule, m_profile);
    }

    size_t peak_memory_bytes() const override { return m_peak_memory_bytes; }

  private:
    std::shared_ptr<const graph::Model> m_model;
    std::shared_ptr<const Schedule> m_schedule;
    size_t m_peak_memory_bytes;
    bool m_profile;
};

}  // namespace

std::string ReferenceDevice::description() const {
    return "reference kernels, one node at a time on one thread per stream";
}

int ReferenceDevice::compute_units() const {
    return runtime::available_cores();
}

bool ReferenceDevice::supports(const graph::Node& node) const {
    return node.op != nullptr && node.op->evaluate != nullptr;
}

std::unique_ptr<runtime::Executable> ReferenceDevice::compile(
    std::shared_ptr<const graph::Model> model, const runtime::CompileOptions& options) const {
    return std::make_unique<ReferenceExecutable>(std::move(model), options.profile);
}

}  // namespace es::devices
