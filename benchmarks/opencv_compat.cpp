#include "benchmarks/opencv_compat.h"

#include <fmt/format.h>
#include <onnx/onnx_pb.h>

#include <fstream>
#include <optional>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

namespace es::benchmarks {
namespace {

// The single float value of a scalar initializer or Constant output, if `name` is one.
class Constants {
  public:
    explicit Constants(const onnx::GraphProto& graph) {
        for (const onnx::TensorProto& tensor : graph.initializer())
            m_tensors.emplace(tensor.name(), &tensor);
        for (const onnx::NodeProto& node : graph.node()) {
            if (node.op_type() != "Constant" || node.output_size() != 1) continue;
            for (const onnx::AttributeProto& attribute : node.attribute())
                if (attribute.name() == "value" && attribute.has_t())
                    m_tensors.emplace(node.output(0), &attribute.t());
        }
    }

    std::optional<float> scalar(const std::string& name) const {
        const auto found = m_tensors.find(name);
        if (found == m_tensors.end()) return std::nullopt;
        const onnx::TensorProto& tensor = *found->second;
        int64_t count = 1;
        for (int64_t dim : tensor.dims())
            count *= dim;
        if (count != 1 || tensor.data_type() != onnx::TensorProto::FLOAT) return std::nullopt;
        if (tensor.float_data_size() == 1) return tensor.float_data(0);
        if (tensor.raw_data().size() != sizeof(float)) return std::nullopt;
        float value = 0;
        tensor.raw_data().copy(reinterpret_cast<char*>(&value), sizeof(float));
        return value;
    }

  private:
    std::unordered_map<std::string, const onnx::TensorProto*> m_tensors;
};

bool move_clip_bounds(onnx::NodeProto& node, const Constants& constants) {
    if (node.op_type() != "Clip" || node.input_size() < 2) return false;
    std::optional<float> bounds[2];
    for (int i = 1; i < node.input_size(); ++i) {
        if (node.input(i).empty()) continue;
        bounds[i - 1] = constants.scalar(node.input(i));
        if (!bounds[i - 1]) return false;
    }
    const char* names[2] = {"min", "max"};
    for (int i = 0; i < 2; ++i) {
        if (!bounds[i]) continue;
        onnx::AttributeProto* attribute = node.add_attribute();
        attribute->set_name(names[i]);
        attribute->set_type(onnx::AttributeProto::FLOAT);
        attribute->set_f(*bounds[i]);
    }
    node.mutable_input()->DeleteSubrange(1, node.input_size() - 1);
    return true;
}

int remove_constant_identities(onnx::GraphProto& graph) {
    std::unordered_set<std::string> initializers;
    for (const onnx::TensorProto& tensor : graph.initializer())
        initializers.insert(tensor.name());
    std::unordered_set<std::string> graph_outputs;
    for (const onnx::ValueInfoProto& output : graph.output())
        graph_outputs.insert(output.name());
    std::unordered_map<std::string, std::string> replaced;
    google::protobuf::RepeatedPtrField<onnx::NodeProto> kept;
    for (onnx::NodeProto& node : *graph.mutable_node()) {
        if (node.op_type() == "Identity" && node.input_size() == 1 && node.output_size() == 1 &&
            !graph_outputs.contains(node.output(0)) && initializers.contains(node.input(0))) {
            replaced.emplace(node.output(0), node.input(0));
            continue;
        }
        kept.Add()->Swap(&node);
    }
    for (onnx::NodeProto& node : kept)
        for (std::string& input : *node.mutable_input())
            if (const auto found = replaced.find(input); found != replaced.end())
                input = found->second;
    graph.mutable_node()->Swap(&kept);
    return static_cast<int>(replaced.size());
}

}  // namespace

OpenCvCompatModel rewrite_for_opencv(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw std::runtime_error(fmt::format("{}: cannot open", path));
    onnx::ModelProto model;
    if (!model.ParseFromIstream(&file))
        throw std::runtime_error(fmt::format("{}: not a valid ONNX model", path));

    OpenCvCompatModel result;
    onnx::GraphProto& graph = *model.mutable_graph();
    const Constants constants(graph);
    for (onnx::NodeProto& node : *graph.mutable_node())
        if (move_clip_bounds(node, constants)) ++result.clip_bounds;
    result.identities = remove_constant_identities(graph);
    if (!model.SerializeToString(&result.bytes))
        throw std::runtime_error(fmt::format("{}: cannot serialize the rewritten model", path));
    return result;
}

}  // namespace es::benchmarks
