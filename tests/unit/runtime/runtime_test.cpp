#include "devices/registry.h"
#include "inference/core/error.h"
#include "inference/graph/shape_inference.h"
#include "inference/runtime/core.h"
#include "tests/support/op_testing.h"

#include <doctest/doctest.h>

using namespace es;
using namespace es::testing;

namespace {

// y = relu(x + 1) with x of shape [?, 2]
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

}  // namespace

TEST_CASE("Core compiles on AUTO (CPU first) and requests run the model") {
    const runtime::Core core(devices::make_registry());
    CHECK(core.device_names() == std::vector<std::string>{"CPU", "REF"});
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
    CHECK_THROWS_WITH_AS(core.compile(small_model(), "GPU"),
                         doctest::Contains("unknown device 'GPU'"), Error);
}
