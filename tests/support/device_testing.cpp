#include "tests/support/device_testing.h"

#include "devices/registry.h"
#include "inference/graph/shape_inference.h"

#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace es::testing {
namespace {

float next_uniform(uint32_t& state, float low, float high) {
    state = state * 1664525u + 1013904223u;
    const float unit = static_cast<float>(state >> 8) / static_cast<float>(1u << 24);
    return low + (high - low) * unit;
}

Tensor random_tensor(const Shape& shape, uint32_t& state, float low, float high) {
    Tensor tensor(ElementType::f32, shape);
    float* data = tensor.data<float>();
    for (size_t i = 0; i < tensor.size(); ++i)
        data[i] = next_uniform(state, low, high);
    return tensor;
}

// The registry, made once, with the GPU device reached through PoCL (an OpenCL device of CPU
// type) where the machine has no GPU.
const std::vector<std::unique_ptr<runtime::Device>>& registry() {
    static const auto devices = [] {
        setenv("EDGESIGHT_OPENCL_CPU", "1", 0);
        return devices::make_registry();
    }();
    return devices;
}

const runtime::Device& device_named(const std::string& name) {
    for (const auto& device : registry())
        if (device->name() == name) return *device;
    FAIL("no device ", name, " in the registry");
    throw std::logic_error("unreachable");
}

}  // namespace

GraphBuilder::GraphBuilder(uint32_t seed) : m_state(seed) {}

graph::Output GraphBuilder::input(PartialShape shape, ElementType type) {
    const std::string name = "input" + std::to_string(m_model->parameters().size());
    return m_model->add_parameter(name, type, std::move(shape));
}

graph::Output GraphBuilder::constant(const Shape& shape, float low, float high) {
    return m_model->add_constant(random_tensor(shape, m_state, low, high));
}

graph::Output GraphBuilder::constant(const Tensor& value) {
    return m_model->add_constant(value);
}

graph::Output GraphBuilder::op(const std::string& type, std::vector<graph::Output> inputs,
                               graph::Attributes attributes, const std::string& name,
                               const std::string& version) {
    graph::Node& node =
        m_model->add_op(type, version, std::move(inputs), std::move(attributes), name);
    graph::infer_node(node);
    return node.output();
}

void GraphBuilder::output(const graph::Output& source) {
    m_model->add_result(source);
}

std::shared_ptr<graph::Model> GraphBuilder::finish() {
    graph::infer_shapes(*m_model);
    return m_model;
}

std::vector<Tensor> random_inputs(const graph::Model& model, uint32_t seed,
                                  const std::vector<Shape>& shapes) {
    uint32_t state = seed;
    std::vector<Tensor> inputs;
    const auto parameters = model.parameters();
    for (size_t i = 0; i < parameters.size(); ++i) {
        const Shape shape =
            i < shapes.size() ? shapes[i] : parameters[i]->outputs[0].type.shape.to_shape();
        inputs.push_back(random_tensor(shape, state, -2.0f, 2.0f));
        const ElementType type = parameters[i]->outputs[0].type.type;
        if (type != ElementType::f32) inputs.back() = convert(inputs.back(), type);
    }
    return inputs;
}

std::vector<std::string> devices_under_test() {
    std::vector<std::string> names;
    for (const auto& device : registry())
        if (device->name() != "AUTO" && device->name() != "REF") names.push_back(device->name());
    return names;
}

std::vector<DeviceRun> run_on(const std::string& device, std::shared_ptr<const graph::Model> model,
                              const std::vector<std::vector<Tensor>>& inputs,
                              const runtime::CompileOptions& options) {
    const auto executable = device_named(device).compile(std::move(model), options);
    const auto context = executable->create_context();
    std::vector<DeviceRun> runs;
    for (const auto& input : inputs) {
        DeviceRun run;
        context->run(input, run.outputs);
        run.profile = context->layer_profile();
        runs.push_back(std::move(run));
    }
    return runs;
}

std::vector<DeviceRun> check_against_reference(const std::string& device,
                                               std::shared_ptr<const graph::Model> model,
                                               const std::vector<std::vector<Tensor>>& inputs,
                                               double tolerance,
                                               const runtime::CompileOptions& options) {
    const auto tested = run_on(device, model, inputs, options);
    const auto ref = run_on("REF", model, inputs);
    for (size_t r = 0; r < inputs.size(); ++r) {
        CAPTURE(r);
        REQUIRE(tested[r].outputs.size() == ref[r].outputs.size());
        for (size_t i = 0; i < ref[r].outputs.size(); ++i) {
            CAPTURE(i);
            const Tensor& actual = tested[r].outputs[i];
            const Tensor& expected = ref[r].outputs[i];
            REQUIRE(actual.shape() == expected.shape());
            CHECK(actual.type() == expected.type());
            const auto x = actual.to_doubles();
            const auto y = expected.to_doubles();
            double range = 1.0, worst = 0.0;
            size_t worst_at = 0;
            for (size_t j = 0; j < y.size(); ++j) {
                if (std::isfinite(y[j])) range = std::max(range, std::abs(y[j]));
                const bool same_special = (std::isnan(x[j]) && std::isnan(y[j])) || x[j] == y[j];
                const double error = same_special ? 0.0 : std::abs(x[j] - y[j]);
                if (!(error <= worst)) {
                    worst = std::isnan(error) ? INFINITY : error;
                    worst_at = j;
                }
            }
            INFO("worst at element ", worst_at, ": ", device, " ", x.empty() ? 0.0 : x[worst_at],
                 " ref ", y.empty() ? 0.0 : y[worst_at]);
            CHECK(worst <= tolerance * range);
        }
    }
    return tested;
}

std::vector<std::string> fused_into(const std::vector<runtime::LayerProfile>& profile,
                                    const std::string& into) {
    std::vector<std::string> names;
    for (const auto& layer : profile)
        if (layer.implementation == "fused into " + into) names.push_back(layer.name);
    return names;
}

std::string implementation_of(const std::vector<runtime::LayerProfile>& profile,
                              const std::string& name) {
    for (const auto& layer : profile)
        if (layer.name == name) return layer.implementation;
    return "";
}

}  // namespace es::testing
