#pragma once

#include "inference/core/shape.h"
#include "inference/core/tensor.h"
#include "inference/graph/attributes.h"

#include <cstdint>
#include <string>
#include <vector>

namespace es::graph {

struct OpDef;
class Node;

// One `<attribute .../>` of an rt_info section: every XML attribute in file order.
struct RtAttribute {
    std::vector<std::pair<std::string, std::string>> fields;
    bool operator==(const RtAttribute&) const = default;
};
using RtInfo = std::vector<RtAttribute>;

struct PortType {
    ElementType type = ElementType::undefined;
    PartialShape shape;
    bool operator==(const PortType&) const = default;
};

// An output port of a node, as seen by its consumers.
struct Output {
    Node* node = nullptr;
    size_t port = 0;
    const PortType& type() const;
    bool operator==(const Output&) const = default;
};

struct InputPort {
    Output source;
    RtInfo rt_info;
};

struct OutputPort {
    PortType type;
    std::vector<std::string> names;  // tensor names
    RtInfo rt_info;
};

// One operation: IR layer id, name, type and opset version, `data` attributes, ports.
struct Node {
    int64_t id = 0;
    std::string name;
    std::string type;
    std::string version;  // "opset1" …
    Attributes attributes;
    RtInfo rt_info;
    std::vector<InputPort> inputs;
    std::vector<OutputPort> outputs;
    Tensor value;  // Const only: its data
    const OpDef* op = nullptr;

    const PortType& input_type(size_t i) const { return inputs.at(i).source.type(); }
    Output output(size_t port = 0) { return {this, port}; }
    // "layer 12 'conv1' (Convolution)", the prefix of every error about this node.
    std::string describe() const;
};

inline const PortType& Output::type() const {
    return node->outputs.at(port).type;
}

}  // namespace es::graph
