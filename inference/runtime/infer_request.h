#pragma once

#include "inference/runtime/device.h"

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace es::runtime {

struct CompiledState;

struct PortInfo {
    std::string name;  // the tensor name users know it by
    graph::PortType type;
};

// One set of input and output tensors, and the execution context that maps the first to the
// second. Every run, sync or async, executes on one of the compiled model's streams, so that
// the model never uses more threads than it was compiled for.
//
// Who waits for what: destroying (or assigning over) a request waits until it is idle, i.e.
// its run and its callback have finished and the callback did not start it again. A request
// keeps its compiled model's shared state (executable and streams) alive, so the CompiledModel
// itself may go first. A callback must not destroy its own request.
class InferRequest {
  public:
    // Called on the stream thread when an async run finishes: null, or the run's exception.
    using Callback = std::function<void(std::exception_ptr error)>;

    // Made by CompiledModel::create_infer_request.
    explicit InferRequest(std::shared_ptr<CompiledState> compiled);
    InferRequest(InferRequest&&) noexcept;
    InferRequest& operator=(InferRequest&&) noexcept;
    ~InferRequest();

    const std::vector<PortInfo>& inputs() const;
    const std::vector<PortInfo>& outputs() const;
    // Index of the input or output known by `name`; throws es::Error (BadInput) when none is.
    size_t input_index(const std::string& name) const;
    size_t output_index(const std::string& name) const;

    // The tensor the next run reads, to fill in place: allocated once for a static input shape,
    // empty for a dynamic one until set_input. Touch it only while the request is idle.
    Tensor& input(size_t index);
    Tensor& input(const std::string& name);
    const Tensor& input(size_t index) const;
    // Sets input `index`. Floating-point and integer values are converted to the model's
    // element type; the shape must fit the model's (possibly dynamic) input shape.
    void set_input(size_t index, const Tensor& tensor);
    // The results of the last run; read them while the request is idle.
    const Tensor& output(size_t index) const;
    const Tensor& output(const std::string& name) const;

    // Runs on a stream and waits for it; the callback is not called. Throws what the run threw.
    void infer();
    // Queues a run on the compiled model's streams and returns at once. Throws es::Error when
    // the request is already queued or running, or an input is unset. A callback may start
    // its own request again: the new run is queued when the callback returns.
    void start_async();
    // Waits until the request is idle; rethrows the last run's exception, if any.
    void wait();
    // As wait(), but gives up after `timeout`: true when the request is idle.
    bool wait_for(std::chrono::milliseconds timeout);
    // Called after every later start_async() run, on the stream thread.
    void set_callback(Callback callback);

    // Per-layer counters summed over this request's runs (with RuntimeConfig::profile); read
    // them while the request is idle.
    std::vector<LayerProfile> layer_profile() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace es::runtime
