#include "inference/graph/ops/movement.h"

#include <cmath>

namespace es::graph::ops::movement {
namespace {

// Range

struct RangeValues {
    double start;
    double step;
    int64_t count;
};

// Integer outputs cast the inputs first (toward zero), like a cast to output_type would.
std::optional<RangeValues> range_values(const InferContext& context, ElementType output_type) {
    const char* names[] = {"start", "stop", "step"};
    double values[3] = {};
    bool known = true;
    for (size_t i = 0; i < 3; ++i) {
        const ElementType type = context.input(i).type;
        if (!is_float(type) && !is_integer(type))
            throw_bad_input("input {} ({}) has element type {}, expected a number", i, names[i],
                            to_string(type));
        expect_scalar_or_1d(context, i, names[i]);
        const Tensor* value = context.value(i);
        if (!value) {
            known = false;
            continue;
        }
        if (value->size() != 1)
            throw_bad_input("input {} ({}) must hold one value, found {}", i, names[i],
                            value->size());
        values[i] = value->to_doubles()[0];
        if (!std::isfinite(values[i]))
            throw_bad_input("input {} ({}) is {}", i, names[i], values[i]);
        if (is_integer(output_type)) values[i] = std::trunc(values[i]);
    }
    if (!known) return std::nullopt;
    const auto [start, stop, step] = values;
    if (step == 0) throw_bad_input("input 2 (step) is 0");
    const double count = std::max(std::ceil((stop - start) / step), 0.0);
    if (count > static_cast<double>(int64_t{1} << 44))
        throw_bad_input("range from {} to {} by {} has too many elements", start, stop, step);
    return RangeValues{start, step, static_cast<int64_t>(count)};
}

std::vector<PortType> infer_range(const InferContext& context, ElementType output_type) {
    if (!is_float(output_type) && !is_integer(output_type))
        throw_bad_input("output type {} is not a number type", to_string(output_type));
    const auto values = range_values(context, output_type);
    return {{output_type, PartialShape{values ? values->count : k_dynamic}}};
}

}  // namespace

std::vector<PortType> infer_range_v1(const InferContext& context) {
    const ElementType type = context.input(0).type;
    for (size_t i = 1; i < 3; ++i)
        if (context.input(i).type != type)
            throw_bad_input("input {} has element type {}, expected {} like input 0", i,
                            to_string(context.input(i).type), to_string(type));
    return infer_range(context, type);
}

std::vector<PortType> infer_range_v4(const InferContext& context) {
    return infer_range(context, context.attributes().get_element_type("output_type"));
}

void evaluate_range(const Node& node, std::span<const Tensor> inputs,
                    std::vector<Tensor>& outputs) {
    const ElementType type = outputs[0].type();
    std::vector<PortType> types;
    std::vector<const Tensor*> values;
    for (const Tensor& input : inputs) {
        types.push_back({input.type(), PartialShape(input.shape())});
        values.push_back(&input);
    }
    const auto range = *range_values(InferContext{node, types, values}, type);
    const Shape shape{range.count};
    if (is_integer(type)) {
        // Exact in 64-bit integers, where doubles would round beyond 2^53.
        Tensor sequence(ElementType::i64, shape);
        const auto start = static_cast<int64_t>(range.start);
        const auto step = static_cast<int64_t>(range.step);
        int64_t* data = sequence.data<int64_t>();
        for (int64_t i = 0; i < range.count; ++i)
            data[i] = start + i * step;
        outputs[0] = convert(sequence, type);
        return;
    }
    Tensor sequence(ElementType::f64, shape);
    double* data = sequence.data<double>();
    for (int64_t i = 0; i < range.count; ++i)
        data[i] = range.start + static_cast<double>(i) * range.step;
    outputs[0] = convert(sequence, type);
}

namespace {

// NonZero

ElementType non_zero_type(const Attributes& attributes) {
    const ElementType type = attributes.has("output_type")
                                 ? attributes.get_element_type("output_type")
                                 : ElementType::i64;
    if (type != ElementType::i32 && type != ElementType::i64)
        throw_bad_input("attribute 'output_type' is {}, expected i32 or i64", to_string(type));
    return type;
}

// Flat indices of the non-zero elements (NaN counts as non-zero).
std::vector<size_t> non_zero_positions(const Tensor& data) {
    const auto values = data.to_doubles();
    std::vector<size_t> positions;
    for (size_t i = 0; i < values.size(); ++i)
        if (values[i] != 0.0) positions.push_back(i);
    return positions;
}

}  // namespace

// Output [rank, count]: column k holds the coordinates of the k-th non-zero element in
// row-major order. A scalar counts as rank 1.
std::vector<PortType> infer_non_zero(const InferContext& context) {
    const ElementType type = non_zero_type(context.attributes());
    const PartialShape& shape = context.input(0).shape;
    const int64_t rank =
        shape.rank_known() ? std::max<int64_t>(static_cast<int64_t>(shape.rank()), 1) : k_dynamic;
    const Tensor* value = context.value(0);
    const int64_t count =
        value ? static_cast<int64_t>(non_zero_positions(*value).size()) : k_dynamic;
    return {{type, PartialShape{rank, count}}};
}

void evaluate_non_zero(const Node& node, std::span<const Tensor> inputs,
                       std::vector<Tensor>& outputs) {
    const Tensor& data = inputs[0];
    const auto positions = non_zero_positions(data);
    const size_t rank = std::max<size_t>(data.rank(), 1);
    const auto count = static_cast<int64_t>(positions.size());
    Tensor coordinates(ElementType::i64, {static_cast<int64_t>(rank), count});
    int64_t* out = coordinates.data<int64_t>();
    const auto strides = element_strides(data.shape());
    for (size_t k = 0; k < positions.size(); ++k) {
        auto remaining = static_cast<int64_t>(positions[k]);
        for (size_t axis = 0; axis < data.rank(); ++axis) {
            out[static_cast<int64_t>(axis) * count + static_cast<int64_t>(k)] =
                remaining / strides[axis];
            remaining %= strides[axis];
        }
    }
    outputs[0] = convert(coordinates, non_zero_type(node.attributes));
}

}  // namespace es::graph::ops::movement
