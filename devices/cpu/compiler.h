#pragma once

#include "devices/cpu/plan.h"
#include "devices/cpu/steps.h"
#include "inference/runtime/device.h"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace es::devices::cpu {

// `node`'s output `port` (graph::Node::output is not const).
inline graph::Output output_of(const graph::Node& node, size_t port = 0) {
    return {const_cast<graph::Node*>(&node), port};
}

// f32 wherever the model says f16: the device computes floats in f32.
inline ElementType stored_type(ElementType type) {
    return type == ElementType::f16 ? ElementType::f32 : type;
}

// 8-bit integers q standing for real values: step * (q - zero_point - zero_offset), one step for
// the tensor or one per channel (axis 1). OpenVINO's low precision form writes them as a
// FakeQuantize output level = q - level_offset on a grid whose level `level_zero` is 0.0: u8 takes
// the level itself with that zero point, s8 (symmetric ranges) the level less `level_zero`.
//
// A grid with a step per channel, without an int8 dot product or with a zero point per channel
// (which integers cannot hold), keeps each value over its channel's step as f32 (type f32): f32
// convolutions reading them fold the steps into their weights, which leaves the writer a clip,
// a rounding and at most a per-channel shift in place of per-channel arithmetic.
struct ActivationQuantization {
    // u8, s8, or f32: each value over its channel's step, as a float (a level where the
    // channel's zero is on level 0)
    dnnl::memory::data_type type;
    std::vector<float> steps;  // [1] or one per channel
    int32_t level_zero = 0;
    // Where 0.0 lies from level `level_zero`, in steps, as `steps`: ranges stored in f16 move it
    // off the level by a few hundredths of a step. Convolutions correct for it in their bias.
    std::vector<float> zero_offsets;

    int32_t zero_point() const { return type == dnnl::memory::data_type::u8 ? level_zero : 0; }
    // What the integers add to the FakeQuantize level.
    int32_t level_offset() const { return type == dnnl::memory::data_type::s8 ? -level_zero : 0; }
    bool per_channel() const { return steps.size() > 1; }
};

// Primitive attributes every primitive is made with: the scratchpad comes from the arena.
dnnl::primitive_attr default_attr();

// Builds the Plan of a model for concrete input shapes: folds constants, asks the primitive
// families (primitive_family.h) to lower each node, falls back to reference kernels, inserts
// the reorders that layouts need and plans the arena. The families see it through the methods
// below.
class Compiler {
  public:
    // `model` is not modified; the plan keeps a folded copy of it.
    static std::shared_ptr<const Plan> compile(const graph::Model& model,
                                               const std::vector<Shape>& input_shapes,
                                               const runtime::CompileOptions& options);

    // The value computed for `output` (a constant's is made on first use, and so is the f32
    // form of a quantized one).
    ValueId value_of(const graph::Output& output);
    ValueId input_value(const graph::Node& node, size_t input) {
        return value_of(node.inputs.at(input).source);
    }
    // The value of `output` if a step has computed it already.
    std::optional<ValueId> computed(const graph::Output& output) const;
    // A copy: adding values may move the plan's.
    Value value(ValueId id) const { return m_plan->values[static_cast<size_t>(id)]; }
    // The value of a Const output as f32 (where the model says f16); nullptr when not constant.
    const Tensor* constant(const graph::Output& output);
    const Tensor* constant_input(const graph::Node& node, size_t input) {
        return constant(node.inputs.at(input).source);
    }
    // Static shape of an output (what shape inference gave for this plan's inputs).
    const Shape& shape_of(const graph::Output& output) const;
    // The only node reading `output`, unless it has several readers or is a model output.
    const graph::Node* sole_consumer(const graph::Output& output) const;
    const std::vector<const graph::Node*>& consumers(const graph::Output& output) const;
    bool is_model_output(const graph::Output& output) const;
    // Position of a node in execution order.
    size_t position(const graph::Node& node) const { return m_position.at(&node); }
    // True when `id` lives alone in its arena buffer, so a step may overwrite it in place.
    bool owns_buffer(ValueId id) const;

    // `id` in layout `desc`: itself, or a reordered copy (made once per layout).
    ValueId to_layout(ValueId id, const dnnl::memory::desc& desc);
    // The f32 value `id`, which lies on `grid`, as the grid's integers in the layout of `desc`
    // (made once per value, desc and grid): what an int8 primitive reads.
    ValueId to_quantized(ValueId id, const dnnl::memory::desc& desc,
                         const ActivationQuantization& grid);
    ValueId to_plain(ValueId id);
    // A new value with its own arena buffer.
    ValueId add_value(const std::string& name, ElementType type, const Shape& shape,
                      const dnnl::memory::desc& desc);
    // How an alias relates to the value whose memory it shares.
    enum class Alias {
        view,      // read only by the step being added (an operand seen with other dimensions)
        reshape,   // a value of its own that later steps read, like its base
        in_place,  // a result written over its base, which nothing reads any more
    };
    // A value sharing the memory of `base`.
    ValueId add_alias(ValueId base, const std::string& name, const Shape& shape,
                      const dnnl::memory::desc& desc, Alias kind);
    // Whether `id` can be placed inside another value: an arena value not yet placed.
    bool can_place(ValueId id) const;
    // Places the buffer of `id` (with every value sharing it) inside the buffer of `parent`,
    // `offset` bytes in; neither buffer is written over in place afterwards.
    void place_inside(ValueId id, ValueId parent, size_t offset);
    // Records for the profile that placements alone compute `node`.
    void computed_in_place(const graph::Node& node);
    // Weights: `weights` (laid out as `src_desc`) reordered now into `desc`, owned by the plan.
    ValueId add_weights(Tensor weights, const dnnl::memory::desc& src_desc,
                        const dnnl::memory::desc& desc);
    void define(const graph::Output& output, ValueId id);
    // An 8-bit value `id` holding `output` as the integers of `grid`.
    struct QuantizedValue {
        ValueId id;
        ActivationQuantization grid;
    };
    // Records that a step computed `output` only as `id`: value_of() then makes its f32 form
    // with a dequantizing reorder when a step reads it so.
    void define_quantized(const graph::Output& output, ValueId id,
                          const ActivationQuantization& grid);
    std::optional<QuantizedValue> quantized(const graph::Output& output) const;
    // Records that `node` is computed by the step of `into` (a post-op).
    void fuse(const graph::Node& node, const graph::Node& into);
    bool is_fused(const graph::Node& node) const { return m_fused.count(&node) > 0; }
    // Adds a step running `primitive` for `node`; the profile names its implementation, then
    // `source` where given (what the source holds: "levels").
    void add_primitive(const graph::Node& node, const dnnl::primitive_desc_base& primitive,
                       std::vector<PrimitiveArg> args, std::string_view source = {});
    void add_step(std::unique_ptr<Step> step);

  private:
    Compiler(std::shared_ptr<graph::Model> model, const std::vector<Shape>& input_shapes,
             bool exact_int8);
    void build();
    void add_inputs();
    void lower(const graph::Node& node);
    void lower_to_reference(const graph::Node& node);
    void add_outputs();
    // Whether the step computing `id` can write the caller's output tensor itself: a plain
    // value alone in its buffer.
    bool writes_output_directly(ValueId id) const;
    void plan_memory();
    ValueId add_value_in(Storage storage, int index, const std::string& name, ElementType type,
                         const Shape& shape, const dnnl::memory::desc& desc);

    std::shared_ptr<graph::Model> m_model;
    std::shared_ptr<Plan> m_plan;
    std::vector<graph::Node*> m_parameters;
    std::vector<graph::Node*> m_results;
    std::unordered_map<const graph::Node*, size_t> m_position;
    std::map<std::pair<const graph::Node*, size_t>, std::vector<const graph::Node*>> m_consumers;
    std::map<std::pair<const graph::Node*, size_t>, ValueId> m_values;
    std::map<std::pair<const graph::Node*, size_t>, QuantizedValue> m_quantized;
    std::map<std::pair<const graph::Node*, size_t>, Tensor> m_constants;
    // How a reorder rescales: dst = (src - src_zero_point) * scales[c] + dst_zero_point.
    struct Rescale {
        std::vector<float> scales{1.0f};
        int32_t src_zero_point = 0;
        int32_t dst_zero_point = 0;
        bool operator==(const Rescale&) const = default;
    };
    ValueId reordered(ValueId id, const dnnl::memory::desc& desc, const Rescale& rescale);

    struct Reordered {
        ValueId src;
        dnnl::memory::desc desc;
        Rescale rescale;
        ValueId dst;
    };
    std::vector<Reordered> m_reordered;
    std::unordered_set<const graph::Node*> m_fused;
    std::set<std::pair<const graph::Node*, size_t>> m_model_outputs;
    std::vector<int> m_buffer_users;  // values sharing each buffer
};

}  // namespace es::devices::cpu
