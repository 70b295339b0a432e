#include "devices/auto/auto_device.h"

#include "inference/core/error.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <thread>

namespace es::devices {
namespace {

// A model compiled by AUTO: the executable its requests run on now (the fallback, or the only
// device that runs the model), and the primary compiling in the background.
class AutoExecutable final : public runtime::Executable {
  public:
    // Runs every request on `executable`, compiled on `device`.
    AutoExecutable(std::unique_ptr<runtime::Executable> executable, std::string device)
        : m_fallback(std::move(executable)), m_fallback_name(std::move(device)) {}

    // Runs requests on `fallback` (compiled on `fallback_name`) until `primary` has compiled
    // `model` in the background.
    AutoExecutable(std::shared_ptr<const runtime::Device> primary,
                   std::shared_ptr<const graph::Model> model, runtime::CompileOptions options,
                   std::unique_ptr<runtime::Executable> fallback, std::string fallback_name)
        : m_fallback(std::move(fallback)),
          m_fallback_name(std::move(fallback_name)),
          m_primary_name(primary->name()),
          m_state(State::compiling),
          m_model_name(model->name) {
        m_compile = std::thread([this, primary = std::move(primary), model = std::move(model),
                                 options] { compile_primary(*primary, model, options); });
    }

    ~AutoExecutable() override {
        if (m_compile.joinable()) m_compile.join();
    }

    std::unique_ptr<runtime::ExecutionContext> create_context() const override;

    size_t peak_memory_bytes() const override {
        const runtime::Executable* primary = ready_primary();
        return m_fallback->peak_memory_bytes() + (primary ? primary->peak_memory_bytes() : 0);
    }

    std::string execution_device() const override {
        return ready_primary() ? m_primary_name : m_fallback_name;
    }

    const runtime::Executable& fallback() const { return *m_fallback; }

    // The primary's executable while it is compiled and has not failed, else null.
    const runtime::Executable* ready_primary() const {
        return m_state.load(std::memory_order_acquire) == State::ready ? m_primary.get() : nullptr;
    }

    // Sends every later run to the fallback; the first call says why.
    void primary_failed(const std::string& reason) const {
        State ready = State::ready;
        if (m_state.compare_exchange_strong(ready, State::failed))
            spdlog::error("AUTO: model '{}' failed on {} ({}); its requests run on {} from now on",
                          m_model_name, m_primary_name, reason, m_fallback_name);
    }

  private:
    enum class State { none, compiling, ready, failed };

    void compile_primary(const runtime::Device& device,
                         const std::shared_ptr<const graph::Model>& model,
                         const runtime::CompileOptions& options) {
        try {
            m_primary = device.compile(model, options);
            m_state.store(State::ready, std::memory_order_release);
            spdlog::info("AUTO: model '{}' compiled on {}; its requests move there from {}",
                         m_model_name, m_primary_name, m_fallback_name);
            return;
        } catch (const std::exception& error) {
            spdlog::error("AUTO: model '{}' did not compile on {} ({}); it runs on {}",
                          m_model_name, m_primary_name, error.what(), m_fallback_name);
        } catch (...) {
            spdlog::error("AUTO: model '{}' did not compile on {}; it runs on {}", m_model_name,
                          m_primary_name, m_fallback_name);
        }
        m_state.store(State::failed, std::memory_order_release);
    }

    std::unique_ptr<runtime::Executable> m_fallback;
    std::string m_fallback_name;
    std::unique_ptr<runtime::Executable> m_primary;  // written once, before State::ready
    std::string m_primary_name;
    mutable std::atomic<State> m_state = State::none;
    std::string m_model_name;
    std::thread m_compile;
};

// A request's state on both devices: the primary's made when the primary is first ready.
class AutoContext final : public runtime::ExecutionContext {
  public:
    explicit AutoContext(const AutoExecutable& owner)
        : m_owner(owner), m_fallback(owner.fallback().create_context()) {}

    void run(const std::vector<Tensor>& inputs, std::vector<Tensor>& outputs) override {
        if (const runtime::Executable* primary = m_owner.ready_primary()) {
            try {
                if (!m_primary) m_primary = primary->create_context();
                m_primary->run(inputs, outputs);
                m_last = m_primary.get();
                return;
            } catch (const std::exception& error) {
                m_fallback->run(inputs, outputs);  // where this throws too, the run was at fault
                m_last = m_fallback.get();
                m_primary.reset();
                m_owner.primary_failed(error.what());
                return;
            }
        }
        m_fallback->run(inputs, outputs);
        m_last = m_fallback.get();
    }

    std::vector<runtime::LayerProfile> layer_profile() const override {
        return m_last ? m_last->layer_profile() : std::vector<runtime::LayerProfile>{};
    }

  private:
    const AutoExecutable& m_owner;
    std::unique_ptr<runtime::ExecutionContext> m_fallback;
    std::unique_ptr<runtime::ExecutionContext> m_primary;
    const runtime::ExecutionContext* m_last = nullptr;
};

std::unique_ptr<runtime::ExecutionContext> AutoExecutable::create_context() const {
    return std::make_unique<AutoContext>(*this);
}

}  // namespace

AutoDevice::AutoDevice(std::vector<std::unique_ptr<runtime::Device>> devices, std::string fallback)
    : m_fallback(std::move(fallback)) {
    for (auto& device : devices)
        m_devices.push_back(std::move(device));
}

std::string AutoDevice::description() const {
    std::string order;
    for (const auto& device : m_devices)
        order += (order.empty() ? "" : ", ") + device->name();
    return fmt::format(
        "the first of {} that has every op of a model, with {} standing in while "
        "it compiles and after it fails",
        order, m_fallback);
}

int AutoDevice::compute_units() const {
    return m_devices.front()->compute_units();
}

bool AutoDevice::supports(const graph::Node& node) const {
    for (const auto& device : m_devices)
        if (device->supports(node)) return true;
    return false;
}

std::unique_ptr<runtime::Executable> AutoDevice::compile(
    std::shared_ptr<const graph::Model> model, const runtime::CompileOptions& options) const {
    std::shared_ptr<const runtime::Device> primary;
    std::string reasons;
    for (const auto& device : m_devices) {
        const std::string missing = runtime::unsupported_ops(*device, *model);
        if (missing.empty()) {
            primary = device;
            break;
        }
        reasons += fmt::format("\n  {} lacks {}", device->name(), missing);
    }
    if (!primary) throw_bad_input("no device can run model '{}':{}", model->name, reasons);

    const runtime::Device* fallback = nullptr;
    for (const auto& device : m_devices)
        if (device->name() == m_fallback && device != primary &&
            runtime::unsupported_ops(*device, *model).empty())
            fallback = device.get();
    if (!fallback)
        return std::make_unique<AutoExecutable>(primary->compile(model, options), primary->name());
    auto fallback_executable = fallback->compile(model, options);
    return std::make_unique<AutoExecutable>(std::move(primary), std::move(model), options,
                                            std::move(fallback_executable), fallback->name());
}

}  // namespace es::devices
