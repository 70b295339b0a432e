#include "inference/graph/model.h"

#include "inference/core/error.h"
#include "inference/graph/op_registry.h"

#include <algorithm>
#include <cstring>
#include <queue>
#include <unordered_map>
#include <unordered_set>

namespace es::graph {

std::string Node::describe() const {
    return fmt::format("layer {} '{}' ({})", id, name, type);
}

Model Model::clone() const {
    Model copy;
    copy.name = name;
    copy.ir_version = ir_version;
    copy.rt_info_xml = rt_info_xml;
    copy.meta_data_xml = meta_data_xml;
    copy.m_next_id = m_next_id;
    std::unordered_map<const Node*, Node*> counterpart;
    for (const auto& node : m_nodes) {
        auto twin = std::make_unique<Node>(*node);
        for (auto& input : twin->inputs)
            input.source.node = counterpart.at(input.source.node);
        counterpart[node.get()] = twin.get();
        copy.m_nodes.push_back(std::move(twin));
    }
    return copy;
}

std::vector<Node*> Model::parameters() const {
    std::vector<Node*> found;
    for (const auto& node : m_nodes)
        if (node->type == "Parameter") found.push_back(node.get());
    return found;
}

std::vector<Node*> Model::results() const {
    std::vector<Node*> found;
    for (const auto& node : m_nodes)
        if (node->type == "Result") found.push_back(node.get());
    return found;
}

Node* Model::find(const std::string& node_name) const {
    for (const auto& node : m_nodes)
        if (node->name == node_name) return node.get();
    return nullptr;
}

Node& Model::add(std::unique_ptr<Node> node) {
    if (node->id < m_next_id) {
        for (const auto& existing : m_nodes)
            if (existing->id == node->id) node->id = m_next_id;
    }
    m_next_id = std::max(m_next_id, node->id + 1);
    m_nodes.push_back(std::move(node));
    return *m_nodes.back();
}

void Model::sort_topologically() {
    // Kahn's algorithm taking the earliest ready node first, so an already sorted model keeps
    // its order exactly. Results come last in their own order: it is the order of the outputs.
    std::unordered_map<const Node*, size_t> position;
    for (size_t i = 0; i < m_nodes.size(); ++i)
        position[m_nodes[i].get()] = i;
    std::vector<size_t> pending(m_nodes.size());
    std::vector<std::vector<size_t>> consumers(m_nodes.size());
    for (size_t i = 0; i < m_nodes.size(); ++i) {
        pending[i] = m_nodes[i]->inputs.size();
        for (const auto& input : m_nodes[i]->inputs)
            consumers[position.at(input.source.node)].push_back(i);
    }
    std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
    std::vector<size_t> results;
    const auto make_ready = [&](size_t i) {
        if (m_nodes[i]->type == "Result")
            results.push_back(i);
        else
            ready.push(i);
    };
    for (size_t i = 0; i < m_nodes.size(); ++i)
        if (pending[i] == 0) make_ready(i);
    std::vector<std::unique_ptr<Node>> order;
    order.reserve(m_nodes.size());
    while (!ready.empty()) {
        const size_t next = ready.top();
        ready.pop();
        for (size_t consumer : consumers[next])
            if (--pending[consumer] == 0) make_ready(consumer);
        order.push_back(std::move(m_nodes[next]));
    }
    std::sort(results.begin(), results.end());
    for (const size_t result : results)
        order.push_back(std::move(m_nodes[result]));
    if (order.size() != m_nodes.size()) {
        for (size_t i = 0; i < m_nodes.size(); ++i)
            if (pending[i] != 0) throw_bad_input("{}: is part of a cycle", m_nodes[i]->describe());
    }
    m_nodes = std::move(order);
}

size_t Model::remove_unused() {
    std::unordered_set<const Node*> live;
    std::vector<const Node*> pending;
    for (const auto& node : m_nodes)
        if (node->type == "Result" || node->type == "Parameter") pending.push_back(node.get());
    while (!pending.empty()) {
        const Node* node = pending.back();
        pending.pop_back();
        if (!live.insert(node).second) continue;
        for (const auto& input : node->inputs)
            pending.push_back(input.source.node);
    }
    return std::erase_if(m_nodes, [&](const auto& node) { return !live.count(node.get()); });
}

void Model::replace_uses(Output from, Output to) {
    if (from == to) return;
    for (const auto& node : m_nodes)
        for (auto& input : node->inputs)
            if (input.source == from) input.source = to;
    auto& from_names = from.node->outputs[from.port].names;
    auto& to_names = to.node->outputs[to.port].names;
    for (auto& name : from_names)
        if (std::find(to_names.begin(), to_names.end(), name) == to_names.end())
            to_names.push_back(name);
    from_names.clear();
}

Output Model::add_parameter(const std::string& node_name, ElementType type, PartialShape shape) {
    auto node = std::make_unique<Node>();
    node->id = m_next_id;
    node->name = node_name;
    node->type = "Parameter";
    node->version = "opset1";
    node->attributes.set("shape", format_partial_shape(shape));
    node->attributes.set("element_type", std::string(to_string(type)));
    node->outputs.push_back({PortType{type, shape}, {node_name}, {}});
    return add(std::move(node)).output();
}

Output Model::add_constant(const Tensor& value, const std::string& node_name) {
    auto node = std::make_unique<Node>();
    node->id = m_next_id;
    node->name = node_name.empty() ? fmt::format("Constant_{}", m_next_id) : node_name;
    node->type = "Const";
    node->version = "opset1";
    node->attributes.set("element_type", std::string(to_string(value.type())));
    node->attributes.set("shape", format_partial_shape(PartialShape(value.shape()), ", "));
    node->value = value;
    node->outputs.push_back({PortType{value.type(), PartialShape(value.shape())}, {}, {}});
    return add(std::move(node)).output();
}

Node& Model::add_op(const std::string& type, const std::string& version, std::vector<Output> inputs,
                    Attributes attributes, const std::string& node_name) {
    auto node = std::make_unique<Node>();
    node->id = m_next_id;
    node->name = node_name.empty() ? fmt::format("{}_{}", type, m_next_id) : node_name;
    node->type = type;
    node->version = version;
    node->attributes = std::move(attributes);
    for (const Output& input : inputs)
        node->inputs.push_back({input, {}});
    return add(std::move(node));
}

Node& Model::add_result(Output source, const std::string& node_name) {
    Node& node = add_op("Result", "opset1", {source}, {}, node_name);
    return node;
}

std::string output_name(const Output& output) {
    const OutputPort& port = output.node->outputs.at(output.port);
    if (!port.names.empty()) return port.names.front();
    if (output.node->outputs.size() > 1)
        return fmt::format("{}.{}", output.node->name, output.port);
    return output.node->name;
}

namespace {

bool fail(std::string* difference, std::string text) {
    if (difference) *difference = std::move(text);
    return false;
}

}  // namespace

bool models_equal(const Model& a, const Model& b, std::string* difference) {
    if (a.name != b.name) return fail(difference, "model names differ");
    if (a.nodes().size() != b.nodes().size())
        return fail(difference, fmt::format("{} nodes vs {}", a.nodes().size(), b.nodes().size()));
    std::unordered_map<const Node*, const Node*> counterpart;
    for (size_t i = 0; i < a.nodes().size(); ++i) {
        const Node& x = *a.nodes()[i];
        const Node& y = *b.nodes()[i];
        counterpart[&x] = &y;
        const std::string where = x.describe();
        if (x.id != y.id || x.name != y.name || x.type != y.type || x.version != y.version)
            return fail(difference, where + ": identity differs from " + y.describe());
        if (!(x.attributes == y.attributes)) return fail(difference, where + ": attributes differ");
        if (x.rt_info != y.rt_info) return fail(difference, where + ": rt_info differs");
        if (x.inputs.size() != y.inputs.size() || x.outputs.size() != y.outputs.size())
            return fail(difference, where + ": port counts differ");
        for (size_t p = 0; p < x.inputs.size(); ++p) {
            const auto& xi = x.inputs[p];
            const auto& yi = y.inputs[p];
            if (counterpart[xi.source.node] != yi.source.node || xi.source.port != yi.source.port)
                return fail(difference, fmt::format("{}: input {} edge differs", where, p));
            if (xi.rt_info != yi.rt_info)
                return fail(difference, fmt::format("{}: input {} rt_info differs", where, p));
        }
        for (size_t p = 0; p < x.outputs.size(); ++p) {
            const auto& xo = x.outputs[p];
            const auto& yo = y.outputs[p];
            if (!(xo.type == yo.type))
                return fail(difference,
                            fmt::format("{}: output {} type {}{} vs {}{}", where, p,
                                        to_string(xo.type.type), to_string(xo.type.shape),
                                        to_string(yo.type.type), to_string(yo.type.shape)));
            if (xo.names != yo.names || xo.rt_info != yo.rt_info)
                return fail(difference,
                            fmt::format("{}: output {} names or rt_info differ", where, p));
        }
        if (x.value.empty() != y.value.empty() ||
            (!x.value.empty() &&
             (x.value.type() != y.value.type() || x.value.shape() != y.value.shape() ||
              std::memcmp(x.value.bytes(), y.value.bytes(), x.value.byte_size()) != 0)))
            return fail(difference, where + ": constant data differs");
    }
    return true;
}

}  // namespace es::graph

namespace es::graph {

void add_outputs(Model& model, const std::string& layer_name) {
    Node* node = model.find(layer_name);
    if (!node) throw_bad_input("the model has no layer named '{}'", layer_name);
    if (node->type == "Result") return;
    for (size_t port = 0; port < node->outputs.size(); ++port) {
        bool exposed = false;
        for (const Node* result : model.results())
            exposed = exposed || result->inputs[0].source == node->output(port);
        if (exposed) continue;
        Node& result =
            model.add_result(node->output(port), fmt::format("{}/sink_port_{}", layer_name, port));
        result.op = op_registry().find(result.type, result.version);
    }
}

}  // namespace es::graph
