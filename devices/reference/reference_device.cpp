#include "devices/reference/reference_device.h"

#include "inference/core/error.h"
#include "inference/graph/evaluate.h"
#include "inference/graph/op.h"

#include <unordered_map>

namespace es::devices {
namespace {

class ReferenceContext : public runtime::ExecutionContext {
  public:
    explicit ReferenceContext(std::shared_ptr<const graph::Model> model)
        : m_model(std::move(model)) {
        const auto& nodes = m_model->nodes();
        for (size_t i = 0; i < nodes.size(); ++i)
            m_position[nodes[i].get()] = i;
        m_last_use.assign(nodes.size(), 0);
        for (size_t i = 0; i < nodes.size(); ++i)
            for (const auto& input : nodes[i]->inputs)
                m_last_use[m_position.at(input.source.node)] = i;
    }

    void run(const std::vector<Tensor>& inputs, std::vector<Tensor>& outputs) override {
        const auto& nodes = m_model->nodes();
        std::vector<std::vector<Tensor>> values(nodes.size());
        outputs.clear();
        size_t next_input = 0;
        for (size_t i = 0; i < nodes.size(); ++i) {
            const graph::Node& node = *nodes[i];
            std::vector<Tensor> arguments;
            arguments.reserve(node.inputs.size());
            for (const auto& input : node.inputs)
                arguments.push_back(values[m_position.at(input.source.node)][input.source.port]);
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
                const size_t producer = m_position.at(input.source.node);
                if (m_last_use[producer] == i) values[producer].clear();
            }
        }
    }

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
    std::unordered_map<const graph::Node*, size_t> m_position;
    std::vector<size_t> m_last_use;
};

class ReferenceExecutable : public runtime::Executable {
  public:
    explicit ReferenceExecutable(std::shared_ptr<const graph::Model> model)
        : m_model(std::move(model)) {}

    std::unique_ptr<runtime::ExecutionContext> create_context() const override {
        return std::make_unique<ReferenceContext>(m_model);
    }

  private:
    std::shared_ptr<const graph::Model> m_model;
};

}  // namespace

bool ReferenceDevice::supports(const graph::Node& node) const {
    return node.op != nullptr && node.op->evaluate != nullptr;
}

std::unique_ptr<runtime::Executable> ReferenceDevice::compile(
    std::shared_ptr<const graph::Model> model, const runtime::CompileOptions&) const {
    return std::make_unique<ReferenceExecutable>(std::move(model));
}

}  // namespace es::devices
