#include "inference/frontends/onnx/onnx_frontend.h"

#include "inference/core/error.h"
#include "inference/frontends/onnx/op_table.h"
#include "inference/graph/shape_inference.h"

#include <fstream>
#include <map>
#include <unordered_map>

namespace es::frontends {
namespace {

using extensions::Framework;
using onnx_import::NodeContext;

constexpr int64_t k_min_opset = 6;
constexpr int64_t k_max_opset = 25;

template <typename Message>
void parse_file(Message& message, const std::filesystem::path& path, const char* what) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw_bad_input("{}: cannot open", path.string());
    if (!message.ParseFromIstream(&file))
        throw_bad_input("{}: not a valid {} (truncated or corrupt protobuf)", path.string(), what);
}

PartialShape shape_from(const onnx::TypeProto& type) {
    if (!type.tensor_type().has_shape()) return PartialShape::dynamic_rank();
    std::vector<int64_t> dims;
    for (const auto& dim : type.tensor_type().shape().dim())
        dims.push_back(dim.has_dim_value() && dim.dim_value() >= 0 ? dim.dim_value() : k_dynamic);
    return PartialShape(std::move(dims));
}

void add_tensor_name(graph::Output output, const std::string& name) {
    auto& names = output.node->outputs[output.port].names;
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
}

class Importer {
  public:
    Importer(std::filesystem::path path, const extensions::ExtensionSet& extensions)
        : m_path(std::move(path)), m_extensions(extensions) {}

    graph::Model import() {
        onnx::ModelProto proto;
        parse_file(proto, m_path, "ONNX model");
        if (!proto.has_graph()) throw_bad_input("{}: the model has no graph", m_path.string());
        const int64_t opset = default_opset(proto);
        const onnx::GraphProto& graph_proto = proto.graph();
        graph::Model model;
        model.name = graph_proto.name().empty() ? m_path.stem().string() : graph_proto.name();
        check_supported(graph_proto);

        for (const auto& initializer : graph_proto.initializer()) {
            const Tensor value = onnx_import::tensor_from_proto(initializer, m_path.string());
            const graph::Output output = model.add_constant(value, initializer.name());
            add_tensor_name(output, initializer.name());
            m_values[initializer.name()] = output;
        }
        for (const auto& input : graph_proto.input()) {
            if (m_values.count(input.name())) continue;  // an initializer with a default value
            const auto type =
                onnx_import::element_type_from_onnx(input.type().tensor_type().elem_type());
            if (!type)
                throw_bad_input("{}: input '{}' has unsupported element type {}", m_path.string(),
                                input.name(), input.type().tensor_type().elem_type());
            m_values[input.name()] =
                model.add_parameter(input.name(), *type, shape_from(input.type()));
        }
        for (const auto& node : graph_proto.node())
            translate(node, model, opset);
        for (const auto& output : graph_proto.output()) {
            const auto found = m_values.find(output.name());
            if (found == m_values.end())
                throw_bad_input("{}: graph output '{}' is produced by no node", m_path.string(),
                                output.name());
            add_tensor_name(found->second, output.name());
            model.add_result(found->second, output.name() + "/sink_port_0");
        }
        model.remove_unused();
        graph::infer_shapes(model);
        return model;
    }

  private:
    int64_t default_opset(const onnx::ModelProto& proto) const {
        for (const auto& entry : proto.opset_import()) {
            if (!entry.domain().empty() && entry.domain() != "ai.onnx") continue;
            if (entry.version() < k_min_opset || entry.version() > k_max_opset)
                throw_bad_input("{}: ONNX opset {} is not supported (expected {}..{})",
                                m_path.string(), entry.version(), k_min_opset, k_max_opset);
            return entry.version();
        }
        throw_bad_input("{}: the model imports no default-domain opset", m_path.string());
    }

    static bool default_domain(const onnx::NodeProto& node) {
        return node.domain().empty() || node.domain() == "ai.onnx";
    }

    // The extension that translates `node`, or nullptr where the op table does.
    const extensions::OpExtension* extension_for(const onnx::NodeProto& node) const {
        const bool builtin = default_domain(node) && onnx_import::find_translator(node.op_type());
        return m_extensions.select(Framework::onnx, node.domain(), node.op_type(), builtin);
    }

    void check_supported(const onnx::GraphProto& graph) const {
        std::map<std::string, std::pair<size_t, std::string>> missing;
        for (const auto& node : graph.node()) {
            if (default_domain(node) && onnx_import::find_translator(node.op_type())) continue;
            if (extension_for(node)) continue;
            const std::string key =
                default_domain(node) ? node.op_type() : node.domain() + "::" + node.op_type();
            auto& [count, first] = missing[key];
            const bool unnamed = node.name().empty() && node.output_size() > 0;
            if (count++ == 0) first = unnamed ? node.output(0) : node.name();
        }
        if (missing.empty()) return;
        std::string list;
        for (const auto& [op, entry] : missing)
            list += fmt::format("\n  {}: {} (first: {})", op, entry.first, entry.second);
        throw_bad_input("{}: {} unsupported op type(s):{}", m_path.string(), missing.size(), list);
    }

    void translate(const onnx::NodeProto& node, graph::Model& model, int64_t opset) {
        std::vector<std::optional<graph::Output>> inputs;
        for (const auto& name : node.input()) {
            if (name.empty()) {
                inputs.emplace_back();
                continue;
            }
            const auto found = m_values.find(name);
            if (found == m_values.end())
                throw_bad_input("{}: node '{}' ({}): input '{}' is produced by no earlier node",
                                m_path.string(), node.name(), node.op_type(), name);
            inputs.emplace_back(found->second);
        }
        NodeContext context(node, model, opset, std::move(inputs));
        std::vector<graph::Output> outputs;
        try {
            if (const auto* extension = extension_for(node))
                outputs = extensions::apply(*extension, context.source_node(), context.builder());
            else
                outputs = onnx_import::find_translator(node.op_type())->translate(context);
        } catch (const Error& error) {
            rethrow_with_context(error, m_path.string());
        }
        for (int i = 0; i < node.output_size(); ++i) {
            if (node.output(i).empty()) continue;
            if (static_cast<size_t>(i) >= outputs.size())
                throw_bad_input("{}: {}: output {} is not supported", m_path.string(),
                                context.describe(), i);
            m_values[node.output(i)] = outputs[i];
            add_tensor_name(outputs[i], node.output(i));
        }
    }

    std::filesystem::path m_path;
    const extensions::ExtensionSet& m_extensions;
    std::unordered_map<std::string, graph::Output> m_values;
};

}  // namespace

graph::Model read_onnx(const std::filesystem::path& path,
                       const extensions::ExtensionSet& extensions) {
    return Importer(path, extensions).import();
}

Tensor read_onnx_tensor(const std::filesystem::path& path) {
    onnx::TensorProto proto;
    parse_file(proto, path, "ONNX TensorProto");
    return onnx_import::tensor_from_proto(proto, path.string());
}

}  // namespace es::frontends
