#include "inference/graph/ops/eltwise_common.h"
#include "inference/graph/ops/families.h"

#include <cmath>

namespace es::graph::ops {
namespace {

struct Sin {
    template <typename T>
    static T apply(T x) {
        return std::sin(x);
    }
};
struct Cos {
    template <typename T>
    static T apply(T x) {
        return std::cos(x);
    }
};
struct Atan {
    template <typename T>
    static T apply(T x) {
        return std::atan(x);
    }
};

std::vector<PortType> infer_trigonometric(const InferContext& context) {
    expect_float(context, 0, "data");
    return {context.input(0)};
}

// y = f(x) elementwise, in the input's float type.
template <typename Op>
void evaluate_trigonometric(const Node&, std::span<const Tensor> inputs,
                            std::vector<Tensor>& outputs) {
    dispatch_float(inputs[0].type(), [&](auto zero) {
        using T = decltype(zero);
        const T* x = elements<T>(inputs[0]);
        T* y = elements<T>(outputs[0]);
        for (size_t i = 0, n = inputs[0].size(); i < n; ++i)
            y[i] = Op::apply(x[i]);
        return 0;
    });
}

}  // namespace

void add_trigonometric_ops(std::vector<OpDef>& ops) {
    ops.push_back({"Sin", 1, 1, 1, infer_trigonometric, evaluate_trigonometric<Sin>});
    ops.push_back({"Cos", 1, 1, 1, infer_trigonometric, evaluate_trigonometric<Cos>});
    ops.push_back({"Atan", 1, 1, 1, infer_trigonometric, evaluate_trigonometric<Atan>});
}

}  // namespace es::graph::ops
