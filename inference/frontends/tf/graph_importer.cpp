#include "inference/frontends/tf/graph_importer.h"

#include "inference/core/error.h"
#include "inference/frontends/tf/dataflow.h"
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
        resolve_overrides(feeds);

        graph::Model model;
        model.name = m_spec.model_name;
        std::unordered_map<std::string, graph::Output> fed;
        for (const auto& feed : feeds)
            fed.emplace(parse_tensor_name(feed.tensor).node, add_input(model, feed));
        Dataflow dataflow(
            needed, std::move(fed), model,
            [&](const tensorflow::NodeDef& node, std::vector<graph::Output> inputs,
                const std::string& name) {
                return translate(node, std::move(inputs), name, model);
            },
            m_spec.where);
        dataflow.run();
        for (const auto& fetch : fetches)
            if (!fetch.all_outputs || dataflow.ran(fetch.tensor.node))
                add_outputs(model, fetch, dataflow);
        if (model.results().empty())
            fail("none of the graph's loose ends runs outside a loop or untaken branch, so it "
                 "has no outputs");
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
            if (m_fed.count(node->name()) || find_translator(node->op()) ||
                Dataflow::handles(node->op()) || extension_for(*node))
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

    // The overrides keyed by the Placeholder they fix; each must name an input of the model
    // (an empty name: the only one).
    void resolve_overrides(const std::vector<Endpoint>& feeds) {
        auto resolve = [&](const std::string& name, const char* option) {
            std::string known;
            for (const auto& feed : feeds) {
                const std::string node = parse_tensor_name(feed.tensor).node;
                if (feed.name == name || node == name || (name.empty() && feeds.size() == 1))
                    return node;
                known += (known.empty() ? "" : ", ") + feed.name;
            }
            if (name.empty())
                fail(fmt::format("{}: the model has {} inputs ({}); write NAME=...", option,
                                 feeds.size(), known));
            fail(fmt::format("{} {}: the model has no input '{}' (its inputs: {})", option, name,
                             name, known));
        };
        for (const auto& [name, shape] : m_spec.overrides.shapes)
            m_overrides.shapes[resolve(name, "--shape")] = shape;
        for (const auto& [name, values] : m_spec.overrides.values)
            m_overrides.values[resolve(name, "--value")] = values;
    }

    // A Parameter, or a Const where the overrides give the input a value.
    graph::Output add_input(graph::Model& model, const Endpoint& feed) {
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
        PartialShape partial = shape == node.attr().end() || !shape->second.has_shape()
                                   ? PartialShape::dynamic_rank()
                                   : shape_from_proto(shape->second.shape());
        const auto value = m_overrides.values.find(node.name());
        if (value != m_overrides.values.end())
            return model.add_constant(input_value(feed, *type, partial, value->second),
                                      node.name());
        const auto fixed = m_overrides.shapes.find(node.name());
        if (fixed != m_overrides.shapes.end()) {
            if (partial.rank_known() &&
                (!fixed->second.rank_known() || fixed->second.rank() != partial.rank()))
                fail(fmt::format("--shape {}: {} does not fit the input's shape {}", feed.name,
                                 to_string(fixed->second), to_string(partial)));
            partial = fixed->second;
        }
        const graph::Output parameter = model.add_parameter(feed.name, *type, partial);
        for (const auto& name : {feed.name, node.name(), tensor_label(node.name(), 0)})
            add_tensor_name(parameter, name);
        return parameter;
    }

    // The values given for an input, in its element type: a scalar for one value where the
    // input's rank allows it, else the input's static shape or a list.
    Tensor input_value(const Endpoint& feed, ElementType type, const PartialShape& shape,
                       const std::vector<double>& values) const {
        Shape dims{static_cast<int64_t>(values.size())};
        if (shape.is_static() && shape_size(shape.to_shape()) == values.size())
            dims = shape.to_shape();
        else if (values.size() == 1 && (!shape.rank_known() || shape.rank() == 0))
            dims = {};
        else if (shape.rank_known() && shape.rank() != 1)
            fail(fmt::format("--value {}: {} values do not fit the input's shape {}", feed.name,
                             values.size(), to_string(shape)));
        Tensor f64(ElementType::f64, dims);
        std::copy(values.begin(), values.end(), f64.data<double>());
        return convert(f64, type);
    }

    std::vector<graph::Output> translate(const tensorflow::NodeDef& node,
                                         std::vector<graph::Output> inputs, const std::string& name,
                                         graph::Model& model) const {
        // Only inputs and outputs get tensor names: a named tensor must survive optimization,
        // which would keep every layout Transpose around every convolution.
        const auto bound = m_spec.bound_values.find(node.name());
        NodeContext context(node, model, std::move(inputs),
                            bound == m_spec.bound_values.end() ? nullptr : &bound->second, name);
        try {
            if (const auto* extension = extension_for(node))
                return extensions::apply(*extension, context.source_node(), context.builder());
            return find_translator(node.op())->translate(context);
        } catch (const Error& error) {
            rethrow_with_context(error, m_spec.where);
        }
    }

    void add_outputs(graph::Model& model, const Fetch& fetch, const Dataflow& dataflow) const {
        const std::string& node = fetch.tensor.node;
        if (fetch.all_outputs) {
            for (size_t i = 0; i < dataflow.output_count(node); ++i) {
                const graph::Output output = dataflow.output(node, i);
                const std::string name = i == 0 ? fetch.name : tensor_label(fetch.name, i);
                add_tensor_name(output, name);
                add_tensor_name(output, tensor_label(fetch.name, i));
                model.add_result(output, name + "/sink_port_0");
            }
            return;
        }
        if (fetch.tensor.index >= dataflow.output_count(node))
            fail(fmt::format("output '{}' names output {} of node '{}', which has {}", fetch.name,
                             fetch.tensor.index, node, dataflow.output_count(node)));
        const graph::Output output = dataflow.output(node, fetch.tensor.index);
        // The user's name goes first: it is what the model's output is known by.
        auto& names = output.node->outputs[output.port].names;
        names.erase(std::remove(names.begin(), names.end(), fetch.name), names.end());
        names.insert(names.begin(), fetch.name);
        add_tensor_name(output, tensor_label(node, fetch.tensor.index));
        model.add_result(output, fetch.name + "/sink_port_0");
    }

    const tensorflow::GraphDef& m_graph;
    const GraphSpec& m_spec;
    std::unordered_map<std::string, const tensorflow::NodeDef*> m_nodes;
    std::unordered_set<std::string> m_fed;
    InputOverrides m_overrides;
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
