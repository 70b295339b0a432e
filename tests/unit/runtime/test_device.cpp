#include "tests/unit/runtime/test_device.h"

#include "inference/core/error.h"

namespace es::testing {
namespace {

class TestContext : public runtime::ExecutionContext {
  public:
    explicit TestContext(std::shared_ptr<TestDeviceControl> control)
        : m_control(std::move(control)) {}

    void run(const std::vector<Tensor>& inputs, std::vector<Tensor>& outputs) override {
        const Tensor& src = inputs.at(0);
        m_control->last_input_data = src.bytes();
        const float first = src.data<float>()[0];
        if (first == k_throw) throw_runtime("TEST: marker value {} in the input", first);
        if (first == k_block) {
            m_control->started.count_down();
            m_control->gate.wait();
        }
        outputs.resize(1);
        if (outputs[0].shape() != src.shape()) outputs[0] = Tensor(ElementType::f32, src.shape());
        for (size_t i = 0; i < src.size(); ++i)
            outputs[0].data<float>()[i] = src.data<float>()[i] + 1;
    }

  private:
    std::shared_ptr<TestDeviceControl> m_control;
};

class TestExecutable : public runtime::Executable {
  public:
    explicit TestExecutable(std::shared_ptr<TestDeviceControl> control)
        : m_control(std::move(control)) {}
    std::unique_ptr<runtime::ExecutionContext> create_context() const override {
        return std::make_unique<TestContext>(m_control);
    }

  private:
    std::shared_ptr<TestDeviceControl> m_control;
};

}  // namespace

std::unique_ptr<runtime::Executable> TestDevice::compile(std::shared_ptr<const graph::Model>,
                                                         const runtime::CompileOptions&) const {
    return std::make_unique<TestExecutable>(m_control);
}

}  // namespace es::testing
