#include "devices/cpu/post_ops.h"

#include "devices/cpu/quantization.h"

#include "inference/graph/op.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <utility>

namespace es::devices::cpu {
namespace {

using Algorithm = dnnl::algorithm;
using Kind = FusedOp::Kind;

constexpr float k_infinity = std::numeric_limits<float>::infinity();
// The input scale of a FakeQuantize channel whose input range is a single value.
constexpr float k_degenerate_scale = 1e30f;

enum class Broadcast { none, scalar, per_channel };

// How a constant of shape `operand` broadcasts (NumPy rules) onto `dst` without changing it.
Broadcast broadcast_of(const Shape& operand, const Shape& dst, size_t channel_axis) {
    if (operand.size() > dst.size()) return Broadcast::none;
    const size_t offset = dst.size() - operand.size();
    bool channel = false;
    for (size_t i = 0; i < operand.size(); ++i) {
        if (operand[i] == 1) continue;
        if (offset + i != channel_axis || operand[i] != dst[channel_axis]) return Broadcast::none;
        channel = true;
    }
    return channel ? Broadcast::per_channel : Broadcast::scalar;
}

// The values of a per-channel or scalar constant, as [C] or [1].
Tensor operand_of(const Tensor& constant) {
    return constant.reshaped({static_cast<int64_t>(constant.size())});
}

float scalar_of(const Tensor& constant) {
    return constant.data<float>()[0];
}

bool is_f32(const graph::Output& output) {
    return stored_type(output.type().type) == ElementType::f32;
}

// Whether the chain may write its result over `id`, the value of `residual` (the other input
// of an Add at the end of the chain that starts at `primitive`).
bool can_overwrite(ValueId id, const graph::Output& residual, const graph::Node& add,
                   const graph::Node& primitive, Compiler& compiler) {
    if (!compiler.owns_buffer(id) || compiler.is_model_output(residual)) return false;
    for (const graph::Node* reader : compiler.consumers(residual))
        if (reader != &add && compiler.position(*reader) >= compiler.position(primitive))
            return false;
    return true;
}

// `op` (the Add `add`) as a sum writing over `residual`: over its f32 value, or over the 8-bit
// integers a step wrote for it where it has no f32 form.
std::optional<FusedOp> sum_over(FusedOp op, const graph::Output& residual, const graph::Node& add,
                                const graph::Node& primitive, Compiler& compiler) {
    op.kind = Kind::sum;
    if (const auto id = compiler.computed(residual)) {
        if (!can_overwrite(*id, residual, add, primitive, compiler)) return std::nullopt;
        op.residual = *id;
        return op;
    }
    const auto written = compiler.quantized(residual);
    const auto meaning = written ? integer_meaning(written->grid) : std::nullopt;
    if (!meaning || !can_overwrite(written->id, residual, add, primitive, compiler))
        return std::nullopt;
    op.residual = written->id;
    op.integer_residual = IntegerResidual{meaning->scale, meaning->shift, written->grid.type};
    return op;
}

// `op` made a binary post-op of `algorithm` whose operand is the computed value `tensor`.
void read_tensor(FusedOp& op, Algorithm algorithm, ValueId tensor, Compiler& compiler) {
    op.kind = Kind::binary;
    op.binary = algorithm;
    op.tensor = tensor;
    op.tensor_desc = compiler.value(tensor).desc;
}

// `op` as a binary post-op of `type` reading `other`, a value already computed with the
// destination's shape `dst`, as its operand (`self` is the input the chain so far feeds).
std::optional<FusedOp> tensor_binary(FusedOp op, const std::string& type, size_t self,
                                     const graph::Output& other, Compiler& compiler,
                                     const Shape& dst) {
    static const std::map<std::string, Algorithm> algorithms = {
        {"Add", Algorithm::binary_add},
        {"Multiply", Algorithm::binary_mul},
        {"Maximum", Algorithm::binary_max},
        {"Minimum", Algorithm::binary_min},
        {"Subtract", Algorithm::binary_sub}};
    const auto algorithm = algorithms.find(type);
    const auto id = compiler.computed(other);
    if (algorithm == algorithms.end() || (type == "Subtract" && self != 0) || !id)
        return std::nullopt;
    const Value& operand = compiler.value(*id);
    if (operand.type != ElementType::f32 || operand.desc.dims() != dnnl_dims(dst))
        return std::nullopt;
    read_tensor(op, algorithm->second, *id, compiler);
    return op;
}

// The fused form of `next`, which reads `current` (the chain's output so far, of shape `dst`).
std::optional<FusedOp> classify(const graph::Node& next, const graph::Output& current,
                                const graph::Node& primitive, Compiler& compiler, const Shape& dst,
                                const FusionRules& rules, bool may_fold, bool has_sum) {
    FusedOp op;
    op.node = &next;
    if (next.outputs.size() != 1 || compiler.shape_of(output_of(next)) != dst ||
        !is_f32(output_of(next)))
        return std::nullopt;
    if (next.type == "FakeQuantize") {
        auto fake_quantize = fake_quantize_op(next, compiler, dst);
        if (!fake_quantize || next.inputs[0].source != current) return std::nullopt;
        op.kind = Kind::fake_quantize;
        op.fake_quantize = std::move(*fake_quantize);
        return op;
    }
    if (auto eltwise = eltwise_ops(next, compiler)) {
        op.kind = Kind::eltwise;
        op.eltwise = std::move(*eltwise);
        return op;
    }
    if (next.inputs.size() != 2) return std::nullopt;
    const size_t self = next.inputs[0].source == current ? 0 : 1;
    const graph::Output other = next.inputs[1 - self].source;
    if (!is_f32(other)) return std::nullopt;
    const Tensor* constant = compiler.constant(other);
    const std::string& type = next.type;

    if (type == "PReLU") {
        if (!constant || self != 0) return std::nullopt;
        const bool channel_slope = constant->rank() == 1 && dst.size() >= 2 &&
                                   constant->shape()[0] == dst[1] && rules.channel_axis == 1;
        const Broadcast broadcast = channel_slope
                                        ? (dst[1] == 1 ? Broadcast::scalar : Broadcast::per_channel)
                                        : broadcast_of(constant->shape(), dst, rules.channel_axis);
        if (broadcast == Broadcast::none) return std::nullopt;
        op.kind = Kind::prelu;
        op.operand = operand_of(*constant);
        return op;
    }
    if (!constant) {
        if (type == "Add" && rules.sum && !has_sum && compiler.shape_of(other) == dst)
            if (auto sum = sum_over(op, other, next, primitive, compiler)) return sum;
        return tensor_binary(op, type, self, other, compiler, dst);
    }
    const Broadcast broadcast = broadcast_of(constant->shape(), dst, rules.channel_axis);
    if (broadcast == Broadcast::none) return std::nullopt;
    const Tensor operand = operand_of(*constant);
    const bool scalar = broadcast == Broadcast::scalar;
    const auto linear = [&](float alpha, float beta) {
        op.kind = Kind::eltwise;
        op.eltwise = {{Algorithm::eltwise_linear, alpha, beta}};
        return op;
    };
    const auto binary = [&](Algorithm algorithm) {
        op.kind = Kind::binary;
        op.binary = algorithm;
        op.operand = operand;
        return op;
    };
    if (type == "Add") {
        if (may_fold) {
            op.kind = Kind::shift;
            op.operand = operand;
            return op;
        }
        return scalar ? linear(1, scalar_of(operand)) : binary(Algorithm::binary_add);
    }
    if (type == "Multiply") {
        if (may_fold) {
            op.kind = Kind::scale;
            op.operand = operand;
            return op;
        }
        return scalar ? linear(scalar_of(operand), 0) : binary(Algorithm::binary_mul);
    }
    if (type == "Subtract") {
        if (self == 1) return scalar ? linear(-1, scalar_of(operand)) : std::optional<FusedOp>();
        return scalar ? linear(1, -scalar_of(operand)) : binary(Algorithm::binary_sub);
    }
    if (type == "Divide" && self == 0) return binary(Algorithm::binary_div);
    if (type == "Maximum") {
        if (!scalar) return binary(Algorithm::binary_max);
        op.kind = Kind::eltwise;
        op.eltwise = {{Algorithm::eltwise_clip, scalar_of(operand), k_infinity}};
        return op;
    }
    if (type == "Minimum") {
        if (!scalar) return binary(Algorithm::binary_min);
        op.kind = Kind::eltwise;
        op.eltwise = {{Algorithm::eltwise_clip, -k_infinity, scalar_of(operand)}};
        return op;
    }
    return std::nullopt;
}

// Dimensions of a per-channel operand ([1, C, 1 …]) or a scalar one ([1, 1 …]).
dnnl::memory::desc operand_desc(const Tensor& operand, size_t rank, size_t channel_axis) {
    dnnl::memory::dims dims(rank, 1);
    if (operand.size() > 1) dims[channel_axis] = static_cast<dnnl::memory::dim>(operand.size());
    return plain_desc(ElementType::f32, Shape(dims.begin(), dims.end()));
}

}  // namespace

std::optional<std::vector<EltwiseOp>> eltwise_ops(const graph::Node& node, Compiler& compiler) {
    if (node.inputs.empty() || node.outputs.size() != 1 || !is_f32(node.inputs[0].source))
        return std::nullopt;
    const std::string& type = node.type;
    const auto one = [](Algorithm algorithm, float alpha = 0, float beta = 0) {
        return std::vector<EltwiseOp>{{algorithm, alpha, beta}};
    };
    const size_t inputs = node.inputs.size();
    if (type == "PReLU") {  // one slope for everything: a leaky ReLU
        const Tensor* slope = compiler.constant_input(node, 1);
        if (!slope || slope->type() != ElementType::f32 || slope->size() != 1) return std::nullopt;
        return one(Algorithm::eltwise_relu, scalar_of(*slope));
    }
    if (type == "Swish") {
        float beta = 1;
        if (inputs == 2) {
            const Tensor* value = compiler.constant_input(node, 1);
            if (!value || value->size() != 1 || value->type() != ElementType::f32)
                return std::nullopt;
            beta = scalar_of(*value);
        }
        return one(Algorithm::eltwise_swish, beta);
    }
    if (inputs != 1) return std::nullopt;
    const auto& attributes = node.attributes;
    if (type == "ReLU") return one(Algorithm::eltwise_relu);
    if (type == "Clamp")
        return one(Algorithm::eltwise_clip, static_cast<float>(attributes.get_float("min")),
                   static_cast<float>(attributes.get_float("max")));
    if (type == "Elu")
        return one(Algorithm::eltwise_elu, static_cast<float>(attributes.get_float("alpha")));
    if (type == "Sigmoid") return one(Algorithm::eltwise_logistic);
    if (type == "Tanh") return one(Algorithm::eltwise_tanh);
    if (type == "HSwish") return one(Algorithm::eltwise_hardswish);
    // min(max(x + 3, 0), 6) / 6 = clip(x / 6 + 1/2, 0, 1)
    if (type == "HSigmoid")
        return std::vector<EltwiseOp>{{Algorithm::eltwise_linear, 1.0f / 6, 0.5f},
                                      {Algorithm::eltwise_clip, 0, 1}};
    if (type == "Exp") return one(Algorithm::eltwise_exp);
    if (type == "Log") return one(Algorithm::eltwise_log);
    if (type == "Sqrt") return one(Algorithm::eltwise_sqrt);
    if (type == "Abs") return one(Algorithm::eltwise_abs);
    if (type == "Negative") return one(Algorithm::eltwise_linear, -1, 0);
    if (type == "Mish") return one(Algorithm::eltwise_mish);
    if (type == "SoftPlus") return one(Algorithm::eltwise_soft_relu);
    if (type == "Gelu") {
        const bool tanh = node.op && node.op->since_opset >= 7 &&
                          attributes.get_string("approximation_mode", "erf") == "tanh";
        return one(tanh ? Algorithm::eltwise_gelu_tanh : Algorithm::eltwise_gelu_erf);
    }
    return std::nullopt;
}

std::optional<FakeQuantizeOp> fake_quantize_op(const graph::Node& node, Compiler& compiler,
                                               const Shape& dst) {
    if (node.inputs.size() != 5 || !is_f32(node.inputs[0].source)) return std::nullopt;
    const int64_t levels = node.attributes.get_int("levels");
    if (levels < 2) return std::nullopt;
    std::vector<const Tensor*> limits;
    size_t count = 1;
    for (size_t i = 1; i < 5; ++i) {
        const Tensor* value = compiler.constant_input(node, i);
        if (!value || value->type() != ElementType::f32 ||
            broadcast_of(value->shape(), dst, 1) == Broadcast::none)
            return std::nullopt;
        limits.push_back(value);
        count = std::max(count, value->size());
    }
    // Every limit as `count` values.
    const auto spread = [&](const Tensor& limit) {
        Tensor values(ElementType::f32, {static_cast<int64_t>(count)});
        for (size_t c = 0; c < count; ++c)
            values.data<float>()[c] = limit.data<float>()[limit.size() > 1 ? c : 0];
        return values;
    };
    FakeQuantizeOp op{spread(*limits[0]),
                      spread(*limits[1]),
                      spread(*limits[2]),
                      spread(*limits[3]),
                      static_cast<float>(levels - 1),
                      std::nullopt};
    for (size_t c = 0; c < count; ++c)  // inverted ranges select their ends the other way
        if (!(op.in_low.data<float>()[c] <= op.in_high.data<float>()[c])) return std::nullopt;
    return op;
}

std::optional<ValueId> PostOpChain::residual(size_t count) const {
    const auto sum = sum_index();
    if (!sum || *sum >= count) return std::nullopt;
    return ops[*sum].residual;
}

std::optional<size_t> PostOpChain::sum_index() const {
    for (size_t i = 0; i < ops.size(); ++i)
        if (ops[i].kind == Kind::sum) return i;
    return std::nullopt;
}

std::optional<size_t> PostOpChain::tensor_op_index() const {
    for (size_t i = 0; i < ops.size(); ++i)
        if (ops[i].tensor >= 0) return i;
    return std::nullopt;
}

PostOpChain PostOpChain::with_sum_read(Compiler& compiler) const {
    PostOpChain reading = *this;
    for (FusedOp& op : reading.ops)
        if (op.kind == Kind::sum)
            read_tensor(op, Algorithm::binary_add, std::exchange(op.residual, -1), compiler);
    return reading;
}

bool PostOpChain::quantizes_before(size_t count) const {
    for (size_t i = folded; i < count; ++i)
        if (ops[i].kind == Kind::fake_quantize) return true;
    return false;
}

PostOpChain PostOpChain::before_integer_sum() const {
    PostOpChain before = *this;
    const auto sum = sum_index();
    if (sum && ops[*sum].integer_residual) before.ops.resize(*sum);
    return before;
}

PostOpChain collect_post_ops(const graph::Node& node, Compiler& compiler, const Shape& dst,
                             const FusionRules& rules) {
    PostOpChain chain;
    graph::Output current = output_of(node);
    bool has_sum = false;
    while (const graph::Node* next = compiler.sole_consumer(current)) {
        const bool may_fold = rules.fold && chain.folded == chain.ops.size();
        auto op = classify(*next, current, node, compiler, dst, rules, may_fold, has_sum);
        if (!op || !chain.accepts_after(*op)) break;
        if (op->kind == Kind::scale || op->kind == Kind::shift) ++chain.folded;
        has_sum = has_sum || op->kind == Kind::sum;
        chain.ops.push_back(std::move(*op));
        current = output_of(*next);
    }
    return chain;
}

namespace {

// One oneDNN post-op.
struct PostOpEntry {
    enum class Kind { eltwise, binary, prelu, sum } kind;
    dnnl::algorithm algorithm = dnnl::algorithm::undef;
    float alpha = 0;
    float beta = 0;
    Tensor operand = {};  // binary, prelu
    ValueId tensor = -1;  // binary: a computed operand in place of `operand`
    dnnl::memory::desc tensor_desc = {};
    std::optional<IntegerResidual> integers = {};  // sum: of a residual of 8-bit integers
};

// `count` copies of `value`, as [count].
Tensor filled(size_t count, float value) {
    Tensor tensor(ElementType::f32, {static_cast<int64_t>(count)});
    std::fill_n(tensor.data<float>(), count, value);
    return tensor;
}

// oneDNN 2.6's JIT kernels give every eltwise post-op of one algorithm the constants of the
// first post-op of that algorithm. So an eltwise op that repeats an algorithm with other
// constants is merged into the post-op before it where the two compose (linear after linear,
// clip after an overlapping clip), or takes another algorithm computing the same forward
// (clip_v2 for clip, pow with exponent 1 for a linear without shift), or else is written as
// binary ops with scalar operands. A clip after a ReLU always merges into it.
bool same_constants(const PostOpEntry& entry, const EltwiseOp& op) {
    return entry.alpha == op.alpha && entry.beta == op.beta;
}

bool merged_into_last(std::vector<PostOpEntry>& entries, const EltwiseOp& op) {
    if (entries.empty() || entries.back().kind != PostOpEntry::Kind::eltwise ||
        entries.back().algorithm != op.algorithm)
        return false;
    PostOpEntry& last = entries.back();
    if (op.algorithm == Algorithm::eltwise_linear) {
        last.beta = op.alpha * last.beta + op.beta;
        last.alpha *= op.alpha;
        return true;
    }
    if (op.algorithm == Algorithm::eltwise_clip && op.alpha <= last.beta && last.alpha <= op.beta) {
        last.alpha = std::max(last.alpha, op.alpha);
        last.beta = std::min(last.beta, op.beta);
        return true;
    }
    return false;
}

bool repeats_with_other_constants(const std::vector<PostOpEntry>& entries, const EltwiseOp& op) {
    return std::any_of(entries.begin(), entries.end(), [&](const PostOpEntry& entry) {
        return entry.kind == PostOpEntry::Kind::eltwise && entry.algorithm == op.algorithm &&
               !same_constants(entry, op);
    });
}

// The forms of `op` with the same forward result, itself first.
std::vector<EltwiseOp> equivalent_forms(const EltwiseOp& op) {
    std::vector<EltwiseOp> forms = {op};
    const auto with = [&](Algorithm algorithm, float alpha, float beta) {
        forms.push_back({algorithm, alpha, beta});
    };
    if (op.algorithm == Algorithm::eltwise_clip) {
        with(Algorithm::eltwise_clip_v2, op.alpha, op.beta);
        with(Algorithm::eltwise_clip_v2_use_dst_for_bwd, op.alpha, op.beta);
    } else if (op.algorithm == Algorithm::eltwise_relu && op.alpha >= 0) {
        with(Algorithm::eltwise_relu_use_dst_for_bwd, op.alpha, 0);
    } else if (op.algorithm == Algorithm::eltwise_linear && op.beta == 0) {
        with(Algorithm::eltwise_pow, op.alpha, 1);
    }
    return forms;
}

void add_eltwise(std::vector<PostOpEntry>& entries, const EltwiseOp& op) {
    using EntryKind = PostOpEntry::Kind;
    if (op.algorithm == Algorithm::eltwise_clip && !entries.empty() &&
        entries.back().kind == EntryKind::eltwise &&
        entries.back().algorithm == Algorithm::eltwise_relu && entries.back().alpha == 0) {
        entries.pop_back();
        add_eltwise(entries, {Algorithm::eltwise_clip, std::max(op.alpha, 0.0f), op.beta});
        return;
    }
    if (repeats_with_other_constants(entries, op) && merged_into_last(entries, op)) return;
    for (const EltwiseOp& form : equivalent_forms(op))
        if (!repeats_with_other_constants(entries, form)) {
            entries.push_back({EntryKind::eltwise, form.algorithm, form.alpha, form.beta, {}});
            return;
        }
    const auto binary = [&](Algorithm algorithm, float value) {
        entries.push_back({EntryKind::binary, algorithm, 0, 0, filled(1, value)});
    };
    if (op.algorithm == Algorithm::eltwise_linear) {
        if (op.alpha != 1) binary(Algorithm::binary_mul, op.alpha);
        if (op.beta != 0) binary(Algorithm::binary_add, op.beta);
    } else if (op.algorithm == Algorithm::eltwise_clip) {
        binary(Algorithm::binary_max, op.alpha);
        binary(Algorithm::binary_min, op.beta);
    } else if (op.algorithm == Algorithm::eltwise_relu && op.alpha == 0) {
        binary(Algorithm::binary_max, 0.0f);
    } else {
        entries.push_back({EntryKind::eltwise, op.algorithm, op.alpha, op.beta, {}});
    }
}

// Whether two eltwise entries share an algorithm but not their constants.
bool has_conflict(const std::vector<PostOpEntry>& entries) {
    for (size_t i = 0; i < entries.size(); ++i)
        for (size_t j = 0; j < i; ++j)
            if (entries[i].kind == PostOpEntry::Kind::eltwise &&
                entries[j].kind == PostOpEntry::Kind::eltwise &&
                entries[i].algorithm == entries[j].algorithm &&
                (entries[i].alpha != entries[j].alpha || entries[i].beta != entries[j].beta))
                return true;
    return false;
}

bool is_uniform(const Tensor& values) {
    const float* data = values.data<float>();
    return std::all_of(data, data + values.size(), [&](float value) { return value == data[0]; });
}

// x * scale + shift, per channel or as one eltwise op.
void add_affine(std::vector<PostOpEntry>& entries, const Tensor& scale, const Tensor& shift) {
    if (is_uniform(scale) && is_uniform(shift)) {
        if (scalar_of(scale) != 1 || scalar_of(shift) != 0)
            add_eltwise(entries, {Algorithm::eltwise_linear, scalar_of(scale), scalar_of(shift)});
        return;
    }
    if (!is_uniform(scale) || scalar_of(scale) != 1)
        entries.push_back({PostOpEntry::Kind::binary, Algorithm::binary_mul, 0, 0, scale});
    if (!is_uniform(shift) || scalar_of(shift) != 0)
        entries.push_back({PostOpEntry::Kind::binary, Algorithm::binary_add, 0, 0, shift});
}

// FakeQuantize as level = round(clip(x * in_scale + in_shift, 0, levels - 1)), then
// level * out_scale + out_low (or level + integer_offset). With one range for the tensor the
// clip comes first, on the input range, where it merges with a Clamp before it.
void add_fake_quantize(std::vector<PostOpEntry>& entries, const FakeQuantizeOp& op) {
    const size_t count = op.in_low.size();
    const float steps = op.levels_minus_one;
    Tensor in_scale = filled(count, 0);
    Tensor in_shift = filled(count, 0);
    Tensor out_scale = filled(count, 0);
    for (size_t c = 0; c < count; ++c) {
        const float low = op.in_low.data<float>()[c];
        const float width = op.in_high.data<float>()[c] - low;
        // An empty range maps everything above it to the top level.
        const float scale = width > 0 ? steps / width : k_degenerate_scale;
        in_scale.data<float>()[c] = scale;
        in_shift.data<float>()[c] = -low * scale;
        out_scale.data<float>()[c] =
            (op.out_high.data<float>()[c] - op.out_low.data<float>()[c]) / steps;
    }
    const bool one_range = is_uniform(op.in_low) && is_uniform(op.in_high) &&
                           scalar_of(op.in_high) > scalar_of(op.in_low);
    if (one_range) {
        add_eltwise(entries,
                    {Algorithm::eltwise_clip, scalar_of(op.in_low), scalar_of(op.in_high)});
        add_affine(entries, in_scale, in_shift);
    } else {
        add_affine(entries, in_scale, in_shift);
        add_eltwise(entries, {Algorithm::eltwise_clip, 0, steps});
    }
    // An 8-bit write rounds halves to even as well, and adding an even offset after the
    // rounding does not change it.
    if (!op.integer_offset || std::fmod(*op.integer_offset, 2.0f) != 0)
        add_eltwise(entries, {Algorithm::eltwise_round, 0, 0});
    if (!op.integer_offset)
        add_affine(entries, out_scale, op.out_low);
    else if (*op.integer_offset != 0)
        add_eltwise(entries, {Algorithm::eltwise_linear, 1, *op.integer_offset});
}

// x * scale + shift with one value or one per channel, where `entry` is an eltwise linear or
// a binary mul or add by a constant; nullopt otherwise.
std::optional<std::pair<Tensor, Tensor>> affine_of(const PostOpEntry& entry) {
    if (entry.kind == PostOpEntry::Kind::eltwise && entry.algorithm == Algorithm::eltwise_linear)
        return std::pair{filled(1, entry.alpha), filled(1, entry.beta)};
    if (entry.kind != PostOpEntry::Kind::binary || entry.tensor >= 0) return std::nullopt;
    const size_t count = entry.operand.size();
    if (entry.algorithm == Algorithm::binary_mul) return std::pair{entry.operand, filled(count, 0)};
    if (entry.algorithm == Algorithm::binary_add) return std::pair{filled(count, 1), entry.operand};
    return std::nullopt;
}

// `entries` with each run of affine entries (a FakeQuantize's output scale, then a Multiply and
// an Add per channel, then the next FakeQuantize's input scale) composed into one scale and one
// shift: every binary post-op costs the kernel a load and an operation per vector.
std::vector<PostOpEntry> compose_affine_runs(std::vector<PostOpEntry> entries) {
    std::vector<PostOpEntry> composed;
    std::optional<std::pair<Tensor, Tensor>> run;  // scale, shift
    const auto flush = [&] {
        if (run) add_affine(composed, run->first, run->second);
        run.reset();
    };
    for (PostOpEntry& entry : entries) {
        auto affine = affine_of(entry);
        if (affine && run && affine->first.size() > 1 && run->first.size() > 1 &&
            affine->first.size() != run->first.size())
            flush();
        if (!affine) {
            flush();
            composed.push_back(std::move(entry));
            continue;
        }
        if (!run) {
            run = {affine->first.clone(), affine->second.clone()};
            continue;
        }
        const size_t count = std::max(run->first.size(), affine->first.size());
        Tensor scale = filled(count, 0);
        Tensor shift = filled(count, 0);
        const auto at = [](const Tensor& values, size_t c) {
            return values.data<float>()[values.size() == 1 ? 0 : c];
        };
        for (size_t c = 0; c < count; ++c) {
            scale.data<float>()[c] = at(run->first, c) * at(affine->first, c);
            shift.data<float>()[c] =
                at(run->second, c) * at(affine->first, c) + at(affine->second, c);
        }
        run = {std::move(scale), std::move(shift)};
    }
    flush();
    return composed;
}

std::vector<PostOpEntry> expand(const PostOpChain& chain, size_t count) {
    using EntryKind = PostOpEntry::Kind;
    std::vector<PostOpEntry> entries;
    for (size_t i = chain.folded; i < count; ++i) {
        const FusedOp& op = chain.ops[i];
        switch (op.kind) {
            case Kind::eltwise:
                for (const EltwiseOp& eltwise : op.eltwise)
                    add_eltwise(entries, eltwise);
                break;
            case Kind::binary:
                entries.push_back(
                    {EntryKind::binary, op.binary, 0, 0, op.operand, op.tensor, op.tensor_desc});
                break;
            case Kind::prelu:
                entries.push_back({EntryKind::prelu, Algorithm::undef, 0, 0, op.operand});
                break;
            case Kind::sum:
                // Before the sum, where it may merge into a linear op.
                if (op.integer_residual && op.integer_residual->shift != 0)
                    add_eltwise(entries,
                                {Algorithm::eltwise_linear, 1, op.integer_residual->shift});
                entries.push_back({.kind = EntryKind::sum, .integers = op.integer_residual});
                break;
            case Kind::fake_quantize:
                add_fake_quantize(entries, op.fake_quantize);
                break;
            case Kind::scale:
            case Kind::shift:
                break;
        }
    }
    return compose_affine_runs(std::move(entries));
}

}  // namespace

bool PostOpChain::accepts_after(const FusedOp& op) const {
    PostOpChain longer = *this;
    longer.ops.push_back(op);
    return !has_conflict(expand(longer, longer.ops.size()));
}

dnnl::post_ops make_post_ops(const PostOpChain& chain, size_t count, size_t rank,
                             size_t channel_axis) {
    dnnl::post_ops post_ops;
    for (const PostOpEntry& entry : expand(chain, count)) {
        switch (entry.kind) {
            case PostOpEntry::Kind::eltwise:
                post_ops.append_eltwise(1.0f, entry.algorithm, entry.alpha, entry.beta);
                break;
            case PostOpEntry::Kind::binary:
                post_ops.append_binary(entry.algorithm,
                                       entry.tensor >= 0
                                           ? entry.tensor_desc
                                           : operand_desc(entry.operand, rank, channel_axis));
                break;
            case PostOpEntry::Kind::prelu:
                post_ops.append_prelu(entry.operand.size() > 1 ? 1 << channel_axis : 0);
                break;
            case PostOpEntry::Kind::sum:
                if (entry.integers)
                    post_ops.append_sum(entry.integers->scale, entry.integers->type);
                else
                    post_ops.append_sum(1.0f);
                break;
        }
    }
    return post_ops;
}

std::vector<PrimitiveArg> post_op_args(const PostOpChain& chain, size_t count, size_t rank,
                                       size_t channel_axis, Compiler& compiler) {
    std::vector<PrimitiveArg> args;
    int index = 0;
    for (const PostOpEntry& entry : expand(chain, count)) {
        if (entry.tensor >= 0) {
            args.push_back({DNNL_ARG_ATTR_MULTIPLE_POST_OP(index) | DNNL_ARG_SRC_1, entry.tensor});
        } else if (entry.kind == PostOpEntry::Kind::binary ||
                   entry.kind == PostOpEntry::Kind::prelu) {
            const bool binary = entry.kind == PostOpEntry::Kind::binary;
            const dnnl::memory::desc desc =
                binary ? operand_desc(entry.operand, rank, channel_axis)
                       : plain_desc(ElementType::f32, entry.operand.shape());
            args.push_back({DNNL_ARG_ATTR_MULTIPLE_POST_OP(index) |
                                (binary ? DNNL_ARG_SRC_1 : DNNL_ARG_WEIGHTS),
                            compiler.add_weights(entry.operand, desc, desc)});
        }
        ++index;
    }
    return args;
}

graph::Output finish_fusion(const PostOpChain& chain, size_t count, const graph::Node& node,
                            Compiler& compiler) {
    graph::Output output = output_of(node);
    for (size_t i = 0; i < count; ++i) {
        if (chain.ops[i].node != &node) compiler.fuse(*chain.ops[i].node, node);
        output = output_of(*chain.ops[i].node);
    }
    return output;
}

namespace {

// The clip bounds of a ReLU or Clamp op, or nullopt for any other op.
std::optional<std::pair<float, float>> clip_bounds(const FusedOp& op) {
    if (op.kind != FusedOp::Kind::eltwise || op.eltwise.size() != 1) return std::nullopt;
    const EltwiseOp& eltwise = op.eltwise[0];
    if (eltwise.algorithm == dnnl::algorithm::eltwise_clip)
        return std::pair{eltwise.alpha, eltwise.beta};
    if (eltwise.algorithm == dnnl::algorithm::eltwise_relu && eltwise.alpha == 0)
        return std::pair{0.0f, std::numeric_limits<float>::infinity()};
    return std::nullopt;
}

// Whether `op` commutes with a positive scale: ReLU with any slope, PReLU.
bool positively_homogeneous(const FusedOp& op) {
    if (op.kind == FusedOp::Kind::prelu) return true;
    return op.kind == FusedOp::Kind::eltwise && op.eltwise.size() == 1 &&
           op.eltwise[0].algorithm == dnnl::algorithm::eltwise_relu;
}

}  // namespace

std::optional<AbsorbedInput> absorb_fake_quantize_input(PostOpChain& chain, size_t channels) {
    size_t index = chain.folded;
    bool clips = false;
    bool homogeneous = false;
    for (; index < chain.ops.size() && chain.ops[index].kind != FusedOp::Kind::fake_quantize;
         ++index) {
        const bool clip = clip_bounds(chain.ops[index]).has_value();
        if (!clip && !positively_homogeneous(chain.ops[index])) return std::nullopt;
        clips = clips || clip;
        homogeneous = homogeneous || !clip;
    }
    // Past ReLU and Clamp ops whose bounds hold the input range the whole step is absorbed;
    // past ops that commute with a positive scale (leaky ReLU, PReLU) only the scale is.
    if (index == chain.ops.size() || (clips && homogeneous)) return std::nullopt;
    FakeQuantizeOp& fake_quantize = chain.ops[index].fake_quantize;
    const float* low = fake_quantize.in_low.data<float>();
    const float* high = fake_quantize.in_high.data<float>();
    const size_t count = fake_quantize.in_low.size();
    if (count != 1 && count != channels) return std::nullopt;
    for (size_t c = 0; c < count; ++c) {
        if (!(high[c] > low[c])) return std::nullopt;
        for (size_t i = chain.folded; i < index && clips; ++i) {
            const auto [clip_low, clip_high] = *clip_bounds(chain.ops[i]);
            if (low[c] < clip_low || high[c] > clip_high) return std::nullopt;
        }
    }
    const float levels = fake_quantize.levels_minus_one;
    AbsorbedInput absorbed{index, {}, {}};
    for (size_t c = 0; c < channels; ++c) {
        const size_t range = count > 1 ? c : 0;
        const float scale = levels / (high[range] - low[range]);
        absorbed.scale.push_back(scale);
        absorbed.shift.push_back(homogeneous ? 0.0f : -low[range] * scale);
    }
    if (homogeneous) {
        Tensor scaled_low = filled(count, 0);
        Tensor scaled_high = filled(count, 0);
        for (size_t c = 0; c < count; ++c) {
            scaled_low.data<float>()[c] = low[c] * absorbed.scale[c];
            scaled_high.data<float>()[c] = scaled_low.data<float>()[c] + levels;
        }
        fake_quantize.in_low = std::move(scaled_low);
        fake_quantize.in_high = std::move(scaled_high);
        return absorbed;
    }
    for (size_t i = chain.folded; i < index; ++i)
        chain.ops[i].eltwise.clear();
    fake_quantize.in_low = filled(count, 0);
    fake_quantize.in_high = filled(count, levels);
    return absorbed;
}

void fold_into(const PostOpChain& chain, Tensor& weights, std::vector<float>& bias) {
    const size_t channels = bias.size();
    const size_t row = weights.size() / channels;
    float* w = weights.data<float>();
    for (size_t i = 0; i < chain.folded; ++i) {
        const FusedOp& op = chain.ops[i];
        const float* values = op.operand.data<float>();
        for (size_t c = 0; c < channels; ++c) {
            const float value = values[op.operand.size() > 1 ? c : 0];
            if (op.kind == FusedOp::Kind::shift) {
                bias[c] += value;
                continue;
            }
            bias[c] *= value;
            for (size_t k = 0; k < row; ++k)
                w[c * row + k] *= value;
        }
    }
}

}  // namespace es::devices::cpu
