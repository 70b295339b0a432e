#include "inference/graph/ops/eltwise_common.h"

#include <algorithm>
#include <cmath>

namespace es::graph::ops {
namespace {

constexpr const char* k_limit_names[] = {"input_low", "input_high", "output_low", "output_high"};

int64_t levels_of(const Attributes& attributes) {
    const int64_t levels = attributes.get_int("levels");
    if (levels < 2) throw_bad_input("attribute 'levels' is {}, expected at least 2", levels);
    return levels;
}

// FakeQuantize-1: x <= min(in_low, in_high) gives out_low, x > max(in_low, in_high) gives
// out_high, and otherwise
//   round((x - in_low) / (in_high - in_low) * (levels - 1)) / (levels - 1)
//       * (out_high - out_low) + out_low
// rounding halves to even (nearbyint), as OpenVINO's reference does.
template <typename T>
T quantize(T x, T in_low, T in_high, T out_low, T out_high, T steps) {
    if (x <= std::min(in_low, in_high)) return out_low;
    if (x > std::max(in_low, in_high)) return out_high;
    return std::nearbyint((x - in_low) / (in_high - in_low) * steps) / steps *
               (out_high - out_low) +
           out_low;
}

}  // namespace

std::vector<PortType> infer_fake_quantize(const InferContext& context) {
    levels_of(context.attributes());
    const AutoBroadcast mode = auto_broadcast_of(context.attributes());
    expect_float(context, 0, "data");
    const PartialShape& data = context.input(0).shape;
    for (size_t i = 1; i < 5; ++i) {
        expect_same_type(context, i, 0);
        expect_broadcasts_to(context, i, k_limit_names[i - 1], data, mode);
    }
    return {context.input(0)};
}

void evaluate_fake_quantize(const Node& node, std::span<const Tensor> inputs,
                            std::vector<Tensor>& outputs) {
    const int64_t levels = levels_of(node.attributes);
    const Shape shapes[] = {inputs[1].shape(), inputs[2].shape(), inputs[3].shape(),
                            inputs[4].shape()};
    const BroadcastPlan plan = make_broadcast_plan(inputs[0].shape(), shapes);
    dispatch_float(inputs[0].type(), [&](auto zero) {
        using T = decltype(zero);
        const T steps = static_cast<T>(levels - 1);
        const T* data = elements<T>(inputs[0]);
        const T* in_low = elements<T>(inputs[1]);
        const T* in_high = elements<T>(inputs[2]);
        const T* out_low = elements<T>(inputs[3]);
        const T* out_high = elements<T>(inputs[4]);
        T* dst = elements<T>(outputs[0]);
        for_each_run(plan, [&](size_t o, const size_t* offsets, const size_t* s, size_t count) {
            const T* il = in_low + offsets[0];
            const T* ih = in_high + offsets[1];
            const T* ol = out_low + offsets[2];
            const T* oh = out_high + offsets[3];
            for (size_t i = 0; i < count; ++i)
                dst[o + i] = quantize(data[o + i], il[i * s[0]], ih[i * s[1]], ol[i * s[2]],
                                      oh[i * s[3]], steps);
        });
    });
}

}  // namespace es::graph::ops
