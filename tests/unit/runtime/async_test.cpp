#include "devices/reference/reference_device.h"
#include "inference/core/error.h"
#include "inference/graph/shape_inference.h"
#include "inference/runtime/compiled_model.h"
#include "inference/runtime/core.h"
#include "tests/support/op_testing.h"
#include "tests/unit/runtime/test_device.h"

#include <doctest/doctest.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

using namespace es;
using namespace es::testing;
using namespace std::chrono_literals;

namespace {

// Parameter [1,3,6,6] → Convolution 4×3×3×3 (pads 1) → ReLU → Result
std::shared_ptr<graph::Model> conv_model() {
    auto model = std::make_shared<graph::Model>();
    model->name = "conv";
    const graph::Output x = model->add_parameter("x", ElementType::f32, PartialShape{1, 3, 6, 6});
    Tensor weights(ElementType::f32, {4, 3, 3, 3});
    for (size_t i = 0; i < weights.size(); ++i)
        weights.data<float>()[i] = static_cast<float>(i % 7) * 0.25f - 0.7f;
    const graph::Output conv =
        model
            ->add_op("Convolution", "opset1", {x, model->add_constant(weights)},
                     {{"strides", "1,1"},
                      {"pads_begin", "1,1"},
                      {"pads_end", "1,1"},
                      {"dilations", "1,1"},
                      {"auto_pad", "explicit"}})
            .output();
    model->add_result(model->add_op("ReLU", "opset1", {conv}).output());
    graph::infer_shapes(*model);
    return model;
}

// x: f32 [1,4] → ReLU → Result (the TEST device computes x + 1 instead)
std::shared_ptr<graph::Model> vector_model() {
    auto model = std::make_shared<graph::Model>();
    model->name = "vector";
    const graph::Output x = model->add_parameter("x", ElementType::f32, PartialShape{1, 4});
    model->add_result(model->add_op("ReLU", "opset1", {x}, {}, "relu").output());
    graph::infer_shapes(*model);
    return model;
}

runtime::Core test_core(const std::shared_ptr<TestDeviceControl>& control) {
    std::vector<std::unique_ptr<runtime::Device>> devices;
    devices.push_back(std::make_unique<TestDevice>(control));
    return runtime::Core(std::move(devices));
}

void fill(Tensor& tensor, float first) {
    float* data = tensor.data<float>();
    for (size_t i = 0; i < tensor.size(); ++i)
        data[i] = first + static_cast<float>(i);
}

}  // namespace

TEST_CASE("200 async requests on 4 streams give the results of sync runs") {
    // Built directly so that there are 4 streams whatever the cores of the test machine.
    const devices::ReferenceDevice device;
    const runtime::CompiledModel compiled(
        conv_model(), device, "REF",
        {.nstreams = 4, .threads_per_stream = 1, .nthreads = 4, .optimal_nireq = 8}, {});
    std::mt19937 random(7);
    std::uniform_real_distribution<float> uniform(-1, 1);
    std::vector<Tensor> inputs;
    for (int k = 0; k < 200; ++k) {
        Tensor input(ElementType::f32, {1, 3, 6, 6});
        for (size_t i = 0; i < input.size(); ++i)
            input.data<float>()[i] = uniform(random);
        inputs.push_back(input);
    }

    // 8 requests in flight; each completion stores its result and takes the next input.
    std::vector<Tensor> results(inputs.size());
    std::vector<runtime::InferRequest> requests;
    std::vector<size_t> current(8);
    std::atomic<size_t> next = 0;
    std::atomic<int> on_main_thread = 0;
    const auto main_thread = std::this_thread::get_id();
    auto take = [&](size_t r) {
        const size_t k = next++;
        if (k >= inputs.size()) return false;
        current[r] = k;
        std::memcpy(requests[r].input(0).bytes(), inputs[k].bytes(), inputs[k].byte_size());
        return true;
    };
    for (size_t r = 0; r < 8; ++r)
        requests.push_back(compiled.create_infer_request());
    for (size_t r = 0; r < 8; ++r)
        REQUIRE(take(r));
    for (size_t r = 0; r < 8; ++r) {
        requests[r].set_callback([&, r](std::exception_ptr error) {
            if (std::this_thread::get_id() == main_thread) ++on_main_thread;
            if (error) return;
            results[current[r]] = requests[r].output(0).clone();
            if (take(r)) requests[r].start_async();
        });
        requests[r].start_async();
    }
    for (auto& request : requests)
        request.wait();
    CHECK(on_main_thread == 0);

    auto sync = compiled.create_infer_request();
    for (size_t k = 0; k < inputs.size(); ++k) {
        sync.set_input(0, inputs[k]);
        sync.infer();
        REQUIRE(!results[k].empty());
        REQUIRE(results[k].shape() == sync.output(0).shape());
        CHECK(std::memcmp(results[k].bytes(), sync.output(0).bytes(), results[k].byte_size()) == 0);
    }
}

TEST_CASE("an error in one request reaches its wait() and callback, and no other request") {
    auto control = std::make_shared<TestDeviceControl>();
    const auto compiled = test_core(control).compile(
        vector_model(), "TEST", {.hint = runtime::PerformanceHint::throughput});
    std::vector<runtime::InferRequest> requests;
    std::vector<std::exception_ptr> errors(6);
    std::vector<int> calls(6, 0);
    for (size_t r = 0; r < 6; ++r) {
        requests.push_back(compiled.create_infer_request());
        fill(requests[r].input(0), r == 2 ? k_throw : static_cast<float>(10 * r));
    }
    for (size_t r = 0; r < 6; ++r) {
        requests[r].set_callback([&, r](std::exception_ptr error) {
            errors[r] = error;
            ++calls[r];
        });
        requests[r].start_async();
    }
    for (size_t r = 0; r < 6; ++r) {
        if (r == 2) {
            CHECK_THROWS_WITH_AS(requests[r].wait(), doctest::Contains("marker value -1"), Error);
            CHECK(errors[r] != nullptr);
        } else {
            requests[r].wait();
            CHECK(errors[r] == nullptr);
            const float first = static_cast<float>(10 * r);
            check_close(requests[r].output(0), {1, 4},
                        {first + 1, first + 2, first + 3, first + 4});
        }
        CHECK(calls[r] == 1);
    }
    // the failed request runs again once its input is fixed; sync runs do not call back
    fill(requests[2].input(0), 5);
    requests[2].infer();
    check_close(requests[2].output(0), {1, 4}, {6, 7, 8, 9});
    CHECK(calls[2] == 1);
}

TEST_CASE("wait_for times out on a blocked request, starting it again is an error") {
    auto control = std::make_shared<TestDeviceControl>();
    const auto compiled = test_core(control).compile(vector_model(), "TEST");
    auto request = compiled.create_infer_request();
    fill(request.input(0), k_block);
    request.start_async();
    control->started.wait();
    CHECK_FALSE(request.wait_for(1ms));
    CHECK_THROWS_WITH_AS(request.start_async(), doctest::Contains("while the request is running"),
                         Error);
    CHECK_THROWS_WITH_AS(request.infer(), doctest::Contains("while the request is running"), Error);
    CHECK_THROWS_WITH_AS(request.set_input(0, f32({1, 4}, {0, 0, 0, 0})),
                         doctest::Contains("set_input() while the request is running"), Error);
    control->gate.count_down();
    request.wait();
    CHECK(request.wait_for(0ms));
    check_close(request.output(0), {1, 4}, {-1, 0, 1, 2});
}

TEST_CASE("requests in flight outlive their CompiledModel, destroying a request waits for it") {
    auto control = std::make_shared<TestDeviceControl>();
    std::optional<runtime::CompiledModel> compiled =
        test_core(control).compile(vector_model(), "TEST");
    std::optional<runtime::InferRequest> blocked = compiled->create_infer_request();
    auto other = compiled->create_infer_request();
    fill(blocked->input(0), k_block);
    fill(other.input(0), 1);
    std::atomic<bool> finished = false;
    blocked->set_callback([&](std::exception_ptr) { finished = true; });
    blocked->start_async();
    control->started.wait();
    compiled.reset();

    // the other request still runs (the executor has only one stream on a 1-core machine, so
    // it may have to wait for the blocked one: release that first)
    std::jthread release([&] { control->gate.count_down(); });
    other.start_async();
    blocked.reset();
    CHECK(finished);
    other.wait();
    check_close(other.output(0), {1, 4}, {2, 3, 4, 5});
}

TEST_CASE("the input tensor filled in place is what the device reads") {
    auto control = std::make_shared<TestDeviceControl>();
    const auto compiled = test_core(control).compile(vector_model(), "TEST");
    auto request = compiled.create_infer_request();
    Tensor& input = request.input("x");
    CHECK(&input == &request.input(0));
    float* data = input.data<float>();
    for (int i = 0; i < 4; ++i)
        data[i] = static_cast<float>(i * i);
    request.infer();
    CHECK(control->last_input_data.load() == static_cast<const void*>(input.bytes()));
    check_close(request.output("relu"), {1, 4}, {1, 2, 5, 10});
    // the same buffer on the next run, after another in-place fill
    data[0] = 100;
    request.infer();
    CHECK(control->last_input_data.load() == static_cast<const void*>(input.bytes()));
    check_close(request.output(0), {1, 4}, {101, 2, 5, 10});
}

TEST_CASE("a callback may restart its request, an exception it throws reaches wait()") {
    auto control = std::make_shared<TestDeviceControl>();
    const auto compiled = test_core(control).compile(vector_model(), "TEST");
    auto request = compiled.create_infer_request();
    fill(request.input(0), 0);
    int runs = 0;
    request.set_callback([&](std::exception_ptr) {
        if (++runs < 5) {
            request.input(0).data<float>()[0] += 1;
            request.start_async();
        }
    });
    request.start_async();
    request.wait();
    CHECK(runs == 5);
    check_close(request.output(0), {1, 4}, {5, 2, 3, 4});

    request.set_callback([&](std::exception_ptr) { throw_runtime("callback failed"); });
    request.start_async();
    CHECK_THROWS_WITH_AS(request.wait(), doctest::Contains("callback failed"), Error);
    request.set_callback([&](std::exception_ptr) { request.wait(); });
    request.start_async();
    CHECK_THROWS_WITH_AS(request.wait(), doctest::Contains("inside the request's own callback"),
                         Error);
}
