#pragma once

#include "inference/graph/model.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace es::runtime {

// What a device compiles for. The runtime resolves hints into streams and threads before
// a device sees them: a device gets the thread count of one stream.
struct CompileOptions {
    int threads_per_stream = 1;
    bool profile = false;       // keep per-layer counters
    std::string instance = {};  // the name the device was chosen by, e.g. "GPU.1"
    bool exact_int8 = false;    // RuntimeConfig::exact_int8
};

// Time and implementation of one executed layer (benchmark_app's performance counters).
struct LayerProfile {
    std::string name;            // the node, or the first of the nodes fused into it
    std::string type;            // op type, e.g. "Convolution"
    std::string implementation;  // e.g. "brg:avx512_core", "ref", "fused into conv1"
    double milliseconds = 0;     // summed over runs since the context was created
    int runs = 0;
};

// The per-request state of a compiled model: its intermediate buffers and scratch memory.
// One thread at a time runs a context.
class ExecutionContext {
  public:
    virtual ~ExecutionContext() = default;
    // `inputs` in the order of the model's Parameters, already checked against their types.
    // Writes one tensor per Result into `outputs`, reusing a tensor's buffer in place when its
    // type and shape already match, so that steady-state inference allocates nothing.
    virtual void run(const std::vector<Tensor>& inputs, std::vector<Tensor>& outputs) = 0;
    virtual std::vector<LayerProfile> layer_profile() const { return {}; }
};

// A model compiled for one device: immutable, shared by every request made from it.
class Executable {
  public:
    virtual ~Executable() = default;
    virtual std::unique_ptr<ExecutionContext> create_context() const = 0;
    // Bytes of weights and per-context buffers this compiled model holds with one context.
    virtual size_t peak_memory_bytes() const { return 0; }
    // The device its requests run on now, where that is not the device it was compiled on
    // (AUTO's choice); "" otherwise.
    virtual std::string execution_device() const { return {}; }
};

// One device of a kind present on this machine (GPU.0 and GPU.1 of the GPU), and its state.
struct DeviceInstance {
    std::string name;
    std::string state = "ready";
    std::string description = {};  // what tells it from the others, e.g. the GPU's model
};

// A backend: says which nodes it can run and compiles whole models. It also answers the
// questions the runtime, the config check and `bench` ask every device alike.
class Device {
  public:
    virtual ~Device() = default;
    virtual std::string name() const = 0;
    // One line for `edgesight devices`, e.g. the CPU model and ISA.
    virtual std::string description() const { return name(); }
    // The instances present now: one named after the device unless it has several.
    virtual std::vector<DeviceInstance> instances() const { return {{name()}}; }
    // How many requests it runs at once at full speed (the CPU's cores): the runtime sizes
    // streams, threads and requests from it.
    virtual int compute_units() const = 0;
    // Its own peak rate with `threads` threads in all, in GFLOP/s: what `bench` compares a
    // model's rate with. nullopt where it has none.
    virtual std::optional<double> peak_gflops(int /*threads*/) const { return std::nullopt; }
    virtual bool supports(const graph::Node& node) const = 0;
    virtual std::unique_ptr<Executable> compile(std::shared_ptr<const graph::Model> model,
                                                const CompileOptions& options) const = 0;
};

// "Type-version: count" for every op of `model` that `device` cannot run; "" when it runs them all.
std::string unsupported_ops(const Device& device, const graph::Model& model);

// The names `device` answers to: its own, then those of its instances that differ from it.
inline std::vector<std::string> names_of(const Device& device) {
    std::vector<std::string> names = {device.name()};
    for (const DeviceInstance& instance : device.instances())
        if (instance.name != names[0]) names.push_back(instance.name);
    return names;
}

}  // namespace es::runtime
