#include "devices/registry.h"
#include "inference/core/error.h"
#include "inference/graph/shape_inference.h"
#include "inference/runtime/core.h"
#include "tests/support/op_testing.h"
#include "tests/unit/runtime/test_device.h"

#include <doctest/doctest.h>
#include <algorithm>

using namespace es;
using namespace es::testing;

TEST_CASE("Core compiles on AUTO (the CPU) and requests run the model") {
    const runtime::Core core(devices::make_registry());
    CHECK(core.device_names().front() == "AUTO");
    const auto compiled = core.compile(small_model(), "AUTO");
    CHECK(compiled.device_name() == "CPU");
    REQUIRE(compiled.inputs().size() == 1);
    CHECK(compiled.inputs()[0].name == "x");
    CHECK(compiled.outputs()[0].name == "y");
    auto request = compiled.create_infer_request();
    request.set_input(request.input_index("x"), f32({2, 2}, {-3, 0, 1, -1}));
    request.infer();
    check_close(request.output(0), {2, 2}, {0, 1, 2, 0});
    // a second inference with another batch size on the same request
    request.set_input(0, f32({1, 2}, {4, -5}));
    request.infer();
    check_close(request.output(0), {1, 2}, {5, 0});
}

TEST_CASE("InferRequest rejects what does not fit the model, naming the input") {
    const runtime::Core core(devices::make_registry());
    auto request = core.compile(small_model(), "REF").create_infer_request();
    CHECK_THROWS_WITH_AS(request.infer(), doctest::Contains("input 'x' has a dynamic shape"),
                         Error);
    CHECK_THROWS_WITH_AS(request.set_input(0, f32({2, 3}, {0, 0, 0, 0, 0, 0})),
                         doctest::Contains("input 'x' expects shape [?,2], got [2,3]"), Error);
    CHECK_THROWS_WITH_AS(request.input_index("z"),
                         doctest::Contains("no input named 'z' (it has: x)"), Error);
    CHECK_THROWS_WITH_AS(core.compile(small_model(), "TPU"),
                         doctest::Contains("unknown device 'TPU'"), Error);
}

namespace {

// Parameter [1,2,5,5] → Convolution 3×2×3×3 (pads 1) → ReLU → Result
std::shared_ptr<graph::Model> conv_model() {
    auto model = std::make_shared<graph::Model>();
    model->name = "conv";
    const graph::Output x = model->add_parameter("x", ElementType::f32, PartialShape{1, 2, 5, 5});
    const graph::Output conv = model
                                   ->add_op("Convolution", "opset1",
                                            {x, model->add_constant(iota_f32({3, 2, 3, 3}, 0.01f))},
                                            {{"strides", "1,1"},
                                             {"pads_begin", "1,1"},
                                             {"pads_end", "1,1"},
                                             {"dilations", "1,1"},
                                             {"auto_pad", "explicit"}},
                                            "conv")
                                   .output();
    model->add_op("ReLU", "opset1", {conv}, {}, "relu");
    model->add_result(model->find("relu")->output(), "relu/sink_port_0");
    graph::infer_shapes(*model);
    return model;
}

}  // namespace

TEST_CASE("batch sets every input's first dimension before compiling") {
    const runtime::Core core(devices::make_registry());
    const auto compiled = core.compile(conv_model(), "REF", {.batch = 3});
    CHECK(compiled.inputs()[0].type.shape == PartialShape{3, 2, 5, 5});
    CHECK(compiled.outputs()[0].type.shape == PartialShape{3, 3, 5, 5});
    auto request = compiled.create_infer_request();
    CHECK(request.input(0).shape() == Shape{3, 2, 5, 5});
    request.infer();
    CHECK(request.output(0).shape() == Shape{3, 3, 5, 5});
    // the dynamic first dimension of the small model becomes static
    CHECK(core.compile(small_model(), "REF", {.batch = 2}).inputs()[0].type.shape ==
          PartialShape{2, 2});
}

TEST_CASE("batch is rejected for a scalar input and a first dimension fixed inside the model") {
    const runtime::Core core(devices::make_registry());
    auto scalar = std::make_shared<graph::Model>();
    scalar->name = "scalar";
    scalar->add_result(scalar->add_parameter("s", ElementType::f32, PartialShape(Shape{})));
    graph::infer_shapes(*scalar);
    CHECK_THROWS_WITH_AS(core.compile(scalar, "REF", {.batch = 2}),
                         doctest::Contains("batch 2: input 's' has shape []"), Error);

    // Reshape to a constant [1,50]: a batch of 2 has 100 values per 50-value row
    auto fixed = std::make_shared<graph::Model>();
    fixed->name = "fixed";
    const graph::Output x = fixed->add_parameter("x", ElementType::f32, PartialShape{1, 2, 5, 5});
    fixed->add_result(fixed
                          ->add_op("Reshape", "opset1", {x, fixed->add_constant(i64({2}, {1, 50}))},
                                   {{"special_zero", "false"}}, "flatten")
                          .output());
    graph::infer_shapes(*fixed);
    CHECK_NOTHROW(core.compile(fixed, "REF", {.batch = 1}));
    CHECK_THROWS_WITH_AS(core.compile(fixed, "REF", {.batch = 2}),
                         doctest::Contains("batch 2: model 'fixed' cannot take it"), Error);
    CHECK_THROWS_WITH_AS(core.compile(fixed, "REF", {.batch = -1}), doctest::Contains("batch -1"),
                         Error);
}

TEST_CASE("Core resolves hints into the compiled model's streams") {
    const runtime::Core core(devices::make_registry());
    const int cores = runtime::available_cores();
    const auto latency = core.compile(conv_model(), "REF");
    CHECK(latency.nstreams() == 1);
    CHECK(latency.threads_per_stream() == cores);
    CHECK(latency.optimal_nireq() == 1);
    const auto throughput =
        core.compile(conv_model(), "REF", {.hint = runtime::PerformanceHint::throughput});
    CHECK(throughput.nstreams() == cores);
    CHECK(throughput.threads_per_stream() == 1);
    CHECK(throughput.optimal_nireq() == 2 * cores);
    CHECK_THROWS_WITH_AS(core.compile(conv_model(), "REF", {.nthreads = cores + 1}),
                         doctest::Contains("nthreads"), Error);
    const auto& devices = core.devices();
    const auto ref = std::find_if(devices.begin(), devices.end(),
                                  [](const auto& device) { return device->name() == "REF"; });
    REQUIRE(ref != devices.end());
    CHECK((*ref)->description().find("reference") != std::string::npos);
}

TEST_CASE("REF reports per-layer counters and its memory") {
    const runtime::Core core(devices::make_registry());
    const auto compiled = core.compile(conv_model(), "REF", {.profile = true});
    // weights 3·2·3·3 f32, then input 2·5·5 + conv 3·5·5 + relu 3·5·5 f32 alive at once (the
    // input is the request's, the conv output is freed only after ReLU has written its own)
    CHECK(compiled.peak_memory_bytes() == (54 + 50 + 75 + 75) * 4);
    CHECK(compiled.compile_milliseconds() >= 0);
    auto request = compiled.create_infer_request();
    request.infer();
    request.infer();
    const auto layers = request.layer_profile();
    REQUIRE(layers.size() == compiled.model().nodes().size());
    bool found_conv = false;
    for (const auto& layer : layers) {
        CHECK(layer.runs == 2);
        CHECK(layer.implementation == "ref");
        if (layer.name == "conv") found_conv = layer.type == "Convolution";
    }
    CHECK(found_conv);
    CHECK(core.compile(conv_model(), "REF").create_infer_request().layer_profile().empty());
}

namespace {

// A device of two instances that runs two requests at once at full speed.
class TwoInstanceDevice : public TestDevice {
  public:
    TwoInstanceDevice() : TestDevice(std::make_shared<TestDeviceControl>()) {}
    std::vector<runtime::DeviceInstance> instances() const override {
        return {{"TEST.0"}, {"TEST.1", "busy"}};
    }
    int compute_units() const override { return 2; }
};

}  // namespace

TEST_CASE("Core takes a device's instance names and sizes streams from its compute units") {
    std::vector<std::unique_ptr<runtime::Device>> devices;
    devices.push_back(std::make_unique<TwoInstanceDevice>());
    const runtime::Core core(std::move(devices));
    const auto throughput =
        core.compile(small_model(), "TEST.1", {.hint = runtime::PerformanceHint::throughput});
    CHECK(throughput.device_name() == "TEST");
    CHECK(throughput.nstreams() == 2);
    CHECK(throughput.optimal_nireq() == 4);
    CHECK(core.compile(small_model(), "TEST").nthreads() == 2);
    CHECK_THROWS_WITH_AS(core.compile(small_model(), "TEST.2"),
                         doctest::Contains("unknown device 'TEST.2'"), Error);
}

TEST_CASE("the registry's device names are what a config may name") {
    // and the GPU's, where there is one
    const auto names = devices::device_names();
    REQUIRE(names.size() >= 3);
    CHECK(names[0] == "AUTO");
    CHECK(names[1] == "CPU");
    CHECK(names.back() == "REF");
}
