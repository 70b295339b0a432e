#pragma once

// What the GPU device compiles a model into: the model's values, each on the device, on the
// host or both, and the steps that compute them in order: OpenCL kernels, buffer copies, and
// segments of the nodes without a kernel, compiled as sub-models on the host device.

#include "devices/gpu/opencl.h"
#include "inference/graph/model.h"
#include "inference/runtime/device.h"

#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace es::devices::gpu {

// One value of the model (a node's output).
struct Value {
    graph::PortType type;
    bool on_gpu = false;    // has a device buffer
    bool on_host = false;   // read on the host: by a host segment or as a model output
    bool from_gpu = false;  // computed by a kernel or a copy (else by the host, or given)
    int view_of = -1;       // shares that value's buffer (Reshape and its kind)
    int constant = -1;      // index of its device buffer in Plan::constants
    int parameter = -1;     // index of the model input it is
    int slot = -1;          // its request buffer, shared with values not alive at the same time
    Tensor host_constant;   // a Const read on the host (a model output)
    size_t bytes() const;
};

struct KernelArg {
    enum class Kind { value, constant, integer, real };
    Kind kind = Kind::integer;
    int index = 0;  // of the value, or the constant
    int integer = 0;
    float real = 0;
};

struct KernelStep {
    std::string kernel;
    std::vector<KernelArg> args;
    std::vector<size_t> global;  // work size, 1 to 3 dimensions
};

// Rows of `bytes` bytes from one buffer to another (one input of a Concat).
struct CopyStep {
    int source = 0;
    int destination = 0;
    size_t rows = 0;
    size_t bytes = 0;
    size_t source_pitch = 0;
    size_t destination_pitch = 0;
    size_t destination_offset = 0;
};

struct HostStep {
    std::unique_ptr<runtime::Executable> executable;
    std::vector<int> inputs;   // values, in the sub-model's Parameter order
    std::vector<int> outputs;  // values, in its Result order
};

struct Step {
    std::variant<KernelStep, CopyStep, HostStep> work;
    std::vector<const graph::Node*> nodes;  // what it computes, for the profile
};

struct Plan {
    std::shared_ptr<graph::Model> model;  // constants folded
    std::vector<Value> values;
    std::vector<Buffer> constants;  // shared by every context
    std::vector<Step> steps;
    std::vector<const graph::Node*> views;  // nodes computed as views of their input
    std::vector<int> inputs;                // the value of each Parameter
    std::vector<int> outputs;               // the value each Result reads
    std::vector<size_t> slot_bytes;         // the size of each request buffer
};

// Plans `model` (static shapes) for `context`: a kernel for every node the device has one for,
// host segments compiled on `host` for the rest.
Plan make_plan(std::shared_ptr<const graph::Model> model, cl_context context,
               cl_command_queue queue, const runtime::Device& host,
               const runtime::CompileOptions& options);

// Gives each device value that is neither a constant nor a view a slot: one buffer holds values
// whose lifetimes (from the first step that touches them to the last) do not overlap.
void assign_slots(Plan& plan);

}  // namespace es::devices::gpu
