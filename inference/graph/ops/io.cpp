#include "inference/graph/ops/families.h"
#include "inference/graph/ops/op_util.h"

namespace es::graph::ops {
namespace {

std::vector<PortType> infer_parameter(const InferContext& context) {
    const Attributes& attributes = context.attributes();
    const ElementType type = attributes.get_element_type("element_type");
    const auto shape = parse_partial_shape(attributes.get_string("shape"));
    if (!shape)
        throw_bad_input("attribute 'shape': cannot parse '{}'", attributes.get_string("shape"));
    return {{type, *shape}};
}

void evaluate_parameter(const Node& node, std::span<const Tensor>, std::vector<Tensor>&) {
    throw_runtime("{} has no value: Parameters are fed by the caller", node.name);
}

std::vector<PortType> infer_const(const InferContext& context) {
    const Tensor& value = context.node.value;
    if (value.empty()) throw_bad_input("Const has no data");
    return {{value.type(), PartialShape(value.shape())}};
}

void evaluate_const(const Node& node, std::span<const Tensor>, std::vector<Tensor>& outputs) {
    outputs[0] = node.value;
}

// A Result has no output port: it marks its input as a model output.
std::vector<PortType> infer_result(const InferContext&) {
    return {};
}

void evaluate_result(const Node&, std::span<const Tensor>, std::vector<Tensor>&) {}

std::vector<PortType> infer_convert(const InferContext& context) {
    return {{context.attributes().get_element_type("destination_type"), context.input(0).shape}};
}

void evaluate_convert(const Node&, std::span<const Tensor> inputs, std::vector<Tensor>& outputs) {
    outputs[0] = convert(inputs[0], outputs[0].type());
}

}  // namespace

void add_io_ops(std::vector<OpDef>& ops) {
    ops.push_back({"Parameter", 1, 0, 0, infer_parameter, evaluate_parameter});
    ops.push_back({"Const", 1, 0, 0, infer_const, evaluate_const});
    ops.push_back({"Result", 1, 1, 1, infer_result, evaluate_result});
    ops.push_back({"Convert", 1, 1, 1, infer_convert, evaluate_convert});
}

}  // namespace es::graph::ops
