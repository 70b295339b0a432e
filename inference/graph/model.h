#pragma once

#include "inference/graph/node.h"

#include <memory>
#include <string>
#include <vector>

namespace es::graph {

// A network: nodes in topological order (producers before consumers).
class Model {
  public:
    std::string name;
    int ir_version = 11;
    // Net-level <rt_info> and <meta_data> sections, kept verbatim as XML for writing back.
    std::string rt_info_xml;
    std::string meta_data_xml;

    Model() = default;
    Model(Model&&) = default;
    Model& operator=(Model&&) = default;
    // A copy with its own nodes; constant data is shared (passes never write into it).
    Model clone() const;

    const std::vector<std::unique_ptr<Node>>& nodes() const { return m_nodes; }
    std::vector<Node*> parameters() const;
    std::vector<Node*> results() const;
    Node* find(const std::string& node_name) const;

    // Appends a node and gives it a fresh id unless it has one; keeps the order valid only if
    // its inputs are already in the model (true for the builders below).
    Node& add(std::unique_ptr<Node> node);
    // Re-sorts the nodes topologically; throws es::Error (BadInput) naming a node on a cycle.
    void sort_topologically();
    // Drops nodes whose outputs reach no Result (Parameters stay: they are the model's inputs).
    // Returns how many were dropped.
    size_t remove_unused();
    // Points every consumer of `from` at `to` instead, and moves `from`'s tensor names to `to`
    // so the model's inputs and outputs keep their names.
    void replace_uses(Output from, Output to);

    // Builders for graphs made in code; shapes are filled by infer_shapes().
    Output add_parameter(const std::string& node_name, ElementType type, PartialShape shape);
    Output add_constant(const Tensor& value, const std::string& node_name = "");
    Node& add_op(const std::string& type, const std::string& version, std::vector<Output> inputs,
                 Attributes attributes = {}, const std::string& node_name = "");
    Node& add_result(Output source, const std::string& node_name = "");

  private:
    std::vector<std::unique_ptr<Node>> m_nodes;
    int64_t m_next_id = 0;
};

// Name under which an output is known to users: its first tensor name, else the producer's
// name (with ".port" when the producer has several outputs).
std::string output_name(const Output& output);

// Structural equality: nodes, attributes, ports, tensor names, rt_info, edges and constant
// bytes. On difference returns false and describes the first one in `difference`.
bool models_equal(const Model& a, const Model& b, std::string* difference = nullptr);

}  // namespace es::graph

namespace es::graph {

// Makes every output of the layer named `layer_name` a model output too (as OpenVINO's
// add_outputs does), unless it already is one. Throws es::Error (BadInput) if there is no such
// layer.
void add_outputs(Model& model, const std::string& layer_name);

}  // namespace es::graph
