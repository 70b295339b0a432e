#include "inference/graph/ops/eltwise_common.h"

#include "inference/graph/broadcast.h"

#include <algorithm>
#include <cctype>

namespace es::graph::ops {
namespace {

std::string lowercase(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// Merges two shapes that must be identical (auto_broadcast none).
PartialShape merge_identical(const PartialShape& a, const PartialShape& b, size_t a_input,
                             size_t b_input) {
    if (!a.rank_known()) return b;
    if (!b.rank_known()) return a;
    bool compatible = a.rank() == b.rank();
    PartialShape merged = a;
    for (size_t i = 0; compatible && i < a.rank(); ++i) {
        if (a[i] >= 0 && b[i] >= 0 && a[i] != b[i]) compatible = false;
        if (a[i] < 0) merged[i] = b[i];
    }
    if (!compatible)
        throw_bad_input("auto_broadcast is 'none' but input {} has shape {} and input {} has {}",
                        a_input, to_string(a), b_input, to_string(b));
    return merged;
}

}  // namespace

AutoBroadcast auto_broadcast_of(const Attributes& attributes) {
    const std::string mode = lowercase(attributes.get_string("auto_broadcast", "numpy"));
    if (mode == "numpy") return AutoBroadcast::numpy;
    if (mode == "none") return AutoBroadcast::none;
    if (mode == "pdpd")
        throw_bad_input(
            "attribute 'auto_broadcast': 'pdpd' broadcasting is not supported, "
            "expected 'numpy' or 'none'");
    throw_bad_input(
        "attribute 'auto_broadcast': '{}' is not a broadcast mode, expected 'numpy' "
        "or 'none'",
        mode);
}

PartialShape broadcast_inputs(const InferContext& context, AutoBroadcast mode,
                              std::initializer_list<size_t> inputs) {
    const size_t first = *inputs.begin();
    PartialShape result = context.input(first).shape;
    for (size_t i : inputs) {
        if (i == first) continue;
        const PartialShape& shape = context.input(i).shape;
        if (mode == AutoBroadcast::none) {
            result = merge_identical(result, shape, first, i);
            continue;
        }
        try {
            result = broadcast_shapes(result, shape);
        } catch (const Error& error) {
            rethrow_with_context(error, fmt::format("input {}", i));
        }
    }
    return result;
}

void expect_broadcasts_to(const InferContext& context, size_t i, const char* what,
                          const PartialShape& target, AutoBroadcast mode) {
    const PartialShape& shape = context.input(i).shape;
    if (mode == AutoBroadcast::none) {
        merge_identical(target, shape, 0, i);
        return;
    }
    if (!shape.rank_known() || !target.rank_known()) return;
    bool fits = shape.rank() <= target.rank();
    const size_t offset = fits ? target.rank() - shape.rank() : 0;
    for (size_t d = 0; fits && d < shape.rank(); ++d) {
        const int64_t from = shape[d];
        const int64_t to = target[offset + d];
        if (from >= 0 && to >= 0 && from != to && from != 1) fits = false;
    }
    if (!fits)
        throw_bad_input("input {} ({}) has shape {}, which does not broadcast to {}", i, what,
                        to_string(shape), to_string(target));
}

void expect_same_type(const InferContext& context, size_t i, size_t reference) {
    const ElementType type = context.input(i).type;
    const ElementType expected = context.input(reference).type;
    if (type != expected)
        throw_bad_input("input {} has element type {}, expected {} like input {}", i,
                        to_string(type), to_string(expected), reference);
}

void expect_numeric(const InferContext& context, size_t i, const char* what) {
    const ElementType type = context.input(i).type;
    if (!is_float(type) && !is_integer(type))
        throw_bad_input("input {} ({}) has element type {}, expected a numeric type", i, what,
                        to_string(type));
}

void expect_float(const InferContext& context, size_t i, const char* what) {
    const ElementType type = context.input(i).type;
    if (!is_float(type))
        throw_bad_input("input {} ({}) has element type {}, expected a floating-point type", i,
                        what, to_string(type));
}

void expect_boolean(const InferContext& context, size_t i, const char* what) {
    const ElementType type = context.input(i).type;
    if (type != ElementType::boolean)
        throw_bad_input("input {} ({}) has element type {}, expected boolean", i, what,
                        to_string(type));
}

BroadcastPlan make_broadcast_plan(const Shape& dst, std::span<const Shape> sources) {
    BroadcastPlan plan;
    plan.total = shape_size(dst);
    plan.strides.resize(sources.size());
    std::vector<std::vector<size_t>> full;
    for (const Shape& source : sources)
        full.push_back(broadcast_strides(source, dst));
    for (size_t d = 0; d < dst.size(); ++d) {
        if (dst[d] == 1) continue;
        const size_t dim = static_cast<size_t>(dst[d]);
        // An outer dimension merges into the next when, for every source, stepping it once
        // equals walking the whole inner dimension.
        bool merges = !plan.dims.empty();
        for (size_t k = 0; merges && k < sources.size(); ++k)
            merges = plan.strides[k].back() == full[k][d] * dim;
        if (merges) {
            plan.dims.back() *= dst[d];
            for (size_t k = 0; k < sources.size(); ++k)
                plan.strides[k].back() = full[k][d];
        } else {
            plan.dims.push_back(dst[d]);
            for (size_t k = 0; k < sources.size(); ++k)
                plan.strides[k].push_back(full[k][d]);
        }
    }
    if (plan.dims.empty()) {
        plan.dims.push_back(1);
        for (auto& strides : plan.strides)
            strides.push_back(0);
    }
    return plan;
}

}  // namespace es::graph::ops
