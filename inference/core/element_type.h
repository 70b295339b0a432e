#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace es {

enum class ElementType : uint8_t {
    undefined,
    boolean,
    f16,
    f32,
    f64,
    i8,
    i16,
    i32,
    i64,
    u8,
    u16,
    u32,
    u64,
};

// Size of one element in bytes; 0 for undefined.
size_t element_size(ElementType type);
bool is_float(ElementType type);
bool is_integer(ElementType type);

// "f32", "i64", "boolean" … as IR `element_type` attributes spell them.
std::string_view to_string(ElementType type);
std::optional<ElementType> element_type_from_string(std::string_view name);

// "FP32", "I64", "BOOL" … as IR port `precision` attributes spell them.
std::string_view to_precision(ElementType type);
std::optional<ElementType> element_type_from_precision(std::string_view precision);

}  // namespace es
