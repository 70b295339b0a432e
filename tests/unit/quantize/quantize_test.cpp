#include "devices/cpu/dnnl_util.h"
#include "devices/registry.h"
#include "inference/core/error.h"
#include "inference/graph/shape_inference.h"
#include "inference/ir/ir.h"
#include "inference/quantize/accuracy_control.h"
#include "inference/quantize/agreement.h"
#include "inference/quantize/layer_timing.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <set>

using namespace es;
using namespace es::quantize;

namespace {

const runtime::Core& cpu_core() {
    static const runtime::Core core(devices::make_registry());
    return core;
}

// A Convolution, or a GroupConvolution for weights of rank 5; kernels of 3 padded by 1.
graph::Output convolution(graph::Model& model, graph::Output input, const Tensor& weights,
                          const std::string& name) {
    const std::string pad = weights.shape().back() == 3 ? "1,1" : "0,0";
    return model
        .add_op(weights.rank() == 5 ? "GroupConvolution" : "Convolution", "opset1",
                {input, model.add_constant(weights, name + "/weights")},
                {{"strides", "1,1"},
                 {"pads_begin", pad},
                 {"pads_end", pad},
                 {"dilations", "1,1"},
                 {"auto_pad", "explicit"}},
                name)
        .output();
}

Tensor random_tensor(Shape shape, std::mt19937& random, float low, float high) {
    Tensor tensor(ElementType::f32, std::move(shape));
    std::uniform_real_distribution<float> uniform(low, high);
    for (size_t i = 0; i < tensor.size(); ++i)
        tensor.data<float>()[i] = uniform(random);
    return tensor;
}

// x [1,3,16,16] → conv1 3x3 → ReLU → conv2 1x1 → ReLU → head 1x1 → Result
graph::Model chain_model() {
    std::mt19937 random(7);
    graph::Model model;
    model.name = "chain";
    graph::Output x = model.add_parameter("x", ElementType::f32, PartialShape{1, 3, 16, 16});
    x = convolution(model, x, random_tensor({8, 3, 3, 3}, random, -0.5f, 0.5f), "conv1");
    x = model.add_op("ReLU", "opset1", {x}, {}, "relu1").output();
    x = convolution(model, x, random_tensor({8, 8, 1, 1}, random, -0.5f, 0.5f), "conv2");
    x = model.add_op("ReLU", "opset1", {x}, {}, "relu2").output();
    x = convolution(model, x, random_tensor({4, 8, 1, 1}, random, -0.5f, 0.5f), "head");
    model.add_result(x, "y");
    graph::infer_shapes(model);
    return model;
}

std::vector<Sample> random_samples(size_t count, Shape shape, unsigned seed) {
    std::mt19937 random(seed);
    std::vector<Sample> samples;
    for (size_t i = 0; i < count; ++i)
        samples.push_back({random_tensor(shape, random, 0.0f, 1.0f)});
    return samples;
}

FrameOutputs run_on_cpu(const graph::Model& model, const std::vector<Sample>& samples) {
    const auto compiled = cpu_core().compile(std::make_shared<graph::Model>(model.clone()), "CPU");
    return run_samples(compiled, samples);
}

const Layer& find(const std::vector<Layer>& layers, const std::string& name) {
    for (const Layer& layer : layers)
        if (layer.name == name) return layer;
    FAIL("no layer " << name);
    return layers.front();
}

float scalar_input(const graph::Node& node, size_t index) {
    return node.inputs.at(index).source.node->value.data<float>()[0];
}

}  // namespace

TEST_CASE("grid_range holds 0.0 on one of its levels and widens ranges to reach it") {
    for (const Range range :
         {Range{-1.0f, 3.0f}, Range{-0.37f, 0.11f}, Range{0.5f, 2.0f}, Range{-5.0f, -1.0f}}) {
        const auto grid = grid_range(range, 256);
        REQUIRE(grid);
        const float step = (grid->high - grid->low) / 255;
        CHECK(grid->low <= std::min(range.low, 0.0f) + 1e-6f);
        CHECK(grid->high >= std::max(range.high, 0.0f) - step);
        const float zero_level = -grid->low / step;
        CHECK(std::abs(zero_level - std::nearbyint(zero_level)) < 1e-3f);
    }
    CHECK(grid_range({0.5f, 2.0f}, 256)->low == 0.0f);
    CHECK(grid_range({-5.0f, -1.0f}, 256)->high == doctest::Approx(0.0f).epsilon(1e-6));
    CHECK_FALSE(grid_range({0.0f, 0.0f}, 256));
}

TEST_CASE("RangeStatistic: min-max keeps the extremes, percentile ignores rare outliers") {
    Tensor first(ElementType::f32, {20000});
    Tensor second(ElementType::f32, {20000});
    for (size_t i = 0; i < first.size(); ++i) {
        first.data<float>()[i] = static_cast<float>(i % 100) / 100.0f;   // 0 .. 0.99
        second.data<float>()[i] = -static_cast<float>(i % 50) / 100.0f;  // -0.49 .. 0
    }
    first.data<float>()[123] = 50.0f;
    RangeStatistic min_max(RangeMethod::min_max);
    min_max.add(first);
    min_max.add(second);
    CHECK(min_max.range().low == doctest::Approx(-0.49f));
    CHECK(min_max.range().high == 50.0f);
    RangeStatistic percentile(RangeMethod::percentile);
    percentile.add(first);
    CHECK(percentile.range().high == doctest::Approx(0.99f));
    CHECK(percentile.range().low == doctest::Approx(0.0f));
    CHECK_THROWS_AS(RangeStatistic(RangeMethod::min_max).range(), es::Error);
}

TEST_CASE(
    "find_layers leaves the ignored scope float and, with mixed, the head and the first "
    "layer") {
    const graph::Model model = chain_model();
    auto layers = find_layers(model, {});
    REQUIRE(layers.size() == 3);
    CHECK(find(layers, "conv1").quantized());
    CHECK(find(layers, "conv2").quantized());
    CHECK(find(layers, "head").quantized());
    layers = find_layers(model, {.preset = Preset::performance, .ignored_scope = {"conv2"}});
    CHECK(find(layers, "conv2").float_reason == "ignored scope");
    layers = find_layers(model, {.preset = Preset::performance, .ignored_scope = {"Convolution"}});
    CHECK_FALSE(find(layers, "conv1").quantized());
    layers = find_layers(model, {.preset = Preset::mixed, .ignored_scope = {}});
    CHECK_FALSE(find(layers, "conv1").quantized());
    CHECK(find(layers, "conv2").quantized());
    CHECK(find(layers, "head").float_reason == "head (mixed preset)");
}

TEST_CASE(
    "quantize_model: FakeQuantize on the grid of the calibrated range, i8 weights per "
    "channel, outputs close to float, int8 kernels on the CPU") {
    const graph::Model model = chain_model();
    auto layers = find_layers(model, {});
    const auto samples = random_samples(8, {1, 3, 16, 16}, 1);
    const Calibration calibration =
        calibrate(cpu_core(), model, layers, samples, RangeMethod::min_max);
    REQUIRE(calibration.ranges.size() == 3);
    CHECK(calibration.ranges.at("conv1").low >= 0.0f);
    CHECK(calibration.ranges.at("conv1").high <= 1.0f);
    CHECK(calibration.ranges.at("conv1").high > 0.9f);
    CHECK(calibration.ranges.at("conv2").low == 0.0f);  // after ReLU

    const graph::Model quantized = quantize_model(model, layers, calibration);
    for (const std::string name : {"conv1", "conv2", "head"}) {
        const graph::Node& node = *quantized.find(name);
        const graph::Node& fake_quantize = *node.inputs[0].source.node;
        REQUIRE(fake_quantize.type == "FakeQuantize");
        CHECK(fake_quantize.attributes.get_int("levels") == 256);
        const auto grid = grid_range(calibration.ranges.at(name), 256);
        CHECK(scalar_input(fake_quantize, 1) == grid->low);
        CHECK(scalar_input(fake_quantize, 2) == grid->high);
        const graph::Node& multiply = *node.inputs[1].source.node;
        REQUIRE(multiply.type == "Multiply");
        const graph::Node& convert = *multiply.inputs[0].source.node;
        REQUIRE(convert.type == "Convert");
        const Tensor& integers = convert.inputs[0].source.node->value;
        REQUIRE(integers.type() == ElementType::i8);
        const Tensor& scales = multiply.inputs[1].source.node->value;
        CHECK(scales.shape() == Shape{integers.shape()[0], 1, 1, 1});
        // Each output channel uses the full range: its largest weight is ±127.
        const size_t row = integers.size() / static_cast<size_t>(integers.shape()[0]);
        for (size_t c = 0; c < static_cast<size_t>(integers.shape()[0]); ++c) {
            int largest = 0;
            for (size_t k = 0; k < row; ++k)
                largest = std::max(largest, std::abs(int{integers.data<int8_t>()[c * row + k]}));
            CHECK(largest == 127);
        }
    }

    const auto held_out = random_samples(4, {1, 3, 16, 16}, 2);
    CHECK(cosine_agreement(run_on_cpu(model, held_out), run_on_cpu(quantized, held_out)) > 0.999);
    CHECK(signal_to_noise_db(run_on_cpu(model, held_out), run_on_cpu(quantized, held_out)) > 25);

    if (devices::cpu::has_int8_dot_product()) {
        const auto compiled = cpu_core().compile(std::make_shared<graph::Model>(quantized.clone()),
                                                 "CPU", {.profile = true});
        runtime::InferRequest request = compiled.create_infer_request();
        request.set_input(0, held_out[0][0]);
        request.infer();
        std::set<std::string> int8;
        for (const auto& layer : request.layer_profile())
            if (layer.implementation.ends_with(" u8") || layer.implementation.ends_with(" s8"))
                int8.insert(layer.name);
        CHECK(int8 == std::set<std::string>{"conv1", "conv2", "head"});
    }
}

TEST_CASE("a quantized model is written as IR of standard ops and reads back identically") {
    const graph::Model model = chain_model();
    auto layers = find_layers(model, {});
    const Calibration calibration = calibrate(
        cpu_core(), model, layers, random_samples(4, {1, 3, 16, 16}, 3), RangeMethod::min_max);
    const graph::Model quantized = quantize_model(model, layers, calibration);
    const auto path = testing::temp_dir("quantize_ir") / "chain-int8.xml";
    ir::write_model(quantized, path);
    const graph::Model read = ir::read_model(path);
    std::string difference;
    CHECK_MESSAGE(graph::models_equal(quantized, read, &difference), difference);
    const std::set<std::string> standard{"Parameter", "Const",    "Convolution",  "ReLU", "Result",
                                         "Convert",   "Multiply", "FakeQuantize", "Add"};
    for (const auto& node : read.nodes()) {
        CHECK_MESSAGE(standard.contains(node->type), node->type);
        CHECK(node->version == (node->type == "Const" ? "opset1" : "opset1"));
    }
}

TEST_CASE(
    "accuracy control puts the sensitive layer back in float, and fails when the limit "
    "cannot hold") {
    // conv_a writes a channel 1000 times larger than the other; conv_b reads only the small one:
    // one 8-bit grid for both channels of its input rounds the small one away.
    graph::Model model;
    model.name = "sensitive";
    graph::Output x = model.add_parameter("x", ElementType::f32, PartialShape{1, 2, 8, 8});
    Tensor spread(ElementType::f32, {2, 2, 1, 1});
    std::copy_n(std::vector<float>{1000, 0, 0, 1}.begin(), 4, spread.data<float>());
    x = convolution(model, x, spread, "conv_a");
    Tensor pick(ElementType::f32, {2, 2, 1, 1});
    std::copy_n(std::vector<float>{0, 1, 0, -1}.begin(), 4, pick.data<float>());
    x = convolution(model, x, pick, "conv_b");
    x = model.add_op("ReLU", "opset1", {x}, {}, "relu").output();
    Tensor sum(ElementType::f32, {1, 2, 1, 1});
    std::copy_n(std::vector<float>{1, 1}.begin(), 2, sum.data<float>());
    x = convolution(model, x, sum, "head");
    model.add_result(x, "y");
    graph::infer_shapes(model);

    const auto samples = random_samples(6, {1, 2, 8, 8}, 4);
    const auto held_out = random_samples(3, {1, 2, 8, 8}, 5);
    const FrameOutputs reference = run_on_cpu(model, held_out);
    const Evaluate evaluate = [&](const graph::Model& candidate) {
        return cosine_agreement(reference, run_on_cpu(candidate, held_out));
    };
    auto layers = find_layers(model, {});
    const Calibration calibration =
        calibrate(cpu_core(), model, layers, samples, RangeMethod::min_max);

    auto controlled_layers = layers;
    const ControlResult controlled =
        control_accuracy(model, controlled_layers, calibration, evaluate, 0.001);
    CHECK(controlled.first_agreement < 0.99);
    CHECK(controlled.holds);
    CHECK(1 - controlled.agreement <= 0.001);
    CHECK(find(controlled_layers, "conv_a").quantized());
    CHECK(find(controlled_layers, "conv_b").float_reason.starts_with("accuracy"));
    REQUIRE(controlled.reverted.size() == 1);
    CHECK(controlled.reverted[0].layer == "conv_b");
    CHECK(controlled.model.find("conv_b")->inputs[0].source.node->type != "FakeQuantize");

    auto strict_layers = layers;
    const ControlResult strict = control_accuracy(model, strict_layers, calibration, evaluate, 0.0);
    CHECK_FALSE(strict.holds);
}

TEST_CASE(
    "depthwise layers are timed in float and in int8, and left in float where int8 is "
    "slower") {
    std::mt19937 random(9);
    graph::Model model;
    model.name = "separable";
    graph::Output x = model.add_parameter("x", ElementType::f32, PartialShape{1, 16, 32, 32});
    x = convolution(model, x, random_tensor({16, 16, 1, 1}, random, -0.3f, 0.3f), "expand");
    x = model.add_op("ReLU", "opset1", {x}, {}, "relu1").output();
    x = convolution(model, x, random_tensor({16, 1, 1, 3, 3}, random, -0.3f, 0.3f), "dw");
    x = model.add_op("ReLU", "opset1", {x}, {}, "relu2").output();
    x = convolution(model, x, random_tensor({8, 16, 1, 1}, random, -0.3f, 0.3f), "project");
    model.add_result(x, "y");
    graph::infer_shapes(model);

    auto layers = find_layers(model, {});
    CHECK(find(layers, "dw").depthwise);
    CHECK_FALSE(find(layers, "expand").depthwise);
    const auto samples = random_samples(4, {1, 16, 32, 32}, 6);
    const Calibration calibration =
        calibrate(cpu_core(), model, layers, samples, RangeMethod::min_max);
    const auto times =
        leave_slower_layers_in_float(cpu_core(), model, layers, calibration, samples);
    REQUIRE(times.size() == 1);
    const LayerTimes& timed = times.at("dw");
    CHECK(timed.float_ms > 0);
    CHECK(timed.int8_ms > 0);
    CHECK(find(layers, "dw").quantized() == !timed.int8_slower());
    if (timed.int8_slower())
        CHECK(find(layers, "dw").float_reason.starts_with("slower in int8 on this CPU"));
    CHECK(LayerTimes{.float_ms = 1.0, .int8_ms = 1.3}.int8_slower());
    CHECK_FALSE(LayerTimes{.float_ms = 1.0, .int8_ms = 1.2}.int8_slower());
    CHECK_FALSE(LayerTimes{.float_ms = 0.001, .int8_ms = 0.004}.int8_slower());
    CHECK(find(layers, "expand").quantized());
    CHECK(find(layers, "project").quantized());
}
