#pragma once

// The compiled form of a model for one set of input shapes: the values, where each lives, and
// the steps that compute them. A Plan is immutable once built and shared by every context made
// from it; a Frame holds one context's memory.

#include "devices/cpu/dnnl_util.h"
#include "inference/graph/model.h"

#include <memory>
#include <string>
#include <vector>

namespace es::devices::cpu {

using ValueId = int;

enum class Storage {
    arena,     // a buffer of the context's arena; index: the buffer
    input,     // the caller's input tensor; index: the model input
    output,    // the caller's output tensor; index: the model output
    constant,  // a tensor the plan owns (weights); index: the constant
    dynamic,   // a tensor made at run time, its shape data-dependent; index: the slot
};

// One tensor of the schedule.
struct Value {
    std::string name;
    ElementType type = ElementType::f32;  // f32 wherever the model says f16
    Shape shape;                          // empty when dynamic
    dnnl::memory::desc desc;              // its layout; plain unless a primitive chose another
    Storage storage = Storage::arena;
    int index = 0;
};

// A region of the arena: several values may share one (aliases such as Reshape, in-place sums).
struct Buffer {
    size_t bytes = 0;
    int first_step = 0;  // the step that writes it first
    int last_step = 0;   // the last step that reads it
    size_t offset = 0;   // assigned by the memory plan
    // A buffer placed inside another one (an input of a Concat done in place, inside the
    // Concat's output) lives at `offset_in_parent` bytes into `parent` and has no room of its own.
    int parent = -1;
    size_t offset_in_parent = 0;
};

class Frame;

// One context's runnable form of a step: oneDNN memory objects bound to the context's buffers.
class StepInstance {
  public:
    virtual ~StepInstance() = default;
    virtual void run(Frame& frame) = 0;
};

// One unit of the schedule: a oneDNN primitive (with the nodes fused into it) or a reference
// kernel.
class Step {
  public:
    virtual ~Step() = default;
    virtual std::unique_ptr<StepInstance> instantiate(Frame& frame) const = 0;
    // Bytes of oneDNN scratchpad the step needs (taken from the context's arena).
    virtual size_t scratchpad_bytes() const { return 0; }

    std::string name;            // the node it computes (the first, when it fuses several)
    std::string type;            // its op type
    std::string implementation;  // oneDNN's implementation, or "ref"
    std::vector<ValueId> reads;
    std::vector<ValueId> writes;
};

// A node computed without a step of its own, for the layer profile: as a post-op of another
// step ("fused into conv1"), or by its inputs writing into its buffer ("in place").
struct StepFreeNode {
    std::string name;
    std::string type;
    std::string implementation;
};

struct Plan {
    std::shared_ptr<const graph::Model> model;  // the folded model the steps refer to
    std::vector<Value> values;
    std::vector<Tensor> constants;
    std::vector<Buffer> buffers;
    std::vector<std::unique_ptr<Step>> steps;
    std::vector<StepFreeNode> step_free;
    std::vector<ValueId> outputs;     // per model output: the value holding it
    std::vector<Shape> input_shapes;  // the shapes the plan was built for
    size_t arena_bytes = 0;           // buffers and scratchpad
    size_t scratchpad_offset = 0;
    size_t dynamic_slots = 0;
    size_t weight_bytes = 0;
};

// One context's memory for a plan: the arena, and where this run's inputs and outputs are.
class Frame {
  public:
    explicit Frame(const Plan& plan);

    const Plan& plan() const { return m_plan; }
    // Points input and output values at this run's tensors.
    void bind(const std::vector<Tensor>& inputs, std::vector<Tensor>& outputs);
    std::byte* address(ValueId value) const;
    // True for values whose address changes between runs (the caller's tensors, dynamic ones).
    bool is_volatile(ValueId value) const;
    std::byte* scratchpad() const { return m_arena.get() + m_plan.scratchpad_offset; }
    const Tensor& input(int index) const { return (*m_inputs)[static_cast<size_t>(index)]; }
    Tensor& dynamic(int slot) { return m_dynamic[static_cast<size_t>(slot)]; }
    const dnnl::stream& stream() const { return m_stream; }

  private:
    struct Free {
        void operator()(std::byte* memory) const { std::free(memory); }
    };

    const Plan& m_plan;
    std::unique_ptr<std::byte, Free> m_arena;
    const std::vector<Tensor>* m_inputs = nullptr;
    std::vector<Tensor>* m_outputs = nullptr;
    std::vector<Tensor> m_dynamic;
    dnnl::stream m_stream;
};

}  // namespace es::devices::cpu
