#include "tests/support/op_testing.h"

#include "inference/graph/evaluate.h"
#include "inference/graph/shape_inference.h"

#include <cmath>
#include <numeric>

namespace es::testing {

std::vector<Tensor> run_op(const std::string& type, const std::string& version,
                           const std::vector<Tensor>& inputs, const graph::Attributes& attributes,
                           std::vector<graph::PortType>* inferred) {
    graph::Model model;
    std::vector<graph::Output> sources;
    for (const auto& input : inputs)
        sources.push_back(model.add_constant(input));
    graph::Node& node = model.add_op(type, version, sources, attributes, "op");
    graph::infer_shapes(model);
    for (size_t i = 0; i < node.outputs.size(); ++i)
        model.add_result(node.output(i));
    if (inferred) {
        inferred->clear();
        for (const auto& output : node.outputs)
            inferred->push_back(output.type);
    }
    return graph::evaluate_node(node, inputs);
}

std::vector<graph::PortType> infer_op(const std::string& type, const std::string& version,
                                      const std::vector<graph::PortType>& inputs,
                                      const graph::Attributes& attributes,
                                      const std::vector<Tensor>& values) {
    graph::Model model;
    std::vector<graph::Output> sources;
    for (size_t i = 0; i < inputs.size(); ++i) {
        if (i < values.size() && !values[i].empty())
            sources.push_back(model.add_constant(values[i]));
        else
            sources.push_back(
                model.add_parameter("input" + std::to_string(i), inputs[i].type, inputs[i].shape));
    }
    graph::Node& node = model.add_op(type, version, sources, attributes, "op");
    graph::infer_shapes(model);
    std::vector<graph::PortType> outputs;
    for (const auto& output : node.outputs)
        outputs.push_back(output.type);
    return outputs;
}

Tensor f32(Shape shape, std::vector<float> values) {
    Tensor tensor(ElementType::f32, std::move(shape));
    REQUIRE(tensor.size() == values.size());
    std::copy(values.begin(), values.end(), tensor.data<float>());
    return tensor;
}

Tensor i64(Shape shape, std::vector<int64_t> values) {
    Tensor tensor(ElementType::i64, std::move(shape));
    REQUIRE(tensor.size() == values.size());
    std::copy(values.begin(), values.end(), tensor.data<int64_t>());
    return tensor;
}

Tensor i32(Shape shape, std::vector<int32_t> values) {
    Tensor tensor(ElementType::i32, std::move(shape));
    REQUIRE(tensor.size() == values.size());
    std::copy(values.begin(), values.end(), tensor.data<int32_t>());
    return tensor;
}

std::shared_ptr<graph::Model> small_model() {
    auto model = std::make_shared<graph::Model>();
    model->name = "small";
    const graph::Output x = model->add_parameter("x", ElementType::f32, PartialShape{-1, 2});
    const graph::Output sum =
        model->add_op("Add", "opset1", {x, model->add_constant(f32({1}, {1}))}).output();
    model->add_op("ReLU", "opset1", {sum}, {}, "y");
    model->add_result(model->find("y")->output(), "y/sink_port_0");
    graph::infer_shapes(*model);
    return model;
}

Tensor iota_f32(Shape shape, float scale) {
    Tensor tensor(ElementType::f32, std::move(shape));
    float* data = tensor.data<float>();
    for (size_t i = 0; i < tensor.size(); ++i)
        data[i] = static_cast<float>(i) * scale;
    return tensor;
}

void check_close(const Tensor& actual, const Shape& expected_shape,
                 const std::vector<float>& expected, float tolerance) {
    REQUIRE(actual.shape() == expected_shape);
    REQUIRE(actual.size() == expected.size());
    const auto values = actual.to_doubles();
    for (size_t i = 0; i < expected.size(); ++i) {
        const bool both_nan = std::isnan(values[i]) && std::isnan(expected[i]);
        if (!both_nan && !(std::abs(values[i] - expected[i]) <= tolerance)) {
            FAIL_CHECK("element " << i << ": got " << values[i] << ", expected " << expected[i]);
            return;
        }
    }
}

void check_equal(const Tensor& actual, const Shape& expected_shape,
                 const std::vector<int64_t>& expected) {
    REQUIRE(actual.shape() == expected_shape);
    CHECK(actual.to_int64s() == expected);
}

}  // namespace es::testing
