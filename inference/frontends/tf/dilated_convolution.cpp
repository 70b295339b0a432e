#include "inference/frontends/tf/dilated_convolution.h"

#include "inference/frontends/tf/graph_importer.h"
#include "inference/frontends/tf/tensor_conversion.h"

#include <optional>
#include <set>
#include <unordered_map>

namespace es::frontends::tf_import {
namespace {

class Folder {
  public:
    Folder(tensorflow::GraphDef& graph, const std::map<std::string, Tensor>& bound_values,
           const std::string& where)
        : m_graph(graph), m_bound_values(bound_values), m_where(where) {
        for (int i = 0; i < graph.node_size(); ++i)
            m_nodes[graph.node(i).name()] = i;
    }

    size_t fold_all(const std::set<std::string>& fetched) {
        size_t folded = 0;
        for (int i = 0; i < m_graph.node_size(); ++i)
            if (m_graph.node(i).op() == "BatchToSpaceND" && fold(i)) ++folded;
        if (folded > 0) remove_unread(fetched);
        return folded;
    }

  private:
    // The node producing output 0 named by input `i` of `node`; nullptr for anything else.
    const tensorflow::NodeDef* producer(const tensorflow::NodeDef& node, int i) const {
        if (i >= node.input_size()) return nullptr;
        const TensorName name = parse_tensor_name(node.input(i));
        if (name.control || name.index != 0) return nullptr;
        const auto found = m_nodes.find(name.node);
        return found == m_nodes.end() ? nullptr : &m_graph.node(found->second);
    }

    std::optional<std::vector<int64_t>> constant_ints(const tensorflow::NodeDef& node,
                                                      int i) const {
        const tensorflow::NodeDef* source = producer(node, i);
        if (!source || source->op() != "Const") return std::nullopt;
        const auto bound = m_bound_values.find(source->name());
        if (bound != m_bound_values.end()) {
            if (!is_integer(bound->second.type())) return std::nullopt;
            return bound->second.to_int64s();
        }
        const auto value = source->attr().find("value");
        if (value == source->attr().end()) return std::nullopt;
        const Tensor tensor = tensor_from_proto(value->second.tensor(), m_where);
        if (!is_integer(tensor.type())) return std::nullopt;
        return tensor.to_int64s();
    }

    static std::string string_attribute(const tensorflow::NodeDef& node, const std::string& name,
                                        const std::string& fallback) {
        const auto found = node.attr().find(name);
        return found == node.attr().end() ? fallback : found->second.s();
    }

    // An absent list attribute, or one of all ones.
    static bool all_ones(const tensorflow::NodeDef& node, const std::string& name) {
        const auto found = node.attr().find(name);
        if (found == node.attr().end()) return true;
        for (int64_t value : found->second.list().i())
            if (value != 1) return false;
        return true;
    }

    // Drops the replaced convolutions and SpaceToBatchND nodes that nothing reads any more,
    // so they do not become loose ends (outputs) of the graph.
    void remove_unread(const std::set<std::string>& fetched) {
        bool removed = true;
        while (removed) {
            removed = false;
            std::set<std::string> read;
            for (const auto& node : m_graph.node())
                for (const auto& input : node.input())
                    if (!input.starts_with("^")) read.insert(parse_tensor_name(input).node);
            auto& nodes = *m_graph.mutable_node();
            for (int i = nodes.size() - 1; i >= 0; --i) {
                const std::string name = nodes.Get(i).name();
                if (!m_replaced.count(name) || read.count(name) || fetched.count(name)) continue;
                m_replaced.erase(name);
                nodes.DeleteSubrange(i, 1);
                drop_control_inputs("^" + name);
                removed = true;
            }
        }
    }

    void drop_control_inputs(const std::string& control) {
        for (auto& node : *m_graph.mutable_node()) {
            auto& inputs = *node.mutable_input();
            for (int i = inputs.size() - 1; i >= 0; --i)
                if (inputs.Get(i) == control) inputs.DeleteSubrange(i, 1);
        }
    }

    bool fold(int index) {
        const tensorflow::NodeDef& batch_to_space = m_graph.node(index);
        const tensorflow::NodeDef* conv = producer(batch_to_space, 0);
        if (!conv || (conv->op() != "Conv2D" && conv->op() != "DepthwiseConv2dNative"))
            return false;
        const tensorflow::NodeDef* space_to_batch = producer(*conv, 0);
        if (!space_to_batch || space_to_batch->op() != "SpaceToBatchND") return false;
        if (string_attribute(*conv, "data_format", "NHWC") != "NHWC" ||
            string_attribute(*conv, "padding", "") != "VALID" || !all_ones(*conv, "strides") ||
            !all_ones(*conv, "dilations") || conv->input_size() < 2)
            return false;
        const auto block = constant_ints(*space_to_batch, 1);
        const auto block_after = constant_ints(batch_to_space, 1);
        const auto paddings = constant_ints(*space_to_batch, 2);
        const auto crops = constant_ints(batch_to_space, 2);
        if (!block || !block_after || !paddings || !crops || *block != *block_after ||
            block->size() != 2 || paddings->size() != 4 || crops->size() != 4)
            return false;
        std::vector<int64_t> explicit_paddings{0, 0};
        for (size_t i = 0; i < 4; ++i) {
            const int64_t pad = (*paddings)[i] - (*crops)[i];
            if ((*paddings)[i] < 0 || (*crops)[i] < 0 || pad < 0) return false;
            explicit_paddings.push_back(pad);
        }
        explicit_paddings.insert(explicit_paddings.end(), {0, 0});
        if ((*block)[0] < 1 || (*block)[1] < 1) return false;

        tensorflow::NodeDef folded = *conv;
        folded.set_name(batch_to_space.name());
        folded.clear_input();
        folded.add_input(space_to_batch->input(0));
        folded.add_input(conv->input(1));
        for (const auto& input : batch_to_space.input())
            if (input.starts_with("^")) folded.add_input(input);
        auto& attributes = *folded.mutable_attr();
        attributes["padding"].set_s("EXPLICIT");
        auto* pads = attributes["explicit_paddings"].mutable_list();
        pads->clear_i();
        for (int64_t pad : explicit_paddings)
            pads->add_i(pad);
        auto* dilations = attributes["dilations"].mutable_list();
        dilations->clear_i();
        for (int64_t dilation : {int64_t{1}, (*block)[0], (*block)[1], int64_t{1}})
            dilations->add_i(dilation);
        m_replaced.insert(conv->name());
        m_replaced.insert(space_to_batch->name());
        *m_graph.mutable_node(index) = std::move(folded);
        return true;
    }

    tensorflow::GraphDef& m_graph;
    const std::map<std::string, Tensor>& m_bound_values;
    const std::string& m_where;
    std::unordered_map<std::string, int> m_nodes;
    std::set<std::string> m_replaced;  // nodes a folded convolution no longer reads
};

}  // namespace

size_t fold_dilated_convolutions(tensorflow::GraphDef& graph,
                                 const std::map<std::string, Tensor>& bound_values,
                                 const std::set<std::string>& fetched, const std::string& where) {
    return Folder(graph, bound_values, where).fold_all(fetched);
}

}  // namespace es::frontends::tf_import
