#include "inference/frontends/tf/function_inlining.h"

#include "inference/core/error.h"

#include <map>
#include <unordered_map>

namespace es::frontends::tf_import {
namespace {

// Deeper nesting than this is taken for recursion.
constexpr size_t k_max_depth = 64;
// Vision models inline to a few ten thousand nodes; functions that call each other many times
// over multiply, so a small file could otherwise expand to billions.
constexpr size_t k_max_inlined_nodes = size_t{1} << 18;

// Output argument names of ops with several output arguments, for "node:arg:index" references
// inside function bodies; ops not listed have a single output argument (possibly a list).
const std::map<std::string, std::vector<std::string>, std::less<>>& output_arguments() {
    static const std::map<std::string, std::vector<std::string>, std::less<>> table{
        {"FusedBatchNorm",
         {"y", "batch_mean", "batch_variance", "reserve_space_1", "reserve_space_2"}},
        {"FusedBatchNormV2",
         {"y", "batch_mean", "batch_variance", "reserve_space_1", "reserve_space_2"}},
        {"FusedBatchNormV3",
         {"y", "batch_mean", "batch_variance", "reserve_space_1", "reserve_space_2",
          "reserve_space_3"}},
        {"TopKV2", {"values", "indices"}},
        {"Unique", {"y", "idx"}},
        {"NonMaxSuppressionV4", {"selected_indices", "valid_outputs"}},
        {"NonMaxSuppressionV5", {"selected_indices", "selected_scores", "valid_outputs"}},
        {"CombinedNonMaxSuppression",
         {"nmsed_boxes", "nmsed_scores", "nmsed_classes", "valid_detections"}},
        {"Switch", {"output_false", "output_true"}},
        {"Merge", {"output", "value_index"}},
    };
    return table;
}

bool is_functional_control_flow(const std::string& op) {
    return op == "If" || op == "StatelessIf" || op == "While" || op == "StatelessWhile";
}

class Inliner {
  public:
    Inliner(const tensorflow::GraphDef& graph, std::string where) : m_where(std::move(where)) {
        for (const auto& function : graph.library().function())
            m_functions[function.signature().name()] = &function;
    }

    // The called function's name, or empty when `node` calls none.
    std::string callee(const tensorflow::NodeDef& node) const {
        if (node.op() == "PartitionedCall" || node.op() == "StatefulPartitionedCall") {
            const auto found = node.attr().find("f");
            if (found == node.attr().end() || found->second.func().name().empty())
                throw_bad_input("{}: node '{}' ({}) names no function in attribute 'f'", m_where,
                                node.name(), node.op());
            return found->second.func().name();
        }
        return m_functions.count(node.op()) ? node.op() : std::string();
    }

    std::vector<tensorflow::NodeDef> flatten(
        const google::protobuf::RepeatedPtrField<tensorflow::NodeDef>& nodes) {
        std::vector<tensorflow::NodeDef> result;
        for (const auto& node : nodes)
            expand(node, 0, result);
        return result;
    }

  private:
    const tensorflow::FunctionDef& function(const tensorflow::NodeDef& call,
                                            const std::string& name) const {
        const auto found = m_functions.find(name);
        if (found == m_functions.end())
            throw_bad_input("{}: node '{}' ({}) calls function '{}', which the library lacks",
                            m_where, call.name(), call.op(), name);
        return *found->second;
    }

    static tensorflow::NodeDef make_node(const std::string& name, const std::string& op,
                                         std::vector<std::string> inputs) {
        tensorflow::NodeDef node;
        node.set_name(name);
        node.set_op(op);
        for (auto& input : inputs)
            node.add_input(std::move(input));
        return node;
    }

    std::string branch(const tensorflow::NodeDef& node, const char* attribute) const {
        const auto found = node.attr().find(attribute);
        if (found == node.attr().end() || found->second.func().name().empty())
            throw_bad_input("{}: node '{}' ({}) names no function in attribute '{}'", m_where,
                            node.name(), node.op(), attribute);
        function(node, found->second.func().name());
        return found->second.func().name();
    }

    static std::vector<std::string> data_inputs(const tensorflow::NodeDef& node) {
        std::vector<std::string> inputs;
        for (const auto& input : node.input())
            if (!input.starts_with("^")) inputs.push_back(input);
        return inputs;
    }

    size_t output_count(const std::string& function_name) const {
        return static_cast<size_t>(m_functions.at(function_name)->signature().output_arg_size());
    }

    // If / StatelessIf as TensorFlow lowers it: the inputs switched on the condition, each
    // branch inlined on its side, each result gated by the condition too (a branch may compute
    // from constants alone) and merged.
    void lower_if(const tensorflow::NodeDef& node, size_t depth,
                  std::vector<tensorflow::NodeDef>& out) {
        const auto inputs = data_inputs(node);
        if (inputs.empty())
            throw_bad_input("{}: node '{}' ({}) has no condition input", m_where, node.name(),
                            node.op());
        const std::string& condition = inputs[0];
        const std::string prefix = node.name() + "/";
        std::vector<std::string> then_inputs, else_inputs;
        for (size_t k = 1; k < inputs.size(); ++k) {
            const std::string name = fmt::format("{}switch_{}", prefix, k - 1);
            out.push_back(make_node(name, "Switch", {inputs[k], condition}));
            then_inputs.push_back(name + ":1");
            else_inputs.push_back(name + ":0");
        }
        const std::string then_function = branch(node, "then_branch");
        const std::string else_function = branch(node, "else_branch");
        expand(make_node(prefix + "then", then_function, then_inputs), depth + 1, out);
        expand(make_node(prefix + "else", else_function, else_inputs), depth + 1, out);
        const size_t outputs = output_count(then_function);
        if (output_count(else_function) != outputs)
            throw_bad_input("{}: node '{}' ({}): its branches return {} and {} values", m_where,
                            node.name(), node.op(), outputs, output_count(else_function));
        tensorflow::NodeDef results = make_node(node.name(), "IdentityN", {});
        for (size_t j = 0; j < outputs; ++j) {
            const std::string then_gate = fmt::format("{}then_gate_{}", prefix, j);
            const std::string else_gate = fmt::format("{}else_gate_{}", prefix, j);
            out.push_back(
                make_node(then_gate, "Switch", {fmt::format("{}then:{}", prefix, j), condition}));
            out.push_back(
                make_node(else_gate, "Switch", {fmt::format("{}else:{}", prefix, j), condition}));
            const std::string merge = fmt::format("{}merge_{}", prefix, j);
            out.push_back(make_node(merge, "Merge", {else_gate + ":0", then_gate + ":1"}));
            results.add_input(merge);
        }
        out.push_back(std::move(results));
    }

    // While / StatelessWhile as TensorFlow lowers it: each loop variable enters the frame,
    // merges with its next value, and leaves through an Exit when the condition function says.
    void lower_while(const tensorflow::NodeDef& node, size_t depth,
                     std::vector<tensorflow::NodeDef>& out) {
        const auto inputs = data_inputs(node);
        const std::string prefix = node.name() + "/";
        const std::string cond_function = branch(node, "cond");
        const std::string body_function = branch(node, "body");
        if (output_count(body_function) != inputs.size())
            throw_bad_input("{}: node '{}' ({}): its body returns {} values for {} loop variables",
                            m_where, node.name(), node.op(), output_count(body_function),
                            inputs.size());
        std::vector<std::string> merges, bodies;
        for (size_t i = 0; i < inputs.size(); ++i) {
            const std::string enter = fmt::format("{}enter_{}", prefix, i);
            tensorflow::NodeDef enter_node = make_node(enter, "Enter", {inputs[i]});
            (*enter_node.mutable_attr())["frame_name"].set_s(node.name());
            out.push_back(std::move(enter_node));
            const std::string merge = fmt::format("{}merge_{}", prefix, i);
            out.push_back(make_node(merge, "Merge", {enter, fmt::format("{}next_{}", prefix, i)}));
            merges.push_back(merge);
        }
        expand(make_node(prefix + "cond", cond_function, merges), depth + 1, out);
        out.push_back(make_node(prefix + "loop_cond", "LoopCond", {prefix + "cond:0"}));
        tensorflow::NodeDef results = make_node(node.name(), "IdentityN", {});
        for (size_t i = 0; i < inputs.size(); ++i) {
            const std::string switch_name = fmt::format("{}switch_{}", prefix, i);
            out.push_back(make_node(switch_name, "Switch", {merges[i], prefix + "loop_cond"}));
            const std::string identity = fmt::format("{}body_input_{}", prefix, i);
            out.push_back(make_node(identity, "Identity", {switch_name + ":1"}));
            bodies.push_back(identity);
            const std::string exit = fmt::format("{}exit_{}", prefix, i);
            out.push_back(make_node(exit, "Exit", {switch_name + ":0"}));
            results.add_input(exit);
        }
        expand(make_node(prefix + "body", body_function, bodies), depth + 1, out);
        for (size_t i = 0; i < inputs.size(); ++i)
            out.push_back(make_node(fmt::format("{}next_{}", prefix, i), "NextIteration",
                                    {fmt::format("{}body:{}", prefix, i)}));
        out.push_back(std::move(results));
    }

    void expand(const tensorflow::NodeDef& node, size_t depth,
                std::vector<tensorflow::NodeDef>& out) {
        if (node.op() == "If" || node.op() == "StatelessIf") return lower_if(node, depth, out);
        if (node.op() == "While" || node.op() == "StatelessWhile")
            return lower_while(node, depth, out);
        const std::string name = callee(node);
        if (name.empty()) {
            out.push_back(node);
            return;
        }
        if (depth >= k_max_depth)
            throw_bad_input("{}: node '{}': functions nest deeper than {} calls (recursion?)",
                            m_where, node.name(), k_max_depth);
        const tensorflow::FunctionDef& body = function(node, name);
        if (out.size() + static_cast<size_t>(body.node_def_size()) > k_max_inlined_nodes)
            throw_bad_input("{}: node '{}': inlining function '{}' makes more than {} nodes",
                            m_where, node.name(), name, k_max_inlined_nodes);
        const std::string prefix = node.name() + "/";
        const auto& signature = body.signature();

        std::vector<std::string> data_inputs;
        for (const auto& input : node.input())
            if (!input.starts_with("^")) data_inputs.push_back(input);
        if (static_cast<int>(data_inputs.size()) != signature.input_arg_size())
            throw_bad_input("{}: node '{}' passes {} inputs to function '{}', which takes {}",
                            m_where, node.name(), data_inputs.size(), name,
                            signature.input_arg_size());
        std::map<std::string, std::string> local_ops;  // body node -> op or callee
        for (const auto& body_node : body.node_def()) {
            const std::string called = callee(body_node);
            local_ops[body_node.name()] = called.empty() ? body_node.op() : "@" + called;
        }
        for (int i = 0; i < signature.input_arg_size(); ++i) {
            const auto& arg = signature.input_arg(i);
            if (!arg.number_attr().empty() || !arg.type_list_attr().empty())
                throw_bad_input("{}: function '{}': list argument '{}' is not supported", m_where,
                                name, arg.name());
            tensorflow::NodeDef identity;
            identity.set_name(prefix + arg.name());
            identity.set_op("Identity");
            identity.add_input(data_inputs[static_cast<size_t>(i)]);
            out.push_back(std::move(identity));
        }
        auto remap = [&](const std::string& reference) {
            if (reference.starts_with("^")) return "^" + prefix + reference.substr(1);
            const size_t first = reference.find(':');
            if (first == std::string::npos) return prefix + reference;  // an argument
            const std::string node_name = reference.substr(0, first);
            const size_t second = reference.find(':', first + 1);
            if (second == std::string::npos) return prefix + reference;  // "node:index"
            const std::string arg = reference.substr(first + 1, second - first - 1);
            size_t index = 0;
            try {
                index = std::stoul(reference.substr(second + 1));
            } catch (const std::exception&) {
                throw_bad_input("{}: function '{}': malformed input '{}'", m_where, name,
                                reference);
            }
            return fmt::format("{}{}:{}", prefix, node_name,
                               output_offset(name, local_ops, node_name, arg) + index);
        };
        for (const auto& body_node : body.node_def()) {
            tensorflow::NodeDef copy = body_node;
            copy.set_name(prefix + body_node.name());
            for (auto& input : *copy.mutable_input())
                input = remap(input);
            expand(copy, depth + 1, out);
        }
        tensorflow::NodeDef results;
        results.set_name(node.name());
        results.set_op("IdentityN");
        for (const auto& arg : signature.output_arg()) {
            const auto found = body.ret().find(arg.name());
            if (found == body.ret().end())
                throw_bad_input("{}: function '{}' returns nothing for output '{}'", m_where, name,
                                arg.name());
            results.add_input(remap(found->second));
        }
        out.push_back(std::move(results));
    }

    // The flat output index where output argument `arg` of body node `node_name` begins.
    size_t output_offset(const std::string& function_name,
                         const std::map<std::string, std::string>& local_ops,
                         const std::string& node_name, const std::string& arg) const {
        const auto op = local_ops.find(node_name);
        if (op == local_ops.end())
            throw_bad_input("{}: function '{}': an input names '{}', which is no node of it",
                            m_where, function_name, node_name);
        if (op->second.starts_with("@")) {
            const auto& signature = m_functions.at(op->second.substr(1))->signature();
            for (int i = 0; i < signature.output_arg_size(); ++i)
                if (signature.output_arg(i).name() == arg) return static_cast<size_t>(i);
            throw_bad_input("{}: function '{}' has no output '{}'", m_where, op->second.substr(1),
                            arg);
        }
        const auto found = output_arguments().find(op->second);
        if (found == output_arguments().end()) return 0;
        for (size_t i = 0; i < found->second.size(); ++i)
            if (found->second[i] == arg) return i;
        throw_bad_input("{}: function '{}': {} has no output '{}'", m_where, function_name,
                        op->second, arg);
    }

    std::string m_where;
    std::unordered_map<std::string, const tensorflow::FunctionDef*> m_functions;
};

}  // namespace

void inline_functions(tensorflow::GraphDef& graph, const std::string& where) {
    if (graph.library().function_size() == 0) return;
    Inliner inliner(graph, where);
    bool calls = false;
    for (const auto& node : graph.node())
        calls = calls || !inliner.callee(node).empty() || is_functional_control_flow(node.op());
    if (!calls) return;
    std::vector<tensorflow::NodeDef> nodes = inliner.flatten(graph.node());
    graph.clear_node();
    for (auto& node : nodes)
        *graph.add_node() = std::move(node);
}

}  // namespace es::frontends::tf_import
