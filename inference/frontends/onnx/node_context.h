#pragma once

#include "inference/frontends/common/extension.h"
#include "inference/frontends/common/graph_builder.h"
#include "inference/graph/model.h"

#include <onnx/onnx_pb.h>

#include <optional>
#include <string>
#include <vector>

namespace es::frontends::onnx_import {

// What an op translator sees of one ONNX node: its inputs as graph outputs, its attributes,
// the opset, and the model to add IR nodes to.
class NodeContext {
  public:
    NodeContext(const onnx::NodeProto& proto, graph::Model& model, int64_t opset,
                std::vector<std::optional<graph::Output>> inputs);

    const onnx::NodeProto& proto() const { return m_proto; }
    int64_t opset() const { return m_opset; }
    const std::string& op_type() const { return m_proto.op_type(); }

    size_t input_count() const { return m_inputs.size(); }
    // Optional inputs may be absent (empty name in ONNX).
    bool has_input(size_t i) const { return i < m_inputs.size() && m_inputs[i].has_value(); }
    // Throws es::Error (BadInput) naming the node when the input is absent.
    graph::Output input(size_t i) const;
    const graph::PortType& input_type(size_t i) const { return input(i).type(); }
    // The value of input i when it is a constant (an initializer or a folded Constant).
    const Tensor* constant_input(size_t i) const;

    bool has_attribute(const std::string& name) const { return find(name) != nullptr; }
    int64_t attribute_int(const std::string& name, int64_t fallback) const;
    float attribute_float(const std::string& name, float fallback) const;
    std::string attribute_string(const std::string& name, const std::string& fallback) const;
    std::vector<int64_t> attribute_ints(const std::string& name,
                                        std::vector<int64_t> fallback = {}) const;
    std::vector<float> attribute_floats(const std::string& name,
                                        std::vector<float> fallback = {}) const;
    Tensor attribute_tensor(const std::string& name) const;
    // Any attribute as an extension mapping reads it; nullopt when the node lacks it.
    std::optional<extensions::AttributeValue> attribute_value(const std::string& name) const;
    // The node as an extension mapping sees it.
    extensions::SourceNode source_node() const;

    // Adds an IR node named after this ONNX node (suffixed when one ONNX node becomes several)
    // and infers its output types at once, so later translators see ranks and shapes.
    graph::Node& add(const std::string& type, const std::string& version,
                     std::vector<graph::Output> inputs, graph::Attributes attributes = {});
    graph::Output constant(const Tensor& value) { return m_builder.constant(value); }
    GraphBuilder& builder() { return m_builder; }
    template <typename T>
    graph::Output constant(Shape shape, std::initializer_list<T> values) {
        return constant(make_tensor<T>(std::move(shape), values));
    }

    // "node 'conv1' (Conv)", for error messages.
    std::string describe() const;
    [[noreturn]] void fail(const std::string& message) const;

  private:
    const onnx::AttributeProto* find(const std::string& name) const;

    const onnx::NodeProto& m_proto;
    int64_t m_opset;
    std::vector<std::optional<graph::Output>> m_inputs;
    GraphBuilder m_builder;
};

// Converts an onnx.TensorProto (raw_data or typed fields) to a Tensor.
Tensor tensor_from_proto(const onnx::TensorProto& proto, const std::string& where);
// ONNX element type number to ElementType; nullopt for types edgesight does not hold.
std::optional<ElementType> element_type_from_onnx(int32_t type);

}  // namespace es::frontends::onnx_import
