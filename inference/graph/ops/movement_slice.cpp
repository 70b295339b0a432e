#include "inference/graph/ops/movement.h"

#include <algorithm>
#include <limits>

namespace es::graph::ops::movement {
namespace {

// Which elements of one input axis a slice takes: start, start + step, … (`count` of them).
struct AxisSlice {
    int64_t start = 0;
    int64_t step = 1;
    int64_t count = k_dynamic;
};

// Python's dim[begin:end:step]; a missing begin or end means "from the first element in the
// direction of step" or "through the last one". Out-of-range bounds are clamped.
AxisSlice slice_dim(int64_t dim, std::optional<int64_t> begin, std::optional<int64_t> end,
                    int64_t step) {
    if (step == 0) throw_bad_input("a slice step is 0");
    if (dim < 0) return {0, step, k_dynamic};
    auto resolve = [dim](int64_t index, int64_t low, int64_t high) {
        return std::clamp(index < 0 ? index + dim : index, low, high);
    };
    if (step > 0) {
        const int64_t start = begin ? resolve(*begin, 0, dim) : 0;
        const int64_t stop = end ? resolve(*end, 0, dim) : dim;
        return {start, step, stop > start ? (stop - start - 1) / step + 1 : 0};
    }
    // Going backwards, -1 stands for "before the first element".
    const int64_t start = begin ? resolve(*begin, -1, dim - 1) : dim - 1;
    const int64_t stop = end ? resolve(*end, -1, dim - 1) : -1;
    const int64_t magnitude =
        step == std::numeric_limits<int64_t>::min() ? std::numeric_limits<int64_t>::max() : -step;
    return {start, step, start > stop ? (start - stop - 1) / magnitude + 1 : 0};
}

struct SlicePlan {
    PartialShape output;
    std::vector<AxisSlice> axes;  // one per input axis; counts known when the output is static
};

// Copies the planned slice of `src` into `dst` (whose shape may add or drop unit axes).
void copy_slice(const Tensor& src, const SlicePlan& plan, Tensor& dst) {
    const auto strides = element_strides(src.shape());
    int64_t offset = 0;
    std::vector<int64_t> steps;
    Shape counts;
    for (size_t i = 0; i < plan.axes.size(); ++i) {
        offset += plan.axes[i].start * strides[i];
        steps.push_back(plan.axes[i].step * strides[i]);
        counts.push_back(plan.axes[i].count);
    }
    copy_strided(src.bytes(), element_size(src.type()), offset, steps, counts, dst.bytes());
}

std::vector<AxisSlice> full_axes(const PartialShape& shape) {
    std::vector<AxisSlice> axes;
    for (int64_t dim : shape.dims())
        axes.push_back({0, 1, dim});
    return axes;
}

// StridedSlice

struct StridedSliceMasks {
    std::vector<int64_t> begin, end, new_axis, shrink_axis, ellipsis;

    explicit StridedSliceMasks(const Attributes& attributes)
        : begin(attributes.get_ints("begin_mask", {})),
          end(attributes.get_ints("end_mask", {})),
          new_axis(attributes.get_ints("new_axis_mask", {})),
          shrink_axis(attributes.get_ints("shrink_axis_mask", {})),
          ellipsis(attributes.get_ints("ellipsis_mask", {})) {}

    // Masks shorter than begin/end count as zero-padded; extra bits are ignored.
    static bool set(const std::vector<int64_t>& mask, size_t i) {
        return i < mask.size() && mask[i] != 0;
    }
};

using OptionalValues = std::optional<std::vector<int64_t>>;

// Slicing entry i (of `entries`) consumes input axes one by one, except that a new axis
// consumes none and the ellipsis consumes every axis the other entries leave over.
SlicePlan plan_strided_slice(const PartialShape& input, size_t entries,
                             const StridedSliceMasks& masks, const OptionalValues& begin,
                             const OptionalValues& end, const OptionalValues& strides) {
    const size_t rank = input.rank();
    size_t ellipses = 0, consuming = 0;
    for (size_t i = 0; i < entries; ++i) {
        if (StridedSliceMasks::set(masks.ellipsis, i))
            ++ellipses;
        else if (!StridedSliceMasks::set(masks.new_axis, i))
            ++consuming;
    }
    if (ellipses > 1) throw_bad_input("attribute 'ellipsis_mask' sets more than one bit");
    if (consuming > rank)
        throw_bad_input("{} slicing entries consume input axes, but the input has rank {}",
                        consuming, rank);
    SlicePlan plan{PartialShape(std::vector<int64_t>{}), full_axes(input)};
    std::vector<int64_t> dims;
    size_t axis = 0;
    for (size_t i = 0; i < entries; ++i) {
        if (StridedSliceMasks::set(masks.ellipsis, i)) {
            for (size_t hidden = rank - consuming; hidden > 0; --hidden)
                dims.push_back(input[axis++]);
            continue;
        }
        if (StridedSliceMasks::set(masks.new_axis, i)) {
            dims.push_back(1);
            continue;
        }
        const int64_t dim = input[axis];
        AxisSlice& slice = plan.axes[axis++];
        if (StridedSliceMasks::set(masks.shrink_axis, i)) {
            // Shrinking takes the single element at begin[i]; it is not clamped.
            slice.count = 1;
            if (!begin) continue;
            const int64_t index = (*begin)[i];
            if (dim >= 0 && (index < -dim || index >= dim))
                throw_bad_input("begin[{}] = {} is out of range for the shrunk axis of size {}", i,
                                index, dim);
            slice.start = index < 0 && dim >= 0 ? index + dim : index;
            continue;
        }
        const bool begin_masked = StridedSliceMasks::set(masks.begin, i);
        const bool end_masked = StridedSliceMasks::set(masks.end, i);
        const std::optional<int64_t> step = strides ? std::optional((*strides)[i]) : std::nullopt;
        if (step && *step == 0) throw_bad_input("input 3 (strides) holds 0 at {}", i);
        if (!step || (!begin_masked && !begin) || (!end_masked && !end)) {
            slice.count = k_dynamic;
            dims.push_back(k_dynamic);
            continue;
        }
        slice = slice_dim(dim, begin_masked ? std::nullopt : std::optional((*begin)[i]),
                          end_masked ? std::nullopt : std::optional((*end)[i]), *step);
        dims.push_back(slice.count);
    }
    while (axis < rank)
        dims.push_back(input[axis++]);
    plan.output = PartialShape(std::move(dims));
    return plan;
}

// The number of slicing entries (the length of begin, end and strides), or nullopt.
std::optional<size_t> entry_count(const InferContext& context) {
    std::optional<size_t> count;
    const char* names[] = {"", "begin", "end", "strides"};
    for (size_t i = 1; i < context.input_count(); ++i) {
        std::optional<size_t> length;
        if (const auto values = constant_ints(context, i)) {
            length = values->size();
        } else {
            const auto& shape = context.input(i).shape;
            if (shape.rank_known() && shape[0] >= 0) length = static_cast<size_t>(shape[0]);
        }
        if (length && count && *length != *count)
            throw_bad_input("input {} ({}) has {} values, expected {} like begin", i, names[i],
                            *length, *count);
        if (length) count = length;
    }
    return count;
}

SlicePlan plan_from_context(const InferContext& context) {
    const char* names[] = {"", "begin", "end", "strides"};
    for (size_t i = 1; i < context.input_count(); ++i) {
        expect_integer(context, i, names[i]);
        expect_rank(context, i, 1, names[i]);
    }
    const PartialShape& input = context.input(0).shape;
    const auto entries = entry_count(context);
    if (!input.rank_known() || !entries) return {PartialShape::dynamic_rank(), {}};
    OptionalValues strides(std::vector<int64_t>(*entries, 1));
    if (context.input_count() > 3) strides = constant_ints(context, 3);
    return plan_strided_slice(input, *entries, StridedSliceMasks(context.attributes()),
                              constant_ints(context, 1), constant_ints(context, 2), strides);
}

// Slice-8

SlicePlan plan_slice(const InferContext& context) {
    const char* names[] = {"data", "start", "stop", "step", "axes"};
    std::optional<size_t> entries;
    for (size_t i = 1; i < context.input_count(); ++i) {
        expect_integer(context, i, names[i]);
        expect_rank(context, i, 1, names[i]);
        const auto& shape = context.input(i).shape;
        if (!shape.rank_known() || shape[0] < 0) continue;
        if (entries && *entries != static_cast<size_t>(shape[0]))
            throw_bad_input("input {} ({}) has {} values, expected {} like the others", i, names[i],
                            shape[0], *entries);
        entries = static_cast<size_t>(shape[0]);
    }
    const PartialShape& input = context.input(0).shape;
    if (!input.rank_known()) return {PartialShape::dynamic_rank(), {}};
    const size_t rank = input.rank();
    if (rank == 0) throw_bad_input("input 0 (data) is a scalar");
    OptionalValues axes;
    if (context.input_count() > 4) {
        axes = constant_ints(context, 4);
    } else if (entries) {
        if (*entries > rank)
            throw_bad_input("{} slice entries without axes, but the data has rank {}", *entries,
                            rank);
        axes.emplace(*entries);
        for (size_t i = 0; i < *entries; ++i)
            (*axes)[i] = static_cast<int64_t>(i);
    }
    SlicePlan plan{input, full_axes(input)};
    if (!axes) {
        plan.output = PartialShape::dynamic_of_rank(rank);
        return plan;
    }
    std::vector<size_t> normalized;
    for (int64_t axis : *axes) {
        const auto a = normalize_axis(axis, rank);
        if (!a) throw_bad_input("input 4 (axes) holds {}, out of range for rank {}", axis, rank);
        if (std::find(normalized.begin(), normalized.end(), *a) != normalized.end())
            throw_bad_input("input 4 (axes) holds axis {} twice", axis);
        normalized.push_back(*a);
    }
    const auto start = constant_ints(context, 1);
    const auto stop = constant_ints(context, 2);
    const auto step = constant_ints(context, 3);
    for (size_t i = 0; i < normalized.size(); ++i) {
        const size_t axis = normalized[i];
        if (!start || !stop || !step) {
            plan.output[axis] = k_dynamic;
            continue;
        }
        plan.axes[axis] = slice_dim(input[axis], (*start)[i], (*stop)[i], (*step)[i]);
        plan.output[axis] = plan.axes[axis].count;
    }
    return plan;
}

}  // namespace

std::vector<PortType> infer_strided_slice(const InferContext& context) {
    return {{context.input(0).type, plan_from_context(context).output}};
}

std::vector<PortType> infer_slice(const InferContext& context) {
    return {{context.input(0).type, plan_slice(context).output}};
}

namespace {

// Kernels re-plan from the concrete inputs, as shape inference sees them all constant.
SlicePlan plan_for_inputs(const Node& node, std::span<const Tensor> inputs,
                          SlicePlan (*plan)(const InferContext&)) {
    std::vector<PortType> types;
    std::vector<const Tensor*> values;
    for (const Tensor& input : inputs) {
        types.push_back({input.type(), PartialShape(input.shape())});
        values.push_back(&input);
    }
    return plan(InferContext{node, types, values});
}

}  // namespace

void evaluate_strided_slice(const Node& node, std::span<const Tensor> inputs,
                            std::vector<Tensor>& outputs) {
    copy_slice(inputs[0], plan_for_inputs(node, inputs, plan_from_context), outputs[0]);
}

void evaluate_slice(const Node& node, std::span<const Tensor> inputs,
                    std::vector<Tensor>& outputs) {
    copy_slice(inputs[0], plan_for_inputs(node, inputs, plan_slice), outputs[0]);
}

}  // namespace es::graph::ops::movement
