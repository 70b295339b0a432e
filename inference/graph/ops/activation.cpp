#include "inference/graph/ops/eltwise_common.h"
#include "inference/graph/ops/families.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <numbers>
#include <type_traits>

namespace es::graph::ops {
namespace {

template <typename T, typename Fn>
void map_elements(const Tensor& src, Tensor& dst, Fn fn) {
    const T* x = elements<T>(src);
    T* y = elements<T>(dst);
    for (size_t i = 0, n = src.size(); i < n; ++i)
        y[i] = fn(x[i]);
}

// Converts a rounded double to an integer type, saturating at its limits.
template <typename T>
T saturate(double value) {
    if (value <= static_cast<double>(std::numeric_limits<T>::lowest()))
        return std::numeric_limits<T>::lowest();
    if (value >= static_cast<double>(std::numeric_limits<T>::max()))
        return std::numeric_limits<T>::max();
    return static_cast<T>(value);
}

template <typename T>
T wrapping_negate(T x) {
    if constexpr (std::is_integral_v<T>)
        return static_cast<T>(0 - static_cast<uint64_t>(x));
    else
        return -x;
}

// Unary functions valid for every numeric type.

struct Relu {
    template <typename T>
    static T apply(T x) {
        return x > T(0) ? x : T(0);
    }
};
struct Abs {
    template <typename T>
    static T apply(T x) {
        if constexpr (std::is_floating_point_v<T>)
            return std::abs(x);
        else if constexpr (std::is_signed_v<T>)
            return x < 0 ? wrapping_negate(x) : x;
        else
            return x;
    }
};
struct Negative {
    template <typename T>
    static T apply(T x) {
        return wrapping_negate(x);
    }
};
struct Sign {
    template <typename T>
    static T apply(T x) {
        if constexpr (std::is_floating_point_v<T>)
            if (std::isnan(x)) return x;
        return x > T(0) ? T(1) : (x == T(0) ? T(0) : wrapping_negate(T(1)));
    }
};
struct Floor {
    template <typename T>
    static T apply(T x) {
        if constexpr (std::is_floating_point_v<T>)
            return std::floor(x);
        else
            return x;
    }
};
struct Ceiling {
    template <typename T>
    static T apply(T x) {
        if constexpr (std::is_floating_point_v<T>)
            return std::ceil(x);
        else
            return x;
    }
};
// Integer results are rounded to the nearest integer, halves away from zero.
struct Sqrt {
    template <typename T>
    static T apply(T x) {
        if constexpr (std::is_floating_point_v<T>) {
            return std::sqrt(x);
        } else {
            if constexpr (std::is_signed_v<T>)
                if (x < 0) throw_bad_input("Sqrt of a negative integer ({})", int64_t{x});
            return static_cast<T>(std::round(std::sqrt(static_cast<double>(x))));
        }
    }
};
struct Tanh {
    template <typename T>
    static T apply(T x) {
        if constexpr (std::is_floating_point_v<T>)
            return std::tanh(x);
        else
            return static_cast<T>(std::round(std::tanh(static_cast<double>(x))));
    }
};

// Unary functions of floating-point types only.

struct Sigmoid {
    template <typename T>
    static T apply(T x) {
        return T(1) / (T(1) + std::exp(-x));
    }
};
struct Exp {
    template <typename T>
    static T apply(T x) {
        return std::exp(x);
    }
};
struct Log {
    template <typename T>
    static T apply(T x) {
        return std::log(x);
    }
};
struct Erf {
    template <typename T>
    static T apply(T x) {
        return std::erf(x);
    }
};
// Linear from x >= 20 on, where log(e^x + 1) and x differ by less than 1e-6 (SoftPlus-4).
struct SoftPlus {
    template <typename T>
    static T apply(T x) {
        return x >= T(20) ? x : std::log1p(std::exp(x));
    }
};
// x * min(max(x + 3, 0), 6) / 6
struct HSwish {
    template <typename T>
    static T apply(T x) {
        return x * std::min(std::max(x + T(3), T(0)), T(6)) / T(6);
    }
};
// min(max(x + 3, 0), 6) / 6
struct HSigmoid {
    template <typename T>
    static T apply(T x) {
        return std::min(std::max(x + T(3), T(0)), T(6)) / T(6);
    }
};
// x * tanh(log(1 + e^x))
struct Mish {
    template <typename T>
    static T apply(T x) {
        return x * std::tanh(std::log1p(std::exp(x)));
    }
};
// x * Φ(x) = x / 2 * (1 + erf(x / √2))
struct GeluErf {
    template <typename T>
    static T apply(T x) {
        return T(0.5) * x * (T(1) + std::erf(x * static_cast<T>(std::numbers::sqrt2 / 2)));
    }
};
// x / 2 * (1 + tanh(√(2/π) * (x + 0.044715 x³)))
struct GeluTanh {
    template <typename T>
    static T apply(T x) {
        const T scale = static_cast<T>(std::sqrt(2.0 / std::numbers::pi));
        return T(0.5) * x * (T(1) + std::tanh(scale * (x + T(0.044715) * x * x * x)));
    }
};

std::vector<PortType> infer_numeric_unary(const InferContext& context) {
    expect_numeric(context, 0, "data");
    return {context.input(0)};
}

std::vector<PortType> infer_float_unary(const InferContext& context) {
    expect_float(context, 0, "data");
    return {context.input(0)};
}

template <typename Op>
void evaluate_numeric_unary(const Node&, std::span<const Tensor> inputs,
                            std::vector<Tensor>& outputs) {
    dispatch_numeric(inputs[0].type(), [&](auto zero) {
        using T = decltype(zero);
        map_elements<T>(inputs[0], outputs[0], [](T x) { return Op::apply(x); });
    });
}

template <typename Op>
void evaluate_float_unary(const Node&, std::span<const Tensor> inputs,
                          std::vector<Tensor>& outputs) {
    dispatch_float(inputs[0].type(), [&](auto zero) {
        using T = decltype(zero);
        map_elements<T>(inputs[0], outputs[0], [](T x) { return Op::apply(x); });
    });
}

struct ClampBounds {
    double min;
    double max;
};

ClampBounds clamp_bounds(const Attributes& attributes) {
    const ClampBounds bounds{attributes.get_float("min"), attributes.get_float("max")};
    if (std::isnan(bounds.min) || std::isnan(bounds.max) || bounds.min > bounds.max)
        throw_bad_input("attributes 'min' ({}) and 'max' ({}): expected numbers with min <= max",
                        bounds.min, bounds.max);
    return bounds;
}

std::vector<PortType> infer_clamp(const InferContext& context) {
    clamp_bounds(context.attributes());
    return infer_numeric_unary(context);
}

// Integer types clamp to ceil(min) and floor(max) (Clamp-1).
void evaluate_clamp(const Node& node, std::span<const Tensor> inputs,
                    std::vector<Tensor>& outputs) {
    const ClampBounds bounds = clamp_bounds(node.attributes);
    dispatch_numeric(inputs[0].type(), [&](auto zero) {
        using T = decltype(zero);
        T low, high;
        if constexpr (std::is_floating_point_v<T>) {
            low = static_cast<T>(bounds.min);
            high = static_cast<T>(bounds.max);
        } else {
            low = saturate<T>(std::ceil(bounds.min));
            high = saturate<T>(std::floor(bounds.max));
        }
        map_elements<T>(inputs[0], outputs[0],
                        [low, high](T x) { return std::min(std::max(x, low), high); });
    });
}

std::vector<PortType> infer_elu(const InferContext& context) {
    context.attributes().get_float("alpha");
    return infer_float_unary(context);
}

// x if x > 0, else alpha * (e^x - 1)
void evaluate_elu(const Node& node, std::span<const Tensor> inputs, std::vector<Tensor>& outputs) {
    const double alpha = node.attributes.get_float("alpha");
    dispatch_float(inputs[0].type(), [&](auto zero) {
        using T = decltype(zero);
        const T a = static_cast<T>(alpha);
        map_elements<T>(inputs[0], outputs[0],
                        [a](T x) { return x > T(0) ? x : a * std::expm1(x); });
    });
}

bool gelu_uses_tanh(const Attributes& attributes) {
    std::string mode = attributes.get_string("approximation_mode", "erf");
    std::transform(mode.begin(), mode.end(), mode.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (mode != "erf" && mode != "tanh")
        throw_bad_input("attribute 'approximation_mode': '{}', expected 'erf' or 'tanh'", mode);
    return mode == "tanh";
}

std::vector<PortType> infer_gelu7(const InferContext& context) {
    gelu_uses_tanh(context.attributes());
    return infer_float_unary(context);
}

void evaluate_gelu7(const Node& node, std::span<const Tensor> inputs,
                    std::vector<Tensor>& outputs) {
    if (gelu_uses_tanh(node.attributes))
        evaluate_float_unary<GeluTanh>(node, inputs, outputs);
    else
        evaluate_float_unary<GeluErf>(node, inputs, outputs);
}

std::vector<PortType> infer_swish(const InferContext& context) {
    expect_float(context, 0, "data");
    if (context.input_count() > 1) {
        expect_same_type(context, 1, 0);
        const PartialShape& beta = context.input(1).shape;
        const bool scalar = !beta.rank_known() || beta.rank() == 0 ||
                            (beta.rank() == 1 && (beta[0] == 1 || beta[0] == k_dynamic));
        if (!scalar)
            throw_bad_input("input 1 (beta) has shape {}, expected a scalar", to_string(beta));
    }
    return {context.input(0)};
}

// x * sigmoid(beta * x), beta defaulting to 1
void evaluate_swish(const Node&, std::span<const Tensor> inputs, std::vector<Tensor>& outputs) {
    dispatch_float(inputs[0].type(), [&](auto zero) {
        using T = decltype(zero);
        const T beta = inputs.size() > 1 ? elements<T>(inputs[1])[0] : T(1);
        map_elements<T>(inputs[0], outputs[0],
                        [beta](T x) { return x / (T(1) + std::exp(-beta * x)); });
    });
}

// A 1-D slope as long as data's axis 1 applies per channel; other slopes broadcast NumPy-style.
bool prelu_per_channel(const Shape& data, const Shape& slope) {
    return slope.size() == 1 && data.size() >= 2 && slope[0] == data[1];
}

std::vector<PortType> infer_prelu(const InferContext& context) {
    expect_float(context, 0, "data");
    expect_same_type(context, 1, 0);
    const PartialShape& data = context.input(0).shape;
    const PartialShape& slope = context.input(1).shape;
    const bool may_be_per_channel = slope.rank_known() && slope.rank() == 1 && data.rank_known() &&
                                    data.rank() >= 2 &&
                                    (slope[0] < 0 || data[1] < 0 || slope[0] == data[1]);
    if (!may_be_per_channel) expect_broadcasts_to(context, 1, "slope", data, AutoBroadcast::numpy);
    return {context.input(0)};
}

void evaluate_prelu(const Node&, std::span<const Tensor> inputs, std::vector<Tensor>& outputs) {
    const Shape& data_shape = inputs[0].shape();
    Tensor slope = inputs[1];
    if (prelu_per_channel(data_shape, slope.shape())) {
        Shape channel_shape(data_shape.size(), 1);
        channel_shape[1] = data_shape[1];
        slope = slope.reshaped(channel_shape);
    }
    dispatch_float(inputs[0].type(), [&](auto zero) {
        using T = decltype(zero);
        broadcast_binary<T, T>(inputs[0], slope, outputs[0],
                               [](T x, T alpha) { return x < T(0) ? alpha * x : x; });
    });
}

}  // namespace

void add_activation_ops(std::vector<OpDef>& ops) {
    ops.push_back({"ReLU", 1, 1, 1, infer_numeric_unary, evaluate_numeric_unary<Relu>});
    ops.push_back({"PReLU", 1, 2, 2, infer_prelu, evaluate_prelu});
    ops.push_back({"Clamp", 1, 1, 1, infer_clamp, evaluate_clamp});
    ops.push_back({"Elu", 1, 1, 1, infer_elu, evaluate_elu});
    ops.push_back({"Sigmoid", 1, 1, 1, infer_float_unary, evaluate_float_unary<Sigmoid>});
    ops.push_back({"Tanh", 1, 1, 1, infer_numeric_unary, evaluate_numeric_unary<Tanh>});
    ops.push_back({"Swish", 4, 1, 2, infer_swish, evaluate_swish});
    ops.push_back({"HSwish", 4, 1, 1, infer_float_unary, evaluate_float_unary<HSwish>});
    ops.push_back({"HSigmoid", 5, 1, 1, infer_float_unary, evaluate_float_unary<HSigmoid>});
    ops.push_back({"Exp", 1, 1, 1, infer_float_unary, evaluate_float_unary<Exp>});
    ops.push_back({"Log", 1, 1, 1, infer_float_unary, evaluate_float_unary<Log>});
    ops.push_back({"Sqrt", 1, 1, 1, infer_numeric_unary, evaluate_numeric_unary<Sqrt>});
    ops.push_back({"Floor", 1, 1, 1, infer_numeric_unary, evaluate_numeric_unary<Floor>});
    ops.push_back({"Ceiling", 1, 1, 1, infer_numeric_unary, evaluate_numeric_unary<Ceiling>});
    ops.push_back({"Abs", 1, 1, 1, infer_numeric_unary, evaluate_numeric_unary<Abs>});
    ops.push_back({"Negative", 1, 1, 1, infer_numeric_unary, evaluate_numeric_unary<Negative>});
    ops.push_back({"Sign", 1, 1, 1, infer_numeric_unary, evaluate_numeric_unary<Sign>});
    ops.push_back({"Erf", 1, 1, 1, infer_float_unary, evaluate_float_unary<Erf>});
    ops.push_back({"SoftPlus", 4, 1, 1, infer_float_unary, evaluate_float_unary<SoftPlus>});
    ops.push_back({"Gelu", 2, 1, 1, infer_float_unary, evaluate_float_unary<GeluErf>});
    ops.push_back({"Gelu", 7, 1, 1, infer_gelu7, evaluate_gelu7});
    ops.push_back({"Mish", 4, 1, 1, infer_float_unary, evaluate_float_unary<Mish>});
    ops.push_back({"FakeQuantize", 1, 5, 5, infer_fake_quantize, evaluate_fake_quantize});
}

}  // namespace es::graph::ops
