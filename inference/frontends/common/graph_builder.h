#pragma once

#include "inference/graph/model.h"

#include <string>
#include <string_view>
#include <vector>

namespace es::frontends {

// Adds the IR nodes that translate one framework node to the model. The first op takes the
// framework node's name, other nodes "name/Type_n". Errors (es::Error) carry no context: the
// caller names the framework node.
class GraphBuilder {
  public:
    // `fold_constants`: a node whose inputs are all constant is evaluated into a Const at once,
    // so that shape subgraphs stay constant for later translators.
    GraphBuilder(graph::Model& model, std::string base_name, bool fold_constants);

    // Adds an op and infers its output types; returns the Const instead when it was folded.
    graph::Node& add(const std::string& type, const std::string& version,
                     std::vector<graph::Output> inputs, graph::Attributes attributes = {});
    // A constant that is the framework node's value (a TensorFlow Const): named like an op.
    graph::Output node_constant(const Tensor& value);
    // A constant an op uses: "name/Const_n", leaving the name to the op.
    graph::Output constant(const Tensor& value);

    graph::Model& model() { return m_model; }
    const std::string& base_name() const { return m_base_name; }

  private:
    std::string next_name(std::string_view type);

    graph::Model& m_model;
    std::string m_base_name;
    bool m_fold_constants;
    bool m_base_name_taken = false;
    size_t m_added = 0;
};

}  // namespace es::frontends
