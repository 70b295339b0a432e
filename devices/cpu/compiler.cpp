#include "devices/cpu/compiler.h"

#include "devices/cpu/graph_rewrites.h"
#include "devices/cpu/memory_plan.h"
#include "devices/cpu/primitive_family.h"
#include "inference/core/error.h"
#include "inference/graph/op.h"
#include "inference/graph/shape_inference.h"
#include "inference/passes/constant_folding.h"

#include <climits>

namespace es::devices::cpu {
namespace {

using OutputKey = std::pair<const graph::Node*, size_t>;

OutputKey key_of(const graph::Output& output) {
    return {output.node, output.port};
}

size_t bytes_of(ElementType type, const Shape& shape, const dnnl::memory::desc& desc) {
    return desc.is_zero() ? shape_size(shape) * element_size(type) : desc.get_size();
}

}  // namespace

dnnl::primitive_attr default_attr() {
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    return attr;
}

std::shared_ptr<const Plan> Compiler::compile(const graph::Model& model,
                                              const std::vector<Shape>& input_shapes,
                                              const runtime::CompileOptions& options) {
    return on_own_thread([&] {
        const ThreadScope threads(options.threads_per_stream);
        Compiler compiler(std::make_shared<graph::Model>(model.clone()), input_shapes,
                          options.exact_int8);
        compiler.build();
        return compiler.m_plan;
    });
}

Compiler::Compiler(std::shared_ptr<graph::Model> model, const std::vector<Shape>& input_shapes,
                   bool exact_int8)
    : m_model(std::move(model)), m_plan(std::make_shared<Plan>()) {
    m_parameters = m_model->parameters();
    m_results = m_model->results();
    if (input_shapes.size() != m_parameters.size())
        throw_runtime("{} input shapes for {} inputs", input_shapes.size(), m_parameters.size());
    std::vector<std::pair<std::string, PartialShape>> reshaped;
    for (size_t i = 0; i < m_parameters.size(); ++i)
        if (!m_parameters[i]->outputs[0].type.shape.is_static() ||
            m_parameters[i]->outputs[0].type.shape.to_shape() != input_shapes[i])
            reshaped.emplace_back(m_parameters[i]->name, PartialShape(input_shapes[i]));
    if (!reshaped.empty()) graph::reshape(*m_model, reshaped);
    passes::fold_constants(*m_model, {.for_device = true});
    recognize_hswish(*m_model);
    if (!has_int8_dot_product() && !exact_int8 && !exact_int8_requested())
        for (const std::string& name : skip_activation_quantization(*m_model))
            m_plan->step_free.push_back({name, "FakeQuantize", "skipped: no 8-bit dot product"});
    fold_crelu(*m_model);
    hoist_elementwise_over_moves(*m_model);
    if (has_int8_dot_product()) split_concat_convolutions(*m_model);
    m_plan->model = m_model;
    m_plan->input_shapes = input_shapes;

    const auto& nodes = m_model->nodes();
    for (size_t i = 0; i < nodes.size(); ++i) {
        m_position[nodes[i].get()] = i;
        for (const auto& input : nodes[i]->inputs) {
            m_consumers[key_of(input.source)].push_back(nodes[i].get());
            if (nodes[i]->type == "Result") m_model_outputs.insert(key_of(input.source));
        }
    }
}

void Compiler::build() {
    add_inputs();
    for (const auto& node : m_model->nodes()) {
        if (node->type == "Parameter" || node->type == "Const" || node->type == "Result") continue;
        if (is_fused(*node)) continue;
        try {
            lower(*node);
        } catch (const dnnl::error& error) {
            throw_runtime("{}: oneDNN: {}", node->describe(), error.what());
        } catch (const Error& error) {
            rethrow_with_context(error, node->describe());
        }
    }
    add_outputs();
    plan_memory();
}

void Compiler::add_inputs() {
    for (size_t i = 0; i < m_parameters.size(); ++i) {
        const graph::Node& parameter = *m_parameters[i];
        const ElementType type = parameter.outputs[0].type.type;
        const Shape& shape = m_plan->input_shapes[i];
        const ValueId input = add_value_in(Storage::input, static_cast<int>(i), parameter.name,
                                           type, shape, plain_desc(type, shape));
        if (type != ElementType::f16) {
            define(output_of(parameter), input);
            continue;
        }
        const ValueId converted =
            add_value(parameter.name, ElementType::f32, shape, plain_desc(ElementType::f32, shape));
        add_step(std::make_unique<HalfToFloatStep>(input, converted));
        m_plan->steps.back()->name = parameter.name;
        define(output_of(parameter), converted);
    }
}

void Compiler::lower(const graph::Node& node) {
    if (!node.op || !node.op->evaluate)
        throw_bad_input("has no kernel ({}-{} is not supported)", node.type, node.version);
    bool known_shapes = true;
    for (const auto& input : node.inputs) {
        if (input.source.node->type == "Const" || quantized(input.source)) continue;
        known_shapes = known_shapes && value(value_of(input.source)).storage != Storage::dynamic;
    }
    for (const auto& output : node.outputs)
        known_shapes = known_shapes && output.type.shape.is_static();
    if (known_shapes) {
        for (const LoweringEntry& entry : lowerings())
            if (entry.op_type == node.type && entry.lower(node, *this)) return;
    }
    lower_to_reference(node);
}

void Compiler::lower_to_reference(const graph::Node& node) {
    std::vector<ValueId> inputs;
    std::vector<graph::PortType> input_types;
    std::vector<const Tensor*> input_values;
    for (size_t i = 0; i < node.inputs.size(); ++i) {
        ValueId id = input_value(node, i);
        if (value(id).storage != Storage::dynamic) id = to_plain(id);
        inputs.push_back(id);
        input_types.push_back({stored_type(node.input_type(i).type), node.input_type(i).shape});
        input_values.push_back(constant_input(node, i));
    }
    std::vector<graph::PortType> kernel_outputs =
        node.op->infer(graph::InferContext{node, input_types, input_values});
    std::vector<ValueId> outputs;
    for (size_t i = 0; i < node.outputs.size(); ++i) {
        const graph::PortType& port = node.outputs[i].type;
        const ElementType type = stored_type(port.type);
        const std::string name =
            node.outputs.size() == 1 ? node.name : fmt::format("{}.{}", node.name, i);
        ValueId id;
        if (port.shape.is_static()) {
            const Shape shape = port.shape.to_shape();
            id = add_value(name, type, shape, plain_desc(type, shape));
        } else {
            id = add_value_in(Storage::dynamic, static_cast<int>(m_plan->dynamic_slots++), name,
                              type, {}, {});
        }
        outputs.push_back(id);
        define(output_of(node, i), id);
    }
    add_step(std::make_unique<ReferenceStep>(node, std::move(inputs), std::move(outputs),
                                             std::move(kernel_outputs)));
}

void Compiler::add_outputs() {
    for (size_t i = 0; i < m_results.size(); ++i) {
        const graph::Node& result = *m_results[i];
        const ValueId src = input_value(result, 0);
        const Value source = value(src);
        if (source.storage == Storage::dynamic) {
            m_plan->outputs.push_back(src);
            continue;
        }
        if (writes_output_directly(src)) {
            Value& moved = m_plan->values[static_cast<size_t>(src)];
            moved.storage = Storage::output;
            moved.index = static_cast<int>(i);
            m_plan->outputs.push_back(src);
            continue;
        }
        const ValueId dst =
            add_value_in(Storage::output, static_cast<int>(i), result.name, source.type,
                         source.shape, plain_desc(source.type, source.shape));
        if (source.desc.is_zero()) {
            add_step(std::make_unique<CopyStep>(src, dst));
        } else {
            const dnnl::reorder::primitive_desc reorder(cpu_engine(), source.desc, cpu_engine(),
                                                        value(dst).desc, default_attr());
            add_primitive(result, reorder, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
        }
        m_plan->steps.back()->name = result.name;
        m_plan->steps.back()->type = "Output";
        m_plan->outputs.push_back(dst);
    }
}

bool Compiler::writes_output_directly(ValueId id) const {
    const Value& candidate = m_plan->values[static_cast<size_t>(id)];
    if (candidate.storage != Storage::arena || candidate.desc.is_zero() ||
        !is_plain(candidate.desc) || candidate.desc != plain_desc(candidate.type, candidate.shape))
        return false;
    // Nothing else may see the buffer: not a reshape, a view, an in-place result, or a buffer
    // placed inside it or around it.
    size_t sharing = 0;
    for (const Value& other : m_plan->values)
        sharing += other.storage == Storage::arena && other.index == candidate.index ? 1 : 0;
    for (const Buffer& buffer : m_plan->buffers)
        if (buffer.parent == candidate.index) return false;
    return sharing == 1 && m_plan->buffers[static_cast<size_t>(candidate.index)].parent < 0;
}

void Compiler::plan_memory() {
    auto& buffers = m_plan->buffers;
    for (Buffer& buffer : buffers) {
        buffer.first_step = INT_MAX;
        buffer.last_step = -1;
    }
    // The buffer with room of its own that holds buffer `index`, and where `index` starts in it.
    const auto placement = [&](size_t index) {
        size_t offset = 0;
        for (; buffers[index].parent >= 0; index = static_cast<size_t>(buffers[index].parent))
            offset += buffers[index].offset_in_parent;
        return std::pair{index, offset};
    };
    size_t scratchpad = 0;
    for (size_t s = 0; s < m_plan->steps.size(); ++s) {
        const Step& step = *m_plan->steps[s];
        scratchpad = std::max(scratchpad, step.scratchpad_bytes());
        for (const auto* list : {&step.reads, &step.writes}) {
            for (ValueId id : *list) {
                const Value& used = value(id);
                if (used.storage != Storage::arena) continue;
                Buffer& buffer = buffers[placement(static_cast<size_t>(used.index)).first];
                buffer.first_step = std::min(buffer.first_step, static_cast<int>(s));
                buffer.last_step = std::max(buffer.last_step, static_cast<int>(s));
            }
        }
    }
    // Room for the buffers that are no part of another, then the parts inside them.
    std::vector<Buffer> rooms;
    for (const Buffer& buffer : buffers) {
        rooms.push_back(buffer);
        if (buffer.parent >= 0 || buffer.last_step < 0) rooms.back() = Buffer{};  // no room needed
    }
    const size_t arena = assign_offsets(rooms);
    for (size_t i = 0; i < buffers.size(); ++i) {
        const auto [room, offset] = placement(i);
        buffers[i].offset = rooms[room].offset + offset;
    }
    m_plan->scratchpad_offset = (arena + 63) / 64 * 64;
    m_plan->arena_bytes = m_plan->scratchpad_offset + scratchpad;
}

ValueId Compiler::add_value_in(Storage storage, int index, const std::string& name,
                               ElementType type, const Shape& shape,
                               const dnnl::memory::desc& desc) {
    Value value;
    value.name = name;
    value.type = type;
    value.shape = shape;
    value.desc = desc;
    value.storage = storage;
    value.index = index;
    m_plan->values.push_back(std::move(value));
    return static_cast<ValueId>(m_plan->values.size() - 1);
}

ValueId Compiler::value_of(const graph::Output& output) {
    const auto found = m_values.find(key_of(output));
    if (found != m_values.end()) return found->second;
    if (const auto written = quantized(output)) {
        const Shape shape = value(written->id).shape;
        const ValueId real = reordered(written->id, plain_desc(ElementType::f32, shape),
                                       {written->grid.steps, written->grid.zero_point(), 0});
        m_values[key_of(output)] = real;
        return real;
    }
    const Tensor* constant_value = constant(output);
    if (!constant_value)
        throw_runtime("{} output {} is used before it is computed", output.node->describe(),
                      output.port);
    const ValueId id =
        add_value_in(Storage::constant, static_cast<int>(m_plan->constants.size()),
                     output.node->name, constant_value->type(), constant_value->shape(),
                     plain_desc(constant_value->type(), constant_value->shape()));
    m_plan->constants.push_back(*constant_value);
    m_plan->weight_bytes += constant_value->byte_size();
    m_values[key_of(output)] = id;
    return id;
}

void Compiler::define_quantized(const graph::Output& output, ValueId id,
                                const ActivationQuantization& grid) {
    m_quantized[key_of(output)] = {id, grid};
}

std::optional<Compiler::QuantizedValue> Compiler::quantized(const graph::Output& output) const {
    const auto found = m_quantized.find(key_of(output));
    if (found == m_quantized.end()) return std::nullopt;
    return found->second;
}

std::optional<ValueId> Compiler::computed(const graph::Output& output) const {
    const auto found = m_values.find(key_of(output));
    if (found == m_values.end()) return std::nullopt;
    return found->second;
}

const Tensor* Compiler::constant(const graph::Output& output) {
    if (output.node->type != "Const") return nullptr;
    auto found = m_constants.find(key_of(output));
    if (found == m_constants.end()) {
        const Tensor& value = output.node->value;
        found = m_constants
                    .emplace(key_of(output), value.type() == ElementType::f16
                                                 ? convert(value, ElementType::f32)
                                                 : value)
                    .first;
    }
    return &found->second;
}

const Shape& Compiler::shape_of(const graph::Output& output) const {
    const PartialShape& shape = output.type().shape;
    if (!shape.is_static())
        throw_runtime("{} output {} has no static shape", output.node->describe(), output.port);
    return shape.dims();
}

const graph::Node* Compiler::sole_consumer(const graph::Output& output) const {
    if (is_model_output(output)) return nullptr;
    const auto& readers = consumers(output);
    if (readers.size() != 1) return nullptr;
    // A node reading the output twice (x * x) is not a chain either.
    size_t reads = 0;
    for (const auto& input : readers[0]->inputs)
        reads += input.source == output ? 1 : 0;
    return reads == 1 ? readers[0] : nullptr;
}

const std::vector<const graph::Node*>& Compiler::consumers(const graph::Output& output) const {
    static const std::vector<const graph::Node*> none;
    const auto found = m_consumers.find(key_of(output));
    return found == m_consumers.end() ? none : found->second;
}

bool Compiler::is_model_output(const graph::Output& output) const {
    return m_model_outputs.count(key_of(output)) > 0;
}

bool Compiler::owns_buffer(ValueId id) const {
    const Value& owner = value(id);
    return owner.storage == Storage::arena && m_buffer_users[static_cast<size_t>(owner.index)] == 1;
}

ValueId Compiler::to_layout(ValueId id, const dnnl::memory::desc& desc) {
    return reordered(id, desc, {});
}

ValueId Compiler::to_quantized(ValueId id, const dnnl::memory::desc& desc,
                               const ActivationQuantization& grid) {
    Rescale rescale{{}, 0, grid.zero_point()};
    for (float step : grid.steps)
        rescale.scales.push_back(1.0f / step);
    return reordered(id, desc, rescale);
}

ValueId Compiler::reordered(ValueId id, const dnnl::memory::desc& desc, const Rescale& rescale) {
    const Value& source = value(id);
    const bool identity = rescale == Rescale{};
    if (source.desc == desc && identity) return id;
    for (const Reordered& reordered : m_reordered)
        if (reordered.src == id && reordered.desc == desc && reordered.rescale == rescale)
            return reordered.dst;
    ValueId result;
    if (source.storage == Storage::constant && identity) {
        result =
            add_weights(m_plan->constants[static_cast<size_t>(source.index)], source.desc, desc);
    } else {
        const Value copy = source;
        const ElementType type = element_type_of(desc.data_type(), copy.type);
        result = add_value(copy.name, type, copy.shape, desc);
        dnnl::primitive_attr attr = default_attr();
        if (!identity) {
            attr.set_output_scales(rescale.scales.size() > 1 ? 1 << 1 : 0, rescale.scales);
            if (rescale.src_zero_point != 0)
                attr.set_zero_points(DNNL_ARG_SRC, 0, {rescale.src_zero_point});
            if (rescale.dst_zero_point != 0)
                attr.set_zero_points(DNNL_ARG_DST, 0, {rescale.dst_zero_point});
        }
        const dnnl::reorder::primitive_desc reorder(cpu_engine(), copy.desc, cpu_engine(), desc,
                                                    attr);
        auto step = std::make_unique<PrimitiveStep>(
            dnnl::reorder(reorder),
            std::vector<PrimitiveArg>{{DNNL_ARG_SRC, id}, {DNNL_ARG_DST, result}},
            reorder.scratchpad_desc().get_size());
        step->name = copy.name;
        // Named by what it does to the values: a rescale into integers or into floats (levels
        // held as f32 included), or none.
        step->type = identity ? "Reorder" : type == ElementType::f32 ? "Dequantize" : "Quantize";
        step->implementation = implementation_of(reorder);
        add_step(std::move(step));
    }
    m_reordered.push_back({id, desc, rescale, result});
    return result;
}

ValueId Compiler::to_plain(ValueId id) {
    const Value& source = value(id);
    if (source.desc.is_zero()) return id;
    return to_layout(id, plain_desc(source.type, source.shape));
}

ValueId Compiler::add_value(const std::string& name, ElementType type, const Shape& shape,
                            const dnnl::memory::desc& desc) {
    Buffer buffer;
    buffer.bytes = bytes_of(type, shape, desc);
    m_plan->buffers.push_back(buffer);
    m_buffer_users.push_back(1);
    return add_value_in(Storage::arena, static_cast<int>(m_plan->buffers.size() - 1), name, type,
                        shape, desc);
}

ValueId Compiler::add_alias(ValueId base, const std::string& name, const Shape& shape,
                            const dnnl::memory::desc& desc, Alias kind) {
    const Value source = value(base);
    if (source.storage == Storage::arena && kind == Alias::reshape)
        ++m_buffer_users[static_cast<size_t>(source.index)];
    const ElementType type =
        kind == Alias::in_place ? element_type_of(desc.data_type(), source.type) : source.type;
    return add_value_in(source.storage, source.index, name, type, shape, desc);
}

ValueId Compiler::add_weights(Tensor weights, const dnnl::memory::desc& src_desc,
                              const dnnl::memory::desc& desc) {
    Tensor stored = weights;
    if (src_desc != desc) {
        stored = Tensor(ElementType::u8, {static_cast<int64_t>(desc.get_size())});
        dnnl::memory src(src_desc, cpu_engine(), const_cast<std::byte*>(weights.bytes()));
        dnnl::memory dst(desc, cpu_engine(), stored.bytes());
        dnnl::stream stream(cpu_engine());
        dnnl::reorder(src, dst).execute(stream, src, dst);
        stream.wait();
    }
    const auto dims = desc.dims();
    const ValueId id =
        add_value_in(Storage::constant, static_cast<int>(m_plan->constants.size()), "weights",
                     weights.type(), Shape(dims.begin(), dims.end()), desc);
    m_plan->constants.push_back(stored);
    m_plan->weight_bytes += stored.byte_size();
    return id;
}

bool Compiler::can_place(ValueId id) const {
    const Value& candidate = value(id);
    return candidate.storage == Storage::arena &&
           m_plan->buffers[static_cast<size_t>(candidate.index)].parent < 0;
}

void Compiler::place_inside(ValueId id, ValueId parent, size_t offset) {
    const auto child = static_cast<size_t>(value(id).index);
    const auto container = static_cast<size_t>(value(parent).index);
    m_plan->buffers[child].parent = static_cast<int>(container);
    m_plan->buffers[child].offset_in_parent = offset;
    ++m_buffer_users[child];
    ++m_buffer_users[container];
}

void Compiler::computed_in_place(const graph::Node& node) {
    m_plan->step_free.push_back({node.name, node.type, "in place"});
}

void Compiler::define(const graph::Output& output, ValueId id) {
    m_values[key_of(output)] = id;
}

void Compiler::fuse(const graph::Node& node, const graph::Node& into) {
    m_fused.insert(&node);
    m_plan->step_free.push_back({node.name, node.type, "fused into " + into.name});
}

void Compiler::add_primitive(const graph::Node& node, const dnnl::primitive_desc_base& primitive,
                             std::vector<PrimitiveArg> args, std::string_view source) {
    auto step = std::make_unique<PrimitiveStep>(dnnl::primitive(primitive.get()), std::move(args),
                                                primitive.scratchpad_desc().get_size());
    step->name = node.name;
    step->type = node.type;
    step->implementation = implementation_of(primitive);
    if (!source.empty()) step->implementation += " " + std::string(source);
    add_step(std::move(step));
}

void Compiler::add_step(std::unique_ptr<Step> step) {
    m_plan->steps.push_back(std::move(step));
}

}  // namespace es::devices::cpu
