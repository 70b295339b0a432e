#pragma once

#include "inference/frontends/common/extension.h"
#include "inference/frontends/common/graph_builder.h"
#include "inference/frontends/tf/proto/node_def.pb.h"
#include "inference/graph/model.h"

#include <optional>
#include <string>
#include <vector>

namespace es::frontends::tf_import {

// What an op translator sees of one TensorFlow node: its data inputs as graph outputs, its
// attributes, a value bound to it by name (a TF.js weight, a SavedModel variable), and the model
// to add IR nodes to.
class NodeContext {
  public:
    // `base_name` names the IR nodes added: the node's name, suffixed in unrolled loops.
    NodeContext(const tensorflow::NodeDef& proto, graph::Model& model,
                std::vector<graph::Output> inputs, const Tensor* bound_value,
                const std::string& base_name);

    const tensorflow::NodeDef& proto() const { return m_proto; }
    const std::string& op_type() const { return m_proto.op(); }
    const std::string& name() const { return m_proto.name(); }

    size_t input_count() const { return m_inputs.size(); }
    // Throws es::Error (BadInput) naming the node when the node has fewer inputs.
    graph::Output input(size_t i) const;
    const graph::PortType& input_type(size_t i) const { return input(i).type(); }
    // The value of input i when it is constant (a Const, or a subgraph folded while translating).
    const Tensor* constant_input(size_t i) const;
    // The integer values of input i, which must be constant; `what` names it in the error.
    std::vector<int64_t> constant_ints(size_t i, const char* what) const;
    // The rank of input i, which must be known.
    size_t static_rank(size_t i, const char* what) const;

    // The value bound to this node's name, if any.
    const Tensor* bound_value() const { return m_bound_value; }

    bool has_attribute(const std::string& name) const { return find(name) != nullptr; }
    int64_t attribute_int(const std::string& name, int64_t fallback) const;
    float attribute_float(const std::string& name, float fallback) const;
    bool attribute_bool(const std::string& name, bool fallback) const;
    std::string attribute_string(const std::string& name, const std::string& fallback) const;
    std::vector<int64_t> attribute_ints(const std::string& name,
                                        std::vector<int64_t> fallback = {}) const;
    std::vector<std::string> attribute_strings(const std::string& name) const;
    // A DataType attribute as ElementType; fails for types edgesight does not hold.
    ElementType attribute_type(const std::string& name, ElementType fallback) const;
    PartialShape attribute_shape(const std::string& name) const;
    Tensor attribute_tensor(const std::string& name) const;
    // Any attribute as an extension mapping reads it; nullopt when the node lacks it.
    std::optional<extensions::AttributeValue> attribute_value(const std::string& name) const;
    // The node as an extension mapping sees it.
    extensions::SourceNode source_node() const;

    // Adds an IR node named after this TF node (suffixed when one TF node becomes several) and
    // infers its output types at once. A node whose inputs are all constant is folded into a
    // Const, so shape subgraphs (Shape → StridedSlice → Pack) stay constant for later
    // translators; the returned node is then that Const.
    graph::Node& add(const std::string& type, const std::string& version,
                     std::vector<graph::Output> inputs, graph::Attributes attributes = {});
    graph::Output constant(const Tensor& value) { return m_builder.node_constant(value); }
    template <typename T>
    graph::Output constant(Shape shape, std::initializer_list<T> values) {
        return constant(make_tensor<T>(std::move(shape), values));
    }
    graph::Output i64_constant(const std::vector<int64_t>& values);
    // A Parameter named after this node.
    graph::Output parameter(ElementType type, PartialShape shape);
    GraphBuilder& builder() { return m_builder; }

    // "node 'conv1' (Conv2D)", for error messages.
    std::string describe() const;
    [[noreturn]] void fail(const std::string& message) const;

  private:
    const tensorflow::AttrValue* find(const std::string& name) const;

    const tensorflow::NodeDef& m_proto;
    std::vector<graph::Output> m_inputs;
    const Tensor* m_bound_value;
    GraphBuilder m_builder;
};

// "1,2,3", for IR list attributes.
std::string join(const std::vector<int64_t>& values);

}  // namespace es::frontends::tf_import
