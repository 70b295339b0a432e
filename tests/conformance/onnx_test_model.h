#pragma once

// Builds small ONNX models in memory for frontend tests: graph inputs, initializers, nodes with
// attributes, outputs; converts them and runs them on REF.
#include "inference/core/error.h"
#include "inference/frontends/onnx/onnx_frontend.h"
#include "inference/graph/shape_inference.h"
#include "tests/support/inference.h"
#include "tests/support/test_data.h"

#include <onnx/onnx_pb.h>

#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace es::testing {

// The ONNX element type number of `type` (the types these tests use).
inline int32_t onnx_type(ElementType type) {
    switch (type) {
        case ElementType::f32:
            return onnx::TensorProto::FLOAT;
        case ElementType::i64:
            return onnx::TensorProto::INT64;
        case ElementType::i32:
            return onnx::TensorProto::INT32;
        case ElementType::boolean:
            return onnx::TensorProto::BOOL;
        case ElementType::u8:
            return onnx::TensorProto::UINT8;
        default:
            throw_bad_input("no ONNX type for {} in these tests", to_string(type));
    }
}

// Writes `value` into `proto` as raw data.
inline void fill_tensor(onnx::TensorProto& proto, const Tensor& value) {
    proto.set_data_type(onnx_type(value.type()));
    for (int64_t dim : value.shape())
        proto.add_dims(dim);
    proto.set_raw_data(
        std::string(reinterpret_cast<const char*>(value.bytes()), value.byte_size()));
}

// A boolean tensor of `shape` holding `values`.
inline Tensor boolean(Shape shape, std::vector<bool> values) {
    Tensor tensor(ElementType::boolean, std::move(shape));
    for (size_t i = 0; i < values.size(); ++i)
        tensor.data<bool>()[i] = values[i];
    return tensor;
}

// A one-opset ONNX model under construction: graph inputs, initializers, nodes, outputs.
class OnnxModel {
  public:
    explicit OnnxModel(int64_t opset) {
        m_proto.set_ir_version(8);
        auto* import = m_proto.add_opset_import();
        import->set_domain("");
        import->set_version(opset);
        m_proto.mutable_graph()->set_name("test");
    }

    // A graph input; -1 dimensions stay unknown.
    OnnxModel& input(const std::string& name, ElementType type, std::vector<int64_t> shape) {
        auto* input = m_proto.mutable_graph()->add_input();
        input->set_name(name);
        auto* tensor_type = input->mutable_type()->mutable_tensor_type();
        tensor_type->set_elem_type(onnx_type(type));
        auto* dims = tensor_type->mutable_shape();
        for (int64_t dim : shape) {
            auto* entry = dims->add_dim();
            if (dim >= 0)
                entry->set_dim_value(dim);
            else
                entry->set_dim_param("d" + std::to_string(dims->dim_size()));
        }
        return *this;
    }

    // A constant input of the graph.
    OnnxModel& initializer(const std::string& name, const Tensor& value) {
        auto* proto = m_proto.mutable_graph()->add_initializer();
        proto->set_name(name);
        fill_tensor(*proto, value);
        return *this;
    }

    // Appends a node; the caller adds its attributes.
    onnx::NodeProto& node(const std::string& op, std::vector<std::string> inputs,
                          std::vector<std::string> outputs) {
        auto* node = m_proto.mutable_graph()->add_node();
        node->set_op_type(op);
        node->set_name(op + std::to_string(m_proto.graph().node_size()));
        for (const auto& name : inputs)
            node->add_input(name);
        for (const auto& name : outputs)
            node->add_output(name);
        return *node;
    }

    // Marks a tensor as a graph output.
    OnnxModel& output(const std::string& name) {
        m_proto.mutable_graph()->add_output()->set_name(name);
        return *this;
    }

    void write(const std::filesystem::path& path) const {
        std::ofstream file(path, std::ios::binary);
        m_proto.SerializeToOstream(&file);
    }

    // Writes the model to a temporary file and converts it.
    graph::Model convert(const frontends::extensions::ExtensionSet& extensions = {}) const {
        const auto path = temp_dir("onnx-tensor") / "model.onnx";
        write(path);
        return frontends::read_onnx(path, extensions);
    }

    // Converts the model, gives its inputs new `shapes` if any, and runs it on REF with `inputs`
    // in graph-input order.
    std::vector<Tensor> run(const std::vector<Tensor>& inputs,
                            const std::vector<std::pair<std::string, PartialShape>>& shapes = {},
                            const frontends::extensions::ExtensionSet& extensions = {}) const {
        graph::Model model = convert(extensions);
        if (!shapes.empty()) graph::reshape(model, shapes);
        return run_reference(std::move(model), inputs);
    }

  private:
    onnx::ModelProto m_proto;
};

// Node attributes of each ONNX kind.
inline void set_int(onnx::NodeProto& node, const std::string& name, int64_t value) {
    auto* attribute = node.add_attribute();
    attribute->set_name(name);
    attribute->set_type(onnx::AttributeProto::INT);
    attribute->set_i(value);
}

inline void set_ints(onnx::NodeProto& node, const std::string& name,
                     const std::vector<int64_t>& values) {
    auto* attribute = node.add_attribute();
    attribute->set_name(name);
    attribute->set_type(onnx::AttributeProto::INTS);
    for (int64_t value : values)
        attribute->add_ints(value);
}

inline void set_float(onnx::NodeProto& node, const std::string& name, float value) {
    auto* attribute = node.add_attribute();
    attribute->set_name(name);
    attribute->set_type(onnx::AttributeProto::FLOAT);
    attribute->set_f(value);
}

inline void set_string(onnx::NodeProto& node, const std::string& name, const std::string& value) {
    auto* attribute = node.add_attribute();
    attribute->set_name(name);
    attribute->set_type(onnx::AttributeProto::STRING);
    attribute->set_s(value);
}

inline void set_tensor(onnx::NodeProto& node, const std::string& name, const Tensor& value) {
    auto* attribute = node.add_attribute();
    attribute->set_name(name);
    attribute->set_type(onnx::AttributeProto::TENSOR);
    fill_tensor(*attribute->mutable_t(), value);
}

// A model with one f32 input "x" of `shape` and one node `op`(x, extra inputs…) -> "y".
inline OnnxModel unary_model(int64_t opset, const std::string& op, std::vector<int64_t> shape,
                             onnx::NodeProto** node,
                             std::vector<std::pair<std::string, Tensor>> extra = {}) {
    OnnxModel model(opset);
    model.input("x", ElementType::f32, std::move(shape));
    std::vector<std::string> inputs{"x"};
    for (const auto& [name, value] : extra) {
        model.initializer(name, value);
        inputs.push_back(name);
    }
    *node = &model.node(op, inputs, {"y"});
    model.output("y");
    return model;
}

}  // namespace es::testing
