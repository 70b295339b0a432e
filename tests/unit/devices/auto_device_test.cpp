// AUTO against devices that compile slowly, fail to compile, or fail at run time: a wrapper of
// the CPU device stands in for a GPU, which this machine does not have.
#include "devices/auto/auto_device.h"
#include "devices/cpu/cpu_device.h"
#include "devices/reference/reference_device.h"
#include "inference/core/error.h"
#include "inference/graph/shape_inference.h"
#include "inference/runtime/core.h"
#include "tests/support/op_testing.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <latch>
#include <stdexcept>
#include <thread>

using namespace es;
using namespace es::testing;

namespace {

// What a flaky device does, and what it counts.
struct FlakyControl {
    std::latch compile_gate{1};  // compiles wait for it
    bool compile_fails = false;
    std::atomic<bool> compiled = false;  // a compile has finished, or failed
    std::atomic<int> runs = 0;           // runs started, failed ones included
    std::atomic<int> fail_from_run = INT_MAX;
    static constexpr float k_poison = -100.0f;  // a first input value every run throws on
};

// The CPU device under another name, doing what its control says.
class FlakyDevice : public runtime::Device {
  public:
    FlakyDevice(std::string name, std::shared_ptr<FlakyControl> control)
        : m_name(std::move(name)), m_control(std::move(control)) {}
    std::string name() const override { return m_name; }
    int compute_units() const override { return 1; }
    bool supports(const graph::Node& node) const override { return m_cpu.supports(node); }
    std::unique_ptr<runtime::Executable> compile(
        std::shared_ptr<const graph::Model> model,
        const runtime::CompileOptions& options) const override;

  private:
    std::string m_name;
    std::shared_ptr<FlakyControl> m_control;
    devices::CpuDevice m_cpu;
};

class FlakyContext : public runtime::ExecutionContext {
  public:
    FlakyContext(std::unique_ptr<runtime::ExecutionContext> inner,
                 std::shared_ptr<FlakyControl> control)
        : m_inner(std::move(inner)), m_control(std::move(control)) {}
    void run(const std::vector<Tensor>& inputs, std::vector<Tensor>& outputs) override {
        const int run = m_control->runs++;
        if (run >= m_control->fail_from_run) throw std::runtime_error("device lost");
        if (inputs[0].data<float>()[0] == FlakyControl::k_poison)
            throw std::runtime_error("poisoned input");
        m_inner->run(inputs, outputs);
    }

  private:
    std::unique_ptr<runtime::ExecutionContext> m_inner;
    std::shared_ptr<FlakyControl> m_control;
};

class FlakyExecutable : public runtime::Executable {
  public:
    FlakyExecutable(std::unique_ptr<runtime::Executable> inner,
                    std::shared_ptr<FlakyControl> control)
        : m_inner(std::move(inner)), m_control(std::move(control)) {}
    std::unique_ptr<runtime::ExecutionContext> create_context() const override {
        return std::make_unique<FlakyContext>(m_inner->create_context(), m_control);
    }

  private:
    std::unique_ptr<runtime::Executable> m_inner;
    std::shared_ptr<FlakyControl> m_control;
};

std::unique_ptr<runtime::Executable> FlakyDevice::compile(
    std::shared_ptr<const graph::Model> model, const runtime::CompileOptions& options) const {
    m_control->compile_gate.wait();
    struct MarkCompiled {
        FlakyControl& control;
        ~MarkCompiled() { control.compiled = true; }
    } mark{*m_control};
    if (m_control->compile_fails) throw_runtime("{}: out of resources", m_name);
    return std::make_unique<FlakyExecutable>(m_cpu.compile(std::move(model), options), m_control);
}

struct AutoSetup {
    std::shared_ptr<FlakyControl> gpu = std::make_shared<FlakyControl>();
    std::shared_ptr<FlakyControl> host = std::make_shared<FlakyControl>();

    AutoSetup() { host->compile_gate.count_down(); }

    // AUTO over GPU then HOST, HOST being the fallback.
    std::vector<std::unique_ptr<runtime::Device>> devices() const {
        std::vector<std::unique_ptr<runtime::Device>> candidates;
        candidates.push_back(std::make_unique<FlakyDevice>("GPU", gpu));
        candidates.push_back(std::make_unique<FlakyDevice>("HOST", host));
        std::vector<std::unique_ptr<runtime::Device>> registry;
        registry.push_back(std::make_unique<devices::AutoDevice>(std::move(candidates), "HOST"));
        return registry;
    }
};

// Waits up to 10 s for `done`.
template <typename Predicate>
bool eventually(Predicate done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
}

// Runs `request` on x = [[value, 1]] and checks y = relu(x + 1).
void check_run(runtime::InferRequest& request, float value) {
    request.set_input(0, f32({1, 2}, {value, 1}));
    request.infer();
    check_close(request.output(0), {1, 2}, {std::max(value + 1, 0.0f), 2});
}

}  // namespace

TEST_CASE("AUTO takes the first device that runs every op, and says what each one lacks") {
    // REF lacks nothing; a device that lacks the Add is passed over
    class NoAdd : public devices::ReferenceDevice {
      public:
        std::string name() const override { return "NOADD"; }
        bool supports(const graph::Node& node) const override { return node.type != "Add"; }
    };
    std::vector<std::unique_ptr<runtime::Device>> candidates;
    candidates.push_back(std::make_unique<NoAdd>());
    candidates.push_back(std::make_unique<devices::ReferenceDevice>());
    std::vector<std::unique_ptr<runtime::Device>> registry;
    registry.push_back(std::make_unique<devices::AutoDevice>(std::move(candidates), "CPU"));
    const runtime::Core core(std::move(registry));
    auto request = core.compile(small_model(), "AUTO").create_infer_request();
    check_run(request, 0.5f);
    CHECK(core.compile(small_model(), "AUTO").device_name() == "REF");

    std::vector<std::unique_ptr<runtime::Device>> only;
    only.push_back(std::make_unique<NoAdd>());
    const devices::AutoDevice lacking(std::move(only), "CPU");
    CHECK_THROWS_WITH_AS(lacking.compile(small_model(), {}),
                         "no device can run model 'small':\n  NOADD lacks Add-opset1: 1", Error);
}

TEST_CASE("AUTO runs requests on the fallback while the GPU compiles, then on the GPU") {
    AutoSetup setup;
    const runtime::Core core(setup.devices());
    const auto compiled = core.compile(small_model(), "AUTO");  // returns with the GPU compiling
    CHECK(compiled.device_name() == "HOST");
    auto request = compiled.create_infer_request();
    check_run(request, -3);
    check_run(request, 4);
    CHECK(setup.host->runs == 2);
    CHECK(setup.gpu->runs == 0);

    setup.gpu->compile_gate.count_down();
    REQUIRE(eventually([&] { return compiled.device_name() == "GPU"; }));
    check_run(request, 1);
    check_run(request, -0.5f);
    CHECK(setup.gpu->runs == 2);
    CHECK(setup.host->runs == 2);
}

TEST_CASE("AUTO reruns on the fallback every request the GPU fails, and stays there") {
    AutoSetup setup;
    setup.gpu->compile_gate.count_down();
    setup.gpu->fail_from_run = 3;
    const runtime::Core core(setup.devices());
    const auto compiled = core.compile(small_model(), "AUTO");  // one stream: runs in turn
    REQUIRE(eventually([&] { return compiled.device_name() == "GPU"; }));

    // four requests queued at once, each run twice in a row by its callback
    std::vector<runtime::InferRequest> requests;
    std::atomic<int> failures = 0;
    std::vector<std::atomic<int>> remaining(4);
    std::latch done(4);
    for (int i = 0; i < 4; ++i) {
        requests.push_back(compiled.create_infer_request());
        requests[i].set_input(0, f32({1, 2}, {static_cast<float>(i), -5}));
        remaining[i] = 2;
    }
    for (int i = 0; i < 4; ++i) {
        requests[i].set_callback([&, i](std::exception_ptr error) {
            if (error) ++failures;
            if (--remaining[i] > 0)
                requests[i].start_async();
            else
                done.count_down();
        });
        requests[i].start_async();
    }
    done.wait();
    for (auto& request : requests)
        request.wait();
    CHECK(failures == 0);
    for (int i = 0; i < 4; ++i)
        check_close(requests[i].output(0), {1, 2}, {static_cast<float>(i) + 1, 0});
    CHECK(compiled.device_name() == "HOST");
    // 8 results: 3 from the GPU, then the run it failed and the 4 after it from the fallback
    CHECK(setup.gpu->runs == 4);
    CHECK(setup.host->runs == 5);

    // later runs go straight to the fallback
    check_run(requests[0], 7);
    CHECK(setup.gpu->runs == 4);
}

TEST_CASE("a run that fails on the fallback too is its own fault: AUTO stays on the GPU") {
    AutoSetup setup;
    setup.gpu->compile_gate.count_down();
    const runtime::Core core(setup.devices());
    const auto compiled = core.compile(small_model(), "AUTO");
    REQUIRE(eventually([&] { return compiled.device_name() == "GPU"; }));
    auto request = compiled.create_infer_request();
    request.set_input(0, f32({1, 2}, {FlakyControl::k_poison, 0}));
    CHECK_THROWS_WITH_AS(request.infer(), "poisoned input", std::runtime_error);
    CHECK(compiled.device_name() == "GPU");
    check_run(request, 3);
    CHECK(setup.gpu->runs == 2);
    CHECK(setup.host->runs == 1);
}

TEST_CASE("a GPU that fails to compile leaves AUTO's requests on the fallback") {
    AutoSetup setup;
    setup.gpu->compile_fails = true;
    setup.gpu->compile_gate.count_down();
    const runtime::Core core(setup.devices());
    const auto compiled = core.compile(small_model(), "AUTO");
    REQUIRE(eventually([&] { return setup.gpu->compiled.load(); }));
    auto request = compiled.create_infer_request();
    check_run(request, 2);
    CHECK(compiled.device_name() == "HOST");
    CHECK(setup.gpu->runs == 0);
}
