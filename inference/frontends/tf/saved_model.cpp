#include "inference/core/error.h"
#include "inference/frontends/tf/function_inlining.h"
#include "inference/frontends/tf/graph_importer.h"
#include "inference/frontends/tf/proto/saved_model.pb.h"
#include "inference/frontends/tf/tensor_bundle.h"
#include "inference/frontends/tf/tensor_conversion.h"
#include "inference/frontends/tf/tf_frontend.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <fstream>
#include <unordered_map>

namespace es::frontends {
namespace {

using tf_import::parse_tensor_name;

const tensorflow::MetaGraphDef& serving_graph(const tensorflow::SavedModel& model,
                                              const std::string& where) {
    if (model.meta_graphs_size() == 0) throw_bad_input("{}: the SavedModel has no graphs", where);
    for (const auto& meta_graph : model.meta_graphs())
        for (const auto& tag : meta_graph.meta_info_def().tags())
            if (tag == "serve") return meta_graph;
    return model.meta_graphs(0);
}

// Maps variable nodes to checkpoint keys. The restore subgraph says which: AssignVariableOp
// (or Assign) gives each variable a value read by RestoreV2 from the key at that output's
// position in RestoreV2's tensor_names. Variables not restored that way use their shared_name
// or node name, as TF1 savers do.
class VariableKeys {
  public:
    explicit VariableKeys(const tensorflow::GraphDef& graph) {
        for (const auto& node : graph.node())
            m_nodes[node.name()] = &node;
        for (const auto& node : graph.node()) {
            if ((node.op() != "AssignVariableOp" && node.op() != "Assign") || node.input_size() < 2)
                continue;
            const tensorflow::NodeDef* variable = through_identities(node.input(0)).first;
            const auto [restore, index] = through_identities(node.input(1));
            if (!variable || !restore || restore->op() != "RestoreV2" || restore->input_size() < 2)
                continue;
            const tensorflow::NodeDef* names = through_identities(restore->input(1)).first;
            if (!names || names->op() != "Const") continue;
            const auto value = names->attr().find("value");
            if (value == names->attr().end()) continue;
            const auto& strings = value->second.tensor().string_val();
            if (index < static_cast<size_t>(strings.size()))
                m_keys[variable->name()] = strings[static_cast<int>(index)];
        }
    }

    std::string key(const tensorflow::NodeDef& variable) const {
        const auto found = m_keys.find(variable.name());
        if (found != m_keys.end()) return found->second;
        const auto shared = variable.attr().find("shared_name");
        if (shared != variable.attr().end() && !shared->second.s().empty())
            return shared->second.s();
        return variable.name();
    }

  private:
    // The node (and output index) a tensor name reaches through Identity nodes.
    std::pair<const tensorflow::NodeDef*, size_t> through_identities(
        const std::string& name) const {
        auto tensor = parse_tensor_name(name);
        for (int step = 0; step < 64; ++step) {
            const auto found = m_nodes.find(tensor.node);
            if (found == m_nodes.end()) return {nullptr, 0};
            const tensorflow::NodeDef* node = found->second;
            if (node->op() == "Identity" && node->input_size() > 0) {
                tensor = parse_tensor_name(node->input(0));
            } else if (node->op() == "IdentityN" &&
                       tensor.index < static_cast<size_t>(node->input_size())) {
                tensor = parse_tensor_name(node->input(static_cast<int>(tensor.index)));
            } else {
                return {node, tensor.index};
            }
        }
        return {nullptr, 0};
    }

    std::unordered_map<std::string, const tensorflow::NodeDef*> m_nodes;
    std::unordered_map<std::string, std::string> m_keys;
};

}  // namespace

graph::Model read_tf_saved_model(const std::filesystem::path& directory,
                                 const std::string& signature,
                                 const extensions::ExtensionSet& extensions,
                                 const InputOverrides& overrides) {
    const std::filesystem::path model_path = directory / "saved_model.pb";
    const std::string where = model_path.string();
    std::ifstream file(model_path, std::ios::binary);
    if (!file) throw_bad_input("{}: cannot open", where);
    tensorflow::SavedModel saved_model;
    if (!saved_model.ParseFromIstream(&file))
        throw_bad_input("{}: not a valid SavedModel (truncated or corrupt protobuf)", where);
    const tensorflow::MetaGraphDef& meta_graph = serving_graph(saved_model, where);
    const auto found = meta_graph.signature_def().find(signature);
    if (found == meta_graph.signature_def().end()) {
        std::vector<std::string> names;
        for (const auto& [name, unused] : meta_graph.signature_def())
            names.push_back(name);
        std::sort(names.begin(), names.end());
        throw_bad_input("{}: no signature '{}' (the model has: {})", where, signature,
                        names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", ")));
    }
    const tensorflow::SignatureDef& signature_def = found->second;

    tensorflow::GraphDef graph = meta_graph.graph_def();
    tf_import::inline_functions(graph, where);

    tf_import::GraphSpec spec;
    spec.where = where;
    spec.model_name = directory.filename().empty() ? directory.parent_path().filename().string()
                                                   : directory.filename().string();
    spec.extensions = &extensions;
    spec.overrides = overrides;
    // Signature maps are unordered; keys in sorted order give a stable input and output order.
    std::map<std::string, std::string> inputs, outputs;
    for (const auto& [key, info] : signature_def.inputs())
        inputs[key] = info.name();
    for (const auto& [key, info] : signature_def.outputs())
        outputs[key] = info.name();
    for (const auto& [key, tensor] : inputs)
        spec.inputs.push_back({tensor, key});
    for (const auto& [key, tensor] : outputs)
        spec.outputs.push_back({tensor, key});
    if (spec.outputs.empty())
        throw_bad_input("{}: signature '{}' has no outputs", where, signature);

    bool has_variables = false;
    for (const auto& node : graph.node())
        has_variables = has_variables || node.op() == "VarHandleOp" || node.op() == "VariableV2" ||
                        node.op() == "Variable";
    if (has_variables) {
        const tf_import::TensorBundle bundle(directory / "variables" / "variables");
        const VariableKeys keys(graph);
        for (const auto& node : graph.node()) {
            if (node.op() != "VarHandleOp" && node.op() != "VariableV2" && node.op() != "Variable")
                continue;
            const std::string key = keys.key(node);
            const auto entry = bundle.entries().find(key);
            // variables of types edgesight does not hold fail only if the outputs need them
            if (entry != bundle.entries().end() &&
                tf_import::element_type_from_tf(entry->second.dtype()))
                spec.bound_values[node.name()] = bundle.read(key);
        }
    }
    return tf_import::import_graph(std::move(graph), spec);
}

}  // namespace es::frontends
