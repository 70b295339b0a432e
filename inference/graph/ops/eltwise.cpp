#include "inference/graph/ops/eltwise_common.h"
#include "inference/graph/ops/families.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <type_traits>

namespace es::graph::ops {
namespace {

// Integer arithmetic wraps around (two's complement) rather than overflowing.
template <typename T>
T wrapping_add(T a, T b) {
    if constexpr (std::is_integral_v<T>)
        return static_cast<T>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
    else
        return a + b;
}
template <typename T>
T wrapping_sub(T a, T b) {
    if constexpr (std::is_integral_v<T>)
        return static_cast<T>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
    else
        return a - b;
}
template <typename T>
T wrapping_mul(T a, T b) {
    if constexpr (std::is_integral_v<T>)
        return static_cast<T>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
    else
        return a * b;
}

template <typename T>
void check_integer_divisor(T b) {
    if (b == 0) throw_bad_input("integer division by zero (input 1 holds a 0)");
}

template <typename T>
bool is_minus_one(T b) {
    if constexpr (std::is_signed_v<T>)
        return b == T(-1);
    else
        return false;
}

struct Add {
    template <typename T>
    T operator()(T a, T b) const {
        return wrapping_add(a, b);
    }
};
struct Subtract {
    template <typename T>
    T operator()(T a, T b) const {
        return wrapping_sub(a, b);
    }
};
struct Multiply {
    template <typename T>
    T operator()(T a, T b) const {
        return wrapping_mul(a, b);
    }
};
struct Maximum {
    template <typename T>
    T operator()(T a, T b) const {
        return std::max(a, b);
    }
};
struct Minimum {
    template <typename T>
    T operator()(T a, T b) const {
        return std::min(a, b);
    }
};
struct SquaredDifference {
    template <typename T>
    T operator()(T a, T b) const {
        const T difference = wrapping_sub(a, b);
        return wrapping_mul(difference, difference);
    }
};

// Integer quotients truncate, or floor when `floor_integers` (Divide's m_pythondiv).
struct Divide {
    bool floor_integers = true;
    template <typename T>
    T operator()(T a, T b) const {
        if constexpr (std::is_floating_point_v<T>) {
            return a / b;
        } else {
            check_integer_divisor(b);
            if (is_minus_one(b)) return wrapping_sub(T(0), a);
            T quotient = static_cast<T>(a / b);
            if constexpr (std::is_signed_v<T>)
                if (floor_integers && a % b != 0 && (a < 0) != (b < 0)) --quotient;
            return quotient;
        }
    }
};

// Remainder with the sign of the dividend (C fmod).
struct Mod {
    template <typename T>
    T operator()(T a, T b) const {
        if constexpr (std::is_floating_point_v<T>) {
            return std::fmod(a, b);
        } else {
            check_integer_divisor(b);
            return is_minus_one(b) ? T(0) : static_cast<T>(a % b);
        }
    }
};

// Remainder with the sign of the divisor (Python %).
struct FloorMod {
    template <typename T>
    T operator()(T a, T b) const {
        T remainder;
        if constexpr (std::is_floating_point_v<T>) {
            remainder = std::fmod(a, b);
        } else {
            check_integer_divisor(b);
            remainder = is_minus_one(b) ? T(0) : static_cast<T>(a % b);
        }
        if constexpr (std::is_signed_v<T>)
            if (remainder != 0 && (remainder < 0) != (b < 0))
                remainder = wrapping_add(remainder, b);
        return remainder;
    }
};

// Integer powers by repeated squaring; negative exponents give the truncated 1 / a^-b.
struct Power {
    template <typename T>
    T operator()(T a, T b) const {
        if constexpr (std::is_floating_point_v<T>) {
            return std::pow(a, b);
        } else {
            if constexpr (std::is_signed_v<T>) {
                if (b < 0) {
                    if (a == 0)
                        throw_bad_input("integer Power: 0 raised to negative exponent {}", b);
                    if (a == 1) return T(1);
                    if (a == -1) return (b % 2 == 0) ? T(1) : T(-1);
                    return T(0);
                }
            }
            T result = 1;
            T base = a;
            for (uint64_t exponent = static_cast<uint64_t>(b); exponent != 0; exponent >>= 1) {
                if (exponent & 1) result = wrapping_mul(result, base);
                base = wrapping_mul(base, base);
            }
            return result;
        }
    }
};

struct Equal {
    template <typename T>
    bool operator()(T a, T b) const {
        return a == b;
    }
};
struct NotEqual {
    template <typename T>
    bool operator()(T a, T b) const {
        return a != b;
    }
};
struct Greater {
    template <typename T>
    bool operator()(T a, T b) const {
        return a > b;
    }
};
struct GreaterEqual {
    template <typename T>
    bool operator()(T a, T b) const {
        return a >= b;
    }
};
struct Less {
    template <typename T>
    bool operator()(T a, T b) const {
        return a < b;
    }
};
struct LessEqual {
    template <typename T>
    bool operator()(T a, T b) const {
        return a <= b;
    }
};

struct LogicalAnd {
    bool operator()(uint8_t a, uint8_t b) const { return a != 0 && b != 0; }
};
struct LogicalOr {
    bool operator()(uint8_t a, uint8_t b) const { return a != 0 || b != 0; }
};
struct LogicalXor {
    bool operator()(uint8_t a, uint8_t b) const { return (a != 0) != (b != 0); }
};

std::vector<PortType> infer_arithmetic(const InferContext& context) {
    expect_numeric(context, 0, "a");
    expect_same_type(context, 1, 0);
    const AutoBroadcast mode = auto_broadcast_of(context.attributes());
    return {{context.input(0).type, broadcast_inputs(context, mode, {0, 1})}};
}

std::vector<PortType> infer_comparison(const InferContext& context) {
    expect_same_type(context, 1, 0);
    const ElementType type = context.input(0).type;
    if (type != ElementType::boolean) expect_numeric(context, 0, "a");
    const AutoBroadcast mode = auto_broadcast_of(context.attributes());
    return {{ElementType::boolean, broadcast_inputs(context, mode, {0, 1})}};
}

std::vector<PortType> infer_logical(const InferContext& context) {
    expect_boolean(context, 0, "a");
    expect_boolean(context, 1, "b");
    const AutoBroadcast mode = auto_broadcast_of(context.attributes());
    return {{ElementType::boolean, broadcast_inputs(context, mode, {0, 1})}};
}

template <typename Op>
void evaluate_arithmetic(const Node&, std::span<const Tensor> inputs,
                         std::vector<Tensor>& outputs) {
    dispatch_numeric(inputs[0].type(), [&](auto zero) {
        using T = decltype(zero);
        broadcast_binary<T, T>(inputs[0], inputs[1], outputs[0], Op{});
    });
}

// IR files spell the attribute m_pythondiv; m_pythondivision is accepted too.
bool python_division(const Attributes& attributes) {
    return attributes.get_bool("m_pythondiv", attributes.get_bool("m_pythondivision", true));
}

std::vector<PortType> infer_divide(const InferContext& context) {
    python_division(context.attributes());
    return infer_arithmetic(context);
}

void evaluate_divide(const Node& node, std::span<const Tensor> inputs,
                     std::vector<Tensor>& outputs) {
    const Divide divide{python_division(node.attributes)};
    dispatch_numeric(inputs[0].type(), [&](auto zero) {
        using T = decltype(zero);
        broadcast_binary<T, T>(inputs[0], inputs[1], outputs[0], divide);
    });
}

template <typename Op>
void evaluate_comparison(const Node&, std::span<const Tensor> inputs,
                         std::vector<Tensor>& outputs) {
    if (inputs[0].type() == ElementType::boolean) {
        broadcast_binary<uint8_t, uint8_t>(inputs[0], inputs[1], outputs[0], Op{});
        return;
    }
    dispatch_numeric(inputs[0].type(), [&](auto zero) {
        using T = decltype(zero);
        broadcast_binary<T, uint8_t>(inputs[0], inputs[1], outputs[0], Op{});
    });
}

template <typename Op>
void evaluate_logical(const Node&, std::span<const Tensor> inputs, std::vector<Tensor>& outputs) {
    broadcast_binary<uint8_t, uint8_t>(inputs[0], inputs[1], outputs[0], Op{});
}

std::vector<PortType> infer_logical_not(const InferContext& context) {
    expect_boolean(context, 0, "data");
    return {context.input(0)};
}

void evaluate_logical_not(const Node&, std::span<const Tensor> inputs,
                          std::vector<Tensor>& outputs) {
    const uint8_t* src = elements<uint8_t>(inputs[0]);
    uint8_t* dst = elements<uint8_t>(outputs[0]);
    for (size_t i = 0, n = inputs[0].size(); i < n; ++i)
        dst[i] = src[i] == 0 ? 1 : 0;
}

std::vector<PortType> infer_select(const InferContext& context) {
    expect_boolean(context, 0, "cond");
    expect_same_type(context, 2, 1);
    const AutoBroadcast mode = auto_broadcast_of(context.attributes());
    return {{context.input(1).type, broadcast_inputs(context, mode, {0, 1, 2})}};
}

// Select moves elements without looking at them, so any element type of a given size will do.
template <typename T>
void select_elements(std::span<const Tensor> inputs, Tensor& output) {
    const uint8_t* condition = elements<uint8_t>(inputs[0]);
    const T* then_values = elements<T>(inputs[1]);
    const T* else_values = elements<T>(inputs[2]);
    T* dst = elements<T>(output);
    const Shape shapes[] = {inputs[0].shape(), inputs[1].shape(), inputs[2].shape()};
    const BroadcastPlan plan = make_broadcast_plan(output.shape(), shapes);
    for_each_run(plan, [&](size_t o, const size_t* offsets, const size_t* steps, size_t count) {
        const uint8_t* c = condition + offsets[0];
        const T* t = then_values + offsets[1];
        const T* e = else_values + offsets[2];
        for (size_t i = 0; i < count; ++i)
            dst[o + i] = c[i * steps[0]] ? t[i * steps[1]] : e[i * steps[2]];
    });
}

void evaluate_select(const Node&, std::span<const Tensor> inputs, std::vector<Tensor>& outputs) {
    switch (element_size(inputs[1].type())) {
        case 1:
            return select_elements<uint8_t>(inputs, outputs[0]);
        case 2:
            return select_elements<uint16_t>(inputs, outputs[0]);
        case 4:
            return select_elements<uint32_t>(inputs, outputs[0]);
        case 8:
            return select_elements<uint64_t>(inputs, outputs[0]);
        default:
            break;
    }
    throw_bad_input("element type {} is not supported by Select", to_string(inputs[1].type()));
}

}  // namespace

void add_eltwise_ops(std::vector<OpDef>& ops) {
    ops.push_back({"Add", 1, 2, 2, infer_arithmetic, evaluate_arithmetic<Add>});
    ops.push_back({"Subtract", 1, 2, 2, infer_arithmetic, evaluate_arithmetic<Subtract>});
    ops.push_back({"Multiply", 1, 2, 2, infer_arithmetic, evaluate_arithmetic<Multiply>});
    ops.push_back({"Divide", 1, 2, 2, infer_divide, evaluate_divide});
    ops.push_back({"Maximum", 1, 2, 2, infer_arithmetic, evaluate_arithmetic<Maximum>});
    ops.push_back({"Minimum", 1, 2, 2, infer_arithmetic, evaluate_arithmetic<Minimum>});
    ops.push_back({"Power", 1, 2, 2, infer_arithmetic, evaluate_arithmetic<Power>});
    ops.push_back(
        {"SquaredDifference", 1, 2, 2, infer_arithmetic, evaluate_arithmetic<SquaredDifference>});
    ops.push_back({"Mod", 1, 2, 2, infer_arithmetic, evaluate_arithmetic<Mod>});
    ops.push_back({"FloorMod", 1, 2, 2, infer_arithmetic, evaluate_arithmetic<FloorMod>});
    ops.push_back({"Equal", 1, 2, 2, infer_comparison, evaluate_comparison<Equal>});
    ops.push_back({"NotEqual", 1, 2, 2, infer_comparison, evaluate_comparison<NotEqual>});
    ops.push_back({"Greater", 1, 2, 2, infer_comparison, evaluate_comparison<Greater>});
    ops.push_back({"GreaterEqual", 1, 2, 2, infer_comparison, evaluate_comparison<GreaterEqual>});
    ops.push_back({"Less", 1, 2, 2, infer_comparison, evaluate_comparison<Less>});
    ops.push_back({"LessEqual", 1, 2, 2, infer_comparison, evaluate_comparison<LessEqual>});
    ops.push_back({"LogicalAnd", 1, 2, 2, infer_logical, evaluate_logical<LogicalAnd>});
    ops.push_back({"LogicalOr", 1, 2, 2, infer_logical, evaluate_logical<LogicalOr>});
    ops.push_back({"LogicalXor", 1, 2, 2, infer_logical, evaluate_logical<LogicalXor>});
    ops.push_back({"LogicalNot", 1, 1, 1, infer_logical_not, evaluate_logical_not});
    ops.push_back({"Select", 1, 3, 3, infer_select, evaluate_select});
}

}  // namespace es::graph::ops
