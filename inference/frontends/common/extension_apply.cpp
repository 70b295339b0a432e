#include "inference/core/error.h"
#include "inference/frontends/common/extension.h"

namespace es::frontends::extensions {
namespace {

class Applier {
  public:
    Applier(const OpExtension& extension, const SourceNode& node, GraphBuilder& builder)
        : m_extension(extension),
          m_node(node),
          m_builder(builder),
          m_constants(extension.constants.size()) {}

    std::vector<graph::Output> apply() {
        for (const auto& spec : m_extension.nodes)
            add_node(spec);
        std::vector<graph::Output> outputs;
        for (size_t i = 0; i < m_extension.outputs.size(); ++i)
            outputs.push_back(resolve(m_extension.outputs[i],
                                      fmt::format("{}.outputs[{}]", m_extension.path, i)));
        return outputs;
    }

  private:
    [[noreturn]] void fail(const std::string& path, const std::string& message) const {
        throw_bad_input("{}: {}: {}: {}", m_extension.file, path, m_node.description, message);
    }

    void add_node(const NodeSpec& spec) {
        std::vector<graph::Output> inputs;
        for (size_t i = 0; i < spec.inputs.size(); ++i)
            inputs.push_back(resolve(spec.inputs[i], fmt::format("{}.inputs[{}]", spec.path, i)));
        graph::Attributes attributes;
        for (const auto& attribute : spec.attributes)
            attributes.set(attribute.name, attribute_value(attribute));
        try {
            m_nodes.push_back(
                &m_builder.add(spec.type, spec.version, std::move(inputs), std::move(attributes)));
        } catch (const Error& error) {
            rethrow_with_context(error, fmt::format("{}: {} ({}): {}", m_extension.file, spec.path,
                                                    spec.type, m_node.description));
        }
    }

    graph::Output resolve(const ValueRef& ref, const std::string& path) {
        switch (ref.kind) {
            case ValueRef::Kind::input: {
                if (ref.index >= m_node.inputs.size())
                    fail(path, fmt::format("'{}' names input {}, but the node has {} input(s)",
                                           ref.text, ref.index, m_node.inputs.size()));
                if (!m_node.inputs[ref.index])
                    fail(path,
                         fmt::format("'{}': the node leaves input {} out", ref.text, ref.index));
                return *m_node.inputs[ref.index];
            }
            case ValueRef::Kind::constant: {
                auto& constant = m_constants[ref.index];
                if (!constant)
                    constant = m_builder.constant(constant_value(m_extension.constants[ref.index]));
                return *constant;
            }
            case ValueRef::Kind::node: {
                graph::Node* node = m_nodes.at(ref.index);
                if (ref.port >= node->outputs.size())
                    fail(path,
                         fmt::format("'{}': node '{}' ({}) has {} output(s)", ref.text,
                                     m_extension.nodes[ref.index].name,
                                     m_extension.nodes[ref.index].type, node->outputs.size()));
                return node->output(ref.port);
            }
        }
        fail(path, "unknown reference");
    }

    Tensor constant_value(const ConstantSpec& spec) const {
        if (spec.value.literal) return *spec.value.literal;
        const auto value = m_node.attribute(spec.value.attribute);
        if (!value) {
            if (spec.value.fallback) return *spec.value.fallback;
            fail(spec.path, fmt::format("the node has no attribute '{}' and the constant no "
                                        "\"default\"",
                                        spec.value.attribute));
        }
        const auto* tensor = std::get_if<Tensor>(&*value);
        if (!tensor)
            fail(spec.path, fmt::format("attribute '{}' is text ('{}'), not numbers",
                                        spec.value.attribute, std::get<std::string>(*value)));
        Tensor result = convert(*tensor, spec.type);
        if (!spec.shape) return result;
        if (shape_size(*spec.shape) != result.size())
            fail(spec.path,
                 fmt::format("attribute '{}' holds {} value(s), shape {} needs {}",
                             spec.value.attribute, result.size(),
                             to_string(PartialShape(*spec.shape)), shape_size(*spec.shape)));
        return result.reshaped(*spec.shape);
    }

    std::string attribute_value(const AttributeSpec& spec) const {
        if (spec.value.literal) return *spec.value.literal;
        const auto value = m_node.attribute(spec.value.attribute);
        if (!value) {
            if (spec.value.fallback) return *spec.value.fallback;
            fail(spec.path, fmt::format("the node has no attribute '{}' and the mapping no "
                                        "\"default\"",
                                        spec.value.attribute));
        }
        if (const auto* text = std::get_if<std::string>(&*value)) return *text;
        return attribute_text(std::get<Tensor>(*value));
    }

    const OpExtension& m_extension;
    const SourceNode& m_node;
    GraphBuilder& m_builder;
    std::vector<std::optional<graph::Output>> m_constants;  // made on first use
    std::vector<graph::Node*> m_nodes;
};

}  // namespace

std::vector<graph::Output> apply(const OpExtension& extension, const SourceNode& node,
                                 GraphBuilder& builder) {
    if (node.output_count && extension.outputs.size() < *node.output_count)
        throw_bad_input("{}: {}.outputs: {}: the node has {} outputs, the mapping gives {}",
                        extension.file, extension.path, node.description, *node.output_count,
                        extension.outputs.size());
    return Applier(extension, node, builder).apply();
}

std::string attribute_text(const Tensor& value) {
    std::string text;
    if (value.type() == ElementType::boolean || is_integer(value.type())) {
        for (int64_t element : value.to_int64s()) {
            if (!text.empty()) text += ',';
            text += value.type() == ElementType::boolean ? (element ? "true" : "false")
                                                         : std::to_string(element);
        }
        return text;
    }
    for (double element : value.to_doubles()) {
        if (!text.empty()) text += ',';
        // shortest text that reads back as the same f32 (or f64) value
        text += value.type() == ElementType::f64 ? fmt::format("{}", element)
                                                 : fmt::format("{}", static_cast<float>(element));
    }
    return text;
}

}  // namespace es::frontends::extensions
