#pragma once

#include "inference/graph/op.h"

#include <vector>

// Small helpers shared by op definitions.
namespace es::graph::ops {

// Throws unless input `i` has a known rank equal to `rank` (unknown rank passes).
void expect_rank(const InferContext& context, size_t i, size_t rank, const char* what);
// Throws unless input `i` has element type `type` or one of the integer types when
// `type` is undefined.
void expect_integer(const InferContext& context, size_t i, const char* what);
// The values of constant integer input `i`, or nullopt when not known at this point.
std::optional<std::vector<int64_t>> constant_ints(const InferContext& context, size_t i);

// Output types for ops whose output equals input 0.
std::vector<PortType> same_as_input(const InferContext& context);

// Calls fn(T{}) for the C++ type of a numeric element type (f32, f64, i8, i16, i32, i64, u8,
// u16, u32, u64; f16 never reaches kernels); throws es::Error for others (boolean included).
template <typename Fn>
auto dispatch_numeric(ElementType type, Fn&& fn) {
    switch (type) {
        case ElementType::f32:
            return fn(float{});
        case ElementType::f64:
            return fn(double{});
        case ElementType::i8:
            return fn(int8_t{});
        case ElementType::i16:
            return fn(int16_t{});
        case ElementType::i32:
            return fn(int32_t{});
        case ElementType::i64:
            return fn(int64_t{});
        case ElementType::u8:
            return fn(uint8_t{});
        case ElementType::u16:
            return fn(uint16_t{});
        case ElementType::u32:
            return fn(uint32_t{});
        case ElementType::u64:
            return fn(uint64_t{});
        default:
            break;
    }
    throw_bad_input("element type {} is not supported here", to_string(type));
}

// Like dispatch_numeric, for float kernels: fn(float{}) or fn(double{}); throws for others.
template <typename Fn>
auto dispatch_float(ElementType type, Fn&& fn) {
    if (type == ElementType::f32) return fn(float{});
    if (type == ElementType::f64) return fn(double{});
    throw_bad_input("element type {} is not supported here, expected f32 or f64", to_string(type));
}

// Typed pointer to a tensor's elements, treating boolean as uint8_t.
template <typename T>
const T* elements(const Tensor& tensor) {
    return reinterpret_cast<const T*>(tensor.bytes());
}
template <typename T>
T* elements(Tensor& tensor) {
    return reinterpret_cast<T*>(tensor.bytes());
}

}  // namespace es::graph::ops
