#pragma once

#include "inference/runtime/device.h"
#include "inference/runtime/runtime_config.h"

#include <atomic>
#include <latch>
#include <memory>

namespace es::testing {

// What the TEST device's runs report and wait on.
struct TestDeviceControl {
    std::latch started{1};  // counted down when a run reaches the gate
    std::latch gate{1};     // a run whose first input value is k_block waits for it
    std::atomic<const void*> last_input_data = nullptr;  // the input buffer the last run read
};

// First input values that make a TEST run throw, or block on TestDeviceControl::gate.
constexpr float k_throw = -1.0f;
constexpr float k_block = -2.0f;

// TEST: runs any model with one f32 input and one output as "output = input + 1", except for
// the marker values above. For exercising the runtime without relying on timing.
class TestDevice : public runtime::Device {
  public:
    explicit TestDevice(std::shared_ptr<TestDeviceControl> control)
        : m_control(std::move(control)) {}
    std::string name() const override { return "TEST"; }
    bool supports(const graph::Node&) const override { return true; }
    int compute_units() const override { return runtime::available_cores(); }
    std::unique_ptr<runtime::Executable> compile(
        std::shared_ptr<const graph::Model> model,
        const runtime::CompileOptions& options) const override;

  private:
    std::shared_ptr<TestDeviceControl> m_control;
};

}  // namespace es::testing
