#include "inference/graph/ops/op_util.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <type_traits>

namespace es::graph::ops {
namespace {

enum class TopKSort { value, index, none };

struct TopKSettings {
    int64_t axis = 0;
    bool largest = true;
    TopKSort sort = TopKSort::value;
    ElementType index_type = ElementType::i32;
};

TopKSettings read_settings(const Attributes& attributes) {
    TopKSettings settings;
    settings.axis = attributes.get_int("axis");
    const std::string mode = attributes.get_string("mode");
    if (mode != "max" && mode != "min")
        throw_bad_input("attribute 'mode' is '{}', expected 'max' or 'min'", mode);
    settings.largest = mode == "max";
    const std::string sort = attributes.get_string("sort");
    if (sort == "value")
        settings.sort = TopKSort::value;
    else if (sort == "index")
        settings.sort = TopKSort::index;
    else if (sort == "none")
        settings.sort = TopKSort::none;
    else
        throw_bad_input("attribute 'sort' is '{}', expected 'value', 'index' or 'none'", sort);
    if (attributes.has("index_element_type")) {
        settings.index_type = attributes.get_element_type("index_element_type");
        if (settings.index_type != ElementType::i32 && settings.index_type != ElementType::i64)
            throw_bad_input("attribute 'index_element_type' is {}, expected i32 or i64",
                            to_string(settings.index_type));
    }
    // TopK-11's `stable`: this kernel always keeps equal elements in input order.
    attributes.get_bool("stable", false);
    return settings;
}

// NaN counts as larger than every number, so that the order stays a strict weak ordering.
template <typename T>
bool greater(T a, T b) {
    if constexpr (std::is_floating_point_v<T>) {
        if (std::isnan(a)) return !std::isnan(b);
        if (std::isnan(b)) return false;
    }
    return a > b;
}

// Takes the k best of each slice along the axis; equal values keep their input order (lower
// index first), both in which of them are selected and in the output order.
template <typename T, typename I>
void top_k(const Tensor& src, size_t axis, size_t k, const TopKSettings& settings, Tensor& values,
           Tensor& indices) {
    const Shape& shape = src.shape();
    size_t outer = 1, inner = 1;
    for (size_t i = 0; i < axis; ++i)
        outer *= static_cast<size_t>(shape[i]);
    for (size_t i = axis + 1; i < shape.size(); ++i)
        inner *= static_cast<size_t>(shape[i]);
    const size_t n = static_cast<size_t>(shape[axis]);

    const T* in = elements<T>(src);
    T* out_values = elements<T>(values);
    I* out_indices = elements<I>(indices);
    std::vector<T> slice(n);
    std::vector<size_t> order(n);
    const auto before = [&](size_t a, size_t b) {
        if (settings.largest ? greater(slice[a], slice[b]) : greater(slice[b], slice[a]))
            return true;
        if (settings.largest ? greater(slice[b], slice[a]) : greater(slice[a], slice[b]))
            return false;
        return a < b;
    };
    for (size_t o = 0; o < outer; ++o) {
        for (size_t i = 0; i < inner; ++i) {
            const T* src_slice = in + o * n * inner + i;
            for (size_t j = 0; j < n; ++j)
                slice[j] = src_slice[j * inner];
            std::iota(order.begin(), order.end(), size_t{0});
            std::partial_sort(order.begin(), order.begin() + k, order.end(), before);
            if (settings.sort == TopKSort::index) std::sort(order.begin(), order.begin() + k);
            const size_t dst = o * k * inner + i;
            for (size_t j = 0; j < k; ++j) {
                out_values[dst + j * inner] = slice[order[j]];
                out_indices[dst + j * inner] = static_cast<I>(order[j]);
            }
        }
    }
}

}  // namespace

std::vector<PortType> infer_topk(const InferContext& context) {
    const TopKSettings settings = read_settings(context.attributes());
    const PortType& data = context.input(0);
    if (data.type == ElementType::boolean)
        throw_bad_input("input 0 (data) has element type boolean, expected a numeric type");
    expect_integer(context, 1, "k");
    const PartialShape& k_shape = context.input(1).shape;
    if (k_shape.rank_known() && k_shape.rank() != 0)
        throw_bad_input("input 1 (k) has shape {}, expected a scalar", to_string(k_shape));

    std::optional<int64_t> k;
    if (const auto k_values = constant_ints(context, 1)) {
        if (k_values->size() != 1)
            throw_bad_input("input 1 (k) has {} values, expected a scalar", k_values->size());
        k = k_values->front();
        if (*k < 0) throw_bad_input("input 1 (k) is {}, expected k >= 0", *k);
    }
    if (!data.shape.rank_known()) {
        const PortType values{data.type, PartialShape::dynamic_rank()};
        return {values, {settings.index_type, values.shape}};
    }
    const auto axis = normalize_axis(settings.axis, data.shape.rank());
    if (!axis)
        throw_bad_input("attribute 'axis' is {}, out of range for input 0 (data) of rank {}",
                        settings.axis, data.shape.rank());
    PartialShape shape = data.shape;
    const int64_t dim = shape[*axis];
    if (k && dim >= 0 && *k > dim)
        throw_bad_input("input 1 (k) is {}, larger than dimension {} ({}) of input 0 (data) {}", *k,
                        *axis, dim, to_string(data.shape));
    shape[*axis] = k ? *k : k_dynamic;
    return {{data.type, shape}, {settings.index_type, shape}};
}

void evaluate_topk(const Node& node, std::span<const Tensor> inputs, std::vector<Tensor>& outputs) {
    const TopKSettings settings = read_settings(node.attributes);
    const Tensor& src = inputs[0];
    const size_t axis = *normalize_axis(settings.axis, src.rank());
    const auto k = static_cast<size_t>(inputs[1].to_int64s().front());
    dispatch_numeric(src.type(), [&](auto zero) {
        using T = decltype(zero);
        if (settings.index_type == ElementType::i32)
            top_k<T, int32_t>(src, axis, k, settings, outputs[0], outputs[1]);
        else
            top_k<T, int64_t>(src, axis, k, settings, outputs[0], outputs[1]);
    });
}

}  // namespace es::graph::ops
