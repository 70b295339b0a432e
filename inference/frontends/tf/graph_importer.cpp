#include "inference/frontends/tf/graph_importer.h"

#include "inference/core/error.h"
#include "inference/frontends/tf/dilated_convolution.h"
#include "inference/frontends/tf/function_inlining.h"
#include "inference/frontends/tf/op_table.h"
#include "inference/frontends/tf/tensor_conversion.h"
#include "inference/graph/shape_inference.h"

#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace es::frontends::tf_import {
namespace {

// Ops that leave no tensor a model could return, so a graph's loose ends are never them.
const std::set<std::string, std::less<>> k_not_outputs{"NoOp",
                                                       "Const",
                                                       "Placeholder",
                                                       "Assert",
                                                       "SaveV2",
                                                       "Save",
                                                       "SaveSlices",
                                                       "RestoreV2",
                                                       "Restore",
                                                       "MergeV2Checkpoints",
                                                       "AssignVariableOp",
                                                       "Assign",
                                                       "VarHandleOp",
                                                       "VariableV2",
                                                       "Variable",
                                                       "ShardedFilename",
                                                       "StringJoin"};

void add_tensor_name(graph::Output output, const std::string& name) {
    auto& names = output.node->outputs[output.port].names;
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
}

std::string tensor_label(const std::string& node, size_t index) {
    return fmt::format("{}:{}", node, index);
}

struct Fetch {
    TensorName tensor;
    std::string name;
    bool all_outputs = false;  // a loose end: every output of the node
};

class Importer {
  public:
    Importer(const tensorflow::GraphDef& graph, const GraphSpec& spec)
        : m_graph(graph), m_spec(spec) {}

    graph::Model import() {
        index_nodes();
        const std::vector<Fetch> fetches = find_fetches();
        std::vector<Endpoint> feeds = m_spec.inputs;
        for (const auto& feed : feeds)
            m_fed.insert(parse_tensor_name(feed.tensor).node);
        const std::vector<const tensorflow::NodeDef*> needed = reachable(fetches);
        check_supported(needed);
        if (m_spec.inputs.empty())
            for (const auto* node : needed)
                if (node->op() == "Placeholder") {
                    feeds.push_back({node->name(), node->name()});
                    m_fed.insert(node->name());
                }

        graph::Model model;
        model.name = m_spec.model_name;
        for (const auto& feed : feeds)
            add_input(model, feed);
        for (const auto* node : order(needed)) {
            if (m_fed.count(node->name())) continue;
            translate(*node, model);
        }
        for (const auto& fetch : fetches)
            add_outputs(model, fetch);
        model.remove_unused();
        graph::infer_shapes(model);
        return model;
    }

  private:
    [[noreturn]] void fail(const std::string& message) const {
        throw_bad_input("{}: {}", m_spec.where, message);
    }

    void index_nodes() {
        for (const auto& node : m_graph.node()) {
            if (node.name().empty()) fail(fmt::format("a node of type {} has no name", node.op()));
            if (!m_nodes.emplace(node.name(), &node).second)
                fail(fmt::format("two nodes are named '{}'", node.name()));
        }
    }

    const tensorflow::NodeDef& node_named(const std::string& name, const std::string& user) const {
        const auto found = m_nodes.find(name);
        if (found == m_nodes.end()) fail(fmt::format("{} names no node of the graph", user));
        return *found->second;
    }

    std::vector<Fetch> find_fetches() const {
        std::vector<Fetch> fetches;
        for (const auto& output : m_spec.outputs) {
            const TensorName tensor = parse_tensor_name(output.tensor);
            node_named(tensor.node, fmt::format("output '{}' ({})", output.name, output.tensor));
            fetches.push_back({tensor, output.name});
        }
        if (!fetches.empty()) return fetches;
        std::unordered_set<std::string> consumed;
        for (const auto& node : m_graph.node())
            for (const auto& input : node.input())
                if (!input.starts_with("^")) consumed.insert(parse_tensor_name(input).node);
        for (const auto& node : m_graph.node())
            if (!consumed.count(node.name()) && !k_not_outputs.count(node.op()))
                fetches.push_back({{node.name(), 0, false}, node.name(), true});
        if (fetches.empty()) fail("the graph has no outputs (every node's result is consumed)");
        return fetches;
    }

    // The nodes the fetches depend on through data inputs, stopping at fed nodes.
    std::vector<const tensorflow::NodeDef*> reachable(const std::vector<Fetch>& fetches) const {
        std::vector<const tensorflow::NodeDef*> result;
        std::unordered_set<std::string> seen;
        std::vector<const tensorflow::NodeDef*> stack;
        for (const auto& fetch : fetches) {
            const auto* node = m_nodes.at(fetch.tensor.node);
            if (seen.insert(node->name()).second) stack.push_back(node);
        }
        for (const auto& feed : m_spec.inputs) {
            const TensorName tensor = parse_tensor_name(feed.tensor);
            const auto& node =
                node_named(tensor.node, fmt::format("input '{}' ({})", feed.name, feed.tensor));
            if (node.op() != "Placeholder" && node.op() != "PlaceholderWithDefault")
                fail(fmt::format("input '{}' is node '{}' ({}), expected a Placeholder", feed.name,
                                 node.name(), node.op()));
            if (tensor.index != 0)
                fail(fmt::format("input '{}' names output {} of a Placeholder", feed.name,
                                 tensor.index));
        }
        while (!stack.empty()) {
            const auto* node = stack.back();
            stack.pop_back();
            result.push_back(node);
            if (m_fed.count(node->name())) continue;
            for (const auto& input : node->input()) {
                const TensorName source = parse_tensor_name(input);
                if (source.control) continue;
                const auto found = m_nodes.find(source.node);
                if (found == m_nodes.end())
                    fail(fmt::format("node '{}' ({}): input '{}' names no node of the graph",
                                     node->name(), node->op(), input));
                if (seen.insert(source.node).second) stack.push_back(found->second);
            }
        }
        // graph order, so that loose Placeholders become inputs in file order
        std::unordered_map<const tensorflow::NodeDef*, int> position;
        for (int i = 0; i < m_graph.node_size(); ++i)
            position[&m_graph.node(i)] = i;
        std::sort(result.begin(), result.end(),
                  [&](const auto* a, const auto* b) { return position[a] < position[b]; });
        return result;
    }

    // The extension that translates `node`, or nullptr where the op table does.
    const extensions::OpExtension* extension_for(const tensorflow::NodeDef& node) const {
        if (!m_spec.extensions) return nullptr;
        return m_spec.extensions->select(extensions::Framework::tf, "", node.op(),
                                         find_translator(node.op()) != nullptr);
    }

    void check_supported(const std::vector<const tensorflow::NodeDef*>& nodes) const {
        std::map<std::string, std::pair<size_t, std::string>> missing;
        for (const auto* node : nodes) {
            if (m_fed.count(node->name()) || find_translator(node->op()) || extension_for(*node))
                continue;
            auto& [count, first] = missing[node->op()];
            if (count++ == 0) first = node->name();
        }
        if (missing.empty()) return;
        std::string list;
        for (const auto& [op, entry] : missing)
            list += fmt::format("\n  {}: {} (first: {})", op, entry.first, entry.second);
        fail(fmt::format("{} unsupported op type(s):{}", missing.size(), list));
    }

    // Producers before consumers; a cycle (a TF1 control-flow loop) is an error.
    std::vector<const tensorflow::NodeDef*> order(
        const std::vector<const tensorflow::NodeDef*>& nodes) const {
        enum class Mark { none, open, done };
        std::unordered_map<const tensorflow::NodeDef*, Mark> marks;
        for (const auto* node : nodes)
            marks[node] = Mark::none;
        std::vector<const tensorflow::NodeDef*> sorted;
        for (const auto* root : nodes) {
            if (marks[root] != Mark::none) continue;
            std::vector<std::pair<const tensorflow::NodeDef*, int>> stack{{root, 0}};
            marks[root] = Mark::open;
            while (!stack.empty()) {
                auto& [node, next] = stack.back();
                const bool fed = m_fed.count(node->name()) > 0;
                if (fed || next == node->input_size()) {
                    marks[node] = Mark::done;
                    sorted.push_back(node);
                    stack.pop_back();
                    continue;
                }
                const TensorName source = parse_tensor_name(node->input(next++));
                if (source.control) continue;
                const auto* producer = m_nodes.at(source.node);
                const Mark mark = marks[producer];
                if (mark == Mark::open)
                    fail(
                        fmt::format("node '{}' ({}) depends on itself through '{}': control-flow "
                                    "loops are not supported",
                                    node->name(), node->op(), producer->name()));
                if (mark == Mark::none) {
                    marks[producer] = Mark::open;
                    stack.emplace_back(producer, 0);
                }
            }
        }
        return sorted;
    }

    void add_input(graph::Model& model, const Endpoint& feed) {
        const TensorName tensor = parse_tensor_name(feed.tensor);
        const tensorflow::NodeDef& node = *m_nodes.at(tensor.node);
        const auto dtype = node.attr().find("dtype");
        const auto type =
            dtype == node.attr().end() ? std::nullopt : element_type_from_tf(dtype->second.type());
        if (!type)
            fail(fmt::format(
                "input '{}' has no supported element type (dtype {})", feed.name,
                dtype == node.attr().end() ? "missing" : tf_type_name(dtype->second.type())));
        const auto shape = node.attr().find("shape");
        const PartialShape partial = shape == node.attr().end() || !shape->second.has_shape()
                                         ? PartialShape::dynamic_rank()
                                         : shape_from_proto(shape->second.shape());
        const graph::Output parameter = model.add_parameter(feed.name, *type, partial);
        for (const auto& name : {feed.name, node.name(), tensor_label(node.name(), 0)})
            add_tensor_name(parameter, name);
        m_values[node.name()] = {parameter};
    }

    void translate(const tensorflow::NodeDef& node, graph::Model& model) {
        std::vector<graph::Output> inputs;
        for (const auto& input : node.input()) {
            const TensorName source = parse_tensor_name(input);
            if (source.control) continue;
            const auto& outputs = m_values.at(source.node);
            if (source.index >= outputs.size())
                fail(fmt::format("node '{}' ({}): input '{}' names output {} of a node with {}",
                                 node.name(), node.op(), input, source.index, outputs.size()));
            inputs.push_back(outputs[source.index]);
        }
        const auto bound = m_spec.bound_values.find(node.name());
        NodeContext context(node, model, std::move(inputs),
                            bound == m_spec.bound_values.end() ? nullptr : &bound->second);
        std::vector<graph::Output> outputs;
        try {
            if (const auto* extension = extension_for(node))
                outputs = extensions::apply(*extension, context.source_node(), context.builder());
            else
                outputs = find_translator(node.op())->translate(context);
        } catch (const Error& error) {
            rethrow_with_context(error, m_spec.where);
        }
        // Only inputs and outputs get tensor names: a named tensor must survive optimization,
        // which would keep every layout Transpose around every convolution.
        m_values[node.name()] = std::move(outputs);
    }

    void add_outputs(graph::Model& model, const Fetch& fetch) {
        const auto& outputs = m_values.at(fetch.tensor.node);
        if (fetch.all_outputs) {
            for (size_t i = 0; i < outputs.size(); ++i) {
                const std::string name = i == 0 ? fetch.name : tensor_label(fetch.name, i);
                add_tensor_name(outputs[i], name);
                add_tensor_name(outputs[i], tensor_label(fetch.name, i));
                model.add_result(outputs[i], name + "/sink_port_0");
            }
            return;
        }
        if (fetch.tensor.index >= outputs.size())
            fail(fmt::format("output '{}' names output {} of node '{}', which has {}", fetch.name,
                             fetch.tensor.index, fetch.tensor.node, outputs.size()));
        const graph::Output output = outputs[fetch.tensor.index];
        // The user's name goes first: it is what the model's output is known by.
        auto& names = output.node->outputs[output.port].names;
        names.erase(std::remove(names.begin(), names.end(), fetch.name), names.end());
        names.insert(names.begin(), fetch.name);
        add_tensor_name(output, tensor_label(fetch.tensor.node, fetch.tensor.index));
        model.add_result(output, fetch.name + "/sink_port_0");
    }

    const tensorflow::GraphDef& m_graph;
    const GraphSpec& m_spec;
    std::unordered_map<std::string, const tensorflow::NodeDef*> m_nodes;
    std::unordered_set<std::string> m_fed;
    std::unordered_map<std::string, std::vector<graph::Output>> m_values;
};

}  // namespace

TensorName parse_tensor_name(const std::string& name) {
    TensorName result;
    std::string text = name;
    if (text.starts_with("^")) {
        result.control = true;
        text.erase(0, 1);
    }
    const size_t colon = text.rfind(':');
    if (colon != std::string::npos && colon + 1 < text.size() &&
        std::all_of(text.begin() + static_cast<std::ptrdiff_t>(colon) + 1, text.end(),
                    [](char c) { return c >= '0' && c <= '9'; }) &&
        text.size() - colon - 1 <= 9) {
        result.index = std::stoul(text.substr(colon + 1));
        text.resize(colon);
    }
    result.node = text;
    return result;
}

graph::Model import_graph(tensorflow::GraphDef graph, const GraphSpec& spec) {
    inline_functions(graph, spec.where);
    std::set<std::string> fetched;
    for (const auto& output : spec.outputs)
        fetched.insert(parse_tensor_name(output.tensor).node);
    fold_dilated_convolutions(graph, spec.bound_values, fetched, spec.where);
    return Importer(graph, spec).import();
}

}  // namespace es::frontends::tf_import
