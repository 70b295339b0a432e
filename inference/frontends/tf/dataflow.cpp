#include "inference/frontends/tf/dataflow.h"

#include "inference/core/error.h"
#include "inference/frontends/tf/graph_importer.h"
#include "inference/frontends/tf/tensor_list.h"

#include <deque>
#include <set>

namespace es::frontends::tf_import {
namespace {

// A loop iteration (TensorFlow's frame and iteration): (frame, iteration) from the outermost.
using Tag = std::vector<std::pair<int, int64_t>>;

// A loop that has not ended after this many iterations is an error: its trip count is constant,
// but unrolling it would build a model too large to be of use.
constexpr int64_t k_max_iterations = 4096;
constexpr size_t k_max_node_runs = 1 << 20;

enum class Kind { plain, enter, exit, next_iteration, merge, switch_, pass_through, list };

Kind kind_of(const std::string& op) {
    if (op == "Enter" || op == "RefEnter") return Kind::enter;
    if (op == "Exit" || op == "RefExit") return Kind::exit;
    if (op == "NextIteration" || op == "RefNextIteration") return Kind::next_iteration;
    if (op == "Merge" || op == "RefMerge") return Kind::merge;
    if (op == "Switch" || op == "RefSwitch") return Kind::switch_;
    if (op == "LoopCond" || op == "Identity" || op == "StopGradient" || op == "Snapshot")
        return Kind::pass_through;
    if (is_tensor_list_op(op)) return Kind::list;
    return Kind::plain;
}

// The Parameters a value depends on, for the message that says why it is not constant.
std::string parameters_behind(graph::Output output) {
    std::set<std::string> names;
    std::vector<const graph::Node*> stack{output.node};
    std::set<const graph::Node*> seen{output.node};
    while (!stack.empty()) {
        const graph::Node* node = stack.back();
        stack.pop_back();
        if (node->type == "Parameter") names.insert(node->name);
        for (const auto& input : node->inputs)
            if (seen.insert(input.source.node).second) stack.push_back(input.source.node);
    }
    std::string list;
    for (const auto& name : names)
        list += (list.empty() ? "'" : ", '") + name + "'";
    return list.empty() ? "no input" : list;
}

}  // namespace

struct Dataflow::Impl {
    struct Slot {
        std::vector<Value> outputs;
        bool dead = false;  // every output is on a branch not taken
    };

    std::vector<const tensorflow::NodeDef*> nodes;
    std::unordered_map<std::string, int> index;
    std::vector<Kind> kinds;
    std::vector<std::vector<std::pair<int, size_t>>> inputs;  // (producer, port) per data input
    std::vector<std::vector<int>> consumers;
    std::vector<bool> global;          // outside every loop and condition: translated once
    std::vector<int> invariant_frame;  // same value in every iteration of this frame, or -1
    std::vector<int> enter_frame;      // the frame an Enter enters, or -1
    std::map<std::string, int> frames;
    std::unordered_map<std::string, graph::Output> fed;
    graph::Model& model;
    TranslateFn translate;
    std::string where;

    std::map<std::pair<Tag, int>, Slot> slots;
    std::set<std::pair<Tag, int>> fired;
    std::deque<std::pair<Tag, int>> queue;

    Impl(std::vector<const tensorflow::NodeDef*> nodes_,
         std::unordered_map<std::string, graph::Output> fed_, graph::Model& model_,
         TranslateFn translate_, std::string where_)
        : nodes(std::move(nodes_)),
          fed(std::move(fed_)),
          model(model_),
          translate(std::move(translate_)),
          where(std::move(where_)) {}

    [[noreturn]] void fail(int node, const std::string& message) const {
        throw_bad_input("{}: node '{}' ({}): {}", where, nodes[node]->name(), nodes[node]->op(),
                        message);
    }

    void index_nodes() {
        for (int i = 0; i < static_cast<int>(nodes.size()); ++i)
            index.emplace(nodes[i]->name(), i);
        kinds.resize(nodes.size());
        inputs.resize(nodes.size());
        consumers.resize(nodes.size());
        enter_frame.assign(nodes.size(), -1);
        for (int i = 0; i < static_cast<int>(nodes.size()); ++i) {
            const auto& node = *nodes[i];
            kinds[i] = fed.count(node.name()) ? Kind::plain : kind_of(node.op());
            if (fed.count(node.name())) continue;
            for (const auto& input : node.input()) {
                const TensorName source = parse_tensor_name(input);
                if (source.control) continue;
                const int producer = index.at(source.node);
                inputs[i].emplace_back(producer, source.index);
                auto& users = consumers[producer];
                if (users.empty() || users.back() != i) users.push_back(i);
            }
            if (kinds[i] == Kind::enter) {
                const auto frame = node.attr().find("frame_name");
                const std::string name = frame == node.attr().end() ? "" : frame->second.s();
                enter_frame[i] =
                    frames.emplace(name, static_cast<int>(frames.size())).first->second;
            }
        }
    }

    // Producers before consumers, a Merge's input from NextIteration being the loop's back edge.
    std::vector<int> topological_order() const {
        std::vector<size_t> pending(nodes.size(), 0);
        for (size_t i = 0; i < nodes.size(); ++i)
            for (const auto& [producer, port] : inputs[i])
                if (kinds[producer] != Kind::next_iteration) ++pending[i];
        std::vector<int> order;
        for (int i = 0; i < static_cast<int>(nodes.size()); ++i)
            if (pending[i] == 0) order.push_back(i);
        for (size_t next = 0; next < order.size(); ++next) {
            const int node = order[next];
            if (kinds[node] == Kind::next_iteration) continue;
            for (int consumer : consumers[node]) {
                for (const auto& [producer, port] : inputs[consumer])
                    if (producer == node && --pending[consumer] == 0) order.push_back(consumer);
            }
        }
        if (order.size() != nodes.size()) {
            for (int i = 0; i < static_cast<int>(nodes.size()); ++i)
                if (pending[i] != 0 && kinds[i] != Kind::merge)
                    fail(i, "depends on itself outside a loop (a cycle without NextIteration)");
            fail(0, "the graph has a cycle without NextIteration");
        }
        return order;
    }

    void classify(const std::vector<int>& order) {
        global.assign(nodes.size(), false);
        invariant_frame.assign(nodes.size(), -1);
        for (int node : order) {
            if (kinds[node] == Kind::enter) {
                const auto constant = nodes[node]->attr().find("is_constant");
                if (constant != nodes[node]->attr().end() && constant->second.b())
                    invariant_frame[node] = enter_frame[node];
                continue;
            }
            if (!translatable(node)) continue;
            bool all_global = true;
            int frame = -1;
            bool variant = false;
            for (const auto& [producer, port] : inputs[node]) {
                if (global[producer]) continue;
                all_global = false;
                if (invariant_frame[producer] < 0 ||
                    (frame >= 0 && frame != invariant_frame[producer]))
                    variant = true;
                else
                    frame = invariant_frame[producer];
            }
            global[node] = all_global;
            if (!all_global && !variant) invariant_frame[node] = frame;
        }
    }

    // A node the op table translates, or one that passes its input on unchanged.
    bool translatable(int node) const {
        return kinds[node] == Kind::plain || kinds[node] == Kind::pass_through;
    }

    const Slot* find_slot(const Tag& tag, int node) const {
        if (global[node]) {
            const auto found = slots.find({Tag{}, node});
            return found == slots.end() ? nullptr : &found->second;
        }
        if (invariant_frame[node] >= 0 && !tag.empty() &&
            tag.back().first == invariant_frame[node]) {
            Tag first = tag;
            first.back().second = 0;
            const auto found = slots.find({first, node});
            return found == slots.end() ? nullptr : &found->second;
        }
        const auto found = slots.find({tag, node});
        return found == slots.end() ? nullptr : &found->second;
    }

    // Input `i` of `node` in `tag`: nullopt while it has not been computed.
    std::optional<Value> input_value(const Tag& tag, int node, size_t i) const {
        const auto [producer, port] = inputs[node][i];
        const Slot* slot = find_slot(tag, producer);
        if (!slot) return std::nullopt;
        if (slot->dead) return Value::dead_value();
        if (port >= slot->outputs.size())
            fail(node,
                 fmt::format("input '{}' names output {} of a node with {}",
                             nodes[node]->input(static_cast<int>(i)), port, slot->outputs.size()));
        return slot->outputs[port];
    }

    bool ready(const Tag& tag, int node) const {
        const size_t count = inputs[node].size();
        size_t known = 0;
        for (size_t i = 0; i < count; ++i) {
            const auto value = input_value(tag, node, i);
            if (!value) continue;
            if (kinds[node] == Kind::merge && !value->dead) return true;
            ++known;
        }
        return known == count;
    }

    void store(const Tag& tag, int node, Slot slot) {
        if (!slots.emplace(std::pair{tag, node}, std::move(slot)).second)
            fail(node, "computed twice in one iteration (two live Merge inputs?)");
        for (int consumer : consumers[node])
            if (!fired.count({tag, consumer}) && ready(tag, consumer))
                queue.emplace_back(tag, consumer);
    }

    std::string name_in(const Tag& tag, int node) const {
        std::string name = nodes[node]->name();
        if (tag.empty()) return name;
        name += "/iteration";
        for (const auto& [frame, iteration] : tag)
            name += fmt::format("_{}", iteration);
        return name;
    }

    Slot run_plain(const Tag& tag, int node, const std::vector<Value>& values) {
        std::vector<graph::Output> tensors;
        for (size_t i = 0; i < values.size(); ++i) {
            if (values[i].list)
                fail(node, fmt::format("input {} is a TensorArray or TensorList, which only their "
                                       "own ops read",
                                       i));
            tensors.push_back(values[i].tensor);
        }
        Slot slot;
        for (const auto& output : translate(*nodes[node], std::move(tensors), name_in(tag, node)))
            slot.outputs.push_back(Value::of(output));
        return slot;
    }

    bool constant_condition(int node, const Value& value) const {
        if (value.list) fail(node, "its condition is a TensorArray or TensorList");
        const graph::Node& producer = *value.tensor.node;
        if (producer.type != "Const")
            fail(node, fmt::format("its condition is not constant at conversion (it depends on "
                                   "{}): conditions and loops are unrolled while converting, so "
                                   "give those inputs a fixed shape (--shape) or value (--value)",
                                   parameters_behind(value.tensor)));
        if (producer.value.size() != 1)
            fail(node,
                 fmt::format("its condition has {} elements, expected 1", producer.value.size()));
        return producer.value.to_doubles()[0] != 0;
    }

    void fire(const Tag& tag, int node) {
        if (!fired.insert({tag, node}).second) return;
        if (fired.size() > k_max_node_runs)
            fail(node, fmt::format("the graph's loops run over {} nodes in all, too many to unroll",
                                   k_max_node_runs));
        std::vector<Value> values;
        bool any_dead = false;
        for (size_t i = 0; i < inputs[node].size(); ++i) {
            auto value = input_value(tag, node, i);
            values.push_back(value ? *value : Value::dead_value());
            any_dead = any_dead || values.back().dead;
        }
        switch (kinds[node]) {
            case Kind::enter: {
                Tag inner = tag;
                inner.emplace_back(enter_frame[node], 0);
                store(inner, node, {{values.at(0)}, values.at(0).dead});
                return;
            }
            case Kind::exit:
                if (tag.empty()) fail(node, "an Exit outside every loop");
                if (values.at(0).dead) return;
                store(Tag(tag.begin(), tag.end() - 1), node, {{values[0]}, false});
                return;
            case Kind::next_iteration: {
                if (tag.empty()) fail(node, "a NextIteration outside every loop");
                if (values.at(0).dead) return;
                Tag next = tag;
                if (++next.back().second >= k_max_iterations)
                    fail(node,
                         fmt::format("the loop did not end after {} iterations", k_max_iterations));
                store(next, node, {{values[0]}, false});
                return;
            }
            case Kind::merge: {
                for (size_t i = 0; i < values.size(); ++i)
                    if (!values[i].dead) {
                        Tensor chosen(ElementType::i32, {});
                        chosen.data<int32_t>()[0] = static_cast<int32_t>(i);
                        const graph::Output index =
                            model.add_constant(chosen, name_in(tag, node) + "/value_index");
                        store(tag, node, {{values[i], Value::of(index)}, false});
                        return;
                    }
                store(tag, node, {{}, true});
                return;
            }
            case Kind::switch_: {
                if (values.size() != 2) fail(node, "expected 2 inputs (data, predicate)");
                if (any_dead) {
                    store(tag, node, {{}, true});
                    return;
                }
                const bool taken = constant_condition(node, values[1]);
                std::vector<Value> outputs(2, Value::dead_value());
                outputs[taken ? 1 : 0] = values[0];
                store(tag, node, {std::move(outputs), false});
                return;
            }
            case Kind::pass_through:
                if (values.size() != 1) fail(node, "expected 1 input");
                store(tag, node, {{values[0]}, values[0].dead});
                return;
            case Kind::list:
            case Kind::plain:
                break;
        }
        if (any_dead) {
            store(tag, node, {{}, true});
            return;
        }
        if (kinds[node] == Kind::list) {
            GraphBuilder builder(model, name_in(tag, node), true);
            Slot slot;
            try {
                slot.outputs = run_tensor_list_op(*nodes[node], values, builder);
            } catch (const Error& error) {
                rethrow_with_context(error, fmt::format("{}: node '{}' ({})", where,
                                                        nodes[node]->name(), nodes[node]->op()));
            }
            store(tag, node, std::move(slot));
            return;
        }
        store(tag, node, run_plain(tag, node, values));
    }

    const Slot& result(const std::string& name) const;

    void run() {
        index_nodes();
        const std::vector<int> order = topological_order();
        classify(order);
        for (int node : order) {
            if (!global[node]) continue;
            const auto found = fed.find(nodes[node]->name());
            if (found != fed.end()) {
                slots[{Tag{}, node}] = {{Value::of(found->second)}, false};
                fired.insert({Tag{}, node});
                continue;
            }
            std::vector<Value> values;
            for (size_t i = 0; i < inputs[node].size(); ++i)
                values.push_back(*input_value({}, node, i));
            slots[{Tag{}, node}] = kinds[node] == Kind::pass_through ? Slot{{values.at(0)}, false}
                                                                     : run_plain({}, node, values);
            fired.insert({Tag{}, node});
        }
        for (int node : order)
            if (!global[node] && ready({}, node)) queue.emplace_back(Tag{}, node);
        while (!queue.empty()) {
            const auto [tag, node] = queue.front();
            queue.pop_front();
            fire(tag, node);
        }
    }
};

Dataflow::Dataflow(std::vector<const tensorflow::NodeDef*> nodes,
                   std::unordered_map<std::string, graph::Output> fed, graph::Model& model,
                   TranslateFn translate, std::string where)
    : m_impl(std::make_unique<Impl>(std::move(nodes), std::move(fed), model, std::move(translate),
                                    std::move(where))) {}

Dataflow::~Dataflow() = default;

void Dataflow::run() {
    m_impl->run();
}

bool Dataflow::handles(const std::string& op) {
    return kind_of(op) != Kind::plain;
}

const Dataflow::Impl::Slot& Dataflow::Impl::result(const std::string& name) const {
    const int node = index.at(name);
    const Slot* slot = find_slot({}, node);
    if (!slot) fail(node, "never ran: it waits on a loop or condition whose inputs never came");
    if (slot->dead) fail(node, "its value is on the branch of a condition that is not taken");
    return *slot;
}

bool Dataflow::ran(const std::string& node) const {
    const auto* slot = m_impl->find_slot({}, m_impl->index.at(node));
    return slot && !slot->dead;
}

size_t Dataflow::output_count(const std::string& node) const {
    return m_impl->result(node).outputs.size();
}

graph::Output Dataflow::output(const std::string& node, size_t index) const {
    const int i = m_impl->index.at(node);
    const auto* slot = &m_impl->result(node);
    if (index >= slot->outputs.size())
        m_impl->fail(
            i, fmt::format("has {} outputs; output {} was asked for", slot->outputs.size(), index));
    const Value& value = slot->outputs[index];
    if (value.dead) m_impl->fail(i, fmt::format("output {} is on a branch not taken", index));
    if (value.list) m_impl->fail(i, "a TensorArray or TensorList cannot be a model output");
    return value.tensor;
}

}  // namespace es::frontends::tf_import
