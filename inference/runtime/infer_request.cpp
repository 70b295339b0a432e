#include "inference/runtime/infer_request.h"

#include "inference/core/error.h"
#include "inference/runtime/compiled_state.h"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace es::runtime {
namespace {

enum class State {
    idle,
    queued,           // submitted to the streams, maybe running
    in_callback,      // the run finished; its callback is running
    restart_pending,  // the callback started the request again: queued when it returns
};

size_t index_of(const std::vector<PortInfo>& ports, const std::string& name, const char* what) {
    for (size_t i = 0; i < ports.size(); ++i)
        if (ports[i].name == name) return i;
    std::string known;
    for (const auto& port : ports)
        known += (known.empty() ? "" : ", ") + port.name;
    throw_bad_input("the model has no {} named '{}' (it has: {})", what, name, known);
}

}  // namespace

struct InferRequest::Impl {
    std::shared_ptr<CompiledState> compiled;
    std::unique_ptr<ExecutionContext> context;
    std::vector<Tensor> inputs;
    std::vector<Tensor> outputs;

    std::mutex mutex;
    std::condition_variable idle;
    State state = State::idle;
    bool with_callback = false;  // whether the current run calls the callback
    bool closing = false;        // being destroyed: no new runs
    std::thread::id callback_thread;
    std::exception_ptr error;
    Callback callback;

    explicit Impl(std::shared_ptr<CompiledState> compiled_state)
        : compiled(std::move(compiled_state)),
          context(compiled->executable->create_context()),
          inputs(compiled->inputs.size()),
          outputs(compiled->outputs.size()) {
        for (size_t i = 0; i < inputs.size(); ++i) {
            const graph::PortType& type = compiled->inputs[i].type;
            if (type.shape.is_static()) inputs[i] = Tensor(type.type, type.shape.to_shape());
        }
    }

    ~Impl() {
        std::unique_lock lock(mutex);
        closing = true;
        idle.wait(lock, [&] { return state == State::idle; });
    }

    void check_idle(const char* action) const {
        if (state != State::idle && state != State::in_callback)
            throw_runtime("InferRequest: {} while the request is running; wait() for it first",
                          action);
    }

    void check_not_own_callback() const {
        if (callback_thread == std::this_thread::get_id())
            throw_runtime("InferRequest: waiting inside the request's own callback never returns");
    }

    void start(bool call_back) {
        std::lock_guard lock(mutex);
        if (!call_back) check_not_own_callback();
        if (closing) throw_runtime("InferRequest: start_async() while the request is destroyed");
        check_idle("start_async()");
        for (size_t i = 0; i < inputs.size(); ++i)
            if (inputs[i].empty())
                throw_bad_input("input '{}' has a dynamic shape {} and was not set",
                                compiled->inputs[i].name,
                                to_string(compiled->inputs[i].type.shape));
        error = nullptr;
        with_callback = call_back;
        if (state == State::in_callback) {
            state = State::restart_pending;
            return;
        }
        state = State::queued;
        compiled->executor.submit([this] { execute(); });
    }

    // On a stream thread. Touches nothing of `this` once the state is idle and the lock released:
    // the destructor may run from then on.
    void execute() {
        std::exception_ptr failure;
        try {
            context->run(inputs, outputs);
        } catch (...) {
            failure = std::current_exception();
        }
        std::unique_lock lock(mutex);
        error = failure;
        if (with_callback && callback) {
            state = State::in_callback;
            callback_thread = std::this_thread::get_id();
            const Callback call = callback;
            lock.unlock();
            try {
                call(failure);
            } catch (...) {
                lock.lock();
                if (!error && state == State::in_callback) error = std::current_exception();
                lock.unlock();
            }
            lock.lock();
            callback_thread = {};
            if (state == State::restart_pending) {
                state = State::queued;
                compiled->executor.submit([this] { execute(); });
                return;
            }
        }
        state = State::idle;
        idle.notify_all();
    }
};

InferRequest::InferRequest(std::shared_ptr<CompiledState> compiled)
    : m_impl(std::make_unique<Impl>(std::move(compiled))) {}

InferRequest::InferRequest(InferRequest&&) noexcept = default;
InferRequest& InferRequest::operator=(InferRequest&&) noexcept = default;
InferRequest::~InferRequest() = default;

const std::vector<PortInfo>& InferRequest::inputs() const {
    return m_impl->compiled->inputs;
}

const std::vector<PortInfo>& InferRequest::outputs() const {
    return m_impl->compiled->outputs;
}

size_t InferRequest::input_index(const std::string& name) const {
    return index_of(inputs(), name, "input");
}

size_t InferRequest::output_index(const std::string& name) const {
    return index_of(outputs(), name, "output");
}

Tensor& InferRequest::input(size_t index) {
    return m_impl->inputs.at(index);
}

Tensor& InferRequest::input(const std::string& name) {
    return m_impl->inputs.at(input_index(name));
}

const Tensor& InferRequest::input(size_t index) const {
    return m_impl->inputs.at(index);
}

void InferRequest::set_input(size_t index, const Tensor& tensor) {
    const PortInfo& port = inputs().at(index);
    if (!port.type.shape.accepts(tensor.shape()))
        throw_bad_input("input '{}' expects shape {}, got {}", port.name,
                        to_string(port.type.shape), to_string(tensor.shape()));
    const bool numeric =
        tensor.type() != ElementType::boolean && port.type.type != ElementType::boolean;
    if (tensor.type() != port.type.type && !numeric)
        throw_bad_input("input '{}' expects {}, got {}", port.name, to_string(port.type.type),
                        to_string(tensor.type()));
    std::lock_guard lock(m_impl->mutex);
    m_impl->check_idle("set_input()");
    m_impl->inputs[index] =
        tensor.type() == port.type.type ? tensor : convert(tensor, port.type.type);
}

const Tensor& InferRequest::output(size_t index) const {
    return m_impl->outputs.at(index);
}

const Tensor& InferRequest::output(const std::string& name) const {
    return m_impl->outputs.at(output_index(name));
}

void InferRequest::infer() {
    m_impl->start(false);
    wait();
}

void InferRequest::start_async() {
    m_impl->start(true);
}

void InferRequest::wait() {
    std::unique_lock lock(m_impl->mutex);
    m_impl->check_not_own_callback();
    m_impl->idle.wait(lock, [&] { return m_impl->state == State::idle; });
    if (m_impl->error) std::rethrow_exception(m_impl->error);
}

bool InferRequest::wait_for(std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_impl->mutex);
    m_impl->check_not_own_callback();
    if (!m_impl->idle.wait_for(lock, timeout, [&] { return m_impl->state == State::idle; }))
        return false;
    if (m_impl->error) std::rethrow_exception(m_impl->error);
    return true;
}

void InferRequest::set_callback(Callback callback) {
    std::lock_guard lock(m_impl->mutex);
    m_impl->callback = std::move(callback);
}

std::vector<LayerProfile> InferRequest::layer_profile() const {
    return m_impl->context->layer_profile();
}

}  // namespace es::runtime
