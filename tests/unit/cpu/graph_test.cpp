// Whole graphs on the CPU device: oneDNN and reference steps mixed, dynamic batch, f16 models,
// reshapes and integer tensors.
#include "devices/cpu/cpu_device.h"
#include "devices/cpu/matmul_peak.h"
#include "tests/support/device_testing.h"

#include <algorithm>
#include <cmath>
#include <thread>

using namespace es;
using namespace es::testing;

namespace {

const graph::Attributes k_same_3x3 = {
    {"strides", "1,1"}, {"pads_begin", "1,1"}, {"pads_end", "1,1"}, {"dilations", "1,1"}};

bool has_implementation(const std::vector<runtime::LayerProfile>& profile, bool reference) {
    return std::any_of(profile.begin(), profile.end(), [&](const auto& layer) {
        return (layer.implementation == "ref") == reference &&
               layer.implementation.rfind("fused", 0) != 0;
    });
}

}  // namespace

TEST_CASE("a graph mixing oneDNN primitives and reference kernels") {
    GraphBuilder g;
    auto y = g.op("Convolution", {g.input(PartialShape{1, 4, 9, 7}), g.constant({6, 4, 3, 3})},
                  k_same_3x3);
    y = g.op("Floor", {g.op("Multiply", {y, g.constant({1, 6, 1, 1}, 2.0f, 4.0f)})}, {}, "floor");
    y = g.op("Convolution", {y, g.constant({5, 6, 3, 3})}, k_same_3x3, "conv2");
    const auto k = g.constant(make_tensor<int64_t>({}, {2}));
    const auto top =
        g.op("TopK", {y, k}, {{"axis", "1"}, {"mode", "max"}, {"sort", "value"}}, "top", "opset3");
    g.output(top);
    g.output({top.node, 1});
    g.output(g.op("ReLU", {y}));
    const auto model = g.finish();
    const auto cpu =
        check_against_reference("CPU", model, {random_inputs(*model, 11)}, 1e-4, {.profile = true});
    CHECK(implementation_of(cpu[0].profile, "floor") == "ref");
    CHECK(implementation_of(cpu[0].profile, "top") == "heap");
    CHECK(implementation_of(cpu[0].profile, "conv2") != "ref");
    CHECK(has_implementation(cpu[0].profile, true));
    CHECK(has_implementation(cpu[0].profile, false));
}

TEST_CASE("dynamic batch: one context runs batch 1, 3, then 1 again") {
    GraphBuilder g;
    const auto x = g.input(PartialShape{-1, 3, 8, 8});
    auto y = g.op("Convolution", {x, g.constant({8, 3, 3, 3})}, k_same_3x3);
    y = g.op("ReLU", {g.op("Add", {y, g.constant({1, 8, 1, 1})})});
    g.output(g.op("Reshape", {y, g.constant(make_tensor<int64_t>({2}, {0, -1}))},
                  {{"special_zero", "true"}}));
    const auto model = g.finish();
    std::vector<std::vector<Tensor>> inputs;
    for (int64_t batch : {1, 3, 1})
        inputs.push_back(random_inputs(*model, static_cast<uint32_t>(batch), {{batch, 3, 8, 8}}));
    const auto cpu = check_against_reference("CPU", model, inputs);
    CHECK(cpu[1].outputs[0].shape() == Shape{3, 8 * 8 * 8});
}

TEST_CASE("an f16 model (f16 input, weights and ops) computes in f32") {
    GraphBuilder g;
    const auto x = g.input(PartialShape{1, 3, 6, 6}, ElementType::f16);
    Tensor weights(ElementType::f32, {4, 3, 3, 3});
    for (size_t i = 0; i < weights.size(); ++i)
        weights.data<float>()[i] = static_cast<float>(static_cast<int>(i % 7) - 3) / 8.0f;
    auto y = g.op("Convolution", {x, g.constant(convert(weights, ElementType::f16))}, k_same_3x3);
    g.output(g.op("Sigmoid", {y}));
    const auto model = g.finish();
    const auto cpu = check_against_reference("CPU", model, {random_inputs(*model, 2)});
    CHECK(cpu[0].outputs[0].type() == ElementType::f32);
}

TEST_CASE("f16 weights decompressed by Convert are folded at compile time") {
    GraphBuilder g;
    const auto x = g.input(PartialShape{1, 3, 5, 5});
    const auto weights =
        g.op("Convert",
             {g.constant(
                 convert(make_tensor<float>({2, 3, 1, 1}, {1, 2, 3, 4, 5, 6}), ElementType::f16))},
             {{"destination_type", "f32"}});
    g.output(g.op("Convolution", {x, weights},
                  {{"strides", "1,1"}, {"pads_begin", "0,0"}, {"pads_end", "0,0"}}, "conv"));
    const auto model = g.finish();
    const auto cpu =
        check_against_reference("CPU", model, {random_inputs(*model, 2)}, 1e-4, {.profile = true});
    CHECK(implementation_of(cpu[0].profile, "conv") != "ref");
}

TEST_CASE("inputs passed through, reshaped, and integer outputs") {
    GraphBuilder g;
    const auto x = g.input(PartialShape{2, 3, 4});
    g.output(x);
    g.output(g.op("Reshape", {x, g.constant(make_tensor<int64_t>({2}, {6, 4}))},
                  {{"special_zero", "false"}}));
    const auto indices = g.input(PartialShape{5}, ElementType::i64);
    g.output(g.op("Add", {indices, g.constant(make_tensor<int64_t>({1}, {3}))}));
    g.output(g.op("ShapeOf", {x}, {{"output_type", "i32"}}, "", "opset3"));
    const auto model = g.finish();
    const auto cpu = check_against_reference("CPU", model, {random_inputs(*model, 4)});
    CHECK(cpu[0].outputs[2].type() == ElementType::i64);
    CHECK(cpu[0].outputs[3].type() == ElementType::i32);
}

TEST_CASE("the matmul peak is measured as a positive rate") {
    const double gflops = devices::cpu_matmul_peak_gflops(1);
    CHECK(gflops > 0.0);
    CHECK(std::isfinite(gflops));
}

TEST_CASE("a model output that later steps also read, oneDNN and reference ones") {
    // A plain output (MatMul's) is written straight into the caller's tensor and read there.
    GraphBuilder g;
    const auto y = g.op("MatMul", {g.input(PartialShape{3, 5}), g.constant({5, 4})});
    g.output(y);
    g.output(g.op("Floor", {y}));
    g.output(g.op("Sigmoid", {y}));
    g.output(y);
    const auto model = g.finish();
    check_against_reference("CPU", model, {random_inputs(*model, 8), random_inputs(*model, 9)});
}

TEST_CASE("contexts of one compiled model run in parallel threads") {
    GraphBuilder g;
    auto y = g.op("Convolution", {g.input(PartialShape{1, 8, 12, 10}), g.constant({16, 8, 3, 3})},
                  k_same_3x3);
    y = g.op("MaxPool", {g.op("ReLU", {y})},
             {{"kernel", "2,2"}, {"strides", "2,2"}, {"pads_begin", "0,0"}, {"pads_end", "0,0"}});
    g.output(g.op("Convolution", {y, g.constant({4, 16, 3, 3})}, k_same_3x3));
    const auto model = g.finish();
    const std::vector<Tensor> inputs[] = {random_inputs(*model, 1), random_inputs(*model, 2)};
    const auto expected_0 = run_on("REF", model, {inputs[0]})[0].outputs[0].to_doubles();
    const auto expected_1 = run_on("REF", model, {inputs[1]})[0].outputs[0].to_doubles();

    const auto executable = devices::CpuDevice().compile(model, {});
    std::vector<Tensor> results[2];
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t)
        threads.emplace_back([&, t] {
            const auto context = executable->create_context();
            for (int run = 0; run < 20; ++run)
                context->run(inputs[t], results[t]);
        });
    for (auto& thread : threads)
        thread.join();
    for (int t = 0; t < 2; ++t) {
        const auto actual = results[t][0].to_doubles();
        const auto& expected = t == 0 ? expected_0 : expected_1;
        REQUIRE(actual.size() == expected.size());
        double worst = 0;
        for (size_t i = 0; i < actual.size(); ++i)
            worst = std::max(worst, std::abs(actual[i] - expected[i]));
        CHECK(worst <= 1e-4);
    }
}
